//! [`TrustError`]: why a certificate is not trusted, with context, and [`TrustError::rank`]
//! so that the most specific reason wins when several candidate paths fail.

use std::fmt;
use std::time::SystemTime;

use der::asn1::ObjectIdentifier;

use super::policy::Purpose;
use crate::address::EmailAddress;

/// Why trust evaluation rejected a certificate.
///
/// Every variant names the certificate it is about (`subject`, RFC 4514 form) and the
/// check that failed. When several candidate paths fail, [`TrustStore::evaluate`]
/// returns the error with the highest [`rank`](TrustError::rank): "expired" beats
/// "unknown issuer".
///
/// [`TrustStore::evaluate`]: super::TrustStore::evaluate
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// No path from the certificate to a trust anchor (and no user decision applies).
    #[error("no trusted issuer found for {subject}")]
    UnknownIssuer {
        /// The certificate whose issuer could not be found.
        subject: String,
    },
    /// A path would need more intermediates than the limit allows.
    #[error("path from {subject} needs more than {limit} intermediate certificates")]
    PathTooLong {
        /// The certificate at which the limit was hit.
        subject: String,
        /// The limit.
        limit: usize,
    },
    /// The certificate's validity period ended before the reference time.
    #[error("certificate {subject} expired at {not_after:?} (checked at {time:?})")]
    Expired {
        /// The certificate.
        subject: String,
        /// The reference time of the evaluation.
        time: SystemTime,
        /// The end of its validity period.
        not_after: SystemTime,
    },
    /// The certificate's validity period starts after the reference time.
    #[error("certificate {subject} is not valid before {not_before:?} (checked at {time:?})")]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// The reference time of the evaluation.
        time: SystemTime,
        /// The start of its validity period.
        not_before: SystemTime,
    },
    /// A signature on a certificate does not verify with its issuer's key.
    #[error("the signature on {subject} does not verify with the key of {issuer}")]
    BadSignature {
        /// The signed certificate.
        subject: String,
        /// The issuer whose key was tried.
        issuer: String,
    },
    /// A signature or key algorithm we do not implement (or parameters we refuse).
    #[error("{subject} uses unsupported algorithm {oid}")]
    UnsupportedAlgorithm {
        /// The certificate.
        subject: String,
        /// The algorithm OID.
        oid: ObjectIdentifier,
    },
    /// An algorithm the policy rejects (SHA-1, MD5) outside historic mode.
    #[error("{subject} uses {algorithm}, which the policy rejects")]
    WeakAlgorithm {
        /// The certificate.
        subject: String,
        /// The algorithm's name.
        algorithm: &'static str,
    },
    /// A key smaller than the policy minimum.
    #[error("{subject} has a {bits}-bit key; the policy requires at least {minimum}")]
    WeakKey {
        /// The certificate.
        subject: String,
        /// Its key size.
        bits: usize,
        /// The policy minimum.
        minimum: usize,
    },
    /// A key (or signature) larger than we process (RSA modulus cap, the BigSig class).
    #[error("{subject} has a key or signature larger than {maximum} bits")]
    KeyTooLarge {
        /// The certificate.
        subject: String,
        /// The cap.
        maximum: usize,
    },
    /// A certificate that cannot be processed (malformed extension, broken key).
    #[error("certificate {subject} is malformed: {reason}")]
    Malformed {
        /// The certificate.
        subject: String,
        /// What was wrong.
        reason: String,
    },
    /// An issuing certificate is not a CA (basicConstraints cA missing or false).
    #[error("{subject} is used as a CA but is not one (basicConstraints)")]
    NotACa {
        /// The certificate.
        subject: String,
    },
    /// A pathLenConstraint on the path is exceeded.
    #[error("path length constraint exceeded at {subject}")]
    PathLenExceeded {
        /// The certificate that exceeds it.
        subject: String,
    },
    /// A CA certificate whose keyUsage lacks keyCertSign (or cRLSign for a CRL issuer).
    #[error("{subject} may not sign {what} (keyUsage)")]
    IssuerKeyUsage {
        /// The certificate.
        subject: String,
        /// "certificates" or "CRLs".
        what: &'static str,
    },
    /// A critical extension we do not process (RFC 5280 §6.1.4(o), §6.1.5(f)).
    #[error("{subject} has unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// The certificate.
        subject: String,
        /// The extension OID.
        oid: ObjectIdentifier,
    },
    /// The end-entity keyUsage does not allow the purpose (RFC 8550 §4.4.2).
    #[error("keyUsage of {subject} does not allow {purpose:?}: it needs {required}")]
    KeyUsage {
        /// The certificate.
        subject: String,
        /// The purpose asked for.
        purpose: Purpose,
        /// The key usage the purpose needs, in words.
        required: &'static str,
    },
    /// The certificate's key algorithm cannot serve the purpose (a signing-only key
    /// such as Ed25519 cannot receive encrypted mail).
    #[error("the key algorithm of {subject} cannot be used for {purpose:?}")]
    KeyAlgorithm {
        /// The certificate.
        subject: String,
        /// The purpose asked for.
        purpose: Purpose,
    },
    /// The certificate names addresses, none of them the one it is used for
    /// (RFC 8550 §3).
    #[error("the certificate names {} but not {}", list(certificate_addresses), address.as_ref().map_or_else(|| "a single sender".to_owned(), |a| a.to_string()))]
    AddressMismatch {
        /// The address in question; `None` when the message names no single sender.
        address: Option<EmailAddress>,
        /// The addresses the certificate names.
        certificate_addresses: Vec<EmailAddress>,
    },
    /// An extendedKeyUsage on the path does not allow the required purpose
    /// (RFC 8550 §4.4.4; intersected along the path).
    #[error("extendedKeyUsage of {subject} does not allow {required}")]
    ExtendedKeyUsage {
        /// The certificate whose EKU excludes the purpose.
        subject: String,
        /// The purpose OID required (id-kp-emailProtection by default).
        required: ObjectIdentifier,
    },
    /// A name in the certificate violates a name constraint on the path
    /// (RFC 5280 §4.2.1.10), or a constraint cannot be processed (fail closed).
    #[error("name {name} of {subject} violates a name constraint")]
    NameConstraint {
        /// The certificate.
        subject: String,
        /// The offending name (or constraint), human-readable.
        name: String,
    },
    /// Certificate policy processing failed (RFC 5280 §6.1).
    #[error("certificate policy check failed at {subject}: {reason}")]
    Policy {
        /// The certificate at which it failed.
        subject: String,
        /// What failed.
        reason: &'static str,
    },
    /// The certificate is revoked.
    #[error("{subject} (serial {serial}) was revoked at {revoked_at:?}, reason {reason:?}")]
    Revoked {
        /// The certificate.
        subject: String,
        /// Its serial number, upper-case hex.
        serial: String,
        /// The revocation date in the CRL entry.
        revoked_at: SystemTime,
        /// The reason code, when the CRL gives one.
        reason: Option<RevocationReason>,
    },
    /// No usable CRL covers the certificate and the policy requires one.
    #[error("revocation status of {subject} is unknown: {reason}")]
    RevocationUnknown {
        /// The certificate.
        subject: String,
        /// Why no CRL could decide.
        reason: String,
    },
    /// A user decision exists for this certificate but does not apply here (other
    /// purpose or address, or the key changed).
    #[error("the user's trust decision for {subject} does not cover this use: {reason}")]
    UserTrustMismatch {
        /// The certificate.
        subject: String,
        /// Why it does not apply.
        reason: &'static str,
    },
    /// The evaluation hit a resource limit (hostile or pathological input).
    #[error("trust evaluation stopped: more than {limit} {what}")]
    BudgetExceeded {
        /// Which budget ran out.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// The reason code of a revocation (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0)
    Unspecified,
    /// keyCompromise (1)
    KeyCompromise,
    /// cACompromise (2)
    CaCompromise,
    /// affiliationChanged (3)
    AffiliationChanged,
    /// superseded (4)
    Superseded,
    /// cessationOfOperation (5)
    CessationOfOperation,
    /// certificateHold (6)
    CertificateHold,
    /// removeFromCRL (8), only in delta CRLs
    RemoveFromCrl,
    /// privilegeWithdrawn (9)
    PrivilegeWithdrawn,
    /// aACompromise (10)
    AaCompromise,
}

