//! Certificate parsing (DER and PEM) and every accessor on what parses.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(certs) = smime::Certificate::load(data) {
        for c in certs {
            let _ = (c.subject(), c.issuer(), c.serial_hex(), c.email_addresses());
            let _ = (c.key_usage(), c.extended_key_usage(), c.basic_constraints());
            let _ = (c.subject_key_identifier(), c.authority_key_identifier(), c.fingerprint_hex());
            let _ = (c.key_algorithm().bits(), c.not_before(), c.not_after(), c.to_pem());
        }
    }
});
