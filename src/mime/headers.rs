//! Reading the header block of a message or MIME entity without touching its body.
//!
//! RFC 5322 §2.1: a message is header fields, an empty line, then the body. A MIME
//! entity inside a multipart body has the same shape (RFC 2045 §2.4). The streaming
//! decryption path reads only this block from its input and then hands the rest of
//! the reader, positioned at the first body byte, to the transfer decoder.
//!
//! Every field keeps its exact bytes ([`HeaderField::raw`]), so that fields copied to
//! another message (the outer headers kept by encryption) are written out verbatim.

use std::io::{self, BufRead};

use crate::error::MimeError;
use crate::mime::content_type::{ContentType, TransferEncoding};

/// The most bytes `read_header_block` accepts before giving up (1 MiB). Real header
/// blocks are a few kilobytes; this bounds the memory a hostile message can claim.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// The most header fields `read_header_block` accepts. Real messages carry well
/// under a hundred; long `Received:` chains stay far below this.
pub const MAX_HEADER_FIELDS: usize = 1000;

/// One header field (RFC 5322 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    name: String,
    value: String,
    raw: Vec<u8>,
}

impl HeaderField {
    /// Builds a field `name: value` ending in CRLF, for fields a program adds itself.
    ///
    /// The name must be printable US-ASCII without `:` (RFC 5322 §3.6.8) and the value
    /// must not contain CR or LF, so that a value cannot smuggle in another field.
    pub fn new(name: &str, value: &str) -> Result<Self, MimeError> {
        if !is_field_name(name.as_bytes()) {
            return Err(MimeError::Malformed {
                reason: format!("{name:?} is not a valid header field name"),
            });
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(MimeError::Malformed {
                reason: format!("the value of header field {name} contains a line break"),
            });
        }
        let value = value.trim_matches([' ', '\t']);
        Ok(HeaderField {
            name: name.to_owned(),
            value: value.to_owned(),
            raw: format!("{name}: {value}\r\n").into_bytes(),
        })
    }

    /// The field name as written (compare it with [`HeaderField::is`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field body, unfolded (RFC 5322 §2.2.3) and without surrounding white space.
    /// Bytes that are not UTF-8 are replaced by U+FFFD; [`HeaderField::raw`] keeps them.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The exact bytes of the field: name, colon, body with its folding, line end.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Whether this field is called `name`; field names are case-insensitive
    /// (RFC 5322 §1.2.2).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// The header block of a message or MIME entity, as read by `read_header_block`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderBlock {
    raw: Vec<u8>,
    fields: Vec<HeaderField>,
}

impl HeaderBlock {
    /// Every byte read from the input: an mbox `From ` line if there was one, the
    /// fields, and the empty line that ends the block (absent when the input ended
    /// first). Its length is the offset of the body.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The fields in the order they appear.
    pub fn fields(&self) -> &[HeaderField] {
        &self.fields
    }

    /// The first field called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&HeaderField> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// Every field called `name` (case-insensitive), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a HeaderField> + 'a {
        self.fields.iter().filter(move |f| f.is(name))
    }

    /// The parsed `Content-Type` field, or `None` when there is none (RFC 2045 §5.2 then
    /// makes the entity `text/plain; charset=us-ascii`).
    pub fn content_type(&self) -> Result<Option<ContentType>, MimeError> {
        self.get("Content-Type")
            .map(|f| ContentType::parse(f.value()))
            .transpose()
    }

    /// The `Content-Transfer-Encoding`; `7bit` when the field is absent (RFC 2045 §6.1).
    pub fn transfer_encoding(&self) -> TransferEncoding {
        self.get("Content-Transfer-Encoding")
            .map(|f| TransferEncoding::parse(f.value()))
            .unwrap_or(TransferEncoding::SevenBit)
    }
}

/// Whether `name` is a valid field name: printable US-ASCII except `:` (RFC 5322 §3.6.8).
fn is_field_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b) && b != b':')
}

