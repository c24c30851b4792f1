//! Canonical line endings: every line ends in CRLF.
//!
//! RFC 8551 §3.1.1: before a MIME entity is signed or encrypted it MUST be converted to
//! canonical form, and for text that means lines end in `<CR><LF>`. Mail held on disk
//! usually uses bare LF, and some old systems write a lone CR. Both become CRLF here;
//! an existing CRLF is kept as it is.
//!
//! [`to_crlf`] converts a buffer in memory; [`CrlfWriter`] (for writing) and
//! `CrlfReader` (for reading) do the same for a stream of any length with a fixed-size
//! buffer, and handle a CR that ends one block while its LF starts the next.

use std::io::{self, BufRead, Read, Write};

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

/// Whether `block` is canonical on its own: every CR is followed by an LF and every
/// LF follows a CR (so it cannot start with an LF or end in a CR). Such a block
/// converts to itself whatever came before it: it holds no LF of an earlier CR to drop,
/// and leaves no CR pending for the next. One pass over the
/// adjacent pairs, "CR here exactly when LF next", OR-ed in byte lanes the compiler
/// vectorises: on mail's 76-byte lines a `memchr` per line end costs several times
/// more, and most mail being sealed is CRLF already.
pub(crate) fn is_canonical(block: &[u8]) -> bool {
    if block.first() == Some(&b'\n') || block.last() == Some(&b'\r') {
        return false;
    }
    let firsts = block
        .get(..block.len().saturating_sub(1))
        .unwrap_or_default();
    let seconds = block.get(1..).unwrap_or_default();
    // 4 KiB stretches: long enough for the vector loop, short enough to stop early.
    firsts.chunks(4096).zip(seconds.chunks(4096)).all(|(x, y)| {
        let odd = x.iter().zip(y).fold(0u8, |odd, (&p, &q)| {
            odd | (u8::from(p == b'\r') ^ u8::from(q == b'\n'))
        });
        odd == 0
    })
}

/// The conversion shared by [`to_crlf`] and [`CrlfWriter`].
///
/// `after_cr` says whether the previous byte (possibly in an earlier chunk) was a CR
/// that has already been written out as CRLF; an LF right after it is then dropped.
/// `emit` receives the converted output in pieces.
fn convert(after_cr: &mut bool, input: &[u8], mut emit: impl FnMut(&[u8])) {
    if is_canonical(input) {
        emit(input);
        *after_cr = false;
        return;
    }
    convert_line_ends(after_cr, input, emit);
}

/// [`convert`] for a block known not to pass as it is: line end by line end.
fn convert_line_ends(after_cr: &mut bool, input: &[u8], mut emit: impl FnMut(&[u8])) {
    // Runs that are canonical already (no CR or LF, or CRLF pairs) pass whole: memchr
    // finds the line ends with SIMD, and a CRLF only moves on, so CRLF mail goes out in
    // one piece per block. Only a bare LF or a lone CR ends a run.
    let mut start = 0;
    let mut skip_until = 0;
    for i in memchr::memchr2_iter(b'\r', b'\n', input) {
        if i < skip_until {
            // The LF of a CRLF pair.
            continue;
        }
        if input.get(i) == Some(&b'\r') && input.get(i + 1) == Some(&b'\n') {
            skip_until = i + 2;
            continue;
        }
        if i > start {
            emit(input.get(start..i).unwrap_or_default());
            *after_cr = false;
        }
        if input.get(i) == Some(&b'\r') {
            emit(b"\r\n");
            *after_cr = true;
        } else {
            if !*after_cr {
                emit(b"\r\n");
            }
            *after_cr = false;
        }
        start = i + 1;
    }
    if start < input.len() {
        emit(input.get(start..).unwrap_or_default());
        *after_cr = false;
    }
}

/// A [`BufRead`] adapter that converts line endings to CRLF while reading, the same
/// conversion as [`to_crlf`], so a body streams into the signer or encryptor in
/// canonical form without a copy of the message.
pub(crate) struct CrlfReader<R> {
    inner: R,
    after_cr: bool,
    /// Converted bytes not yet read.
    buf: Vec<u8>,
    pos: usize,
    /// How many bytes at the front of the inner reader's buffer were found canonical
    /// ([`is_canonical`]) and are handed out from there, without a copy.
    as_is: usize,
}

/// Input taken per refill; the converted block is at most twice as large.
const IN_BLOCK: usize = 32 * 1024;

impl<R: BufRead> CrlfReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        CrlfReader {
            inner,
            after_cr: false,
            buf: Vec::with_capacity(2 * IN_BLOCK),
            pos: 0,
            as_is: 0,
        }
    }
}

