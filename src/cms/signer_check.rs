//! One SignerInfo checked against the content (RFC 5652 §5.4–5.6, RFC 8551 §2.5):
//! its signed attributes, the digest, the algorithms the policy allows, the signer's
//! certificate and the signature. The result is [`SignerEvidence`]; the certificate is
//! not judged here.

use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::asn1::ObjectIdentifier;
use std::time::SystemTime;

use der::Decode;
use spki::AlgorithmIdentifierOwned;

use crate::cert::Certificate;
use crate::cms::digest::Hasher;
use crate::cms::signed_attrs::{self, SignedAttrs};
use crate::oid;
use crate::trust::{Policy, TrustError, TrustStore};

/// Why a signature is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidReason {
    /// No signedAttrs: S/MIME requires them (RFC 8551 §2.5, the EUF-CMA problem), and
    /// so does CMS for any eContentType but id-data (RFC 5652 §5.3).
    MissingSignedAttributes,
    /// No signedAttrs, and the content is itself a DER SignedAttributes: a signature
    /// over it could be grafted onto attributes (REQUIREMENTS.md §2 row 17).
    ContentMimicsAttributes,
    /// contentType or messageDigest missing, repeated or multi-valued, or another
    /// single-instance attribute repeated.
    BadAttributes(String),
    /// The contentType attribute differs from eContentType.
    ContentTypeMismatch,
    /// The messageDigest differs from the digest of the content: it was altered.
    DigestMismatch,
    /// The digest algorithm is unknown, refused by policy, or does not fit the
    /// signature algorithm.
    Algorithm(String),
    /// No certificate in the message or the store matches the signer identifier.
    SignerCertificateNotFound,
    /// The signature does not verify with the signer's key.
    BadSignature,
    /// The certificate chain fails for a reason the user cannot override.
    Chain(TrustError),
    /// The eContent is present in multipart/signed or absent in opaque signed-data.
    ContentPlacement(&'static str),
}

impl std::fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvalidReason::MissingSignedAttributes => {
                f.write_str("the signature has no signed attributes")
            }
            InvalidReason::ContentMimicsAttributes => {
                f.write_str("the signed content is shaped like signed attributes")
            }
            InvalidReason::BadAttributes(s) => write!(f, "bad signed attributes: {s}"),
            InvalidReason::ContentTypeMismatch => {
                f.write_str("the signed content type does not match the content")
            }
            InvalidReason::DigestMismatch => {
                f.write_str("the content was changed after it was signed")
            }
            InvalidReason::Algorithm(s) => write!(f, "algorithm not acceptable: {s}"),
            InvalidReason::SignerCertificateNotFound => {
                f.write_str("the signer's certificate is missing")
            }
            InvalidReason::BadSignature => f.write_str("the signature does not verify"),
            // The trust error names certificates (attacker-chosen text): it stays in
            // the variant for the app to show deliberately, not in this sentence.
            InvalidReason::Chain(_) => f.write_str("the signer's certificate is not acceptable"),
            InvalidReason::ContentPlacement(s) => f.write_str(s),
        }
    }
}

/// What cms found for one SignerInfo: whether digest and signature verified with the
/// signer's certificate (or why not), that certificate, and the signed attributes.
/// This is evidence, not a verdict: the certificate is not judged here. The status a
/// mail app shows is built from it by [`reader::judge_signers`](crate::reader::judge_signers).
#[derive(Debug, Clone)]
pub struct SignerEvidence {
    pub(crate) outcome: Result<(), InvalidReason>,
    pub(crate) certificate: Option<Certificate>,
    pub(crate) signing_time: Option<SystemTime>,
    pub(crate) capabilities: Option<Vec<u8>>,
    pub(crate) encryption_key_preference: Option<Vec<u8>>,
    pub(crate) digest_algorithm: ObjectIdentifier,
}

impl SignerEvidence {
    /// `Ok` when the signed attributes hold, the digest matches and the signature
    /// verifies with [`certificate`](SignerEvidence::certificate); otherwise why not.
    pub fn outcome(&self) -> Result<(), &InvalidReason> {
        self.outcome.as_ref().map(|_| ())
    }
    /// The signer's certificate, when it was found.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }
    /// The signingTime attribute: for display only, it is the signer's claim.
    pub fn signing_time(&self) -> Option<SystemTime> {
        self.signing_time
    }
    /// The SMIMECapabilities attribute value (DER), as announced.
    pub fn capabilities_der(&self) -> Option<&[u8]> {
        self.capabilities.as_deref()
    }
    /// The SMIMEEncryptionKeyPreference attribute value (DER), as announced.
    pub fn encryption_key_preference_der(&self) -> Option<&[u8]> {
        self.encryption_key_preference.as_deref()
    }
    /// The digest algorithm.
    pub fn digest_algorithm(&self) -> ObjectIdentifier {
        self.digest_algorithm
    }
}

