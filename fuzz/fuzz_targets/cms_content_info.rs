//! CMS ContentInfo decoding and envelope opening (BER walker, recipient infos,
//! algorithm parameters, content decryption) with the sample identity.
#![no_main]
#[allow(dead_code)]
#[path = "../../examples/sample/mod.rs"]
mod sample;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn bob() -> &'static smime::Identity {
    static BOB: OnceLock<smime::Identity> = OnceLock::new();
    BOB.get_or_init(|| sample::bob().expect("sample identity"))
}

fuzz_target!(|data: &[u8]| {
    let _ = smime::cms::decrypt(data, bob());
});
