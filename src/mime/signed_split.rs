//! Taking a `multipart/signed` entity apart by byte offsets (RFC 1847 §2.1): the
//! signed part exactly as it was transmitted (never re-serialised), and the
//! signature part's body.

use crate::mime::headers::{HeaderBlock, read_header_block};

/// The two parts of a multipart/signed entity.
pub(crate) struct SignedParts<'a> {
    /// The first part, including its header block, without the CRLF that belongs to
    /// the following boundary.
    pub signed: &'a [u8],
    /// The signature part's headers.
    pub signature_headers: HeaderBlock,
    /// The signature part's (encoded) body.
    pub signature_body: &'a [u8],
}

/// Splits `body` (the entity body after its header block) at `boundary`.
pub(crate) fn split<'a>(body: &'a [u8], boundary: &str) -> Option<SignedParts<'a>> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let starts = delimiter_lines(body, delim);
    let first = *starts.first()?;
    let second = *starts.get(1)?;
    let part1_start = line_end(body, first)?;
    let part1_end = strip_line_break_before(body, second, part1_start);
    let signed = body.get(part1_start..part1_end)?;
    let part2_start = line_end(body, second)?;
    let part2_end = starts
        .get(2)
        .map(|&s| strip_line_break_before(body, s, part2_start))
        .unwrap_or(body.len());
    let part2 = body.get(part2_start..part2_end)?;
    let mut cursor = part2;
    let signature_headers = read_header_block(&mut cursor).ok()?;
    let signature_body = part2.get(signature_headers.raw().len()..)?;
    Some(SignedParts {
        signed,
        signature_headers,
        signature_body,
    })
}

/// Offsets where a line starting with `delim` begins.
fn delimiter_lines(body: &[u8], delim: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + delim.len() <= body.len() {
        let at_line_start = i == 0 || body.get(i - 1) == Some(&b'\n');
        if at_line_start && body.get(i..i + delim.len()) == Some(delim) {
            // The delimiter is followed by "--", whitespace or the line end.
            let next = body.get(i + delim.len()).copied();
            if matches!(next, None | Some(b'\r' | b'\n' | b' ' | b'\t' | b'-')) {
                out.push(i);
            }
        }
        match body
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            Some(nl) => i += nl + 1,
            None => break,
        }
    }
    out
}

/// The offset just after the line that starts at `start`.
fn line_end(body: &[u8], start: usize) -> Option<usize> {
    let rest = body.get(start..)?;
    rest.iter()
        .position(|&b| b == b'\n')
        .map(|nl| start + nl + 1)
}

/// The end of a part that the delimiter line at `delim_start` closes: the CRLF (or
/// LF) before the delimiter belongs to the delimiter (RFC 2046 §5.1.1).
fn strip_line_break_before(body: &[u8], delim_start: usize, part_start: usize) -> usize {
    let mut end = delim_start;
    if end > part_start && body.get(end - 1) == Some(&b'\n') {
        end -= 1;
        if end > part_start && body.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
    }
    end.max(part_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_exactly() {
        let body = b"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--b--\r\n";
        let p = split(body, "b").unwrap();
        assert_eq!(p.signed, b"Content-Type: text/plain\r\n\r\nhi\r\n");
        assert_eq!(p.signature_body, b"AAAA");
        let lf = b"--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: x\n\nAA\n--b--\n";
        let p = split(lf, "b").unwrap();
        assert_eq!(p.signed, b"Content-Type: text/plain\n\nhi");
        assert!(split(b"no boundaries here", "b").is_none());
    }
}