/// Reads the header block of a message or MIME entity from `r` and stops at the first
/// byte of the body.
///
/// The block ends at the first empty line (which is consumed) or at the end of the
/// input. Line ends may be CRLF or bare LF. A first line starting with `From ` (the
/// mbox separator that saved mail often keeps) is skipped. A field without a valid
/// name and colon, or a continuation line before any field, is
/// [`MimeError::Malformed`]; more than [`MAX_HEADER_BYTES`] bytes or
/// [`MAX_HEADER_FIELDS`] fields is [`MimeError::LimitExceeded`].
pub fn read_header_block<R: BufRead>(r: &mut R) -> Result<HeaderBlock, MimeError> {
    let mut block = HeaderBlock::default();
    // Start offset in `block.raw` of the field being collected.
    let mut current: Option<usize> = None;
    let mut first_line = true;
    // End in `block.raw` of the last field line (before the empty line).
    let mut fields_end = 0;
    loop {
        let start = block.raw.len();
        if !read_line(r, &mut block.raw)? {
            break;
        }
        let line = block.raw.get(start..).unwrap_or_default();
        let is_first = std::mem::replace(&mut first_line, false);
        if matches!(line, b"\r\n" | b"\n") {
            break;
        }
        fields_end = block.raw.len();
        if is_first && line.starts_with(b"From ") {
            continue;
        }
        match line.first() {
            Some(b' ' | b'\t') => {
                if current.is_none() {
                    return Err(MimeError::Malformed {
                        reason: "the header block starts with a continuation line".into(),
                    });
                }
            }
            _ => {
                if let Some(field_start) = current.take() {
                    push_field(&mut block, field_start, start)?;
                }
                current = Some(start);
            }
        }
    }
    if let Some(field_start) = current {
        push_field(&mut block, field_start, fields_end)?;
    }
    Ok(block)
}

/// Appends one line (up to and including LF, or up to the end of input) to `raw`.
/// Returns `false` when the input is already at its end.
fn read_line<R: BufRead>(r: &mut R, raw: &mut Vec<u8>) -> Result<bool, MimeError> {
    let mut read_any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(avail) => avail,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(MimeError::Io(e)),
        };
        if avail.is_empty() {
            return Ok(read_any);
        }
        read_any = true;
        let (take, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if raw.len() + take > MAX_HEADER_BYTES {
            return Err(MimeError::LimitExceeded {
                what: "header block size in bytes",
                limit: MAX_HEADER_BYTES,
            });
        }
        raw.extend_from_slice(avail.get(..take).unwrap_or_default());
        r.consume(take);
        if done {
            return Ok(true);
        }
    }
}

/// Parses `block.raw[start..end]` as one (possibly folded) field and appends it.
fn push_field(block: &mut HeaderBlock, start: usize, end: usize) -> Result<(), MimeError> {
    if block.fields.len() >= MAX_HEADER_FIELDS {
        return Err(MimeError::LimitExceeded {
            what: "number of header fields",
            limit: MAX_HEADER_FIELDS,
        });
    }
    let raw = block.raw.get(start..end).unwrap_or_default();
    let Some(colon) = raw.iter().position(|&b| b == b':') else {
        return Err(MimeError::Malformed {
            reason: format!("header line {:?} has no colon", preview(raw)),
        });
    };
    let (name, rest) = raw.split_at(colon);
    // RFC 5322 §4.5 (obsolete syntax): white space may precede the colon.
    let name = name.trim_ascii_end();
    if !is_field_name(name) {
        return Err(MimeError::Malformed {
            reason: format!("header line {:?} has no valid field name", preview(raw)),
        });
    }
    // RFC 5322 §2.2.3: unfolding removes each line break that precedes white space.
    let unfolded: Vec<u8> = rest
        .get(1..)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    block.fields.push(HeaderField {
        name: String::from_utf8_lossy(name).into_owned(),
        value: String::from_utf8_lossy(unfolded.trim_ascii()).into_owned(),
        raw: raw.to_vec(),
    });
    Ok(())
}

