//! Proves the test harness itself: the generated PKI is what the other tests assume, and
//! each peer helper (OpenSSL, Python `cryptography`, gpgsm) round-trips with another peer.
//! None of this runs our code, so a failure here is a harness or environment problem.

use crate::common;

use common::msg;
use common::pki::{self, PASSWORD, PEOPLE, pki};
use common::{assert_bytes_eq, gpgsm::Gpgsm, openssl, python, run_checked};
use std::process::Command;

fn openssl_text(args: &[&str]) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args(args).env("PW", PASSWORD);
    String::from_utf8_lossy(&run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("{e}")))
        .into_owned()
}

#[test]
fn pki_certificates_chain_and_carry_the_promised_extensions() {
    let p = pki();
    for (who, kind) in PEOPLE {
        let cert = p.cert(who);
        let c = cert.to_str().unwrap();
        // Chains to the root through the intermediate. OpenSSL's smimeencrypt purpose
        // wants keyEncipherment, so EC (keyAgreement) certificates are checked for signing.
        let purpose = if kind.is_rsa() {
            "smimeencrypt"
        } else {
            "smimesign"
        };
        let v = openssl_text(&[
            "verify",
            "-CAfile",
            p.root().to_str().unwrap(),
            "-untrusted",
            p.intermediate().to_str().unwrap(),
            "-purpose",
            purpose,
            c,
        ]);
        assert!(v.trim_end().ends_with(": OK"), "{who}: {v}");
        let text = openssl_text(&["x509", "-in", c, "-noout", "-text"]);
        assert!(
            text.contains(&format!("email:{who}@example.com")),
            "{who} SAN: {text}"
        );
        assert!(text.contains("X509v3 Subject Key Identifier"), "{who} SKI");
        assert!(
            text.contains("X509v3 Authority Key Identifier"),
            "{who} AKI"
        );
        assert!(text.contains("E-mail Protection"), "{who} EKU");
        assert!(
            text.contains("Issuer: O = smime tests, CN = Test Intermediate CA"),
            "{who} issuer"
        );
        match kind {
            pki::KeyKind::Rsa(bits) => {
                assert!(
                    text.contains(&format!("Public-Key: ({bits} bit)")),
                    "{who} size"
                );
                assert!(
                    text.contains("Digital Signature, Key Encipherment"),
                    "{who} KU: {text}"
                );
            }
            pki::KeyKind::Ec(curve) => {
                assert!(
                    text.contains(&format!("NIST CURVE: {curve}")),
                    "{who} curve"
                );
                assert!(
                    text.contains("Digital Signature, Key Agreement"),
                    "{who} KU: {text}"
                );
            }
        }
        // Key files match the certificate.
        let cert_pub = openssl_text(&["x509", "-in", c, "-noout", "-pubkey"]);
        let key_pub = openssl_text(&["pkey", "-in", p.key(who).to_str().unwrap(), "-pubout"]);
        assert_eq!(cert_pub, key_pub, "{who}: key does not match certificate");
        let enc_pub = openssl_text(&[
            "pkey",
            "-in",
            p.key_encrypted(who).to_str().unwrap(),
            "-passin",
            "env:PW",
            "-pubout",
        ]);
        assert_eq!(cert_pub, enc_pub, "{who}: encrypted key");
        assert!(
            std::fs::read_to_string(p.key_encrypted(who))
                .unwrap()
                .contains("BEGIN ENCRYPTED PRIVATE KEY")
        );
        // PKCS#12: OpenSSL 3 defaults and -legacy, each with key, certificate and chain.
        let dump = |file: &str, legacy: bool| {
            let mut cmd = Command::new("openssl");
            cmd.args([
                "pkcs12", "-in", file, "-info", "-nokeys", "-passin", "env:PW",
            ])
            .env("PW", PASSWORD);
            if legacy {
                cmd.arg("-legacy");
            }
            let out = common::run(&mut cmd, b"");
            assert!(
                out.status.success(),
                "{file}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let (certs, info) = dump(p.p12(who).to_str().unwrap(), false);
        assert_eq!(
            certs.matches("BEGIN CERTIFICATE").count(),
            3,
            "{who}.p12 holds cert + chain"
        );
        assert!(
            info.contains("PBES2") && info.contains("MAC: sha256"),
            "{who}.p12 is OpenSSL 3 default: {info}"
        );
        let (certs, info) = dump(p.p12_legacy(who).to_str().unwrap(), true);
        assert_eq!(
            certs.matches("BEGIN CERTIFICATE").count(),
            3,
            "{who}.legacy.p12 holds cert + chain"
        );
        assert!(
            info.contains("pbeWithSHA1And40BitRC2-CBC") && info.contains("MAC: sha1"),
            "{who}.legacy.p12 is legacy: {info}"
        );
    }
}

#[test]
fn serials_and_keys_are_fresh_and_distinct() {
    let p = pki();
    let mut serials = std::collections::HashSet::new();
    let mut keys = std::collections::HashSet::new();
    for (who, _) in PEOPLE {
        let serial = openssl_text(&[
            "x509",
            "-in",
            p.cert(who).to_str().unwrap(),
            "-noout",
            "-serial",
        ]);
        assert!(serials.insert(serial), "{who}: duplicate serial");
        assert!(
            keys.insert(std::fs::read(p.key(who)).unwrap()),
            "{who}: duplicate key"
        );
    }
}

#[test]
fn inner_entity_is_content_fields_and_body_in_crlf() {
    let m = b"From: a@example.com\nTo: b@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed;\n boundary=\"x\"\nSubject: s\nContent-Transfer-Encoding: 7bit\n\nbody\nline\n";
    assert_bytes_eq(
        &msg::inner_entity(m),
        b"Content-Type: multipart/mixed;\r\n boundary=\"x\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\nbody\r\nline\r\n",
        "inner_entity",
    );
    assert_eq!(
        msg::header(m, "content-type").as_deref(),
        Some("multipart/mixed; boundary=\"x\"")
    );
    assert_eq!(msg::header(m, "Cc"), None);
    assert_eq!(msg::crlf(b"a\r\nb\nc"), b"a\r\nb\r\nc");
    let wrapped = msg::wrap_enveloped(b"\x30\x03\x02\x01\x00");
    assert_eq!(msg::cms_der(&wrapped), b"\x30\x03\x02\x01\x00");
}

#[test]
fn openssl_to_openssl_every_cipher_and_key_transport() {
    let p = pki();
    let entity = msg::entity();
    for cipher in [
        "aes-128-cbc",
        "aes-192-cbc",
        "aes-256-cbc",
        "aes-128-gcm",
        "aes-256-gcm",
    ] {
        for oaep in [None, Some("sha1"), Some("sha256")] {
            for stream in [false, true] {
                let enc = openssl::encrypt(
                    &entity,
                    &[&p.cert("alice"), &p.cert("dave")],
                    cipher,
                    oaep,
                    stream,
                );
                assert_eq!(
                    openssl::has_indefinite_length(&msg::cms_der(&enc)),
                    stream,
                    "{cipher} {oaep:?} stream={stream}"
                );
                for who in ["alice", "dave"] {
                    let dec = openssl::decrypt(&enc, &p.cert(who), &p.key(who)).unwrap();
                    assert_bytes_eq(
                        &dec,
                        &entity,
                        &format!("{cipher} {oaep:?} stream={stream} {who}"),
                    );
                }
            }
        }
    }
    // The print helper shows what the interop tests look for.
    let der = openssl::encrypt_with(
        &entity,
        &[&p.cert("alice")],
        &openssl::EncryptOptions {
            oaep: Some("sha256"),
            keyid: true,
            der: true,
            ..openssl::EncryptOptions::new("aes-256-gcm")
        },
    );
    let dump = openssl::print_der(&der);
    for needle in [
        "rsaesOaep",
        ":sha256",
        "d.subjectKeyIdentifier",
        "aes-256-gcm",
        "id-smime-ct-authEnvelopedData",
    ] {
        assert!(dump.contains(needle), "{needle} not in {dump}");
    }
    assert_bytes_eq(
        &openssl::decrypt_der(&der, &p.cert("alice"), &p.key("alice")).unwrap(),
        &entity,
        "DER",
    );
    // A non-recipient fails with openssl's message.
    let err = openssl::decrypt_der(&der, &p.cert("bob"), &p.key("bob")).unwrap_err();
    assert!(err.contains("openssl cms -decrypt"), "{err}");
}

#[test]
fn openssl_mixed_ec_and_rsa_recipients() {
    let p = pki();
    let entity = msg::entity();
    let enc = openssl::encrypt(
        &entity,
        &[&p.cert("frank"), &p.cert("grace"), &p.cert("alice")],
        "aes-128-cbc",
        None,
        false,
    );
    for who in ["frank", "grace", "alice"] {
        assert_bytes_eq(
            &openssl::decrypt(&enc, &p.cert(who), &p.key(who)).unwrap(),
            &entity,
            who,
        );
    }
    let dump = openssl::print_der(&msg::cms_der(&enc));
    assert!(
        dump.contains("d.kari"),
        "EC recipients use key agreement: {dump}"
    );
}

#[test]
fn python_to_openssl_and_back() {
    let p = pki();
    let entity = msg::entity();
    for cipher in ["aes-128-cbc", "aes-256-cbc"] {
        let enc = python::encrypt(&entity, &[&p.cert("alice"), &p.cert("erin")], cipher);
        assert_eq!(
            msg::header(&enc, "Content-Type").unwrap().replace('"', ""),
            "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m"
        );
        for who in ["alice", "erin"] {
            assert_bytes_eq(
                &openssl::decrypt(&enc, &p.cert(who), &p.key(who)).unwrap(),
                &entity,
                cipher,
            );
        }
        let der = python::encrypt_der(&entity, &[&p.cert("bob")], cipher);
        assert_bytes_eq(
            &openssl::decrypt_der(&der, &p.cert("bob"), &p.key("bob")).unwrap(),
            &entity,
            cipher,
        );

        let enc = openssl::encrypt(&entity, &[&p.cert("bob")], cipher, None, false);
        assert_bytes_eq(
            &python::decrypt(&enc, &p.cert("bob"), &p.key("bob")).unwrap(),
            &entity,
            cipher,
        );
        let der = msg::cms_der(&enc);
        assert_bytes_eq(
            &python::decrypt_der(&der, &p.cert("bob"), &p.key("bob")).unwrap(),
            &entity,
            cipher,
        );
    }
    // Python reads whole messages with From/To before the MIME headers.
    let mut whole = b"From: a@example.com\r\nTo: bob@example.com\r\nSubject: s\r\n".to_vec();
    whole.extend(msg::crlf(&openssl::encrypt(
        &entity,
        &[&p.cert("bob")],
        "aes-256-cbc",
        None,
        false,
    )));
    assert_bytes_eq(
        &python::decrypt(&whole, &p.cert("bob"), &p.key("bob")).unwrap(),
        &entity,
        "whole message",
    );
    // Its documented limit: indefinite-length BER is refused (so the interop tests
    // never feed it streamed output).
    let streamed = openssl::encrypt(&entity, &[&p.cert("bob")], "aes-256-cbc", None, true);
    assert!(python::decrypt(&streamed, &p.cert("bob"), &p.key("bob")).is_err());
}

#[test]
fn gpgsm_to_openssl_and_back() {
    let p = pki();
    let entity = msg::entity();
    let g = Gpgsm::with_identity(p, "alice");
    // gpgsm's default (AES-128-CBC) and the others, to alice and to a second recipient.
    for algo in [None, Some("AES192"), Some("AES256")] {
        let der = g.encrypt_with(&entity, &[&p.cert("alice"), &p.cert("dave")], algo);
        let dump = openssl::print_der(&der);
        let want = match algo {
            None => "aes-128-cbc",
            Some("AES192") => "aes-192-cbc",
            _ => "aes-256-cbc",
        };
        assert!(dump.contains(want), "gpgsm --cipher-algo {algo:?}: {dump}");
        for who in ["alice", "dave"] {
            assert_bytes_eq(
                &openssl::decrypt_der(&der, &p.cert(who), &p.key(who)).unwrap(),
                &entity,
                want,
            );
        }
        // The wrapped form is what the CLI tests feed our decryptor.
        let wrapped = msg::wrap_enveloped(&der);
        assert_bytes_eq(
            &openssl::decrypt(&wrapped, &p.cert("alice"), &p.key("alice")).unwrap(),
            &entity,
            "wrapped",
        );
    }
    // Default encrypt helper: one recipient, AES-128-CBC.
    let der = g.encrypt(&entity, &p.cert("bob"));
    assert!(openssl::print_der(&der).contains("aes-128-cbc"));
    assert_bytes_eq(
        &openssl::decrypt_der(&der, &p.cert("bob"), &p.key("bob")).unwrap(),
        &entity,
        "bob",
    );
    for cipher in ["aes-128-cbc", "aes-192-cbc", "aes-256-cbc"] {
        let der = openssl::encrypt_with(
            &entity,
            &[&p.cert("alice")],
            &openssl::EncryptOptions {
                der: true,
                ..openssl::EncryptOptions::new(cipher)
            },
        );
        assert_bytes_eq(&g.decrypt(&der).unwrap(), &entity, cipher);
        // gpgsm takes raw CMS, not the S/MIME message (documented quirk).
        let smime = openssl::encrypt(&entity, &[&p.cert("alice")], cipher, None, false);
        assert!(
            g.decrypt(&smime).is_err(),
            "gpgsm now reads S/MIME messages: update the harness notes"
        );
        assert_bytes_eq(&g.decrypt(&msg::cms_der(&smime)).unwrap(), &entity, cipher);
    }
    // Several recipients, ours not the first and the others unknown to gpgsm: the quirk
    // its helper tolerates (exit 2 with the right plaintext) still gives the plaintext.
    let d = Gpgsm::with_identity(p, "dave");
    let certs = [
        p.cert("alice"),
        p.cert("bob"),
        p.cert("carol"),
        p.cert("dave"),
    ];
    let refs: Vec<&std::path::Path> = certs.iter().map(|c| c.as_path()).collect();
    let o = openssl::EncryptOptions {
        der: true,
        ..openssl::EncryptOptions::new("aes-256-cbc")
    };
    let der = openssl::encrypt_with(&entity, &refs, &o);
    assert_bytes_eq(&d.decrypt(&der).unwrap(), &entity, "gpgsm, 4 recipients");
    // Not a recipient: a clean error.
    let der = openssl::encrypt_with(
        &entity,
        &[&p.cert("bob")],
        &openssl::EncryptOptions {
            der: true,
            ..openssl::EncryptOptions::new("aes-128-cbc")
        },
    );
    assert!(g.decrypt(&der).is_err());
}
