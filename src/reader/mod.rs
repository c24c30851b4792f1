//! Opening a received message: decrypt and verify every S/MIME layer, and say what
//! was protected and by whom (RFC 8551 §3, REQUIREMENTS.md §2 rows 4, 7–15).
//!
//! * Layers are unwrapped outside in: EnvelopedData/AuthEnvelopedData with the
//!   user's identities, opaque signed-data, multipart/signed (verified over the
//!   exact bytes transmitted), up to [`MAX_LAYERS`] deep (RFC 8551 §3.7).
//! * The content is the innermost entity: a separate origin from anything
//!   unprotected around it (EFAIL, RFC 8551 §6).
//! * Only the message itself and what its own whole-message layers enclose is
//!   decrypted: an encrypted part nested in a multipart, or inside a signed part of
//!   an unsigned multipart, is left encrypted and listed as a [`NestedPart`]
//!   ([`OpenedMessage::nested_encrypted_parts`], row 4), to be opened on its own
//!   only when the user asks.
//! * The signed scope is [`SignedScope::WholeMessage`] only when the first signature
//!   covers the root body (after outer decryption); a signature found inside an
//!   unsigned multipart is [`SignedScope::Partial`] (row 11), and never shown as
//!   the message's signature by [`OpenedMessage::is_signature_valid`].
//! * Every valid signer must name the From address, compared by addr-spec; a From
//!   field that is missing or holds several mailboxes matches nobody (rows 12–14).
//! * Header protection (RFC 9788, RFC 8551 §3.1): an inner `message/rfc822` entity
//!   or inner header fields are exposed, and a From that differs from the outer one
//!   is flagged (row 15).
//! * [`open_stream`] reads the message once from any `Read` in bounded memory and
//!   hands over the content (spooled to a temporary file beyond a few MiB) only after
//!   every layer was checked; [`open`] is the in-memory convenience over it.

use std::time::SystemTime;

use crate::address::EmailAddress;
use crate::cert::{Certificate, Identity};
use crate::cms::DecryptInfo;
use crate::error::Error;
use crate::mime::{HeaderBlock, read_header_block};
use crate::trust::{Policy, TrustStore};

mod nested;
mod peek;
mod protected;
mod signed_parts;
mod spooled;
mod stream;
mod verdict;

pub use nested::{MAX_NESTED_PARTS, NestedPart};
pub use spooled::SpooledContent;
pub use stream::{MAX_BUFFERED_BODY, OpenedStream, PARTIAL_SCAN_LIMIT, open_stream};
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

/// A received message, opened: its content in memory (`C = Vec<u8>`, from [`open`])
/// or spooled ([`SpooledContent`], from [`open_stream`]).
#[derive(Debug, Clone)]
pub struct OpenedMessage<C = Vec<u8>> {
    layers: Vec<Layer>,
    content: C,
    outer_headers: HeaderBlock,
    inner_headers: Option<HeaderBlock>,
    scope: SignedScope,
    from: Option<EmailAddress>,
    header_mismatch: bool,
    header_protected: bool,
    content_path: Vec<usize>,
    nested: Vec<NestedPart>,
}

impl OpenedMessage {
    /// The innermost entity (headers and body): the protected content. Show it as a
    /// separate origin from anything around it.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The content parsed by `mail-parser`, for display.
    pub fn parsed_content(&self) -> Option<mail_parser::Message<'_>> {
        crate::mime::parse_message(&self.content)
    }
}

impl OpenedMessage<SpooledContent> {
    /// The innermost entity (headers and body), spooled: read it from the start. Show
    /// it as a separate origin from anything around it.
    pub fn content_mut(&mut self) -> &mut SpooledContent {
        &mut self.content
    }

    /// Takes the spooled content.
    pub fn into_content(self) -> SpooledContent {
        self.content
    }

    /// The same message with its content read into memory.
    pub fn into_in_memory(mut self) -> Result<OpenedMessage, Error> {
        let content = self.content.to_vec()?;
        Ok(OpenedMessage {
            layers: self.layers,
            content,
            outer_headers: self.outer_headers,
            inner_headers: self.inner_headers,
            scope: self.scope,
            from: self.from,
            header_mismatch: self.header_mismatch,
            header_protected: self.header_protected,
            content_path: self.content_path,
            nested: self.nested,
        })
    }
}

impl<C> OpenedMessage<C> {
    /// The layers, outermost first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
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

    /// Where the content sits in the message, in the terms of [`NestedPart::path`]:
    /// `[]` for a message without S/MIME layers, `[0]` for the content of one layer,
    /// `[1, 0]` for the content of a signed part that is the second child of an
    /// unsigned multipart ([`SignedScope::Partial`]).
    pub fn content_path(&self) -> &[usize] {
        &self.content_path
    }

    /// The encrypted parts found inside the message and not decrypted (EFAIL, RFC 8551
    /// §6, REQUIREMENTS.md §2 row 4), in document order: an encrypted part of a
    /// multipart (the content is then the multipart as received, the part still
    /// encrypted in it), or the encrypted content of a signed part inside an unsigned
    /// multipart (the content is then that encrypted entity, unopened, and its path
    /// equals [`content_path`](Self::content_path)). No [`Layer::Encrypted`] is
    /// reported for them.
    ///
    /// An app can say "this message contains an encrypted part" and, if the user asks,
    /// open [`NestedPart::entity`] with [`open`] as a message of its own, shown apart
    /// from this one. Searched only within [`PARTIAL_SCAN_LIMIT`] bytes of a multipart,
    /// at most [`MAX_NESTED_PARTS`] parts.
    pub fn nested_encrypted_parts(&self) -> &[NestedPart] {
        &self.nested
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
/// A convenience over [`open_stream`] (same layers, verdicts and header handling)
/// that returns the content in memory; for large messages use [`open_stream`],
/// whose memory does not grow with the message.
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
    open_stream(raw, identities, trust, policy, at)?.into_in_memory()
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
