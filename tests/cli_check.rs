//! `smime check`, `smime install --from-message [--trust]` and `smime remove --address`.

#[allow(dead_code)]
use crate::sample;

use crate::common;

use common::cli::smime;
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn install_from_message_check_and_remove_by_address() {
    let dir = common::temp_dir();
    let store = dir.path().join("store");
    let store = store.to_str().unwrap();
    let carol = sample::carol().unwrap();
    let signed = smime::mime::sign_message_bytes(
        b"From: carol@outside.example\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nHello\r\n",
        &carol,
        &Default::default(),
        Default::default(),
    )
    .unwrap();
    let msg = common::write_file(dir.path(), "signed.eml", &signed);
    let msg = msg.to_str().unwrap();

    // Unknown CA, no --trust: refused with exit 1.
    let out = smime(&["install", "--store", store, "--from-message", msg], b"");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = smime(
        &["check", "--to", "carol@outside.example", "--store", store],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["recipients"][0]["status"], "no-certificate");

    // With --trust: installed.
    let out = smime(
        &[
            "install",
            "--store",
            store,
            "--from-message",
            msg,
            "--trust",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&carol.certificate().fingerprint_hex()));

    let out = smime(
        &["check", "--to", "carol@outside.example", "--store", store],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json(&out);
    assert_eq!(v["designation"], "Encrypted");
    assert_eq!(v["recipients"][0]["status"], "encryptable");
    assert_eq!(
        v["recipients"][0]["fingerprint_sha256"],
        carol.certificate().fingerprint_hex()
    );
    assert!(
        v["recipients"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("installed")
    );

    // One recipient without a certificate: exit 1, Unable to Encrypt, with a reason.
    let out = smime(
        &[
            "check",
            "--to",
            "carol@outside.example",
            "--cc",
            "nobody@example.org",
            "--store",
            store,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["designation"], "Unable to Encrypt");
    assert_eq!(v["recipients"][1]["role"], "cc");
    assert_eq!(v["recipients"][1]["reason"], "no certificate found");

    // Remove by address.
    let out = smime(
        &[
            "remove",
            "--store",
            store,
            "--address",
            "carol@outside.example",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let out = smime(
        &[
            "remove",
            "--store",
            store,
            "--address",
            "carol@outside.example",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let out = smime(
        &["check", "--to", "carol@outside.example", "--store", store],
        b"",
    );
    assert_eq!(json(&out)["recipients"][0]["status"], "no-certificate");
}

#[test]
fn check_reports_unusable_with_trust_anchors_and_time() {
    let dir = common::temp_dir();
    let store = dir.path().join("store");
    let store = store.to_str().unwrap();
    let bob = common::write_file(dir.path(), "bob.pem", sample::BOB_CERT_PEM.as_bytes());
    let ca = common::write_file(dir.path(), "ca.pem", sample::CA_CERT_PEM.as_bytes());
    let out = smime(
        &["install", "--store", store, "--cert", bob.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    // No anchor: untrusted issuer.
    let out = smime(&["check", "--to", "bob@example.org", "--store", store], b"");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["recipients"][0]["status"], "certificate-unusable");
    assert!(
        v["recipients"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("issuer")
    );
    // With the anchor: encryptable; far in the future: expired.
    let out = smime(
        &[
            "check",
            "--to",
            "bob@example.org",
            "--store",
            store,
            "--trust-anchor",
            ca.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let out = smime(
        &[
            "check",
            "--to",
            "bob@example.org",
            "--store",
            store,
            "--trust-anchor",
            ca.to_str().unwrap(),
            "--at",
            "2200-01-01T00:00:00Z",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        json(&out)["recipients"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // Bad usage: exit 2.
    assert_eq!(
        smime(&["check", "--store", store], b"").status.code(),
        Some(2)
    );
}
