//! `reader::open` on arbitrary bytes: MIME layering, multipart/signed splitting,
//! SignedData parsing and verification, nested layers, with the sample identity.
#![no_main]
mod reader_setup;

use libfuzzer_sys::fuzz_target;
use reader_setup::{at, policy, setup};

fuzz_target!(|data: &[u8]| {
    let (bob, trust) = setup();
    let at = at();
    let _ = smime::reader::open(data, &[bob], trust, &policy(), at);
});
