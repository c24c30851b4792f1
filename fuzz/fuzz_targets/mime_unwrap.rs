//! Finding the S/MIME part of a message: header parsing, multipart search, transfer
//! decoding, and the streaming root path.
#![no_main]
use std::io::Read;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = smime::mime::find_enveloped(data);
    if let Ok(smime::mime::RootStream::Smime(mut part)) = smime::mime::open_root_stream(data) {
        let mut sink = Vec::new();
        let _ = part.by_ref().take(1 << 20).read_to_end(&mut sink);
    }
});
