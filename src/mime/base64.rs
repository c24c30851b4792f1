//! Streaming base64 in both directions, as MIME uses it.
//!
//! * [`Base64LineWriter`] encodes for a `Content-Transfer-Encoding: base64` body:
//!   RFC 2045 §6.8 allows at most 76 characters per line, each line ending in CRLF.
//! * [`Base64Reader`] decodes such a body while it is read, ignoring line breaks and
//!   other white space, and can stop at a MIME boundary line (RFC 2046 §5.1.1) so that
//!   one part of a multipart body can be decoded without first finding its end.
//!
//! Both use fixed-size buffers: memory does not grow with the size of the body.

use std::io::{self, BufRead, Read, Write};

use crate::error::MimeError;
use crate::pipeline::Encoding;

/// Input bytes per encoded line: 57 bytes give 76 characters, the RFC 2045 §6.8 maximum.
const LINE_INPUT: usize = 57;
/// Characters per full encoded line, without the CRLF.
const LINE_CHARS: usize = 76;
/// Lines encoded per SIMD call: encoded where they go, then moved apart for the CRLFs.
/// One call per line costs twice as much (57 bytes is too short for the vector loop).
const LINES_PER_CALL: usize = 16;
/// Encoded output [`Base64LineWriter`] collects before writing it out: about 80 KiB
/// per write, so a 100 MiB body is a few thousand writes.
const OUT_BLOCK: usize = 1024 * (LINE_CHARS + 2);

/// MIME's base64 lines as a stream encoding: whole lines as the input arrives, up to
/// 56 bytes held back for the next line. [`Base64LineWriter`] writes with it; sealing
/// runs it on the encrypting worker thread (issue 12).
#[derive(Debug, Clone, Default)]
pub(crate) struct Base64Lines {
    /// Input that does not yet fill a line.
    tail: Vec<u8>,
}

impl Encoding for Base64Lines {
    fn encode(&mut self, mut data: &[u8], out: &mut Vec<u8>) {
        if !self.tail.is_empty() {
            let take = (LINE_INPUT - self.tail.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.tail.extend_from_slice(head);
            data = rest;
            if self.tail.len() < LINE_INPUT {
                return;
            }
            encode_lines(&self.tail, out);
            self.tail.clear();
        }
        let whole = data.len() - data.len() % LINE_INPUT;
        let (lines, rest) = data.split_at(whole);
        encode_lines(lines, out);
        self.tail.extend_from_slice(rest);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        encode_lines(&self.tail, out);
        self.tail.clear();
    }
}

/// Appends `data` encoded as lines of 76 characters, the last one shorter when `data`
/// is not whole lines, each ending in CRLF. Nothing for empty `data`.
fn encode_lines(data: &[u8], out: &mut Vec<u8>) {
    for group in data.chunks(LINE_INPUT * LINES_PER_CALL) {
        let start = out.len();
        let chars = group.len().div_ceil(3) * 4;
        let lines = chars.div_ceil(LINE_CHARS);
        out.resize(start + chars + 2 * lines, 0);
        let Some(dest) = out.get_mut(start..) else {
            return;
        };
        // base64-simd (SSSE3/AVX2 chosen at run time) encodes about 3x faster than the
        // `base64` crate: benches/base64.rs, `line-writer` against `base64-crate-lines`.
        // The digits are `dest[..chars]`: padded, so exactly `chars` of them.
        let _ = base64_simd::STANDARD.encode(group, base64_simd::Out::from_slice(dest));
        // The last line first, so that no line is overwritten before it has moved.
        for line in (0..lines).rev() {
            let from = line * LINE_CHARS;
            let len = LINE_CHARS.min(chars - from);
            let to = line * (LINE_CHARS + 2);
            // In range: `dest` holds `chars` digits plus 2 bytes per line, and line
            // `line` ends at `to + len + 2 <= chars + 2 * lines`.
            dest.copy_within(from..from + len, to);
            if let Some(end) = dest.get_mut(to + len..to + len + 2) {
                end.copy_from_slice(b"\r\n");
            }
        }
    }
}

/// A [`Write`] adapter that base64-encodes everything written to it into lines of 76
/// characters ending in CRLF (RFC 2045 §6.8), ready to be a MIME body.
///
/// Call [`Base64LineWriter::finish`] at the end: it encodes the last incomplete group
/// (with `=` padding), ends the last line and returns the inner writer. Dropping the
/// writer without `finish` loses the buffered tail. [`Write::flush`] passes on every
/// complete line but keeps up to 56 bytes that do not yet fill a line.
pub struct Base64LineWriter<W: Write> {
    inner: W,
    lines: Base64Lines,
    /// Encoded lines waiting to be written.
    out: Vec<u8>,
}

impl<W: Write + std::fmt::Debug> std::fmt::Debug for Base64LineWriter<W> {
    /// Shows the inner writer and how much is buffered, not the buffer itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Base64LineWriter")
            .field("inner", &self.inner)
            .field("buffered_input", &self.lines.tail.len())
            .field("buffered_output", &self.out.len())
            .finish()
    }
}

