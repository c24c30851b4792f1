//! Building SignedData (RFC 5652 §5) for S/MIME (RFC 8551 §2.5, §3.5):
//! detached (the content travels beside it, in multipart/signed), opaque (the
//! content inside, application/pkcs7-mime; smime-type=signed-data) and certs-only.
//!
//! The content is hashed in one pass. signedAttrs are always present (RFC 8551 §2.5
//! and the EUF-CMA note in REQUIREMENTS.md §1 #34): contentType, messageDigest,
//! signingTime, SMIMECapabilities and SMIMEEncryptionKeyPreference. The signature
//! covers their DER with the SET OF tag (RFC 5652 §5.4).

use std::io::{Read, Write};
use std::time::SystemTime;

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::CmsVersion;
use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, UtcTime};
use der::{Decode, Encode};
use x509_cert::attr::Attributes;

use crate::cert::{Certificate, Identity};
use crate::cms::ber::{tlv, write_length};
use crate::cms::digest::DigestAlgorithm;
use crate::cms::signer::{self, RsaSignaturePadding};
use crate::error::{CmsError, Error};
use crate::oid;
use crate::trust::{self, Purpose};

const CHUNK: usize = 64 * 1024;

/// Which SignerIdentifier names the signer (RFC 5652 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SignerIdKind {
    /// issuerAndSerialNumber (SignerInfo version 1): every client reads it.
    #[default]
    IssuerAndSerial,
    /// subjectKeyIdentifier (SignerInfo version 3).
    SubjectKeyId,
}

/// How to sign. The default: SHA-256, RSA PKCS#1 v1.5 for RSA keys,
/// issuerAndSerialNumber, the signer's chain included, the current time as
/// signingTime, and our capabilities and key preference announced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOptions {
    /// The message digest.
    pub digest: DigestAlgorithm,
    /// The RSA signature scheme (ignored for EC keys).
    pub rsa_padding: RsaSignaturePadding,
    /// How the signer is identified.
    pub signer_id: SignerIdKind,
    /// Include the identity's chain (not only its certificate).
    pub include_chain: bool,
    /// The signingTime attribute; `None` means the time of signing.
    pub signing_time: Option<SystemTime>,
    /// Announce SMIMECapabilities (RFC 8551 §2.5.2).
    pub capabilities: bool,
    /// Announce SMIMEEncryptionKeyPreference naming the signer's certificate when it
    /// can be encrypted to (RFC 8551 §2.5.3).
    pub encryption_key_preference: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            digest: DigestAlgorithm::Sha256,
            rsa_padding: RsaSignaturePadding::Pkcs1v15,
            signer_id: SignerIdKind::IssuerAndSerial,
            include_chain: true,
            signing_time: None,
            capabilities: true,
            encryption_key_preference: true,
        }
    }
}

impl SignOptions {
    /// Sets the digest.
    pub fn digest(mut self, digest: DigestAlgorithm) -> Self {
        self.digest = digest;
        self
    }

    /// Sets the RSA signature scheme.
    pub fn rsa_padding(mut self, padding: RsaSignaturePadding) -> Self {
        self.rsa_padding = padding;
        self
    }

    /// Sets the signer identifier form.
    pub fn signer_id(mut self, kind: SignerIdKind) -> Self {
        self.signer_id = kind;
        self
    }

    /// Sets a fixed signingTime (tests, reproducible output).
    pub fn signing_time(mut self, time: SystemTime) -> Self {
        self.signing_time = Some(time);
        self
    }
}

/// Signs content for one or more identities.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::cms::{SignedDataBuilder, SignOptions};
/// let alice = sample::alice()?;
/// let signed = SignedDataBuilder::new(&alice, SignOptions::default()).sign_opaque_bytes(b"hello")?;
/// assert_eq!(signed[0], 0x30);
/// # Ok::<(), smime::Error>(())
/// ```
pub struct SignedDataBuilder<'a> {
    signers: Vec<&'a Identity>,
    options: SignOptions,
    extra_certs: Vec<Certificate>,
}

impl<'a> SignedDataBuilder<'a> {
    /// A builder for one signer.
    ///
    /// An Ed25519 signer makes the digest SHA-512 (RFC 8419 §3.1 requires it).
    pub fn new(identity: &'a Identity, mut options: SignOptions) -> Self {
        if matches!(identity.private_key(), crate::cert::PrivateKey::Ed25519(_)) {
            options.digest = DigestAlgorithm::Sha512;
        }
        SignedDataBuilder {
            signers: vec![identity],
            options,
            extra_certs: Vec::new(),
        }
    }

