//! The ASN.1 of RFC 7292 (and the CMS pieces it borrows), as `der` types.
//!
//! Every type here borrows from a buffer that [`crate::ber::to_der`] has already
//! normalised. Open-ended parts (`ANY`, `SET OF` attributes) stay [`AnyRef`] and are
//! walked with [`elements`], so nothing depends on `der`'s SET OF ordering checks,
//! which real files do not always satisfy.

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, DecodeValue, Header, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierRef;

/// RFC 7292 §4:
///
/// ```text
/// PFX ::= SEQUENCE {
///     version     INTEGER {v3(3)}(v3,...),
///     authSafe    ContentInfo,
///     macData     MacData OPTIONAL }
/// ```
#[derive(Sequence)]
pub(crate) struct Pfx<'a> {
    pub version: u8,
    pub auth_safe: ContentInfo<'a>,
    pub mac_data: Option<MacData<'a>>,
}

/// RFC 5652 §3:
///
/// ```text
/// ContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     content [0] EXPLICIT ANY DEFINED BY contentType }
/// ```
///
/// PKCS#7 made `content` optional, and PKCS#12 writers rely on it for empty bags.
#[derive(Sequence)]
pub(crate) struct ContentInfo<'a> {
    pub content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub content: Option<AnyRef<'a>>,
}

/// RFC 7292 §4:
///
/// ```text
/// MacData ::= SEQUENCE {
///     mac         DigestInfo,
///     macSalt     OCTET STRING,
///     iterations  INTEGER DEFAULT 1 }
/// ```
#[derive(Sequence)]
pub(crate) struct MacData<'a> {
    pub mac: DigestInfo<'a>,
    pub mac_salt: &'a OctetStringRef,
    #[asn1(default = "one")]
    pub iterations: u32,
}

fn one() -> u32 {
    1
}

/// RFC 8017 §9.2 note 1 (used by RFC 7292 §4 for the MAC):
///
/// ```text
/// DigestInfo ::= SEQUENCE {
///     digestAlgorithm DigestAlgorithmIdentifier,
///     digest          OCTET STRING }
/// ```
#[derive(Sequence)]
pub(crate) struct DigestInfo<'a> {
    pub algorithm: AlgorithmIdentifierRef<'a>,
    pub digest: &'a OctetStringRef,
}

/// RFC 5652 §8 `EncryptedData`, reduced to what PKCS#12 needs:
///
/// ```text
/// EncryptedData ::= SEQUENCE {
///     version CMSVersion,
///     encryptedContentInfo EncryptedContentInfo,
///     unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }
/// EncryptedContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
///     encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }
/// ```
///
/// Decoded by hand because `encryptedContent` is an IMPLICIT OCTET STRING that BER
/// writers send constructed (chunked) under the `[0]` tag; the normaliser cannot
/// know that `[0]` hides an OCTET STRING, so the chunks are joined here.
pub(crate) struct EncryptedData<'a> {
    pub algorithm: AlgorithmIdentifierRef<'a>,
    pub content: Vec<u8>,
}

impl<'a> DecodeValue<'a> for EncryptedData<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let _version: u8 = reader.decode()?;
        let eci: AnyRef<'a> = reader.decode()?;
        // Unprotected attributes, if any, carry nothing we use.
        while !reader.is_finished() {
            let _: AnyRef<'a> = reader.decode()?;
        }
        eci.sequence(|r: &mut SliceReader<'a>| {
            let _content_type: ObjectIdentifier = r.decode()?;
            let algorithm: AlgorithmIdentifierRef<'a> = r.decode()?;
            let content = match r.decode::<Option<AnyRef<'a>>>()? {
                None => Vec::new(),
                Some(any) => implicit_octets(any, TagNumber(0))?,
            };
            Ok(EncryptedData { algorithm, content })
        })
    }
}

impl<'a> der::FixedTag for EncryptedData<'a> {
    const TAG: Tag = Tag::Sequence;
}

/// The bytes of `[n] IMPLICIT OCTET STRING`, primitive or constructed from
/// OCTET STRING chunks (X.690 §8.7.3).
fn implicit_octets(any: AnyRef<'_>, number: TagNumber) -> der::Result<Vec<u8>> {
    match any.tag() {
        Tag::ContextSpecific {
            constructed: false,
            number: n,
        } if n == number => Ok(any.value().to_vec()),
        Tag::ContextSpecific {
            constructed: true,
            number: n,
        } if n == number => {
            let mut out = Vec::with_capacity(any.value().len());
            for chunk in elements(any.value())? {
                let chunk: &OctetStringRef = chunk.decode_as()?;
                out.extend_from_slice(chunk.as_bytes());
            }
            Ok(out)
        }
        other => Err(other
            .unexpected_error(Some(Tag::ContextSpecific {
                constructed: false,
                number,
            }))
            .into()),
    }
}

