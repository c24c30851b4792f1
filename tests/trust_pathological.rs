//! Generated pathological certificate sets (REQUIREMENTS.md §2 row 23): each must end
//! with an error, bounded by the evaluation budget. Timing is measured by the
//! criterion bench (benches/trust.rs), never asserted here.

use crate::common;

use std::time::SystemTime;

use smime::trust::{Policy, Purpose, TrustError, TrustStore, Use};

use common::trust_pki::Scratch;

fn policy() -> Policy {
    Policy::email()
}

fn use_() -> Use {
    Use::at(Purpose::Verify, SystemTime::now())
}

#[test]
fn hundred_certificate_chain_stops_at_the_depth_limit() {
    let s = Scratch::new();
    s.ca("c0", None, &[]);
    let mut extra = Vec::new();
    for i in 1..100 {
        extra.push(s.ca(&format!("c{i}"), Some(&format!("c{}", i - 1)), &[]));
    }
    let leaf = s.person("leaf", "ann@corp.example", "c99", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(s.cert("c0"));
    let err = store
        .evaluate(&leaf, &policy(), &use_(), &extra)
        .unwrap_err();
    assert!(matches!(err, TrustError::PathTooLong { .. }), "{err}");
}

#[test]
fn issuer_cycle_terminates() {
    // a and b issue each other (same names, keys reused): no anchor anywhere.
    let s = Scratch::new();
    s.ca("a", None, &[]);
    s.ca("b", Some("a"), &[]);
    let a2 = s.issue_with(
        "a2",
        "/O=Trust Tests/CN=a",
        Some("b"),
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign",
        ],
        "ec",
        "sha256",
        Some("a"),
    );
    let leaf = s.person("leaf", "ann@corp.example", "b", &[]);
    let unrelated = Scratch::new();
    let mut store = TrustStore::new();
    store.add_anchor(unrelated.ca("root", None, &[]));
    let err = store
        .evaluate(&leaf, &policy(), &use_(), &[s.cert("a"), s.cert("b"), a2])
        .unwrap_err();
    assert!(matches!(err, TrustError::UnknownIssuer { .. }), "{err}");
}

#[test]
fn many_same_subject_cas_exhaust_the_signature_budget() {
    let s = Scratch::new();
    s.ca("root", None, &[]);
    let mut extra = Vec::new();
    for i in 0..120 {
        // Same subject, fresh keys; none signed the leaf.
        extra.push(s.issue(
            &format!("twin{i}"),
            "/O=Trust Tests/CN=twin",
            Some("root"),
            &[
                "basicConstraints=critical,CA:TRUE",
                "keyUsage=critical,keyCertSign",
            ],
        ));
    }
    s.issue(
        "signer",
        "/O=Trust Tests/CN=twin",
        Some("root"),
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign",
        ],
    );
    let leaf = s.person("leaf", "ann@corp.example", "signer", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(s.cert("root"));
    let err = store
        .evaluate(&leaf, &policy(), &use_(), &extra)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::BudgetExceeded {
                what: "signature verifications",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn many_name_constraints_times_many_names_hit_the_comparison_budget() {
    let s = Scratch::new();
    s.ca("root", None, &[]);
    let excluded: Vec<String> = (0..600)
        .map(|i| format!("excluded;email:x{i}.example"))
        .collect();
    let nc = format!("nameConstraints=critical,{}", excluded.join(","));
    s.ca("ica", Some("root"), &[&nc]);
    let sans: Vec<String> = (0..500)
        .map(|i| format!("email:u{i}@corp.example"))
        .collect();
    let san = format!("subjectAltName={}", sans.join(","));
    let leaf = s.issue(
        "leaf",
        "/CN=leaf",
        Some("ica"),
        &[&san, "keyUsage=critical,digitalSignature"],
    );
    let mut store = TrustStore::new();
    store.add_anchor(s.cert("root"));
    let err = store
        .evaluate(&leaf, &policy(), &use_(), &[s.cert("ica")])
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::BudgetExceeded {
                what: "name-constraint comparisons",
                ..
            }
        ),
        "{err}"
    );
}
