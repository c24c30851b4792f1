//! Opening a received message: decrypt and verify every S/MIME layer, and say what
//! was protected and by whom (RFC 8551 §3, REQUIREMENTS.md §2 rows 4, 7–15).
//!
//! * Layers are unwrapped outside in: EnvelopedData/AuthEnvelopedData with the
//!   user's identities, opaque signed-data, multipart/signed (verified over the
//!   exact bytes transmitted), up to [`MAX_LAYERS`] deep (RFC 8551 §3.7).
//! * The content is the innermost entity: a separate origin from anything
//!   unprotected around it (EFAIL, RFC 8551 §6).
//! * The signed scope is [`SignedScope::WholeMessage`] only when the first signature
//!   covers the root body (after outer decryption); a signature found inside an
//!   unsigned multipart is [`SignedScope::Partial`] (row 11), and never shown as
//!   the message's signature by [`OpenedMessage::is_signature_valid`].
//! * Every valid signer must name the From address, compared by addr-spec; a From
//!   field that is missing or holds several mailboxes matches nobody (rows 12–14).
//! * Header protection (RFC 9788, RFC 8551 §3.1): an inner `message/rfc822` entity
//!   or inner header fields are exposed, and a From that differs from the outer one
//!   is flagged (row 15).

use std::borrow::Cow;
use std::time::SystemTime;

use crate::address::EmailAddress;
use crate::cert::{Certificate, Identity};
use crate::cms::{self, DecryptInfo, Verification};
use crate::error::{CmsError, Error, MimeError};
use crate::mime::{self, HeaderBlock, read_header_block};
use crate::oid;
use crate::trust::{Policy, TrustStore, Use};

mod protected;
mod verdict;

pub use verdict::{SignatureStatus, SignerReport, judge_signers};

/// RFC 8551 §3.7: nested S/MIME "within reasonable resource limits".
pub const MAX_LAYERS: usize = 8;

/// One S/MIME layer, outermost first.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Layer {
    /// EnvelopedData or AuthEnvelopedData, decrypted.
    Encrypted {
        /// Whether the content's integrity was verified (AES-GCM, ChaCha20-Poly1305).
        info: DecryptInfo,
    },
    /// SignedData, verified.
    Signed {
        /// Per-signer verdicts.
        signers: Vec<SignerReport>,
        /// The certificates the SignedData carried (untrusted).
        certificates: Vec<Certificate>,
        /// True for multipart/signed, false for opaque signed-data.
        detached: bool,
    },
    /// A certs-only message (RFC 8551 §3.6.2.2): certificates, no signature.
    CertificatesOnly {
        /// The certificates carried.
        certificates: Vec<Certificate>,
    },
}

/// How much of the message the signatures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedScope {
    /// No signature.
    NotSigned,
    /// The root body (after outer decryption) is signed.
    WholeMessage,
    /// A signed part sits inside an unsigned entity: only that part is signed.
    Partial,
}

impl SignedScope {
    /// The scope once a signature layer is met: the first (outermost) signature
    /// decides; it covers the whole message unless it sits inside an unsigned
    /// entity (`partial`, REQUIREMENTS.md §2 row 11).
    fn on_signature(self, partial: bool) -> SignedScope {
        match self {
            SignedScope::NotSigned if partial => SignedScope::Partial,
            SignedScope::NotSigned => SignedScope::WholeMessage,
            decided => decided,
        }
    }
}

/// A received message, opened.
#[derive(Debug, Clone)]
pub struct OpenedMessage {
    layers: Vec<Layer>,
    content: Vec<u8>,
    outer_headers: HeaderBlock,
    inner_headers: Option<HeaderBlock>,
    scope: SignedScope,
    from: Option<EmailAddress>,
    header_mismatch: bool,
    header_protected: bool,
}

