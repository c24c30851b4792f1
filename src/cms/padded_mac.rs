//! The input side shared by both streaming AEADs: GHASH (AES-GCM, NIST SP 800-38D
//! §6.4) and Poly1305 (ChaCha20-Poly1305, RFC 8439 §2.8) both authenticate
//! `aad ‖ pad16 ‖ ciphertext ‖ pad16 ‖ length block`. Ciphertext arrives in chunks
//! of any size, so whole 16-byte blocks go to the MAC and the tail waits here.

use ghash::universal_hash::UniversalHash;
use ghash::universal_hash::consts::U16;

/// Blocks handed to the MAC per call (bounds the temporary block vector).
const BATCH: usize = 64;

/// A 16-byte-block universal hash fed AAD, then ciphertext in arbitrary chunks.
#[derive(Clone)]
pub(crate) struct PaddedMac<U> {
    mac: U,
    pending: [u8; 16],
    pending_len: usize,
    aad_len: u64,
    ct_len: u64,
}

impl<U: UniversalHash<BlockSize = U16> + Clone> PaddedMac<U> {
    pub fn new(mac: U) -> Self {
        PaddedMac {
            mac,
            pending: [0; 16],
            pending_len: 0,
            aad_len: 0,
            ct_len: 0,
        }
    }

    /// Authenticates additional data (zero-padded to a block); before any ciphertext.
    pub fn aad(&mut self, aad: &[u8]) {
        self.mac.update_padded(aad);
        self.aad_len += aad.len() as u64;
    }

    /// Feeds ciphertext.
    pub fn absorb(&mut self, mut ct: &[u8]) {
        self.ct_len += ct.len() as u64;
        if self.pending_len > 0 {
            let take = (16 - self.pending_len).min(ct.len());
            let (head, rest) = ct.split_at(take);
            if let Some(dst) = self
                .pending
                .get_mut(self.pending_len..self.pending_len + take)
            {
                dst.copy_from_slice(head);
            }
            self.pending_len += take;
            ct = rest;
            if self.pending_len < 16 {
                return;
            }
            self.mac.update(&[self.pending.into()]);
            self.pending_len = 0;
        }
        let (blocks, rest) = ct.split_at(ct.len() / 16 * 16);
        let mut batch = Vec::with_capacity(BATCH);
        for chunk in blocks.chunks(16 * BATCH) {
            batch.clear();
            batch.extend(chunk.chunks_exact(16).map(|b| {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                ghash::universal_hash::Block::<U>::from(a)
            }));
            self.mac.update(&batch);
        }
        if let Some(dst) = self.pending.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        self.pending_len = rest.len();
    }

    /// Bytes of AAD and of ciphertext absorbed, for the length block.
    pub fn lengths(&self) -> (u64, u64) {
        (self.aad_len, self.ct_len)
    }

    /// The MAC output over everything absorbed, the padding and `length_block`,
    /// leaving this state usable (more ciphertext may follow).
    pub fn finish_with(&self, length_block: [u8; 16]) -> [u8; 16] {
        let mut mac = self.mac.clone();
        if let Some(tail) = self.pending.get(..self.pending_len)
            && !tail.is_empty()
        {
            mac.update_padded(tail);
        }
        mac.update(&[length_block.into()]);
        let mut out = [0u8; 16];
        out.copy_from_slice(&mac.finalize());
        out
    }
}
