//! Interoperability with Python `cryptography` (>= 45) `pkcs7` module, both directions,
//! through the `smime` CLI.
//!
//! Scope follows the peer's limits (/work/shared/PEERS.md, re-checked in
//! tests/peers_selfcheck.rs): it encrypts and decrypts only RSA PKCS#1 v1.5 key transport
//! with AES-128-CBC or AES-256-CBC, refuses subjectKeyIdentifier recipients and
//! indefinite-length BER, and refuses messages that also have an EC recipient. So the
//! tests here use `--cipher aes-128-cbc|aes-256-cbc --key-transport rsa-pkcs1 --rid
//! issuer-serial` and RSA recipients only; OAEP, GCM and SKI are covered against OpenSSL.

use crate::common;

use common::cli::{self, KeyFrom};
use common::pki::pki;
use common::{assert_bytes_eq, msg, python};

const CIPHERS: [&str; 2] = ["aes-128-cbc", "aes-256-cbc"];

fn flags(cipher: &str) -> [&str; 6] {
    [
        "--cipher",
        cipher,
        "--key-transport",
        "rsa-pkcs1",
        "--rid",
        "issuer-serial",
    ]
}

#[test]
fn ours_to_python_each_cipher() {
    let p = pki();
    for cipher in CIPHERS {
        for message in [msg::plain(), msg::multipart()] {
            let enc = cli::encrypt(p, &message, &["alice"], &flags(cipher));
            msg::check_encrypted_shape(&enc, &message, "enveloped-data");
            let expected = msg::inner_entity(&message);
            // The whole message (From/To/... then the pkcs7-mime headers) ...
            let dec = python::decrypt(&enc, &p.cert("alice"), &p.key("alice"))
                .unwrap_or_else(|e| panic!("python decrypt of ours ({cipher}): {e}"));
            assert_bytes_eq(&dec, &expected, &format!("python smime decrypt, {cipher}"));
            // ... and the raw CMS it carries (Python refuses BER: this also shows we
            // wrote definite lengths, or at least nothing Python's DER parser rejects).
            let dec = python::decrypt_der(&msg::cms_der(&enc), &p.cert("alice"), &p.key("alice"))
                .unwrap_or_else(|e| panic!("python DER decrypt of ours ({cipher}): {e}"));
            assert_bytes_eq(&dec, &expected, &format!("python DER decrypt, {cipher}"));
        }
    }
}

#[test]
fn ours_to_python_several_recipients_each_decrypts() {
    let p = pki();
    let message = msg::large();
    let everyone = ["alice", "bob", "dave", "erin"];
    let enc = cli::encrypt(p, &message, &everyone, &flags("aes-256-cbc"));
    for who in everyone {
        let dec = python::decrypt(&enc, &p.cert(who), &p.key(who))
            .unwrap_or_else(|e| panic!("python decrypt as {who}: {e}"));
        assert_bytes_eq(&dec, &msg::inner_entity(&message), who);
    }
    assert!(python::decrypt(&enc, &p.cert("carol"), &p.key("carol")).is_err());
}

#[test]
fn python_to_ours_each_cipher() {
    let p = pki();
    for cipher in CIPHERS {
        for (entity, what) in [
            (msg::entity(), "entity"),
            (msg::inner_entity(&msg::multipart()), "multipart"),
        ] {
            let enc = python::encrypt(&entity, &[&p.cert("bob")], cipher);
            let dec = cli::decrypt(p, &enc, "bob", KeyFrom::P12);
            assert_bytes_eq(&dec, &entity, &format!("python S/MIME {what} {cipher}"));
            let der = python::encrypt_der(&entity, &[&p.cert("bob")], cipher);
            let dec = cli::decrypt(p, &der, "bob", KeyFrom::CertKey);
            assert_bytes_eq(&dec, &entity, &format!("python DER {what} {cipher}"));
        }
    }
}

#[test]
fn python_to_ours_lf_input_is_canonicalised_by_python() {
    // Python canonicalises LF to CRLF before encrypting; we must hand back that CRLF form.
    let p = pki();
    let lf = b"Content-Type: text/plain\n\nfirst\nsecond\n".to_vec();
    let enc = python::encrypt(&lf, &[&p.cert("carol")], "aes-128-cbc");
    let dec = cli::decrypt(p, &enc, "carol", KeyFrom::P12Legacy);
    assert_bytes_eq(&dec, &msg::crlf(&lf), "LF input");
}

#[test]
fn python_to_ours_several_recipients_each_decrypts() {
    let p = pki();
    let entity = msg::entity();
    let everyone = ["alice", "bob", "carol", "dave", "erin"];
    let certs: Vec<_> = everyone.iter().map(|w| p.cert(w)).collect();
    let refs: Vec<&std::path::Path> = certs.iter().map(|c| c.as_path()).collect();
    let enc = python::encrypt(&entity, &refs, "aes-256-cbc");
    for who in everyone {
        let dec = cli::decrypt(p, &enc, who, KeyFrom::P12);
        assert_bytes_eq(&dec, &entity, who);
    }
}
