//! Finding the S/MIME part of a received message.
//!
//! An encrypted message is normally an `application/pkcs7-mime` root entity
//! (RFC 8551 §3.3), but real mail differs: older clients write
//! `application/x-pkcs7-mime` (RFC 8551 §3.2.1), KMail sends
//! `application/octet-stream` named `smime.p7m`, some gateways put the encrypted part
//! inside a `multipart/mixed`, and tools hand over bare DER or PEM CMS. All of these
//! are found here.
//!
//! Two ways in:
//!
//! * [`find_enveloped`] takes a whole message in memory and searches it, using
//!   `mail-parser` for multipart trees (it keeps the byte offsets of each part, so the
//!   part's body is sliced from the original bytes, never re-serialised).
//! * [`open_root_stream`] reads only the header block from a stream and, when the root
//!   entity itself is the S/MIME part (the common case), returns a reader that decodes
//!   its body on the fly, so that memory does not grow with the message. Otherwise it
//!   hands the stream back, intact, for the in-memory search.

use std::io::{self, BufRead, Cursor, Read};

use mail_parser::PartType;

use crate::error::MimeError;
use crate::mime::base64::Base64Reader;
use crate::mime::content_type::{ContentType, TransferEncoding, disposition_filename};
use crate::mime::decode;
use crate::mime::headers::{HeaderBlock, read_header_block};
use crate::mime::smime_type::SmimeType;

/// How deep multipart entities may nest before the search gives up. RFC 8551 §3.7
/// asks receivers to handle nesting "within reasonable resource limits"; real
/// messages nest three or four levels.
pub const MAX_MIME_DEPTH: usize = 32;

/// The `expected` text of [`MimeError::NoSmimePart`] from this module.
const EXPECTED: &str = "application/pkcs7-mime";

/// The S/MIME part of a received message, with its CMS bytes decoded.
#[derive(Clone)]
pub struct SmimePart {
    pub(crate) smime_type: SmimeType,
    pub(crate) cms: Vec<u8>,
    pub(crate) outer_headers: HeaderBlock,
    pub(crate) path: Vec<usize>,
}

impl std::fmt::Debug for SmimePart {
    /// Shows the CMS length, not its (possibly megabytes of) bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmimePart")
            .field("smime_type", &self.smime_type)
            .field("cms_len", &self.cms.len())
            .field("outer_fields", &self.outer_headers.fields().len())
            .field("path", &self.path)
            .finish()
    }
}

impl SmimePart {
    /// What the part's `smime-type` parameter announces ([`SmimeType::Unknown`] for
    /// bare CMS and parts without the parameter). A hint only: check the CMS itself.
    pub fn smime_type(&self) -> SmimeType {
        self.smime_type
    }

    /// The CMS `ContentInfo` bytes (BER or DER), with the transfer encoding removed.
    pub fn cms(&self) -> &[u8] {
        &self.cms
    }

    /// Takes the CMS bytes out of the part.
    pub fn into_cms(self) -> Vec<u8> {
        self.cms
    }

    /// The header block of the top-level message (empty for bare CMS input). These are
    /// the unprotected outer fields (RFC 8551 §3.1): keep them apart from any fields
    /// found inside the decrypted content.
    pub fn outer_headers(&self) -> &HeaderBlock {
        &self.outer_headers
    }

    /// Where the part sits in the MIME tree: child indices from the root, so `[]` is
    /// the root entity and `[1]` the second child of a root multipart.
    pub fn path(&self) -> &[usize] {
        &self.path
    }
}

/// Whether an entity with these headers carries S/MIME `application/pkcs7-mime`
/// content, and if so what its `smime-type` says.
///
/// Accepted: `application/pkcs7-mime` and `application/x-pkcs7-mime`
/// (RFC 8551 §3.2.1), and `application/octet-stream` whose `name` (Content-Type) or
/// `filename` (Content-Disposition) ends in `.p7m`, as KMail and some gateways send.
pub(crate) fn smime_kind(headers: &HeaderBlock) -> Option<SmimeType> {
    let ct: ContentType = headers.content_type().ok().flatten()?;
    let smime_type = || SmimeType::from_param(ct.param("smime-type"));
    match ct.mime_type() {
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => Some(smime_type()),
        "application/octet-stream" => {
            let p7m = |name: &str| name.trim().to_ascii_lowercase().ends_with(".p7m");
            let by_name = ct.param("name").is_some_and(p7m);
            let by_file = headers
                .get("Content-Disposition")
                .and_then(|f| disposition_filename(f.value()))
                .is_some_and(|n| p7m(&n));
            (by_name || by_file).then(smime_type)
        }
        _ => None,
    }
}

