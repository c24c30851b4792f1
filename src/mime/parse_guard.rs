//! mail-parser behind a guard: the one way this crate parses a whole MIME tree.
//!
//! mail-parser 0.11 (1.x needs a newer rustc) has a `debug_assert!` that hostile
//! multiparts reach ("Invalid part ID, could not find multipart", found by the
//! `mime_unwrap` fuzzer, fuzz/regressions/mime_unwrap/): a panic in any build with
//! debug assertions, such as an app's debug build. Our own profiles turn them off for
//! mail-parser (Cargo.toml, fuzz/Cargo.toml); for everyone else the parse runs under
//! `catch_unwind`, and a panic reads as "not MIME we can walk" (under
//! `panic = "abort"` the guard cannot help; release builds never assert).

use mail_parser::{Message, MessageParser};

/// Parses `raw` as a whole message with its parts, or `None` when mail-parser finds
/// no message or fails on the input.
pub(crate) fn parse_message(raw: &[u8]) -> Option<Message<'_>> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw)).ok()?
}