impl TrustError {
    /// How specific the error is; when several candidate paths fail, the highest rank
    /// is reported (the pattern of rustls-webpki's `Error::rank`). "No issuer" is the
    /// least specific; a revoked or expired certificate is the most.
    pub fn rank(&self) -> u32 {
        match self {
            TrustError::UnknownIssuer { .. } => 0,
            TrustError::PathTooLong { .. } => 5,
            TrustError::UserTrustMismatch { .. } => 8,
            TrustError::RevocationUnknown { .. } => 10,
            TrustError::UnsupportedAlgorithm { .. } => 20,
            TrustError::BadSignature { .. } => 25,
            TrustError::Malformed { .. } => 30,
            TrustError::WeakAlgorithm { .. }
            | TrustError::WeakKey { .. }
            | TrustError::KeyTooLarge { .. } => 35,
            TrustError::NotACa { .. }
            | TrustError::PathLenExceeded { .. }
            | TrustError::IssuerKeyUsage { .. }
            | TrustError::UnknownCriticalExtension { .. } => 40,
            TrustError::Policy { .. } => 45,
            TrustError::NameConstraint { .. } => 50,
            TrustError::ExtendedKeyUsage { .. }
            | TrustError::KeyUsage { .. }
            | TrustError::KeyAlgorithm { .. } => 55,
            // Judged only once the path holds: the last check, the least severe.
            TrustError::AddressMismatch { .. } => 1,
            TrustError::NotYetValid { .. } | TrustError::Expired { .. } => 60,
            TrustError::Revoked { .. } => 70,
            TrustError::BudgetExceeded { .. } => 100,
        }
    }

    /// Whether this error is one a user's "Trust" decision may override: only "no
    /// path to a trusted issuer" (REQUIREMENTS.md §3).
    pub fn is_unknown_issuer(&self) -> bool {
        matches!(
            self,
            TrustError::UnknownIssuer { .. } | TrustError::PathTooLong { .. }
        )
    }
}

fn list(addresses: &[EmailAddress]) -> String {
    addresses
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Keeps the most specific of several errors ([`TrustError::rank`]).
pub(crate) fn keep_best(best: &mut Option<TrustError>, new: TrustError) {
    match best {
        Some(b) if b.rank() >= new.rank() => {}
        _ => *best = Some(new),
    }
}
