//! What [`Encryptor::check`](super::Encryptor::check) answers: per recipient a
//! [`RecipientStatus`] with its reason, and for the message the [`Designation`] and
//! the content cipher.

use std::fmt;
use std::time::SystemTime;

use super::recipients::Role;
use crate::address::EmailAddress;
use crate::cert::Certificate;
use crate::cms::{CipherChoice, CipherPolicy, ContentCipher};
use crate::directory::Source;
use crate::trust::TrustError;

/// Why a certificate cannot be encrypted to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnusableReason {
    /// Its validity period ended.
    Expired {
        /// When it ended (the certificate's, or its path's, notAfter).
        not_after: SystemTime,
    },
    /// Its validity period has not started.
    NotYetValid {
        /// When it starts.
        not_before: SystemTime,
    },
    /// It (or a certificate on its path) is revoked.
    Revoked,
    /// No path to a trusted CA, and the user did not trust it for this address.
    UntrustedIssuer,
    /// Its keyUsage forbids encryption (RSA needs keyEncipherment, ECDH keyAgreement;
    /// RFC 8550 §4.4.2, RFC 5280 §4.2.1.3).
    KeyUsage,
    /// Its extendedKeyUsage does not allow email protection (RFC 8550 §4.4.4).
    ExtendedKeyUsage,
    /// Its key is smaller than the policy allows.
    WeakKey,
    /// Its key algorithm cannot receive encrypted mail (a signing-only key such as
    /// Ed25519, an unknown curve) or a signature algorithm on its path is refused.
    AlgorithmNotAllowed,
    /// Another problem with the certificate or its path.
    Invalid(TrustError),
}

impl fmt::Display for UnusableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnusableReason::Expired { .. } => f.write_str("the certificate has expired"),
            UnusableReason::NotYetValid { .. } => f.write_str("the certificate is not valid yet"),
            UnusableReason::Revoked => f.write_str("the certificate has been revoked"),
            UnusableReason::UntrustedIssuer => {
                f.write_str("the certificate's issuer is not trusted")
            }
            UnusableReason::KeyUsage => {
                f.write_str("the certificate's key usage forbids encryption")
            }
            UnusableReason::ExtendedKeyUsage => {
                f.write_str("the certificate is not meant for email protection")
            }
            UnusableReason::WeakKey => f.write_str("the certificate's key is too weak"),
            UnusableReason::AlgorithmNotAllowed => {
                f.write_str("the certificate's algorithm cannot be used for encryption")
            }
            UnusableReason::Invalid(s) => write!(f, "the certificate is not acceptable: {s}"),
        }
    }
}

impl From<&TrustError> for UnusableReason {
    fn from(e: &TrustError) -> Self {
        match e {
            TrustError::Expired { not_after, .. } => UnusableReason::Expired {
                not_after: *not_after,
            },
            TrustError::NotYetValid { not_before, .. } => UnusableReason::NotYetValid {
                not_before: *not_before,
            },
            TrustError::Revoked { .. } => UnusableReason::Revoked,
            TrustError::UnknownIssuer { .. } | TrustError::UserTrustMismatch { .. } => {
                UnusableReason::UntrustedIssuer
            }
            TrustError::KeyUsage { .. } => UnusableReason::KeyUsage,
            TrustError::ExtendedKeyUsage { .. } => UnusableReason::ExtendedKeyUsage,
            TrustError::WeakKey { .. } | TrustError::KeyTooLarge { .. } => UnusableReason::WeakKey,
            TrustError::WeakAlgorithm { .. }
            | TrustError::UnsupportedAlgorithm { .. }
            | TrustError::KeyAlgorithm { .. } => UnusableReason::AlgorithmNotAllowed,
            other => UnusableReason::Invalid(other.clone()),
        }
    }
}

/// One recipient's answer: a blue lock or a red one, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientStatus {
    /// A usable certificate was found.
    Encryptable {
        /// The certificate to encrypt to.
        certificate: Certificate,
        /// Where it came from.
        source: Source,
    },
    /// No source has a certificate for the address.
    NoCertificate,
    /// Certificates exist but none can be used; this is the best of them.
    CertificateUnusable {
        /// The certificate (the latest one when there are several).
        certificate: Certificate,
        /// Why it cannot be used.
        reason: UnusableReason,
    },
    /// A source could not be asked and none offered a usable certificate: the
    /// recipient may have one, so this is not "no certificate".
    LookupFailed {
        /// The source that failed.
        source: Source,
        /// What went wrong.
        error: crate::error::DirectoryError,
    },
}

impl RecipientStatus {
    /// Whether the recipient can be encrypted to (the blue lock).
    pub fn is_encryptable(&self) -> bool {
        matches!(self, RecipientStatus::Encryptable { .. })
    }

    /// A short machine-readable name: `encryptable`, `no-certificate`,
    /// `certificate-unusable`, `lookup-failed`.
    pub fn kind(&self) -> &'static str {
        match self {
            RecipientStatus::Encryptable { .. } => "encryptable",
            RecipientStatus::NoCertificate => "no-certificate",
            RecipientStatus::CertificateUnusable { .. } => "certificate-unusable",
            RecipientStatus::LookupFailed { .. } => "lookup-failed",
        }
    }

    /// The certificate the status is about, if any.
    pub fn certificate(&self) -> Option<&Certificate> {
        match self {
            RecipientStatus::Encryptable { certificate, .. }
            | RecipientStatus::CertificateUnusable { certificate, .. } => Some(certificate),
            _ => None,
        }
    }
}

