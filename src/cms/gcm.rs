//! Streaming AES-GCM (NIST SP 800-38D) for AuthEnvelopedData (RFC 5084).
//!
//! Why not `aes-gcm` directly: it encrypts and decrypts one buffer in place, so a
//! 100 MB message would need 100 MB of memory. GCM is CTR mode plus GHASH, and both
//! stream; we build it from the same `aes`, `ctr` and `ghash` crates that `aes-gcm`
//! uses, and the unit tests hold the result equal to `aes-gcm` for many lengths.
//!
//! Decryption never releases plaintext before the tag verifies (RFC 5083 §2): the
//! caller first feeds the whole ciphertext to [`Gcm::absorb`], checks
//! [`Gcm::verify`], and only then runs [`Gcm::apply_keystream`] over it again.

use aes::cipher::{BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher, StreamCipherSeek};
use aes::{Aes128, Aes192, Aes256};
use ghash::GHash;
use zeroize::Zeroize;

use crate::cms::padded_mac::PaddedMac;
use crate::error::CmsError;

type Block = [u8; 16];

/// The most plaintext one key and nonce may encrypt: 2^39 − 256 bits, that is
/// 2^32 − 2 blocks of 16 bytes (NIST SP 800-38D §5.2.1.1). Past it the 32-bit counter
/// would wrap onto J0 and reuse the tag mask as keystream.
pub(crate) const GCM_MAX_PLAINTEXT_BYTES: u64 = ((1u64 << 32) - 2) * 16;

/// The per-key-size state.
enum Engine {
    A128(ctr::Ctr32BE<Aes128>),
    A192(ctr::Ctr32BE<Aes192>),
    A256(ctr::Ctr32BE<Aes256>),
}

/// A GCM computation in progress over one message.
pub(crate) struct Gcm {
    ctr: Engine,
    /// GHASH key H = E_K(0^128).
    h: Block,
    /// E_K(J0): masks the GHASH output to form the tag.
    tag_mask: Block,
    ghash: PaddedMac<GHash>,
}

fn ecb_block<
    C: BlockCipherEncrypt + KeyInit + aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
>(
    key: &[u8],
    input: Block,
) -> Result<Block, CmsError> {
    let c = C::new_from_slice(key).map_err(|_| CmsError::DecryptionFailed)?;
    let mut b = aes::cipher::array::Array::from(input);
    c.encrypt_block(&mut b);
    let mut out = [0u8; 16];
    out.copy_from_slice(&b);
    Ok(out)
}

impl Gcm {
    /// Starts GCM with `key` (16, 24 or 32 bytes) and a 96-bit nonce.
    pub fn new(key: &[u8], nonce: &[u8; 12]) -> Result<Self, CmsError> {
        let mut j0 = [0u8; 16];
        j0[..12].copy_from_slice(nonce);
        j0[15] = 1;
        // Encryption starts at inc32(J0) (SP 800-38D §7.1 step 5).
        let mut ctr_iv = j0;
        ctr_iv[15] = 2;
        let (ctr, h, tag_mask) = match key.len() {
            16 => (
                Engine::A128(
                    ctr::Ctr32BE::<Aes128>::new_from_slices(key, &ctr_iv)
                        .map_err(|_| CmsError::DecryptionFailed)?,
                ),
                ecb_block::<Aes128>(key, [0; 16])?,
                ecb_block::<Aes128>(key, j0)?,
            ),
            24 => (
                Engine::A192(
                    ctr::Ctr32BE::<Aes192>::new_from_slices(key, &ctr_iv)
                        .map_err(|_| CmsError::DecryptionFailed)?,
                ),
                ecb_block::<Aes192>(key, [0; 16])?,
                ecb_block::<Aes192>(key, j0)?,
            ),
            32 => (
                Engine::A256(
                    ctr::Ctr32BE::<Aes256>::new_from_slices(key, &ctr_iv)
                        .map_err(|_| CmsError::DecryptionFailed)?,
                ),
                ecb_block::<Aes256>(key, [0; 16])?,
                ecb_block::<Aes256>(key, j0)?,
            ),
            _ => return Err(CmsError::DecryptionFailed),
        };
        let ghash = PaddedMac::new(GHash::new(&h.into()));
        Ok(Gcm {
            ctr,
            h,
            tag_mask,
            ghash,
        })
    }

