//! The streaming BER reader for CMS; the in-memory helpers and the length writers it
//! and the rest of cms use come from [`crate::ber`], with errors as [`CmsError`].
//!
//! Why our own: `der` decodes DER from a slice, but CMS from real clients arrives as
//! BER (OpenSSL `-stream`, Outlook, gpgsm use indefinite lengths and constructed
//! OCTET STRINGs) and an enveloped message may be far larger than memory should hold.
//! So the *outer* layers are walked here, tag by tag, over any `Read`; the small
//! inner structures (recipient infos, algorithm identifiers) are read whole,
//! normalised to DER by [`read_tlv_der`] and handed to the `cms`/`der` types.

use std::io::Read;

use crate::ber::{BerError, MAX_DEPTH};
pub(crate) use crate::ber::{Header, header_len, tlv, write_identifier, write_length};
use crate::error::CmsError;

/// A reader that counts the bytes it has handed out, so definite lengths can be
/// checked against positions.
pub(crate) struct BerReader<R> {
    inner: R,
    pos: u64,
    /// One byte pushed back by [`BerReader::peek_byte`].
    peeked: Option<u8>,
}

impl<R: Read> BerReader<R> {
    pub fn new(inner: R) -> Self {
        BerReader {
            inner,
            pos: 0,
            peeked: None,
        }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Where a value whose header was just read ends (`None` when indefinite). A
    /// length that would run past the end of any possible stream is malformed.
    pub fn end_of(&self, header: Header, context: &'static str) -> Result<Option<u64>, CmsError> {
        match header.length {
            None => Ok(None),
            Some(l) => self
                .pos
                .checked_add(l)
                .map(Some)
                .ok_or_else(|| CmsError::malformed(context, "length overflows")),
        }
    }

    fn byte(&mut self, context: &'static str) -> Result<u8, CmsError> {
        if let Some(b) = self.peeked.take() {
            self.pos += 1;
            return Ok(b);
        }
        let mut b = [0u8; 1];
        self.fill(&mut b, context)?;
        Ok(b[0])
    }

    /// Reads exactly `buf.len()` bytes.
    pub fn fill(&mut self, buf: &mut [u8], context: &'static str) -> Result<(), CmsError> {
        let mut start = 0;
        if let (Some(b), Some(first)) = (self.peeked, buf.first_mut()) {
            *first = b;
            self.peeked = None;
            start = 1;
        }
        // `start` is 1 only when `buf` has a first byte.
        match self
            .inner
            .read_exact(buf.get_mut(start..).unwrap_or_default())
        {
            Ok(()) => {
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(CmsError::Truncated { context })
            }
            Err(e) => Err(io_error(e, context)),
        }
    }

    /// Reads an identifier and length.
    pub fn header(&mut self, context: &'static str) -> Result<Header, CmsError> {
        crate::ber::read_header(|| self.byte(context), |e| cms_error(e, context))
    }

    /// Reads a header and checks its identifier octet.
    pub fn expect_tag(&mut self, ident: u8, context: &'static str) -> Result<Header, CmsError> {
        let h = self.header(context)?;
        if h.ident != ident {
            return Err(CmsError::malformed(
                context,
                format!("expected tag 0x{ident:02x}, found 0x{:02x}", h.ident),
            ));
        }
        Ok(h)
    }

    /// Reads the end-of-contents octets that close an indefinite-length value.
    pub fn expect_eoc(&mut self, context: &'static str) -> Result<(), CmsError> {
        let h = self.header(context)?;
        if !h.is_eoc() {
            return Err(CmsError::malformed(context, "missing end-of-contents"));
        }
        Ok(())
    }

    /// Reads the rest of a TLV whose header was already read and returns it
    /// re-encoded as DER-style definite lengths (header included). `limit` caps the
    /// total size.
    pub fn tlv_der_after(
        &mut self,
        header: Header,
        limit: usize,
        context: &'static str,
    ) -> Result<Vec<u8>, CmsError> {
        let mut budget = limit;
        take_budget(&mut budget, header.header_len)?;
        let content = self.content_der(header, &mut budget, 0, context)?;
        let mut out = Vec::with_capacity(content.len() + 8);
        write_identifier(&mut out, normalised_ident(header), header.tag_number);
        write_length(&mut out, content.len() as u64);
        out.extend_from_slice(&content);
        Ok(out)
    }

    /// Reads one complete TLV (BER) and returns it with definite lengths.
    pub fn tlv_der(&mut self, limit: usize, context: &'static str) -> Result<Vec<u8>, CmsError> {
        let h = self.header(context)?;
        self.tlv_der_after(h, limit, context)
    }

    /// Skips the content of a TLV whose header was read.
    pub fn skip_after(
        &mut self,
        header: Header,
        limit: usize,
        context: &'static str,
    ) -> Result<(), CmsError> {
        self.tlv_der_after(header, limit, context).map(drop)
    }

    /// The content of a TLV whose header was read, normalised to DER; everything read
    /// (headers and content octets) is charged to `budget`.
    fn content_der(
        &mut self,
        header: Header,
        budget: &mut usize,
        depth: usize,
        context: &'static str,
    ) -> Result<Vec<u8>, CmsError> {
        if depth > MAX_DEPTH {
            return Err(CmsError::LimitExceeded {
                what: "nesting depth",
                limit: MAX_DEPTH,
            });
        }
        if !header.constructed() {
            let len = header
                .length
                .ok_or_else(|| CmsError::malformed(context, "indefinite primitive"))?;
            let len = take_budget(budget, len)?;
            let mut buf = vec![0u8; len];
            self.fill(&mut buf, context)?;
            return Ok(buf);
        }
        // Constructed: normalise each child. A constructed OCTET STRING (universal 4,
        // or its implicitly tagged use in encryptedContent) is flattened by the caller
        // that knows the type; here children are kept as children.
        let flatten_string = header.ident == 0x24;
        let mut out = Vec::new();
        let end = self.end_of(header, context)?;
        loop {
            if let Some(end) = end {
                if self.pos == end {
                    break;
                }
                if self.pos > end {
                    return Err(CmsError::malformed(context, "child overruns its parent"));
                }
            }
            let child = self.header(context)?;
            // Every header costs what it occupies, so a SET of millions of empty
            // children (`30 00`) or an endless indefinite value runs out of budget
            // like content does (issue 15 finding 5).
            take_budget(budget, child.header_len)?;
            if child.is_eoc() {
                if end.is_some() {
                    return Err(CmsError::malformed(
                        context,
                        "end-of-contents inside a definite length",
                    ));
                }
                break;
            }
            let content = self.content_der(child, budget, depth + 1, context)?;
            if flatten_string {
                if child.ident != 0x04 && child.ident != 0x24 {
                    return Err(CmsError::malformed(
                        context,
                        "constructed OCTET STRING holds a non-string",
                    ));
                }
                out.extend_from_slice(&content);
            } else {
                write_identifier(&mut out, normalised_ident(child), child.tag_number);
                write_length(&mut out, content.len() as u64);
                out.extend_from_slice(&content);
            }
        }
        Ok(out)
    }
}

/// Streams the octets of an OCTET STRING (or an implicitly tagged one, as
/// encryptedContent and eContent are) whose header was read: primitive, or
/// constructed from OCTET STRING chunks (BER, X.690 §8.7.3), nested at most
/// [`MAX_STRING_NESTING`] deep, in chunks of at most 64 KiB handed to `sink`.
pub(crate) fn stream_octets<R: Read>(
    r: &mut BerReader<R>,
    header: Header,
    context: &'static str,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), crate::error::Error>,
) -> Result<(), crate::error::Error> {
    let mut buf = vec![0u8; 64 * 1024];
    stream_octets_inner(r, header, context, sink, &mut buf, 0)
}

/// Constructed strings nest one or two levels in practice.
const MAX_STRING_NESTING: usize = 8;

fn stream_octets_inner<R: Read>(
    r: &mut BerReader<R>,
    header: Header,
    context: &'static str,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), crate::error::Error>,
    buf: &mut [u8],
    depth: usize,
) -> Result<(), crate::error::Error> {
    if depth > MAX_STRING_NESTING {
        return Err(CmsError::LimitExceeded {
            what: "constructed OCTET STRING nesting",
            limit: MAX_STRING_NESTING,
        }
        .into());
    }
    if !header.constructed() {
        let mut left = header
            .length
            .ok_or_else(|| CmsError::malformed(context, "indefinite primitive"))?;
        while left > 0 {
            let n = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let slice = buf.get_mut(..n).ok_or(CmsError::Truncated { context })?;
            r.fill(slice, context)?;
            sink(slice)?;
            left -= n as u64;
        }
        return Ok(());
    }
    let end = r.end_of(header, context)?;
    loop {
        if let Some(end) = end {
            if r.position() == end {
                return Ok(());
            }
            if r.position() > end {
                return Err(CmsError::malformed(context, "chunk overruns its parent").into());
            }
        }
        let child = r.header(context)?;
        if child.is_eoc() {
            if end.is_some() {
                return Err(
                    CmsError::malformed(context, "end-of-contents in a definite length").into(),
                );
            }
            return Ok(());
        }
        if child.ident != 0x04 && child.ident != 0x24 {
            return Err(CmsError::malformed(context, "chunk is not an OCTET STRING").into());
        }
        stream_octets_inner(r, child, context, sink, buf, depth + 1)?;
    }
}

/// DER wants OCTET STRINGs primitive: a flattened constructed string loses its
/// constructed bit.
fn normalised_ident(h: Header) -> u8 {
    if h.ident == 0x24 { 0x04 } else { h.ident }
}

fn take_budget(budget: &mut usize, len: u64) -> Result<usize, CmsError> {
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > *budget {
        return Err(CmsError::LimitExceeded {
            what: "structure size",
            limit: *budget,
        });
    }
    *budget -= len;
    Ok(len)
}

fn io_error(e: std::io::Error, context: &'static str) -> CmsError {
    // A transfer decoder below us (base64) reports bad input as InvalidData.
    CmsError::malformed(context, e)
}

/// A [`BerError`] as the [`CmsError`] of `context`.
fn cms_error(e: BerError, context: &'static str) -> CmsError {
    match e {
        BerError::Truncated => CmsError::Truncated { context },
        BerError::TooDeep => CmsError::LimitExceeded {
            what: "nesting depth",
            limit: MAX_DEPTH,
        },
        BerError::Malformed(reason) => CmsError::malformed(context, reason),
    }
}

/// Splits a DER SET/SEQUENCE content into its elements (each a complete TLV).
pub(crate) fn elements(content: &[u8]) -> Result<Vec<&[u8]>, CmsError> {
    crate::ber::elements(content).map_err(|e| cms_error(e, "element"))
}

/// At most `max` elements of a DER SET/SEQUENCE content, read no further than that;
/// `Ok(None)` when it holds more (the caller names its limit in the error).
pub(crate) fn elements_at_most(content: &[u8], max: usize) -> Result<Option<Vec<&[u8]>>, CmsError> {
    let mut out = Vec::new();
    for element in crate::ber::element_iter(content) {
        if out.len() == max {
            return Ok(None);
        }
        out.push(element.map_err(|e| cms_error(e, "element"))?);
    }
    Ok(Some(out))
}

/// The first `max` elements of a DER SET/SEQUENCE content; the rest is not read.
pub(crate) fn first_elements(content: &[u8], max: usize) -> Result<Vec<&[u8]>, CmsError> {
    crate::ber::element_iter(content)
        .take(max)
        .map(|e| e.map_err(|e| cms_error(e, "element")))
        .collect()
}

/// The content octets of a DER TLV (after its header).
pub(crate) fn content_of(tlv: &[u8]) -> Result<&[u8], CmsError> {
    crate::ber::content_of(tlv).map_err(|e| cms_error(e, "value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_indefinite_and_constructed_strings() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" }, NULL }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x05,
            0x00, 0x00, 0x00,
        ];
        let der = BerReader::new(&ber[..]).tlv_der(1024, "test").unwrap();
        assert_eq!(der, [0x30, 0x07, 0x04, 0x03, b'a', b'b', b'c', 0x05, 0x00]);
    }

    #[test]
    fn long_lengths_are_minimised() {
        let ber = [0x04, 0x82, 0x00, 0x02, 1, 2];
        let der = BerReader::new(&ber[..]).tlv_der(1024, "test").unwrap();
        assert_eq!(der, [0x04, 0x02, 1, 2]);
    }

    #[test]
    fn truncation_and_limits_are_errors() {
        assert!(matches!(
            BerReader::new(&[0x30, 0x05, 0x04][..]).tlv_der(1024, "t"),
            Err(CmsError::Truncated { .. })
        ));
        assert!(matches!(
            BerReader::new(&[0x04, 0x84, 0x7f, 0xff, 0xff, 0xff][..]).tlv_der(1024, "t"),
            Err(CmsError::LimitExceeded { .. })
        ));
        // Deep nesting is cut off, not recursed into without bound.
        let mut deep = Vec::new();
        for _ in 0..200 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(BerReader::new(&deep[..]).tlv_der(1 << 20, "t").is_err());
    }

    #[test]
    fn headers_are_charged_to_the_budget() {
        // SET (indefinite) { 1000 x SEQUENCE {} } EOC: 2,000 bytes of headers and no
        // content octets at all.
        let mut ber = vec![0x31, 0x80];
        for _ in 0..1000 {
            ber.extend_from_slice(&[0x30, 0x00]);
        }
        ber.extend_from_slice(&[0x00, 0x00]);
        assert!(matches!(
            BerReader::new(&ber[..]).tlv_der(1024, "t"),
            Err(CmsError::LimitExceeded { .. })
        ));
        let der = BerReader::new(&ber[..]).tlv_der(4096, "t").unwrap();
        assert_eq!(der.len(), 4 + 2000);
        // An indefinite SET of empty SEQUENCEs that never ends stops at the budget,
        // not at the end of memory.
        struct Endless(usize);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                for b in buf.iter_mut() {
                    *b = match self.0 {
                        0 => 0x31,
                        1 => 0x80,
                        n if n % 2 == 0 => 0x30,
                        _ => 0x00,
                    };
                    self.0 += 1;
                }
                Ok(buf.len())
            }
        }
        let mut endless = Endless(0);
        assert!(matches!(
            BerReader::new(&mut endless).tlv_der(64 * 1024, "t"),
            Err(CmsError::LimitExceeded { .. })
        ));
        assert!(endless.0 < 128 * 1024);
    }

    #[test]
    fn huge_lengths_do_not_overflow() {
        // A constructed value claiming 2^64-1 bytes after a consumed header.
        let ber = [0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(BerReader::new(&ber[..]).tlv_der(1024, "t").is_err());
        let ber = [0x04, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(content_of(&ber).is_err());
        assert!(elements(&ber).is_err());
    }

    #[test]
    fn high_tag_numbers_round_trip() {
        let mut out = Vec::new();
        write_identifier(&mut out, 0xbf, 200);
        out.push(0);
        let h = BerReader::new(&out[..]).header("t").unwrap();
        assert_eq!(h.tag_number, 200);
    }

    #[test]
    fn lengths() {
        for len in [0u64, 1, 127, 128, 255, 256, 65535, 65536, 1 << 40] {
            let mut v = vec![0x04];
            write_length(&mut v, len);
            let h = BerReader::new(&v[..]).header("t").unwrap();
            assert_eq!(h.length, Some(len));
            assert_eq!(h.header_len, header_len(len));
        }
    }
}
