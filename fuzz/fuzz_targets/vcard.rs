//! vCard parsing (RFC 6350 KEY, RFC 2426 base64 KEY/PHOTO folding) through
//! `Contacts::from_vcf`, then a lookup of every address the cards give.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smime::directory::{CertificateDirectory, Contacts};

fuzz_target!(|data: &[u8]| {
    let contacts = Contacts::from_vcf("fuzz.vcf", data);
    let _ = contacts.skipped().len();
    let addresses: Vec<smime::EmailAddress> = ["ann@corp.example", "bob@example.org"]
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    let _ = contacts.lookup(&addresses);
});
