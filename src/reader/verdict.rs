//! The per-signer verdict a mail app shows — blue check, red question mark, Trust… —
//! built in this one place from three answers: cms's evidence (digest and signature
//! verified with the signer's certificate, or why not), the trust layer's judgement of
//! that certificate for verifying mail from the From address at the reader's time, and
//! nothing else (RFC 8550 §3, §4, §6; REQUIREMENTS.md §2 rows 7–19).

use std::time::SystemTime;

use der::asn1::ObjectIdentifier;

use crate::address::EmailAddress;
use crate::cert::Certificate;
use crate::cms::{InvalidReason, SignerEvidence, Verification};
use crate::trust::{Policy, TrustError, TrustStore, Use, VerifiedPath};

/// The status of one signer: what a mail app shows as a blue check or a red mark.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureStatus {
    /// Digest, signature, chain and the From address are all good.
    Valid,
    /// Tampered, wrong key, bad attributes, or a chain that cannot be accepted.
    Invalid {
        /// Why.
        reason: InvalidReason,
    },
    /// The signature is good but no path leads to a trusted anchor: the user may
    /// choose to trust the certificate.
    UntrustedIssuer {
        /// The path-building error.
        error: TrustError,
    },
    /// The signature is good but the signer's certificate (or its chain) is expired
    /// or not yet valid at the reference time.
    Expired {
        /// The trust error with the times.
        error: TrustError,
    },
    /// The signature is good but a certificate on the path is revoked.
    Revoked {
        /// The trust error with the reason and date.
        error: TrustError,
    },
    /// Everything is good but the certificate does not name the From address.
    AddressMismatch {
        /// The From address; `None` when the message names no single sender.
        from: Option<EmailAddress>,
        /// The addresses the certificate names.
        certificate_addresses: Vec<EmailAddress>,
    },
}

impl SignatureStatus {
    /// Whether this is [`SignatureStatus::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, SignatureStatus::Valid)
    }

    /// Whether the signature itself is cryptographically good: digest and signature
    /// verified with the signer's certificate; only the certificate (its chain, trust,
    /// validity, revocation) or the address is in question. True for
    /// [`InvalidReason::Chain`], which is judged after the signature verified.
    pub fn signature_ok(&self) -> bool {
        match self {
            SignatureStatus::Invalid { reason } => matches!(reason, InvalidReason::Chain(_)),
            _ => true,
        }
    }

    /// The verdict for a signature whose cms evidence is good, from the trust
    /// layer's judgement of its certificate.
    fn from_judgement(judgement: Result<&VerifiedPath, &TrustError>) -> Self {
        let Err(e) = judgement else {
            return SignatureStatus::Valid;
        };
        let error = e.clone();
        match e {
            TrustError::UnknownIssuer { .. } => SignatureStatus::UntrustedIssuer { error },
            TrustError::Expired { .. } | TrustError::NotYetValid { .. } => {
                SignatureStatus::Expired { error }
            }
            TrustError::Revoked { .. } => SignatureStatus::Revoked { error },
            TrustError::AddressMismatch {
                address,
                certificate_addresses,
            } => SignatureStatus::AddressMismatch {
                from: address.clone(),
                certificate_addresses: certificate_addresses.clone(),
            },
            _ => SignatureStatus::Invalid {
                reason: InvalidReason::Chain(error),
            },
        }
    }
}

impl std::fmt::Display for SignatureStatus {
    // REQUIREMENTS.md §2 row 16: status texts carry no attacker-chosen strings
    // (certificate names, addresses); the variants keep them as data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureStatus::Valid => f.write_str("valid"),
            SignatureStatus::Invalid { reason } => write!(f, "invalid: {reason}"),
            SignatureStatus::UntrustedIssuer { .. } => {
                f.write_str("the signer's certificate is from an issuer you do not trust")
            }
            SignatureStatus::Expired { .. } => {
                f.write_str("the signer's certificate is expired or not yet valid")
            }
            SignatureStatus::Revoked { .. } => f.write_str("the signer's certificate is revoked"),
            SignatureStatus::AddressMismatch { .. } => {
                f.write_str("the signer's certificate does not name the sender's address")
            }
        }
    }
}

/// One signer's verdict, with the evidence it was built from.
#[derive(Debug, Clone)]
pub struct SignerReport {
    status: SignatureStatus,
    evidence: SignerEvidence,
    path: Option<VerifiedPath>,
}

