//! Reading a SignerInfo's signedAttrs (RFC 5652 §5.3, §11; RFC 8551 §2.5) and the
//! EUF-CMA guard for signatures without them.

use cms::signed_data::SignedAttributes;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use std::time::SystemTime;

use crate::cms::ber;
use crate::error::CmsError;
use crate::oid;

/// The attributes a verifier acts on, each read from its single value.
#[derive(Default)]
pub(crate) struct SignedAttrs {
    pub(crate) content_type: Option<ObjectIdentifier>,
    pub(crate) message_digest: Option<Vec<u8>>,
    pub(crate) signing_time: Option<SystemTime>,
    pub(crate) capabilities: Option<Vec<u8>>,
    pub(crate) encryption_key_preference: Option<Vec<u8>>,
    /// (hash algorithm, certificate hash) from signingCertificate(V2).
    pub(crate) signing_certificate_hashes: Vec<(ObjectIdentifier, Vec<u8>)>,
}

/// Attributes RFC 5652 §11 and RFC 8551 §2.5 allow once, with one value.
const SINGLE: [ObjectIdentifier; 7] = [
    oid::ATTR_CONTENT_TYPE,
    oid::ATTR_MESSAGE_DIGEST,
    oid::ATTR_SIGNING_TIME,
    oid::ATTR_SMIME_CAPABILITIES,
    oid::ATTR_ENCRYPTION_KEY_PREFERENCE,
    oid::ATTR_SIGNING_CERTIFICATE,
    oid::ATTR_SIGNING_CERTIFICATE_V2,
];

/// Reads `attrs`; a repeated or multi-valued single-instance attribute is an error
/// (the message says which).
pub(crate) fn read(attrs: &SignedAttributes) -> Result<SignedAttrs, String> {
    let mut out = SignedAttrs::default();
    for attr in attrs.iter() {
        if SINGLE.contains(&attr.oid) {
            if attr.values.len() != 1 {
                return Err(format!(
                    "attribute {} must have exactly one value",
                    attr.oid
                ));
            }
            if attrs.iter().filter(|a| a.oid == attr.oid).count() != 1 {
                return Err(format!("attribute {} is repeated", attr.oid));
            }
        }
        let Some(value) = attr.values.iter().next() else {
            continue;
        };
        match attr.oid {
            o if o == oid::ATTR_CONTENT_TYPE => {
                out.content_type = value.decode_as::<ObjectIdentifier>().ok()
            }
            o if o == oid::ATTR_MESSAGE_DIGEST => {
                out.message_digest = value
                    .decode_as::<OctetString>()
                    .ok()
                    .map(|v| v.as_bytes().to_vec())
            }
            o if o == oid::ATTR_SIGNING_TIME => {
                out.signing_time = value
                    .decode_as::<x509_cert::time::Time>()
                    .ok()
                    .map(|t| t.to_system_time())
            }
            o if o == oid::ATTR_SMIME_CAPABILITIES => out.capabilities = value.to_der().ok(),
            o if o == oid::ATTR_ENCRYPTION_KEY_PREFERENCE => {
                out.encryption_key_preference = value.to_der().ok()
            }
            o if o == oid::ATTR_SIGNING_CERTIFICATE_V2 || o == oid::ATTR_SIGNING_CERTIFICATE => {
                out.signing_certificate_hashes
                    .extend(signing_certificate_hashes(o, value));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The signedAttrs element of a DER SignerInfo, exactly as received, re-tagged as
/// the SET OF the signature covers (RFC 5652 §5.4), never a re-encoding: `der` sorts
/// SET OF on decode.
pub(crate) fn raw_signed_attrs(signer_info: &[u8]) -> Result<Option<Vec<u8>>, CmsError> {
    for el in ber::elements(ber::content_of(signer_info)?)? {
        if el.first() == Some(&0xa0) {
            let mut v = el.to_vec();
            if let Some(first) = v.first_mut() {
                *first = 0x31;
            }
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// Whether `content` is itself a DER SignedAttributes. A signature without
/// signedAttrs over such content is a signature over attributes someone can graft
/// onto another SignerInfo (or the reverse): the CMS EUF-CMA problem of
/// draft-ietf-lamps-cms-euf-cma-signeddata, REQUIREMENTS.md §2 row 17.
pub(crate) fn mimics_signed_attributes(content: &[u8]) -> bool {
    content.first() == Some(&0x31) && SignedAttributes::from_der(content).is_ok()
}

/// The certificate hashes named by signingCertificate (ESSCertID, SHA-1) or
/// signingCertificateV2 (ESSCertIDv2, SHA-256 by default) (RFC 5035 §5.4).
fn signing_certificate_hashes(
    attr: ObjectIdentifier,
    value: &der::Any,
) -> Vec<(ObjectIdentifier, Vec<u8>)> {
    let Ok(der) = value.to_der() else {
        return Vec::new();
    };
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    let Ok(outer) = ber::content_of(&der) else {
        return Vec::new();
    };
    let Some(certs) = ber::elements(outer).ok().and_then(|v| v.into_iter().next()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in ber::elements(ber::content_of(certs).unwrap_or_default()).unwrap_or_default() {
        let fields = ber::elements(ber::content_of(id).unwrap_or_default()).unwrap_or_default();
        let (alg, hash_el) = if attr == oid::ATTR_SIGNING_CERTIFICATE {
            (oid::SHA1, fields.first().copied())
        } else {
            match fields.first() {
                Some(f) if f.first() == Some(&0x30) => (
                    AlgorithmIdentifierOwned::from_der(f)
                        .map(|a| a.oid)
                        .unwrap_or(oid::SHA256),
                    fields.get(1).copied(),
                ),
                _ => (oid::SHA256, fields.first().copied()),
            }
        };
        if let Some(h) = hash_el.and_then(|h| OctetString::from_der(h).ok()) {
            out.push((alg, h.as_bytes().to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_shaped_content_is_recognised() {
        // SET { SEQUENCE { contentType, SET { id-data } } }
        let attrs = hex_literal("311a301806092a864886f70d010903310b06092a864886f70d010701");
        assert!(mimics_signed_attributes(&attrs));
        assert!(!mimics_signed_attributes(b"Hello, world"));
        // A SET followed by more bytes is not one DER SignedAttributes.
        let mut longer = attrs.clone();
        longer.push(0);
        assert!(!mimics_signed_attributes(&longer));
    }

    fn hex_literal(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect()
    }
}
