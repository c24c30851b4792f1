//! Header fields for wrapping a message into `application/pkcs7-mime`.
//!
//! Encrypting a whole message (RFC 8551 §3.1, §3.3) splits its header block in two:
//!
//! * the MIME fields (`Content-*`) describe the content and go *inside* the CMS, on
//!   the inner entity that is encrypted ([`inner_entity_headers`]);
//! * every other field (`From`, `To`, `Cc`, `Subject`, `Date`, `Message-ID`, …) stays
//!   on the outside so that the message can still be delivered and listed, followed by
//!   the fields that describe the S/MIME body ([`write_smime_headers`]).
//!
//! `MIME-Version` belongs to neither half: the outer message gets a fresh one.

use std::io::{self, Write};

use crate::mime::canonical::to_crlf;
use crate::mime::headers::{HeaderBlock, HeaderField};
use crate::mime::smime_type::SmimeType;

/// Splits a message's header block for encryption into (outer, inner) fields.
///
/// Outer: every field that is neither `Content-*` nor `MIME-Version`, in order.
/// Inner: the `Content-*` fields, in order. See the module documentation for why.
pub fn split_for_encryption(block: &HeaderBlock) -> (Vec<HeaderField>, Vec<HeaderField>) {
    let mut outer = Vec::new();
    let mut inner = Vec::new();
    for field in block.fields() {
        if is_content_field(field) {
            inner.push(field.clone());
        } else if !field.is("MIME-Version") {
            outer.push(field.clone());
        }
    }
    (outer, inner)
}

fn is_content_field(field: &HeaderField) -> bool {
    field
        .name()
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("content-"))
}

/// Writes `field` verbatim except that its line ends become CRLF (RFC 5322 §2.1).
fn write_field<W: Write>(out: &mut W, field: &HeaderField) -> io::Result<()> {
    let mut raw = to_crlf(field.raw());
    if !raw.ends_with(b"\r\n") {
        raw.extend_from_slice(b"\r\n");
    }
    out.write_all(&raw)
}

/// Writes the header block of an S/MIME message: the `outer` fields verbatim (with
/// CRLF line ends), then the fields that describe the `application/pkcs7-mime` body
/// (RFC 8551 §3.2, §3.3), then the empty line that ends the block.
///
/// `smime_type` is the parameter value: `enveloped-data`, `authEnveloped-data`,
/// `signed-data`, `certs-only` or `compressed-data` (case-insensitive; written as
/// RFC 8551 §3.2.2 spells it). Anything else is an [`io::ErrorKind::InvalidInput`]
/// error. The file name is `smime.p7m`, or `smime.p7c` for `certs-only`
/// (RFC 8551 §3.2.1), and encrypted types get a `Content-Description`.
/// The body that follows must be base64 lines, e.g. from
/// [`Base64LineWriter`](crate::mime::Base64LineWriter).
pub fn write_smime_headers<W: Write>(
    out: &mut W,
    outer: &[HeaderField],
    smime_type: &str,
) -> io::Result<()> {
    let kind = SmimeType::from_param(Some(smime_type));
    let Some(param) = kind.as_param() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{smime_type:?} is not an smime-type (RFC 8551 §3.2.2)"),
        ));
    };
    let file = if kind == SmimeType::CertsOnly {
        "smime.p7c"
    } else {
        "smime.p7m"
    };
    for field in outer {
        write_field(out, field)?;
    }
    write!(
        out,
        "MIME-Version: 1.0\r\n\
         Content-Type: application/pkcs7-mime; smime-type={param}; name=\"{file}\"\r\n\
         Content-Disposition: attachment; filename=\"{file}\"\r\n\
         Content-Transfer-Encoding: base64\r\n"
    )?;
    if kind.is_encrypted() {
        out.write_all(b"Content-Description: S/MIME Encrypted Message\r\n")?;
    }
    out.write_all(b"\r\n")
}

/// The header block of the inner entity that gets encrypted: the `inner` fields
/// verbatim with CRLF line ends, and the empty line that ends the block.
///
/// When there is no `Content-Type`, `Content-Type: text/plain; charset=us-ascii` is
/// written first: it is what RFC 2045 §5.2 assumes for an entity without one, made
/// explicit so the meaning survives the trip through encryption.
pub fn inner_entity_headers(inner: &[HeaderField]) -> Vec<u8> {
    let mut out = Vec::new();
    if !inner.iter().any(|f| f.is("Content-Type")) {
        out.extend_from_slice(b"Content-Type: text/plain; charset=us-ascii\r\n");
    }
    for field in inner {
        // Writing to a Vec cannot fail.
        let _ = write_field(&mut out, field);
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::headers::read_header_block;

    const MESSAGE: &[u8] = b"From: Alice <alice@example.com>\n\
To: bob@example.com\n\
MIME-Version: 1.0\n\
Subject: folded\n subject\n\
Content-Type: text/plain;\n charset=utf-8\n\
Content-Transfer-Encoding: 8bit\n\
Message-ID: <1@example.com>\n\
\n\
Hi\n";

    #[test]
    fn splits_and_writes_outer_headers() {
        let block = read_header_block(&mut &MESSAGE[..]).unwrap();
        let (outer, inner) = split_for_encryption(&block);
        let names: Vec<&str> = outer.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["From", "To", "Subject", "Message-ID"]);
        let names: Vec<&str> = inner.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["Content-Type", "Content-Transfer-Encoding"]);

        let mut out = Vec::new();
        write_smime_headers(&mut out, &outer, "authenveloped-data").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "From: Alice <alice@example.com>\r\n\
             To: bob@example.com\r\n\
             Subject: folded\r\n subject\r\n\
             Message-ID: <1@example.com>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name=\"smime.p7m\"\r\n\
             Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Description: S/MIME Encrypted Message\r\n\
             \r\n"
        );
        // What we write reads back as one S/MIME root.
        let again = read_header_block(&mut text.as_bytes()).unwrap();
        let ct = again.content_type().unwrap().unwrap();
        assert_eq!(ct.mime_type(), "application/pkcs7-mime");
        assert_eq!(ct.param("smime-type"), Some("authEnveloped-data"));

        assert_eq!(
            inner_entity_headers(&inner),
            b"Content-Type: text/plain;\r\n charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        );
    }

    #[test]
    fn certs_only_and_bad_types() {
        let mut out = Vec::new();
        write_smime_headers(&mut out, &[], "certs-only").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("name=\"smime.p7c\""));
        assert!(!text.contains("Content-Description"));
        let err = write_smime_headers(&mut Vec::new(), &[], "enveloped").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn default_content_type_is_made_explicit() {
        assert_eq!(
            inner_entity_headers(&[]),
            b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        );
        let cte = HeaderField::new("Content-Transfer-Encoding", "7bit").unwrap();
        assert_eq!(
            inner_entity_headers(&[cte]),
            b"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
        );
        // A field read at the end of input without a line end still ends in CRLF.
        let block = read_header_block(&mut &b"Content-Type: text/html"[..]).unwrap();
        assert_eq!(
            inner_entity_headers(block.fields()),
            b"Content-Type: text/html\r\n\r\n"
        );
    }
}
