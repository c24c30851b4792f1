//! KeyAgreeRecipientInfo decoding and unwrap (RFC 5652 §6.2.2, RFC 5753, RFC 8418)
//! through `cms::decrypt` with EC identities: a P-256 key (Bouncy Castle's test key),
//! an X25519 key (RFC 9216's Dana) and the sample P-256 identity Dave. Seeds:
//! envelopes to them (`seed.sh`).
#![no_main]
#[allow(dead_code)]
#[path = "../../examples/sample/mod.rs"]
mod sample;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn identities() -> &'static [smime::Identity; 3] {
    static IDS: OnceLock<[smime::Identity; 3]> = OnceLock::new();
    IDS.get_or_init(|| {
        let id = |cert: &[u8], key: &[u8]| {
            smime::Identity::from_pem(cert, key, None).expect("fuzz identity")
        };
        [
            id(
                include_bytes!("../../../shared/testdata/bouncycastle/cms/ecdh/ecc.crt"),
                include_bytes!("../../../shared/testdata/bouncycastle/cms/ecdh/ecc.key"),
            ),
            id(
                include_bytes!("../../../shared/testdata/rfc9216/certs-and-keys/lamps-dana.encrypt.crt"),
                include_bytes!("../../../shared/testdata/rfc9216/certs-and-keys/lamps-dana.decrypt.p8.pem"),
            ),
            sample::dave().expect("sample identity"),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    for id in identities() {
        let _ = smime::cms::decrypt(data, id);
    }
});
