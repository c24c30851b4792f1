//! Keeping a sender's certificate from a signed message (the seed's second flow):
//! View Certificate, Trust, Install, Remove — and the capability cache.
//!
//! The rules (REQUIREMENTS.md §2 rows 5, 6, 27; §3):
//!
//! * [`install`] takes the signer's certificate only when the signature is
//!   cryptographically valid, the certificate chains to a trust anchor or the user
//!   trusted exactly it, names the message's From address and allows encryption.
//!   It is installed for that address only. Other certificates the message carries
//!   are returned as untrusted intermediates ([`intermediates`]), never as
//!   recipient keys or anchors.
//! * A different certificate for an address that already has one is refused with
//!   [`KeepError::KeyChange`] until the user makes a fresh [`trust()`] decision for
//!   the new certificate.
//! * [`trust()`] records a decision bound to the certificate (fingerprint and public
//!   key), the From address and the purposes; it never makes the issuer an anchor.
//! * [`learn`] (opt-in by the app) collects the certificate of every `Valid`
//!   signer for the From address, marked as collected, and its capabilities, so a
//!   reply can be encrypted without Install; see its module.
//! * [`record_preferences`] updates the capability cache only from a `Valid`
//!   signature, with a signing time newer than the stored one and not in the
//!   future beyond [`MAX_CLOCK_SKEW`] (RFC 8551 §2.7.1, §2.5.3).
//!
//! ```
//! # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
//! use smime::cms::SignOptions;
//! use smime::directory::InstalledStore;
//! use smime::mime::SignFormat;
//! use smime::trust::{Policy, Purpose, TrustStore};
//! use std::sync::Arc;
//!
//! let folder = tempfile::tempdir()?;
//! let store = InstalledStore::open(folder.path())?;
//! let trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
//! let carol = sample::carol()?;
//! let msg = b"From: carol@outside.example\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
//! let signed = smime::mime::sign_message_bytes(msg, &carol, &SignOptions::default(), SignFormat::Detached)?;
//! let now = std::time::SystemTime::now();
//!
//! let opened = smime::reader::open(&signed, &[], &trust, &Policy::email(), now)?;
//! let sender = smime::keep::sender_certificate(&opened).ok_or("not signed")?; // View Certificate
//! assert_eq!(sender.details().addresses, vec!["carol@outside.example".to_string()]);
//! assert!(smime::keep::install(&store, &opened).is_err());         // unknown CA: not yet
//! smime::keep::trust(&store, &sender, &[Purpose::Verify, Purpose::Encrypt])?; // the user taps Trust
//! let opened = smime::reader::open(&signed, &[], &trust, &Policy::email(), now)?;
//! let installed = smime::keep::install(&store, &opened)?;          // Install
//! assert!(smime::keep::remove(&store, &installed.fingerprint)?);   // Remove
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

mod learn;
pub use learn::{Learnt, learn};

use crate::address::EmailAddress;
use crate::cert::Certificate;
use crate::cert::hex_upper;
use crate::cms::InvalidReason;
use crate::directory::{
    CertificateDirectory, CertificateStoreWrite, CorrespondentPreferences, InstallOptions,
    InstalledStore, TrustDecision, TrustPurpose,
};
use crate::error::Error;
use crate::oid;
use crate::reader::{OpenedMessage, SignedScope};
use crate::reader::{SignatureStatus, SignerReport};
use crate::trust::{self, Party, Purpose, TrustError, Use};

/// How far in the future a signing time may be before its attributes are refused
/// (REQUIREMENTS.md §2 row 5).
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// At most this many certificates of one message are considered (row 6).
pub const MAX_CERTIFICATES_PER_MESSAGE: usize = 32;

/// Why a certificate was not kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeepError {
    /// The message has no signature over the whole message, or no From address.
    #[error("the message is not signed by its sender")]
    NotSigned,
    /// The installed store could not be read or written.
    #[error(transparent)]
    Store(#[from] Error),
    /// The signature does not verify (tampered, wrong key, bad attributes).
    #[error("the signature is not valid: {0}")]
    InvalidSignature(Box<InvalidReason>),
    /// The signature is good but the issuer is unknown and the user has not trusted
    /// this certificate.
    #[error("the issuer of {subject} is not trusted; the user must trust the certificate first")]
    Untrusted {
        /// The certificate's subject.
        subject: String,
    },
    /// The certificate is expired, revoked or otherwise unusable.
    #[error("the certificate cannot be used: {0}")]
    Unusable(Box<SignatureStatus>),
    /// The certificate does not name the From address.
    #[error("the certificate does not name the sender's address {}", from.as_ref().map_or_else(|| "(no single From address)".to_owned(), |a| a.to_string()))]
    AddressMismatch {
        /// The From address; `None` when the message names no single sender.
        from: Option<EmailAddress>,
    },
    /// The certificate's key usage or EKU forbids encryption.
    #[error("the certificate does not allow encryption")]
    NotForEncryption,
    /// Another certificate is installed for the address: a key change the user must
    /// confirm with a fresh trust decision for the new certificate.
    #[error(
        "{address} already has another certificate ({}); the new one ({}) needs the user's decision",
        hex_upper(installed),
        hex_upper(offered)
    )]
    KeyChange {
        /// The address.
        address: EmailAddress,
        /// SHA-256 fingerprint of the installed certificate.
        installed: [u8; 32],
        /// SHA-256 fingerprint of the offered one.
        offered: [u8; 32],
    },
}