    /// Adds another signer (same digest and options; SHA-512 if it is Ed25519).
    pub fn add_signer(mut self, identity: &'a Identity) -> Self {
        if matches!(identity.private_key(), crate::cert::PrivateKey::Ed25519(_)) {
            self.options.digest = DigestAlgorithm::Sha512;
        }
        self.signers.push(identity);
        self
    }

    /// The digest this builder signs with (SHA-512 when a signer is Ed25519).
    pub fn digest(&self) -> DigestAlgorithm {
        self.options.digest
    }

    /// Adds a certificate to carry along (e.g. a separate encryption certificate).
    pub fn add_certificate(mut self, cert: Certificate) -> Self {
        self.extra_certs.push(cert);
        self
    }

    /// A detached SignedData (no eContent) over a content whose digest (with
    /// `options.digest`) the caller computed.
    pub fn sign_detached_digest(&self, content_digest: &[u8]) -> Result<Vec<u8>, Error> {
        let body = self.body(content_digest, None)?;
        Ok(wrap_content_info(&body))
    }

    /// The length of [`sign_detached_digest`](Self::sign_detached_digest)'s output,
    /// known before the content when every signer's key makes signatures of one length
    /// (RSA: the modulus; Ed25519: 64 bytes) and the signing time is fixed in the
    /// options; `None` otherwise (an ECDSA signature's DER varies by a byte or two).
    /// A message can then be encrypted as DER in the same pass that hashes it.
    pub(crate) fn detached_len(&self) -> Result<Option<usize>, Error> {
        if self.options.signing_time.is_none() {
            return Ok(None);
        }
        let mut placeholders = Vec::with_capacity(self.signers.len());
        for id in &self.signers {
            match signer::fixed_signature_len(id.private_key()) {
                Some(len) => placeholders.push(vec![0u8; len]),
                None => return Ok(None),
            }
        }
        let digest = vec![0u8; self.options.digest.digest(b"").len()];
        let mut infos = Vec::with_capacity(self.signers.len());
        for (id, placeholder) in self.signers.iter().zip(placeholders) {
            infos.push(self.signer_info_with(id, &digest, Some(placeholder))?);
        }
        let body = self.body_with(tlv(0x31, &infos.concat()), None)?;
        Ok(Some(wrap_content_info(&body).len()))
    }

    /// A detached SignedData over `content`, read once.
    pub fn sign_detached<R: Read>(&self, content: R) -> Result<Vec<u8>, Error> {
        let mut hasher = self.options.digest.hasher();
        std::io::copy(&mut { content }, &mut hasher)?;
        self.sign_detached_digest(&hasher.finish())
    }

    /// An opaque SignedData (content inside) as DER, for content held in memory.
    pub fn sign_opaque_bytes(&self, content: &[u8]) -> Result<Vec<u8>, Error> {
        let digest = self.options.digest.digest(content);
        let body = self.body(&digest, Some(content))?;
        Ok(wrap_content_info(&body))
    }

