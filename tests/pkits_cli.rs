//! PKITS through the front door: `smime verify --trust-anchor
//! pkits/certs/TrustAnchorRootCertificate.crt` on every signed message
//! `pkits/smime/Signed<Name>.eml` whose name says Valid or Invalid (the others
//! depend on the policy inputs and run in tests/pkits.rs with their settings).
//! Exit 0 for Valid, 1 for Invalid, with default settings — except the listed tests
//! that depend on a setting, which run with it. PKITS end-entity certificates name no
//! email address, so there is no From check (RFC 8550 §3).

use crate::common;

use std::path::PathBuf;

use common::cli;

fn pkits() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/testdata/pkits"
    ))
}

/// Tests whose outcome depends on a setting, and the flags that give PKITS's.
const NEEDS_SETTING: &[(&str, &[&str], &str)] = &[
    (
        "SignedValidDSASignaturesTest4",
        &["--historic"],
        "DSA with SHA-1: historic mode only",
    ),
    (
        "SignedValidDSAParameterInheritanceTest5",
        &["--historic"],
        "DSA with SHA-1: historic mode only",
    ),
    (
        "SignedInvalidBadCRLIssuerNameTest5",
        &["--require-revocation"],
        "no CRL from the issuer is at hand: unknown status, a warning unless revocation is required",
    ),
    (
        "SignedInvalidWrongCRLTest6",
        &["--require-revocation"],
        "as above",
    ),
    (
        "SignedInvalidIDPwithindirectCRLTest26",
        &["--require-revocation"],
        "as above",
    ),
];

/// Reviewed disagreements.
const EXCEPTIONS: &[(&str, &str)] = &[];

#[test]
fn every_valid_and_invalid_pkits_message_through_the_cli() {
    let dir = pkits();
    let anchor = dir.join("certs/TrustAnchorRootCertificate.crt");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("smime"))
        .expect("pkits/smime")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("Signed") && n.ends_with(".eml"))
        .collect();
    names.sort();
    let (mut agree, mut disagree) = (0usize, Vec::new());
    for file in &names {
        let name = file.trim_end_matches(".eml");
        let want = if name.contains("Invalid") {
            1
        } else if name.contains("Valid") {
            0
        } else {
            continue;
        };
        let path = dir.join("smime").join(file);
        let mut args = vec![
            "verify".to_string(),
            "--trust-anchor".into(),
            anchor.display().to_string(),
            "--in".into(),
            path.display().to_string(),
        ];
        if let Some((_, flags, _)) = NEEDS_SETTING.iter().find(|(n, _, _)| *n == name) {
            args.extend(flags.iter().map(|f| f.to_string()));
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cli::smime(&refs, b"");
        let got = out.status.code();
        if got == Some(want) {
            agree += 1;
        } else {
            disagree.push(format!(
                "{name}: exit {got:?}, want {want}: {}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    println!(
        "PKITS via `smime verify`: {agree} agree, {} disagree",
        disagree.len()
    );
    let unexpected: Vec<&String> = disagree
        .iter()
        .filter(|d| {
            !EXCEPTIONS
                .iter()
                .any(|(n, _)| d.starts_with(&format!("{n}:")))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected disagreements:\n{unexpected:#?}"
    );
    assert_eq!(
        disagree.len(),
        EXCEPTIONS.len(),
        "an exception now agrees: remove it"
    );
    assert!(agree >= 200, "only {agree} PKITS messages ran");
}
