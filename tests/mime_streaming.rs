//! The streaming MIME adapters against the `base64` crate and against each other,
//! on inputs large enough to cross every internal buffer many times.

use std::io::{self, BufReader, Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use smime::mime::{Base64LineWriter, Base64Reader, CrlfWriter, to_crlf};

fn lcg_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

/// A writer that accepts at most `max` bytes per call, like a socket under pressure.
struct Trickle<W: Write> {
    inner: W,
    max: usize,
}

impl<W: Write> Write for Trickle<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(self.max);
        self.inner.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn encode_then_decode_round_trips_through_small_writes_and_reads() {
    for len in [0usize, 1, 56, 57, 58, 4096, 65_537, 1_000_003] {
        let data = lcg_bytes(len, len as u64);
        let mut w = Base64LineWriter::new(Trickle {
            inner: Vec::new(),
            max: 13,
        });
        for chunk in data.chunks(1000) {
            w.write_all(chunk).unwrap();
        }
        let encoded = w.finish().unwrap().inner;
        assert_eq!(
            encoded
                .iter()
                .filter(|&&b| b != b'\r' && b != b'\n')
                .copied()
                .collect::<Vec<_>>(),
            STANDARD.encode(&data).into_bytes()
        );
        let mut decoded = Vec::new();
        Base64Reader::new(BufReader::with_capacity(333, encoded.as_slice()))
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, data, "len {len}");
    }
}

#[test]
fn crlf_writer_equals_to_crlf_on_mail_like_text() {
    let text: Vec<u8> = lcg_bytes(300_000, 5)
        .into_iter()
        .map(|b| match b % 40 {
            0 => b'\n',
            1 => b'\r',
            _ => b'a' + b % 26,
        })
        .collect();
    let mut w = CrlfWriter::new(Trickle {
        inner: Vec::new(),
        max: 7,
    });
    for chunk in text.chunks(4093) {
        w.write_all(chunk).unwrap();
    }
    assert_eq!(w.finish().unwrap().inner, to_crlf(&text));
}
