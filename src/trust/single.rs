//! Checks of one certificate on its own, whatever its issuer: validity (RFC 5280
//! §4.1.2.5), critical extensions (§4.2), and for the certificate being judged the
//! leaf rules — its use (key usage, EKU: `usage.rs`), name constraints only in CAs,
//! an empty subject only with a critical SAN, and its own key (RFC 8551 §2.2, §4.3).

use x509_cert::ext::pkix::NameConstraints;

use super::error::TrustError;
use super::policy::Policy;
use super::usage::{self, Use};
use super::verified::TrustWarning;
use super::verify_signature;
use crate::cert::{Certificate, KeyAlgorithm};
use crate::oid;

/// RFC 5280 §4.1.2.5, §6.1.3(a)(2): both ends inclusive.
pub(super) fn check_validity(
    cert: &Certificate,
    time: std::time::SystemTime,
) -> Result<(), TrustError> {
    if time < cert.not_before() {
        return Err(TrustError::NotYetValid {
            subject: cert.subject(),
            time,
            not_before: cert.not_before(),
        });
    }
    if time > cert.not_after() {
        return Err(TrustError::Expired {
            subject: cert.subject(),
            time,
            not_after: cert.not_after(),
        });
    }
    Ok(())
}

/// The extensions this module processes; any other extension marked critical rejects
/// the certificate (RFC 5280 §4.2, §6.1.4(o), §6.1.5(f)).
const PROCESSED_EXTENSIONS: &[der::asn1::ObjectIdentifier] = &[
    oid::CE_BASIC_CONSTRAINTS,
    oid::CE_KEY_USAGE,
    oid::CE_EXT_KEY_USAGE,
    oid::CE_SUBJECT_ALT_NAME,
    oid::CE_ISSUER_ALT_NAME,
    oid::CE_NAME_CONSTRAINTS,
    oid::CE_CERTIFICATE_POLICIES,
    oid::CE_POLICY_MAPPINGS,
    oid::CE_POLICY_CONSTRAINTS,
    oid::CE_INHIBIT_ANY_POLICY,
    oid::CE_SUBJECT_KEY_IDENTIFIER,
    oid::CE_AUTHORITY_KEY_IDENTIFIER,
    oid::CE_CRL_DISTRIBUTION_POINTS,
    oid::CE_FRESHEST_CRL,
];

pub(super) fn check_critical_extensions(cert: &Certificate) -> Result<(), TrustError> {
    let exts = cert.x509().tbs_certificate().extensions();
    for e in exts.into_iter().flatten() {
        if e.critical && !PROCESSED_EXTENSIONS.contains(&e.extn_id) {
            return Err(TrustError::UnknownCriticalExtension {
                subject: cert.subject(),
                oid: e.extn_id,
            });
        }
    }
    // RFC 5280 §4.2.1.1, §4.2.1.2: AKI and SKI MUST be non-critical.
    if let Some(e) = exts.into_iter().flatten().find(|e| {
        e.critical
            && (e.extn_id == oid::CE_AUTHORITY_KEY_IDENTIFIER
                || e.extn_id == oid::CE_SUBJECT_KEY_IDENTIFIER)
    }) {
        return Err(TrustError::Malformed {
            subject: cert.subject(),
            reason: format!("extension {} must not be critical", e.extn_id),
        });
    }
    // RFC 5280 §4.2: a certificate must not include an extension more than once.
    let mut ids: Vec<_> = exts.into_iter().flatten().map(|e| e.extn_id).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    if ids.len() != total {
        return Err(TrustError::Malformed {
            subject: cert.subject(),
            reason: "duplicate extension".into(),
        });
    }
    Ok(())
}

/// The checks on the certificate being evaluated that do not depend on its issuer
/// (done first, so that "expired" is reported even when no issuer is found).
pub(super) fn check_leaf(
    cert: &Certificate,
    policy: &Policy,
    use_: &Use,
    warnings: &mut Vec<TrustWarning>,
) -> Result<(), TrustError> {
    check_validity(cert, use_.time)?;
    check_critical_extensions(cert)?;
    let subject = || cert.subject();
    // RFC 5280 §4.2.1.10: nameConstraints only in CA certificates.
    let is_ca = cert.basic_constraints().is_some_and(|b| b.ca);
    if !is_ca
        && cert
            .x509()
            .tbs_certificate()
            .get_extension::<NameConstraints>()
            .ok()
            .flatten()
            .is_some()
    {
        return Err(TrustError::Malformed {
            subject: subject(),
            reason: "nameConstraints in an end-entity certificate".into(),
        });
    }
    // RFC 8550 §3, RFC 5280 §4.1.2.6: an empty subject needs a critical SAN.
    if cert.subject_name().is_empty() {
        let san_critical = cert
            .x509()
            .tbs_certificate()
            .extensions()
            .into_iter()
            .flatten()
            .any(|e| e.extn_id == oid::CE_SUBJECT_ALT_NAME && e.critical);
        if !san_critical {
            return Err(TrustError::Malformed {
                subject: subject(),
                reason: "empty subject without a critical subjectAltName".into(),
            });
        }
    }
    // Key algorithm, key usage and EKU for the use (RFC 8550 §4.4.2, §4.4.4).
    if let Some(problem) = usage::problem_for(cert, use_.purpose, policy.extended_key_usage) {
        return Err(problem);
    }
    let ku = cert.key_usage();
    let alg = cert.key_algorithm();
    // RFC 5280 §4.2.1.3: keyCertSign only with cA.
    if !is_ca && ku.is_some_and(|k| k.key_cert_sign()) {
        return Err(TrustError::Malformed {
            subject: subject(),
            reason: "keyCertSign in a certificate that is not a CA".into(),
        });
    }
    // RFC 8551 §2.2, §4.3: the leaf's own key: curves we verify, DSA only for old mail.
    match alg {
        KeyAlgorithm::EcOther { curve } => {
            return Err(TrustError::UnsupportedAlgorithm {
                subject: subject(),
                oid: *curve,
            });
        }
        KeyAlgorithm::Dsa if !policy.historic_algorithms => {
            return Err(TrustError::WeakAlgorithm {
                subject: subject(),
                algorithm: "DSA",
            });
        }
        _ => {}
    }
    // RFC 8551 §4.3 / RFC 8550 §4.3: the leaf's own key size.
    if let KeyAlgorithm::Rsa { bits } | KeyAlgorithm::RsaPss { bits } = alg {
        let bits = *bits;
        if bits > verify_signature::MAX_RSA_BITS {
            return Err(TrustError::KeyTooLarge {
                subject: subject(),
                maximum: verify_signature::MAX_RSA_BITS,
            });
        }
        if bits < policy.rsa_floor() {
            return Err(TrustError::WeakKey {
                subject: subject(),
                bits,
                minimum: policy.min_rsa_bits,
            });
        }
        if bits < policy.min_rsa_bits {
            warnings.push(TrustWarning::WeakKey {
                subject: subject(),
                bits,
            });
        }
    }
    Ok(())
}
