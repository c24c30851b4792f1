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
//!   (row 7), except that multipart/signed may carry eContent byte-identical to the
//!   signed part (Python `cryptography`'s output; [`super::content_match`]); zero
//!   SignerInfos is "not signed" (row 9).

use std::io::{Read, Write};

use der::Decode;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;

use crate::cert::Certificate;
use crate::cms::ber::{self, BerReader};
use crate::cms::content_match::ContentFingerprint;
use crate::cms::digest::Hasher;
pub use crate::cms::signer_check::{InvalidReason, SignerEvidence};
use crate::cms::signer_check::{KeptContent, SignedContent, verify_signer};
use crate::error::{CmsError, Error};
use crate::oid;
use crate::pipeline::{fill, pipelined};
use crate::trust::{Crl, Policy, TrustStore};

/// Certificates accepted from one message (REQUIREMENTS.md §2 row 6: a cap).
pub const MAX_MESSAGE_CERTIFICATES: usize = 64;
/// SignerInfos one SignedData may hold (issue 15 finding 1: two million empty ones
/// made previewing a 3.8 MB message cost 1.1 GiB). Real messages carry one or two;
/// more is refused with [`CmsError::LimitExceeded`] before any is parsed.
pub const MAX_SIGNER_INFOS: usize = 16;
/// Size cap for the certificates, CRLs and SignerInfos of one SignedData.
const MAX_STRUCTURE: usize = 16 << 20;
/// Detached content is hashed in chunks of this size on the pipeline's worker.
const CHUNK: usize = 512 * 1024;

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
    /// The content is elsewhere; eContent, if present, is only fingerprinted.
    Detached(&'a mut ContentFingerprint),
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
    let mut same_content = false;
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
            let mut embedded = ContentFingerprint::default();
            let parsed = parse(input, &mut ParseContent::Detached(&mut embedded), &[])?;
            let algs: Vec<ObjectIdentifier> = parsed.digests.iter().map(|(o, _)| *o).collect();
            let mut seen = Seen {
                hashers: Hashers::new(&algs),
                // Only when there is an eContent to compare with: a second SHA-256 of
                // every multipart/signed body otherwise (issue 12).
                fingerprint: parsed.econtent_present.then(ContentFingerprint::default),
                kept: &mut kept,
            };
            // Hashed on the pipeline's worker while the next chunk is read.
            pipelined(
                CHUNK,
                &mut seen,
                |buf| fill(&mut &mut *data, buf),
                |seen, buf, n| {
                    seen.update(buf.get(..n).unwrap_or_default());
                    Ok(0)
                },
                |_| Ok(()),
            )?;
            let Seen {
                hashers,
                fingerprint: detached,
                ..
            } = seen;
            // Embedded eContent identical to the detached content confuses nothing.
            same_content = detached.is_some_and(|detached| embedded.same_as(detached));
            (parsed, Some(hashers.finish()))
        }
    };
    let opaque = detached_digests.is_none();
    let digests = detached_digests.unwrap_or_else(|| parsed.digests.clone());
    let placement = match (opaque, parsed.econtent_present) {
        (true, false) => Some("opaque signed-data without content"),
        (false, true) if !same_content => {
            Some("multipart/signed whose signature carries its own content")
        }
        _ => None,
    };
    let mut signers = Vec::with_capacity(parsed.signer_infos.len());
    for raw in &parsed.signer_infos {
        let mut evidence = verify_signer(
            raw,
            &SignedContent {
                econtent_type: parsed.econtent_type,
                certificates: &parsed.certificates,
                kept: &kept,
                digests: &digests,
            },
            trust,
            policy,
        );
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

/// Walks ContentInfo/SignedData; the content streams, the rest is read whole.
fn parse<R: Read>(
    input: R,
    content: &mut ParseContent<'_>,
    _extra: &[u8],
) -> Result<Parsed, Error> {
    let mut r = BerReader::new(input);
    let ci = r.expect_tag(0x30, "ContentInfo")?;
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
    let explicit = r.expect_tag(0xa0, "ContentInfo content")?;
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
                    ParseContent::Detached(f) => f.update(chunk),
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
    let mut sd_closed = sd_end.is_some();
    loop {
        if sd_end == Some(r.position()) {
            break;
        }
        let h = r.header("SignedData")?;
        if h.is_eoc() {
            sd_closed = true;
            break;
        }
        let der = r.tlv_der_after(h, MAX_STRUCTURE, "SignedData field")?;
        let inner = ber::content_of(&der)?;
        match h.ident {
            // certificates [0] IMPLICIT CertificateSet
            0xa0 => {
                for el in ber::first_elements(inner, MAX_MESSAGE_CERTIFICATES)? {
                    if let Ok(c) = Certificate::from_der(el) {
                        certificates.push(c);
                    }
                }
            }
            // crls [1] IMPLICIT RevocationInfoChoices
            0xa1 => {
                for el in ber::first_elements(inner, MAX_MESSAGE_CERTIFICATES)? {
                    if let Ok(c) = Crl::from_der(el) {
                        crls.push(c);
                    }
                }
            }
            0x31 => {
                signer_infos = ber::elements_at_most(inner, MAX_SIGNER_INFOS)?
                    .ok_or(CmsError::LimitExceeded {
                        what: "SignerInfos in one SignedData",
                        limit: MAX_SIGNER_INFOS,
                    })?
                    .into_iter()
                    .map(<[u8]>::to_vec)
                    .collect();
                break;
            }
            _ => return Err(CmsError::malformed("SignedData", "unexpected field").into()),
        }
    }
    // A stream cut after the SignerInfos (BER from `-stream` signers) must not pass:
    // the end-of-contents octets of every indefinite-length level are read.
    if !sd_closed {
        r.expect_eoc("SignedData")?;
    }
    for (h, what) in [(explicit, "ContentInfo content"), (ci, "ContentInfo")] {
        if h.length.is_none() {
            r.expect_eoc(what)?;
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
/// What the detached content goes into: its digests, its fingerprint when there is an
/// eContent to compare it with, and the copy signatures without signedAttrs need.
struct Seen<'a> {
    hashers: Hashers,
    fingerprint: Option<ContentFingerprint>,
    kept: &'a mut KeptContent,
}

impl Seen<'_> {
    fn update(&mut self, chunk: &[u8]) {
        self.hashers.update(chunk);
        if let Some(fingerprint) = &mut self.fingerprint {
            fingerprint.update(chunk);
        }
        self.kept.extend(chunk);
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::{SignOptions, SignedDataBuilder};
    use der::Encode;

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