impl<W: Write> Base64LineWriter<W> {
    /// Wraps `inner`; what is written to the adapter reaches `inner` base64-encoded.
    pub fn new(inner: W) -> Self {
        Base64LineWriter {
            inner,
            lines: Base64Lines::default(),
            out: Vec::new(),
        }
    }

    /// Encodes the remaining input, ends the last line with CRLF, writes everything
    /// out and returns the inner writer. Empty input produces no output at all.
    pub fn finish(mut self) -> io::Result<W> {
        self.lines.finish(&mut self.out);
        self.flush_out()?;
        Ok(self.inner)
    }

    /// The inner writer, e.g. to take the encoded lines out of a `Vec` after a
    /// [`flush`](Write::flush).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    fn flush_out(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.inner.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for Base64LineWriter<W> {
    fn write(&mut self, input: &[u8]) -> io::Result<usize> {
        // Encoded a block at a time, so that the buffer stays near OUT_BLOCK.
        for block in input.chunks(OUT_BLOCK / 4 * 3) {
            self.lines.encode(block, &mut self.out);
            if self.out.len() >= OUT_BLOCK {
                self.flush_out()?;
            }
        }
        Ok(input.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_out()?;
        self.inner.flush()
    }
}

/// Whole groups of base64 digits at the start of `src`, up to its first line end and
/// as many as `dst` holds, decoded into `dst` in one SIMD call; how many groups. 0 when
/// the line holds anything but digits (padding, white space, a bad byte): the
/// byte-by-byte decoder then takes it and knows what each means.
fn simd_line(src: &[u8], dst: &mut [u8]) -> usize {
    let line = memchr::memchr2(b'\r', b'\n', src).unwrap_or(src.len());
    let mut groups = (line / 4).min(dst.len() / 3);
    // The body's last group may end in `=`: left to the byte decoder.
    if groups > 0 && src.get(4 * groups - 1) == Some(&b'=') {
        groups -= 1;
    }
    let (Some(digits), Some(out)) = (src.get(..4 * groups), dst.get_mut(..3 * groups)) else {
        return 0;
    };
    if groups == 0
        || base64_simd::STANDARD
            .decode(digits, base64_simd::Out::from_slice(out))
            .is_err()
    {
        return 0;
    }
    groups
}

/// Digits gathered for one [`simd_lines`] call at most.
const GATHER: usize = 64 * 1024;

/// Whole lines of digits at the start of `src`, all as long as the first (a multiple of
/// 4) and each ending in the same line break, as many as `dst` and [`GATHER`] hold:
/// their digits gathered into `gathered` without the breaks and decoded into `dst` in
/// one SIMD call. Returns the bytes of `src` used and of `dst` written; (0, 0) when
/// `src` does not start with two such lines, or anything in them is not a digit
/// (padding too: the byte decoder takes the body's end).
fn simd_lines(src: &[u8], dst: &mut [u8], gathered: &mut Vec<u8>) -> (usize, usize) {
    let Some(len) = memchr::memchr2(b'\r', b'\n', src) else {
        return (0, 0);
    };
    if len == 0 || len % 4 != 0 {
        return (0, 0);
    }
    let line_break: &[u8] = match src.get(len..len + 2) {
        Some(b"\r\n") => b"\r\n",
        Some([b'\n', _]) => b"\n",
        _ => return (0, 0),
    };
    let stride = len + line_break.len();
    let room = (dst.len() / 3 * 4).min(GATHER) / len;
    gathered.clear();
    let mut lines = 0;
    for line in src.chunks_exact(stride).take(room) {
        let (digits, end) = line.split_at(len);
        if end != line_break || digits.last() == Some(&b'=') {
            break;
        }
        gathered.extend_from_slice(digits);
        lines += 1;
    }
    let decoded = gathered.len() / 4 * 3;
    let Some(out) = dst.get_mut(..decoded) else {
        return (0, 0);
    };
    if lines < 2
        || base64_simd::STANDARD
            .decode(gathered, base64_simd::Out::from_slice(out))
            .is_err()
    {
        return (0, 0);
    }
    (lines * stride, decoded)
}

// The decoder's state machine is ours: neither `base64` nor `base64-simd` has a
// streaming decoder that skips MIME white space and stops at a boundary line. Runs of
// whole lines of digits (nearly all of a body) go to `base64-simd` in one call
// ([`simd_lines`]), a single line in one call ([`simd_line`]): per line, that took
// `smime decrypt` of a 147 MB message from 0.20 s to 0.11 s of user time; padding,
// white space and errors stay with the byte-by-byte machine.

/// Marks bytes in [`DECODE`] that are not base64 digits.
const INVALID: u8 = 0xFF;
/// Marks white space, which a MIME base64 body may contain anywhere.
const SPACE: u8 = 0xFE;
/// Marks the padding character `=`.
const PAD: u8 = 0xFD;

/// Maps each byte to its 6-bit value, or to one of the markers above. Built at compile
/// time: its indexing (64 alphabet bytes into 256 slots) is checked by the compiler.
const DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[b'=' as usize] = PAD;
    t
};

