//! Certificate directories: where a recipient's certificate is found.
//!
//! Before a message can be encrypted, every recipient's certificate must be found: in
//! the certificates the user installed ([`InstalledStore`]), in the user's contacts
//! ([`Contacts`], vCard KEY), or in the organisation's global address list
//! (`LdapGal`, feature `ldap`, or `ActiveSyncGal`, feature `activesync`: Exchange
//! ActiveSync `ResolveRecipients`, as Exchange mail clients ask). Each source implements the reading trait
//! [`CertificateDirectory`]; the stores the user changes also implement the writing
//! trait [`CertificateStoreWrite`] (as sequoia's cert-store keeps reading and writing
//! apart). [`Layered`] asks several sources in order, [`Cached`] remembers answers.
//!
//! ## Contracts (DESIGN.md)
//!
//! * Lookups are synchronous, `Send + Sync`, and batched: one call answers many
//!   addresses (an LDAP GAL needs ⌈n/50⌉ round trips for n addresses, not n).
//! * Every address gets a [`Lookup`]: the [`Candidate`]s found, each with the
//!   [`Source`] that gave it, and the [`LookupFailed`] of every source that could not
//!   be asked. A source that fails never answers "nothing found".
//! * A certificate is a candidate for an address only when the certificate itself
//!   names that address (SAN rfc822Name or SmtpUTF8Mailbox, or the subject's
//!   emailAddress when there is no SAN; REQUIREMENTS.md §1 A, RFC 8550 §3). The only
//!   way to make a [`Candidate`] is [`Candidate::new`], which checks this, so no
//!   source can skip the check. Whether a candidate is *usable* (validity, key usage,
//!   trust) is the encryptor's decision, not the directory's.
//!
//! ```
//! # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
//! use smime::directory::{CertificateDirectory, CertificateStoreWrite, MemoryDirectory};
//! use smime::{Certificate, EmailAddress};
//!
//! let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
//! let directory = MemoryDirectory::new("address book");
//! directory.install(&alice, &Default::default())?;
//!
//! let wanted: Vec<EmailAddress> = vec![
//!     alice.email_addresses()[0].clone(),
//!     "nobody@example.org".parse()?,
//! ];
//! let answers = directory.lookup(&wanted);
//! assert_eq!(answers[0].candidates()[0].certificate(), &alice);
//! assert_eq!(answers[0].candidates()[0].source().name(), "address book");
//! assert!(answers[1].candidates().is_empty() && answers[1].failures().is_empty());
//! # Ok::<(), smime::Error>(())
//! ```

#[cfg(feature = "activesync")]
pub mod activesync;
mod cached;
mod contacts;
mod installed;
mod layered;
#[cfg(feature = "ldap")]
mod ldap;
#[cfg(feature = "ldap")]
pub mod ldap_limits;
#[cfg(feature = "ldap-tls")]
mod ldap_tls;
mod memory;
mod records;
mod regular_file;
#[cfg(any(feature = "ldap-tls", feature = "activesync"))]
mod tls_roots;
mod vcard;

use std::fmt;
use std::time::SystemTime;

use crate::{address::EmailAddress, cert::Certificate, error::DirectoryError, error::Result};

#[cfg(feature = "activesync")]
pub use activesync::{ActiveSyncConfig, ActiveSyncGal, EasAuth, ProtocolVersion};
pub use cached::{CacheOptions, Cached};
pub use contacts::Contacts;
pub use installed::{
    CorrespondentPreferences, Damaged, InstalledEntry, InstalledStore, TrustDecision, TrustPurpose,
    fingerprint_from_hex,
};
pub use layered::{Layered, Strategy};
#[cfg(feature = "ldap")]
#[doc(hidden)]
pub use ldap::fuzz_search_entry;
#[cfg(feature = "ldap")]
pub use ldap::{LdapConfig, LdapGal, Tls};
pub use memory::MemoryDirectory;

/// What kind of source a candidate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// An in-memory directory ([`MemoryDirectory`]).
    Memory,
    /// The certificates the user installed ([`InstalledStore`]).
    Installed,
    /// Certificates the installed store collected from verified messages
    /// ([`Acquisition::CollectedFromVerifiedMessage`]): ranked below every other
    /// source's usable certificate.
    Collected,
    /// The user's contacts ([`Contacts`]).
    Contacts,
    /// An LDAP global address list.
    Ldap,
    /// An Exchange ActiveSync server's global address list.
    ActiveSync,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::Memory => "memory",
            SourceKind::Installed => "installed",
            SourceKind::Collected => "collected",
            SourceKind::Contacts => "contacts",
            SourceKind::Ldap => "ldap",
            SourceKind::ActiveSync => "activesync",
        })
    }
}

/// A source of certificates: its kind and a name a person recognises (a folder, a
/// file, an LDAP URL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    kind: SourceKind,
    name: String,
}

impl Source {
    /// A source of `kind` called `name`.
    pub fn new(kind: SourceKind, name: impl Into<String>) -> Self {
        Source {
            kind,
            name: name.into(),
        }
    }