/// Whether a type announced by `smime-type` can be the encrypted layer. Parts that
/// say they are signed, certificates or compressed are searched past, though still
/// returned when nothing better exists (.NET labels EnvelopedData `signed-data`).
fn may_be_enveloped(t: SmimeType) -> bool {
    matches!(
        t,
        SmimeType::EnvelopedData | SmimeType::AuthEnvelopedData | SmimeType::Unknown
    )
}

/// Finds the encrypted (`application/pkcs7-mime`) part of a message held in memory
/// and decodes its CMS bytes.
///
/// In order:
///
/// 1. Input that is not MIME at all: bare BER/DER (first byte `0x30`) or PEM CMS
///    (`-----BEGIN PKCS7-----`, `-----BEGIN CMS-----`) is returned as it is, with
///    [`SmimeType::Unknown`] and no headers.
/// 2. The root entity, when it is an S/MIME part (see the module docs for the types
///    accepted), whatever its `smime-type`.
/// 3. Otherwise, in a multipart root, the first S/MIME part in document order whose
///    `smime-type` is enveloped, authEnveloped or absent; failing that, the first
///    S/MIME part of any type. Attached messages (`message/rfc822`) are not searched:
///    an encrypted message forwarded as an attachment is not this message's content.
///    Nesting deeper than [`MAX_MIME_DEPTH`] is [`MimeError::LimitExceeded`].
///
/// Errors: [`MimeError::NoSmimePart`] when there is no such part,
/// [`MimeError::Base64`] for a broken base64 body, [`MimeError::Malformed`] for an
/// empty input, a broken header block or an empty body.
pub fn find_enveloped(raw: &[u8]) -> Result<SmimePart, MimeError> {
    if raw.trim_ascii().is_empty() {
        return Err(MimeError::Malformed {
            reason: "the message is empty".into(),
        });
    }
    if raw.first() == Some(&0x30) {
        return Ok(bare(raw.to_vec()));
    }
    if decode::is_pem_cms(raw) {
        return Ok(bare(decode::pem_cms(raw)?));
    }
    let outer_headers = read_header_block(&mut &raw[..])?;
    if let Some(smime_type) = smime_kind(&outer_headers) {
        let body = raw.get(outer_headers.raw().len()..).unwrap_or_default();
        let cms = decode::smime_body(body, &outer_headers.transfer_encoding())?;
        return Ok(SmimePart {
            smime_type,
            cms,
            outer_headers,
            path: Vec::new(),
        });
    }
    let is_multipart = outer_headers
        .content_type()
        .ok()
        .flatten()
        .is_some_and(|ct| ct.is_multipart());
    if !is_multipart {
        return Err(MimeError::NoSmimePart { expected: EXPECTED });
    }
    let (path, headers, body) = find_in_multipart(raw)?;
    let smime_type = smime_kind(&headers).unwrap_or(SmimeType::Unknown);
    let cms = decode::smime_body(body, &headers.transfer_encoding())?;
    Ok(SmimePart {
        smime_type,
        cms,
        outer_headers,
        path,
    })
}

fn bare(cms: Vec<u8>) -> SmimePart {
    SmimePart {
        smime_type: SmimeType::Unknown,
        cms,
        outer_headers: HeaderBlock::default(),
        path: Vec::new(),
    }
}

