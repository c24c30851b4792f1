//! The content cipher the `smime` command chooses without `--cipher` (RFC 8551 §2.7.1,
//! `CipherPolicy::choose`) and what `smime check` says about it: AES-256-CBC while a
//! recipient's capabilities are unknown, an authenticated cipher when every recipient
//! announced one (recorded in `--store` from a signed message), AES-256-GCM by policy
//! with `--authenticated-only`.

#[allow(dead_code)]
use crate::sample;

use crate::common;

use common::cli::{describe, smime};
use common::{msg, openssl, write_file};
use serde_json::{Value, json};

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A store folder and Carol's certificate file; Carol's signed message (this library
/// announces AES-256-GCM first) is installed with `--trust` when `announced`, only her
/// certificate (no capabilities) otherwise. Her CA is written to `outside_ca.pem`.
fn store_with_carol(dir: &std::path::Path, announced: bool) -> (String, String) {
    let store = dir.join("store").to_str().unwrap().to_string();
    write_file(
        dir,
        "outside_ca.pem",
        sample::OUTSIDE_CA_CERT_PEM.as_bytes(),
    );
    let cert = write_file(dir, "carol.pem", sample::CAROL_CERT_PEM.as_bytes());
    let cert = cert.to_str().unwrap().to_string();
    let args: Vec<String> = if announced {
        let carol = sample::carol().unwrap();
        let signed = smime::mime::sign_message_bytes(
            b"From: carol@outside.example\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nHi\r\n",
            &carol,
            &Default::default(),
            Default::default(),
        )
        .unwrap();
        let m = write_file(dir, "signed.eml", &signed);
        ["install", "--store", &store, "--from-message"]
            .iter()
            .map(|s| s.to_string())
            .chain([m.to_str().unwrap().to_string(), "--trust".to_string()])
            .collect()
    } else {
        ["install", "--store", &store, "--cert", &cert]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = smime(&refs, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&refs, &out));
    (store, cert)
}

/// `smime check --to carol@outside.example --store STORE` with Carol's CA as anchor.
fn check(dir: &std::path::Path, store: &str, extra: &[&str]) -> Value {
    let ca = dir.join("outside_ca.pem");
    let mut args = vec![
        "check",
        "--to",
        "carol@outside.example",
        "--store",
        store,
        "--trust-anchor",
        ca.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = smime(&args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&args, &out));
    json_of(&out)
}

/// The content cipher of an encrypted message (from `openssl cms -print`).
fn cipher_of(encrypted: &[u8]) -> String {
    let dump = openssl::print_der(&msg::cms_der(encrypted));
    for c in [
        "aes-128-cbc",
        "aes-192-cbc",
        "aes-256-cbc",
        "aes-128-gcm",
        "aes-256-gcm",
    ] {
        if dump.contains(&format!("algorithm: {c} (")) {
            return c.to_string();
        }
    }
    panic!("no known content cipher in {dump}")
}

fn encrypt(cert: &str, extra: &[&str]) -> Vec<u8> {
    // The pre-RFC 9788 shape checked below (header protection: its own tests).
    let mut args = vec!["encrypt", "--no-header-protection", "--recipient", cert];
    args.extend_from_slice(extra);
    let out = smime(&args, &msg::plain());
    assert_eq!(out.status.code(), Some(0), "{}", describe(&args, &out));
    out.stdout
}

#[test]
fn unknown_capabilities_give_aes_256_cbc_and_say_why() {
    let dir = common::temp_dir();
    let (store, cert) = store_with_carol(dir.path(), false);
    let v = check(dir.path(), &store, &[]);
    assert_eq!(v["recipients"][0]["capabilities"], Value::Null);
    assert_eq!(
        v["cipher"],
        json!({"name": "aes-256-cbc", "authenticated": false, "reason": "unknown-for-some"})
    );
    // Without --store and with it (nothing recorded): the same cipher.
    assert_eq!(cipher_of(&encrypt(&cert, &[])), "aes-256-cbc");
    assert_eq!(
        cipher_of(&encrypt(&cert, &["--store", &store])),
        "aes-256-cbc"
    );
    let enc = encrypt(&cert, &[]);
    msg::check_encrypted_shape(&enc, &msg::plain(), "enveloped-data");
}

#[test]
fn capabilities_announced_by_every_recipient_give_aes_256_gcm() {
    let dir = common::temp_dir();
    let (store, cert) = store_with_carol(dir.path(), true);
    let v = check(dir.path(), &store, &[]);
    assert_eq!(
        v["recipients"][0]["capabilities"],
        json!([
            "aes-256-gcm",
            "aes-128-gcm",
            "aes-256-cbc",
            "aes-192-cbc",
            "aes-128-cbc"
        ])
    );
    assert_eq!(
        v["cipher"],
        json!({"name": "aes-256-gcm", "authenticated": true, "reason": "announced-by-all"})
    );
    // `encrypt --store` counts the recorded capabilities; without --store they are
    // unknown.
    let enc = encrypt(&cert, &["--store", &store]);
    assert_eq!(cipher_of(&enc), "aes-256-gcm");
    msg::check_encrypted_shape(&enc, &msg::plain(), "authEnveloped-data");
    let carol = sample::carol().unwrap();
    let opened = smime::mime::decrypt_message_bytes(&enc, &carol).unwrap();
    assert!(opened.info().authenticated());
    assert_eq!(cipher_of(&encrypt(&cert, &[])), "aes-256-cbc");
    // A second recipient nobody knows anything about: back to AES-256-CBC.
    let out = smime(
        &[
            "check",
            "--to",
            "carol@outside.example",
            "--cc",
            "nobody@example.org",
            "--store",
            &store,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["cipher"]["reason"], "unknown-for-some");
    // --cipher still wins.
    assert_eq!(
        cipher_of(&encrypt(
            &cert,
            &["--store", &store, "--cipher", "aes-128-cbc"]
        )),
        "aes-128-cbc"
    );
}

#[test]
fn authenticated_only_gives_aes_256_gcm_by_policy() {
    let dir = common::temp_dir();
    let (store, cert) = store_with_carol(dir.path(), false);
    let v = check(dir.path(), &store, &["--authenticated-only"]);
    assert_eq!(
        v["cipher"],
        json!({"name": "aes-256-gcm", "authenticated": true, "reason": "policy"})
    );
    assert_eq!(
        cipher_of(&encrypt(&cert, &["--authenticated-only"])),
        "aes-256-gcm"
    );
    // With --cipher it is a usage error.
    let args = [
        "encrypt",
        "--recipient",
        &cert,
        "--authenticated-only",
        "--cipher",
        "aes-256-cbc",
    ];
    let out = smime(&args, &msg::plain());
    assert_eq!(out.status.code(), Some(2), "{}", describe(&args, &out));
    assert!(out.stdout.is_empty());
}