impl SignerReport {
    /// The status.
    pub fn status(&self) -> &SignatureStatus {
        &self.status
    }
    /// The signer's certificate, when it was found.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.evidence.certificate()
    }
    /// The signingTime attribute: for display only, it is the signer's claim.
    pub fn signing_time(&self) -> Option<SystemTime> {
        self.evidence.signing_time()
    }
    /// The SMIMECapabilities attribute value (DER), as announced.
    pub fn capabilities_der(&self) -> Option<&[u8]> {
        self.evidence.capabilities_der()
    }
    /// The SMIMEEncryptionKeyPreference attribute value (DER), as announced.
    pub fn encryption_key_preference_der(&self) -> Option<&[u8]> {
        self.evidence.encryption_key_preference_der()
    }
    /// The digest algorithm.
    pub fn digest_algorithm(&self) -> ObjectIdentifier {
        self.evidence.digest_algorithm()
    }
    /// The verified path, for a signer whose certificate the trust layer accepted.
    pub fn path(&self) -> Option<&VerifiedPath> {
        self.path.as_ref()
    }
    /// The cms evidence the verdict was built from.
    pub fn evidence(&self) -> &SignerEvidence {
        &self.evidence
    }
}

/// The verdict for every signer of `verification`: each signer certificate whose
/// signature verified is judged by `trust` under `policy` for `use_` — normally
/// [`Use::verify_from`] with the message's From address and the reader's clock; a
/// caller with no From to check (a bare CMS object) says so with
/// [`Use::at`]`(Purpose::Verify, time)`.
///
/// ```
/// use smime::cms::SignOptions;
/// use smime::reader::{self, SignatureStatus};
/// use smime::trust::{Policy, TrustStore, Use};
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// let alice = sample::alice()?;
/// let mut trust = TrustStore::new();
/// trust.add_anchor(sample::ca()?);
///
/// let signed = smime::cms::SignedDataBuilder::new(&alice, SignOptions::default())
///     .sign_detached(&b"Hello"[..])?;
/// let evidence = smime::cms::verify_detached(&signed, &b"Hello"[..], &trust, &Policy::email())?;
///
/// let now = std::time::SystemTime::now();
/// let from_alice = Use::verify_from(Some("alice@example.org".parse()?), now);
/// let reports = reader::judge_signers(&evidence, &trust, &Policy::email(), &from_alice);
/// assert_eq!(reports[0].status(), &SignatureStatus::Valid);
///
/// let from_mallory = Use::verify_from(Some("mallory@example.org".parse()?), now);
/// let reports = reader::judge_signers(&evidence, &trust, &Policy::email(), &from_mallory);
/// assert!(matches!(reports[0].status(), SignatureStatus::AddressMismatch { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn judge_signers(
    verification: &Verification,
    trust: &TrustStore,
    policy: &Policy,
    use_: &Use,
) -> Vec<SignerReport> {
    verification
        .signers()
        .iter()
        .map(|evidence| judge_signer(evidence, verification, trust, policy, use_))
        .collect()
}

fn judge_signer(
    evidence: &SignerEvidence,
    verification: &Verification,
    trust: &TrustStore,
    policy: &Policy,
    use_: &Use,
) -> SignerReport {
    let report = |status, path| SignerReport {
        status,
        evidence: evidence.clone(),
        path,
    };
    if let Err(reason) = evidence.outcome() {
        return report(
            SignatureStatus::Invalid {
                reason: reason.clone(),
            },
            None,
        );
    }
    let Some(cert) = evidence.certificate() else {
        // cms reports a verified signature only with the certificate it verified with.
        return report(
            SignatureStatus::Invalid {
                reason: InvalidReason::SignerCertificateNotFound,
            },
            None,
        );
    };
    // The chain, for verifying, at the caller's time (never signingTime: RFC 8550 §6),
    // with the message's certificates and CRLs as untrusted helpers (RFC 8550 §2.1).
    let judgement = trust.evaluate_with_crls(
        cert,
        policy,
        use_,
        verification.certificates(),
        verification.crls(),
    );
    let status = SignatureStatus::from_judgement(judgement.as_ref());
    report(status, judgement.ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain failure is judged after the CMS signature verified: the signature is
    /// still good. Everything else that makes a status Invalid is not.
    #[test]
    fn signature_ok_holds_for_chain_failures_only() {
        let chain = TrustError::PathTooLong {
            subject: "CN=x".into(),
            limit: 1,
        };
        let invalid = |reason| SignatureStatus::Invalid { reason };
        assert!(invalid(InvalidReason::Chain(chain)).signature_ok());
        for reason in [
            InvalidReason::BadSignature,
            InvalidReason::DigestMismatch,
            InvalidReason::MissingSignedAttributes,
            InvalidReason::ContentMimicsAttributes,
            InvalidReason::SignerCertificateNotFound,
        ] {
            assert!(!invalid(reason).signature_ok());
        }
        assert!(SignatureStatus::Valid.signature_ok());
    }
}
