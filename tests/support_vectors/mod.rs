//! Shared helpers for the third-party decryption vectors (`vectors_decrypt.rs`,
//! `clients_table.rs`): reading `../shared/testdata`, loading the keys in the forms the
//! corpora ship them, and peeling an opaque SignedData layer (not verifying it: that
//! is the signing layer's job) to reach an encrypted layer inside.

#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPrivateKey;
use smime::{Certificate, CmsError, Error, Identity, PrivateKey};

pub const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata");

pub fn path(rel: &str) -> PathBuf {
    Path::new(TESTDATA).join(rel)
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `CmsError` inside an error, panicking (with the error) on any other kind.
pub fn cms_error(e: Error) -> CmsError {
    match e {
        Error::Cms(c) => c,
        other => panic!("expected a CMS error, got {other:?}"),
    }
}

/// An identity from a certificate (DER or PEM, first certificate is the user's) and
/// a private key: PKCS#8 PEM, PKCS#8 DER (RFC 4134 `.pri`) or PKCS#1 PEM
/// (`RSA PRIVATE KEY`, Bouncy Castle and asn1crypto ship those).
///
/// PKCS#1 goes through the `rsa` crate here because `Identity::from_pem` reads only
/// PKCS#8 on `main`; the `pkcs12` branch adds PKCS#1/SEC1 to it, after which the
/// fallback is simply not taken.
pub fn identity_from_files(cert_rel: &str, key_rel: &str) -> Identity {
    let cert_bytes = read(cert_rel);
    let key_bytes = read(key_rel);
    let mut certs = Certificate::load(&cert_bytes).unwrap_or_else(|e| panic!("{cert_rel}: {e}"));
    assert!(!certs.is_empty(), "{cert_rel}: no certificate");
    let cert = certs.remove(0);
    let key = if key_bytes.trim_ascii_start().starts_with(b"-----") {
        if let Ok(id) = Identity::from_pem(&cert_bytes, &key_bytes, None) {
            return id;
        }
        let text = std::str::from_utf8(&key_bytes).expect("PEM key is text");
        let rsa = rsa::PrivateKey::from_pkcs1_pem(text)
            .unwrap_or_else(|e| panic!("{key_rel}: neither PKCS#8 nor PKCS#1 PEM: {e}"));
        PrivateKey::Rsa(Box::new(rsa))
    } else {
        PrivateKey::from_pkcs8_der(&key_bytes).unwrap_or_else(|e| panic!("{key_rel}: {e}"))
    };
    Identity::new(cert, key, certs).expect("identity")
}

/// PKCS#12 bytes (DER, or PEM-armoured `-----BEGIN PKCS12-----` as the
/// protected-headers vectors ship it) to DER.
pub fn p12_der(bytes: &[u8]) -> Vec<u8> {
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return bytes.to_vec();
    }
    let text = String::from_utf8_lossy(bytes);
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD.decode(b64).expect("PEM-armoured PKCS#12")
}

/// An identity from a PKCS#12 file (DER or PEM-armoured), opened by our own reader.
pub fn identity_from_p12(bytes: &[u8], password: &str) -> Identity {
    Identity::from_pkcs12(&p12_der(bytes), password).expect("identity from PKCS#12")
}

// ---------------------------------------------------------------------------------
// A minimal BER reader, enough to take eContent out of an opaque SignedData.
// ---------------------------------------------------------------------------------

const SIGNED_DATA_OID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];

/// One BER element: (identifier octet, content, rest after the element).
fn tlv(b: &[u8], depth: usize) -> Option<(u8, &[u8], &[u8])> {
    if depth > 16 {
        return None;
    }
    let (&tag, rest) = b.split_first()?;
    let (&len0, rest) = rest.split_first()?;
    if len0 == 0x80 {
        // Indefinite: children up to the end-of-contents octets.
        let mut cur = rest;
        loop {
            if cur.starts_with(&[0, 0]) {
                let content_len = rest.len() - cur.len();
                return Some((tag, &rest[..content_len], &cur[2..]));
            }
            let (_, _, after) = tlv(cur, depth + 1)?;
            cur = after;
        }
    }
    let (len, rest) = if len0 < 0x80 {
        (usize::from(len0), rest)
    } else {
        let n = usize::from(len0 & 0x7f);
        if n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &x| a << 8 | usize::from(x));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// (identifier, content, the whole element).
type Element<'a> = (u8, &'a [u8], &'a [u8]);

fn children(content: &[u8]) -> Option<Vec<Element<'_>>> {
    let mut out = Vec::new();
    let mut cur = content;
    while !cur.is_empty() {
        let start = cur;
        let (tag, c, rest) = tlv(cur, 0)?;
        let whole = &start[..start.len() - rest.len()];
        out.push((tag, c, whole));
        cur = rest;
    }
    Some(out)
}

/// The octets of a (possibly constructed) OCTET STRING.
fn octets(tag: u8, content: &[u8], out: &mut Vec<u8>, depth: usize) -> Option<()> {
    if depth > 8 {
        return None;
    }
    match tag {
        0x04 => out.extend_from_slice(content),
        0x24 => {
            for (t, c, _) in children(content)? {
                octets(t, c, out, depth + 1)?;
            }
        }
        _ => return None,
    }
    Some(())
}

/// Whether a CMS ContentInfo is SignedData.
pub fn is_signed_data(cms: &[u8]) -> bool {
    tlv(cms, 0)
        .and_then(|(_, content, _)| children(content))
        .is_some_and(|c| {
            c.first()
                .is_some_and(|(_, _, whole)| *whole == SIGNED_DATA_OID)
        })
}

/// The encapsulated content of an opaque SignedData (ContentInfo, BER or DER), or
/// `None` when the input is not one. The signature is NOT checked.
pub fn signed_econtent(cms: &[u8]) -> Option<Vec<u8>> {
    let (_, ci, _) = tlv(cms, 0)?;
    let ci = children(ci)?;
    if ci.first()?.2 != SIGNED_DATA_OID {
        return None;
    }
    let (_, explicit, _) = ci.get(1)?;
    let (_, sd, _) = tlv(explicit, 0)?;
    let sd = children(sd)?;
    // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, ... }
    let (_, encap, _) = sd.get(2)?;
    let encap = children(encap)?;
    let (_, econtent_explicit, _) = encap.get(1)?;
    let (tag, content, _) = tlv(econtent_explicit, 0)?;
    let mut out = Vec::new();
    octets(tag, content, &mut out, 0)?;
    Some(out)
}

/// Takes the content out of an opaque-signed MIME entity (an
/// `application/pkcs7-mime; smime-type=signed-data` message or part, or bare CMS).
pub fn peel_opaque_signature(entity: &[u8]) -> Option<Vec<u8>> {
    let part = smime::mime::find_enveloped(entity).ok()?;
    signed_econtent(part.cms())
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}