impl OpenedMessage {
    /// The layers, outermost first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The innermost entity (headers and body): the protected content. Show it as a
    /// separate origin from anything around it.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The content parsed by `mail-parser`, for display.
    pub fn parsed_content(&self) -> Option<mail_parser::Message<'_>> {
        mail_parser::MessageParser::default().parse(&self.content)
    }

    /// The outer (unprotected) header block.
    pub fn outer_headers(&self) -> &HeaderBlock {
        &self.outer_headers
    }

    /// The protected header fields, when the protected entity carries any (RFC 9788).
    pub fn inner_headers(&self) -> Option<&HeaderBlock> {
        self.inner_headers.as_ref()
    }

    /// True when the protected From differs from the outer From (row 15).
    pub fn header_mismatch(&self) -> bool {
        self.header_mismatch
    }

    /// The From address the signatures were checked against.
    pub fn from(&self) -> Option<&EmailAddress> {
        self.from.as_ref()
    }

    /// How much the signatures cover.
    pub fn signed_scope(&self) -> SignedScope {
        self.scope
    }

    /// Every signer of every signed layer, outermost first.
    pub fn signatures(&self) -> impl Iterator<Item = &SignerReport> {
        self.layers.iter().flat_map(|l| match l {
            Layer::Signed { signers, .. } => signers.as_slice(),
            _ => &[],
        })
    }

    /// The blue check: the whole message is signed and every signer is valid.
    pub fn is_signature_valid(&self) -> bool {
        self.scope == SignedScope::WholeMessage
            && self.signatures().next().is_some()
            && self.signatures().all(|s| s.status().is_valid())
    }

    /// Whether some layer was decrypted, and whether every decryption was
    /// authenticated (AEAD). `None` when nothing was encrypted.
    pub fn decryption_authenticated(&self) -> Option<bool> {
        let infos: Vec<&DecryptInfo> = self
            .layers
            .iter()
            .filter_map(|l| match l {
                Layer::Encrypted { info } => Some(info),
                _ => None,
            })
            .collect();
        (!infos.is_empty()).then(|| infos.iter().all(|i| i.authenticated()))
    }

    /// Every certificate the message carried (for "View Certificate"), deduplicated.
    pub fn certificates(&self) -> Vec<Certificate> {
        let mut out: Vec<Certificate> = Vec::new();
        for l in &self.layers {
            let certs: &[Certificate] = match l {
                Layer::Signed { certificates, .. } => certificates,
                Layer::CertificatesOnly { certificates } => certificates,
                Layer::Encrypted { .. } => &[],
            };
            for c in certs {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        out
    }
}

/// Opens `raw` (an RFC 5322 message or MIME entity): decrypts with the first of
/// `identities` that is a recipient, verifies every signature, and judges each signer
/// ([`judge_signers`]) against `trust` under the account's `policy`, for the message's
/// From address, at time `at` (the reader's clock, never a time the sender chose).
///
/// ```
/// use smime::cms::SignOptions;
/// use smime::mime::SignFormat;
/// use smime::trust::{Policy, TrustStore};
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// let alice = sample::alice()?;
/// let msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
/// let signed = smime::mime::sign_message_bytes(msg, &alice, &SignOptions::default(), SignFormat::Detached)?;
/// let mut trust = TrustStore::new();
/// trust.add_anchor(sample::ca()?);
/// let opened = smime::reader::open(&signed, &[], &trust, &Policy::email(), std::time::SystemTime::now())?;
/// assert!(opened.is_signature_valid());
/// # Ok::<(), smime::Error>(())
/// ```
pub fn open(
    raw: &[u8],
    identities: &[&Identity],
    trust: &TrustStore,
    policy: &Policy,
    at: SystemTime,
) -> Result<OpenedMessage, Error> {
    let outer_headers = read_header_block(&mut &raw[..]).unwrap_or_default();
    let from = single_from(raw);
    // Layers as found; signed ones hold cms's evidence until the From is known.
    let mut layers: Vec<Found> = Vec::new();
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(raw);
    let mut scope = SignedScope::NotSigned;
    let mut partial = false;
    for depth in 0..=MAX_LAYERS {
        if depth == MAX_LAYERS {
            return Err(CmsError::LimitExceeded {
                what: "S/MIME nesting",
                limit: MAX_LAYERS,
            }
            .into());
        }
        let headers = read_header_block(&mut &current[..]).unwrap_or_default();
        // Borrowed, not copied: a large message is held once per layer at most.
        let body = current.get(headers.raw().len()..).unwrap_or_default();
        let ct = headers.content_type().ok().flatten();
        // multipart/signed: verify the first part's exact bytes.
        if let Some(ct) = &ct
            && ct.mime_type() == "multipart/signed"
        {
            let boundary = ct
                .param("boundary")
                .ok_or_else(|| MimeError::Malformed {
                    reason: "multipart/signed without a boundary".into(),
                })?
                .to_owned();
            let parts =
                mime::signed_split::split(body, &boundary).ok_or_else(|| MimeError::Malformed {
                    reason: "multipart/signed without two parts".into(),
                })?;
            let sig = mime::smime_body(
                parts.signature_body,
                &parts.signature_headers.transfer_encoding(),
            )?;
            let mut verification = cms::verify_detached(&sig, parts.signed, trust, policy)?;
            // Clients sign the CRLF form; a message stored with bare LFs is verified
            // again in that form when the digest does not match (RFC 8551 §3.1.1).
            if parts.signed.contains(&b'\n') && digest_mismatch(&verification) {
                let canonical = mime::to_crlf(parts.signed);
                let again = cms::verify_detached(&sig, &canonical[..], trust, policy)?;
                if !digest_mismatch(&again) {
                    verification = again;
                }
            }
            scope = scope.on_signature(partial);
            layers.push(Found::Signed {
                verification,
                detached: true,
            });
            current = Cow::Owned(parts.signed.to_vec());
            continue;
        }
        if mime::smime_kind(&headers).is_some() || current.first() == Some(&0x30) {
            let cms_bytes: Cow<'_, [u8]> = if current.first() == Some(&0x30) {
                Cow::Borrowed(&current)
            } else {
                Cow::Owned(mime::smime_body(body, &headers.transfer_encoding())?)
            };
            let content_type = cms_content_type(&cms_bytes)?;
            if content_type == oid::ENVELOPED_DATA || content_type == oid::AUTH_ENVELOPED_DATA {
                let (content, info) = decrypt_with_any(&cms_bytes, identities)?;
                layers.push(Found::Layer(Layer::Encrypted { info }));
                current = Cow::Owned(content);
                continue;
            }
            if content_type == oid::SIGNED_DATA {
                let mut content = Vec::new();
                let verification = cms::verify_opaque(&cms_bytes[..], &mut content, trust, policy)?;
                if !verification.is_signed() {
                    layers.push(Found::Layer(Layer::CertificatesOnly {
                        certificates: verification.certificates().to_vec(),
                    }));
                    current = Cow::Owned(content);
                    break;
                }
                scope = scope.on_signature(partial);
                layers.push(Found::Signed {
                    verification,
                    detached: false,
                });
                current = Cow::Owned(content);
                continue;
            }
            return Err(CmsError::UnexpectedContentType {
                oid: content_type,
                expected: "enveloped, authEnveloped or signed data",
            }
            .into());
        }
        // Not S/MIME at this level: a signed or encrypted part deeper inside an
        // unprotected multipart covers only itself (row 11).
        if let Some(ct) = &ct
            && ct.is_multipart()
            && scope == SignedScope::NotSigned
            && let Some(inner) = nested_smime_part(&current)
        {
            partial = true;
            current = Cow::Owned(inner);
            continue;
        }
        break;
    }
    let content = current.into_owned();
    let encrypted = layers
        .iter()
        .any(|l| matches!(l, Found::Layer(Layer::Encrypted { .. })));
    let header_protected = protected::covered(&content, encrypted, scope).is_some();
    let inner_headers = protected_headers(&content);
    let inner_from = inner_headers
        .as_ref()
        .and_then(|h| h.get("From"))
        .map(|f| f.value().to_owned());
    let header_mismatch = match (&inner_from, &from) {
        (Some(inner), Some(outer)) => {
            EmailAddress::parse(&addr_spec(inner)).ok().as_ref() != Some(outer)
        }
        (Some(_), None) => true,
        _ => false,
    };
    // The From the user sees is the protected one when there is one (RFC 9788 §4).
    let shown_from = inner_from
        .as_deref()
        .map(addr_spec)
        .and_then(|a| EmailAddress::parse(&a).ok())
        .or(from);
    // The verdicts, once the From the user sees is known (RFC 8550 §3, rows 12–14).
    let use_ = Use::verify_from(shown_from.clone(), at);
    let layers = layers
        .into_iter()
        .map(|found| match found {
            Found::Layer(layer) => layer,
            Found::Signed {
                verification,
                detached,
            } => Layer::Signed {
                signers: judge_signers(&verification, trust, policy, &use_),
                certificates: verification.certificates,
                detached,
            },
        })
        .collect();
    Ok(OpenedMessage {
        layers,
        content,
        outer_headers,
        inner_headers,
        scope,
        from: shown_from,
        header_mismatch,
        header_protected,
    })
}