    /// An opaque SignedData streamed in one pass: the content is hashed while it is
    /// copied into an indefinite-length eContent, and the signerInfos follow it
    /// (BER, RFC 5652 §5.1 permits it; OpenSSL, gpgsm and Thunderbird read it).
    pub fn sign_opaque_stream<R: Read, W: Write>(
        &self,
        mut content: R,
        mut out: W,
    ) -> Result<W, Error> {
        let version = self.version();
        let mut head = vec![0x30, 0x80];
        head.extend_from_slice(&oid_der(oid::SIGNED_DATA)?);
        head.extend_from_slice(&[0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, version]);
        head.extend_from_slice(&self.digest_algorithms()?);
        // encapContentInfo { id-data, [0] EXPLICIT OCTET STRING (constructed) }
        head.extend_from_slice(&[0x30, 0x80]);
        head.extend_from_slice(&oid_der(oid::DATA)?);
        head.extend_from_slice(&[0xa0, 0x80, 0x24, 0x80]);
        out.write_all(&head)?;
        let mut hasher = self.options.digest.hasher();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match content.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            let mut h = vec![0x04];
            write_length(&mut h, n as u64);
            out.write_all(&h)?;
            out.write_all(chunk)?;
        }
        // Close the OCTET STRING, [0] and encapContentInfo.
        out.write_all(&[0, 0, 0, 0, 0, 0])?;
        let digest = hasher.finish();
        let mut tail = self.certificates()?;
        tail.extend_from_slice(&self.signer_infos(&digest)?);
        // Close SignedData, [0] and ContentInfo.
        tail.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        out.write_all(&tail)?;
        out.flush()?;
        Ok(out)
    }

    /// SignedData version (RFC 5652 §5.1): 3 with any SKI signer, else 1.
    fn version(&self) -> u8 {
        if self.options.signer_id == SignerIdKind::SubjectKeyId {
            3
        } else {
            1
        }
    }

    fn digest_algorithms(&self) -> Result<Vec<u8>, Error> {
        // RFC 5754 §2: SHA-2 AlgorithmIdentifiers omit parameters.
        Ok(tlv(0x31, &tlv(0x30, &oid_der(self.options.digest.oid())?)))
    }

    /// certificates [0] IMPLICIT CertificateSet, DER-sorted, without duplicates.
    fn certificates(&self) -> Result<Vec<u8>, Error> {
        let mut ders: Vec<Vec<u8>> = Vec::new();
        for id in &self.signers {
            ders.push(id.certificate().der().to_vec());
            if self.options.include_chain {
                ders.extend(id.chain().iter().map(|c| c.der().to_vec()));
            }
        }
        ders.extend(self.extra_certs.iter().map(|c| c.der().to_vec()));
        ders.sort();
        ders.dedup();
        Ok(tlv(0xa0, &ders.concat()))
    }

    fn signer_infos(&self, content_digest: &[u8]) -> Result<Vec<u8>, Error> {
        let mut infos = Vec::with_capacity(self.signers.len());
        for id in &self.signers {
            infos.push(self.signer_info_with(id, content_digest, None)?);
        }
        infos.sort();
        Ok(tlv(0x31, &infos.concat()))
    }

    /// The SignedData SEQUENCE (DER) with or without eContent.
    fn body(&self, content_digest: &[u8], content: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        self.body_with(self.signer_infos(content_digest)?, content)
    }

    /// The SignedData SEQUENCE around the DER `signer_infos`.
    fn body_with(&self, signer_infos: Vec<u8>, content: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        let mut eci = oid_der(oid::DATA)?;
        if let Some(c) = content {
            eci.extend_from_slice(&tlv(0xa0, &tlv(0x04, c)));
        }
        let mut sd = vec![0x02, 0x01, self.version()];
        sd.extend_from_slice(&self.digest_algorithms()?);
        sd.extend_from_slice(&tlv(0x30, &eci));
        sd.extend_from_slice(&self.certificates()?);
        sd.extend_from_slice(&signer_infos);
        Ok(tlv(0x30, &sd))
    }

    /// One SignerInfo; with a `placeholder`, that stands for the signature (to learn the
    /// DER's length) and nothing is signed.
    fn signer_info_with(
        &self,
        id: &Identity,
        content_digest: &[u8],
        placeholder: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let cert = id.certificate();
        let digest = self.options.digest;
        let attrs_der = self.signed_attributes(cert, content_digest)?;
        // RFC 5652 §5.4: the signature covers the DER of the attributes with the
        // EXPLICIT SET OF tag, not the [0] IMPLICIT one used in SignerInfo.
        let signature = match placeholder {
            Some(placeholder) => placeholder,
            None => signer::sign_attributes(
                id.private_key(),
                digest,
                self.options.rsa_padding,
                &attrs_der,
            )?,
        };
        let signed_attrs =
            Attributes::from_der(&attrs_der).map_err(|e| CmsError::malformed("signedAttrs", e))?;
        let (version, sid) = match self.options.signer_id {
            SignerIdKind::IssuerAndSerial => (
                CmsVersion::V1,
                SignerIdentifier::IssuerAndSerialNumber(issuer_and_serial(cert)),
            ),
            SignerIdKind::SubjectKeyId => {
                let ski = cert
                    .subject_key_identifier()
                    .ok_or(crate::error::CertificateError::NoSubjectKeyIdentifier)?;
                (
                    CmsVersion::V3,
                    SignerIdentifier::SubjectKeyIdentifier(
                        x509_cert::ext::pkix::SubjectKeyIdentifier(
                            OctetString::new(ski).map_err(|e| CmsError::malformed("SKI", e))?,
                        ),
                    ),
                )
            }
        };
        let info = SignerInfo {
            version,
            sid,
            digest_alg: spki::AlgorithmIdentifierOwned {
                oid: digest.oid(),
                parameters: None,
            },
            signed_attrs: Some(signed_attrs),
            signature_algorithm: signer::signature_algorithm(
                id.private_key(),
                digest,
                self.options.rsa_padding,
            )?,
            signature: OctetString::new(signature)
                .map_err(|e| CmsError::malformed("signature", e))?,
            unsigned_attrs: None,
        };
        Ok(info
            .to_der()
            .map_err(|e| CmsError::malformed("SignerInfo", e))?)
    }

    /// The DER `SET OF Attribute` (tag 0x31), sorted (X.690 §11.6).
    fn signed_attributes(
        &self,
        cert: &Certificate,
        content_digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut attrs: Vec<Vec<u8>> = Vec::new();
        // RFC 5652 §11.1 contentType, §11.2 messageDigest.
        attrs.push(attribute(oid::ATTR_CONTENT_TYPE, &oid_der(oid::DATA)?)?);
        attrs.push(attribute(
            oid::ATTR_MESSAGE_DIGEST,
            &tlv(0x04, content_digest),
        )?);
        // RFC 5652 §11.3: UTCTime through 2049, GeneralizedTime from 2050.
        let time = self.options.signing_time.unwrap_or_else(SystemTime::now);
        attrs.push(attribute(oid::ATTR_SIGNING_TIME, &signing_time_der(time)?)?);
        if self.options.capabilities {
            // The content-encryption algorithms we announce, strongest first (RFC 8551
            // §2.5.2: "in order of preference"; AES parameters are absent).
            let caps: Vec<u8> = super::cipher_choice::OWN_CAPABILITIES
                .iter()
                .map(|c| oid_der(c.oid()).map(|d| tlv(0x30, &d)))
                .collect::<Result<Vec<_>, _>>()?
                .concat();
            attrs.push(attribute(oid::ATTR_SMIME_CAPABILITIES, &tlv(0x30, &caps))?);
        }
        // RFC 8551 §2.5.3: name the certificate to encrypt to only when the trust
        // layer's rule lets it receive encrypted mail.
        if self.options.encryption_key_preference
            && trust::problem_for(cert, Purpose::Encrypt, oid::KP_EMAIL_PROTECTION).is_none()
        {
            // SMIMEEncryptionKeyPreference ::= CHOICE { issuerAndSerialNumber [0] IMPLICIT ... }
            let ias = issuer_and_serial(cert)
                .to_der()
                .map_err(|e| CmsError::malformed("IssuerAndSerialNumber", e))?;
            let content = crate::cms::ber::content_of(&ias)?;
            attrs.push(attribute(
                oid::ATTR_ENCRYPTION_KEY_PREFERENCE,
                &tlv(0xa0, content),
            )?);
        }
        attrs.sort();
        Ok(tlv(0x31, &attrs.concat()))
    }
}

