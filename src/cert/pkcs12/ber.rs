//! A small BER → DER normaliser for PKCS#12 structures.
//!
//! RFC 7292 §4 says a PFX "SHOULD" be DER but only has to be BER, and real files
//! use the freedom: Windows/.NET (and MimeKit, which uses Bouncy Castle) write
//! indefinite lengths (`30 80 … 00 00`) and chunked, constructed OCTET STRINGs
//! (`24 80 04 .. 04 .. 00 00`). The `der` crate rightly refuses both, so before
//! handing any PKCS#12 layer to `der` we rewrite it:
//!
//! * indefinite lengths become definite ones,
//! * long-form lengths become minimal,
//! * a constructed universal OCTET STRING becomes one primitive OCTET STRING holding
//!   the concatenated chunks (X.690 §8.7.3); this is what the MAC is computed over
//!   (RFC 7292 §5.1: the MAC covers the *contents octets* of the `authSafe` data).
//!
//! Everything else (primitive values, tags) is copied byte for byte. Only the
//! structure of constructed encodings is walked; primitive contents (for example
//! the OCTET STRING that wraps the next layer) are opaque here and get normalised
//! again when that layer is decoded.
//!
//! Hostile input: recursion is bounded by [`MAX_DEPTH`], every length is checked
//! against the bytes that remain, and nothing here panics.

use std::borrow::Cow;

/// Deepest nesting of constructed encodings we follow. PKCS#12 layers are decoded
/// one at a time, so each call sees a handful of levels (a certificate inside a
/// bag goes about 10 deep); 64 leaves a wide margin while keeping recursion short.
pub(crate) const MAX_DEPTH: usize = 64;

/// Why a BER encoding could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BerError(pub(crate) &'static str);

impl std::fmt::Display for BerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Normalises one BER element that must span all of `input` into DER form.
/// Returns the input unchanged (borrowed) when it already was.
pub(crate) fn to_der(input: &[u8]) -> Result<Cow<'_, [u8]>, BerError> {
    let mut out = Vec::with_capacity(input.len());
    let mut pos = 0;
    element(input, &mut pos, &mut out, 0)?;
    if pos != input.len() {
        return Err(BerError("trailing bytes after the encoding"));
    }
    if out == input {
        Ok(Cow::Borrowed(input))
    } else {
        Ok(Cow::Owned(out))
    }
}

/// The parts of an identifier octet (X.690 §8.1.2) that matter here.
struct Ident<'a> {
    /// The identifier octets exactly as found (one byte or high-tag-number form).
    raw: &'a [u8],
    constructed: bool,
    /// Universal class, tag number 4.
    octet_string: bool,
}

fn read_byte(input: &[u8], pos: &mut usize) -> Result<u8, BerError> {
    let b = *input.get(*pos).ok_or(BerError("truncated encoding"))?;
    *pos += 1;
    Ok(b)
}

fn read_ident<'a>(input: &'a [u8], pos: &mut usize) -> Result<Ident<'a>, BerError> {
    let start = *pos;
    let first = read_byte(input, pos)?;
    if first & 0x1f == 0x1f {
        // High tag number form: base-128 digits, last one without bit 8.
        let mut digits = 0;
        loop {
            let b = read_byte(input, pos)?;
            digits += 1;
            if digits > 4 {
                return Err(BerError("tag number too large"));
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let raw = input
        .get(start..*pos)
        .ok_or(BerError("truncated encoding"))?;
    Ok(Ident {
        raw,
        constructed: first & 0x20 != 0,
        octet_string: first & 0xdf == 0x04,
    })
}

/// `None` means the indefinite form (X.690 §8.1.3.6).
fn read_length(input: &[u8], pos: &mut usize) -> Result<Option<usize>, BerError> {
    let first = read_byte(input, pos)?;
    if first < 0x80 {
        return Ok(Some(usize::from(first)));
    }
    if first == 0x80 {
        return Ok(None);
    }
    let n = usize::from(first & 0x7f);
    if n > 4 {
        // More than 4 GiB cannot fit in the inputs we accept anyway.
        return Err(BerError("length field too long"));
    }
    let mut len = 0usize;
    for _ in 0..n {
        len = (len << 8) | usize::from(read_byte(input, pos)?);
    }
    Ok(Some(len))
}

fn write_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        // Fits the short form, so the cast cannot truncate.
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    // At most size_of::<usize>() bytes, far below 0x7f.
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

/// Whether the end-of-contents octets `00 00` start at `pos`.
fn at_eoc(input: &[u8], pos: usize) -> bool {
    input.get(pos..pos + 2) == Some(&[0, 0])
}

/// Reads one element at `pos` and appends its DER form to `out`.
fn element(input: &[u8], pos: &mut usize, out: &mut Vec<u8>, depth: usize) -> Result<(), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError("nesting too deep"));
    }
    let ident = read_ident(input, pos)?;
    let length = read_length(input, pos)?;
    if !ident.constructed {
        let len = length.ok_or(BerError("indefinite length on a primitive value"))?;
        let end = pos.checked_add(len).ok_or(BerError("length overflow"))?;
        let body = input.get(*pos..end).ok_or(BerError("truncated encoding"))?;
        out.extend_from_slice(ident.raw);
        write_length(len, out);
        out.extend_from_slice(body);
        *pos = end;
        return Ok(());
    }
    let mut body = Vec::new();
    if ident.octet_string {
        // X.690 §8.7.3: the chunks are themselves OCTET STRINGs (primitive or
        // constructed); DER wants one primitive string of their concatenation.
        each_child(input, pos, length, |input, pos| {
            octet_chunks(input, pos, &mut body, depth + 1)
        })?;
        out.push(0x04);
    } else {
        each_child(input, pos, length, |input, pos| {
            element(input, pos, &mut body, depth + 1)
        })?;
        out.extend_from_slice(ident.raw);
    }
    write_length(body.len(), out);
    out.extend_from_slice(&body);
    Ok(())
}

/// Runs `child` over each element of a constructed value whose length is
/// `length` (`None`: indefinite, ends at `00 00`), leaving `pos` after it.
fn each_child(
    input: &[u8],
    pos: &mut usize,
    length: Option<usize>,
    mut child: impl FnMut(&[u8], &mut usize) -> Result<(), BerError>,
) -> Result<(), BerError> {
    match length {
        Some(len) => {
            let end = pos.checked_add(len).ok_or(BerError("length overflow"))?;
            let inner = input.get(..end).ok_or(BerError("truncated encoding"))?;
            while *pos < end {
                child(inner, pos)?;
            }
            Ok(())
        }
        None => loop {
            if *pos >= input.len() {
                return Err(BerError("missing end-of-contents"));
            }
            if at_eoc(input, *pos) {
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
        return Err(BerError("nesting too deep"));
    }
    let ident = read_ident(input, pos)?;
    if !ident.octet_string {
        return Err(BerError(
            "constructed OCTET STRING holds a non-OCTET STRING chunk",
        ));
    }
    let length = read_length(input, pos)?;
    if ident.constructed {
        return each_child(input, pos, length, |input, pos| {
            octet_chunks(input, pos, body, depth + 1)
        });
    }
    let len = length.ok_or(BerError("indefinite length on a primitive value"))?;
    let end = pos.checked_add(len).ok_or(BerError("length overflow"))?;
    body.extend_from_slice(input.get(*pos..end).ok_or(BerError("truncated encoding"))?);
    *pos = end;
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
            &[0x24, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00],
            &[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x02, 0x01, 0x00, 0x00],
        ];
        for case in cases {
            assert!(to_der(case).is_err(), "{case:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(to_der(&deep).is_err());
    }
}
