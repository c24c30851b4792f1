//! # smime — S/MIME 4.0 for mail applications, in pure Rust
//!
//! The four things a mail app does with S/MIME, in code: *check* whether a message can
//! be encrypted to every recipient (blue lock or red, with the reason), *seal* it
//! (sign and encrypt), *open* what arrives (blue check or red question mark), and
//! *keep* a correspondent's certificate (view, trust, install, remove).
//!
//! ```
//! # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
//! use std::sync::Arc;
//! use std::time::SystemTime;
//! use smime::{
//!     CertificateDirectory, Composition, Designation, Encryptor, InstalledStore, Layered,
//!     MemoryDirectory, Policy, SealOptions, SignatureStatus, TrustStore,
//! };
//!
//! // Once per account: the installed store, the directories, the trust anchors, the
//! // rules (Policy) and the user's identity (normally `Identity::from_pkcs12`).
//! let folder = tempfile::tempdir()?;
//! let store = InstalledStore::open(folder.path())?;
//! let bob_cert = smime::Certificate::from_pem(sample::BOB_CERT_PEM.as_bytes())?;
//! let gal = MemoryDirectory::from_certificates("gal", [bob_cert]);
//! let directory = Layered::new(vec![
//!     Box::new(store.clone()) as Box<dyn CertificateDirectory>,
//!     Box::new(gal),
//! ]);
//! let mut trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
//! trust.add_anchor(sample::ca()?);
//! let policy = Policy::email();
//! let alice = sample::alice()?;
//! let encryptor = Encryptor::new(&directory, &trust).encrypt_to_self(&alice);
//! let now = SystemTime::now();
//!
//! // Check, while the user types: Encrypt by Default is on, Bob has a certificate.
//! let mut draft = Composition::new(true);
//! draft.add_to("bob@example.org".parse()?);
//! let report = draft.refresh(&encryptor, now);
//! assert_eq!(draft.designation(), Designation::Encrypted);
//!
//! // Seal: signed by Alice, encrypted to Bob and to Alice herself.
//! let message = b"From: alice@example.org\r\nTo: bob@example.org\r\n\
//!                 Subject: Lunch\r\nContent-Type: text/plain\r\n\r\nNoon?\r\n";
//! let sealed = encryptor.seal(message, &report, &SealOptions::sign_and_encrypt(&alice))?;
//!
//! // Open, on Bob's side: decrypted, and the signature gets the blue check.
//! let bob = sample::bob()?;
//! let opened = smime::reader::open(sealed.copies()[0].message(), &[&bob], &trust, &policy, now)?;
//! assert!(opened.is_signature_valid());
//! assert!(opened.signatures().all(|s| s.status() == &SignatureStatus::Valid));
//!
//! // Keep: install Alice's certificate for her address, and remove it again.
//! let installed = smime::keep::install(&store, &opened)?;
//! assert_eq!(installed.address, "alice@example.org".parse()?);
//! assert!(smime::keep::remove(&store, &installed.fingerprint)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The whole story
//!
//! While the user writes, [`encryptor::Encryptor::check`] looks every recipient up
//! in the configured [`directory`] sources (installed certificates, contacts, the
//! organisation's GAL over LDAP or, as Exchange clients ask it, over Exchange ActiveSync)
//! in one batch and says per recipient whether the
//! message can be encrypted to them and why not; [`compose::Composition`] turns that
//! into the lock icons and the Encrypted / Not Encrypted / Unable to Encrypt
//! designation. [`encryptor::Encryptor::seal`] signs and encrypts. On receipt,
//! [`reader::open_stream`] (or [`reader::open`] for a message in memory) decrypts and
//! verifies every layer; [`keep`] lets the user view, trust, install and remove a
//! sender's certificate, and [`keep::learn`] collects it from verified mail.
//!
//! ## Which content cipher
//!
//! [`encryptor::Encryptor`] (and `smime encrypt` without `--cipher`) chooses the content
//! cipher by one rule, [`cms::CipherPolicy::choose`] (RFC 8551 §2.7.1), and
//! [`encryptor::EncryptionReport::cipher`] says which and why
//! ([`cms::CipherReason`]):
//!
//! * an authenticated cipher (AES-GCM, ChaCha20-Poly1305 in AuthEnvelopedData) when
//!   **every** recipient announced one in the SMIMECapabilities of a signed message
//!   ([`keep::record_preferences`] stores them): `AnnouncedByAll`;
//! * **AES-256-CBC** as soon as one recipient's capabilities are unknown
//!   (`UnknownForSome`; RFC 8551 §2.7.1.2, second sentence). Deployed clients send
//!   this when they know nothing, and not all of them read AuthEnvelopedData:
//!   Thunderbird's NSS 3.87 cannot (measured, `tests/interop_nss.rs`), and a message
//!   the recipient cannot open is the worst outcome a mail app can have;
//! * [`cms::CipherPolicy::authenticated_only`] (on the encryptor,
//!   [`encryptor::Encryptor::with_ciphers`]) sends AES-256-GCM to everyone instead:
//!   `Policy`.
//!
//! The trade-off: CBC is not authenticated, so a modified message decrypts without
//! complaint (EFAIL, RFC 8551 §6). The defence is on the receiving side: our reader
//! says `authenticated: false` for CBC ([`cms::DecryptInfo::authenticated`]) and keeps
//! the decrypted entity a separate origin from anything unprotected around it, as
//! modern clients do; it never decrypts an encrypted part nested inside a multipart,
//! but lists it ([`reader::NestedPart`]) for the app to open on its own when the user
//! asks; a valid inner signature protects the content's integrity.
//!
//! ## Layers
//!
//! Each layer depends only on the ones above it (`../shared/DESIGN.md`; `tests/layers.rs`
//! fails on an import from a layer below or a circle between files); data flows one way. Outgoing: message + recipients → directory lookups → trust evaluation →
//! per-recipient report → cms build → mime wrap → bytes. Incoming: bytes → mime
//! unwrap → cms open → trust evaluation → report + content.
//!
//! ```text
//! address    EmailAddress: parse, normalise (IDNA, case), compare         (RFC 8550 §3)
//! cert       Certificate, Identity (PEM, PKCS#8, PKCS#1, SEC1, PKCS#12)    (RFC 5280, 7292)
//! trust      TrustStore, Policy (the account's rules), Use (purpose, party, (RFC 5280 §6, 9618,
//!            time); evaluate() -> VerifiedPath: the one judge of a          RFC 8550 §3, §4)
//!            certificate's use: paths, CRLs, name constraints, key usage,
//!            EKU, address, the user's Trust decisions
//! cms        Enveloped/AuthEnvelopedData (RSA, ECDH, X25519; AES, ChaCha), (RFC 5652, 5083, 5084,
//!            SignedData build, and verify -> evidence per signer            3560, 5753, 8418, 8103)
//! mime       canonical form, base64, wrap/unwrap pkcs7-mime, multipart/signed (RFC 8551 §3)
//!            the protected header section and hcp_baseline              (RFC 9788)
//! directory  CertificateDirectory: installed store, contacts (vCard),      (RFC 4523, 6350)
//!            LDAP GAL (feature "ldap"; ldaps/StartTLS: "ldap-tls"), layered, cached,
//!            Exchange ActiveSync GAL: ResolveRecipients    (MS-ASCMD §2.2.1.15, MS-ASWBXML)
//!            with certificates over HTTPS (feature "activesync")
//! encryptor  Encryptor: check(recipients) -> EncryptionReport; seal()     (RFC 8551 §2.7.1)
//! reader     open_stream(Read) / open(raw) -> OpenedMessage: layers in one (RFC 8551 §3.7)
//!            pass, bounded memory, content; the protected headers        (RFC 9788 §4)
//!            the per-signer verdict, built once from cms evidence,
//!            trust and the From
//! compose    Composition: Encrypt by Default, the per-message toggle, designation
//! keep       view, trust, install and remove a sender's certificate;     (RFC 8551 §2.5.3)
//!            learn: collect verified signers' certificates and capabilities
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
//! * A signature is [`SignatureStatus::Valid`] only when digest, signature,
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
mod pipeline;
pub mod reader;
pub mod trust;

// The sample identities live with the examples (no private key is compiled into the
// library); unit tests include the same file, reached as `smime::…` like any user.
#[cfg(test)]
extern crate self as smime;
#[cfg(test)]
#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

// The face: what a mail app uses for the story. The modules stay public as the
// namespaces of these types and for the advanced entry points (`cms`, `mime`).
pub use address::EmailAddress;
pub use cert::{Certificate, Identity, KeyAlgorithm, KeyUsage, PrivateKey};
pub use compose::{Composition, Lock};
pub use directory::{
    Cached, CertificateDirectory, Contacts, InstalledStore, Layered, MemoryDirectory,
};
pub use encryptor::{
    Designation, EncryptionReport, Encryptor, RecipientStatus, Recipients, SealError, SealOptions,
    Sealed, UnusableReason,
};
pub use error::{
    AddressError, CertificateError, CmsError, DirectoryError, Error, KeyError, MimeError,
    Pkcs12Error, Result,
};
pub use keep::KeepError;
pub use mime::HeaderProtection;
pub use reader::{OpenedMessage, SignatureStatus, SignerReport};
pub use trust::{Policy, Purpose, TrustError, TrustStore, Use};
