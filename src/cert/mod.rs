//! Certificates and the user's own identity.
//!
//! * [`Certificate`]: a parsed X.509 certificate with the accessors S/MIME needs
//!   (addresses per RFC 8550 §3, key usage, EKU, identifiers, fingerprint).
//! * [`Identity`]: the user's certificate, private key and chain, loaded from PEM
//!   (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8) or PKCS#12.
//! * [`PrivateKey`]: RSA, P-256 and P-384 private keys in those formats.

mod certificate;
mod early_time;
mod ec_params;
mod identity;
pub(crate) mod pem;
mod pkcs12;
mod private_key;

#[allow(unused_imports)]
/// Upper-case hex without separators, the form serials and fingerprints are shown in.
pub(crate) use base16ct::upper::encode_string as hex_upper;
pub use certificate::{BasicConstraints, Certificate, KeyAlgorithm, KeyUsage};
pub use identity::Identity;
pub use private_key::PrivateKey;
