//! [`VerifiedPath`]: the proof that a certificate was evaluated and found trusted.

use der::asn1::ObjectIdentifier;

use super::usage::Use;
use super::user_trust::UserTrust;
use crate::cert::Certificate;

/// What vouches for a verified certificate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TrustAnchor {
    /// A trust anchor of the [`TrustStore`](super::TrustStore).
    Store(Certificate),
    /// The user's own decision to trust exactly this certificate (REQUIREMENTS.md §3);
    /// no CA vouches for it.
    User(UserTrust),
}

/// Something the caller should show even though the certificate is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustWarning {
    /// A historic algorithm (SHA-1) was accepted because the policy is in historic mode.
    HistoricAlgorithm {
        /// The certificate whose signature uses it.
        subject: String,
        /// The algorithm.
        algorithm: &'static str,
    },
    /// An RSA key below the policy minimum was accepted in historic mode
    /// (RFC 8550 §4.3: the user MUST be warned).
    WeakKey {
        /// The certificate.
        subject: String,
        /// Its size.
        bits: usize,
    },
    /// No CRL decided the certificate's revocation status (the policy allowed that).
    RevocationUnknown {
        /// The certificate.
        subject: String,
        /// Why no CRL could decide.
        reason: String,
    },
}

/// A certificate judged fit for one [`Use`] under the account's
/// [`Policy`](super::Policy): only [`TrustStore::evaluate`](super::TrustStore::evaluate)
/// makes one, so holding one is proof that the judgement happened, for the purpose,
/// party and time it records (the pattern of rustls-webpki's `VerifiedPath`).
#[derive(Debug, Clone)]
pub struct VerifiedPath {
    pub(super) leaf: Certificate,
    pub(super) intermediates: Vec<Certificate>,
    pub(super) anchor: TrustAnchor,
    pub(super) policies: Vec<ObjectIdentifier>,
    pub(super) warnings: Vec<TrustWarning>,
    pub(super) used_for: Use,
}

impl VerifiedPath {
    /// The evaluated certificate.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The use — purpose, party, time — the certificate was judged fit for.
    pub fn used_for(&self) -> &Use {
        &self.used_for
    }

    /// The intermediates, the leaf's issuer first, up to (not including) the anchor.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// What vouches for the path.
    pub fn anchor(&self) -> &TrustAnchor {
        &self.anchor
    }

    /// The anchor certificate, when a store anchor vouches (not a user decision).
    pub fn anchor_certificate(&self) -> Option<&Certificate> {
        match &self.anchor {
            TrustAnchor::Store(c) => Some(c),
            TrustAnchor::User(_) => None,
        }
    }

    /// Whether the user's own decision (not a CA) vouches for the certificate.
    pub fn is_user_trusted(&self) -> bool {
        matches!(self.anchor, TrustAnchor::User(_))
    }

    /// The valid certificate policies (RFC 5280 §6.1.6 user-constrained-policy-set);
    /// anyPolicy (2.5.29.32.0) when the path allows any.
    pub fn policies(&self) -> &[ObjectIdentifier] {
        &self.policies
    }

    /// Warnings the caller should show (historic algorithms, unknown revocation).
    pub fn warnings(&self) -> &[TrustWarning] {
        &self.warnings
    }
}
