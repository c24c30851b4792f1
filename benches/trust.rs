//! Trust evaluation cost on fixed inputs: a PKITS path with CRLs, and limbo's
//! pathological cases (name-constraint DoS, long chains, cycles), which must each stay
//! well under a second (REQUIREMENTS.md §2 row 23). Inputs are read from
//! `../shared/testdata`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use smime::Certificate;
use smime::trust::{Crl, Policy, Purpose, TrustStore, Use};

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata")
}

fn pem_list(v: &serde_json::Value) -> Vec<Certificate> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .filter_map(|p| Certificate::from_pem(p.as_bytes()).ok())
        .collect()
}

fn limbo(c: &mut Criterion) {
    let text = std::fs::read_to_string(testdata().join("x509-limbo/limbo-regenerated.json"))
        .expect("limbo JSON");
    let all: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let cases = all["testcases"].as_array().cloned().unwrap_or_default();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_717_200_000);
    for case in cases.iter().filter(|c| {
        c["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("pathological::"))
    }) {
        let id = case["id"].as_str().unwrap_or_default().to_owned();
        let Ok(leaf) = Certificate::from_pem(
            case["peer_certificate"]
                .as_str()
                .unwrap_or_default()
                .as_bytes(),
        ) else {
            continue;
        };
        let mut store = TrustStore::new();
        pem_list(&case["trusted_certs"])
            .into_iter()
            .for_each(|a| store.add_anchor(a));
        let extra = pem_list(&case["untrusted_intermediates"]);
        let policy = Policy::email();
        let use_ = Use::at(Purpose::Verify, time);
        c.bench_function(&format!("limbo {id}"), |b| {
            b.iter(|| store.evaluate(&leaf, &policy, &use_, &extra).is_ok())
        });
    }
}

fn pkits(c: &mut Criterion) {
    let dir = testdata().join("pkits");
    let load = |f: &str| {
        Certificate::from_der(&std::fs::read(dir.join("certs").join(f)).expect("cert"))
            .expect("parses")
    };
    let mut store = TrustStore::new();
    store.add_anchor(load("TrustAnchorRootCertificate.crt"));
    let extra = vec![load("GoodCACert.crt")];
    let leaf = load("ValidCertificatePathTest1EE.crt");
    let crls: Vec<Crl> = ["TrustAnchorRootCRL.crl", "GoodCACRL.crl"]
        .iter()
        .map(|f| {
            Crl::from_der(&std::fs::read(dir.join("crls").join(f)).expect("crl")).expect("parses")
        })
        .collect();
    let policy = Policy::email();
    let use_ = Use::at(
        Purpose::Verify,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800),
    );
    c.bench_function("pkits ValidCertificatePathTest1 with CRLs", |b| {
        b.iter(|| {
            store
                .evaluate_with_crls(&leaf, &policy, &use_, &extra, &crls)
                .is_ok()
        })
    });
}

criterion_group!(benches, pkits, limbo);
criterion_main!(benches);
