//! The streaming reader: every S/MIME layer of a message read once from a [`Read`],
//! in memory bounded by a constant (REQUIREMENTS.md §2, issue 12).
//!
//! How memory stays bounded: header blocks are read with the header caps
//! ([`MAX_HEADER_BYTES`], [`MAX_HEADER_FIELDS`](crate::mime::MAX_HEADER_FIELDS)); the
//! transfer encoding is undone while the CMS streams (base64); each layer writes
//! its output to a spool ([`super::spooled`]: memory up to 4 MiB, then an anonymous
//! temporary file) that the next layer reads; the multipart/signed signature part
//! is capped; `cms` streams EnvelopedData (spooling AEAD ciphertext until the tag
//! verifies, RFC 5083 §2) and SignedData content (hashing as it goes).
//!
//! When content is released: only when every layer has been checked. The caller
//! receives the innermost spool together with the verdicts, never part of it
//! earlier; a failed AEAD tag, a CBC padding error or a broken structure anywhere
//! returns an error and no content at all.
//!
//! Where this differs from holding the message: an S/MIME body in quoted-printable
//! or PEM armour (rare) is decoded in memory, up to [`MAX_BUFFERED_BODY`]; a signed
//! or encrypted part inside a multipart (REQUIREMENTS.md §2 rows 4 and 11) is
//! looked for only when that multipart is at most [`PARTIAL_SCAN_LIMIT`] bytes,
//! otherwise it is shown as the unsigned content it is.
//!
//! What is decrypted: the message itself and what its own whole-message layers
//! enclose, nothing else (EFAIL, RFC 8551 §6, row 4). An encrypted part of a
//! multipart, and the encrypted content of a signed part inside an unsigned multipart,
//! are left encrypted and listed ([`super::NestedPart`]).

use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::time::SystemTime;

use tempfile::SpooledTempFile;

use crate::address::EmailAddress;
use crate::cert::Identity;
use crate::cms::{self, Verification};
use crate::error::{CmsError, Error, MimeError};
use crate::mime::{
    self, Base64Reader, CrlfReader, HeaderBlock, MAX_HEADER_BYTES, TransferEncoding,
    read_header_block,
};
use crate::oid;
use crate::trust::{Policy, TrustStore, Use};

use super::nested::{self, MAX_NESTED_PARTS, NestedPart};
use super::peek::{CONTENT_TYPE_PEEK, cms_content_type};
use super::signed_parts::split_stream;
use super::spooled::{SpooledContent, new_spool};
use super::{
    Layer, MAX_LAYERS, OpenedMessage, SignedScope, addr_spec, judge_signers, protected_headers,
    single_from,
};

/// A quoted-printable or PEM S/MIME body is decoded in memory up to this size.
pub const MAX_BUFFERED_BODY: usize = 32 << 20;
/// A multipart is searched for a signed or encrypted part up to this size (the
/// search parses the whole entity in memory); so is an encrypted entity met inside a
/// signed part of an unsigned multipart before it is listed.
pub const PARTIAL_SCAN_LIMIT: usize = 4 << 20;
/// Read buffer for the input and each spool.
const BUFFER: usize = 64 * 1024;

/// An opened message whose content is spooled: see [`open_stream`].
pub type OpenedStream = OpenedMessage<SpooledContent>;