/// What the SignerInfos of one SignedData are checked against.
pub(super) struct SignedContent<'a> {
    /// The eContentType (RFC 5652 §5.2).
    pub(super) econtent_type: ObjectIdentifier,
    /// The certificates the SignedData carried.
    pub(super) certificates: &'a [Certificate],
    /// The content itself, for signatures without signedAttrs.
    pub(super) kept: &'a KeptContent,
    /// The digests of the content, per digest algorithm.
    pub(super) digests: &'a [(ObjectIdentifier, Vec<u8>)],
}

/// A copy of the content for signatures made over it directly (generic CMS only).
pub(super) enum KeptContent {
    /// Not needed: the policy requires signedAttrs.
    NotKept,
    /// The content so far.
    Kept(Vec<u8>),
    /// Over [`MAX_KEPT_CONTENT`]: dropped.
    TooLarge,
}

/// Largest content checked by a signature without signedAttrs: such a signature
/// needs the whole content in memory (Ed25519 signs it in one pass, RFC 8419 §3.1).
const MAX_KEPT_CONTENT: usize = 16 << 20;

impl KeptContent {
    pub(super) fn new(keep: bool) -> Self {
        if keep {
            KeptContent::Kept(Vec::new())
        } else {
            KeptContent::NotKept
        }
    }

    pub(super) fn extend(&mut self, chunk: &[u8]) {
        if let KeptContent::Kept(v) = self {
            if v.len() + chunk.len() > MAX_KEPT_CONTENT {
                *self = KeptContent::TooLarge;
            } else {
                v.extend_from_slice(chunk);
            }
        }
    }
}

/// What a SignerInfo without signedAttrs signed: the content itself (RFC 5652 §5.4),
/// when the policy accepts that. S/MIME does not (RFC 8551 §2.5, the EUF-CMA problem);
/// generic CMS does for id-data only (§5.3: signedAttrs MUST be present for any other
/// eContentType), and never for content shaped like signed attributes (REQUIREMENTS.md
/// §2 row 17).
fn content_signed_directly<'a>(
    signed: &SignedContent<'a>,
    policy: &Policy,
) -> Result<&'a [u8], InvalidReason> {
    if policy.require_signed_attributes || signed.econtent_type != oid::DATA {
        return Err(InvalidReason::MissingSignedAttributes);
    }
    match signed.kept {
        KeptContent::Kept(c) if signed_attrs::mimics_signed_attributes(c) => {
            Err(InvalidReason::ContentMimicsAttributes)
        }
        KeptContent::Kept(c) => Ok(c),
        KeptContent::NotKept | KeptContent::TooLarge => Err(InvalidReason::BadAttributes(format!(
            "no signed attributes, and the content is over {} MiB, too large to check directly",
            MAX_KEPT_CONTENT >> 20
        ))),
    }
}

fn invalid(reason: InvalidReason, digest: ObjectIdentifier) -> SignerEvidence {
    SignerEvidence {
        outcome: Err(reason),
        certificate: None,
        signing_time: None,
        capabilities: None,
        encryption_key_preference: None,
        digest_algorithm: digest,
    }
}

