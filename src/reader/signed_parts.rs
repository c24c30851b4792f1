//! Taking a `multipart/signed` body apart as it streams (RFC 1847 §2.1, RFC 2046
//! §5.1.1): the signed part goes, byte for byte as transmitted, to a writer (the
//! reader's spool); the signature part, small by nature, is kept in memory up to
//! [`MAX_SIGNATURE_PART`]. The same cuts as the in-memory `mime::signed_split`:
//! delimiter lines start with `--boundary` followed by `--`, white space or the line
//! end, and the line break before a delimiter belongs to the delimiter.

use std::io::{BufRead, Read, Write};

use crate::error::{Error, MimeError};
use crate::mime::{HeaderBlock, read_header_block};

/// Largest signature part (headers and encoded body) accepted: the SignedData's
/// certificates, CRLs and SignerInfos are capped at 16 MiB by `cms`, which base64
/// makes about 22 MiB.
pub(crate) const MAX_SIGNATURE_PART: usize = 24 << 20;
/// Lines are read in pieces of at most this size, so a line that never ends costs
/// no more memory than this; a delimiter line (at most 70 + 4 bytes of boundary,
/// RFC 2046 §5.1.1) always fits in one piece.
const PIECE: u64 = 64 * 1024;

/// The signature part of a streamed multipart/signed entity.
pub(crate) struct SignaturePart {
    /// The signature part's header block.
    pub headers: HeaderBlock,
    /// The signature part's (encoded) body.
    pub body: Vec<u8>,
    /// Whether the signed part holds a line feed (then a CRLF form may be tried).
    pub signed_has_lf: bool,
}

fn no_two_parts() -> Error {
    MimeError::Malformed {
        reason: "multipart/signed without two parts".into(),
    }
    .into()
}

/// Reads the next piece of a line (up to and including `\n`, or [`PIECE`] bytes);
/// an empty piece is the end of the input.
fn piece<R: BufRead>(r: &mut R, line: &mut Vec<u8>) -> Result<usize, Error> {
    line.clear();
    Ok(r.by_ref().take(PIECE).read_until(b'\n', line)?)
}

fn is_delimiter(line: &[u8], delim: &[u8]) -> bool {
    line.starts_with(delim)
        && matches!(
            line.get(delim.len()),
            None | Some(b'\r' | b'\n' | b' ' | b'\t' | b'-')
        )
}

/// Reads the rest of a delimiter line whose first piece is `line`.
fn finish_line<R: BufRead>(r: &mut R, line: &mut Vec<u8>) -> Result<(), Error> {
    while !line.ends_with(b"\n") {
        if piece(r, line)? == 0 {
            return Err(no_two_parts());
        }
    }
    Ok(())
}

/// Streams the body of a multipart/signed entity (after its header block) whose
/// boundary parameter is `boundary`: the first part to `signed`, the second returned.
/// Errors: [`MimeError::Malformed`] when the input ends before the second part,
/// [`MimeError::LimitExceeded`] for a signature part over [`MAX_SIGNATURE_PART`].
pub(crate) fn split_stream<R: BufRead, W: Write>(
    r: &mut R,
    boundary: &str,
    signed: &mut W,
) -> Result<SignaturePart, Error> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut line = Vec::with_capacity(1024);
    // The preamble: discarded up to the first delimiter line.
    let mut at_line_start = true;
    loop {
        if piece(r, &mut line)? == 0 {
            return Err(no_two_parts());
        }
        if at_line_start && is_delimiter(&line, delim) {
            finish_line(r, &mut line)?;
            break;
        }
        at_line_start = line.ends_with(b"\n");
    }
    // The signed part, up to the second delimiter line; its last line break is held
    // back until the next line shows it is not the delimiter's.
    let mut held: Vec<u8> = Vec::with_capacity(2);
    let mut has_lf = false;
    at_line_start = true;
    let skipper = LineSkipper::new(delim);
    loop {
        // A CR held back may pair with an LF read next: that is the line loop's.
        if held != b"\r" && skipper.skip(r, at_line_start, &mut held, &mut has_lf, signed)? {
            at_line_start = true;
            continue;
        }
        if piece(r, &mut line)? == 0 {
            return Err(no_two_parts());
        }
        if at_line_start && is_delimiter(&line, delim) {
            finish_line(r, &mut line)?;
            break;
        }
        if held == b"\r" && line == b"\n" {
            held.push(b'\n');
            at_line_start = true;
            continue;
        }
        let keep = trailing_break(&line);
        let (body, tail) = line.split_at(line.len() - keep);
        for chunk in [held.as_slice(), body] {
            has_lf |= chunk.contains(&b'\n');
            signed.write_all(chunk)?;
        }
        held.clear();
        held.extend_from_slice(tail);
        at_line_start = line.ends_with(b"\n");
    }
    // The signature part, up to the next delimiter line or the end.
    let mut part: Vec<u8> = Vec::new();
    held.clear();
    at_line_start = true;
    loop {
        if piece(r, &mut line)? == 0 {
            part.extend_from_slice(&held);
            break;
        }
        if at_line_start && is_delimiter(&line, delim) {
            break;
        }
        if part.len() + held.len() + line.len() > MAX_SIGNATURE_PART {
            return Err(MimeError::LimitExceeded {
                what: "multipart/signed signature part bytes",
                limit: MAX_SIGNATURE_PART,
            }
            .into());
        }
        if held == b"\r" && line == b"\n" {
            held.push(b'\n');
            at_line_start = true;
            continue;
        }
        part.extend_from_slice(&held);
        let keep = trailing_break(&line);
        let (body, tail) = line.split_at(line.len() - keep);
        part.extend_from_slice(body);
        held.clear();
        held.extend_from_slice(tail);
        at_line_start = line.ends_with(b"\n");
    }
    let headers = read_header_block(&mut &part[..]).map_err(|_| no_two_parts())?;
    let body = part.get(headers.raw().len()..).unwrap_or_default().to_vec();
    Ok(SignaturePart {
        headers,
        body,
        signed_has_lf: has_lf,
    })
}