impl fmt::Display for RecipientStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipientStatus::Encryptable { source, .. } => {
                write!(f, "can be encrypted to (certificate from {source})")
            }
            RecipientStatus::NoCertificate => f.write_str("no certificate found"),
            RecipientStatus::CertificateUnusable { reason, .. } => write!(f, "{reason}"),
            RecipientStatus::LookupFailed { source, error } => {
                write!(f, "could not ask {source}: {error}")
            }
        }
    }
}

/// A candidate that was not chosen, and why not.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// The certificate.
    pub certificate: Certificate,
    /// Where it came from.
    pub source: Source,
    /// `None` when it is usable but another was preferred.
    pub unusable: Option<UnusableReason>,
}

/// One recipient in an [`EncryptionReport`].
#[derive(Debug, Clone)]
pub struct RecipientReport {
    pub(super) address: EmailAddress,
    pub(super) role: Role,
    pub(super) status: RecipientStatus,
    pub(super) alternatives: Vec<Alternative>,
    pub(super) preferred_by_correspondent: bool,
    pub(super) capabilities: Option<Vec<ContentCipher>>,
}

impl RecipientReport {
    /// The address.
    pub fn address(&self) -> &EmailAddress {
        &self.address
    }
    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// The status.
    pub fn status(&self) -> &RecipientStatus {
        &self.status
    }
    /// The candidates not chosen.
    pub fn alternatives(&self) -> &[Alternative] {
        &self.alternatives
    }
    /// Whether the chosen certificate is the one the correspondent named in its
    /// SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3.1).
    pub fn preferred_by_correspondent(&self) -> bool {
        self.preferred_by_correspondent
    }
    /// The content ciphers the correspondent announced (known ones, in its order),
    /// when its capabilities are stored. For the sender ([`Role::Sender`]) without
    /// stored capabilities, the ones this library announces ([`OWN_CAPABILITIES`](crate::cms::OWN_CAPABILITIES)):
    /// the Sent copy is read here.
    pub fn capabilities(&self) -> Option<&[ContentCipher]> {
        self.capabilities.as_deref()
    }
}

/// The message's state as the seed's three designations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Designation {
    /// The toggle is on and every recipient is encryptable.
    Encrypted,
    /// The toggle is off.
    NotEncrypted,
    /// The toggle is on and at least one recipient is not encryptable.
    UnableToEncrypt,
}

impl fmt::Display for Designation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Designation::Encrypted => "Encrypted",
            Designation::NotEncrypted => "Not Encrypted",
            Designation::UnableToEncrypt => "Unable to Encrypt",
        })
    }
}

/// Per-recipient answers of [`Encryptor::check`](super::Encryptor::check).
#[derive(Debug, Clone, Default)]
pub struct EncryptionReport {
    recipients: Vec<RecipientReport>,
    checked_at: Option<SystemTime>,
    ciphers: CipherPolicy,
}

impl EncryptionReport {
    /// Every recipient, in the order given, the sender last.
    pub fn recipients(&self) -> &[RecipientReport] {
        &self.recipients
    }

    /// The report for `address`.
    pub fn get(&self, address: &EmailAddress) -> Option<&RecipientReport> {
        self.recipients.iter().find(|r| &r.address == address)
    }

    /// Whether every recipient is encryptable (and there is at least one).
    pub fn all_encryptable(&self) -> bool {
        !self.recipients.is_empty() && self.recipients.iter().all(|r| r.status.is_encryptable())
    }

    /// The recipients that are not encryptable.
    pub fn not_encryptable(&self) -> impl Iterator<Item = &RecipientReport> {
        self.recipients
            .iter()
            .filter(|r| !r.status.is_encryptable())
    }

    /// The designation for the per-message toggle `encrypt`.
    pub fn designation(&self, encrypt: bool) -> Designation {
        if !encrypt {
            Designation::NotEncrypted
        } else if self.all_encryptable() {
            Designation::Encrypted
        } else {
            Designation::UnableToEncrypt
        }
    }

    /// When the check ran (the policy's time).
    pub fn checked_at(&self) -> Option<SystemTime> {
        self.checked_at
    }

    /// The content cipher [`Encryptor::seal`](super::Encryptor::seal) will use for these recipients, and why
    /// ([`CipherPolicy::choose`] over every recipient's stored capabilities and the
    /// encryptor's [`CipherPolicy`]).
    pub fn cipher(&self) -> CipherChoice {
        self.ciphers
            .choose(self.recipients.iter().map(|r| r.capabilities()))
    }

    pub(crate) fn from_parts(recipients: Vec<RecipientReport>, at: Option<SystemTime>) -> Self {
        EncryptionReport {
            recipients,
            checked_at: at,
            ciphers: CipherPolicy::default(),
        }
    }

    /// The same report with the cipher policy `ciphers`.
    pub(crate) fn with_ciphers(mut self, ciphers: CipherPolicy) -> Self {
        self.ciphers = ciphers;
        self
    }
}
