//! Encrypt and decrypt throughput: 1 KiB, 1 MiB and 64 MiB messages, AES-128-CBC and
//! AES-256-GCM, one RSA-2048 recipient (the sample identity). Fixed inputs; the
//! numbers are for comparing revisions and against `openssl cms`, never asserted.

#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smime::cms::{self, ContentCipher, Envelope, EnvelopeOptions};

fn sizes() -> [(usize, &'static str); 3] {
    [(1 << 10, "1KiB"), (1 << 20, "1MiB"), (64 << 20, "64MiB")]
}

fn envelope(c: &mut Criterion) {
    let bob = sample::bob().expect("sample identity");
    let recipients = [bob.certificate().clone()];
    for cipher in [ContentCipher::Aes128Cbc, ContentCipher::Aes256Gcm] {
        let mut group = c.benchmark_group(format!("envelope/{cipher}"));
        group.sample_size(10);
        for (size, label) in sizes() {
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            group.throughput(Throughput::Bytes(size as u64));
            let options = EnvelopeOptions::with_cipher(cipher);
            group.bench_with_input(
                BenchmarkId::new("encrypt", label),
                &content,
                |b, content| {
                    b.iter(|| {
                        let env = Envelope::new(&recipients, options).expect("envelope");
                        let mut out = Vec::with_capacity(content.len() + 1024);
                        env.encrypt_stream(&content[..], Some(content.len() as u64), &mut out)
                            .expect("encrypt");
                        black_box(out)
                    })
                },
            );
            let sealed = cms::encrypt(&content, &recipients, &options).expect("encrypt");
            group.bench_with_input(BenchmarkId::new("decrypt", label), &sealed, |b, sealed| {
                b.iter(|| {
                    let mut out = Vec::with_capacity(sealed.len());
                    cms::decrypt_stream(&sealed[..], &bob, &mut out).expect("decrypt");
                    black_box(out)
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, envelope);
criterion_main!(benches);
