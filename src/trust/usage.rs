//! One use of a certificate — purpose, party and time — and the rules that depend only
//! on the certificate and that use: key usage per purpose (RFC 8550 §4.4.2, RFC 5280
//! §4.2.1.3), extended key usage (RFC 8550 §4.4.4) and the address (RFC 8550 §3).
//!
//! These are the only places in the crate where those rules are written down.
//! [`TrustStore::evaluate`](super::TrustStore::evaluate) applies them together with
//! path validation and returns a [`VerifiedPath`](super::VerifiedPath) that records
//! the use it was judged for; layers that hold no trust store (building a CMS
//! structure for a certificate the caller chose) ask [`problem_for`].

use std::time::SystemTime;

use der::asn1::ObjectIdentifier;

use super::error::TrustError;
use super::policy::Purpose;
use crate::address::EmailAddress;
use crate::cert::{Certificate, KeyAlgorithm};
use crate::oid;

/// Whom a certificate is being used for: the address side of one judgement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Party {
    /// This address: the recipient, or the message's single From address. A
    /// certificate that names addresses must name this one (RFC 8550 §3); a user's
    /// trust decision applies only when it names it.
    Address(EmailAddress),
    /// The message names no single sender (no From field, several, or a group): a
    /// certificate that names addresses names nobody here (REQUIREMENTS.md §2 row 14).
    NoSingleAddress,
    /// No address is in question (a CA, a bare CMS object, a certificate examined on
    /// its own): the address rule is not applied.
    Unchecked,
}

/// One use of a certificate: the per-call inputs of a judgement, apart from the
/// account's rules ([`Policy`](super::Policy)).
///
/// ```
/// use smime::trust::{Party, Purpose, Use};
/// let now = std::time::SystemTime::now();
/// let to_ann = Use::encrypt_to("ann@corp.example".parse()?, now);
/// assert_eq!(to_ann.purpose, Purpose::Encrypt);
/// assert_eq!(Use::at(Purpose::Verify, now).party, Party::Unchecked);
/// # Ok::<(), smime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Use {
    /// What the certificate's key is about to do.
    pub purpose: Purpose,
    /// For whom.
    pub party: Party,
    /// The reference time for validity and CRL freshness: the caller's clock, never a
    /// time the sender chose (RFC 8550 §6).
    pub time: SystemTime,
}

impl Use {
    /// `purpose` at `time`, with no address in question.
    pub fn at(purpose: Purpose, time: SystemTime) -> Self {
        Use {
            purpose,
            party: Party::Unchecked,
            time,
        }
    }

    /// Encrypting to `recipient` at `time`.
    pub fn encrypt_to(recipient: EmailAddress, time: SystemTime) -> Self {
        Use {
            purpose: Purpose::Encrypt,
            party: Party::Address(recipient),
            time,
        }
    }

    /// Verifying a signature on a message from `from` (the single From address, or
    /// `None` when the message names no single sender) at `time`.
    pub fn verify_from(from: Option<EmailAddress>, time: SystemTime) -> Self {
        Use {
            purpose: Purpose::Verify,
            party: from.map_or(Party::NoSingleAddress, Party::Address),
            time,
        }
    }

    /// The address in question, when there is one.
    pub fn address(&self) -> Option<&EmailAddress> {
        match &self.party {
            Party::Address(a) => Some(a),
            _ => None,
        }
    }
}

/// The key usage `cert` needs for `purpose` when its keyUsage extension does not
/// allow it (RFC 8550 §4.4.2, RFC 5280 §4.2.1.3; REQUIREMENTS.md §1 #8, #9), named for
/// the person reading the error; `None` when allowed. An absent extension allows
/// everything.
fn key_usage_missing(cert: &Certificate, purpose: Purpose) -> Option<&'static str> {
    let ku = cert.key_usage()?;
    match purpose {
        Purpose::Verify => (!(ku.digital_signature() || ku.non_repudiation()))
            .then_some("digitalSignature or nonRepudiation"),
        Purpose::Encrypt => match cert.key_algorithm() {
            // Key transport: the content-encryption key is enciphered to the key.
            KeyAlgorithm::Rsa { .. } => {
                (!ku.key_encipherment()).then_some("keyEncipherment, which RSA key transport needs")
            }
            // Key agreement: keyAgreement, and not encipherOnly, which limits the
            // subject's key to enciphering while the recipient must decipher
            // (decipherOnly is exactly the recipient's side; both bits together are
            // undefined and fail closed).
            KeyAlgorithm::EcP256
            | KeyAlgorithm::EcP384
            | KeyAlgorithm::EcP521
            | KeyAlgorithm::X25519
            | KeyAlgorithm::X448 => (!ku.key_agreement() || ku.encipher_only())
                .then_some("keyAgreement without encipherOnly, which ECDH needs"),
            // No other key can receive a content-encryption key (algorithm_allows).
            _ => Some("a key that can receive a content-encryption key"),
        },
    }
}

