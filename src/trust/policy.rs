//! [`Policy`]: the account's rules for trust evaluation — algorithm and key-size rules,
//! revocation, the RFC 5280 §6.1 policy inputs. Built once per account; what changes
//! per call (purpose, address, time) is a [`Use`](super::Use).
//!
//! In the manner of sequoia's `StandardPolicy`, the defaults reject: SHA-1 and MD5
//! signatures and RSA keys under 2048 bits fail unless the caller opts into
//! [`Policy::historic`] (reading old mail), which accepts them with a
//! [`TrustWarning`](super::TrustWarning). The reference time is always an argument of
//! the call (in the [`Use`](super::Use)): a sender-chosen signing time must not choose
//! it (RFC 8550 §6).

use der::asn1::ObjectIdentifier;

use crate::oid;

/// RFC 8551 §4.3 / RFC 8550 §4.3: RSA keys of 2047 bits or fewer SHOULD NOT be accepted.
pub const DEFAULT_MIN_RSA_BITS: usize = 2048;

/// What the certificate is about to be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// Verifying a signature made with the certificate's key (keyUsage
    /// digitalSignature or nonRepudiation, RFC 8550 §4.4.2).
    Verify,
    /// Encrypting to the certificate's key (keyEncipherment for RSA, keyAgreement for
    /// ECDH, RFC 8550 §4.4.2, RFC 5280 §4.2.1.3).
    Encrypt,
}

/// How revocation is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationCheck {
    /// Check every certificate on the path against the available CRLs; a certificate
    /// for whose issuer no CRL is at hand is accepted with
    /// [`TrustWarning::RevocationUnknown`]. A CRL from that issuer that is at hand but
    /// unusable (bad signature, wrong scope, stale, unknown critical extension) fails
    /// the path: broken revocation data is not the same as none.
    ///
    /// [`TrustWarning::RevocationUnknown`]: super::TrustWarning::RevocationUnknown
    BestEffort,
    /// Every certificate on the path must be covered by a current CRL
    /// ([`TrustError::RevocationUnknown`](super::TrustError::RevocationUnknown) otherwise).
    Required,
}

/// The account's trust rules.
///
/// Fields are public and documented; start from [`Policy::email`] and change what you
/// need, once per account:
///
/// ```
/// use smime::trust::Policy;
/// let mut policy = Policy::email();
/// policy.explicit_policy = true;
/// assert_eq!(policy.min_rsa_bits, 2048);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Policy {
    /// The extendedKeyUsage purpose the leaf (and every CA with an EKU) must allow;
    /// id-kp-emailProtection for S/MIME (RFC 8550 §4.4.4).
    pub extended_key_usage: ObjectIdentifier,
    /// Smallest acceptable RSA modulus, in bits.
    pub min_rsa_bits: usize,
    /// Accept SHA-1 signatures and RSA keys below `min_rsa_bits` (down to 512),
    /// with a warning: for reading old mail only (RFC 8551 §6, RFC 8550 §6).
    pub historic_algorithms: bool,
    /// Refuse a SignerInfo without signedAttrs (true, what S/MIME requires: RFC 8551
    /// §2.5 and the EUF-CMA problem, REQUIREMENTS.md §1 #34). False checks generic CMS
    /// objects as RFC 5652 §5.4 allows: a signature over id-data content itself (held in
    /// memory, up to 16 MiB), unless that content is shaped like signed attributes.
    pub require_signed_attributes: bool,
    /// Refuse a CA certificate (or anchor) whose nameConstraints extension is not
    /// critical, as the strict RFC 5280 profile has it (§4.2.1.10). Off by default:
    /// the CA/B Forum S/MIME Baseline Requirements allow non-critical name constraints
    /// on sub-CAs, and they are enforced either way (REQUIREMENTS.md §1 #18).
    pub require_critical_name_constraints: bool,
    /// RFC 5280 §6.1.1(c) user-initial-policy-set; empty means {anyPolicy}.
    pub initial_policy_set: Vec<ObjectIdentifier>,
    /// RFC 5280 §6.1.1(f) initial-explicit-policy.
    pub explicit_policy: bool,
    /// RFC 5280 §6.1.1(e) initial-policy-mapping-inhibit.
    pub inhibit_policy_mapping: bool,
    /// RFC 5280 §6.1.1(g) initial-any-policy-inhibit.
    pub inhibit_any_policy: bool,
    /// Revocation checking.
    pub revocation: RevocationCheck,
}

impl Default for Policy {
    /// [`Policy::email`].
    fn default() -> Self {
        Policy::email()
    }
}

impl Policy {
    /// The usual settings for S/MIME: initial-policy-set {anyPolicy}, no
    /// explicit policy, mappings and anyPolicy allowed (RFC 5280 §6.1.1 defaults as
    /// REQUIREMENTS.md §1 #22 gives them), EKU emailProtection, RSA ≥ 2048, no SHA-1,
    /// CRLs checked where available.
    pub fn email() -> Self {
        Policy {
            extended_key_usage: oid::KP_EMAIL_PROTECTION,
            min_rsa_bits: DEFAULT_MIN_RSA_BITS,
            historic_algorithms: false,
            require_signed_attributes: true,
            require_critical_name_constraints: false,
            initial_policy_set: Vec::new(),
            explicit_policy: false,
            inhibit_policy_mapping: false,
            inhibit_any_policy: false,
            revocation: RevocationCheck::BestEffort,
        }
    }

    /// Like [`Policy::email`] but accepting historic algorithms (SHA-1, RSA ≥ 512)
    /// with a warning, for reading old mail.
    pub fn historic() -> Self {
        Policy {
            historic_algorithms: true,
            ..Policy::email()
        }
    }

    /// The RSA floor actually enforced: the policy minimum, or 512 in historic mode.
    pub(crate) fn rsa_floor(&self) -> usize {
        if self.historic_algorithms {
            self.min_rsa_bits.min(HISTORIC_MIN_RSA_BITS)
        } else {
            self.min_rsa_bits
        }
    }
}

/// The floor in historic mode: REQUIREMENTS.md §2 row 25 has old mail with RSA below
/// 2048 bits read with a mandatory warning, and 512 bits is the smallest key S/MIME
/// ever used (Bouncy Castle's SignedMailValidator set of 2006 signs with one and calls
/// it valid with a warning). Below 512 no mail client ever signed.
const HISTORIC_MIN_RSA_BITS: usize = 512;