/// What "View Certificate" shows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateDetails {
    /// Subject (RFC 4514).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// The email addresses the certificate names.
    pub addresses: Vec<String>,
    /// Serial number (hex).
    pub serial: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// SHA-256 fingerprint (hex), to compare out of band.
    pub sha256: String,
    /// Key algorithm.
    pub key_algorithm: String,
    /// Key usage names (`digitalSignature`, `keyEncipherment`, …); empty when the
    /// extension is absent (any use).
    pub key_usage: Vec<&'static str>,
    /// Whether the extended key usage allows email protection.
    pub email_protection: bool,
}

impl CertificateDetails {
    /// The details of `cert`.
    pub fn of(cert: &Certificate) -> Self {
        let mut key_usage = Vec::new();
        if let Some(k) = cert.key_usage() {
            for (on, name) in [
                (k.digital_signature(), "digitalSignature"),
                (k.non_repudiation(), "nonRepudiation"),
                (k.key_encipherment(), "keyEncipherment"),
                (k.data_encipherment(), "dataEncipherment"),
                (k.key_agreement(), "keyAgreement"),
                (k.key_cert_sign(), "keyCertSign"),
                (k.crl_sign(), "cRLSign"),
                (k.encipher_only(), "encipherOnly"),
                (k.decipher_only(), "decipherOnly"),
            ] {
                if on {
                    key_usage.push(name);
                }
            }
        }
        CertificateDetails {
            subject: cert.subject(),
            issuer: cert.issuer(),
            addresses: cert
                .email_addresses()
                .iter()
                .map(|a| a.to_string())
                .collect(),
            serial: cert.serial_hex(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            sha256: cert.fingerprint_hex(),
            key_algorithm: cert.key_algorithm().to_string(),
            key_usage,
            email_protection: cert.eku_allows_email(),
        }
    }
}

impl fmt::Display for CertificateDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Subject:     {}", self.subject)?;
        writeln!(f, "Issuer:      {}", self.issuer)?;
        writeln!(f, "Addresses:   {}", self.addresses.join(", "))?;
        writeln!(f, "Serial:      {}", self.serial)?;
        writeln!(
            f,
            "Valid:       {} to {}",
            rfc3339(self.not_before),
            rfc3339(self.not_after)
        )?;
        writeln!(f, "Key:         {}", self.key_algorithm)?;
        writeln!(
            f,
            "Key usage:   {}",
            if self.key_usage.is_empty() {
                "any".to_string()
            } else {
                self.key_usage.join(", ")
            }
        )?;
        write!(f, "SHA-256:     {}", self.sha256)
    }
}

/// The calendar date of `t` (RFC 3339 full-date), by der's civil-time conversion.
fn rfc3339(t: SystemTime) -> String {
    match der::DateTime::from_system_time(t) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        // Outside der's 1970–9999: certificate times never are (`cert::early_time`
        // moves earlier bounds to the epoch), so this is the old clamp to 1970.
        Err(_) => "1970-01-01".into(),
    }
}

/// The sender's certificate of an opened message, with what the signature check
/// said about it.
#[derive(Debug, Clone)]
pub struct SenderCertificate {
    certificate: Certificate,
    from: Option<EmailAddress>,
    status: SignatureStatus,
    message_id: Option<String>,
}

impl SenderCertificate {
    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }
    /// "View Certificate".
    pub fn details(&self) -> CertificateDetails {
        CertificateDetails::of(&self.certificate)
    }
    /// The message's From address.
    pub fn from(&self) -> Option<&EmailAddress> {
        self.from.as_ref()
    }
    /// The signature's status.
    pub fn status(&self) -> &SignatureStatus {
        &self.status
    }
    /// Whether the user may be offered "Trust": the signature is good, only the
    /// issuer is unknown, and the certificate names the From address.
    pub fn can_trust(&self) -> bool {
        matches!(self.status, SignatureStatus::UntrustedIssuer { .. })
            && self
                .from
                .as_ref()
                .is_some_and(|f| self.certificate.names_address(f))
    }
}