fn base64_error() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, MimeError::Base64)
}

/// The decoding state of a [`Base64Reader`], kept apart from the inner reader so that
/// both can be borrowed at once.
#[derive(Debug)]
struct Decoder {
    /// Sextets of the group being collected.
    quad: [u8; 4],
    /// How many sextets `quad` holds.
    n: usize,
    /// How many `=` have been seen; once non-zero no more digits may follow.
    pad: usize,
    /// Decoded bytes not yet handed to the caller. Holds at most the output of one
    /// replayed boundary prefix, so its size is bounded by the boundary's length.
    pending: Vec<u8>,
    pending_pos: usize,
    /// The boundary line prefix that ends the body, if any.
    boundary: Option<Vec<u8>>,
    /// How many bytes of `boundary` the current line has matched so far.
    matched: usize,
    /// Whether the next byte starts a line.
    line_start: bool,
    /// The end of the body has been reached (end of input or the boundary).
    ended: bool,
    /// The body ended at the boundary line (not at the end of the input).
    hit_boundary: bool,
    /// A decoding error was returned; every later read fails too.
    failed: bool,
    /// No boundary, or one with a byte that is not a base64 digit: then no line of
    /// digits is the boundary line, and whole lines may be decoded in bulk.
    boundary_has_non_digit: bool,
}

impl Decoder {
    /// Whether a group can be decoded straight into the caller's buffer.
    fn is_clean(&self) -> bool {
        self.n == 0 && self.pad == 0 && self.pending_pos >= self.pending.len()
    }

