//! # smime — S/MIME 4.0 for mail applications, in pure Rust
//!
//! A mail app loads the user's [`Identity`] and recipients' [`Certificate`]s,
//! encrypts an RFC 5322 message to all of them, and decrypts what arrives:
//!
//! ```
//! use smime::cms::{ContentCipher, EnvelopeOptions};
//! use smime::{Certificate, Identity};
//!
//! // The user's identity: normally `Identity::from_pkcs12(&p12_bytes, password)`.
//! let bob: Identity = smime::sample::bob()?;
//! let alice: Certificate = Certificate::from_pem(smime::sample::ALICE_CERT_PEM.as_bytes())?;
//!
//! // Send: encrypt once for every recipient (AES-256-GCM unless asked otherwise).
//! let message = b"From: carol@example.org\r\nTo: alice@example.org, bob@example.org\r\n\
//!                 Subject: Lunch\r\nContent-Type: text/plain\r\n\r\nNoon?\r\n";
//! let recipients = [alice, bob.certificate().clone()];
//! let sealed = smime::encrypt_message_bytes(message, &recipients, &EnvelopeOptions::default())?;
//!
//! // Receive: decrypt with the private key; GCM verified the content's integrity.
//! let opened = smime::decrypt_message_bytes(&sealed, &bob)?;
//! assert_eq!(opened.content(), b"Content-Type: text/plain\r\n\r\nNoon?\r\n");
//! assert!(opened.info().authenticated());
//! # Ok::<(), smime::Error>(())
//! ```
//!
//! ## Layers
//!
//! Each layer depends only on the ones above it (`../shared/DESIGN.md`); data flows
//! one way. Outgoing: message + recipients → cms build → mime wrap → bytes.
//! Incoming: bytes → mime unwrap → cms open → content.
//!
//! ```text
//! address   EmailAddress: parse, normalise (IDNA, case), compare       (RFC 8550 §3)
//! cert      Certificate, Identity (PEM, PKCS#8, PKCS#1, SEC1, PKCS#12)  (RFC 5280, 7292)
//! cms       EnvelopedData / AuthEnvelopedData, streaming               (RFC 5652, 5083, 5084, 3560, 3218)
//! mime      canonical form, base64, wrap/unwrap application/pkcs7-mime (RFC 8551 §3)
//! ```
//!
//! Trust evaluation, signing, certificate directories and the per-recipient
//! encryptor follow as further layers.
//!
//! ## Security properties
//!
//! * Every RSA unwrap failure continues with a random key (RFC 3218 §2.3.2): a wrong
//!   key, bad padding and a bad tag are one [`CmsError::DecryptionFailed`].
//! * AES-GCM releases no plaintext before its tag verifies; CBC results say
//!   `authenticated: false` (EFAIL).
//! * Hostile input gives a typed [`Error`], never a panic; sizes and nesting are
//!   bounded.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod address;
pub mod cert;
pub mod cms;
pub mod compose;
pub mod directory;
pub mod encryptor;
mod error;
pub mod keep;
pub mod mime;
// The OID table serves every layer; some entries wait for later ones (signing).
#[allow(dead_code)]
mod oid;
pub mod reader;
pub mod sample;
pub mod trust;

pub use address::EmailAddress;
pub use cert::{Certificate, Identity, KeyAlgorithm, KeyUsage, PrivateKey};
pub use error::{
    AddressError, CertificateError, CmsError, DirectoryError, Error, KeyError, MimeError,
    Pkcs12Error, Result,
};
pub use mime::{
    decrypt_message, decrypt_message_bytes, encrypt_builder, encrypt_message,
    encrypt_message_bytes, encrypt_message_stream,
};
