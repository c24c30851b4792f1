//! The crate's one in-memory BER/DER reader (X.690 §8, §10): the TLV header parser,
//! helpers over DER TLVs already in memory, the definite-length writers, and the
//! BER → DER normaliser.
//!
//! Why our own: the `der` crate decodes DER only, but real PKCS#12 files and CMS
//! messages are BER (indefinite lengths, constructed OCTET STRINGs: Windows/.NET,
//! Bouncy Castle, OpenSSL `-stream`, Outlook, gpgsm), and some callers need byte
//! offsets (`cert::early_time` rewrites bytes in place). This module sits below
//! `cert` and `cms` and imports nothing from the crate: PKCS#12 and private keys
//! normalise with [`to_der`], `cert::early_time` walks a certificate with
//! [`tlv_at`], and the cms streaming reader (`cms::ber::BerReader`) parses its
//! headers with [`read_header`] and splits what it has read with [`elements`] and
//! [`content_of`].
//!
//! Hostile input: every length is checked against the bytes that remain, nesting is
//! bounded by [`MAX_DEPTH`], and nothing here panics.

use std::borrow::Cow;

/// Nesting depth followed when normalising (RFC 8551 §3.7: process nested structures
/// "within reasonable resource limits"). Real CMS inner structures nest fewer than 16
/// levels and a certificate inside a PKCS#12 bag about 10; 64 leaves a wide margin
/// while keeping recursion short.
pub(crate) const MAX_DEPTH: usize = 64;

/// BER identifier of the end-of-contents marker's first octet.
const EOC: u8 = 0x00;

/// Why an encoding could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BerError {
    /// The input ends inside an element, or a length runs past it.
    Truncated,
    /// Not valid BER, with what is wrong.
    Malformed(&'static str),
    /// Constructed encodings nest deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl std::fmt::Display for BerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BerError::Truncated => "truncated encoding",
            BerError::Malformed(reason) => reason,
            BerError::TooDeep => "nesting too deep",
        })
    }
}

/// A parsed identifier + length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// The first identifier octet (class, constructed bit, low tag number). High tag
    /// numbers are folded into `tag_number`.
    pub ident: u8,
    /// The full tag number.
    pub tag_number: u32,
    /// `None` for the indefinite form.
    pub length: Option<u64>,
    /// How many bytes the identifier occupied (more than one in the high tag number
    /// form).
    pub ident_len: u8,
    /// How many bytes identifier and length occupied.
    pub header_len: u64,
}

impl Header {
    /// Whether the constructed bit is set.
    pub fn constructed(&self) -> bool {
        self.ident & 0x20 != 0
    }

    /// Whether this is the end-of-contents marker `00 00`.
    pub fn is_eoc(&self) -> bool {
        self.ident == EOC && self.length == Some(0)
    }

    /// Whether this is a universal OCTET STRING, primitive or constructed.
    fn is_octet_string(&self) -> bool {
        self.ident & 0xdf == 0x04
    }
}