    /// Moves pending output into `buf`; returns how many bytes were moved.
    fn drain(&mut self, buf: &mut [u8]) -> usize {
        let avail = self.pending.get(self.pending_pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dest), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dest.copy_from_slice(src);
        }
        self.pending_pos += n;
        if self.pending_pos >= self.pending.len() {
            self.pending.clear();
            self.pending_pos = 0;
        }
        n
    }

    /// Feeds one body byte, handling boundary detection at line starts.
    fn push(&mut self, b: u8) -> io::Result<()> {
        let Some(boundary) = self.boundary.as_ref().filter(|_| self.line_start) else {
            return self.digit(b);
        };
        if self.matched < boundary.len() && boundary.get(self.matched) == Some(&b) {
            self.matched += 1;
            if self.matched == boundary.len() {
                self.ended = true;
                self.hit_boundary = true;
            }
            return Ok(());
        }
        // Not the boundary after all: the bytes matched so far are body data.
        let prefix = boundary.get(..self.matched).unwrap_or_default().to_vec();
        self.line_start = false;
        self.matched = 0;
        for p in prefix {
            self.digit(p)?;
        }
        self.digit(b)
    }

    /// Feeds one body byte to the base64 state machine.
    fn digit(&mut self, b: u8) -> io::Result<()> {
        let v = DECODE.get(usize::from(b)).copied().unwrap_or(INVALID);
        self.line_start = b == b'\n';
        match v {
            SPACE => Ok(()),
            PAD => {
                // RFC 4648 §4: "=" only completes a group of two or three digits.
                if self.n < 2 || self.n + self.pad >= 4 {
                    return Err(base64_error());
                }
                self.pad += 1;
                if self.n + self.pad == 4 {
                    self.flush_group();
                }
                Ok(())
            }
            INVALID => Err(base64_error()),
            sextet => {
                if self.pad > 0 {
                    // Data after the padding that ended the body.
                    return Err(base64_error());
                }
                if let Some(slot) = self.quad.get_mut(self.n) {
                    *slot = sextet;
                }
                self.n += 1;
                if self.n == 4 {
                    let [a, b, c, d] = self.quad;
                    self.pending
                        .extend_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]);
                    self.n = 0;
                }
                Ok(())
            }
        }
    }

    /// Emits the bytes of an incomplete final group (2 or 3 digits). The padding that
    /// should follow them is optional: some encoders leave it out.
    fn flush_group(&mut self) {
        let [a, b, c, _] = self.quad;
        match self.n {
            2 => self.pending.push(a << 2 | b >> 4),
            3 => self
                .pending
                .extend_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2]),
            _ => {}
        }
        self.n = 0;
        // Keep `pad` non-zero so that digits after the padding are rejected.
        self.pad = self.pad.max(1);
    }

    /// Handles the end of the body.
    fn end(&mut self) -> io::Result<()> {
        self.ended = true;
        if self.matched > 0
            && self
                .boundary
                .as_ref()
                .is_some_and(|b| self.matched < b.len())
        {
            // The body ended in the middle of what looked like a boundary.
            let prefix = self
                .boundary
                .as_ref()
                .and_then(|b| b.get(..self.matched))
                .unwrap_or_default()
                .to_vec();
            self.matched = 0;
            self.line_start = false;
            for p in prefix {
                self.digit(p)?;
            }
        }
        match self.n {
            0 => Ok(()),
            1 => Err(base64_error()),
            _ => {
                self.flush_group();
                Ok(())
            }
        }
    }
}

/// A [`Read`] adapter that decodes a MIME base64 body (RFC 2045 §6.8) on the fly.
///
/// White space (space, tab, CR, LF) is ignored anywhere. Missing `=` padding at the
/// very end is tolerated, since some mailers leave it out. Any other character that is
/// not in the base64 alphabet, a digit after the padding, or a lone digit at the end
/// fails the read with an [`io::Error`] of kind [`io::ErrorKind::InvalidData`] that
/// wraps [`MimeError::Base64`].
///
/// With [`Base64Reader::with_boundary`] the body ends at the first line that starts
/// with the given bytes (for a multipart body, `--` followed by the boundary
/// parameter: RFC 2046 §5.1.1); that line is consumed only up to the end of the
/// boundary bytes. Without one the body ends with the inner reader.
#[derive(Debug)]
pub struct Base64Reader<R: BufRead> {
    inner: R,
    dec: Decoder,
    /// The digits of whole lines gathered for one SIMD call ([`simd_lines`]).
    gathered: Vec<u8>,
}

impl<R: BufRead> Base64Reader<R> {
    /// Decodes everything `inner` holds, up to its end.
    pub fn new(inner: R) -> Self {
        Base64Reader {
            inner,
            dec: Decoder {
                quad: [0; 4],
                n: 0,
                pad: 0,
                pending: Vec::with_capacity(3),
                pending_pos: 0,
                boundary: None,
                matched: 0,
                line_start: true,
                ended: false,
                hit_boundary: false,
                failed: false,
                boundary_has_non_digit: true,
            },
            gathered: Vec::new(),
        }
    }