pub(super) fn verify_signer(
    raw: &[u8],
    signed: &SignedContent<'_>,
    trust: &TrustStore,
    policy: &Policy,
) -> SignerEvidence {
    let unknown = oid::SHA256;
    let si = match SignerInfo::from_der(raw) {
        Ok(si) => si,
        Err(e) => {
            return invalid(
                InvalidReason::BadAttributes(format!("SignerInfo does not parse: {e}")),
                unknown,
            );
        }
    };
    let digest_oid = si.digest_alg.oid;
    // What the signature covers: the signedAttrs, or (generic CMS only) the content.
    let attrs_der;
    let (signed_bytes, attrs): (&[u8], Option<SignedAttrs>) = match (
        signed_attrs::raw_signed_attrs(raw),
        si.signed_attrs.as_ref(),
    ) {
        (Ok(Some(der)), Some(list)) => match signed_attrs::read(list) {
            Ok(a) => {
                attrs_der = der;
                (&attrs_der, Some(a))
            }
            Err(why) => return invalid(InvalidReason::BadAttributes(why), digest_oid),
        },
        _ => match content_signed_directly(signed, policy) {
            Ok(c) => (c, None),
            Err(reason) => return invalid(reason, digest_oid),
        },
    };
    let mut report = SignerEvidence {
        outcome: Ok(()),
        certificate: None,
        signing_time: attrs.as_ref().and_then(|a| a.signing_time),
        capabilities: attrs.as_ref().and_then(|a| a.capabilities.clone()),
        encryption_key_preference: attrs
            .as_ref()
            .and_then(|a| a.encryption_key_preference.clone()),
        digest_algorithm: digest_oid,
    };
    let fail = |mut report: SignerEvidence, reason: InvalidReason| {
        report.outcome = Err(reason);
        report
    };
    // Digest algorithm allowed by the policy (RFC 8551 §2.1; SHA-1 historic only).
    let weak = digest_oid == oid::SHA1;
    if weak && !policy.historic_algorithms {
        return fail(
            report,
            InvalidReason::Algorithm("SHA-1 is not accepted for new signatures".into()),
        );
    }
    let Some((_, computed)) = signed.digests.iter().find(|(o, _)| *o == digest_oid) else {
        return fail(
            report,
            InvalidReason::Algorithm(format!(
                "digest {digest_oid} is not supported or not listed"
            )),
        );
    };
    if let Some(attrs) = &attrs {
        let Some(ct) = attrs.content_type else {
            return fail(
                report,
                InvalidReason::BadAttributes("contentType is missing".into()),
            );
        };
        if ct != signed.econtent_type {
            return fail(report, InvalidReason::ContentTypeMismatch);
        }
        let Some(md) = &attrs.message_digest else {
            return fail(
                report,
                InvalidReason::BadAttributes("messageDigest is missing".into()),
            );
        };
        if computed.as_slice() != md.as_slice() {
            return fail(report, InvalidReason::DigestMismatch);
        }
    }
    let sig_alg = match signature_algorithm_for(&si.signature_algorithm, digest_oid) {
        Ok(a) => a,
        Err(why) => return fail(report, InvalidReason::Algorithm(why)),
    };

    // Candidate signer certificates: from the message, then the store's intermediates
    // and anchors (a self-signed signer the user trusts need not be in the message).
    let mut candidates: Vec<Certificate> = signed
        .certificates
        .iter()
        .chain(trust.intermediates().iter())
        .chain(trust.anchors().iter())
        .filter(|c| names_signer(&si.sid, c))
        .cloned()
        .collect();
    let signing_cert_hashes = attrs
        .as_ref()
        .map(|a| a.signing_certificate_hashes.as_slice())
        .unwrap_or_default();
    if !signing_cert_hashes.is_empty() {
        // RFC 8550 §4.2: signingCertificate(V2) SHALL identify the signer's certificate.
        candidates.retain(|c| {
            signing_cert_hashes
                .iter()
                .any(|(alg, h)| cert_hash(c, *alg).as_deref() == Some(h))
        });
    }
    if candidates.is_empty() {
        return fail(report, InvalidReason::SignerCertificateNotFound);
    }
    let mut signer = None;
    // Why the last candidate failed: an algorithm or key-size refusal is reported as
    // such, not as a wrong signature.
    let mut refusal: Option<String> = None;
    for cert in candidates {
        let spki = cert
            .x509()
            .tbs_certificate()
            .subject_public_key_info()
            .clone();
        let verify = |inherited: Option<&der::Any>| {
            crate::trust::verify_signature::verify(
                &spki,
                inherited,
                &sig_alg,
                signed_bytes,
                si.signature.as_bytes(),
                policy.historic_algorithms,
                policy.rsa_floor(),
            )
        };
        let mut ok = verify(None);
        if matches!(
            ok,
            Err(crate::trust::verify_signature::SigError::NeedsDsaParams)
        ) {
            // RFC 3279 §2.3.2: a DSA key without parameters inherits its issuer's,
            // which may inherit in turn: walk up at most a few issuers.
            let pool: Vec<&Certificate> = signed
                .certificates
                .iter()
                .chain(trust.intermediates())
                .chain(trust.anchors())
                .collect();
            let mut child = cert.clone();
            for _ in 0..8 {
                let Some(issuer) = pool
                    .iter()
                    .find(|i| i.subject_name() == child.issuer_name() && **i != &child)
                else {
                    break;
                };
                let params = issuer
                    .x509()
                    .tbs_certificate()
                    .subject_public_key_info()
                    .algorithm
                    .parameters
                    .clone();
                if let Some(p) = params {
                    ok = verify(Some(&p));
                    break;
                }
                child = (*issuer).clone();
            }
        }
        use crate::trust::verify_signature::SigError;
        match ok {
            Ok(_) => {
                signer = Some(cert);
                break;
            }
            Err(SigError::Weak(name)) => refusal = Some(format!("{name} is not accepted")),
            Err(SigError::SmallKey(bits)) => {
                refusal = Some(format!(
                    "a {bits}-bit RSA key is below the accepted minimum"
                ))
            }
            Err(SigError::TooLarge) => {
                refusal = Some("the RSA key or signature is too large".into())
            }
            Err(SigError::Unsupported(o)) => {
                refusal = Some(format!("signature algorithm {o} is not supported"))
            }
            Err(_) => {}
        }
    }
    let Some(cert) = signer else {
        return fail(
            report,
            refusal.map_or(InvalidReason::BadSignature, InvalidReason::Algorithm),
        );
    };
    // The certificate is evidence; judging it is the trust layer's job (reader).
    report.certificate = Some(cert);
    report
}