/// Reads an identifier and a length from `next`, one byte at a time: the one
/// header parser, for slices ([`header_at`]) and for streams (`cms::ber`). `error`
/// turns a syntax error into the caller's error type.
pub(crate) fn read_header<E>(
    mut next: impl FnMut() -> Result<u8, E>,
    error: impl Fn(BerError) -> E,
) -> Result<Header, E> {
    let ident = next()?;
    let mut ident_len: u8 = 1;
    let mut tag_number = u32::from(ident & 0x1f);
    if tag_number == 0x1f {
        // High tag number form (X.690 §8.1.2.4): base-128, at most 4 octets here.
        tag_number = 0;
        loop {
            if ident_len == 5 {
                return Err(error(BerError::Malformed("tag number too large")));
            }
            let b = next()?;
            ident_len += 1;
            tag_number = (tag_number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let first = next()?;
    let mut length_len: u8 = 1;
    let length = if first < 0x80 {
        Some(u64::from(first))
    } else if first == 0x80 {
        // X.690 §8.1.3.2(a): the indefinite form is for constructed values only.
        if ident & 0x20 == 0 {
            return Err(error(BerError::Malformed(
                "indefinite length on a primitive value",
            )));
        }
        None
    } else {
        let n = first & 0x7f;
        if n > 8 {
            return Err(error(BerError::Malformed("length field too long")));
        }
        let mut len: u64 = 0;
        for _ in 0..n {
            len = (len << 8) | u64::from(next()?);
        }
        length_len += n;
        Some(len)
    };
    Ok(Header {
        ident,
        tag_number,
        length,
        ident_len,
        header_len: u64::from(ident_len) + u64::from(length_len),
    })
}

/// Reads the header at `*pos` in `input` and moves `*pos` past it.
pub(crate) fn header_at(input: &[u8], pos: &mut usize) -> Result<Header, BerError> {
    read_header(
        || {
            let b = *input.get(*pos).ok_or(BerError::Truncated)?;
            *pos += 1;
            Ok(b)
        },
        |e| e,
    )
}

/// The definite-length TLV that starts at `at`: its header and where its content
/// starts and ends. Indefinite lengths (not DER) and content running past the end of
/// `input` are errors.
pub(crate) fn tlv_at(input: &[u8], at: usize) -> Result<(Header, usize, usize), BerError> {
    let mut pos = at;
    let header = header_at(input, &mut pos)?;
    let len = header
        .length
        .ok_or(BerError::Malformed("indefinite length in DER"))?;
    let end = usize::try_from(len)
        .ok()
        .and_then(|len| pos.checked_add(len))
        .filter(|&end| end <= input.len())
        .ok_or(BerError::Truncated)?;
    Ok((header, pos, end))
}

/// The content octets of a DER TLV (after its header).
pub(crate) fn content_of(tlv: &[u8]) -> Result<&[u8], BerError> {
    let (_, start, end) = tlv_at(tlv, 0)?;
    tlv.get(start..end).ok_or(BerError::Truncated)
}

/// Splits a DER SET/SEQUENCE content into its elements (each a complete TLV).
pub(crate) fn elements(content: &[u8]) -> Result<Vec<&[u8]>, BerError> {
    element_iter(content).collect()
}

/// The elements of a DER SET/SEQUENCE content one at a time, so that a caller with a
/// limit stops reading (and allocating) at its limit, however many a hostile encoding
/// holds. After an error it yields nothing more.
pub(crate) fn element_iter(content: &[u8]) -> ElementIter<'_> {
    ElementIter { content, at: 0 }
}

/// See [`element_iter`].
pub(crate) struct ElementIter<'a> {
    content: &'a [u8],
    at: usize,
}

impl<'a> Iterator for ElementIter<'a> {
    type Item = Result<&'a [u8], BerError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.content.len() {
            return None;
        }
        let element = tlv_at(self.content, self.at).and_then(|(_, _, end)| {
            let el = self.content.get(self.at..end).ok_or(BerError::Truncated)?;
            self.at = end;
            Ok(el)
        });
        if element.is_err() {
            self.at = self.content.len();
        }
        Some(element)
    }
}

/// Appends an identifier (low or high tag number form).
pub(crate) fn write_identifier(out: &mut Vec<u8>, ident: u8, tag_number: u32) {
    if tag_number < 0x1f {
        out.push(ident);
        return;
    }
    out.push(ident | 0x1f);
    let mut groups = Vec::new();
    let mut n = tag_number;
    loop {
        groups.push((n & 0x7f) as u8);
        n >>= 7;
        if n == 0 {
            break;
        }
    }
    for (i, g) in groups.iter().rev().enumerate() {
        let more = i + 1 < groups.len();
        out.push(if more { g | 0x80 } else { *g });
    }
}

