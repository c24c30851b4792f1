//! Every input the fuzzers found a crash with (fuzz/regressions/<target>/), fed to the
//! same entry point as the target; each must give a result or a typed error, never a
//! panic. `scripts/fuzz.sh` replays the same files under libFuzzer.

use std::io::Read;

/// `mime_unwrap`, issue 15 campaign: a multipart whose part IDs mail-parser 0.11.9
/// cannot resolve; `MessageParser::parse` panics "Invalid part ID, could not find
/// multipart" (mail-parser src/parsers/message.rs:485), reached through
/// `find_enveloped`'s multipart search.
#[test]
fn mime_unwrap_mail_parser_invalid_part_id() {
    let data = include_bytes!("../fuzz/regressions/mime_unwrap/mail-parser-invalid-part-id");
    let _ = smime::mime::find_enveloped(data);
    if let Ok(smime::mime::RootStream::Smime(mut part)) = smime::mime::open_root_stream(&data[..]) {
        let mut sink = Vec::new();
        let _ = part.by_ref().take(1 << 20).read_to_end(&mut sink);
    }
}
