//! Header protection (RFC 9788): the message's header section travels inside the
//! cryptographic envelope, and for encrypted messages the outside shows only what
//! the Header Confidentiality Policy lets through.
//!
//! Sealing (`protect`): the Cryptographic Payload (the entity that is signed or
//! encrypted) gets every non-structural header field of the message (From, To, Cc,
//! Subject, Date, Message-ID, Reply-To, …; RFC 9788 §2.1), and its `Content-Type`
//! the `hp` parameter: `hp="clear"` when it is only signed, `hp="cipher"` when it is
//! encrypted (§2.1.1). For encrypted messages:
//!
//! * the outer header section follows `hcp_baseline` (§3.2.2): `Subject` becomes
//!   `[...]`, `Keywords` and `Comments` are removed, every other field stays;
//! * the payload carries one `HP-Outer` field per non-structural outer field
//!   (§2.2), so the recipient can tell what the outside showed;
//! * a Legacy Display Element (§4.5.1) repeats the obscured user-facing fields at
//!   the top of a `text/plain` body, marked `hp-legacy-display="1"`, for clients
//!   that do not know header protection. RFC 9788 §4.5 asks for it while the
//!   recipients' support is unknown, which is always the case here, so it is on by
//!   default ([`HeaderProtection::legacy_display`]). It is written only into a
//!   leaf `text/plain` body in 7bit/8bit (or no) transfer encoding; other bodies
//!   (multipart, HTML, base64, quoted-printable) go without it.
//!
//! Reading ([`ProtectedHeaders::from_payload`]): the payload's `hp` parameter (or the
//! older draft's `protected-headers="v1"`, which the public test vectors use) marks
//! a protected header section; its fields and the `HP-Outer` record are returned.

use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};

use crate::cert::{Certificate, Identity};
use crate::cms::{EnvelopeOptions, SignOptions};
use crate::error::Error;
use crate::mime::canonical::to_crlf;
use crate::mime::content_type::TransferEncoding;
use crate::mime::headers::{HeaderBlock, HeaderField, read_header_block};
use crate::mime::{CrlfReader, SignFormat};

/// The Subject an encrypted message shows outside (RFC 9788 §3.2.2, `hcp_baseline`).
pub const OBSCURED_SUBJECT: &str = "[...]";

/// User-facing header fields (RFC 9788 §1.1.2): what a Legacy Display Element may
/// repeat when the policy removed or obscured it outside.
const USER_FACING: [&str; 8] = [
    "Subject", "From", "To", "Cc", "Date", "Reply-To", "Keywords", "Comments",
];

/// How sealing protects the message's header section (RFC 9788).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct HeaderProtection {
    /// Copy the header section into the Cryptographic Payload and, when
    /// encrypting, apply `hcp_baseline` outside. On by default (RFC 9788 §4).
    pub enabled: bool,
    /// Add a Legacy Display Element to an encrypted `text/plain` body, for
    /// recipients whose client may not understand header protection (RFC 9788
    /// §4.5). On by default: sealing never knows what the recipients' clients do.
    pub legacy_display: bool,
}

impl Default for HeaderProtection {
    fn default() -> Self {
        HeaderProtection {
            enabled: true,
            legacy_display: true,
        }
    }
}

impl HeaderProtection {
    /// No header protection: the message is sealed as before RFC 9788 (outer
    /// fields in the clear, only `Content-*` inside).
    pub fn off() -> Self {
        HeaderProtection {
            enabled: false,
            legacy_display: false,
        }
    }

    /// Header protection with or without the Legacy Display Element.
    pub fn with_legacy_display(mut self, on: bool) -> Self {
        self.legacy_display = on;
        self
    }
}

/// The `hp` parameter value: whether the payload is encrypted (RFC 9788 §2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HpScheme {
    /// `hp="clear"`: signed only; the outside is a copy of the inside.
    Clear,
    /// `hp="cipher"`: encrypted; the outside follows a confidentiality policy.
    Cipher,
    /// `protected-headers="v1"` (draft-autocrypt-lamps-protected-headers, the
    /// predecessor): the inside is authoritative, with no `HP-Outer` record.
    LegacyV1,
}

