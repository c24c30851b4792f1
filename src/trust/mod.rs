//! Trust evaluation: does a certificate chain to something the user trusts, for email,
//! at a given time? RFC 5280 path validation in the manner of rustls-webpki, with what
//! S/MIME adds: rfc822Name constraints, EKU emailProtection, CRLs, certificate policies
//! and the user's own "Trust" decisions (RFC 8550, REQUIREMENTS.md §1 B–D, §3).
//!
//! * [`TrustStore`] holds anchors, intermediates, CRLs and a [`UserTrustSource`].
//! * [`Policy`] holds the reference time (always an argument), the [`Purpose`], the
//!   algorithm rules and the RFC 5280 §6.1 policy inputs.
//! * [`TrustStore::evaluate`] returns a [`VerifiedPath`] — a proof type only this
//!   module makes — or the most specific [`TrustError`].
//!
//! Files, one job each: `path.rs` (building and §6.1 validation), `verify_signature.rs`,
//! `name_constraints.rs`, `names.rs` (DN comparison), `policies.rs` (RFC 9618 policy
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
mod store;
mod user_trust;
mod verified;
pub(crate) mod verify_signature;

pub use crl::Crl;
pub use error::{RevocationReason, TrustError};
pub use path::MAX_INTERMEDIATES;
pub use policy::{DEFAULT_MIN_RSA_BITS, Policy, Purpose, RevocationCheck};
pub use store::{CrlFetcher, TrustStore};
pub use user_trust::{MemoryUserTrust, UserTrust, UserTrustSource, spki_sha256};
pub use verified::{TrustAnchor, TrustWarning, VerifiedPath};
pub use verify_signature::MAX_RSA_BITS;
