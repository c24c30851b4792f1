//! Verifying SignedData (RFC 5652 §5.6) the way S/MIME needs it (RFC 8551 §2.5,
//! RFC 8550 §4, REQUIREMENTS.md §1 F and §2 rows 7–19): one report per SignerInfo.
//!
//! Rules, each with the attack it answers:
//! * signedAttrs are required (EUF-CMA, row 17), with exactly one contentType equal to
//!   eContentType and one messageDigest equal to the digest we compute over the
//!   original bytes (row 18); listed attributes appear at most once, single-valued.
//! * The digest algorithm must be allowed by the policy and agree with the signature
//!   algorithm (row 18).
//! * The signer certificate is found by issuerAndSerialNumber or SKI, honouring
//!   signingCertificate(V2), and every candidate is tried (RFC 8551 §2.6).
//! * The signature covers the received DER of signedAttrs with the SET OF tag, never
//!   a re-encoding (`der` sorts SET OF on decode).
//! * The signer's certificate is evidence, not judged here: the reader's verdict asks
//!   the trust layer (at the caller's time, never the signingTime: RFC 8550 §6, row 19).
//! * In multipart/signed eContent must be absent, in opaque signed-data present
//!   (row 7); zero SignerInfos is "not signed" (row 9).

use std::io::{Read, Write};
use std::time::SystemTime;

use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;

use crate::cert::Certificate;
use crate::cms::ber::{self, BerReader};
use crate::cms::digest::Hasher;
use crate::cms::signed_attrs::{self, SignedAttrs};
use crate::error::{CmsError, Error};
use crate::oid;
use crate::trust::{Crl, Policy, TrustError, TrustStore};

/// Certificates accepted from one message (REQUIREMENTS.md §2 row 6: a cap).
pub const MAX_MESSAGE_CERTIFICATES: usize = 64;
/// Size cap for the certificates, CRLs and SignerInfos of one SignedData.
const MAX_STRUCTURE: usize = 16 << 20;
const CHUNK: usize = 64 * 1024;

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

/// What cms found in one SignedData: evidence per SignerInfo, and the certificates
/// and CRLs the message carried (untrusted helpers for path building).
#[derive(Debug, Clone)]
pub struct Verification {
    pub(crate) signers: Vec<SignerEvidence>,
    pub(crate) certificates: Vec<Certificate>,
    pub(crate) crls: Vec<Crl>,
}

impl Verification {
    /// One piece of evidence per SignerInfo, in order.
    pub fn signers(&self) -> &[SignerEvidence] {
        &self.signers
    }
    /// The certificates the message carried (for "View Certificate"; untrusted).
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }
    /// The CRLs the message carried (RFC 8550 §2.1).
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }
    /// False for a SignedData with no SignerInfo (certs-only or degenerate: RFC 8551
    /// §3.6.2.2, REQUIREMENTS.md §2 row 9).
    pub fn is_signed(&self) -> bool {
        !self.signers.is_empty()
    }
}