/// The signed part's whole lines passed on straight from the reader's buffer, up to
/// the first line that may be a delimiter line (which the line-by-line loop then
/// judges): a SIMD search for `\n--boundary` instead of a read, a copy and a compare
/// per line (issue 12: they were a fifth of verifying 100 MiB).
struct LineSkipper<'a> {
    /// `--boundary`.
    delim: &'a [u8],
    /// `\n--boundary`, or `None` when the boundary holds a line break (never valid,
    /// RFC 2046 §5.1.1; such input goes line by line).
    finder: Option<memchr::memmem::Finder<'static>>,
}

impl<'a> LineSkipper<'a> {
    fn new(delim: &'a [u8]) -> Self {
        let clean = !delim.iter().any(|b| matches!(b, b'\r' | b'\n'));
        let nl_delim = [b"\n", delim].concat();
        LineSkipper {
            delim,
            finder: clean.then(|| memchr::memmem::Finder::new(&nl_delim).into_owned()),
        }
    }

    /// Passes the whole lines at the front of `r`'s buffer that cannot start a
    /// delimiter line to `signed` (after `held`; the last line break is held back in
    /// `held`, it may be the delimiter's) and returns true: the next byte starts a
    /// line. False when nothing was passed: no whole line in the buffer, or the first
    /// line may be a delimiter line.
    fn skip<R: BufRead, W: Write>(
        &self,
        r: &mut R,
        at_line_start: bool,
        held: &mut Vec<u8>,
        has_lf: &mut bool,
        signed: &mut W,
    ) -> Result<bool, Error> {
        let Some(finder) = &self.finder else {
            return Ok(false);
        };
        let buf = r.fill_buf()?;
        let Some(last_lf) = memchr::memrchr(b'\n', buf) else {
            return Ok(false);
        };
        // Every line that starts before `end` ends inside it.
        let end = last_lf + 1;
        let region = buf.get(..end).unwrap_or_default();
        if at_line_start && region.starts_with(self.delim) {
            return Ok(false);
        }
        // The first line that starts with `--boundary` (its `\n` is at `lf`).
        let stop = finder.find(region).map_or(end, |lf| lf + 1);
        let lines = region.get(..stop).unwrap_or_default();
        // `trailing_break` counts bytes of `lines` itself: the split is in range.
        let keep = trailing_break(lines);
        let (body, tail) = lines.split_at(lines.len() - keep);
        for chunk in [held.as_slice(), body] {
            *has_lf = *has_lf || memchr::memchr(b'\n', chunk).is_some();
            signed.write_all(chunk)?;
        }
        held.clear();
        held.extend_from_slice(tail);
        r.consume(stop);
        Ok(true)
    }
}

