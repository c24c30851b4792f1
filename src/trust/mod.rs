//! Trust evaluation: does a certificate chain to something the user trusts, for email,
//! at a given time? RFC 5280 path validation in the manner of rustls-webpki, with what
//! S/MIME adds: rfc822Name constraints, EKU emailProtection, CRLs, certificate policies
//! and the user's own "Trust" decisions (RFC 8550, REQUIREMENTS.md §1 B–D, §3).
//!
//! * [`TrustStore`] holds anchors, intermediates, CRLs and a [`UserTrustSource`].
//! * [`Policy`] holds the account's rules: algorithms, key sizes, revocation, the
//!   RFC 5280 §6.1 policy inputs. Built once.
//! * [`Use`] is one use of a certificate: the [`Purpose`], the [`Party`] (recipient or
//!   From address) and the reference time — arguments of every call.
//! * [`TrustStore::evaluate`] is the one judge of whether a certificate may be used:
//!   it returns a [`VerifiedPath`] — a proof type only this module makes, recording the
//!   use it was judged for — or the most specific [`TrustError`]. Key usage, extended
//!   key usage and the address rule are written down once, in `usage.rs`.
//!
//! Files, one job each: `path.rs` (building and §6.1 validation), `single.rs` (one certificate on its own), `verify_signature.rs`,
//! `usage.rs` (key usage, EKU, address), `name_constraints.rs`, `names.rs` (DN comparison), `policies.rs` (RFC 9618 policy
//! graph), `crl.rs` and `revocation.rs`, `user_trust.rs`, `budget.rs`, `error.rs`.

mod budget;
mod crl;
mod error;
mod name_constraints;
mod names;
mod path;
mod policies;
mod policy;
mod revocation;
mod single;
mod store;
mod usage;
mod user_trust;
mod verified;
pub(crate) mod verify_signature;

pub use crl::{Crl, CrlFetcher};
pub use error::{RevocationReason, TrustError};
pub use path::MAX_INTERMEDIATES;
pub use policy::{DEFAULT_MIN_RSA_BITS, Policy, Purpose, RevocationCheck};
pub use store::TrustStore;
pub use usage::{Party, Use};
pub(crate) use usage::{check_party, check_without_path, problem_for};
pub use user_trust::{MemoryUserTrust, UserTrust, UserTrustSource, spki_sha256};
pub use verified::{TrustAnchor, TrustWarning, VerifiedPath};
pub use verify_signature::MAX_RSA_BITS;
