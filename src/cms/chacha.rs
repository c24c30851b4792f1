//! Streaming ChaCha20-Poly1305 (RFC 8439 §2.8) for AuthEnvelopedData (RFC 8103).
//!
//! Why not `chacha20poly1305` directly: like `aes-gcm` it works on one buffer in
//! memory. The AEAD is ChaCha20 (counter from 1) plus Poly1305 over
//! `aad ‖ pad16 ‖ ciphertext ‖ pad16 ‖ le64(len(aad)) ‖ le64(len(ciphertext))`
//! with the one-time key taken from block 0; both halves stream. We build it from
//! the `chacha20` and `poly1305` crates that `chacha20poly1305` itself uses, and
//! the unit tests hold the result equal to `chacha20poly1305` and to RFC 8439
//! §2.8.2.
//!
//! As with AES-GCM, decryption absorbs the whole ciphertext, verifies the tag and
//! only then runs the keystream (RFC 5083 §2: no plaintext before the tag).

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use zeroize::Zeroize;

use crate::cms::padded_mac::PaddedMac;
use crate::error::CmsError;

/// RFC 8103 §3: the nonce is 12 octets.
pub(crate) const CHACHA_NONCE_LEN: usize = 12;
/// RFC 8103 §3: the tag is 16 octets.
pub(crate) const CHACHA_TAG_LEN: usize = 16;

/// A ChaCha20-Poly1305 computation over one message.
pub(crate) struct ChaChaPoly {
    cipher: ChaCha20,
    /// Kept to restart the MAC (AAD that arrives after the ciphertext).
    mac_key: [u8; 32],
    mac: PaddedMac<Poly1305>,
}

impl ChaChaPoly {
    /// Starts with a 32-byte key and a 12-byte nonce.
    pub fn new(key: &[u8], nonce: &[u8; CHACHA_NONCE_LEN]) -> Result<Self, CmsError> {
        let mut cipher =
            ChaCha20::new_from_slices(key, nonce).map_err(|_| CmsError::DecryptionFailed)?;
        // RFC 8439 §2.6: the Poly1305 key is the first 32 bytes of block 0.
        let mut mac_key = [0u8; 32];
        cipher.apply_keystream(&mut mac_key);
        // §2.8: encryption starts at block counter 1.
        cipher.seek(64u64);
        let mac = PaddedMac::new(Poly1305::new(&mac_key.into()));
        Ok(ChaChaPoly {
            cipher,
            mac_key,
            mac,
        })
    }

    /// Authenticates additional data; must come before any ciphertext.
    pub fn aad(&mut self, aad: &[u8]) {
        self.mac.aad(aad);
    }

    /// Restarts the MAC (to add AAD after ciphertext was absorbed).
    pub fn reset_hash(&mut self) {
        self.mac = PaddedMac::new(Poly1305::new(&self.mac_key.into()));
    }

    /// XORs the keystream into `buf`; fails past ChaCha20's 256 GiB limit.
    pub fn apply_keystream(&mut self, buf: &mut [u8]) -> Result<(), CmsError> {
        self.cipher
            .try_apply_keystream(buf)
            .map_err(|_| CmsError::LimitExceeded {
                what: "ChaCha20 keystream (bytes)",
                limit: usize::MAX,
            })
    }

    /// Feeds ciphertext to Poly1305.
    pub fn absorb(&mut self, ct: &[u8]) {
        self.mac.absorb(ct);
    }

    /// Encrypts `buf` in place and authenticates the result.
    pub fn encrypt(&mut self, buf: &mut [u8]) -> Result<(), CmsError> {
        self.apply_keystream(buf)?;
        self.absorb(buf);
        Ok(())
    }

    /// The 16-byte tag over what was absorbed so far.
    pub fn tag(&self) -> [u8; CHACHA_TAG_LEN] {
        // RFC 8439 §2.8: le64(len(aad)) ‖ le64(len(ciphertext)) in bytes.
        let (aad_len, ct_len) = self.mac.lengths();
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&aad_len.to_le_bytes());
        lens[8..].copy_from_slice(&ct_len.to_le_bytes());
        self.mac.finish_with(lens)
    }

    /// Constant-time comparison of the full tag with `received`.
    pub fn verify(&self, received: &[u8]) -> bool {
        if received.len() != CHACHA_TAG_LEN {
            return false;
        }
        let tag = self.tag();
        tag.iter()
            .zip(received)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl Drop for ChaChaPoly {
    fn drop(&mut self) {
        self.mac_key.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20poly1305::aead::AeadInOut;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn reference(key: &[u8], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut buf = pt.to_vec();
        let tag = chacha20poly1305::ChaCha20Poly1305::new_from_slice(key)
            .unwrap()
            .encrypt_inout_detached(nonce.into(), aad, buf.as_mut_slice().into())
            .unwrap();
        (buf, tag.to_vec())
    }

    /// RFC 8439 §2.8.2.
    #[test]
    fn rfc8439_aead_vector() {
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let aad = hex("50515253c0c1c2c3c4c5c6c7");
        let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        let nonce: [u8; 12] = hex("070000004041424344454647").try_into().unwrap();
        let mut c = ChaChaPoly::new(&key, &nonce).unwrap();
        c.aad(&aad);
        let mut ct = pt.to_vec();
        c.encrypt(&mut ct).unwrap();
        assert_eq!(&ct[..16], &hex("d31a8d34648e60db7b86afbc53ef7ec2")[..]);
        assert_eq!(c.tag().to_vec(), hex("1ae10b594f09e26a7e902ecbd0600691"));
    }

    #[test]
    fn matches_chacha20poly1305_for_many_lengths_and_chunkings() {
        let key: Vec<u8> = (0..32u8).collect();
        let nonce = [3u8; 12];
        for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 100, 1024, 5000] {
            let pt: Vec<u8> = (0..len).map(|i| (i * 13 + 1) as u8).collect();
            for aad in [&b""[..], b"attrs"] {
                let (want_ct, want_tag) = reference(&key, &nonce, aad, &pt);
                for chunk in [1usize, 7, 16, 64, 4096] {
                    let mut e = ChaChaPoly::new(&key, &nonce).unwrap();
                    e.aad(aad);
                    let mut ct = pt.clone();
                    for c in ct.chunks_mut(chunk) {
                        e.encrypt(c).unwrap();
                    }
                    assert_eq!(ct, want_ct, "len {len} chunk {chunk}");
                    assert_eq!(e.tag().to_vec(), want_tag, "len {len} chunk {chunk}");
                    let mut d = ChaChaPoly::new(&key, &nonce).unwrap();
                    // AAD after the ciphertext: reset and absorb again.
                    for c in ct.chunks(chunk) {
                        d.absorb(c);
                    }
                    d.reset_hash();
                    d.aad(aad);
                    for c in ct.chunks(chunk) {
                        d.absorb(c);
                    }
                    assert!(d.verify(&want_tag));
                    let mut bad = want_tag.clone();
                    bad[0] ^= 0x80;
                    assert!(!d.verify(&bad));
                    assert!(!d.verify(&want_tag[..12]));
                    d.apply_keystream(&mut ct).unwrap();
                    assert_eq!(ct, pt);
                }
            }
        }
    }
}
