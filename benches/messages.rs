//! Whole messages, in process: encrypt (AES-128-CBC, AES-256-GCM), decrypt, sign
//! (detached), verify (reader::open of the signed message) and sign-then-encrypt, at
//! 1 KiB, 1 MiB and 64 MiB, RSA-2048 sample identities; and encrypting a 64 KiB
//! message to 100 mixed RSA and EC (P-256, X25519) recipients. What `scripts/compare_openssl.sh`
//! measures whole-process, without process start-up and file I/O. Fixed inputs;
//! the numbers are for comparing revisions, never asserted.
//!
//! The 64 MiB cases take a few seconds each; `cargo bench --bench messages -- 1KiB`
//! runs the small ones only.

#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;
use std::io::Cursor;
use std::time::SystemTime;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smime::Certificate;
use smime::cms::{ContentCipher, EnvelopeOptions, SignOptions};
use smime::mime::{self, SignFormat};
use smime::trust::{Policy, TrustStore};

/// A message of `size` bytes: headers and base64-like text lines with CRLF.
fn message(size: usize) -> Vec<u8> {
    let mut m = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: bench\r\n\
Content-Type: text/plain\r\n\r\n"
        .to_vec();
    let mut i = 0u32;
    while m.len() < size {
        let line: Vec<u8> = (0..76)
            .map(|j| b'A' + ((i.wrapping_mul(2_654_435_761) >> 7) as u8 + j) % 26)
            .collect();
        m.extend_from_slice(&line);
        m.extend_from_slice(b"\r\n");
        i += 1;
    }
    m.truncate(size);
    m
}

fn messages(c: &mut Criterion) {
    let alice = sample::alice().expect("sample identity");
    let bob = sample::bob().expect("sample identity");
    let to_bob = [bob.certificate().clone()];
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca().expect("sample CA"));
    let policy = Policy::email();
    let cbc = EnvelopeOptions::with_cipher(ContentCipher::Aes128Cbc);
    let gcm = EnvelopeOptions::with_cipher(ContentCipher::Aes256Gcm);
    let sign = SignOptions::default();

    let mut group = c.benchmark_group("messages");
    group.sample_size(10);
    for (size, label) in [
        (1usize << 10, "1KiB"),
        (1 << 20, "1MiB"),
        (64 << 20, "64MiB"),
    ] {
        let msg = message(size);
        group.throughput(Throughput::Bytes(size as u64));
        let out = || Vec::with_capacity(size * 4 / 3 + 8192);
        for (name, options) in [("encrypt-aes128cbc", &cbc), ("encrypt-aes256gcm", &gcm)] {
            group.bench_with_input(BenchmarkId::new(name, label), &msg, |b, msg| {
                b.iter(|| {
                    black_box(
                        mime::encrypt_message(Cursor::new(msg), &to_bob, options, out())
                            .expect("encrypt"),
                    )
                })
            });
            let sealed = mime::encrypt_message_bytes(&msg, &to_bob, options).expect("encrypt");
            let name = name.replace("encrypt", "decrypt");
            group.bench_with_input(BenchmarkId::new(name, label), &sealed, |b, sealed| {
                b.iter(|| {
                    black_box(mime::decrypt_message(&sealed[..], &bob, out()).expect("decrypt"))
                })
            });
        }
        group.bench_with_input(BenchmarkId::new("sign-detached", label), &msg, |b, msg| {
            b.iter(|| {
                black_box(
                    mime::sign_message(&msg[..], &alice, &sign, SignFormat::Detached, out())
                        .expect("sign"),
                )
            })
        });
        let signed =
            mime::sign_message_bytes(&msg, &alice, &sign, SignFormat::Detached).expect("sign");
        group.bench_with_input(
            BenchmarkId::new("verify-detached", label),
            &signed,
            |b, m| {
                b.iter(|| {
                    let opened = smime::reader::open(m, &[], &trust, &policy, SystemTime::now())
                        .expect("verify");
                    assert!(opened.is_signature_valid());
                    black_box(opened)
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("sign-then-encrypt", label),
            &msg,
            |b, msg| {
                b.iter(|| {
                    black_box(
                        mime::sign_and_encrypt_seekable(
                            Cursor::new(msg),
                            &alice,
                            &sign,
                            &to_bob,
                            &cbc,
                            mime::HeaderProtection::default(),
                            out(),
                        )
                        .expect("sign and encrypt"),
                    )
                })
            },
        );
    }
    group.finish();

    // 100 recipients, RSA-2048, P-256 and X25519 in turn (key transport and ECDH key
    // agreement), the EC ones from the shared test data as in benches/ecdh.rs.
    let testdata = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/");
    let read = |p: &str| std::fs::read(format!("{testdata}{p}")).expect("test data");
    let ec = |cert: &str| -> Certificate {
        Certificate::load(&read(cert))
            .expect("certificate")
            .remove(0)
    };
    let kinds = [
        bob.certificate().clone(),
        ec("bouncycastle/cms/ecdh/ecc.crt"),
        ec("rfc9216/certs-and-keys/lamps-dana.encrypt.crt"),
    ];
    let hundred: Vec<Certificate> = (0..100).map(|i| kinds[i % 3].clone()).collect();
    let msg = message(64 << 10);
    let mut group = c.benchmark_group("messages/100-mixed-recipients");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(msg.len() as u64));
    group.bench_function("encrypt/64KiB", |b| {
        b.iter(|| black_box(mime::encrypt_message_bytes(&msg, &hundred, &gcm).expect("encrypt")))
    });
    group.finish();
}

criterion_group!(benches, messages);
criterion_main!(benches);
