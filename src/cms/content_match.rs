//! Whether the eContent a detached (multipart/signed) SignedData also carries is the
//! detached content itself (issue 15 finding 11).
//!
//! RFC 8551 §3.5 makes the multipart/signed signature detached, and REQUIREMENTS.md §2
//! row 7 refuses eContent there: a signature over content A shown beside a body B is
//! the "eContent confusion" attack. Python `cryptography`'s S/MIME signing without the
//! detached option writes exactly that shape with A byte-identical to B, which OpenSSL
//! accepts and in which nothing is confused. So the two are compared — both streamed,
//! neither buffered — by length and SHA-256, whatever digest the signer chose (which
//! may be weak enough to collide).

use sha2::{Digest, Sha256};

/// A running SHA-256 and byte count of one content stream.
#[derive(Clone, Default)]
pub(crate) struct ContentFingerprint {
    hash: Sha256,
    len: u64,
}

impl ContentFingerprint {
    /// Adds the next bytes of the content.
    pub(crate) fn update(&mut self, chunk: &[u8]) {
        self.hash.update(chunk);
        self.len = self.len.saturating_add(chunk.len() as u64);
    }

    /// True when `self` and `other` saw the same bytes (same length, same SHA-256).
    pub(crate) fn same_as(self, other: ContentFingerprint) -> bool {
        self.len == other.len && self.hash.finalize() == other.hash.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(chunks: &[&[u8]]) -> ContentFingerprint {
        let mut f = ContentFingerprint::default();
        for c in chunks {
            f.update(c);
        }
        f
    }

    #[test]
    fn same_bytes_in_any_chunking_match() {
        assert!(
            of(&[b"Content-Type: text/plain\r\n\r\nA\r\n"]).same_as(of(&[
                b"Content-Type: ",
                b"text/plain\r\n\r\n",
                b"",
                b"A\r\n"
            ]))
        );
        assert!(of(&[]).same_as(of(&[b""])));
    }

    #[test]
    fn different_bytes_or_lengths_do_not_match() {
        assert!(!of(&[b"pay 10 EUR"]).same_as(of(&[b"pay 10000 EUR"])));
        assert!(!of(&[b"A\r\n"]).same_as(of(&[b"A\n"])));
        assert!(!of(&[b"A"]).same_as(of(&[b"A", b"\0"])));
        assert!(!of(&[b"A"]).same_as(of(&[])));
    }
}