/// How many bytes at the end of `line` may be the line break before a delimiter:
/// `\r\n`, `\n`, or a `\r` whose `\n` comes in the next piece.
fn trailing_break(line: &[u8]) -> usize {
    if line.ends_with(b"\r\n") {
        2
    } else if line.ends_with(b"\n") || line.ends_with(b"\r") {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::signed_split;

    fn both(body: &[u8], boundary: &str) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut signed = Vec::new();
        let streamed = split_stream(&mut &body[..], boundary, &mut signed)
            .ok()
            .map(|p| (signed, p.body, p.headers.raw().to_vec()));
        let in_memory = signed_split::split(body, boundary).map(|p| {
            (
                p.signed.to_vec(),
                p.signature_body.to_vec(),
                p.signature_headers.raw().to_vec(),
            )
        });
        assert_eq!(streamed, in_memory, "{:?}", String::from_utf8_lossy(body));
        streamed.map(|(signed, sig, _)| (signed, sig))
    }

    #[test]
    fn cuts_where_the_in_memory_split_cuts() {
        let (signed, sig) = both(b"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--b--\r\nepilogue", "b").unwrap();
        assert_eq!(signed, b"Content-Type: text/plain\r\n\r\nhi\r\n");
        assert_eq!(sig, b"AAAA");
        both(
            b"--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: x\n\nAA\n--b--\n",
            "b",
        )
        .unwrap();
        both(b"--b\r\n\r\n--b\r\nX: y\r\n\r\nAA", "b").unwrap();
        both(
            b"--b\r\nA\r\n--bc\r\nB\r\n--b \r\nX: y\r\n\r\nAA\r\n--b--",
            "b",
        )
        .unwrap();
        assert!(both(b"no boundaries here", "b").is_none());
        assert!(both(b"--b\r\nonly one part, no end", "b").is_none());
    }

    #[test]
    fn every_read_size_cuts_where_the_in_memory_split_cuts() {
        // Lines that look like delimiters but are not, delimiters after CRLF, LF and
        // a CR split from its LF, an empty line, a long line, dashes in the middle.
        let mut body = b"pre\r\n--b\r\nContent-Type: text/plain\r\n\r\n".to_vec();
        for i in 0..300 {
            body.extend_from_slice(match i % 9 {
                0 => &b"--bc not it\r\n"[..],
                1 => b"x --b in the middle\r\n",
                2 => b"--b-x\r\n",
                3 => b"\r\n",
                4 => b"bare lf\n",
                5 => b"-- \r\n",
                _ => b"a line of text that is long enough to cross small buffers\r\n",
            });
        }
        body.extend_from_slice(b"last\r\n--b\r\nContent-Type: x\r\n\r\nAAAA\r\n--b--\r\n");
        let want = both(&body, "b").unwrap();
        let lf_form = crate::mime::to_crlf(&body)
            .iter()
            .copied()
            .filter(|&b| b != b'\r')
            .collect::<Vec<u8>>();
        let want_lf = both(&lf_form, "b").unwrap();
        for (input, want) in [(&body, &want), (&lf_form, &want_lf)] {
            for cap in [1, 2, 3, 5, 8, 64, 100, 4096] {
                let mut r = std::io::BufReader::with_capacity(cap, &input[..]);
                let mut signed = Vec::new();
                let part = split_stream(&mut r, "b", &mut signed).unwrap();
                assert_eq!((&signed, &part.body), (&want.0, &want.1), "capacity {cap}");
                assert_eq!(part.signed_has_lf, signed.contains(&b'\n'));
            }
        }
        // The signed part ends right where the next delimiter starts a buffer.
        let exact = b"--b\r\nX: y\r\n\r\nhi\r\n--b\r\nX: y\r\n\r\nAA\r\n--b--\r\n";
        let want = both(exact, "b").unwrap();
        for cap in 1..exact.len() {
            let mut r = std::io::BufReader::with_capacity(cap, &exact[..]);
            let mut signed = Vec::new();
            split_stream(&mut r, "b", &mut signed).unwrap();
            assert_eq!(signed, want.0, "capacity {cap}");
        }
    }

    #[test]
    fn a_long_line_and_a_line_break_across_pieces() {
        let mut long = b"--b\r\nX: y\r\n\r\n".to_vec();
        long.extend(std::iter::repeat_n(b'a', PIECE as usize - 1));
        long.extend_from_slice(b"\r\n--b\r\nX: y\r\n\r\nAA\r\n--b--\r\n");
        let (signed, _) = both(&long, "b").unwrap();
        assert!(signed.ends_with(b"aaa"));
    }

    #[test]
    fn an_endless_signature_part_is_refused() {
        let mut r = std::io::Read::chain(
            &b"--b\r\nX: y\r\n\r\nhi\r\n--b\r\nX: y\r\n\r\n"[..],
            std::io::repeat(b'A').take(MAX_SIGNATURE_PART as u64 + 10),
        );
        let mut r = std::io::BufReader::new(&mut r);
        let err = split_stream(&mut r, "b", &mut std::io::sink())
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("signature part")));
    }
}
