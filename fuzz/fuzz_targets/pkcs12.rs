//! PKCS#12 parsing, MAC check and decryption with a fixed password.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = smime::Identity::from_pkcs12(data, "sample");
});
