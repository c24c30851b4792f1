//! Base64 transfer coding throughput on 64 MiB: our streaming line writer (base64-simd)
//! against the `base64` crate line by line, and our reader against the `base64` crate's
//! one-shot decode (what we would use without streaming).

use std::hint::black_box;
use std::io::{BufReader, Read, Write};

use base64::Engine;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smime::mime::{Base64LineWriter, Base64Reader};

fn base64(c: &mut Criterion) {
    let data: Vec<u8> = (0..64u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut w = Base64LineWriter::new(Vec::with_capacity(90 << 20));
    w.write_all(&data).expect("encode");
    let encoded = w.finish().expect("encode");
    let mut group = c.benchmark_group("base64/64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("line-writer", |b| {
        b.iter(|| {
            let mut w = Base64LineWriter::new(Vec::with_capacity(90 << 20));
            w.write_all(&data).expect("encode");
            black_box(w.finish().expect("encode"))
        })
    });
    // What the line writer did before base64-simd: the `base64` crate, one line at a time.
    group.bench_function("base64-crate-lines", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(90 << 20);
            let mut line = [0u8; 76];
            for chunk in data.chunks(57) {
                let n = base64::engine::general_purpose::STANDARD
                    .encode_slice(chunk, &mut line)
                    .expect("encode");
                out.extend_from_slice(&line[..n]);
                out.extend_from_slice(b"\r\n");
            }
            black_box(out)
        })
    });
    group.bench_function("streaming-reader", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(data.len());
            Base64Reader::new(BufReader::new(encoded.as_slice()))
                .read_to_end(&mut out)
                .expect("decode");
            black_box(out)
        })
    });
    group.bench_function("base64-crate-one-shot", |b| {
        b.iter(|| {
            let joined: Vec<u8> = encoded
                .iter()
                .copied()
                .filter(|&b| b != b'\r' && b != b'\n')
                .collect();
            black_box(
                base64::engine::general_purpose::STANDARD
                    .decode(&joined)
                    .expect("decode"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, base64);
criterion_main!(benches);