/// Searches a multipart message for its S/MIME part; returns the part's path, header
/// block and (still encoded) body bytes.
fn find_in_multipart(raw: &[u8]) -> Result<(Vec<usize>, HeaderBlock, &[u8]), MimeError> {
    // mail-parser keeps offsets as u32.
    if u32::try_from(raw.len()).is_err() {
        return Err(MimeError::LimitExceeded {
            what: "in-memory message size in bytes",
            limit: u32::MAX as usize,
        });
    }
    let message = super::parse_message(raw).ok_or(MimeError::NoSmimePart { expected: EXPECTED })?;
    let mut fallback = None;
    // Depth-first in document order: (part id, path).
    let mut stack: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new())];
    while let Some((id, path)) = stack.pop() {
        let Some(part) = message.parts.get(id) else {
            continue;
        };
        let span = |from: u32, to: u32| raw.get(from as usize..to as usize);
        match &part.body {
            PartType::Multipart(children) => {
                if path.len() >= MAX_MIME_DEPTH && !children.is_empty() {
                    return Err(MimeError::LimitExceeded {
                        what: "multipart nesting depth",
                        limit: MAX_MIME_DEPTH,
                    });
                }
                for (index, &child) in children.iter().enumerate().rev() {
                    let mut child_path = path.clone();
                    child_path.push(index);
                    stack.push((child as usize, child_path));
                }
            }
            PartType::Message(_) => {}
            _ => {
                let Some(mut header_bytes) = span(part.offset_header, part.offset_body) else {
                    continue;
                };
                let Ok(headers) = read_header_block(&mut header_bytes) else {
                    continue;
                };
                let Some(kind) = smime_kind(&headers) else {
                    continue;
                };
                let body = span(part.offset_body, part.offset_end).unwrap_or_default();
                if may_be_enveloped(kind) {
                    return Ok((path, headers, body));
                }
                if fallback.is_none() {
                    fallback = Some((path, headers, body));
                }
            }
        }
    }
    fallback.ok_or(MimeError::NoSmimePart { expected: EXPECTED })
}

/// What [`open_root_stream`] found at the start of a stream.
#[derive(Debug)]
pub enum RootStream<R: BufRead> {
    /// The root entity is the S/MIME part; read its CMS bytes from here.
    Smime(StreamedPart<R>),
    /// The root is something else (multipart, text, …) or an S/MIME body this path
    /// does not stream; fall back to [`find_enveloped`] on the whole input, which
    /// [`NotRootSmime::into_reader`] gives back intact.
    NotRootSmime(NotRootSmime<R>),
}

/// An S/MIME root entity whose CMS bytes are decoded while they are read.
///
/// Reading fails with [`io::ErrorKind::InvalidData`] wrapping [`MimeError::Base64`]
/// when the base64 body is broken.
#[derive(Debug)]
pub struct StreamedPart<R: BufRead> {
    headers: HeaderBlock,
    smime_type: SmimeType,
    body: Body<R>,
}

/// How the body of a streamed part is decoded.
#[derive(Debug)]
enum Body<R: BufRead> {
    /// `base64`, or PEM armour (then up to the END line).
    Base64(Base64Reader<R>),
    /// `binary`, `8bit`, `7bit`, or bare DER: the bytes as they are.
    Raw(R),
}

impl<R: BufRead> StreamedPart<R> {
    /// The header block of the message (empty for bare CMS input).
    pub fn headers(&self) -> &HeaderBlock {
        &self.headers
    }

    /// What the `smime-type` parameter announces (a hint only).
    pub fn smime_type(&self) -> SmimeType {
        self.smime_type
    }
}

impl<R: BufRead> Read for StreamedPart<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.body {
            Body::Base64(r) => r.read(buf),
            Body::Raw(r) => r.read(buf),
        }
    }
}

/// A stream whose root entity is not a streamable S/MIME part; see
/// [`RootStream::NotRootSmime`].
#[derive(Debug)]
pub struct NotRootSmime<R: BufRead> {
    consumed: Vec<u8>,
    headers: HeaderBlock,
    rest: R,
}

impl<R: BufRead> NotRootSmime<R> {
    /// The header block that was read (empty when the input was not a message).
    pub fn headers(&self) -> &HeaderBlock {
        &self.headers
    }

    /// The whole input again: the bytes already read, then the rest of the stream.
    pub fn into_reader(self) -> io::Chain<Cursor<Vec<u8>>, R> {
        Cursor::new(self.consumed).chain(self.rest)
    }
}