fn digest_mismatch(v: &Verification) -> bool {
    v.signers()
        .iter()
        .any(|s| s.outcome() == Err(&cms::InvalidReason::DigestMismatch))
}

/// A layer as unwrapped, before the signers are judged.
enum Found {
    Layer(Layer),
    Signed {
        verification: Verification,
        detached: bool,
    },
}

/// The From field's single mailbox (addr-spec only), or `None` when there is no
/// From field, several, or a field with several mailboxes (row 14).
fn single_from(raw: &[u8]) -> Option<EmailAddress> {
    let msg = mail_parser::MessageParser::default().parse_headers(raw)?;
    let froms: Vec<_> = msg
        .headers()
        .iter()
        .filter(|h| matches!(h.name, mail_parser::HeaderName::From))
        .collect();
    if froms.len() != 1 {
        return None;
    }
    let addr = msg.from()?;
    let mut iter = addr.iter();
    let first = iter.next()?;
    if iter.next().is_some() {
        return None;
    }
    EmailAddress::parse(first.address.as_deref()?).ok()
}

/// The addr-spec inside a From value: the text between `<` and `>`, or the value.
fn addr_spec(value: &str) -> String {
    match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => value[a + 1..b].trim().to_owned(),
        _ => value.trim().to_owned(),
    }
}

