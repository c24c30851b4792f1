//! Base64 transfer coding throughput on 64 MiB: our streaming line writer and reader
//! against the `base64` crate's one-shot decode (what we would use without streaming).

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
