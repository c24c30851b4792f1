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
//! ## The whole story
//!
//! While the user writes, [`encryptor::Encryptor::check`] looks every recipient up
//! in the configured [`directory`] sources (installed certificates, contacts, the
//! organisation's GAL over LDAP) in one batch and says per recipient whether the
//! message can be encrypted to them and why not; [`compose::Composition`] turns that
//! into the lock icons and the Encrypted / Not Encrypted / Unable to Encrypt
//! designation. [`encryptor::Encryptor::seal`] signs and encrypts. On receipt,
//! [`reader::open`] decrypts and verifies every layer; [`keep`] lets the user view,
//! trust, install and remove a sender's certificate.
//!
//! ## Layers
//!
//! Each layer depends only on the ones above it (`../shared/DESIGN.md`); data flows
//! one way. Outgoing: message + recipients → directory lookups → trust evaluation →
//! per-recipient report → cms build → mime wrap → bytes. Incoming: bytes → mime
//! unwrap → cms open → trust evaluation → report + content.
//!
//! ```text
//! address    EmailAddress: parse, normalise (IDNA, case), compare         (RFC 8550 §3)
//! cert       Certificate, Identity (PEM, PKCS#8, PKCS#1, SEC1, PKCS#12)    (RFC 5280, 7292)
//! trust      TrustStore, Policy, evaluate() -> VerifiedPath: paths, CRLs,  (RFC 5280 §6, 9618,
//!            name constraints, policies, the user's Trust decisions        RFC 8550 §4)
//! cms        Enveloped/AuthEnvelopedData (RSA, ECDH, X25519; AES, ChaCha), (RFC 5652, 5083, 5084,
//!            SignedData build and verify, streaming                         3560, 5753, 8418, 8103)
//! mime       canonical form, base64, wrap/unwrap pkcs7-mime, multipart/signed (RFC 8551 §3)
//! directory  CertificateDirectory: installed store, contacts (vCard),      (RFC 4523, 6350)
//!            LDAP GAL (feature "ldap"; ldaps/StartTLS: "ldap-tls"), layered, cached
//! encryptor  Encryptor: check(recipients) -> EncryptionReport; seal()     (RFC 8551 §2.7.1)
//! reader     open(raw) -> OpenedMessage: layers, content, signer reports   (RFC 8551 §3.7)
//! compose    Composition: Encrypt by Default, the per-message toggle, designation
//! keep       view, trust, install and remove a sender's certificate       (RFC 8551 §2.5.3)
//! ```
//!
//! ## Security properties
//!
//! * Every RSA unwrap failure continues with a random key (RFC 3218 §2.3.2): a wrong
//!   key, bad padding and a bad tag are one [`CmsError::DecryptionFailed`].
//! * AES-GCM releases no plaintext before its tag verifies; CBC results say
//!   `authenticated: false` (EFAIL).
//! * Hostile input gives a typed [`Error`], never a panic; sizes and nesting are
//!   bounded.
//! * A signature is [`cms::SignatureStatus::Valid`] only when digest, signature,
//!   chain (at the caller's time, never signingTime) and From address are all good;
//!   a partially signed message never shows a blue check.
//! * Certificates from messages are untrusted intermediates; the user's Trust is
//!   bound to one certificate, address and purpose and never makes an anchor.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Library code answers hostile input with a typed error: no unwrap, expect or panic
// outside the unit tests (which may assert with them).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod address;
mod ber;
pub mod cert;
pub mod cms;
pub mod compose;
pub mod directory;
pub mod encryptor;
mod error;
pub mod keep;
pub mod mime;
// The OID table serves every layer; a few entries name algorithms we only recognise.
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