    /// The kind of source.
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// Its name (folder, file, URL, or what the application called it).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

/// A certificate found for an address, and where it was found.
///
/// Only [`Candidate::new`] makes one, and it refuses a certificate that does not name
/// the address: holding a `Candidate` proves the certificate names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    certificate: Certificate,
    source: Source,
}

impl Candidate {
    /// A candidate for `address`, or `None` when `certificate` does not name it
    /// (REQUIREMENTS.md §1 A; RFC 8550 §3).
    pub fn new(address: &EmailAddress, certificate: Certificate, source: Source) -> Option<Self> {
        certificate.names_address(address).then_some(Candidate {
            certificate,
            source,
        })
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The source that gave it.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Takes the certificate out.
    pub fn into_certificate(self) -> Certificate {
        self.certificate
    }
}

/// A source that could not be asked about an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupFailed {
    /// The source that failed.
    pub source: Source,
    /// Why.
    pub error: DirectoryError,
}

impl fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.error)
    }
}

/// The answer for one address: the candidates found and the sources that failed.
///
/// Both may be non-empty (one source failed, another answered). No candidates and no
/// failures means every source was asked and none has a certificate naming the
/// address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    address: EmailAddress,
    candidates: Vec<Candidate>,
    /// SHA-256 fingerprints of `candidates`: de-duplication in O(1) per offer.
    fingerprints: std::collections::HashSet<[u8; 32]>,
    failures: Vec<LookupFailed>,
    notes: Vec<String>,
}

impl Lookup {
    /// An answer with nothing found yet.
    pub fn new(address: EmailAddress) -> Self {
        Lookup {
            address,
            candidates: Vec::new(),
            fingerprints: std::collections::HashSet::new(),
            failures: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An answer saying `source` could not be asked about `address`.
    pub fn failed(address: EmailAddress, source: Source, error: DirectoryError) -> Self {
        let mut lookup = Lookup::new(address);
        lookup.failures.push(LookupFailed { source, error });
        lookup
    }

    /// The address asked about.
    pub fn address(&self) -> &EmailAddress {
        &self.address
    }

    /// The candidates found, in source order, without duplicates (by fingerprint).
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The sources that could not be asked.
    pub fn failures(&self) -> &[LookupFailed] {
        &self.failures
    }

    /// True when nothing was found *and* some source failed: the answer must say the
    /// directory was unreachable, not that there is no certificate.
    pub fn is_failed(&self) -> bool {
        self.candidates.is_empty() && !self.failures.is_empty()
    }

    /// Adds `certificate` from `source` if it names the address and is not already a
    /// candidate (checked in O(1) by fingerprint). Returns whether it was added.
    pub fn offer(&mut self, certificate: Certificate, source: &Source) -> bool {
        let fingerprint = certificate.fingerprint_sha256();
        if self.fingerprints.contains(&fingerprint) {
            return false;
        }
        match Candidate::new(&self.address, certificate, source.clone()) {
            Some(c) => {
                self.fingerprints.insert(fingerprint);
                self.candidates.push(c);
                true
            }
            None => false,
        }
    }

    /// Adds a candidate (ignored when its certificate is already there or does not
    /// name the address).
    pub fn push_candidate(&mut self, candidate: Candidate) {
        self.offer(candidate.certificate, &candidate.source);
    }

    /// Records a failed source.
    pub fn push_failure(&mut self, failure: LookupFailed) {
        self.failures.push(failure);
    }

    /// What a source said about the address besides certificates, for a person
    /// ("in the GAL of … without a certificate"). Informational: a note never makes a
    /// candidate or a failure.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Adds a note (see [`Lookup::notes`]).
    pub fn push_note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// The same answer for `address` (an equal address written differently), so each
    /// answer shows the address as it was asked.
    pub(crate) fn readdress(mut self, address: EmailAddress) -> Self {
        self.address = address;
        self
    }

    /// Takes the candidates and failures out.
    pub fn into_parts(self) -> (EmailAddress, Vec<Candidate>, Vec<LookupFailed>) {
        (self.address, self.candidates, self.failures)
    }
}

/// A source of certificates by email address (the reading half; see
/// [`CertificateStoreWrite`] for the writing half).
///
/// `lookup` answers every address given, in the same order, one [`Lookup`] each. It
/// never panics and never hides a failure: a source that cannot be asked answers
/// [`Lookup::failed`] for each address it could not answer. Addresses are compared
/// by [`EmailAddress`]'s rules (domain case-insensitive, IDNA; local part
/// case-folded). Every candidate names its address ([`Candidate::new`]).
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::directory::{CertificateDirectory, Lookup, Source, SourceKind};
/// use smime::{Certificate, EmailAddress};
///
/// /// A directory that knows exactly one certificate.
/// struct One(Certificate);
///
/// impl CertificateDirectory for One {
///     fn source(&self) -> Source {
///         Source::new(SourceKind::Memory, "one")
///     }
///     fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
///         addresses
///             .iter()
///             .map(|address| {
///                 let mut answer = Lookup::new(address.clone());
///                 // Refused unless the certificate names the address.
///                 answer.offer(self.0.clone(), &self.source());
///                 answer
///             })
///             .collect()
///     }
/// }
///
/// let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
/// let one = One(alice.clone());
/// let answers = one.lookup(&[alice.email_addresses()[0].clone(), "eve@example.org".parse()?]);
/// assert_eq!(answers[0].candidates().len(), 1);
/// assert!(answers[1].candidates().is_empty());
/// # Ok::<(), smime::Error>(())
/// ```
pub trait CertificateDirectory: Send + Sync {
    /// Which source this is (for [`Candidate::source`] and [`LookupFailed::source`]).
    fn source(&self) -> Source;

    /// Looks every address up; one answer per address, in the order given.
    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup>;
}

impl<T: CertificateDirectory + ?Sized> CertificateDirectory for Box<T> {
    fn source(&self) -> Source {
        (**self).source()
    }
    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        (**self).lookup(addresses)
    }
}

impl<T: CertificateDirectory + ?Sized> CertificateDirectory for std::sync::Arc<T> {
    fn source(&self) -> Source {
        (**self).source()
    }
    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        (**self).lookup(addresses)
    }
}