/// Header fields of the protected entity that are not MIME fields: a wrapped
/// `message/rfc822` or RFC 9788 header protection.
fn protected_headers(content: &[u8]) -> Option<HeaderBlock> {
    let h = read_header_block(&mut &content[..]).ok()?;
    let ct = h.content_type().ok().flatten();
    if let Some(ct) = &ct
        && ct.mime_type() == "message/rfc822"
    {
        let body = content.get(h.raw().len()..)?;
        return read_header_block(&mut &body[..]).ok();
    }
    let has_message_fields = h
        .fields()
        .iter()
        .any(|f| f.is("From") || f.is("Subject") || f.is("To"));
    has_message_fields.then_some(h)
}

fn cms_content_type(cms_bytes: &[u8]) -> Result<der::asn1::ObjectIdentifier, Error> {
    let mut r = crate::cms::ber::BerReader::new(cms_bytes);
    r.expect_tag(0x30, "ContentInfo")?;
    let der = r.tlv_der(64, "ContentInfo contentType")?;
    use der::Decode;
    Ok(der::asn1::ObjectIdentifier::from_der(&der)
        .map_err(|e| CmsError::malformed("ContentInfo", e))?)
}

fn decrypt_with_any(
    cms_bytes: &[u8],
    identities: &[&Identity],
) -> Result<(Vec<u8>, DecryptInfo), Error> {
    let mut last = Error::Cms(CmsError::NotARecipient);
    for id in identities {
        match cms::decrypt(cms_bytes, id) {
            Ok(d) => {
                let info = d.info().clone();
                return Ok((d.into_content(), info));
            }
            Err(Error::Cms(CmsError::NotARecipient)) => {}
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The first S/MIME part (multipart/signed or application/pkcs7-mime) inside a
/// multipart entity, with its headers.
fn nested_smime_part(entity: &[u8]) -> Option<Vec<u8>> {
    use mail_parser::MimeHeaders;
    let msg = mail_parser::MessageParser::default().parse(entity)?;
    for part in msg.parts.iter().skip(1) {
        let ct = part.content_type()?;
        let full =
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase();
        let smime = full == "multipart/signed"
            || full == "application/pkcs7-mime"
            || full == "application/x-pkcs7-mime";
        if smime {
            let start = usize::try_from(part.raw_header_offset()).ok()?;
            let end = usize::try_from(part.raw_end_offset()).ok()?;
            return entity.get(start..end).map(<[u8]>::to_vec);
        }
    }
    None
}