/// A message split for sealing with header protection: the outer fields, and the
/// start of the Cryptographic Payload (its header section, the empty line, and any
/// Legacy Display Element) to which the canonical body is appended.
pub(crate) struct ProtectedSplit {
    pub(crate) outer: Vec<HeaderField>,
    pub(crate) payload_start: Vec<u8>,
}

fn is_structural(field: &HeaderField) -> bool {
    field.is("MIME-Version")
        || field
            .name()
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("content-"))
}

/// `hcp_baseline` (RFC 9788 §3.2.2): the outer value of a field, or `None` when it
/// is removed.
fn hcp_baseline(field: &HeaderField) -> Option<HeaderField> {
    if field.is("Subject") {
        return HeaderField::new("Subject", OBSCURED_SUBJECT).ok();
    }
    if field.is("Keywords") || field.is("Comments") {
        return None;
    }
    Some(field.clone())
}

/// Pushes `field` with CRLF line ends.
fn push_field(out: &mut Vec<u8>, raw: &[u8]) {
    let mut raw = to_crlf(raw);
    if !raw.ends_with(b"\r\n") {
        raw.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&raw);
}

/// Splits `block` for sealing with header protection in `scheme` (see the module
/// documentation). `legacy_display` asks for a Legacy Display Element (only with
/// [`HpScheme::Cipher`], and only where one can be written).
pub(crate) fn protect(
    block: &HeaderBlock,
    scheme: HpScheme,
    legacy_display: bool,
) -> ProtectedSplit {
    let message_fields: Vec<&HeaderField> = block
        .fields()
        .iter()
        .filter(|f| !is_structural(f))
        .collect();
    // An `HP-Outer` in the input would be a forgery of our record: never copied.
    let message_fields: Vec<&HeaderField> = message_fields
        .into_iter()
        .filter(|f| !f.is("HP-Outer"))
        .collect();
    let outer: Vec<HeaderField> = match scheme {
        HpScheme::Cipher => message_fields
            .iter()
            .filter_map(|f| hcp_baseline(f))
            .collect(),
        _ => message_fields.iter().map(|f| (*f).clone()).collect(),
    };
    let content_fields: Vec<&HeaderField> = block
        .fields()
        .iter()
        .filter(|f| is_structural(f) && !f.is("MIME-Version"))
        .collect();
    let content_type = block.content_type().ok().flatten();
    let leaf_text = content_type
        .as_ref()
        .is_none_or(|ct| ct.mime_type() == "text/plain");
    let plain_encoding = matches!(
        block.transfer_encoding(),
        TransferEncoding::SevenBit | TransferEncoding::EightBit
    );
    // RFC 9788 §4.5.1: the user-facing fields the policy removed or obscured.
    let hidden: Vec<&HeaderField> = message_fields
        .iter()
        .copied()
        .filter(|f| USER_FACING.iter().any(|n| f.is(n)))
        .filter(|f| !outer.iter().any(|o| o == *f))
        .collect();
    let legacy = scheme == HpScheme::Cipher
        && legacy_display
        && leaf_text
        && plain_encoding
        && !hidden.is_empty();

    let mut head = Vec::new();
    for f in &message_fields {
        push_field(&mut head, f.raw());
    }
    if scheme == HpScheme::Cipher {
        // RFC 9788 §2.2: one HP-Outer per non-structural field shown outside.
        for o in &outer {
            if let Ok(hp) = HeaderField::new("HP-Outer", &format!("{}: {}", o.name(), o.value())) {
                push_field(&mut head, hp.raw());
            }
        }
    }
    let hp_param = match scheme {
        HpScheme::Clear => "; hp=\"clear\"",
        _ => "; hp=\"cipher\"",
    };
    let ld_param = if legacy {
        "; hp-legacy-display=\"1\""
    } else {
        ""
    };
    if content_type.is_none() {
        // RFC 2045 §5.2's default, made explicit to carry the parameter.
        head.extend_from_slice(
            format!("Content-Type: text/plain; charset=us-ascii{hp_param}{ld_param}\r\n")
                .as_bytes(),
        );
    }
    for f in content_fields {
        if f.is("Content-Type") {
            let mut raw = to_crlf(f.raw());
            while raw.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                raw.pop();
            }
            raw.extend_from_slice(hp_param.as_bytes());
            raw.extend_from_slice(ld_param.as_bytes());
            raw.extend_from_slice(b"\r\n");
            head.extend_from_slice(&raw);
        } else {
            push_field(&mut head, f.raw());
        }
    }
    head.extend_from_slice(b"\r\n");
    if legacy {
        for f in &hidden {
            push_field(&mut head, format!("{}: {}", f.name(), f.value()).as_bytes());
        }
        head.extend_from_slice(b"\r\n");
    }
    ProtectedSplit {
        outer,
        payload_start: head,
    }
}

