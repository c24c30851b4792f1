//! `reader::open_stream` fed in short reads against `reader::open` on the same bytes:
//! the verdicts, content and error must not depend on how the input arrives (the
//! streaming reader's line skipper, base64 runs and header reads cross read
//! boundaries anywhere). The first input byte sets the read sizes.
#![no_main]
mod reader_setup;

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use reader_setup::{at, policy, setup};

/// Hands out the input in reads of 1 to 32 bytes, sizes cycling through a pattern
/// the fuzzer picks.
struct Pieces<'a> {
    data: &'a [u8],
    pattern: u8,
    turn: u32,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.turn = self.turn.wrapping_add(1);
        let step = 1 + (u32::from(self.pattern).wrapping_mul(self.turn) % 32) as usize;
        let n = step.min(buf.len()).min(self.data.len());
        let (now, rest) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = rest;
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pattern, raw)) = data.split_first() else {
        return;
    };
    let (bob, trust) = setup();
    let at = at();
    let policy = policy();
    let whole = smime::reader::open(raw, &[bob], trust, &policy, at);
    let pieces = Pieces {
        data: raw,
        pattern,
        turn: 0,
    };
    let streamed = smime::reader::open_stream(pieces, &[bob], trust, &policy, at)
        .and_then(|opened| opened.into_in_memory());
    match (whole, streamed) {
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("open: {a:?}\nopen_stream in pieces: {b:?}"),
    }
});
