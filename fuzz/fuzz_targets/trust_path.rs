//! Path building over a bag of arbitrary certificates: the input is split into
//! DER/PEM certificates; the first is evaluated with the rest as untrusted
//! intermediates, against the sample CA and, separately, against the second one
//! as an anchor (so chains that do link are explored too).
#![no_main]
#[allow(dead_code)]
#[path = "../../examples/sample/mod.rs"]
mod sample;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use smime::Certificate;
use smime::trust::{Policy, Purpose, TrustStore, Use};

fuzz_target!(|data: &[u8]| {
    // Split on a separator so the fuzzer can build several certificates.
    let certs: Vec<Certificate> = data
        .split(|b| *b == 0xff)
        .filter_map(|chunk| Certificate::load(chunk).ok())
        .flatten()
        .take(16)
        .collect();
    let Some((leaf, rest)) = certs.split_first() else {
        return;
    };
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    for purpose in [Purpose::Verify, Purpose::Encrypt] {
        let policy = Policy::email();
        let use_ = Use::at(purpose, time);
        let mut store = TrustStore::new();
        if let Ok(ca) = sample::ca() {
            store.add_anchor(ca);
        }
        let _ = store.evaluate(leaf, &policy, &use_, rest);
        if let Some(anchor) = rest.first() {
            let mut store = TrustStore::new();
            store.add_anchor(anchor.clone());
            let _ = store.evaluate(leaf, &policy, &use_, rest);
        }
    }
});
