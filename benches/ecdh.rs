//! ECDH throughput: encrypt and decrypt 1 KiB and 64 MiB to one P-256 recipient
//! (Bouncy Castle's test key) and one X25519 recipient (RFC 9216's Dana), and encrypt
//! 64 KiB to 100 mixed recipients (RSA, P-256, X25519 in turn). Fixed inputs; the
//! numbers are for comparing revisions, never asserted.

#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smime::cms::{self, ContentCipher, Envelope, EnvelopeOptions};
use smime::{Certificate, Identity};

const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/");

fn identity(cert: &str, key: &str) -> Identity {
    let read = |p: &str| std::fs::read(format!("{TESTDATA}{p}")).expect("test data");
    Identity::from_pem(&read(cert), &read(key), None).expect("identity")
}

fn ecdh(c: &mut Criterion) {
    let p256 = identity(
        "bouncycastle/cms/ecdh/ecc.crt",
        "bouncycastle/cms/ecdh/ecc.key",
    );
    let x25519 = identity(
        "rfc9216/certs-and-keys/lamps-dana.encrypt.crt",
        "rfc9216/certs-and-keys/lamps-dana.decrypt.p8.pem",
    );
    let options = EnvelopeOptions::with_cipher(ContentCipher::Aes256Gcm);
    for (name, who) in [("P-256", &p256), ("X25519", &x25519)] {
        let recipients = [who.certificate().clone()];
        let mut group = c.benchmark_group(format!("ecdh/{name}"));
        group.sample_size(10);
        for (size, label) in [(1usize << 10, "1KiB"), (64 << 20, "64MiB")] {
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            group.throughput(Throughput::Bytes(size as u64));
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
                    cms::decrypt_stream(&sealed[..], who, &mut out).expect("decrypt");
                    black_box(out)
                })
            });
        }
        group.finish();
    }

    let rsa = sample::bob().expect("sample identity");
    let kinds: [Certificate; 3] = [
        rsa.certificate().clone(),
        p256.certificate().clone(),
        x25519.certificate().clone(),
    ];
    let hundred: Vec<Certificate> = (0..100).map(|i| kinds[i % 3].clone()).collect();
    let content: Vec<u8> = (0..64 << 10).map(|i| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("ecdh/100-mixed-recipients");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(content.len() as u64));
    group.bench_function("encrypt/64KiB", |b| {
        b.iter(|| black_box(cms::encrypt(&content, &hundred, &options).expect("encrypt")))
    });
    group.finish();
}

criterion_group!(benches, ecdh);
criterion_main!(benches);