    /// Authenticates additional data; must come before any ciphertext.
    pub fn aad(&mut self, aad: &[u8]) {
        self.ghash.aad(aad);
    }

    /// Restarts the GHASH computation (to add AAD after ciphertext was absorbed: the
    /// caller then absorbs the ciphertext again).
    pub fn reset_hash(&mut self) {
        self.ghash = PaddedMac::new(GHash::new(&self.h.into()));
    }

    /// How many keystream bytes were used so far (the counter's position).
    fn position(&self) -> Option<u64> {
        match &self.ctr {
            Engine::A128(c) => c.try_current_pos().ok(),
            Engine::A192(c) => c.try_current_pos().ok(),
            Engine::A256(c) => c.try_current_pos().ok(),
        }
    }

    /// XORs the keystream into `buf` (encrypts or decrypts); fails, leaving `buf`
    /// untouched, when that would pass [`GCM_MAX_PLAINTEXT_BYTES`].
    pub fn apply_keystream(&mut self, buf: &mut [u8]) -> Result<(), CmsError> {
        let over = CmsError::LimitExceeded {
            what: "AES-GCM keystream (bytes)",
            limit: usize::try_from(GCM_MAX_PLAINTEXT_BYTES).unwrap_or(usize::MAX),
        };
        let end = self
            .position()
            .and_then(|pos| pos.checked_add(buf.len() as u64));
        match end {
            Some(end) if end <= GCM_MAX_PLAINTEXT_BYTES => {}
            _ => return Err(over),
        }
        let applied = match &mut self.ctr {
            Engine::A128(c) => c.try_apply_keystream(buf),
            Engine::A192(c) => c.try_apply_keystream(buf),
            Engine::A256(c) => c.try_apply_keystream(buf),
        };
        applied.map_err(|_| over)
    }

    /// Feeds ciphertext to GHASH.
    pub fn absorb(&mut self, ct: &[u8]) {
        self.ghash.absorb(ct);
    }

    /// Encrypts `buf` in place and authenticates the result.
    pub fn encrypt(&mut self, buf: &mut [u8]) -> Result<(), CmsError> {
        self.apply_keystream(buf)?;
        self.absorb(buf);
        Ok(())
    }

    /// The full 16-byte tag over what was absorbed so far.
    pub fn tag(&self) -> Block {
        // SP 800-38D §7.1 step 5: [len(A)]64 ‖ [len(C)]64 in bits, big-endian.
        let (aad_len, ct_len) = self.ghash.lengths();
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&(aad_len * 8).to_be_bytes());
        lens[8..].copy_from_slice(&(ct_len * 8).to_be_bytes());
        let out = self.ghash.finish_with(lens);
        let mut tag = [0u8; 16];
        for (t, (a, b)) in tag.iter_mut().zip(out.iter().zip(self.tag_mask.iter())) {
            *t = a ^ b;
        }
        tag
    }

    /// Compares the computed tag's first `received.len()` bytes with `received` in
    /// constant time.
    pub fn verify(&self, received: &[u8]) -> bool {
        let tag = self.tag();
        if received.is_empty() || received.len() > 16 {
            return false;
        }
        let diff = tag
            .iter()
            .zip(received)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        diff == 0
    }
}