/// The signatureAlgorithm to verify with: SignerInfos often say rsaEncryption or
/// id-ecPublicKey and leave the hash to digestAlgorithm (RFC 3370 §3.2, RFC 5753
/// §2.1.1); map those to the combined algorithm and check the two agree.
fn signature_algorithm_for(
    sig: &AlgorithmIdentifierOwned,
    digest: ObjectIdentifier,
) -> Result<AlgorithmIdentifierOwned, String> {
    let combined = |o: ObjectIdentifier, params: Option<der::Any>| AlgorithmIdentifierOwned {
        oid: o,
        parameters: params,
    };
    let rsa = [
        (oid::SHA1, oid::SHA1_WITH_RSA),
        (oid::SHA224, oid::SHA224_WITH_RSA),
        (oid::SHA256, oid::SHA256_WITH_RSA),
        (oid::SHA384, oid::SHA384_WITH_RSA),
        (oid::SHA512, oid::SHA512_WITH_RSA),
    ];
    let ecdsa = [
        (oid::SHA1, oid::ECDSA_WITH_SHA1),
        (oid::SHA256, oid::ECDSA_WITH_SHA256),
        (oid::SHA384, oid::ECDSA_WITH_SHA384),
        (oid::SHA512, oid::ECDSA_WITH_SHA512),
    ];
    let lookup = |table: &[(ObjectIdentifier, ObjectIdentifier)]| {
        table
            .iter()
            .find(|(d, _)| *d == digest)
            .map(|(_, s)| *s)
            .ok_or_else(|| format!("digest {digest} with {}", sig.oid))
    };
    if sig.oid == oid::RSA_ENCRYPTION {
        return Ok(combined(lookup(&rsa)?, Some(der::asn1::Null.into())));
    }
    if sig.oid == oid::EC_PUBLIC_KEY {
        return Ok(combined(lookup(&ecdsa)?, None));
    }
    if let Some((d, _)) = rsa.iter().chain(ecdsa.iter()).find(|(_, s)| *s == sig.oid) {
        if *d != digest {
            return Err(format!(
                "signature algorithm {} does not use digest {digest}",
                sig.oid
            ));
        }
        return Ok(sig.clone());
    }
    if sig.oid == oid::ED25519 {
        // RFC 8419 §3.1: with signed attributes, Ed25519 uses SHA-512 for the digest.
        if digest != oid::SHA512 {
            return Err("Ed25519 signatures require SHA-512 as the digest (RFC 8419 §3.1)".into());
        }
        return Ok(sig.clone());
    }
    // RSASSA-PSS: the hash is in the parameters; verify_signature checks them.
    Ok(sig.clone())
}

fn names_signer(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            cert.is_issuer_and_serial(&ias.issuer, ias.serial_number.as_bytes())
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert.is_key_identifier(ski.0.as_bytes()),
    }
}

fn cert_hash(cert: &Certificate, alg: ObjectIdentifier) -> Option<Vec<u8>> {
    let mut h = Hasher::for_oid(alg)?;
    h.update(cert.der());
    Some(h.finish())
}
