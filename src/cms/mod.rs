//! CMS (RFC 5652): building and opening the structures S/MIME carries.
//!
//! * [`encrypt`] / [`Envelope`]: EnvelopedData (AES-CBC) and AuthEnvelopedData
//!   (AES-GCM, RFC 5083/5084) for any number of RSA recipients, streaming.
//! * [`decrypt`] / [`decrypt_stream`]: open either with an
//!   [`Identity`](crate::Identity), also 3DES and RC2 from old mail, with the
//!   RFC 3218 countermeasures.
//! * [`SignedDataBuilder`]: SignedData, detached or opaque, and [`certs_only`].

mod algorithms;
pub(crate) mod ber;
mod cbc_stream;
pub(crate) mod digest;
mod envelope_build;
mod envelope_open;
mod gcm;
mod recipient;
mod signed_build;
mod signer;

pub use algorithms::{ContentCipher, KeyTransport, RecipientIdKind, UnknownAlgorithmName};
pub use digest::DigestAlgorithm;
pub use envelope_build::{Envelope, EnvelopeOptions, encrypt};
pub use envelope_open::{DecryptInfo, Decrypted, decrypt, decrypt_stream};
pub use signed_build::{SignOptions, SignedDataBuilder, SignerIdKind, certs_only};
pub use signer::RsaSignaturePadding;