impl<R: BufRead> BufRead for CrlfReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.as_is == 0 && self.pos == self.buf.len() {
            let avail = self.inner.fill_buf()?;
            if !avail.is_empty() && is_canonical(avail) {
                // A canonical block never ends in a CR: nothing is pending after it.
                self.as_is = avail.len();
                self.after_cr = false;
            }
        }
        if self.as_is > 0 {
            let as_is = self.as_is;
            return Ok(self.inner.fill_buf()?.get(..as_is).unwrap_or_default());
        }
        // Loop: a block may convert to nothing (the LF of a CRLF split across blocks),
        // and an empty result must mean the end of the input.
        while self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            let n = avail.len().min(IN_BLOCK);
            let buf = &mut self.buf;
            // The block did not pass as it is (checked above), or follows one that
            // converted to nothing: line end by line end, which is right for any block.
            convert_line_ends(
                &mut self.after_cr,
                avail.get(..n).unwrap_or_default(),
                |c| buf.extend_from_slice(c),
            );
            self.inner.consume(n);
        }
        Ok(self.buf.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        if self.as_is > 0 {
            let n = amt.min(self.as_is);
            self.inner.consume(n);
            self.as_is -= n;
            return;
        }
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

impl<R: BufRead> Read for CrlfReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.as_is == 0 && self.pos == self.buf.len() && out.len() >= IN_BLOCK {
            // A large read with nothing pending goes straight into the caller's
            // buffer (a `BufReader` passes reads at least its size through): a
            // canonical block, most mail, is then not copied here (issue 12).
            let n = self.inner.read(out)?;
            let got = out.get(..n).unwrap_or_default();
            if is_canonical(got) {
                self.after_cr = false;
                return Ok(n);
            }
            // Not canonical: converted into our buffer and handed out from there.
            self.buf.clear();
            self.pos = 0;
            let buf = &mut self.buf;
            convert_line_ends(&mut self.after_cr, got, |c| buf.extend_from_slice(c));
        }
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
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
    fn canonical_blocks_pass_as_they_are_and_split_reads_keep_pairs() {
        for yes in [&b""[..], b"abc", b"a\r\nb\r\n", b"\r\n"] {
            assert!(is_canonical(yes), "{yes:?}");
        }
        for no in [&b"a\n"[..], b"a\r", b"\n\r", b"a\r\r\n\n", b"\n", b"\r\n\r"] {
            assert!(!is_canonical(no), "{no:?}");
        }
        // One odd line end anywhere in a long canonical block (either side of the
        // 4 KiB stretches) makes it not canonical.
        let long: Vec<u8> = b"0123456789abcd\r\n".repeat(1000);
        assert!(is_canonical(&long));
        for at in [0, 15, 16, 4095, 4096, 4097, long.len() - 1] {
            for odd in [b'\r', b'\n'] {
                let mut bad = long.clone();
                bad.insert(at, odd);
                assert!(!is_canonical(&bad), "{odd} at {at}");
            }
        }
        // Canonical stretches (handed out without a copy, or read straight into the
        // caller's buffer) between bare LFs and lone CRs, through inner buffers of many
        // sizes and reads that split CRLF pairs.
        let mut input = long.clone();
        for i in 0..5000 {
            input.extend_from_slice(match (i % 7, i % 11, i % 1500) {
                (_, _, 0) => &long,
                (0, _, _) => b"bare lf\n",
                (_, 0, _) => b"lone cr\r",
                _ => b"a crlf line\r\n",
            });
        }
        input.extend_from_slice(b"end\r");
        input.extend_from_slice(&long);
        let expected = reference(&input);
        for cap in [1, 2, 3, 5, 64, 1000, 100_000] {
            for out_len in [1, 2, 3, 7, 4096, IN_BLOCK, IN_BLOCK + 13, 3 * IN_BLOCK] {
                let mut reader = CrlfReader::new(io::BufReader::with_capacity(cap, &input[..]));
                let mut out = Vec::new();
                let mut buf = vec![0u8; out_len];
                loop {
                    let n = reader.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                assert_eq!(out, expected, "inner {cap}, reads of {out_len}");
            }
        }
        assert_eq!(
            crate::mime::canonical_len::canonical_len(&input[..]).unwrap(),
            expected.len() as u64
        );
    }

    #[test]
    fn reader_matches_to_crlf_at_every_chunk_size() {
        let inputs: [&[u8]; 7] = [
            b"",
            b"a\nb\n",
            b"a\r\nb\r\n",
            b"a\rb\r",
            b"\r\r\n\n\r",
            b"x\r\n\r\ny\nz",
            b"x\r\ny\rz\n\r\r\n\n\rend\r",
        ];
        for input in inputs {
            for chunk in [1usize, 2, 3, 64] {
                let mut out = Vec::new();
                CrlfReader::new(io::BufReader::with_capacity(chunk, input))
                    .read_to_end(&mut out)
                    .unwrap();
                assert_eq!(out, reference(input), "{input:?} chunk {chunk}");
            }
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
            let mut read = Vec::new();
            CrlfReader::new(io::BufReader::with_capacity(step, &input[..]))
                .read_to_end(&mut read)
                .unwrap();
            assert_eq!(read, expected, "reader, blocks of {step}");
        }
    }
}
