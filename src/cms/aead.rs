//! The authenticated content ciphers of AuthEnvelopedData behind one interface:
//! AES-GCM (RFC 5084, [`super::gcm`]) and ChaCha20-Poly1305 (RFC 8103,
//! [`super::chacha`]). Both stream; both are used "absorb, verify, then
//! decrypt" on the way in (RFC 5083 §2).

use crate::cms::chacha::ChaChaPoly;
use crate::cms::gcm::Gcm;
use crate::error::CmsError;

/// One AEAD computation over one message.
pub(crate) enum Aead {
    Gcm(Box<Gcm>),
    ChaCha(Box<ChaChaPoly>),
}

impl Aead {
    /// AES-GCM with a 16/24/32-byte key.
    pub fn gcm(key: &[u8], nonce: &[u8; 12]) -> Result<Self, CmsError> {
        Ok(Aead::Gcm(Box::new(Gcm::new(key, nonce)?)))
    }

    /// ChaCha20-Poly1305 with a 32-byte key.
    pub fn chacha(key: &[u8], nonce: &[u8; 12]) -> Result<Self, CmsError> {
        Ok(Aead::ChaCha(Box::new(ChaChaPoly::new(key, nonce)?)))
    }

    /// Authenticates additional data (before any ciphertext).
    pub fn aad(&mut self, aad: &[u8]) {
        match self {
            Aead::Gcm(g) => g.aad(aad),
            Aead::ChaCha(c) => c.aad(aad),
        }
    }

    /// Restarts the authenticator, keeping the keystream position.
    pub fn reset_hash(&mut self) {
        match self {
            Aead::Gcm(g) => g.reset_hash(),
            Aead::ChaCha(c) => c.reset_hash(),
        }
    }

    /// Feeds ciphertext to the authenticator.
    pub fn absorb(&mut self, ct: &[u8]) {
        match self {
            Aead::Gcm(g) => g.absorb(ct),
            Aead::ChaCha(c) => c.absorb(ct),
        }
    }

    /// XORs the keystream into `buf`.
    pub fn apply_keystream(&mut self, buf: &mut [u8]) -> Result<(), CmsError> {
        match self {
            Aead::Gcm(g) => g.apply_keystream(buf),
            Aead::ChaCha(c) => c.apply_keystream(buf),
        }
    }

    /// Encrypts `buf` in place and authenticates the result.
    pub fn encrypt(&mut self, buf: &mut [u8]) -> Result<(), CmsError> {
        match self {
            Aead::Gcm(g) => g.encrypt(buf),
            Aead::ChaCha(c) => c.encrypt(buf),
        }
    }

    /// The full 16-byte tag.
    pub fn tag(&self) -> [u8; 16] {
        match self {
            Aead::Gcm(g) => g.tag(),
            Aead::ChaCha(c) => c.tag(),
        }
    }

    /// Constant-time check of a received tag.
    pub fn verify(&self, received: &[u8]) -> bool {
        match self {
            Aead::Gcm(g) => g.verify(received),
            Aead::ChaCha(c) => c.verify(received),
        }
    }
}
