//! SignedData decoding and verification: opaque (eContent streamed) and detached
//! over a fixed content, plus the certificate extraction used by certs-only.
#![no_main]
#[allow(dead_code)]
#[path = "../../examples/sample/mod.rs"]
mod sample;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use smime::trust::{Policy, Purpose, TrustStore, Use};

fn trust() -> &'static TrustStore {
    static S: OnceLock<TrustStore> = OnceLock::new();
    S.get_or_init(|| {
        let mut t = TrustStore::new();
        t.add_anchor(sample::ca().expect("sample CA"));
        t
    })
}

fuzz_target!(|data: &[u8]| {
    let policy = Policy::email();
    let use_ = Use::at(Purpose::Verify, SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    if let Ok(v) = smime::cms::verify_opaque(data, std::io::sink(), trust(), &policy) {
        let _ = smime::reader::judge_signers(&v, trust(), &policy, &use_);
    }
    if let Ok(v) = smime::cms::verify_detached(data, &b"Content-Type: text/plain\r\n\r\nhello\r\n"[..], trust(), &policy) {
        let _ = smime::reader::judge_signers(&v, trust(), &policy, &use_);
    }
    let _ = smime::cms::certificates_in(data);
});
