//! NIST PKITS (v1.0.1, the 2011 data in `../shared/testdata/pkits`): every test of
//! sections 4.1–4.16, end to end through `TrustStore::evaluate_with_crls`.
//!
//! For each `smime/Signed<Name>.eml` the signer's certificate is evaluated with the
//! certificates and CRLs the message carries as untrusted material and
//! `TrustAnchorRootCertificate.crt` as the only anchor. The expected outcome is the
//! test's name (Valid… / Invalid…); for the tests whose name does not say, the PKITS
//! document's result for the default settings is in [`DEFAULT_OUTCOME`]. Tests that
//! PKITS runs with other settings are run again with them ([`SETTINGS_RUNS`]).
//! PKITS requires revocation checking, so `RevocationCheck::Required`; the DSA tests
//! (4.1.4–4.1.6) sign with SHA-1 and run in historic mode.
//!
//! Disagreements must be listed, with a reason, in [`EXCEPTIONS`]; the test fails if
//! the set of disagreements differs from that list in either direction.

use crate::common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use der::asn1::ObjectIdentifier;
use smime::Certificate;
use smime::trust::{Policy, Purpose, RevocationCheck, TrustStore, Use};

use common::trust_pki::{at, material};

fn pkits_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/pkits")
}

/// 2020-01-01T00:00:00Z: inside every PKITS certificate's validity (2010–2030) and
/// after every CRL's thisUpdate.
const TIME: u64 = 1_577_836_800;

/// Outcome with default settings for the tests whose name does not start with
/// Valid/Invalid (PKITS document, sections 4.4.1, 4.8, 4.12.3).
const DEFAULT_OUTCOME: &[(&str, bool)] = &[
    ("AllCertificatesAnyPolicyTest11", true),
    ("AllCertificatesNoPoliciesTest2", true),
    ("AllCertificatesSamePoliciesTest10", true),
    ("AllCertificatesSamePoliciesTest13", true),
    ("AllCertificatesSamePolicyTest1", true),
    ("AnyPolicyTest14", true),
    ("CPSPointerQualifierTest20", true),
    ("DifferentPoliciesTest12", false),
    ("DifferentPoliciesTest3", true),
    ("DifferentPoliciesTest4", false),
    ("DifferentPoliciesTest5", false),
    ("DifferentPoliciesTest7", false),
    ("DifferentPoliciesTest8", false),
    ("DifferentPoliciesTest9", false),
    ("MissingCRLTest1", false),
    ("OverlappingPoliciesTest6", true),
    ("UserNoticeQualifierTest15", true),
    ("UserNoticeQualifierTest16", true),
    ("UserNoticeQualifierTest17", true),
    ("UserNoticeQualifierTest18", true),
    ("UserNoticeQualifierTest19", true),
    ("inhibitAnyPolicyTest3", true),
];

/// NIST-test-policy-N (PKITS §3.1): 2.16.840.1.101.3.2.1.48.N
fn test_policy(n: u32) -> ObjectIdentifier {
    ObjectIdentifier::new(&format!("2.16.840.1.101.3.2.1.48.{n}")).expect("valid OID")
}

/// A non-default settings run: test, explicit policy, initial policy set (NIST test
/// policy numbers; empty = anyPolicy), inhibit mapping, inhibit any, expected.
type SettingsRun = (&'static str, bool, &'static [u32], bool, bool, bool);

/// The settings variants the PKITS document gives (sections 4.8, 4.10, 4.12).
const SETTINGS_RUNS: &[SettingsRun] = &[
    (
        "AllCertificatesSamePolicyTest1",
        true,
        &[],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesSamePolicyTest1",
        true,
        &[1],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesSamePolicyTest1",
        true,
        &[2],
        false,
        false,
        false,
    ),
    (
        "AllCertificatesSamePolicyTest1",
        true,
        &[1, 2],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesNoPoliciesTest2",
        true,
        &[],
        false,
        false,
        false,
    ),
    ("DifferentPoliciesTest3", true, &[], false, false, false),
    ("DifferentPoliciesTest3", true, &[1, 2], false, false, false),
    ("OverlappingPoliciesTest6", false, &[1], false, false, true),
    ("OverlappingPoliciesTest6", false, &[2], false, false, false),
    (
        "AllCertificatesSamePoliciesTest10",
        false,
        &[1],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesSamePoliciesTest10",
        false,
        &[2],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesAnyPolicyTest11",
        false,
        &[1],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesSamePoliciesTest13",
        false,
        &[1],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesSamePoliciesTest13",
        false,
        &[2],
        false,
        false,
        true,
    ),
    (
        "AllCertificatesSamePoliciesTest13",
        false,
        &[3],
        false,
        false,
        true,
    ),
    ("AnyPolicyTest14", false, &[1], false, false, true),
    ("AnyPolicyTest14", false, &[2], false, false, false),
    ("UserNoticeQualifierTest18", false, &[1], false, false, true),
    ("UserNoticeQualifierTest18", false, &[2], false, false, true),
    ("ValidPolicyMappingTest1", false, &[1], false, false, true),
    ("ValidPolicyMappingTest1", false, &[2], false, false, false),
    ("ValidPolicyMappingTest1", false, &[], true, false, false),
    ("inhibitAnyPolicyTest3", false, &[], false, true, false),
];

