//! The user's "Trust" decisions (REQUIREMENTS.md §3, the iOS Mail pattern).
//!
//! A [`UserTrust`] is bound to one exact certificate (its SHA-256 fingerprint and the
//! SHA-256 of its SubjectPublicKeyInfo), to addresses and to purposes. It overrides
//! only "no path to a trust anchor"; validity, revocation, key usage, algorithms and
//! critical extensions are still checked. It is consulted for the certificate being
//! evaluated and never for an issuer, so trusting a certificate never lets its
//! (unknown) CA vouch for anything else, and a new certificate for the same address
//! needs a new decision.

use std::sync::RwLock;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::policy::Purpose;
use crate::address::EmailAddress;
use crate::cert::Certificate;

/// One decision of the user to trust one certificate.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::trust::{MemoryUserTrust, Purpose, UserTrust, UserTrustSource};
/// let cert = smime::Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
/// let decision = UserTrust::new(&cert, &[Purpose::Verify, Purpose::Encrypt], std::time::SystemTime::now());
/// let decisions = MemoryUserTrust::new();
/// decisions.insert(decision);
/// assert!(decisions.decision_for(&cert.fingerprint_sha256()).is_some());
/// # Ok::<(), smime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTrust {
    cert_sha256: [u8; 32],
    spki_sha256: [u8; 32],
    addresses: Vec<EmailAddress>,
    purposes: Vec<Purpose>,
    created_at: SystemTime,
    provenance: Option<String>,
}

impl UserTrust {
    /// A decision for `cert`, for the addresses the certificate names, for `purposes`.
    pub fn new(cert: &Certificate, purposes: &[Purpose], created_at: SystemTime) -> Self {
        Self::for_addresses(cert, cert.email_addresses(), purposes, created_at)
    }

    /// A decision for `cert` bound to `addresses` — for a certificate that names no
    /// address and is bound to one by the user (RFC 8550 §3 allows that).
    pub fn for_addresses(
        cert: &Certificate,
        addresses: &[EmailAddress],
        purposes: &[Purpose],
        created_at: SystemTime,
    ) -> Self {
        UserTrust {
            cert_sha256: cert.fingerprint_sha256(),
            spki_sha256: spki_sha256(cert),
            addresses: addresses.to_vec(),
            purposes: purposes.to_vec(),
            created_at,
            provenance: None,
        }
    }

    /// Rebuilds a stored decision (for stores that persist decisions).
    pub fn from_parts(
        cert_sha256: [u8; 32],
        spki_sha256: [u8; 32],
        addresses: Vec<EmailAddress>,
        purposes: Vec<Purpose>,
        created_at: SystemTime,
        provenance: Option<String>,
    ) -> Self {
        UserTrust {
            cert_sha256,
            spki_sha256,
            addresses,
            purposes,
            created_at,
            provenance,
        }
    }

    /// Records where the decision came from (e.g. the Message-ID the certificate
    /// arrived in).
    pub fn with_provenance(mut self, provenance: impl Into<String>) -> Self {
        self.provenance = Some(provenance.into());
        self
    }

    /// SHA-256 of the certificate's DER.
    pub fn cert_sha256(&self) -> &[u8; 32] {
        &self.cert_sha256
    }

    /// SHA-256 of the certificate's SubjectPublicKeyInfo DER.
    pub fn spki_sha256(&self) -> &[u8; 32] {
        &self.spki_sha256
    }

    /// The addresses the decision is for.
    pub fn addresses(&self) -> &[EmailAddress] {
        &self.addresses
    }

    /// The purposes the decision is for.
    pub fn purposes(&self) -> &[Purpose] {
        &self.purposes
    }

    /// When the user decided.
    pub fn created_at(&self) -> SystemTime {
        self.created_at
    }

    /// Where the decision came from, if recorded.
    pub fn provenance(&self) -> Option<&str> {
        self.provenance.as_deref()
    }

    /// Why this decision does not cover using `cert` for `purpose` (and `address`),
    /// or `None` when it does.
    pub(crate) fn mismatch(
        &self,
        cert: &Certificate,
        purpose: Purpose,
        address: Option<&EmailAddress>,
    ) -> Option<&'static str> {
        if self.cert_sha256 != cert.fingerprint_sha256() {
            return Some("the decision is for another certificate");
        }
        if self.spki_sha256 != spki_sha256(cert) {
            return Some("the public key differs from the one the user trusted");
        }
        if !self.purposes.contains(&purpose) {
            return Some("the decision does not cover this purpose");
        }
        if let Some(a) = address
            && !self.addresses.contains(a)
        {
            return Some("the decision does not cover this address");
        }
        None
    }
}

/// SHA-256 of `cert`'s SubjectPublicKeyInfo DER (what a [`UserTrust`] is bound to).
pub fn spki_sha256(cert: &Certificate) -> [u8; 32] {
    Sha256::digest(cert.public_key_info_der().unwrap_or_default()).into()
}

/// Where the user's decisions live. The installed-certificate store implements this;
/// [`MemoryUserTrust`] is the in-memory form. Lookups are by the certificate's SHA-256
/// fingerprint only: a decision never applies to another certificate.
pub trait UserTrustSource: Send + Sync {
    /// The decision for the certificate with this SHA-256 fingerprint, if any.
    fn decision_for(&self, cert_sha256: &[u8; 32]) -> Option<UserTrust>;
}

/// Decisions held in memory.
#[derive(Debug, Default)]
pub struct MemoryUserTrust {
    decisions: RwLock<Vec<UserTrust>>,
}

impl MemoryUserTrust {
    /// An empty set of decisions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a decision, replacing an earlier one for the same certificate.
    pub fn insert(&self, decision: UserTrust) {
        let mut d = self.decisions.write().unwrap_or_else(|e| e.into_inner());
        d.retain(|x| x.cert_sha256 != decision.cert_sha256);
        d.push(decision);
    }

    /// Forgets the decision for this certificate; true if there was one.
    pub fn remove(&self, cert_sha256: &[u8; 32]) -> bool {
        let mut d = self.decisions.write().unwrap_or_else(|e| e.into_inner());
        let before = d.len();
        d.retain(|x| x.cert_sha256 != *cert_sha256);
        d.len() != before
    }
}

impl UserTrustSource for MemoryUserTrust {
    fn decision_for(&self, cert_sha256: &[u8; 32]) -> Option<UserTrust> {
        self.decisions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|d| d.cert_sha256 == *cert_sha256)
            .cloned()
    }
}
