//! Directory lookups: 100 addresses through `Layered` (installed store of 10,000
//! certificates, then a contacts folder of 1,000 vCards), and the LDAP round trips
//! for 100 addresses. Fixed inputs; numbers are for comparing revisions, never
//! asserted.
//!
//! The certificates are the sample Alice certificate with the address rewritten in
//! place (`u0001@example.org`, ...): the directory indexes addresses and fingerprints
//! and verifies no signatures, so these are valid inputs for it.
//!
//! The LDAP part needs a server: set `SMIME_BENCH_LDAP=ldap://127.0.0.1:PORT` and
//! `SMIME_BENCH_LDAP_BASE` (a slapd as in tests/common/slapd.rs). Without it the
//! bench prints the round-trip count the batching gives (⌈100/50⌉ = 2), which
//! tests/directory_ldap.rs checks against a real slapd's log.

#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

use std::hint::black_box;

use base64::Engine;
use criterion::{Criterion, criterion_group, criterion_main};
use smime::directory::{
    CertificateDirectory, CertificateStoreWrite, Contacts, InstalledStore, Layered,
};
use smime::{Certificate, EmailAddress};

/// The sample certificate for `prefix` + 4 digits at example.org.
fn variant(prefix: char, i: usize) -> Certificate {
    let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes()).expect("sample");
    let mut der = alice.der().to_vec();
    let local = format!("{prefix}{i:04}");
    let needle = b"alice@";
    let mut at = 0;
    while let Some(pos) = der[at..].windows(needle.len()).position(|w| w == needle) {
        let start = at + pos;
        der[start..start + 5].copy_from_slice(local.as_bytes());
        at = start + needle.len();
    }
    Certificate::from_der(&der).expect("variant parses")
}

fn addresses(prefix: char, n: usize, step: usize) -> Vec<EmailAddress> {
    (0..n)
        .map(|i| {
            format!("{prefix}{:04}@example.org", i * step)
                .parse()
                .expect("address")
        })
        .collect()
}

fn layered(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = InstalledStore::open(dir.path().join("store")).expect("store");
    for i in 0..10_000 {
        store
            .install(&variant('u', i), &Default::default())
            .expect("install");
    }
    let vcards = dir.path().join("contacts");
    std::fs::create_dir_all(&vcards).expect("contacts dir");
    for i in 0..1_000 {
        let cert = variant('c', i);
        let b64 = base64::engine::general_purpose::STANDARD.encode(cert.der());
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:c{i:04}\r\nEMAIL:c{i:04}@example.org\r\n\
             KEY:data:application/pkix-cert;base64,{b64}\r\nEND:VCARD\r\n"
        );
        std::fs::write(vcards.join(format!("c{i:04}.vcf")), card).expect("vcard");
    }
    let store = InstalledStore::open(dir.path().join("store")).expect("reopen");
    let directory = Layered::new(vec![
        Box::new(store),
        Box::new(Contacts::from_path(&vcards).expect("contacts")),
    ]);
    // 50 in the store, 50 only in the contacts.
    let mut wanted = addresses('u', 50, 199);
    wanted.extend(addresses('c', 50, 19));
    let answers = directory.lookup(&wanted);
    assert!(answers.iter().all(|a| a.candidates().len() == 1), "fixture");
    c.bench_function("directory/layered/100-addresses", |b| {
        b.iter(|| black_box(directory.lookup(black_box(&wanted))))
    });
}

#[cfg(feature = "ldap")]
fn ldap(c: &mut Criterion) {
    use smime::directory::{LdapConfig, LdapGal};
    let config = LdapConfig::new("ldap://127.0.0.1:389", "dc=corp,dc=example");
    println!(
        "directory/ldap: 100 addresses take {} search round trips (batch size {})",
        100usize.div_ceil(config.batch_size),
        config.batch_size
    );
    let (Ok(url), Ok(base)) = (
        std::env::var("SMIME_BENCH_LDAP"),
        std::env::var("SMIME_BENCH_LDAP_BASE"),
    ) else {
        return;
    };
    let gal = LdapGal::new(LdapConfig::new(url, base)).expect("LDAP config");
    let wanted = addresses('u', 100, 1);
    c.bench_function("directory/ldap/100-addresses", |b| {
        b.iter(|| black_box(gal.lookup(black_box(&wanted))))
    });
}

#[cfg(not(feature = "ldap"))]
fn ldap(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = layered, ldap
}
criterion_main!(benches);
