//! `reader::open` on arbitrary bytes: MIME layering, multipart/signed splitting,
//! SignedData parsing and verification, nested layers, with the sample identity.
#![no_main]
#[allow(dead_code)]
#[path = "../../examples/sample/mod.rs"]
mod sample;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use smime::trust::{Policy, TrustStore};

fn setup() -> &'static (smime::Identity, TrustStore) {
    static S: OnceLock<(smime::Identity, TrustStore)> = OnceLock::new();
    S.get_or_init(|| {
        let mut trust = TrustStore::new();
        trust.add_anchor(sample::ca().expect("sample CA"));
        (sample::bob().expect("sample identity"), trust)
    })
}

fuzz_target!(|data: &[u8]| {
    let (bob, trust) = setup();
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let _ = smime::reader::open(data, &[bob], trust, &Policy::email(), at);
});
