//! mail-parser behind a guard: the one way this crate parses a whole MIME tree.
//!
//! mail-parser 0.11 (1.x needs a newer rustc) panics on some hostile multiparts
//! ("Invalid part ID, could not find multipart", found by the `mime_unwrap` fuzzer,
//! fuzz/regressions/mime_unwrap/). A message a mail app previews must never take it
//! down, so the parse runs under `catch_unwind` and a panic reads as "not MIME we
//! can walk". Under `panic = "abort"` the guard cannot help; the fuzz regression test
//! keeps the input that shows it.

use mail_parser::{Message, MessageParser};

/// Parses `raw` as a whole message with its parts, or `None` when mail-parser finds
/// no message or fails on the input.
pub(crate) fn parse_message(raw: &[u8]) -> Option<Message<'_>> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw)).ok()?
}