/// Signs an RFC 5322 message with header protection (`hp="clear"`, RFC 9788 §4):
/// the outer header section stays as it is and a copy of it is signed with the
/// body. With `protection` off this is [`sign_message`](crate::mime::sign_message).
pub fn sign_message_protected<R: BufRead, W: Write>(
    mut input: R,
    identity: &Identity,
    options: &SignOptions,
    format: SignFormat,
    protection: HeaderProtection,
    out: W,
) -> Result<W, Error> {
    if !protection.enabled {
        return crate::mime::sign_message(input, identity, options, format, out);
    }
    let block = read_header_block(&mut input)?;
    let split = protect(&block, HpScheme::Clear, false);
    let entity = Cursor::new(split.payload_start).chain(CrlfReader::new(input));
    crate::mime::signed::sign_entity(&split.outer, entity, identity, options, format, out)
}

/// Encrypts an RFC 5322 message with header protection (`hp="cipher"`,
/// `hcp_baseline` outside, RFC 9788 §4). The input is read twice, as by
/// [`encrypt_message`](crate::mime::encrypt_message); with `protection` off this is
/// that function.
pub fn encrypt_message_protected<R: BufRead + Seek, W: Write>(
    mut input: R,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    protection: HeaderProtection,
    out: W,
) -> Result<W, Error> {
    if !protection.enabled {
        return crate::mime::encrypt_message(input, recipients, options, out);
    }
    let block = read_header_block(&mut input)?;
    let body_start = input.stream_position()?;
    let body_len = io::copy(&mut CrlfReader::new(&mut input), &mut io::sink())?;
    input.seek(SeekFrom::Start(body_start))?;
    let split = protect(&block, HpScheme::Cipher, protection.legacy_display);
    crate::mime::envelope::seal_split(
        &split.outer,
        &split.payload_start,
        input,
        Some(body_len),
        recipients,
        options,
        out,
    )
}

/// Signs, then encrypts, with header protection (RFC 9788 §4, RFC 8551 §3.7): the
/// signed payload carries the header section with `hp="cipher"` and the `HP-Outer`
/// record; the signed message and the encrypted one show `hcp_baseline` outside.
/// With `protection` off this is
/// [`sign_and_encrypt_message`](crate::mime::sign_and_encrypt_message).
#[allow(clippy::too_many_arguments)]
pub fn sign_and_encrypt_message_protected<R: BufRead, W: Write>(
    mut input: R,
    identity: &Identity,
    sign: &SignOptions,
    format: SignFormat,
    recipients: &[Certificate],
    envelope: &EnvelopeOptions,
    protection: HeaderProtection,
    out: W,
) -> Result<W, Error> {
    if !protection.enabled {
        return crate::mime::sign_and_encrypt_message(
            input, identity, sign, format, recipients, envelope, out,
        );
    }
    let block = read_header_block(&mut input)?;
    let split = protect(&block, HpScheme::Cipher, protection.legacy_display);
    let entity = Cursor::new(split.payload_start).chain(CrlfReader::new(input));
    let mut spool = tempfile::SpooledTempFile::new(8 << 20);
    crate::mime::signed::sign_entity(&split.outer, entity, identity, sign, format, &mut spool)?;
    spool.seek(SeekFrom::Start(0))?;
    // The signed message's outer fields are already the policy's: plain encryption.
    crate::mime::encrypt_message(BufReader::new(spool), recipients, envelope, out)
}