/// Whether `cert`'s key algorithm can be used for `purpose` at all (a signing-only
/// key such as Ed25519 cannot receive encrypted mail). For verification the
/// signature check itself decides.
fn algorithm_allows(cert: &Certificate, purpose: Purpose) -> bool {
    match purpose {
        Purpose::Verify => true,
        Purpose::Encrypt => matches!(
            cert.key_algorithm(),
            KeyAlgorithm::Rsa { .. }
                | KeyAlgorithm::EcP256
                | KeyAlgorithm::EcP384
                | KeyAlgorithm::EcP521
                | KeyAlgorithm::X25519
                | KeyAlgorithm::X448
        ),
    }
}

/// Why `cert` itself cannot be used for `purpose` with extended key usage `eku`
/// (key algorithm, keyUsage, extendedKeyUsage), or `None`. Path, time and address are
/// not looked at: this is the part of the judgement that needs no trust store.
pub(crate) fn problem_for(
    cert: &Certificate,
    purpose: Purpose,
    eku: ObjectIdentifier,
) -> Option<TrustError> {
    if !algorithm_allows(cert, purpose) {
        return Some(TrustError::KeyAlgorithm {
            subject: cert.subject(),
            purpose,
        });
    }
    if let Some(required) = key_usage_missing(cert, purpose) {
        return Some(TrustError::KeyUsage {
            subject: cert.subject(),
            purpose,
            required,
        });
    }
    if !eku_allows(cert, eku) {
        return Some(TrustError::ExtendedKeyUsage {
            subject: cert.subject(),
            required: eku,
        });
    }
    None
}

/// RFC 8550 §4.4.4, RFC 5280 §4.2.1.12: the extendedKeyUsage extension is absent, or
/// lists `eku` or anyExtendedKeyUsage. The same rule binds CAs along the path
/// (REQUIREMENTS.md §1 #11).
pub(super) fn eku_allows(cert: &Certificate, eku: ObjectIdentifier) -> bool {
    cert.extended_key_usage().is_none_or(|ekus| {
        ekus.iter()
            .any(|o| *o == eku || *o == oid::ANY_EXTENDED_KEY_USAGE)
    })
}

/// The part of the judgement that needs no path: [`problem_for`] and the address
/// rule, for `use_` (its time is not looked at). For layers that act on a certificate
/// already judged as a whole (keeping a verified signer's certificate for encryption).
pub(crate) fn check_without_path(
    cert: &Certificate,
    use_: &Use,
    eku: ObjectIdentifier,
) -> Result<(), TrustError> {
    if let Some(problem) = problem_for(cert, use_.purpose, eku) {
        return Err(problem);
    }
    check_party(cert, &use_.party)
}

/// RFC 8550 §3: whenever the certificate contains addresses, one of them must be the
/// party's; a certificate that names none is bound some other way (an address book,
/// the user's Trust) and passes.
pub(crate) fn check_party(cert: &Certificate, party: &Party) -> Result<(), TrustError> {
    let named = cert.email_addresses();
    if named.is_empty() {
        return Ok(());
    }
    let ok = match party {
        Party::Unchecked => true,
        Party::Address(a) => cert.names_address(a),
        Party::NoSingleAddress => false,
    };
    if ok {
        return Ok(());
    }
    Err(TrustError::AddressMismatch {
        address: match party {
            Party::Address(a) => Some(a.clone()),
            _ => None,
        },
        certificate_addresses: named.to_vec(),
    })
}
