//! Streaming CBC with PKCS#7 padding (RFC 5652 §6.3) over any of the block ciphers
//! an envelope may name: AES for new mail, 3DES and RC2 to read old mail.
//!
//! Memory is fixed: at most one block is held back (the one that may carry the
//! padding). CBC has no integrity: a caller must report the result as
//! unauthenticated (EFAIL, RFC 8551 §6).

use aes::cipher::array::Array;
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser,
    InnerIvInit, KeyInit, KeyIvInit,
};
use aes::{Aes128, Aes192, Aes256};

use crate::cms::algorithms::CbcKind;
use crate::error::CmsError;

/// A CBC mode of some block cipher, processing whole blocks in place.
trait Blocks {
    fn block_len(&self) -> usize;
    /// `buf.len()` is a multiple of `block_len()`.
    fn process(&mut self, buf: &mut [u8]);
}

struct Enc<C: BlockCipherEncrypt>(cbc::Encryptor<C>);
struct Dec<C: BlockCipherDecrypt>(cbc::Decryptor<C>);

impl<C: BlockCipherEncrypt> Blocks for Enc<C> {
    fn block_len(&self) -> usize {
        <C as BlockSizeUser>::block_size()
    }
    fn process(&mut self, buf: &mut [u8]) {
        let (blocks, _) = Array::slice_as_chunks_mut(buf);
        self.0.encrypt_blocks(blocks);
    }
}

impl<C: BlockCipherDecrypt> Blocks for Dec<C> {
    fn block_len(&self) -> usize {
        <C as BlockSizeUser>::block_size()
    }
    fn process(&mut self, buf: &mut [u8]) {
        let (blocks, _) = Array::slice_as_chunks_mut(buf);
        self.0.decrypt_blocks(blocks);
    }
}

fn enc<C>(key: &[u8], iv: &[u8]) -> Result<Box<dyn Blocks + Send>, CmsError>
where
    C: BlockCipherEncrypt + KeyInit + Send + 'static,
{
    let e =
        cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| CmsError::InvalidParameters {
            algorithm: "CBC",
            reason: "bad key or IV length".into(),
        })?;
    Ok(Box::new(Enc(e)))
}

fn dec<C>(key: &[u8], iv: &[u8]) -> Result<Box<dyn Blocks + Send>, CmsError>
where
    C: BlockCipherDecrypt + KeyInit + Send + 'static,
{
    // A wrong-length key here is a failed unwrap: same error as any other failure
    // (RFC 3218 §2.3).
    let d =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| CmsError::DecryptionFailed)?;
    Ok(Box::new(Dec(d)))
}

/// Encrypts a stream with AES-CBC and PKCS#7 padding.
pub(crate) struct CbcEncryptor {
    mode: Box<dyn Blocks + Send>,
    pending: Vec<u8>,
}

impl CbcEncryptor {
    pub fn new(key: &[u8], iv: &[u8]) -> Result<Self, CmsError> {
        let mode = match key.len() {
            16 => enc::<Aes128>(key, iv)?,
            24 => enc::<Aes192>(key, iv)?,
            32 => enc::<Aes256>(key, iv)?,
            n => {
                return Err(CmsError::InvalidParameters {
                    algorithm: "AES-CBC",
                    reason: format!("key of {n} bytes"),
                });
            }
        };
        Ok(CbcEncryptor {
            mode,
            pending: Vec::with_capacity(16),
        })
    }

    /// The ciphertext length for a plaintext of `len` bytes: padding always adds
    /// 1..=16 bytes.
    pub fn ciphertext_len(len: u64) -> u64 {
        (len / 16 + 1) * 16
    }

    // Slicing in this file cannot go out of range: `take` is bounded by `data.len()`,
    // `full` and `n` are multiples of the block length no larger than the buffer they
    // cut, `start` is the length `out` had before the extension, and `keep` comes from
    // `unpad`, which checks it against the block.

    /// Encrypts what it can of `data`, appending ciphertext to `out`.
    pub fn update(&mut self, mut data: &[u8], out: &mut Vec<u8>) {
        let bl = self.mode.block_len();
        if !self.pending.is_empty() {
            let take = (bl - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < bl {
                return;
            }
            let start = out.len();
            out.extend_from_slice(&self.pending);
            self.mode.process(&mut out[start..]);
            self.pending.clear();
        }
        let full = data.len() / bl * bl;
        let start = out.len();
        out.extend_from_slice(&data[..full]);
        self.mode.process(&mut out[start..]);
        self.pending.extend_from_slice(&data[full..]);
    }

    /// Encrypts `buf` in place when nothing is held back and it is whole blocks (the
    /// common case: a full read buffer), saving [`update`](Self::update)'s copy;
    /// returns false, touching nothing, otherwise.
    pub fn update_in_place(&mut self, buf: &mut [u8]) -> bool {
        if !self.pending.is_empty() || !buf.len().is_multiple_of(self.mode.block_len()) {
            return false;
        }
        self.mode.process(buf);
        true
    }

    /// Pads and encrypts the last block.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        let bl = self.mode.block_len();
        let pad = bl - self.pending.len();
        self.pending.resize(bl, pad as u8);
        let start = out.len();
        out.extend_from_slice(&self.pending);
        self.mode.process(&mut out[start..]);
    }
}

/// Decrypts a CBC stream, holding back the final block until the end so the padding
/// can be checked and removed.
pub(crate) struct CbcDecryptor {
    mode: Box<dyn Blocks + Send>,
    pending: Vec<u8>,
}