impl Drop for Gcm {
    fn drop(&mut self) {
        self.h.zeroize();
        self.tag_mask.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::AeadInOut;

    fn reference(key: &[u8], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut buf = pt.to_vec();
        let tag = match key.len() {
            16 => aes_gcm::Aes128Gcm::new_from_slice(key)
                .unwrap()
                .encrypt_inout_detached(nonce.into(), aad, buf.as_mut_slice().into())
                .unwrap()
                .to_vec(),
            _ => aes_gcm::Aes256Gcm::new_from_slice(key)
                .unwrap()
                .encrypt_inout_detached(nonce.into(), aad, buf.as_mut_slice().into())
                .unwrap()
                .to_vec(),
        };
        (buf, tag)
    }

    #[test]
    fn matches_aes_gcm_for_many_lengths_and_chunkings() {
        for key_len in [16usize, 32] {
            let key: Vec<u8> = (0..key_len as u8).collect();
            let nonce = [9u8; 12];
            for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 100, 1024, 1025, 5000] {
                let pt: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                for aad in [&b""[..], b"attrs"] {
                    let (want_ct, want_tag) = reference(&key, &nonce, aad, &pt);
                    for chunk in [1usize, 5, 16, 17, 4096] {
                        let mut g = Gcm::new(&key, &nonce).unwrap();
                        g.aad(aad);
                        let mut ct = pt.clone();
                        for c in ct.chunks_mut(chunk) {
                            g.encrypt(c).unwrap();
                        }
                        assert_eq!(ct, want_ct, "len {len} chunk {chunk}");
                        assert_eq!(g.tag().to_vec(), want_tag, "len {len} chunk {chunk}");
                        // Decrypt side: absorb, verify, then keystream.
                        let mut d = Gcm::new(&key, &nonce).unwrap();
                        d.aad(aad);
                        for c in ct.chunks(chunk) {
                            d.absorb(c);
                        }
                        assert!(d.verify(&want_tag));
                        let mut bad = want_tag.clone();
                        bad[15] ^= 1;
                        assert!(!d.verify(&bad));
                        d.apply_keystream(&mut ct).unwrap();
                        assert_eq!(ct, pt);
                    }
                }
            }
        }
    }

    /// Moves the counter to `pos` bytes into the keystream, as if that much had been
    /// encrypted, so the limit can be reached without encrypting 64 GiB.
    fn seek(g: &mut Gcm, pos: u64) {
        match &mut g.ctr {
            Engine::A128(c) => c.seek(pos),
            Engine::A192(c) => c.seek(pos),
            Engine::A256(c) => c.seek(pos),
        }
    }

    #[test]
    fn keystream_limit_is_a_typed_error_not_a_panic() {
        for key_len in [16usize, 24, 32] {
            let key = vec![7u8; key_len];
            let mut g = Gcm::new(&key, &[1u8; 12]).unwrap();
            seek(&mut g, GCM_MAX_PLAINTEXT_BYTES - 20);
            // The last 20 bytes are still allowed.
            let mut last = [0u8; 20];
            g.encrypt(&mut last).unwrap();
            // One byte more is refused, and the buffer is left as it was.
            let mut one = [0xAAu8; 1];
            let err = g.apply_keystream(&mut one).unwrap_err();
            assert!(
                matches!(err, CmsError::LimitExceeded { what, .. } if what.contains("GCM")),
                "{err:?}"
            );
            assert_eq!(one, [0xAA]);
            assert!(g.encrypt(&mut one).is_err());

            // A chunk straddling the limit is refused whole.
            let mut h = Gcm::new(&key, &[1u8; 12]).unwrap();
            seek(&mut h, GCM_MAX_PLAINTEXT_BYTES - 8);
            let mut straddle = [0u8; 16];
            assert!(h.apply_keystream(&mut straddle).is_err());
            assert_eq!(straddle, [0u8; 16]);
        }
    }

    #[test]
    fn keystream_at_the_limit_still_matches_the_counter_block_before_j0() {
        // The last allowed block uses counter 0xFFFFFFFF when J0 ends in 1 (counter 2
        // is the first): the keystream there is E_K(nonce || FFFFFFFF).
        let key = [3u8; 16];
        let nonce = [5u8; 12];
        let mut g = Gcm::new(&key, &nonce).unwrap();
        seek(&mut g, GCM_MAX_PLAINTEXT_BYTES - 16);
        let mut block = [0u8; 16];
        g.apply_keystream(&mut block).unwrap();
        let mut counter_block = [0xFFu8; 16];
        counter_block[..12].copy_from_slice(&nonce);
        assert_eq!(block, ecb_block::<Aes128>(&key, counter_block).unwrap());
    }
}