/// Opens the S/MIME root entity of a message stream, reading nothing but its header
/// block, so that decryption can stream a message of any size.
///
/// Bare BER/DER (first byte `0x30`) streams as it is, PEM CMS through a base64 decoder
/// up to its END line, and an S/MIME root entity (as [`find_enveloped`] accepts it)
/// with `base64`, `7bit`, `8bit` or `binary` transfer encoding through the matching
/// decoder. Anything else returns [`RootStream::NotRootSmime`] with the input intact.
///
/// Errors: [`MimeError::Malformed`] for empty input or a broken header block,
/// [`MimeError::LimitExceeded`] for an oversized one, [`MimeError::Io`] when reading
/// fails.
pub fn open_root_stream<R: BufRead>(mut r: R) -> Result<RootStream<R>, MimeError> {
    let first = loop {
        match r.fill_buf() {
            Ok(avail) => break avail.first().copied(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(MimeError::Io(e)),
        }
    };
    let stream = |headers, smime_type, body| {
        RootStream::Smime(StreamedPart {
            headers,
            smime_type,
            body,
        })
    };
    match first {
        None => {
            return Err(MimeError::Malformed {
                reason: "the message is empty".into(),
            });
        }
        Some(0x30) => {
            return Ok(stream(
                HeaderBlock::default(),
                SmimeType::Unknown,
                Body::Raw(r),
            ));
        }
        Some(b'-') => {
            // Possibly PEM: the BEGIN line is short, so read it as a header line would be.
            let mut line = Vec::new();
            (&mut r)
                .take(128)
                .read_until(b'\n', &mut line)
                .map_err(MimeError::Io)?;
            if decode::is_pem_cms(&line) {
                let body = Base64Reader::with_boundary(r, b"-----END");
                return Ok(stream(
                    HeaderBlock::default(),
                    SmimeType::Unknown,
                    Body::Base64(body),
                ));
            }
            return Ok(RootStream::NotRootSmime(NotRootSmime {
                consumed: line,
                headers: HeaderBlock::default(),
                rest: r,
            }));
        }
        Some(_) => {}
    }
    let headers = read_header_block(&mut r)?;
    let not_smime = |headers: HeaderBlock, rest| {
        Ok(RootStream::NotRootSmime(NotRootSmime {
            consumed: headers.raw().to_vec(),
            headers,
            rest,
        }))
    };
    let Some(smime_type) = smime_kind(&headers) else {
        return not_smime(headers, r);
    };
    match headers.transfer_encoding() {
        TransferEncoding::Base64 => Ok(stream(
            headers,
            smime_type,
            Body::Base64(Base64Reader::new(r)),
        )),
        TransferEncoding::SevenBit | TransferEncoding::EightBit | TransferEncoding::Binary => {
            // A PEM body needs the in-memory path; BER starts with 0x30.
            let peek = r.fill_buf().map_err(MimeError::Io)?;
            if peek.trim_ascii_start().starts_with(b"-") {
                return not_smime(headers, r);
            }
            Ok(stream(headers, smime_type, Body::Raw(r)))
        }
        _ => not_smime(headers, r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPED: &[u8] = b"From: a@example.com\r\n\
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
MIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n";

    const CMS: &[u8] = &[
        0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0x80,
        0x30, 0x80, 0x02, 0x01, 0x00,
    ];

    #[test]
    fn finds_root_part() {
        let part = find_enveloped(ENVELOPED).unwrap();
        assert_eq!(part.smime_type(), SmimeType::EnvelopedData);
        assert_eq!(part.cms(), CMS);
        assert!(part.path().is_empty());
        assert_eq!(
            part.outer_headers().get("from").unwrap().value(),
            "a@example.com"
        );
    }

    #[test]
    fn finds_bare_cms() {
        let part = find_enveloped(CMS).unwrap();
        assert_eq!(part.smime_type(), SmimeType::Unknown);
        assert_eq!(part.into_cms(), CMS);
        let pem = b"-----BEGIN CMS-----\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\n-----END CMS-----\n";
        assert_eq!(find_enveloped(pem).unwrap().cms(), CMS);
    }

    #[test]
    fn finds_part_in_multipart_and_prefers_enveloped() {
        let msg = b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
preamble\r\n\
--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
--b1\r\nContent-Type: application/pkcs7-mime; smime-type=certs-only\r\n\
Content-Transfer-Encoding: base64\r\n\r\nMIAG\r\n\
--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n\
--b2\r\nContent-Type: application/x-pkcs7-mime\r\nContent-Transfer-Encoding: binary\r\n\r\n\
\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03\xa0\x80\x30\x80\x02\x01\x00\r\n\
--b2--\r\n\
--b1--\r\n";
        let part = find_enveloped(msg).unwrap();
        assert_eq!(part.path(), [2, 0]);
        assert_eq!(part.smime_type(), SmimeType::Unknown);
        assert_eq!(part.cms(), CMS);
    }

    #[test]
    fn octet_stream_p7m_by_filename() {
        let msg = b"Content-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"SMIME.P7M\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n";
        assert_eq!(find_enveloped(msg).unwrap().cms(), CMS);
        let msg = b"Content-Type: application/octet-stream; name=data.bin\r\n\r\nxx";
        assert!(matches!(
            find_enveloped(msg),
            Err(MimeError::NoSmimePart { .. })
        ));
    }

    #[test]
    fn typed_errors() {
        assert!(matches!(
            find_enveloped(b""),
            Err(MimeError::Malformed { .. })
        ));
        assert!(matches!(
            find_enveloped(b" \r\n"),
            Err(MimeError::Malformed { .. })
        ));
        assert!(matches!(
            find_enveloped(b"Subject: hi\r\n\r\nbody"),
            Err(MimeError::NoSmimePart { .. })
        ));
        let broken = b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: base64\r\n\r\nMIA*\r\n";
        assert!(matches!(find_enveloped(broken), Err(MimeError::Base64)));
        let empty =
            b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        assert!(matches!(
            find_enveloped(empty),
            Err(MimeError::Malformed { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_limited() {
        let depth = 100;
        let mut msg = String::from("Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
        for i in 1..depth {
            msg.push_str(&format!(
                "--b{}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n",
                i - 1
            ));
        }
        msg.push_str(&format!(
            "--b{}\r\nContent-Type: text/plain\r\n\r\nx\r\n",
            depth - 1
        ));
        for i in (0..depth).rev() {
            msg.push_str(&format!("--b{i}--\r\n"));
        }
        assert!(matches!(
            find_enveloped(msg.as_bytes()),
            Err(MimeError::LimitExceeded {
                limit: MAX_MIME_DEPTH,
                ..
            })
        ));
    }

    fn read_stream<R: BufRead>(s: RootStream<R>) -> Vec<u8> {
        let RootStream::Smime(mut part) = s else {
            panic!("expected an S/MIME root");
        };
        let mut out = Vec::new();
        part.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn streams_root_part() {
        let s = open_root_stream(ENVELOPED).unwrap();
        if let RootStream::Smime(p) = &s {
            assert_eq!(p.smime_type(), SmimeType::EnvelopedData);
            assert!(p.headers().get("Content-Type").is_some());
        }
        assert_eq!(read_stream(s), CMS);
        assert_eq!(read_stream(open_root_stream(CMS).unwrap()), CMS);
        let pem = b"-----BEGIN PKCS7-----\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\n-----END PKCS7-----\n";
        assert_eq!(read_stream(open_root_stream(&pem[..]).unwrap()), CMS);
        assert!(matches!(
            open_root_stream(&b""[..]),
            Err(MimeError::Malformed { .. })
        ));
    }

    #[test]
    fn non_root_stream_gives_input_back() {
        for input in [
            &b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--\r\n"[..],
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n0=80",
        ] {
            let RootStream::NotRootSmime(n) = open_root_stream(input).unwrap() else {
                panic!("expected a fallback for {input:?}");
            };
            let mut all = Vec::new();
            n.into_reader().read_to_end(&mut all).unwrap();
            assert_eq!(all, input);
        }
    }
}