impl CbcDecryptor {
    pub fn new(kind: CbcKind, key: &[u8], iv: &[u8]) -> Result<Self, CmsError> {
        let mode = match kind {
            CbcKind::Aes(_) => match key.len() {
                // Bouncy Castle accepts an AES key whose length differs from the OID's
                // label (seen in its test set); the key length decides the variant.
                16 => dec::<Aes128>(key, iv)?,
                24 => dec::<Aes192>(key, iv)?,
                32 => dec::<Aes256>(key, iv)?,
                _ => return Err(CmsError::DecryptionFailed),
            },
            CbcKind::TripleDes => dec::<des::TdesEde3>(key, iv)?,
            CbcKind::Rc2 { effective_bits } => {
                // RFC 2268 §2: keys are 1..=128 bytes.
                if key.is_empty() || key.len() > 128 {
                    return Err(CmsError::DecryptionFailed);
                }
                let cipher = rc2::Rc2::new_with_eff_key_len(key, effective_bits);
                let iv: [u8; 8] = iv.try_into().map_err(|_| CmsError::DecryptionFailed)?;
                Box::new(Dec(cbc::Decryptor::<rc2::Rc2>::inner_iv_init(
                    cipher,
                    &iv.into(),
                )))
            }
        };
        Ok(CbcDecryptor {
            mode,
            pending: Vec::with_capacity(64 * 1024),
        })
    }

    /// Decrypts what it can of `data`, writing plaintext into `out`.
    pub fn update(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let bl = self.mode.block_len();
        self.pending.extend_from_slice(data);
        let mut n = self.pending.len() / bl * bl;
        // Keep the last full block: it may be the final one with the padding.
        if n == self.pending.len() {
            n = n.saturating_sub(bl);
        }
        if n == 0 {
            return;
        }
        let start = out.len();
        out.extend_from_slice(&self.pending[..n]);
        self.mode.process(&mut out[start..]);
        self.pending.drain(..n);
    }

    /// Decrypts the final block, checks and strips the padding.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), CmsError> {
        let bl = self.mode.block_len();
        if self.pending.len() != bl {
            return Err(CmsError::DecryptionFailed);
        }
        let mut last = std::mem::take(&mut self.pending);
        self.mode.process(&mut last);
        let keep = unpad(&last, bl).ok_or(CmsError::DecryptionFailed)?;
        out.extend_from_slice(&last[..keep]);
        Ok(())
    }
}

/// PKCS#7 padding check without early exit on the padding bytes; returns the
/// plaintext length within the block.
fn unpad(block: &[u8], bl: usize) -> Option<usize> {
    let pad = usize::from(*block.last()?);
    let mut bad = u8::from(pad == 0 || pad > bl);
    for (i, b) in block.iter().rev().enumerate() {
        let in_pad = u8::from(i < pad);
        bad |= in_pad & u8::from(usize::from(*b) != pad);
    }
    if bad == 0 { Some(bl - pad) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::block_padding::Pkcs7;

    #[test]
    fn matches_cbc_crate_for_many_lengths_and_chunkings() {
        let key = [3u8; 32];
        let iv = [5u8; 16];
        for len in [0usize, 1, 15, 16, 17, 32, 1000, 4096] {
            let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let want = cbc::Encryptor::<Aes256>::new_from_slices(&key, &iv)
                .unwrap()
                .encrypt_padded_vec::<Pkcs7>(&pt);
            for chunk in [1usize, 7, 16, 33, 5000] {
                let mut e = CbcEncryptor::new(&key, &iv).unwrap();
                let mut ct = Vec::new();
                for c in pt.chunks(chunk) {
                    e.update(c, &mut ct);
                }
                e.finish(&mut ct);
                assert_eq!(ct, want);
                assert_eq!(ct.len() as u64, CbcEncryptor::ciphertext_len(len as u64));
                let mut d = CbcDecryptor::new(CbcKind::Aes(32), &key, &iv).unwrap();
                let mut back = Vec::new();
                for c in ct.chunks(chunk) {
                    d.update(c, &mut back);
                }
                d.finish(&mut back).unwrap();
                assert_eq!(back, pt);
            }
        }
    }

    #[test]
    fn bad_padding_and_bad_lengths_fail_uniformly() {
        let key = [3u8; 16];
        let iv = [5u8; 16];
        let mut d = CbcDecryptor::new(CbcKind::Aes(16), &key, &iv).unwrap();
        let mut out = Vec::new();
        d.update(&[0u8; 17], &mut out);
        assert!(matches!(
            d.finish(&mut out),
            Err(CmsError::DecryptionFailed)
        ));
        let d = CbcDecryptor::new(CbcKind::Aes(16), &key, &iv).unwrap();
        assert!(matches!(
            d.finish(&mut out),
            Err(CmsError::DecryptionFailed)
        ));
        assert_eq!(unpad(&[1, 2, 3, 4, 5, 6, 7, 0], 8), None);
        assert_eq!(unpad(&[1, 2, 3, 4, 5, 6, 2, 2], 8), Some(6));
        assert_eq!(unpad(&[1, 2, 3, 4, 5, 6, 3, 2], 8), None);
        assert_eq!(unpad(&[1, 2, 3, 4, 5, 3, 2, 3], 8), None);
        assert_eq!(unpad(&[9; 8], 8), None);
    }
}
