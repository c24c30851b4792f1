//! Sign and verify throughput: 1 KiB and 64 MiB, RSA-2048 (sample identity) and
//! P-256 (benches/data). Verification includes chain evaluation against the
//! sample CA for RSA; the P-256 certificate is self-signed (untrusted), so its
//! numbers are the signature and digest work.

#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smime::Identity;
use smime::cms::{self, SignOptions, SignedDataBuilder};
use smime::trust::{Policy, Purpose, TrustStore, Use};

fn signed(c: &mut Criterion) {
    let rsa = sample::alice().expect("sample identity");
    let p256 = Identity::from_pem(
        include_bytes!("data/p256.pem"),
        include_bytes!("data/p256.key"),
        None,
    )
    .expect("bench P-256 identity");
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca().expect("sample CA"));
    let policy = Policy::email();
    let at = Use::at(Purpose::Verify, SystemTime::now());
    for (name, id) in [("rsa2048", &rsa), ("p256", &p256)] {
        let mut group = c.benchmark_group(format!("signed/{name}"));
        group.sample_size(10);
        for (size, label) in [(1usize << 10, "1KiB"), (64 << 20, "64MiB")] {
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            group.throughput(Throughput::Bytes(size as u64));
            let builder = SignedDataBuilder::new(id, SignOptions::default());
            group.bench_with_input(
                BenchmarkId::new("sign-opaque", label),
                &content,
                |b, content| {
                    b.iter(|| {
                        let out = builder
                            .sign_opaque_stream(
                                &content[..],
                                Vec::with_capacity(content.len() + 8192),
                            )
                            .expect("sign");
                        black_box(out)
                    })
                },
            );
            let sealed = builder.sign_opaque_bytes(&content).expect("sign");
            group.bench_with_input(
                BenchmarkId::new("verify-opaque", label),
                &sealed,
                |b, sealed| {
                    b.iter(|| {
                        let v = cms::verify_opaque(&sealed[..], std::io::sink(), &trust, &policy)
                            .expect("verify");
                        black_box(smime::reader::judge_signers(&v, &trust, &policy, &at))
                    })
                },
            );
        }
        group.finish();
    }
}

criterion_group!(benches, signed);
criterion_main!(benches);