/// The first signer's certificate of a message whose whole body is signed.
pub fn sender_certificate(opened: &OpenedMessage) -> Option<SenderCertificate> {
    if opened.signed_scope() != SignedScope::WholeMessage {
        return None;
    }
    let signer: &SignerReport = opened.signatures().next()?;
    Some(SenderCertificate {
        certificate: signer.certificate()?.clone(),
        from: opened.from().cloned(),
        status: signer.status().clone(),
        message_id: opened
            .outer_headers()
            .get("Message-ID")
            .map(|v| v.value().trim().to_string()),
    })
}

/// Records the user's decision to trust `sender`'s certificate for its From address
/// and `purposes` (REQUIREMENTS.md §3). Only for a good signature whose certificate
/// names the From address; the decision covers exactly this certificate.
// A user's tap, not a hot path: the refusal keeps its facts (address, both
// fingerprints) unboxed.
#[allow(clippy::result_large_err)]
pub fn trust(
    store: &InstalledStore,
    sender: &SenderCertificate,
    purposes: &[Purpose],
) -> Result<TrustDecision, KeepError> {
    // A chain that fails for a reason trust cannot override (wrong EKU on a CA, …)
    // stays unusable whatever the user decides: refuse the decision too.
    if let SignatureStatus::Invalid { reason } = &sender.status {
        return Err(KeepError::InvalidSignature(Box::new(reason.clone())));
    }
    let from = sender.from.clone().ok_or(KeepError::NotSigned)?;
    // The decision binds the certificate to From: the trust layer's address rule.
    if trust::check_party(&sender.certificate, &Party::Address(from.clone())).is_err() {
        return Err(KeepError::AddressMismatch { from: Some(from) });
    }
    let purposes: Vec<TrustPurpose> = purposes
        .iter()
        .map(|p| match p {
            Purpose::Encrypt => TrustPurpose::Encrypt,
            _ => TrustPurpose::Verify,
        })
        .collect();
    let mut decision = TrustDecision::new(&sender.certificate, &purposes);
    decision.addresses = vec![from];
    store.record_trust(&decision)?;
    Ok(decision)
}

/// What [`install`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Installed {
    /// The installed certificate's SHA-256 fingerprint.
    pub fingerprint: [u8; 32],
    /// The address it was installed for.
    pub address: EmailAddress,
    /// The certificate.
    pub certificate: Certificate,
    /// Other certificates the message carried, for use as untrusted intermediates
    /// only.
    pub intermediates: Vec<Certificate>,
    /// Whether the capability cache was updated.
    pub preferences_updated: bool,
    /// The certificate that was installed for the address before (a confirmed key
    /// change), if any.
    pub replaced: Option<Certificate>,
}

/// Installs the sender's certificate of `opened` for its From address, after the
/// checks in the module docs; also updates the capability cache.
// A user's tap, not a hot path: the refusal keeps its facts (address, both
// fingerprints) unboxed.
#[allow(clippy::result_large_err)]
pub fn install(store: &InstalledStore, opened: &OpenedMessage) -> Result<Installed, KeepError> {
    if let Some(SignatureStatus::Invalid { reason }) =
        opened.signatures().next().map(|s| s.status())
    {
        return Err(KeepError::InvalidSignature(Box::new(reason.clone())));
    }
    let sender = sender_certificate(opened).ok_or(KeepError::NotSigned)?;
    let from = sender.from.clone().ok_or(KeepError::NotSigned)?;
    let cert = sender.certificate.clone();
    match &sender.status {
        SignatureStatus::Valid => {}
        SignatureStatus::UntrustedIssuer { .. } => {
            return Err(KeepError::Untrusted {
                subject: cert.subject(),
            });
        }
        SignatureStatus::Invalid { reason } => {
            return Err(KeepError::InvalidSignature(Box::new(reason.clone())));
        }
        SignatureStatus::AddressMismatch { from, .. } => {
            return Err(KeepError::AddressMismatch { from: from.clone() });
        }
        other => return Err(KeepError::Unusable(Box::new(other.clone()))),
    }
    // Installed means "encrypt to this certificate for this address": the trust
    // layer's rule for that use (its path was judged with the signature).
    let for_sender = Use::encrypt_to(from.clone(), SystemTime::now());
    match trust::check_without_path(&cert, &for_sender, oid::KP_EMAIL_PROTECTION) {
        Ok(()) => {}
        Err(TrustError::AddressMismatch { .. }) => {
            return Err(KeepError::AddressMismatch { from: Some(from) });
        }
        Err(_) => return Err(KeepError::NotForEncryption),
    }
    // Key change: another certificate for this address needs a fresh decision.
    let fp = cert.fingerprint_sha256();
    let mut replaced = None;
    let existing = store.lookup(std::slice::from_ref(&from));
    for c in existing.iter().flat_map(|l| l.candidates()) {
        if c.certificate().fingerprint_sha256() != fp {
            let decided = store
                .trust_decision(&fp)?
                .is_some_and(|d| d.addresses.contains(&from));
            if !decided {
                return Err(KeepError::KeyChange {
                    address: from.clone(),
                    installed: c.certificate().fingerprint_sha256(),
                    offered: fp,
                });
            }
            replaced = Some(c.certificate().clone());
        }
    }
    let mut options = InstallOptions {
        addresses: vec![from.clone()],
        ..InstallOptions::default()
    };
    options.provenance.origin = "message".into();
    options.provenance.message_id = sender.message_id.clone();
    store.install(&cert, &options)?;
    if let Some(old) = &replaced {
        store.remove(&old.fingerprint_sha256())?;
    }
    let preferences_updated = record_preferences(store, opened, SystemTime::now())?;
    Ok(Installed {
        fingerprint: fp,
        address: from,
        intermediates: intermediates(opened),
        certificate: cert,
        preferences_updated,
        replaced,
    })
}

