//! The length of a stream in canonical CRLF form (RFC 8551 §3.1.1) without converting
//! it: encrypting to DER needs the length before the first byte of content is written
//! (RFC 5652 §6.1 in definite-length form), and counting needs no copy.

use std::io::{self, BufRead};

/// How many bytes [`CrlfReader`](super::CrlfReader) produces from `input`: a CR becomes
/// CRLF (one more byte), an LF right after a CR is dropped (one less: the pair stays
/// two bytes), any other LF becomes CRLF (one more). Reads `input` to its end.
pub(crate) fn canonical_len<R: BufRead>(mut input: R) -> io::Result<u64> {
    let mut total = 0u64;
    // Whether the byte before the current block was a CR.
    let mut after_cr = false;
    loop {
        let block = input.fill_buf()?;
        if block.is_empty() {
            break;
        }
        let n = block.len();
        if super::canonical::is_canonical(block) {
            total += n as u64;
            after_cr = false;
            input.consume(n);
            continue;
        }
        let mut grown = 0u64;
        let mut shrunk = 0u64;
        for i in memchr::memchr2_iter(b'\r', b'\n', block) {
            let prev_cr = match i.checked_sub(1) {
                Some(p) => block.get(p) == Some(&b'\r'),
                None => after_cr,
            };
            if block.get(i) == Some(&b'\r') || !prev_cr {
                grown += 1;
            } else {
                shrunk += 1;
            }
        }
        after_cr = block.last() == Some(&b'\r');
        total = total + n as u64 + grown - shrunk;
        input.consume(n);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::{CrlfReader, to_crlf};
    use std::io::{BufReader, Read};

    #[test]
    fn counts_what_the_conversion_produces() {
        let cases: [&[u8]; 9] = [
            b"",
            b"a",
            b"a\r\nb\r\n",
            b"a\nb\n",
            b"a\rb\r",
            b"\r\n\r\n\n\r\r\n\n",
            b"\n\r",
            b"no line end",
            b"mixed\r\n\nline\rends\n\r\r\r\n",
        ];
        for case in cases {
            // Every buffer size, so a CRLF split across blocks is counted once.
            for cap in 1..=case.len().max(1) {
                let counted = canonical_len(BufReader::with_capacity(cap, case)).unwrap();
                assert_eq!(
                    counted,
                    to_crlf(case).len() as u64,
                    "{case:?} in blocks of {cap}"
                );
                let mut streamed = Vec::new();
                CrlfReader::new(BufReader::with_capacity(cap, case))
                    .read_to_end(&mut streamed)
                    .unwrap();
                assert_eq!(counted, streamed.len() as u64);
            }
        }
    }
}