impl<T: CertificateDirectory + ?Sized> CertificateDirectory for &T {
    fn source(&self) -> Source {
        (**self).source()
    }
    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        (**self).lookup(addresses)
    }
}

/// Where an installed certificate came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Provenance {
    /// When it was installed.
    pub installed_at: SystemTime,
    /// The Message-ID of the signed message it was taken from, if any.
    pub message_id: Option<String>,
    /// A short note on how it was installed ("cli", "message", "contacts import").
    pub origin: String,
    /// Whether the user installed it or it was collected from a verified message.
    pub acquisition: Acquisition,
}

/// How a certificate came into the installed store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Acquisition {
    /// The user installed it (Install, the CLI, an import). Entries written before
    /// collection existed read as this.
    #[default]
    InstalledByUser,
    /// Collected from a message whose signature was `Valid` (trusted chain, From
    /// matches), without the user's tap (RFC 8551 §2.5.3; `keep::learn`). Never
    /// outranks a certificate the user installed.
    CollectedFromVerifiedMessage,
}

impl Default for Provenance {
    fn default() -> Self {
        Provenance {
            installed_at: SystemTime::now(),
            message_id: None,
            origin: String::from("manual"),
            acquisition: Acquisition::InstalledByUser,
        }
    }
}

/// How to install a certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallOptions {
    /// The addresses to install it for. Empty means every address the certificate
    /// names; each address given must be named by the certificate.
    pub addresses: Vec<EmailAddress>,
    /// Where it came from.
    pub provenance: Provenance,
}

/// The writing half of a certificate store: install and remove (the reading half is
/// [`CertificateDirectory`]).
pub trait CertificateStoreWrite: Send + Sync {
    /// Installs `certificate` for the addresses in `options` (all it names when
    /// none are given), merging with the addresses it was installed for before.
    /// Refuses an address the certificate does not name
    /// ([`DirectoryError::AddressNotNamed`]) and a certificate naming no address.
    fn install(&self, certificate: &Certificate, options: &InstallOptions) -> Result<()>;

    /// Removes the certificate with this SHA-256 fingerprint. Returns whether it was
    /// installed.
    fn remove(&self, fingerprint_sha256: &[u8; 32]) -> Result<bool>;
}

/// The addresses to install `certificate` for: those given (each must be named by
/// it), or all it names.
pub(crate) fn install_addresses(
    certificate: &Certificate,
    options: &InstallOptions,
) -> Result<Vec<EmailAddress>, DirectoryError> {
    if options.addresses.is_empty() {
        if certificate.email_addresses().is_empty() {
            return Err(DirectoryError::NoAddress {
                fingerprint: certificate.fingerprint_hex(),
            });
        }
        return Ok(certificate.email_addresses().to_vec());
    }
    let mut out: Vec<EmailAddress> = Vec::new();
    for address in &options.addresses {
        if !certificate.names_address(address) {
            return Err(DirectoryError::AddressNotNamed {
                address: address.to_string(),
                fingerprint: certificate.fingerprint_hex(),
            });
        }
        if !out.contains(address) {
            out.push(address.clone());
        }
    }
    Ok(out)
}

/// `addresses` without repeats, in first-seen order: what a batched source asks its
/// server (the answers for a repeated address are filled alike).
#[cfg_attr(not(any(feature = "ldap", feature = "activesync")), allow(dead_code))]
pub(crate) fn distinct(addresses: &[EmailAddress]) -> Vec<EmailAddress> {
    let mut seen = std::collections::HashSet::new();
    addresses
        .iter()
        .filter(|a| seen.insert(*a))
        .cloned()
        .collect()
}