/// The start of a line, for error messages.
fn preview(line: &[u8]) -> String {
    let cut = line.get(..line.len().min(40)).unwrap_or_default();
    String::from_utf8_lossy(cut.trim_ascii_end()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Read};

    const MESSAGE: &[u8] = b"From: Alice <alice@example.com>\r\n\
To: bob@example.com,\r\n\tcarol@example.com\r\n\
Subject:  Hello \r\n\
content-type: text/plain;\r\n charset=\"utf-8\"\r\n\
\r\n\
Body line\r\n";

    #[test]
    fn reads_fields_and_stops_at_body() {
        for cap in [1, 2, 7, 64, 8192] {
            let mut r = BufReader::with_capacity(cap, MESSAGE);
            let block = read_header_block(&mut r).unwrap();
            assert_eq!(block.fields().len(), 4);
            assert_eq!(
                block.get("to").unwrap().value(),
                "bob@example.com,\tcarol@example.com"
            );
            assert_eq!(block.get("SUBJECT").unwrap().value(), "Hello");
            assert_eq!(block.get("Subject").unwrap().raw(), b"Subject:  Hello \r\n");
            assert_eq!(
                block.get("Content-Type").unwrap().raw(),
                b"content-type: text/plain;\r\n charset=\"utf-8\"\r\n"
            );
            let ct = block.content_type().unwrap().unwrap();
            assert_eq!(ct.mime_type(), "text/plain");
            assert_eq!(ct.param("charset"), Some("utf-8"));
            let mut body = Vec::new();
            r.read_to_end(&mut body).unwrap();
            assert_eq!(body, b"Body line\r\n");
            assert_eq!(block.raw().len() + body.len(), MESSAGE.len());
        }
    }

    #[test]
    fn accepts_lf_mbox_line_and_missing_body() {
        let mut r: &[u8] = b"From alice@example.com Sat Apr 13 01:54:30 2013\nSubject: x\nX-A:1";
        let block = read_header_block(&mut r).unwrap();
        assert_eq!(block.fields().len(), 2);
        assert_eq!(block.get("x-a").unwrap().value(), "1");
        assert_eq!(block.get_all("subject").count(), 1);
        assert!(block.content_type().unwrap().is_none());
        assert_eq!(block.transfer_encoding(), TransferEncoding::SevenBit);

        let mut r: &[u8] = b"\r\nbody";
        let block = read_header_block(&mut r).unwrap();
        assert!(block.fields().is_empty());
        assert_eq!(r, b"body");

        let mut r: &[u8] = b"";
        assert!(read_header_block(&mut r).unwrap().fields().is_empty());
    }

    #[test]
    fn rejects_malformed_lines() {
        for bad in [
            &b" folded: first\r\n\r\n"[..],
            b"no colon here\r\n\r\n",
            b": empty name\r\n",
            b"bad name: x\r\n",
        ] {
            let mut r = bad;
            assert!(
                matches!(read_header_block(&mut r), Err(MimeError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn enforces_limits() {
        let many = "X: y\r\n".repeat(MAX_HEADER_FIELDS + 1);
        let mut r = many.as_bytes();
        assert!(matches!(
            read_header_block(&mut r),
            Err(MimeError::LimitExceeded {
                limit: MAX_HEADER_FIELDS,
                ..
            })
        ));
        let long = vec![b'a'; MAX_HEADER_BYTES + 10];
        let mut r = long.as_slice();
        assert!(matches!(
            read_header_block(&mut r),
            Err(MimeError::LimitExceeded {
                limit: MAX_HEADER_BYTES,
                ..
            })
        ));
        let mut folded = b"X: y\r\n".to_vec();
        folded.extend(" z\r\n".repeat(MAX_HEADER_BYTES / 4).bytes());
        let mut r = folded.as_slice();
        assert!(matches!(
            read_header_block(&mut r),
            Err(MimeError::LimitExceeded { .. })
        ));
    }

    #[test]
    fn new_field_refuses_injection() {
        let f = HeaderField::new("X-Test", " v ").unwrap();
        assert_eq!(f.raw(), b"X-Test: v\r\n");
        assert!(HeaderField::new("X-Test", "a\r\nBcc: eve@example.com").is_err());
        assert!(HeaderField::new("X Test", "a").is_err());
        assert!(HeaderField::new("", "a").is_err());
    }
}