/// RFC 7292 §4.2:
///
/// ```text
/// SafeBag ::= SEQUENCE {
///     bagId         BAG-TYPE.&id ({PKCS12BagSet}),
///     bagValue      [0] EXPLICIT BAG-TYPE.&Type({PKCS12BagSet}{@bagId}),
///     bagAttributes SET OF PKCS12Attribute OPTIONAL }
/// ```
#[derive(Sequence)]
pub(crate) struct SafeBag<'a> {
    pub bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub bag_value: AnyRef<'a>,
    /// A SET OF PKCS12Attribute, walked with [`attributes`].
    pub bag_attributes: Option<AnyRef<'a>>,
}

/// RFC 7292 §4.2.3:
///
/// ```text
/// CertBag ::= SEQUENCE {
///     certId    BAG-TYPE.&id   ({CertTypes}),
///     certValue [0] EXPLICIT BAG-TYPE.&Type ({CertTypes}{@certId}) }
/// ```
#[derive(Sequence)]
pub(crate) struct CertBag<'a> {
    pub cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub cert_value: AnyRef<'a>,
}

/// RFC 7292 Appendix C:
///
/// ```text
/// pkcs-12PbeParams ::= SEQUENCE {
///     salt        OCTET STRING,
///     iterations  INTEGER }
/// ```
#[derive(Sequence)]
pub(crate) struct Pkcs12PbeParams<'a> {
    pub salt: &'a OctetStringRef,
    pub iterations: u32,
}

/// RFC 5958 §3 (RFC 7292 §4.2.2 `PKCS8ShroudedKeyBag`):
///
/// ```text
/// EncryptedPrivateKeyInfo ::= SEQUENCE {
///     encryptionAlgorithm  EncryptionAlgorithmIdentifier,
///     encryptedData        EncryptedData }
/// ```
#[derive(Sequence)]
pub(crate) struct EncryptedPrivateKeyInfo<'a> {
    pub algorithm: AlgorithmIdentifierRef<'a>,
    pub encrypted_data: &'a OctetStringRef,
}

/// RFC 8018 Appendix A.5 (RFC 9579 §4):
///
/// ```text
/// PBMAC1-params ::= SEQUENCE {
///     keyDerivationFunc AlgorithmIdentifier {{PBMAC1-KDFs}},
///     messageAuthScheme AlgorithmIdentifier {{PBMAC1-MACs}} }
/// ```
#[derive(Sequence)]
pub(crate) struct Pbmac1Params<'a> {
    pub kdf: AlgorithmIdentifierRef<'a>,
    pub mac: AlgorithmIdentifierRef<'a>,
}

/// The elements of a constructed value's contents (`SEQUENCE OF` / `SET OF`).
pub(crate) fn elements(contents: &[u8]) -> der::Result<Vec<AnyRef<'_>>> {
    let mut reader = SliceReader::new(contents)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.decode()?);
    }
    Ok(out)
}

/// The elements of a DER `SEQUENCE OF` encoding.
pub(crate) fn sequence_of(der: &[u8]) -> der::Result<Vec<AnyRef<'_>>> {
    let any = AnyRef::from_der(der)?;
    if any.tag() != Tag::Sequence {
        return Err(any.tag().unexpected_error(Some(Tag::Sequence)).into());
    }
    elements(any.value())
}

/// The (type, first value) pairs of a bag's `SET OF PKCS12Attribute`
/// (RFC 7292 §4.2: `PKCS12Attribute ::= SEQUENCE { attrId, attrValues SET OF }`).
pub(crate) fn attributes<'a>(
    set: Option<AnyRef<'a>>,
) -> der::Result<Vec<(ObjectIdentifier, AnyRef<'a>)>> {
    let Some(set) = set else {
        return Ok(Vec::new());
    };
    if set.tag() != Tag::Set {
        return Err(set.tag().unexpected_error(Some(Tag::Set)).into());
    }
    let mut out = Vec::new();
    for attribute in elements(set.value())? {
        let (oid, values) = attribute.sequence(|r: &mut SliceReader<'a>| {
            let oid: ObjectIdentifier = r.decode()?;
            let values: AnyRef<'a> = r.decode()?;
            Ok::<_, der::Error>((oid, values))
        })?;
        if let Some(first) = elements(values.value())?.into_iter().next() {
            out.push((oid, first));
        }
    }
    Ok(out)
}
