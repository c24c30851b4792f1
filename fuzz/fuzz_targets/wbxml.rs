//! The ActiveSync WBXML decoder (`directory::activesync::wbxml`): any input gives a
//! tree or a typed error within the limits; a decoded tree re-encodes to a document
//! that decodes to the same tree (round trip, as hickory fuzzes its parsers).
#![no_main]
use libfuzzer_sys::fuzz_target;
use smime::directory::activesync::wbxml;

fuzz_target!(|data: &[u8]| {
    let limits = wbxml::Limits::default();
    if let Ok(tree) = wbxml::decode(data, &limits) {
        let _ = tree.to_xml();
        let again = wbxml::encode(&tree).expect("a decoded tree encodes");
        assert_eq!(wbxml::decode(&again, &limits).as_ref(), Ok(&tree));
    }
});