/// The protected header section found in a Cryptographic Payload (RFC 9788 §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedHeaders {
    scheme: HpScheme,
    fields: Vec<HeaderField>,
    hp_outer: Vec<(String, String)>,
    legacy_display: bool,
}

impl ProtectedHeaders {
    /// Reads the header block of a payload; `None` when it carries no protected
    /// header section (no `hp` parameter and no `protected-headers="v1"`).
    pub fn from_payload(payload: &HeaderBlock) -> Option<ProtectedHeaders> {
        let ct = payload.content_type().ok().flatten()?;
        let scheme = match ct.param("hp").map(str::to_ascii_lowercase).as_deref() {
            Some("cipher") => HpScheme::Cipher,
            Some("clear") => HpScheme::Clear,
            Some(_) => return None,
            None if ct
                .param("protected-headers")
                .is_some_and(|v| v.eq_ignore_ascii_case("v1")) =>
            {
                HpScheme::LegacyV1
            }
            None => return None,
        };
        let fields: Vec<HeaderField> = payload
            .fields()
            .iter()
            .filter(|f| !is_structural(f) && !f.is("HP-Outer"))
            .cloned()
            .collect();
        // HP-Outer means something only in an encrypted payload (RFC 9788 §2.2).
        let hp_outer = if scheme == HpScheme::Cipher {
            payload
                .get_all("HP-Outer")
                .filter_map(|f| {
                    let (name, value) = f.value().split_once(':')?;
                    Some((name.trim().to_owned(), value.trim().to_owned()))
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(ProtectedHeaders {
            scheme,
            fields,
            hp_outer,
            legacy_display: ct
                .param("hp-legacy-display")
                .is_some_and(|v| v.trim() == "1"),
        })
    }

    /// How the header section is protected.
    pub fn scheme(&self) -> HpScheme {
        self.scheme
    }

    /// The protected header fields, in order.
    pub fn fields(&self) -> &[HeaderField] {
        &self.fields
    }

    /// The first protected field called `name`.
    pub fn get(&self, name: &str) -> Option<&HeaderField> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// The names of the protected fields, in order, each once.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.fields {
            if !out.iter().any(|n| n.eq_ignore_ascii_case(f.name())) {
                out.push(f.name());
            }
        }
        out
    }

    /// What the sender's outer header section showed, as recorded by `HP-Outer`
    /// fields (name, value); empty unless the scheme is [`HpScheme::Cipher`].
    pub fn hp_outer(&self) -> &[(String, String)] {
        &self.hp_outer
    }

    /// The protected fields that the outside did not show as they are (obscured or
    /// removed by the sender's confidentiality policy), by the `HP-Outer` record.
    pub fn confidential(&self) -> Vec<&str> {
        if self.scheme != HpScheme::Cipher {
            return Vec::new();
        }
        self.names()
            .into_iter()
            .filter(|n| {
                let inside: Vec<&str> = self
                    .fields
                    .iter()
                    .filter(|f| f.is(n))
                    .map(|f| f.value())
                    .collect();
                let outside: Vec<&str> = self
                    .hp_outer
                    .iter()
                    .filter(|(o, _)| o.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.as_str())
                    .collect();
                inside != outside
            })
            .collect()
    }

    /// Whether the payload's main body carries a Legacy Display Element
    /// (`hp-legacy-display="1"`, RFC 9788 §4.5), which a reader that shows the
    /// protected fields may hide.
    pub fn has_legacy_display(&self) -> bool {
        self.legacy_display
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: bob@example.org\r\n\
Subject: The secret plan\r\n\
Keywords: plan\r\n\
Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello\r\n";

    fn text(b: &[u8]) -> String {
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn cipher_split_follows_hcp_baseline_and_records_the_outside() {
        let block = read_header_block(&mut &MESSAGE[..]).unwrap();
        let split = protect(&block, HpScheme::Cipher, true);
        let outer: Vec<String> = split.outer.iter().map(|f| text(f.raw())).collect();
        assert_eq!(
            outer,
            [
                "From: Alice <alice@example.org>\r\n",
                "To: bob@example.org\r\n",
                "Subject: [...]\r\n",
                "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n"
            ]
        );
        assert_eq!(
            text(&split.payload_start),
            "From: Alice <alice@example.org>\r\n\
To: bob@example.org\r\n\
Subject: The secret plan\r\n\
Keywords: plan\r\n\
Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\
HP-Outer: From: Alice <alice@example.org>\r\n\
HP-Outer: To: bob@example.org\r\n\
HP-Outer: Subject: [...]\r\n\
HP-Outer: Date: Thu, 03 Dec 2026 12:00:00 +0000\r\n\
Content-Type: text/plain; charset=utf-8; hp=\"cipher\"; hp-legacy-display=\"1\"\r\n\
\r\n\
Subject: The secret plan\r\n\
Keywords: plan\r\n\
\r\n"
        );
        // And it reads back: protected fields, HP-Outer, what was confidential.
        let payload = read_header_block(&mut &split.payload_start[..]).unwrap();
        let hp = ProtectedHeaders::from_payload(&payload).unwrap();
        assert_eq!(hp.scheme(), HpScheme::Cipher);
        assert_eq!(hp.get("Subject").unwrap().value(), "The secret plan");
        assert_eq!(hp.hp_outer().len(), 4);
        assert_eq!(hp.confidential(), ["Subject", "Keywords"]);
        assert!(hp.has_legacy_display());
    }

    #[test]
    fn clear_split_keeps_the_outside_and_no_legacy_display() {
        let block = read_header_block(&mut &MESSAGE[..]).unwrap();
        let split = protect(&block, HpScheme::Clear, true);
        assert_eq!(split.outer.len(), 5);
        let start = text(&split.payload_start);
        assert!(start.contains("Subject: The secret plan\r\n"));
        assert!(start.contains("Content-Type: text/plain; charset=utf-8; hp=\"clear\"\r\n"));
        assert!(!start.contains("HP-Outer"));
        assert!(start.ends_with("\r\n\r\n"));
        let payload = read_header_block(&mut start.as_bytes()).unwrap();
        let hp = ProtectedHeaders::from_payload(&payload).unwrap();
        assert_eq!(hp.scheme(), HpScheme::Clear);
        assert!(hp.confidential().is_empty());
    }

    #[test]
    fn no_legacy_display_in_multipart_base64_or_when_off() {
        let multipart = b"Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n";
        let b64 = b"Subject: s\r\nContent-Transfer-Encoding: base64\r\n\r\nSGk=\r\n";
        for (msg, ld) in [(&multipart[..], true), (&b64[..], true), (MESSAGE, false)] {
            let block = read_header_block(&mut &msg[..]).unwrap();
            let split = protect(&block, HpScheme::Cipher, ld);
            let start = text(&split.payload_start);
            assert!(!start.contains("hp-legacy-display"), "{start}");
            assert!(start.ends_with("\r\n\r\n") && !start.ends_with("\r\n\r\n\r\n"));
        }
        // No Content-Type: the default is written with the parameter.
        let block = read_header_block(&mut &b"Subject: s\r\n\r\nx"[..]).unwrap();
        let start = text(&protect(&block, HpScheme::Cipher, false).payload_start);
        assert!(start.contains("Content-Type: text/plain; charset=us-ascii; hp=\"cipher\"\r\n"));
    }

    #[test]
    fn forged_hp_outer_in_the_input_is_dropped_and_unknown_hp_is_ignored() {
        let msg = b"Subject: s\r\nHP-Outer: Subject: lie\r\n\r\nx";
        let block = read_header_block(&mut &msg[..]).unwrap();
        let split = protect(&block, HpScheme::Cipher, false);
        assert_eq!(text(&split.payload_start).matches("HP-Outer").count(), 1);
        let odd = b"Content-Type: text/plain; hp=\"maybe\"\r\n\r\n";
        let block = read_header_block(&mut &odd[..]).unwrap();
        assert!(ProtectedHeaders::from_payload(&block).is_none());
    }
}
