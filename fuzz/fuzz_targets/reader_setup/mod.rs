//! What the reader targets open messages with: Bob's sample identity, a trust store of
//! the sample CA, the e-mail policy and a fixed time (the sample certificates' validity).

#[allow(dead_code)]
#[path = "../../../examples/sample/mod.rs"]
mod sample;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use smime::trust::{Policy, TrustStore};

/// Made once per process: loading the identity is slower than most inputs.
pub fn setup() -> &'static (smime::Identity, TrustStore) {
    static S: OnceLock<(smime::Identity, TrustStore)> = OnceLock::new();
    S.get_or_init(|| {
        let mut trust = TrustStore::new();
        trust.add_anchor(sample::ca().expect("sample CA"));
        (sample::bob().expect("sample identity"), trust)
    })
}

/// The time every target opens at.
pub fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// The policy every target opens with.
pub fn policy() -> Policy {
    Policy::email()
}
