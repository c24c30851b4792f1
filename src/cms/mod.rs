//! CMS (RFC 5652): building and opening the structures S/MIME carries.
//!
//! * [`encrypt`] / [`Envelope`]: EnvelopedData (AES-CBC) and AuthEnvelopedData
//!   (AES-GCM, RFC 5083/5084; ChaCha20-Poly1305, RFC 8103) for any number of
//!   recipients, streaming. The recipient kind follows the certificate: RSA keys get
//!   KeyTransRecipientInfo, P-256/P-384 and X25519 keys get ECDH
//!   KeyAgreeRecipientInfo (RFC 5753, RFC 8418).
//! * [`decrypt`] / [`decrypt_stream`]: open either with an
//!   [`Identity`](crate::Identity) (RSA or EC), also 3DES and RC2 from old mail,
//!   with the RFC 3218 countermeasures.
//! * [`CipherPolicy::choose`]: which content cipher a message uses, and why (RFC 8551
//!   §2.7.1): an authenticated one only when every recipient announced it.
//! * [`decrypt_with_kek`] / [`decrypt_stream_with_kek`]: open a KEKRecipientInfo
//!   with a symmetric key-encryption key.
//! * [`SignedDataBuilder`]: SignedData, detached or opaque, and [`certs_only`].
//!
//! Hostile input costs what a legitimate message needs (issue 15): every count an
//! attacker could inflate has a documented cap, checked on the encoding before
//! anything is decoded, and over it is [`CmsError::LimitExceeded`](crate::CmsError):
//! [`MAX_RECIPIENT_INFOS`], [`MAX_KARI_ENCRYPTED_KEYS`], [`MAX_SIGNER_INFOS`],
//! [`MAX_MESSAGE_CERTIFICATES`]; the structures read whole are capped in bytes, every
//! BER header included. When no recipient identifier names us, our key is tried on at
//! most [`MAX_FALLBACK_TRIALS`] recipients, and only for authenticated content.

mod aead;
mod algorithms;
pub(crate) mod ber;
mod cbc_stream;
mod chacha;
mod cipher_choice;
mod content_match;
mod content_pump;
pub(crate) mod digest;
mod envelope_build;
mod envelope_open;
mod gcm;
mod kari;
mod kdf;
mod kekri;
pub(crate) mod key_preference;
mod key_wrap;
mod padded_mac;
mod recipient;
mod signed_attrs;
mod signed_build;
mod signed_verify;
mod signer;
mod signer_check;

pub use algorithms::{ContentCipher, KeyTransport, RecipientIdKind, UnknownAlgorithmName};
pub use cipher_choice::{
    CipherChoice, CipherPolicy, CipherReason, OWN_CAPABILITIES, parse_capabilities,
};
pub use digest::DigestAlgorithm;
pub use envelope_build::{Envelope, EnvelopeOptions, encrypt};
pub(crate) use envelope_open::decrypt_stream_any;
pub use envelope_open::{
    DecryptInfo, Decrypted, MAX_FALLBACK_TRIALS, decrypt, decrypt_stream, decrypt_stream_with_kek,
    decrypt_with_kek,
};
pub use recipient::{MAX_KARI_ENCRYPTED_KEYS, MAX_RECIPIENT_INFOS};
pub use signed_build::{SignOptions, SignedDataBuilder, SignerIdKind, certs_only};
pub use signed_verify::{
    InvalidReason, MAX_MESSAGE_CERTIFICATES, MAX_SIGNER_INFOS, SignerEvidence, Verification,
    certificates_in, verify_detached, verify_opaque,
};
pub use signer::RsaSignaturePadding;