/// Opens a message read from `input`, in one pass and bounded memory: the streaming
/// form of [`open`](super::open), with the same layers, verdicts, From check and
/// header handling (which [`open`](super::open) is a convenience over).
///
/// The content is returned only after every layer's check has run (AEAD tag, CBC
/// padding, signature digests), as a [`SpooledContent`]: in memory up to 4 MiB,
/// then in an anonymous temporary file that is deleted when it is dropped.
///
/// ```
/// use smime::cms::SignOptions;
/// use smime::mime::SignFormat;
/// use smime::trust::{Policy, TrustStore};
/// use std::io::Read;
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// let alice = sample::alice()?;
/// let msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
/// let signed = smime::mime::sign_message_bytes(msg, &alice, &SignOptions::default(), SignFormat::Detached)?;
/// let mut trust = TrustStore::new();
/// trust.add_anchor(sample::ca()?);
/// let mut opened = smime::reader::open_stream(&signed[..], &[], &trust, &Policy::email(), std::time::SystemTime::now())?;
/// assert!(opened.is_signature_valid());
/// let mut content = Vec::new();
/// opened.content_mut().read_to_end(&mut content)?;
/// assert!(content.ends_with(b"Hello\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_stream<R: Read>(
    input: R,
    identities: &[&Identity],
    trust: &TrustStore,
    policy: &Policy,
    at: SystemTime,
) -> Result<OpenedStream, Error> {
    let mut source = Source::Input(BufReader::with_capacity(BUFFER, input));
    let mut layers: Vec<Found> = Vec::new();
    let mut scope = SignedScope::NotSigned;
    let mut partial = false;
    // Where the current entity sits from the message root (NestedPart::path).
    let mut path: Vec<usize> = Vec::new();
    let mut nested: Vec<NestedPart> = Vec::new();
    let mut outer: Option<(HeaderBlock, Option<EmailAddress>)> = None;
    // Bytes of the current entity already read from an input source (a spool is
    // rewound instead).
    let mut consumed: Vec<u8>;
    let mut depth = 0;
    loop {
        if depth == MAX_LAYERS {
            return Err(CmsError::LimitExceeded {
                what: "S/MIME nesting",
                limit: MAX_LAYERS,
            }
            .into());
        }
        depth += 1;
        let head = read_head(source.reader())?;
        consumed = head.raw.clone();
        if outer.is_none() {
            let from = if head.raw.is_empty() {
                None
            } else {
                single_from(&head.raw)
            };
            outer = Some((head.headers.clone(), from));
        }
        let headers = &head.headers;
        let ct = headers.content_type().ok().flatten();
        // The body: what is left of the head (bytes after the header block), then
        // the rest of the source.
        let leftover = head.raw.get(headers.raw().len()..).unwrap_or_default();
        if let Some(ct) = &ct
            && ct.mime_type() == "multipart/signed"
        {
            let boundary = ct
                .param("boundary")
                .ok_or_else(|| MimeError::Malformed {
                    reason: "multipart/signed without a boundary".into(),
                })?
                .to_owned();
            let mut body = Cursor::new(leftover).chain(source.reader());
            let mut signed = new_spool();
            // Buffered: the split writes line by line, the spool file is unbuffered.
            let mut writer = io::BufWriter::with_capacity(BUFFER, &mut signed);
            let part = split_stream(&mut body, &boundary, &mut writer)?;
            writer.flush()?;
            drop(writer);
            let sig = mime::smime_body(&part.body, &part.headers.transfer_encoding())?;
            let mut verification =
                cms::verify_detached(&sig, rewound(&mut signed)?, trust, policy)?;
            // Clients sign the CRLF form; a message stored with bare LFs is verified
            // again in that form when the digest does not match (RFC 8551 §3.1.1).
            if part.signed_has_lf && digest_mismatch(&verification) {
                let canonical = CrlfReader::new(rewound(&mut signed)?);
                let again = cms::verify_detached(&sig, canonical, trust, policy)?;
                if !digest_mismatch(&again) {
                    verification = again;
                }
            }
            scope = scope.on_signature(partial);
            layers.push(Found::Signed {
                verification,
                detached: true,
            });
            source = Source::spool(signed)?;
            path.push(0);
            continue;
        }
        if head.der || mime::smime_kind(headers).is_some() {
            let encoding = headers.transfer_encoding();
            let reader = Cursor::new(leftover).chain(source.reader());
            let body = decoded_body(reader, head.der, &encoding)?;
            let mut cms_in = BufReader::with_capacity(BUFFER, body);
            let mut peek = Vec::new();
            cms_in
                .by_ref()
                .take(CONTENT_TYPE_PEEK)
                .read_to_end(&mut peek)
                .map_err(MimeError::from_io)?;
            if peek.is_empty() {
                return Err(MimeError::Malformed {
                    reason: "the S/MIME body is empty".into(),
                }
                .into());
            }
            let content_type = cms_content_type(&peek)?;
            let cms_bytes = Cursor::new(peek).chain(cms_in);
            let mut out = new_spool();
            if content_type == oid::ENVELOPED_DATA || content_type == oid::AUTH_ENVELOPED_DATA {
                if partial {
                    // Inside a part of an unprotected multipart: not the message's
                    // own layer, so never decrypted here (EFAIL, row 4). The content
                    // is this encrypted entity as it was signed.
                    drop(cms_bytes);
                    if let Some(entity) = source.rewound_entity(PARTIAL_SCAN_LIMIT)?
                        && nested.len() < MAX_NESTED_PARTS
                    {
                        nested.push(NestedPart::new(path.clone(), entity));
                    }
                    consumed = Vec::new();
                    break;
                }
                let info = cms::decrypt_stream_any(cms_bytes, identities, &mut out)?;
                layers.push(Found::Layer(Layer::Encrypted { info }));
                source = Source::spool(out)?;
                path.push(0);
                continue;
            }
            if content_type == oid::SIGNED_DATA {
                let verification = cms::verify_opaque(cms_bytes, &mut out, trust, policy)?;
                source = Source::spool(out)?;
                path.push(0);
                if !verification.is_signed() {
                    layers.push(Found::Layer(Layer::CertificatesOnly {
                        certificates: verification.certificates().to_vec(),
                    }));
                    consumed = Vec::new();
                    break;
                }
                scope = scope.on_signature(partial);
                layers.push(Found::Signed {
                    verification,
                    detached: false,
                });
                continue;
            }
            return Err(CmsError::UnexpectedContentType {
                oid: content_type,
                expected: "enveloped, authEnveloped or signed data",
            }
            .into());
        }
        // Not S/MIME at this level. In an unprotected multipart a signed part covers
        // only itself (row 11): the first one is opened, Partial. In any multipart an
        // encrypted part is not the message's: listed, never decrypted (row 4).
        if let Some(ct) = &ct
            && ct.is_multipart()
        {
            source
                .reader()
                .take((PARTIAL_SCAN_LIMIT + 1).saturating_sub(consumed.len()) as u64)
                .read_to_end(&mut consumed)?;
            if consumed.len() <= PARTIAL_SCAN_LIMIT {
                let find_signed = scope == SignedScope::NotSigned;
                let room = MAX_NESTED_PARTS.saturating_sub(nested.len());
                let found = nested::search(&consumed, &path, find_signed, room);
                nested.extend(found.encrypted);
                if let Some((part_path, inner)) = found.signed {
                    partial = true;
                    path = part_path;
                    let mut spool = new_spool();
                    spool.write_all(&inner)?;
                    source = Source::spool(spool)?;
                    continue;
                }
            }
        }
        break;
    }
    let mut content = source.into_content(&consumed)?;
    let (outer_headers, from) = outer.unwrap_or_default();
    let prefix = content_prefix(&mut content)?;
    let inner_headers = protected_headers(&prefix);
    let encrypted = layers
        .iter()
        .any(|l| matches!(l, Found::Layer(Layer::Encrypted { .. })));
    let header_protected = super::protected::covered(&prefix, encrypted, scope).is_some();
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
        content_path: path,
        nested,
    })
}