/// Reviewed disagreements with PKITS: (test, reason). Goal: none.
const EXCEPTIONS: &[(&str, &str)] = &[];

fn expected_default(name: &str) -> bool {
    if let Some(rest) = name.strip_prefix("Valid") {
        let _ = rest;
        return true;
    }
    if name.starts_with("Invalid") {
        return false;
    }
    DEFAULT_OUTCOME
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no expected outcome for PKITS test {name}"))
}

struct Run {
    ok: bool,
    detail: String,
}

fn run(name: &str, anchor: &Certificate, configure: impl Fn(&mut Policy)) -> Run {
    let path = pkits_dir().join("smime").join(format!("Signed{name}.eml"));
    let eml = std::fs::read_to_string(&path).expect("PKITS message");
    let m = match material(&eml) {
        Ok(m) => m,
        Err(e) => {
            return Run {
                ok: false,
                detail: format!("message unreadable: {e}"),
            };
        }
    };
    let mut store = TrustStore::new();
    store.add_anchor(anchor.clone());
    let mut policy = if name.contains("DSA") {
        Policy::historic()
    } else {
        Policy::email()
    };
    policy.revocation = RevocationCheck::Required;
    configure(&mut policy);
    let use_ = Use::at(Purpose::Verify, at(TIME));
    match store.evaluate_with_crls(&m.signer, &policy, &use_, &m.certs, &m.crls) {
        Ok(p) => Run {
            ok: true,
            detail: format!("valid ({} intermediates)", p.intermediates().len()),
        },
        Err(e) => Run {
            ok: false,
            detail: e.to_string(),
        },
    }
}

fn anchor() -> Certificate {
    let der =
        std::fs::read(pkits_dir().join("certs/TrustAnchorRootCertificate.crt")).expect("anchor");
    Certificate::from_der(&der).expect("anchor parses")
}

fn test_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(pkits_dir().join("smime"))
        .expect("PKITS smime dir")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let f = e.file_name().to_string_lossy().into_owned();
            f.strip_prefix("Signed")
                .and_then(|s| s.strip_suffix(".eml"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn pkits_all_tests_agree_with_expected_outcomes() {
    let anchor = anchor();
    let names = test_names();
    assert_eq!(names.len(), 224, "PKITS has 224 tests");
    let mut disagreements: BTreeMap<String, String> = BTreeMap::new();
    let mut passed = 0;
    for name in &names {
        let expected = expected_default(name);
        let r = run(name, &anchor, |_| {});
        if r.ok == expected {
            passed += 1;
        } else {
            disagreements.insert(
                name.clone(),
                format!(
                    "expected {}, got {}",
                    if expected { "valid" } else { "invalid" },
                    r.detail
                ),
            );
        }
    }
    for (name, explicit, initial, inhibit_map, inhibit_any, expected) in SETTINGS_RUNS {
        let r = run(name, &anchor, |p| {
            p.explicit_policy = *explicit;
            p.initial_policy_set = initial.iter().map(|n| test_policy(*n)).collect();
            p.inhibit_policy_mapping = *inhibit_map;
            p.inhibit_any_policy = *inhibit_any;
        });
        let key = format!(
            "{name} [explicit={explicit} initial={initial:?} inhibit_mapping={inhibit_map} inhibit_any={inhibit_any}]"
        );
        if r.ok == *expected {
            passed += 1;
        } else {
            disagreements.insert(
                key,
                format!(
                    "expected {}, got {}",
                    if *expected { "valid" } else { "invalid" },
                    r.detail
                ),
            );
        }
    }
    println!(
        "PKITS: {passed} of {} runs agree ({} tests + {} settings variants)",
        names.len() + SETTINGS_RUNS.len(),
        names.len(),
        SETTINGS_RUNS.len()
    );
    println!("| test | disagreement | exception reason |");
    println!("|---|---|---|");
    for (n, d) in &disagreements {
        let reason = EXCEPTIONS
            .iter()
            .find(|(e, _)| e == n)
            .map_or("NOT LISTED", |(_, r)| r);
        println!("| {n} | {d} | {reason} |");
    }
    let unexpected: Vec<&String> = disagreements
        .keys()
        .filter(|n| !EXCEPTIONS.iter().any(|(e, _)| e == n))
        .collect();
    let stale: Vec<&str> = EXCEPTIONS
        .iter()
        .map(|(e, _)| *e)
        .filter(|e| !disagreements.contains_key(*e))
        .collect();
    assert!(
        unexpected.is_empty(),
        "PKITS disagreements not in EXCEPTIONS: {unexpected:#?}"
    );
    assert!(
        stale.is_empty(),
        "EXCEPTIONS entries that now pass (remove them): {stale:?}"
    );
}
