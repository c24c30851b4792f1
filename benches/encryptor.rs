//! `Encryptor::check` of 100 recipients through a `Cached` GAL (an in-memory
//! directory stands in for LDAP: the cache and the batching are what is measured
//! here; tests/directory_ldap.rs counts the real round trips), and `seal` of a small
//! message to 10 recipients. Fixed inputs; numbers are for comparing revisions, never
//! asserted.
//!
//! A directory offers only certificates naming the address, so the GAL holds Alice's sample certificate with the address rewritten in place for each
//! recipient: every candidate goes through full trust evaluation (and fails at the
//! altered signature), which is the expensive path.

#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{Criterion, criterion_group, criterion_main};
use smime::directory::{Cached, MemoryDirectory};
use smime::encryptor::{Encryptor, Recipients, SealOptions};
use smime::trust::TrustStore;
use smime::{Certificate, EmailAddress};

fn variant(i: usize) -> Certificate {
    let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes()).expect("sample");
    let mut der = alice.der().to_vec();
    let local = format!("u{i:04}");
    let needle = b"alice@";
    let mut at = 0;
    while let Some(pos) = der[at..].windows(needle.len()).position(|w| w == needle) {
        let start = at + pos;
        der[start..start + 5].copy_from_slice(local.as_bytes());
        at = start + needle.len();
    }
    Certificate::from_der(&der).expect("variant parses")
}

fn check(c: &mut Criterion) {
    let gal = Cached::new(MemoryDirectory::from_certificates(
        "gal",
        (0..100).map(variant),
    ));
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca().expect("ca"));
    let encryptor = Encryptor::new(&gal, &trust);
    let mut recipients = Recipients::new();
    for i in 0..100 {
        let a: EmailAddress = format!("u{i:04}@example.org").parse().expect("address");
        recipients.add(a, smime::encryptor::Role::To);
    }
    let now = SystemTime::now();
    c.bench_function("check 100 recipients (cached GAL)", |b| {
        b.iter(|| black_box(encryptor.check(black_box(&recipients), now)))
    });

    // seal to Bob and Alice (valid) + encrypt-to-self.
    let me = sample::alice().expect("alice");
    let real = MemoryDirectory::from_certificates(
        "gal",
        [sample::bob().expect("bob").certificate().clone()],
    );
    let encryptor = Encryptor::new(&real, &trust).encrypt_to_self(&me);
    let to_bob = Recipients::new().to("bob@example.org".parse().expect("address"));
    let report = encryptor.check(&to_bob, now);
    let message = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: s\r\n\r\nhello\r\n";
    c.bench_function("seal to 2 (bob + self)", |b| {
        b.iter(|| {
            black_box(
                encryptor
                    .seal(message, &report, &SealOptions::encrypt())
                    .expect("seal"),
            )
        })
    });
}

criterion_group!(benches, check);
criterion_main!(benches);