/// A layer as unwrapped, before the signers are judged.
enum Found {
    Layer(Layer),
    Signed {
        verification: Verification,
        detached: bool,
    },
}

/// The entity being looked at: the caller's input, or the spool a layer wrote.
enum Source<R> {
    Input(BufReader<R>),
    Spool(BufReader<SpooledTempFile>),
}

impl<R: Read> Source<R> {
    fn spool(mut spool: SpooledTempFile) -> io::Result<Self> {
        spool.seek(SeekFrom::Start(0))?;
        Ok(Source::Spool(BufReader::with_capacity(BUFFER, spool)))
    }

    fn reader(&mut self) -> &mut dyn BufRead {
        match self {
            Source::Input(r) => r,
            Source::Spool(r) => r,
        }
    }

    /// The whole entity again from its start, when it is a spool of at most `limit`
    /// bytes (a part found in a searched multipart always is: the descent into it
    /// writes a spool, so the caller's input is never met here); `None` otherwise.
    fn rewound_entity(&mut self, limit: usize) -> io::Result<Option<Vec<u8>>> {
        let Source::Spool(r) = self else {
            return Ok(None);
        };
        r.seek(SeekFrom::Start(0))?;
        let mut entity = Vec::new();
        r.take(limit as u64 + 1).read_to_end(&mut entity)?;
        Ok((entity.len() <= limit).then_some(entity))
    }

    /// The whole entity as the content: a spool from its start, or the input's
    /// `consumed` bytes and the rest copied to a new spool.
    fn into_content(self, consumed: &[u8]) -> io::Result<SpooledContent> {
        match self {
            Source::Spool(r) => SpooledContent::from_spool(r.into_inner()),
            Source::Input(mut r) => {
                let mut spool = new_spool();
                spool.write_all(consumed)?;
                io::copy(&mut r, &mut spool)?;
                SpooledContent::from_spool(spool)
            }
        }
    }
}