fn issuer_and_serial(cert: &Certificate) -> IssuerAndSerialNumber {
    let tbs = cert.x509().tbs_certificate();
    IssuerAndSerialNumber {
        issuer: tbs.issuer().clone(),
        serial_number: tbs.serial_number().clone(),
    }
}

fn oid_der(o: ObjectIdentifier) -> Result<Vec<u8>, CmsError> {
    o.to_der().map_err(|e| CmsError::malformed("OID", e))
}

/// `Attribute ::= SEQUENCE { attrType OID, attrValues SET OF AttributeValue }` with one value.
fn attribute(o: ObjectIdentifier, value_der: &[u8]) -> Result<Vec<u8>, CmsError> {
    let mut content = oid_der(o)?;
    content.extend_from_slice(&tlv(0x31, value_der));
    Ok(tlv(0x30, &content))
}

fn signing_time_der(time: SystemTime) -> Result<Vec<u8>, CmsError> {
    let bad = |e: der::Error| CmsError::malformed("signingTime", e);
    let g = GeneralizedTime::from_system_time(time).map_err(bad)?;
    if g.to_date_time().year() < 2050 {
        UtcTime::from_system_time(time)
            .map_err(bad)?
            .to_der()
            .map_err(bad)
    } else {
        g.to_der().map_err(bad)
    }
}

fn wrap_content_info(signed_data: &[u8]) -> Vec<u8> {
    let mut ci = oid::SIGNED_DATA.to_der().unwrap_or_default();
    ci.extend_from_slice(&tlv(0xa0, signed_data));
    tlv(0x30, &ci)
}

/// A certs-only message body (RFC 8551 §3.6.2.2): a degenerate SignedData with no
/// signers that carries `certs` (a chain to import).
pub fn certs_only(certs: &[Certificate]) -> Result<Vec<u8>, Error> {
    if certs.is_empty() {
        return Err(crate::error::CertificateError::NoCertificate.into());
    }
    let mut ders: Vec<Vec<u8>> = certs.iter().map(|c| c.der().to_vec()).collect();
    ders.sort();
    ders.dedup();
    let mut sd = vec![0x02, 0x01, 0x01];
    sd.extend_from_slice(&[0x31, 0x00]);
    sd.extend_from_slice(&tlv(0x30, &oid_der(oid::DATA)?));
    sd.extend_from_slice(&tlv(0xa0, &ders.concat()));
    sd.extend_from_slice(&[0x31, 0x00]);
    Ok(wrap_content_info(&tlv(0x30, &sd)))
}
