//! Canonical line endings: every line ends in CRLF.
//!
//! RFC 8551 §3.1.1: before a MIME entity is signed or encrypted it MUST be converted to
//! canonical form, and for text that means lines end in `<CR><LF>`. Mail held on disk
//! usually uses bare LF, and some old systems write a lone CR. Both become CRLF here;
//! an existing CRLF is kept as it is.
//!
//! [`to_crlf`] converts a buffer in memory; [`CrlfWriter`] does the same for a stream
//! of any length with a fixed-size buffer, and handles a CR that ends one `write` call
//! while its LF starts the next.

use std::io::{self, Write};

/// Size of the [`CrlfWriter`] output buffer. Converted bytes are passed on to the inner
/// writer in blocks of this size, so memory does not grow with the input.
const OUT_BUF: usize = 8 * 1024;

/// Converts `input` to CRLF line endings (RFC 8551 §3.1.1 canonical form).
///
/// A bare LF becomes CRLF, a lone CR becomes CRLF, and an existing CRLF is kept.
/// All other bytes pass through unchanged.
///
/// ```
/// assert_eq!(smime::mime::to_crlf(b"a\nb\r\nc\rd"), b"a\r\nb\r\nc\r\nd");
/// ```
pub fn to_crlf(input: &[u8]) -> Vec<u8> {
    // Most input grows by one byte per line; a little slack avoids most reallocations.
    let mut out = Vec::with_capacity(input.len() + input.len() / 32 + 2);
    let mut after_cr = false;
    convert(&mut after_cr, input, |chunk| out.extend_from_slice(chunk));
    out
}

/// The conversion shared by [`to_crlf`] and [`CrlfWriter`].
///
/// `after_cr` says whether the previous byte (possibly in an earlier chunk) was a CR
/// that has already been written out as CRLF; an LF right after it is then dropped.
/// `emit` receives the converted output in pieces.
fn convert(after_cr: &mut bool, input: &[u8], mut emit: impl FnMut(&[u8])) {
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        match b {
            b'\r' => {
                emit(input.get(start..i).unwrap_or_default());
                emit(b"\r\n");
                start = i + 1;
                *after_cr = true;
            }
            b'\n' => {
                emit(input.get(start..i).unwrap_or_default());
                if !*after_cr {
                    emit(b"\r\n");
                }
                start = i + 1;
                *after_cr = false;
            }
            _ => *after_cr = false,
        }
    }
    emit(input.get(start..).unwrap_or_default());
}

/// A [`Write`] adapter that converts line endings to CRLF on the fly
/// (RFC 8551 §3.1.1 canonical form).
///
/// It produces exactly what [`to_crlf`] produces for the concatenation of everything
/// written, however the input is split into `write` calls. Output is collected in a
/// fixed-size buffer and passed on in blocks; call [`CrlfWriter::finish`] at the end to
/// write the rest and get the inner writer back (dropping the adapter without
/// `finish` loses up to one buffer of output).
#[derive(Debug)]
pub struct CrlfWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    after_cr: bool,
}

impl<W: Write> CrlfWriter<W> {
    /// Wraps `inner`; everything written is converted before it reaches `inner`.
    pub fn new(inner: W) -> Self {
        CrlfWriter {
            inner,
            buf: Vec::with_capacity(OUT_BUF),
            after_cr: false,
        }
    }

    /// Writes the buffered output and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_buf()?;
        Ok(self.inner)
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for CrlfWriter<W> {
    fn write(&mut self, input: &[u8]) -> io::Result<usize> {
        // Convert in slices small enough that the output (at most twice the input)
        // always fits the fixed buffer, then pass the buffer on.
        for piece in input.chunks(OUT_BUF / 2) {
            if self.buf.len() + 2 * piece.len() > OUT_BUF {
                self.flush_buf()?;
            }
            let buf = &mut self.buf;
            convert(&mut self.after_cr, piece, |chunk| {
                buf.extend_from_slice(chunk)
            });
        }
        Ok(input.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A simple reference: the rules written the obvious way.
    fn reference(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < input.len() {
            match input[i] {
                b'\r' if input.get(i + 1) == Some(&b'\n') => {
                    out.extend_from_slice(b"\r\n");
                    i += 1;
                }
                b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
                b => out.push(b),
            }
            i += 1;
        }
        out
    }

    #[test]
    fn converts_each_kind_of_line_end() {
        assert_eq!(to_crlf(b""), b"");
        assert_eq!(to_crlf(b"abc"), b"abc");
        assert_eq!(to_crlf(b"a\n"), b"a\r\n");
        assert_eq!(to_crlf(b"a\r\n"), b"a\r\n");
        assert_eq!(to_crlf(b"a\r"), b"a\r\n");
        assert_eq!(to_crlf(b"\n\n"), b"\r\n\r\n");
        assert_eq!(to_crlf(b"\r\r\n"), b"\r\n\r\n");
        assert_eq!(to_crlf(b"\n\r"), b"\r\n\r\n");
        assert_eq!(to_crlf(b"a\n\rb"), b"a\r\n\r\nb");
    }

    #[test]
    fn writer_matches_to_crlf_for_every_split() {
        let input: &[u8] = b"x\r\ny\rz\n\r\r\n\n\rend\r";
        let expected = to_crlf(input);
        assert_eq!(expected, reference(input));
        for split in 0..=input.len() {
            let mut w = CrlfWriter::new(Vec::new());
            w.write_all(&input[..split]).unwrap();
            w.write_all(&input[split..]).unwrap();
            assert_eq!(w.finish().unwrap(), expected, "split at {split}");
        }
    }

    #[test]
    fn writer_handles_large_pseudorandom_input() {
        // A small LCG keeps the test deterministic without extra dependencies.
        let mut state = 0x1234_5678u32;
        let input: Vec<u8> = (0..100_000)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                match state >> 29 {
                    0 => b'\r',
                    1 => b'\n',
                    _ => b'a' + (state >> 24) as u8 % 26,
                }
            })
            .collect();
        let expected = reference(&input);
        assert_eq!(to_crlf(&input), expected);
        for step in [1usize, 2, 3, 7, 4095, 4096, 4097, 9000, 100_000] {
            let mut w = CrlfWriter::new(Vec::new());
            for chunk in input.chunks(step) {
                w.write_all(chunk).unwrap();
            }
            assert_eq!(w.finish().unwrap(), expected, "chunks of {step}");
        }
    }
}