/// Appends a definite length in the shortest form (X.690 §10.1).
pub(crate) fn write_length(out: &mut Vec<u8>, len: u64) {
    if len < 0x80 {
        // Fits the short form, so the cast cannot truncate.
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    // At most 8 significant bytes, far below 0x7f.
    out.push(0x80 | (8 - skip) as u8);
    out.extend_from_slice(bytes.get(skip..).unwrap_or_default());
}

/// The number of bytes a header with this content length occupies (low tag number).
pub(crate) fn header_len(len: u64) -> u64 {
    let mut v = Vec::with_capacity(10);
    write_length(&mut v, len);
    1 + v.len() as u64
}

/// A complete definite-length TLV.
pub(crate) fn tlv(ident: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(ident);
    write_length(&mut out, content.len() as u64);
    out.extend_from_slice(content);
    out
}

/// Normalises one BER element that must span all of `input` into DER form, returning
/// the input unchanged (borrowed) when it already was:
///
/// * indefinite lengths become definite ones,
/// * long-form lengths become minimal,
/// * a constructed universal OCTET STRING becomes one primitive OCTET STRING holding
///   the concatenated chunks (X.690 §8.7.3); for PKCS#12 this is what the MAC is
///   computed over (RFC 7292 §5.1: the MAC covers the *contents octets* of the
///   `authSafe` data).
///
/// Everything else (primitive values, identifiers) is copied byte for byte. Only the
/// structure of constructed encodings is walked; primitive contents (for example an
/// OCTET STRING that wraps the next layer) are opaque here.
pub(crate) fn to_der(input: &[u8]) -> Result<Cow<'_, [u8]>, BerError> {
    let mut out = Vec::with_capacity(input.len());
    let mut pos = 0;
    normalise(input, &mut pos, &mut out, 0)?;
    if pos != input.len() {
        return Err(BerError::Malformed("trailing bytes after the encoding"));
    }
    if out == input {
        Ok(Cow::Borrowed(input))
    } else {
        Ok(Cow::Owned(out))
    }
}

/// The content of a primitive value whose header was just read at `*pos`; moves
/// `*pos` past it.
fn primitive_content<'a>(
    input: &'a [u8],
    pos: &mut usize,
    header: Header,
) -> Result<&'a [u8], BerError> {
    let len = header.length.ok_or(BerError::Malformed(
        "indefinite length on a primitive value",
    ))?;
    let end = usize::try_from(len)
        .ok()
        .and_then(|len| pos.checked_add(len))
        .ok_or(BerError::Truncated)?;
    let body = input.get(*pos..end).ok_or(BerError::Truncated)?;
    *pos = end;
    Ok(body)
}

/// Reads one element at `*pos` and appends its DER form to `out`.
fn normalise(
    input: &[u8],
    pos: &mut usize,
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<(), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::TooDeep);
    }
    let start = *pos;
    let header = header_at(input, pos)?;
    let ident = input
        .get(start..start + usize::from(header.ident_len))
        .ok_or(BerError::Truncated)?;
    if !header.constructed() {
        let body = primitive_content(input, pos, header)?;
        out.extend_from_slice(ident);
        write_length(out, body.len() as u64);
        out.extend_from_slice(body);
        return Ok(());
    }
    let mut body = Vec::new();
    if header.is_octet_string() {
        // X.690 §8.7.3: the chunks are themselves OCTET STRINGs (primitive or
        // constructed); DER wants one primitive string of their concatenation.
        each_child(input, pos, header.length, |input, pos| {
            octet_chunks(input, pos, &mut body, depth + 1)
        })?;
        out.push(0x04);
    } else {
        each_child(input, pos, header.length, |input, pos| {
            normalise(input, pos, &mut body, depth + 1)
        })?;
        out.extend_from_slice(ident);
    }
    write_length(out, body.len() as u64);
    out.extend_from_slice(&body);
    Ok(())
}

/// Runs `child` over each element of a constructed value whose length is `length`
/// (`None`: indefinite, ends at `00 00`), leaving `*pos` after it.
fn each_child(
    input: &[u8],
    pos: &mut usize,
    length: Option<u64>,
    mut child: impl FnMut(&[u8], &mut usize) -> Result<(), BerError>,
) -> Result<(), BerError> {
    match length {
        Some(len) => {
            let end = usize::try_from(len)
                .ok()
                .and_then(|len| pos.checked_add(len))
                .ok_or(BerError::Truncated)?;
            let inner = input.get(..end).ok_or(BerError::Truncated)?;
            while *pos < end {
                child(inner, pos)?;
            }
            Ok(())
        }
        None => loop {
            if *pos >= input.len() {
                return Err(BerError::Malformed("missing end-of-contents"));
            }
            if input.get(*pos..*pos + 2) == Some(&[EOC, 0]) {
                *pos += 2;
                return Ok(());
            }
            child(input, pos)?;
        },
    }
}