/// The certificates of `opened` other than the signer's: untrusted intermediates
/// for path building (add them with `TrustStore::add_intermediate`), never anchors
/// and never recipient keys. At most [`MAX_CERTIFICATES_PER_MESSAGE`].
pub fn intermediates(opened: &OpenedMessage) -> Vec<Certificate> {
    let signer = opened
        .signatures()
        .next()
        .and_then(|s| s.certificate().cloned());
    opened
        .certificates()
        .into_iter()
        .filter(|c| Some(c) != signer.as_ref())
        .filter(|c| c.basic_constraints().is_some_and(|b| b.ca))
        .take(MAX_CERTIFICATES_PER_MESSAGE)
        .collect()
}

/// Updates the capability cache from `opened` (RFC 8551 §2.7.1, §2.5.3;
/// REQUIREMENTS.md §2 row 5): only when the whole message is signed, the signature
/// is `Valid` (chain and From verified), the signing time is present, not later
/// than `now` + [`MAX_CLOCK_SKEW`], and newer than the stored one. Returns whether
/// the cache changed.
pub fn record_preferences<C>(
    store: &InstalledStore,
    opened: &OpenedMessage<C>,
    now: SystemTime,
) -> Result<bool, Error> {
    if !opened.is_signature_valid() {
        return Ok(false);
    }
    let Some(from) = opened.from() else {
        return Ok(false);
    };
    let Some(signer) = opened.signatures().next() else {
        return Ok(false);
    };
    if !signer.certificate().is_some_and(|c| c.names_address(from)) {
        return Ok(false);
    }
    let Some(time) = signer.signing_time() else {
        return Ok(false);
    };
    if time > now + MAX_CLOCK_SKEW {
        return Ok(false);
    }
    let mut prefs = CorrespondentPreferences::new(from.clone(), time);
    prefs.smime_capabilities = signer.capabilities_der().map(<[u8]>::to_vec);
    prefs.encryption_key_preference = signer.encryption_key_preference_der().map(<[u8]>::to_vec);
    if prefs.smime_capabilities.is_none() && prefs.encryption_key_preference.is_none() {
        return Ok(false);
    }
    store.record_preferences(&prefs)
}

/// Removes an installed certificate (and the user's trust decision for it).
pub fn remove(store: &InstalledStore, fingerprint: &[u8; 32]) -> Result<bool, Error> {
    store.remove(fingerprint)
}

/// Removes every certificate installed for `address`; returns how many.
pub fn remove_address(store: &InstalledStore, address: &EmailAddress) -> Result<usize, Error> {
    let mut n = 0;
    for entry in store.list()? {
        if entry.addresses().contains(address)
            && store.remove(&entry.certificate().fingerprint_sha256())?
        {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339_full_dates() {
        let at = |secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(rfc3339(at(0)), "1970-01-01");
        assert_eq!(rfc3339(at(951_782_400)), "2000-02-29");
        assert_eq!(rfc3339(at(253_402_300_799)), "9999-12-31");
        let before = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(rfc3339(before), "1970-01-01");
    }
}