    /// Decodes `inner` up to the first line that starts with `boundary`, such as
    /// `b"--frontier"` for a part of a multipart body with `boundary=frontier`.
    /// An empty `boundary` means no boundary.
    pub fn with_boundary(inner: R, boundary: &[u8]) -> Self {
        let mut reader = Self::new(inner);
        if !boundary.is_empty() {
            reader.dec.boundary = Some(boundary.to_vec());
            reader.dec.boundary_has_non_digit =
                boundary.iter().any(|&b| DECODE[usize::from(b)] >= 64);
        }
        reader
    }

    /// Whether decoding stopped at the boundary line given to
    /// [`Base64Reader::with_boundary`]; `false` while reading, and when the input ended
    /// first (a truncated multipart body).
    pub fn found_boundary(&self) -> bool {
        self.dec.hit_boundary
    }

    /// Returns the inner reader, positioned just after the last byte consumed.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: BufRead> Read for Base64Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.dec.failed {
            return Err(base64_error());
        }
        let mut written = self.dec.drain(buf);
        while written < buf.len() && !self.dec.ended {
            let avail = match self.inner.fill_buf() {
                Ok(avail) => avail,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if let Err(e) = self.dec.end() {
                    self.dec.failed = true;
                    return Err(e);
                }
                break;
            }
            let mut used = 0;
            let mut result = Ok(());
            while used < avail.len() && !self.dec.ended {
                // Fastest path: many whole lines of digits in one SIMD call, when
                // such a line cannot be the boundary line (`--` starts a MIME one).
                if self.dec.is_clean() && self.dec.boundary_has_non_digit {
                    let src = avail.get(used..).unwrap_or_default();
                    let dst = buf.get_mut(written..).unwrap_or_default();
                    let (read, decoded) = simd_lines(src, dst, &mut self.gathered);
                    if read > 0 {
                        used += read;
                        written += decoded;
                        self.dec.line_start = true;
                        continue;
                    }
                }
                // Fast path: a whole group of digits decoded straight into `buf`.
                let fast =
                    self.dec.is_clean() && !(self.dec.line_start && self.dec.boundary.is_some());
                if fast {
                    // Fast path: whole groups of digits decoded straight into `buf`,
                    // up to the first byte that is not a digit (usually a line end):
                    // a line at a time with SIMD, else group by group.
                    let src = avail.get(used..).unwrap_or_default();
                    let dst = buf.get_mut(written..).unwrap_or_default();
                    let mut groups = simd_line(src, dst);
                    if groups > 0 {
                        used += 4 * groups;
                        written += 3 * groups;
                        self.dec.line_start = false;
                        // The line end, when no boundary line is watched for: white
                        // space only, nothing to decode or remember.
                        if self.dec.boundary.is_none() {
                            let rest = avail.get(used..).unwrap_or_default();
                            let ends = rest
                                .iter()
                                .take_while(|b| matches!(b, b'\r' | b'\n'))
                                .count();
                            used += ends;
                        }
                        continue;
                    }
                    for (group, out) in src.chunks_exact(4).zip(dst.chunks_exact_mut(3)) {
                        let &[a, b, c, d] = group else { break };
                        // `DECODE` has 256 entries, so a `u8` index is always in range.
                        let [a, b, c, d] = [a, b, c, d].map(|x| DECODE[usize::from(x)]);
                        if (a | b | c | d) >= 64 {
                            break;
                        }
                        out.copy_from_slice(&[a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]);
                        groups += 1;
                    }
                    if groups > 0 {
                        used += 4 * groups;
                        written += 3 * groups;
                        self.dec.line_start = false;
                        continue;
                    }
                }
                let b = avail.get(used).copied().unwrap_or_default();
                used += 1;
                if let Err(e) = self.dec.push(b) {
                    result = Err(e);
                    break;
                }
                if let Some(rest) = buf.get_mut(written..) {
                    written += self.dec.drain(rest);
                }
                if written == buf.len() {
                    break;
                }
            }
            self.inner.consume(used);
            if let Err(e) = result {
                self.dec.failed = true;
                return Err(e);
            }
        }
        if let Some(rest) = buf.get_mut(written..) {
            written += self.dec.drain(rest);
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use std::io::BufReader;

    fn pseudo_random(len: usize, seed: u32) -> Vec<u8> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect()
    }

    fn encode_lines(data: &[u8]) -> Vec<u8> {
        let mut w = Base64LineWriter::new(Vec::new());
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn decode_all<R: BufRead>(reader: R) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Base64Reader::new(reader).read_to_end(&mut out)?;
        Ok(out)
    }

    const SIZES: &[usize] = &[
        0, 1, 2, 3, 4, 5, 56, 57, 58, 113, 114, 115, 911, 912, 913, 1000, 4095, 4096, 4097, 8191,
        8192, 8193, 65_535, 65_536, 100_003,
    ];

    #[test]
    fn writer_output_is_standard_base64_in_76_char_crlf_lines() {
        for &len in SIZES {
            let data = pseudo_random(len, len as u32);
            for step in [1, 3, 56, 57, 58, 1000, 4096, usize::MAX] {
                let mut w = Base64LineWriter::new(Vec::new());
                for chunk in data.chunks(step.min(data.len().max(1))) {
                    w.write_all(chunk).unwrap();
                }
                let encoded = w.finish().unwrap();
                let lines: Vec<&[u8]> = encoded.split(|&b| b == b'\n').collect();
                assert_eq!(lines.last().unwrap(), b"", "ends with a line end");
                let text_lines = &lines[..lines.len() - 1];
                for (i, line) in text_lines.iter().enumerate() {
                    assert!(line.ends_with(b"\r"));
                    if i + 1 < text_lines.len() {
                        assert_eq!(line.len() - 1, 76, "every line but the last is full");
                    } else {
                        assert!(line.len() - 1 <= 76);
                    }
                }
                let joined: Vec<u8> = encoded
                    .iter()
                    .copied()
                    .filter(|b| !b"\r\n".contains(b))
                    .collect();
                assert_eq!(
                    joined,
                    STANDARD.encode(&data).into_bytes(),
                    "len {len}, step {step}"
                );
            }
        }
    }

    #[test]
    fn reader_matches_base64_crate_across_buffer_sizes() {
        for &len in SIZES {
            let data = pseudo_random(len, 7 + len as u32);
            let encoded = encode_lines(&data);
            let plain = STANDARD.encode(&data).into_bytes();
            for cap in [1, 2, 3, 4, 5, 7, 64, 77, 78, 79, 4096] {
                let r = BufReader::with_capacity(cap, encoded.as_slice());
                assert_eq!(decode_all(r).unwrap(), data, "len {len}, cap {cap}");
                let r = BufReader::with_capacity(cap, plain.as_slice());
                assert_eq!(
                    decode_all(r).unwrap(),
                    data,
                    "unwrapped len {len}, cap {cap}"
                );
            }
            // Small destination buffers too.
            let mut reader = Base64Reader::new(encoded.as_slice());
            let mut out = Vec::new();
            let mut buf = [0u8; 5];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, data);
        }
    }

    #[test]
    fn reader_decodes_any_line_width_and_line_end() {
        // The SIMD fast path takes a line at a time: widths that split groups across
        // lines, LF-only and doubled line ends, trailing blanks.
        let data = pseudo_random(10_000, 3);
        let flat = STANDARD.encode(&data).into_bytes();
        for width in [4, 63, 64, 73, 76, 1000, 20_000] {
            for end in [&b"\r\n"[..], b"\n", b"\r\n\r\n", b" \n"] {
                let mut body = Vec::new();
                for line in flat.chunks(width) {
                    body.extend_from_slice(line);
                    body.extend_from_slice(end);
                }
                for cap in [7, 80, 65_536] {
                    let r = BufReader::with_capacity(cap, body.as_slice());
                    assert_eq!(
                        decode_all(r).unwrap(),
                        data,
                        "width {width} {end:?} cap {cap}"
                    );
                }
            }
        }
        // A bad byte or an early `=` deep inside a long line, or inside a run of
        // whole lines (decoded in bulk), is still an error.
        let lined = encode_lines(&data);
        for body in [&flat, &lined] {
            for (at, byte) in [(5000, b'*'), (5000, b'='), (13_333, b'-'), (7001, b' ')] {
                let mut bad = body.clone();
                if byte == b' ' {
                    // White space is allowed: the same data, through the slow path.
                    bad.insert(at, byte);
                    assert_eq!(decode_all(bad.as_slice()).unwrap(), data);
                    continue;
                }
                bad[at] = byte;
                let err = decode_all(bad.as_slice()).unwrap_err();
                assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{byte} at {at}");
            }
        }
    }

    #[test]
    fn reader_tolerates_white_space_and_missing_padding() {
        assert_eq!(decode_all(&b"aGVsbG8="[..]).unwrap(), b"hello");
        assert_eq!(decode_all(&b"aGVsbG8"[..]).unwrap(), b"hello");
        assert_eq!(decode_all(&b"aGVsbA=="[..]).unwrap(), b"hell");
        assert_eq!(decode_all(&b"aGVsbA="[..]).unwrap(), b"hell");
        assert_eq!(decode_all(&b"aGVsbA"[..]).unwrap(), b"hell");
        assert_eq!(decode_all(&b" aG Vs\tbG8=\r\n\r\n"[..]).unwrap(), b"hello");
        assert_eq!(decode_all(&b"aGVs\nbG8\n=\n"[..]).unwrap(), b"hello");
        assert_eq!(decode_all(&b""[..]).unwrap(), b"");
        assert_eq!(decode_all(&b"\r\n"[..]).unwrap(), b"");
    }

    #[test]
    fn reader_rejects_bad_input_with_typed_error() {
        for bad in [
            &b"aGV*bG8="[..],
            b"a",
            b"aGVsb",
            b"=",
            b"aG==bG8=",
            b"aGVsbG8=x",
            b"aG===",
            b"\xff",
            b"aGVs=",
            b"a==",
            b"aGVsbG8=\r\n=",
        ] {
            let err = decode_all(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{bad:?}");
            let inner = err.get_ref().and_then(|e| e.downcast_ref::<MimeError>());
            assert!(matches!(inner, Some(MimeError::Base64)), "{bad:?}");
        }
    }

    #[test]
    fn reader_stops_at_boundary_line() {
        for (len, cap) in [(5000, 1), (5000, 2), (5000, 3), (5000, 10), (5000, 4096)]
            .into_iter()
            .chain([(50_000, 7), (50_000, 8192), (50_000, 65_536)])
        {
            let data = pseudo_random(len, 99);
            let mut body = encode_lines(&data);
            body.extend_from_slice(
                b"--frontier\r\nContent-Type: text/plain\r\n\r\nnot base64!\r\n--frontier--\r\n",
            );
            let mut reader = Base64Reader::with_boundary(
                BufReader::with_capacity(cap, body.as_slice()),
                b"--frontier",
            );
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            assert_eq!(out, data, "cap {cap}");
            assert!(reader.found_boundary());
            let mut rest = Vec::new();
            reader.into_inner().read_to_end(&mut rest).unwrap();
            assert!(rest.starts_with(b"\r\nContent-Type"), "cap {cap}");
        }
        // A line that only starts like the boundary is body data (and invalid here).
        let body = b"aGVsbG8=\r\n--front\r\n";
        assert!(decode_all_with_boundary(body, b"--frontier").is_err());
        // Without a boundary, a boundary-looking line is an error.
        assert!(decode_all(&b"aGVsbG8=\r\n--frontier\r\n"[..]).is_err());
        // A boundary whose prefix is made of base64 digits is replayed as data.
        assert_eq!(
            decode_all_with_boundary(b"aGVs\r\nbG8=\r\n", b"bG9X").unwrap(),
            b"hello"
        );
        assert_eq!(
            decode_all_with_boundary(b"aGVs\r\nbG9X\r\nbG8=", b"bG9X").unwrap(),
            b"hel"
        );
        // Input ending inside a boundary prefix: the prefix is data ("bG" is "l").
        assert_eq!(
            decode_all_with_boundary(b"aGVs\r\nbG", b"bG9X").unwrap(),
            b"hell"
        );
    }

    fn decode_all_with_boundary(body: &[u8], boundary: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Base64Reader::with_boundary(body, boundary).read_to_end(&mut out)?;
        Ok(out)
    }
}