/// Where the signed content is.
enum Content<'a> {
    /// Detached: the caller's bytes (multipart/signed); eContent must be absent.
    Detached(&'a mut dyn Read),
    /// Opaque: eContent, streamed to this writer; it must be present.
    Opaque(&'a mut dyn Write),
}

/// Verifies a detached SignedData (`application/pkcs7-signature`) over `content`:
/// the evidence per signer, judged by [`reader::judge_signers`](crate::reader::judge_signers).
/// `trust` supplies candidate signer certificates, `policy` the algorithm rules.
pub fn verify_detached<R: Read>(
    signature: &[u8],
    mut content: R,
    trust: &TrustStore,
    policy: &Policy,
) -> Result<Verification, Error> {
    verify_impl(signature, Content::Detached(&mut content), trust, policy)
}

/// Verifies an opaque SignedData read from `input`, writing the eContent to `out`
/// as it streams (memory does not grow with the content). The content written is
/// exactly what was verified; treat it as unverified unless the verdict built from
/// the evidence ([`reader::judge_signers`](crate::reader::judge_signers)) is valid.
pub fn verify_opaque<R: Read, W: Write>(
    input: R,
    mut out: W,
    trust: &TrustStore,
    policy: &Policy,
) -> Result<Verification, Error> {
    verify_impl(input, Content::Opaque(&mut out), trust, policy)
}

/// Reads the certificates a SignedData carries (certs-only messages, "View
/// Certificate"). Certificates that do not parse are skipped.
pub fn certificates_in(signed_data: &[u8]) -> Result<Vec<Certificate>, Error> {
    let mut sink = std::io::sink();
    let parsed = parse(signed_data, &mut ParseContent::Skip(&mut sink), &[])?;
    Ok(parsed.certificates)
}

enum ParseContent<'a> {
    Detached,
    Opaque(&'a mut dyn Write),
    Skip(&'a mut dyn Write),
}

struct Parsed {
    econtent_type: ObjectIdentifier,
    econtent_present: bool,
    digests: Vec<(ObjectIdentifier, Vec<u8>)>,
    certificates: Vec<Certificate>,
    crls: Vec<Crl>,
    signer_infos: Vec<Vec<u8>>,
}

fn verify_impl<R: Read>(
    input: R,
    content: Content<'_>,
    trust: &TrustStore,
    policy: &Policy,
) -> Result<Verification, Error> {
    // Signatures without signedAttrs cover the content itself (RFC 5652 §5.4): keep a
    // copy only when the policy may accept them.
    let mut kept = KeptContent::new(!policy.require_signed_attributes);
    let (parsed, detached_digests) = match content {
        Content::Opaque(out) => {
            let mut tee = Tee {
                out,
                kept: &mut kept,
            };
            (
                parse(input, &mut ParseContent::Opaque(&mut tee), &[])?,
                None,
            )
        }
        Content::Detached(data) => {
            let parsed = parse(input, &mut ParseContent::Detached, &[])?;
            let algs: Vec<ObjectIdentifier> = parsed.digests.iter().map(|(o, _)| *o).collect();
            let mut hashers = Hashers::new(&algs);
            let mut buf = vec![0u8; CHUNK];
            loop {
                let n = data.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                let chunk = buf.get(..n).unwrap_or_default();
                hashers.update(chunk);
                kept.extend(chunk);
            }
            (parsed, Some(hashers.finish()))
        }
    };
    let opaque = detached_digests.is_none();
    let digests = detached_digests.unwrap_or_else(|| parsed.digests.clone());
    let placement = match (opaque, parsed.econtent_present) {
        (true, false) => Some("opaque signed-data without content"),
        (false, true) => Some("multipart/signed whose signature carries its own content"),
        _ => None,
    };
    let mut signers = Vec::with_capacity(parsed.signer_infos.len());
    for raw in &parsed.signer_infos {
        let mut evidence = verify_signer(raw, &parsed, &kept, &digests, trust, policy);
        if let Some(why) = placement {
            evidence.outcome = Err(InvalidReason::ContentPlacement(why));
        }
        signers.push(evidence);
    }
    Ok(Verification {
        signers,
        certificates: parsed.certificates,
        crls: parsed.crls,
    })
}

/// A copy of the content for signatures made over it directly (generic CMS only).
enum KeptContent {
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
    fn new(keep: bool) -> Self {
        if keep {
            KeptContent::Kept(Vec::new())
        } else {
            KeptContent::NotKept
        }
    }

    fn extend(&mut self, chunk: &[u8]) {
        if let KeptContent::Kept(v) = self {
            if v.len() + chunk.len() > MAX_KEPT_CONTENT {
                *self = KeptContent::TooLarge;
            } else {
                v.extend_from_slice(chunk);
            }
        }
    }
}

/// Writes the opaque content on to the caller and into a [`KeptContent`].
struct Tee<'a> {
    out: &'a mut dyn Write,
    kept: &'a mut KeptContent,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.kept.extend(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// What a SignerInfo without signedAttrs signed: the content itself (RFC 5652 §5.4),
/// when the policy accepts that. S/MIME does not (RFC 8551 §2.5, the EUF-CMA problem);
/// generic CMS does for id-data only (§5.3: signedAttrs MUST be present for any other
/// eContentType), and never for content shaped like signed attributes (REQUIREMENTS.md
/// §2 row 17).
fn content_signed_directly<'a>(
    parsed: &Parsed,
    kept: &'a KeptContent,
    policy: &Policy,
) -> Result<&'a [u8], InvalidReason> {
    if policy.require_signed_attributes || parsed.econtent_type != oid::DATA {
        return Err(InvalidReason::MissingSignedAttributes);
    }
    match kept {
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

/// Walks ContentInfo/SignedData; the content streams, the rest is read whole.
fn parse<R: Read>(
    input: R,
    content: &mut ParseContent<'_>,
    _extra: &[u8],
) -> Result<Parsed, Error> {
    let mut r = BerReader::new(input);
    r.expect_tag(0x30, "ContentInfo")?;
    let type_der = r.tlv_der(64, "ContentInfo contentType")?;
    let ct =
        ObjectIdentifier::from_der(&type_der).map_err(|e| CmsError::malformed("ContentInfo", e))?;
    if ct != oid::SIGNED_DATA {
        return Err(CmsError::UnexpectedContentType {
            oid: ct,
            expected: "signed-data",
        }
        .into());
    }
    r.expect_tag(0xa0, "ContentInfo content")?;
    let sd = r.expect_tag(0x30, "SignedData")?;
    let sd_end = r.end_of(sd, "SignedData")?;
    let _version = r.tlv_der(16, "SignedData version")?;
    let algs_der = r.tlv_der(MAX_STRUCTURE, "digestAlgorithms")?;
    let mut algs = Vec::new();
    for el in ber::elements(ber::content_of(&algs_der)?)? {
        if let Ok(a) = AlgorithmIdentifierOwned::from_der(el)
            && !algs.contains(&a.oid)
        {
            algs.push(a.oid);
        }
    }
    // encapContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    let eci = r.expect_tag(0x30, "EncapsulatedContentInfo")?;
    let eci_end = r.end_of(eci, "EncapsulatedContentInfo")?;
    let et_der = r.tlv_der(64, "eContentType")?;
    let econtent_type =
        ObjectIdentifier::from_der(&et_der).map_err(|e| CmsError::malformed("eContentType", e))?;
    let mut hashers = Hashers::new(&algs);
    let mut econtent_present = false;
    let at_eci_end = |r: &BerReader<R>| eci_end == Some(r.position());
    if !at_eci_end(&r) {
        let h = r.header("EncapsulatedContentInfo")?;
        if h.is_eoc() {
            // Indefinite encapContentInfo without eContent.
        } else if h.ident == 0xa0 {
            econtent_present = true;
            let inner_end = r.end_of(h, "eContent")?;
            let oh = r.header("eContent")?;
            if oh.ident != 0x04 && oh.ident != 0x24 {
                return Err(CmsError::malformed("eContent", "not an OCTET STRING").into());
            }
            ber::stream_octets(&mut r, oh, "eContent", &mut |chunk| {
                hashers.update(chunk);
                match content {
                    ParseContent::Opaque(w) | ParseContent::Skip(w) => w.write_all(chunk)?,
                    ParseContent::Detached => {}
                }
                Ok(())
            })?;
            if inner_end.is_none() {
                r.expect_eoc("eContent")?;
            }
            if eci_end.is_none() {
                r.expect_eoc("EncapsulatedContentInfo")?;
            }
        } else {
            return Err(CmsError::malformed("EncapsulatedContentInfo", "unexpected field").into());
        }
    }
    let digests = hashers.finish();
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    let mut signer_infos = Vec::new();
    loop {
        if sd_end == Some(r.position()) {
            break;
        }
        let h = r.header("SignedData")?;
        if h.is_eoc() {
            break;
        }
        let der = r.tlv_der_after(h, MAX_STRUCTURE, "SignedData field")?;
        let inner = ber::content_of(&der)?;
        match h.ident {
            // certificates [0] IMPLICIT CertificateSet
            0xa0 => {
                for el in ber::elements(inner)?
                    .into_iter()
                    .take(MAX_MESSAGE_CERTIFICATES)
                {
                    if let Ok(c) = Certificate::from_der(el) {
                        certificates.push(c);
                    }
                }
            }
            // crls [1] IMPLICIT RevocationInfoChoices
            0xa1 => {
                for el in ber::elements(inner)?
                    .into_iter()
                    .take(MAX_MESSAGE_CERTIFICATES)
                {
                    if let Ok(c) = Crl::from_der(el) {
                        crls.push(c);
                    }
                }
            }
            0x31 => {
                signer_infos = ber::elements(inner)?
                    .into_iter()
                    .map(<[u8]>::to_vec)
                    .collect();
                break;
            }
            _ => return Err(CmsError::malformed("SignedData", "unexpected field").into()),
        }
    }
    Ok(Parsed {
        econtent_type,
        econtent_present,
        digests,
        certificates,
        crls,
        signer_infos,
    })
}

/// Streaming hashes for every digest algorithm the SignedData lists.
struct Hashers(Vec<(ObjectIdentifier, Hasher)>);

impl Hashers {
    fn new(algs: &[ObjectIdentifier]) -> Self {
        Hashers(
            algs.iter()
                .filter_map(|o| Hasher::for_oid(*o).map(|h| (*o, h)))
                .collect(),
        )
    }

    fn update(&mut self, data: &[u8]) {
        for (_, h) in &mut self.0 {
            h.update(data);
        }
    }

    fn finish(self) -> Vec<(ObjectIdentifier, Vec<u8>)> {
        self.0.into_iter().map(|(o, h)| (o, h.finish())).collect()
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

fn verify_signer(
    raw: &[u8],
    parsed: &Parsed,
    content: &KeptContent,
    digests: &[(ObjectIdentifier, Vec<u8>)],
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
        _ => match content_signed_directly(parsed, content, policy) {
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
    let Some((_, computed)) = digests.iter().find(|(o, _)| *o == digest_oid) else {
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
        if ct != parsed.econtent_type {
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
    let mut candidates: Vec<Certificate> = parsed
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
            let pool: Vec<&Certificate> = parsed
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
            let same_issuer = match (ias.issuer.to_der(), cert.issuer_name().to_der()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            same_issuer && ias.serial_number.as_bytes() == cert.serial_number()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert.subject_key_identifier() == Some(ski.0.as_bytes())
        }
    }
}

fn cert_hash(cert: &Certificate, alg: ObjectIdentifier) -> Option<Vec<u8>> {
    let mut h = Hasher::for_oid(alg)?;
    h.update(cert.der());
    Some(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::{SignOptions, SignedDataBuilder};

    /// A SignedData without certificates whose signer the store holds as an anchor
    /// (a self-signed certificate the user trusts; KMail/gpgsm send such messages):
    /// the signer is found among the anchors.
    #[test]
    fn signer_certificate_found_among_anchors() {
        let alice = crate::sample::alice().unwrap();
        let der = SignedDataBuilder::new(&alice, SignOptions::default())
            .sign_opaque_bytes(b"hello")
            .unwrap();
        let ci = cms::content_info::ContentInfo::from_der(&der).unwrap();
        let mut sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
        sd.certificates = None;
        let ci = cms::content_info::ContentInfo {
            content_type: ci.content_type,
            content: der::Any::encode_from(&sd).unwrap(),
        };
        let stripped = ci.to_der().unwrap();
        let policy = Policy::email();
        let mut trust = TrustStore::new();
        let v = verify_opaque(&stripped[..], std::io::sink(), &trust, &policy).unwrap();
        assert_eq!(
            v.signers()[0].outcome(),
            Err(&InvalidReason::SignerCertificateNotFound)
        );
        trust.add_anchor(alice.certificate().clone());
        let v = verify_opaque(&stripped[..], std::io::sink(), &trust, &policy).unwrap();
        let evidence = &v.signers()[0];
        assert_eq!(evidence.certificate(), Some(alice.certificate()));
        assert_eq!(evidence.outcome(), Ok(()));
    }
}
