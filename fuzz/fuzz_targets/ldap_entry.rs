//! One LDAP SearchResultEntry (RFC 4511 §4.5.2) as a GAL server could send it:
//! ldap3's BER reader, our entry reader with its limits, the mail attributes and the
//! certificates (DER and PKCS#7 certs-only) offered for each address.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = smime::directory::fuzz_search_entry(data);
});