/// Appends the contents of one OCTET STRING chunk (primitive or constructed) to `body`.
fn octet_chunks(
    input: &[u8],
    pos: &mut usize,
    body: &mut Vec<u8>,
    depth: usize,
) -> Result<(), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::TooDeep);
    }
    let header = header_at(input, pos)?;
    if !header.is_octet_string() {
        return Err(BerError::Malformed(
            "constructed OCTET STRING holds a non-OCTET STRING chunk",
        ));
    }
    if header.constructed() {
        return each_child(input, pos, header.length, |input, pos| {
            octet_chunks(input, pos, body, depth + 1)
        });
    }
    body.extend_from_slice(primitive_content(input, pos, header)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_input_is_borrowed_unchanged() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        assert!(matches!(to_der(&der), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn indefinite_lengths_and_chunked_octet_strings() {
        // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x00,
            0x00,
        ];
        let der = to_der(&ber).map(Cow::into_owned);
        assert_eq!(der, Ok(vec![0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']));
    }

    #[test]
    fn context_tag_keeps_its_identifier() {
        // [0] constructed, indefinite { INTEGER 1 }
        let ber = [0xa0, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00];
        assert_eq!(
            to_der(&ber).map(Cow::into_owned),
            Ok(vec![0xa0, 0x03, 0x02, 0x01, 0x01])
        );
        // A high tag number keeps its identifier octets as found.
        let ber = [0xbf, 0x81, 0x00, 0x80, 0x05, 0x00, 0x00, 0x00];
        assert_eq!(
            to_der(&ber).map(Cow::into_owned),
            Ok(vec![0xbf, 0x81, 0x00, 0x02, 0x05, 0x00])
        );
    }

    #[test]
    fn non_minimal_length_is_rewritten() {
        let ber = [0x04, 0x81, 0x01, 0xff];
        assert_eq!(
            to_der(&ber).map(Cow::into_owned),
            Ok(vec![0x04, 0x01, 0xff])
        );
    }

    #[test]
    fn hostile_inputs_are_errors_not_panics() {
        let cases: &[&[u8]] = &[
            &[],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x80, 0x00],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x24, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00],
            &[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x02, 0x01, 0x00, 0x00],
        ];
        for case in cases {
            assert!(to_der(case).is_err(), "{case:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert_eq!(to_der(&deep), Err(BerError::TooDeep));
    }

    #[test]
    fn tlvs_in_memory() {
        let seq = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xff];
        assert_eq!(content_of(&seq), Ok(&seq[2..]));
        assert_eq!(
            elements(&seq[2..]),
            Ok(vec![&[0x02, 0x01, 0x05][..], &[0x04, 0x01, 0xff][..]])
        );
        assert_eq!(tlv(0x30, &seq[2..]), seq);
        assert_eq!(content_of(&[0x30, 0x05, 0x04]), Err(BerError::Truncated));
        assert!(content_of(&[0x30, 0x80, 0x00, 0x00]).is_err());
        let huge = [0x04, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(content_of(&huge).is_err());
        assert!(elements(&huge).is_err());
    }

    #[test]
    fn headers_and_lengths() {
        let mut out = Vec::new();
        write_identifier(&mut out, 0xbf, 200);
        out.push(0);
        let mut pos = 0;
        let h = header_at(&out, &mut pos).unwrap();
        assert_eq!((h.tag_number, h.ident_len, pos), (200, 3, 4));
        for len in [0u64, 1, 127, 128, 255, 256, 65535, 65536, 1 << 40] {
            let mut v = vec![0x04];
            write_length(&mut v, len);
            let h = header_at(&v, &mut 0).unwrap();
            assert_eq!(h.length, Some(len));
            assert_eq!(h.header_len, header_len(len));
        }
    }
}