/// A spool read again from its start.
fn rewound(spool: &mut SpooledTempFile) -> io::Result<BufReader<&mut SpooledTempFile>> {
    spool.seek(SeekFrom::Start(0))?;
    Ok(BufReader::with_capacity(BUFFER, spool))
}

/// An entity's header block, as read.
struct Head {
    /// The bytes read: the header block (for bare CMS, nothing).
    raw: Vec<u8>,
    /// The parsed block; empty when it does not parse (then the entity is content).
    headers: HeaderBlock,
    /// The entity is bare BER/DER CMS (its first byte is a SEQUENCE tag).
    der: bool,
}

/// Reads an entity's header block: lines up to the empty line, at most
/// [`MAX_HEADER_BYTES`] + 1 bytes. A block over [`MAX_HEADER_BYTES`] or
/// [`MAX_HEADER_FIELDS`](crate::mime::MAX_HEADER_FIELDS) is
/// [`MimeError::LimitExceeded`].
fn read_head(r: &mut dyn BufRead) -> Result<Head, Error> {
    let first = r.fill_buf()?.first().copied();
    if first == Some(0x30) {
        return Ok(Head {
            raw: Vec::new(),
            headers: HeaderBlock::default(),
            der: true,
        });
    }
    let mut raw = Vec::new();
    loop {
        let room = (MAX_HEADER_BYTES + 1).saturating_sub(raw.len()) as u64;
        let start = raw.len();
        let n = r.take(room).read_until(b'\n', &mut raw)?;
        let line = raw.get(start..).unwrap_or_default();
        if n == 0 || matches!(line, b"\r\n" | b"\n") || raw.len() > MAX_HEADER_BYTES {
            break;
        }
    }
    // A block over the caps is refused (an endless header block must end somewhere);
    // one that does not parse makes the entity plain content, as in memory.
    let headers = match read_header_block(&mut &raw[..]) {
        Ok(headers) => headers,
        Err(e @ MimeError::LimitExceeded { .. }) => return Err(e.into()),
        Err(_) => HeaderBlock::default(),
    };
    Ok(Head {
        raw,
        headers,
        der: false,
    })
}

/// The CMS bytes of an S/MIME body, its transfer encoding undone as they are read.
fn decoded_body<'a, R: BufRead + 'a>(
    mut r: R,
    der: bool,
    encoding: &TransferEncoding,
) -> Result<Box<dyn Read + 'a>, Error> {
    if der {
        return Ok(Box::new(r));
    }
    match encoding {
        TransferEncoding::Base64 => return Ok(Box::new(Base64Reader::new(r))),
        TransferEncoding::SevenBit | TransferEncoding::EightBit | TransferEncoding::Binary => {
            // BER starts with 0x30; PEM armour (after white space) with '-'.
            let peek = r.fill_buf()?;
            if !peek.trim_ascii_start().starts_with(b"-") && !peek.is_empty() {
                return Ok(Box::new(r));
            }
        }
        _ => {}
    }
    // Quoted-printable, PEM, an unknown encoding: decoded in memory, capped.
    let mut body = Vec::new();
    r.take(MAX_BUFFERED_BODY as u64 + 1)
        .read_to_end(&mut body)?;
    if body.len() > MAX_BUFFERED_BODY {
        return Err(MimeError::LimitExceeded {
            what: "S/MIME body bytes in quoted-printable or PEM",
            limit: MAX_BUFFERED_BODY,
        }
        .into());
    }
    Ok(Box::new(Cursor::new(mime::smime_body(&body, encoding)?)))
}

/// Whether the signed bytes differ from what a signer signed: its digest, or the
/// eContent a multipart/signed signature also carries (issue 15 finding 11).
fn digest_mismatch(v: &Verification) -> bool {
    v.signers().iter().any(|s| {
        matches!(
            s.outcome(),
            Err(cms::InvalidReason::DigestMismatch | cms::InvalidReason::ContentPlacement(_))
        )
    })
}

/// The start of the content, enough for its header block and that of an entity it
/// wraps (`message/rfc822`): two capped header blocks.
fn content_prefix(content: &mut SpooledContent) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::new();
    content
        .by_ref()
        .take(2 * (MAX_HEADER_BYTES as u64 + 1))
        .read_to_end(&mut prefix)?;
    content.rewind()?;
    Ok(prefix)
}
