//! # smime — S/MIME 4.0 for mail applications, in pure Rust
//!
//! Load certificates and the user's identity, encrypt an RFC 5322 message to many
//! recipients, and decrypt what arrives.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod address;
pub mod cert;
mod error;
mod oid;
pub mod sample;

pub use address::EmailAddress;
pub use cert::{Certificate, Identity, KeyAlgorithm, KeyUsage, PrivateKey};
pub use error::{AddressError, CertificateError, CmsError, Error, KeyError, MimeError, Pkcs12Error, Result};
