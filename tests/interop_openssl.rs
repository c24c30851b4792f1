//! Interoperability with OpenSSL 3.0 (`openssl cms`), both directions, through the
//! `smime` CLI. Every test checks the exact plaintext: the inner MIME entity
//! (`Content-*` fields and body, CRLF) that the original message carried.
//!
//! ours -> openssl: every content cipher x every RSA key transport x both recipient
//! identifier kinds, with the CMS structure checked too (so a flag the CLI ignored fails).
//! openssl -> ours: every cipher, PKCS#1 v1.5 and OAEP (SHA-1, OpenSSL's default, and
//! SHA-256), DER and `-stream` BER, S/MIME, raw DER and `.p7m` octet-stream input, several
//! recipients, SKI recipients, and EC recipients next to the RSA one.

use crate::common;

use common::cli::{self, KeyFrom};
use common::openssl::{self, EncryptOptions};
use common::pki::pki;
use common::{assert_bytes_eq, msg};

/// A key-transport choice: its name, the CLI flags, and the OAEP hash (None: PKCS#1 v1.5).
type KeyTransport = (&'static str, &'static [&'static str], Option<&'static str>);

const PKCS1: KeyTransport = ("rsa-pkcs1", &["--key-transport", "rsa-pkcs1"], None);
const OAEP_SHA256: KeyTransport = (
    "rsa-oaep sha256",
    &["--key-transport", "rsa-oaep", "--oaep-hash", "sha256"],
    Some("sha256"),
);
const OAEP_SHA1: KeyTransport = (
    "rsa-oaep sha1",
    &["--key-transport", "rsa-oaep", "--oaep-hash", "sha1"],
    Some("sha1"),
);

/// Checks with `openssl cms -print` that the CMS is what was asked for: content type,
/// content cipher, one key-transport recipient per expected recipient with the right
/// algorithm, OAEP hash and identifier kind.
#[track_caller]
fn check_structure(der: &[u8], cipher: &str, kt: KeyTransport, rid: &str, recipients: usize) {
    let dump = openssl::print_der(der);
    let ctx = format!("cipher {cipher}, {}, rid {rid}:\n{dump}", kt.0);
    let content_type = if cipher.contains("gcm") {
        "contentType: id-smime-ct-authEnvelopedData"
    } else {
        "contentType: pkcs7-envelopedData"
    };
    assert!(
        dump.contains(content_type),
        "expected {content_type}; {ctx}"
    );
    assert!(
        dump.contains(&format!("algorithm: {cipher} (")),
        "content cipher; {ctx}"
    );
    assert_eq!(
        dump.matches("d.ktri:").count(),
        recipients,
        "KeyTransRecipientInfos; {ctx}"
    );
    let rid_tag = if rid == "ski" {
        "d.subjectKeyIdentifier:"
    } else {
        "d.issuerAndSerialNumber:"
    };
    assert_eq!(
        dump.matches(rid_tag).count(),
        recipients,
        "recipient identifiers; {ctx}"
    );
    match kt.2 {
        None => {
            assert_eq!(
                dump.matches("algorithm: rsaEncryption (").count(),
                recipients,
                "{ctx}"
            )
        }
        Some(hash) => {
            assert_eq!(
                dump.matches("algorithm: rsaesOaep (").count(),
                recipients,
                "{ctx}"
            );
            // SHA-1 is OAEP's default, so DER omits it; SHA-256 must be named.
            assert_eq!(
                dump.contains(":sha256"),
                hash == "sha256",
                "OAEP hash; {ctx}"
            );
        }
    }
}

/// ours -> openssl for one cipher and key transport, both identifier kinds.
fn ours_to_openssl(cipher: &str, kt: KeyTransport) {
    let p = pki();
    let message = msg::plain();
    let expected = msg::inner_entity(&message);
    for rid in ["issuer-serial", "ski"] {
        let mut flags = vec!["--cipher", cipher, "--rid", rid];
        flags.extend_from_slice(kt.1);
        let enc = cli::encrypt(p, &message, &["alice"], &flags);
        let der = msg::check_encrypted_shape(&enc, &message, msg::smime_type(cipher));
        check_structure(&der, cipher, kt, rid, 1);
        let dec = openssl::decrypt(&enc, &p.cert("alice"), &p.key("alice"))
            .unwrap_or_else(|e| panic!("{cipher} {} {rid}: {e}", kt.0));
        assert_bytes_eq(
            &dec,
            &expected,
            &format!("openssl decrypt of ours, {cipher} {} {rid}", kt.0),
        );
    }
}

macro_rules! ours_to_openssl_tests {
    ($($name:ident: $cipher:literal, $kt:expr;)*) => {$(
        #[test]
        fn $name() {
            ours_to_openssl($cipher, $kt);
        }
    )*};
}

ours_to_openssl_tests! {
    ours_to_openssl_aes128cbc_pkcs1: "aes-128-cbc", PKCS1;
    ours_to_openssl_aes128cbc_oaep_sha256: "aes-128-cbc", OAEP_SHA256;
    ours_to_openssl_aes128cbc_oaep_sha1: "aes-128-cbc", OAEP_SHA1;
    ours_to_openssl_aes192cbc_pkcs1: "aes-192-cbc", PKCS1;
    ours_to_openssl_aes192cbc_oaep_sha256: "aes-192-cbc", OAEP_SHA256;
    ours_to_openssl_aes192cbc_oaep_sha1: "aes-192-cbc", OAEP_SHA1;
    ours_to_openssl_aes256cbc_pkcs1: "aes-256-cbc", PKCS1;
    ours_to_openssl_aes256cbc_oaep_sha256: "aes-256-cbc", OAEP_SHA256;
    ours_to_openssl_aes256cbc_oaep_sha1: "aes-256-cbc", OAEP_SHA1;
    ours_to_openssl_aes128gcm_pkcs1: "aes-128-gcm", PKCS1;
    ours_to_openssl_aes128gcm_oaep_sha256: "aes-128-gcm", OAEP_SHA256;
    ours_to_openssl_aes128gcm_oaep_sha1: "aes-128-gcm", OAEP_SHA1;
    ours_to_openssl_aes256gcm_pkcs1: "aes-256-gcm", PKCS1;
    ours_to_openssl_aes256gcm_oaep_sha256: "aes-256-gcm", OAEP_SHA256;
    ours_to_openssl_aes256gcm_oaep_sha1: "aes-256-gcm", OAEP_SHA1;
}

#[test]
fn ours_to_openssl_several_recipients_each_decrypts() {
    let p = pki();
    let everyone = ["alice", "bob", "carol", "dave", "erin"];
    for (cipher, kt, rid) in [
        ("aes-256-gcm", OAEP_SHA256, "ski"),
        ("aes-128-cbc", PKCS1, "issuer-serial"),
    ] {
        let message = msg::multipart();
        let mut flags = vec!["--cipher", cipher, "--rid", rid];
        flags.extend_from_slice(kt.1);
        let enc = cli::encrypt(p, &message, &everyone, &flags);
        let der = msg::check_encrypted_shape(&enc, &message, msg::smime_type(cipher));
        check_structure(&der, cipher, kt, rid, everyone.len());
        for who in everyone {
            let dec = openssl::decrypt(&enc, &p.cert(who), &p.key(who))
                .unwrap_or_else(|e| panic!("{who}, {cipher}: {e}"));
            assert_bytes_eq(
                &dec,
                &msg::inner_entity(&message),
                &format!("{who} {cipher}"),
            );
        }
        // Someone who is not a recipient cannot.
        assert!(openssl::decrypt(&enc, &p.cert("frank"), &p.key("frank")).is_err());
    }
}

#[test]
fn ours_to_openssl_defaults_lf_input_and_large_message() {
    let p = pki();
    // No --cipher/--key-transport/--rid: whatever the defaults are, OpenSSL reads them.
    for message in [msg::lf_only(), msg::large(), msg::multipart()] {
        let enc = cli::encrypt(p, &message, &["bob"], &[]);
        let ct = msg::header(&enc, "Content-Type").unwrap_or_default();
        assert!(ct.contains("application/pkcs7-mime"), "{ct}");
        let dec = openssl::decrypt(&enc, &p.cert("bob"), &p.key("bob")).unwrap();
        assert_bytes_eq(&dec, &msg::inner_entity(&message), "defaults");
    }
}

/// openssl -> ours for one cipher: PKCS#1 v1.5, OAEP SHA-1 and SHA-256, DER and `-stream`.
fn openssl_to_ours(cipher: &str) {
    let p = pki();
    let entity = msg::entity();
    let keys = [KeyFrom::P12, KeyFrom::CertKey];
    let mut n = 0;
    for oaep in [None, Some("sha1"), Some("sha256")] {
        for stream in [false, true] {
            let enc = openssl::encrypt(&entity, &[&p.cert("alice")], cipher, oaep, stream);
            let key = keys[n % keys.len()];
            n += 1;
            let dec = cli::decrypt(p, &enc, "alice", key);
            assert_bytes_eq(
                &dec,
                &entity,
                &format!(
                    "ours decrypting openssl {cipher} oaep={oaep:?} stream={stream} ({key:?})"
                ),
            );
        }
    }
}

#[test]
fn openssl_to_ours_aes128cbc() {
    openssl_to_ours("aes-128-cbc");
}

#[test]
fn openssl_to_ours_aes192cbc() {
    openssl_to_ours("aes-192-cbc");
}

#[test]
fn openssl_to_ours_aes256cbc() {
    openssl_to_ours("aes-256-cbc");
}

#[test]
fn openssl_to_ours_aes128gcm() {
    openssl_to_ours("aes-128-gcm");
}

#[test]
fn openssl_to_ours_aes256gcm() {
    openssl_to_ours("aes-256-gcm");
}

#[test]
fn openssl_to_ours_raw_der_and_ber_and_p7m_octet_stream() {
    let p = pki();
    let entity = msg::entity();
    for cipher in ["aes-256-cbc", "aes-128-gcm"] {
        for stream in [false, true] {
            let o = EncryptOptions {
                der: true,
                stream,
                ..EncryptOptions::new(cipher)
            };
            let der = openssl::encrypt_with(&entity, &[&p.cert("bob")], &o);
            assert_eq!(openssl::has_indefinite_length(&der), stream);
            let what = format!("{cipher} stream={stream}");
            let dec = cli::decrypt(p, &der, "bob", KeyFrom::CertKey);
            assert_bytes_eq(&dec, &entity, &format!("raw CMS, {what}"));
            let dec = cli::decrypt(p, &msg::wrap_octet_stream_p7m(&der), "bob", KeyFrom::P12);
            assert_bytes_eq(&dec, &entity, &format!(".p7m octet-stream, {what}"));
            let dec = cli::decrypt(p, &msg::wrap_enveloped(&der), "bob", KeyFrom::P12);
            assert_bytes_eq(&dec, &entity, &format!("whole message, {what}"));
        }
    }
}

#[test]
fn openssl_to_ours_large_streamed_message() {
    let p = pki();
    let entity = msg::inner_entity(&msg::large());
    for cipher in ["aes-128-cbc", "aes-256-gcm"] {
        let enc = openssl::encrypt(&entity, &[&p.cert("dave")], cipher, Some("sha256"), true);
        let dec = cli::decrypt(p, &enc, "dave", KeyFrom::P12);
        assert_bytes_eq(&dec, &entity, &format!("large {cipher}"));
    }
}

#[test]
fn openssl_to_ours_several_recipients_each_decrypts() {
    let p = pki();
    let entity = msg::entity();
    let everyone = ["alice", "bob", "carol", "dave", "erin"];
    let certs: Vec<_> = everyone.iter().map(|w| p.cert(w)).collect();
    let refs: Vec<&std::path::Path> = certs.iter().map(|c| c.as_path()).collect();
    for (cipher, oaep) in [("aes-256-gcm", Some("sha256")), ("aes-128-cbc", None)] {
        let enc = openssl::encrypt(&entity, &refs, cipher, oaep, false);
        for who in everyone {
            let dec = cli::decrypt(p, &enc, who, KeyFrom::P12);
            assert_bytes_eq(&dec, &entity, &format!("{who}, {cipher}"));
        }
    }
}

#[test]
fn openssl_to_ours_subject_key_identifier_recipients() {
    let p = pki();
    let entity = msg::entity();
    for (cipher, oaep) in [("aes-128-gcm", None), ("aes-256-cbc", Some("sha256"))] {
        let o = EncryptOptions {
            keyid: true,
            oaep,
            ..EncryptOptions::new(cipher)
        };
        let enc = openssl::encrypt_with(&entity, &[&p.cert("carol"), &p.cert("alice")], &o);
        assert!(openssl::print_der(&msg::cms_der(&enc)).contains("d.subjectKeyIdentifier"));
        for who in ["carol", "alice"] {
            let dec = cli::decrypt(p, &enc, who, KeyFrom::CertKey);
            assert_bytes_eq(&dec, &entity, &format!("SKI recipient {who}, {cipher}"));
        }
    }
}

#[test]
fn openssl_to_ours_ec_and_rsa_recipients_rsa_still_decrypts() {
    // EC recipients get KeyAgreeRecipientInfos (ECDH); the RSA recipient's
    // KeyTransRecipientInfo must still be found among them.
    let p = pki();
    let entity = msg::entity();
    for cipher in ["aes-128-cbc", "aes-256-gcm"] {
        let certs = [
            p.cert("frank"),
            p.cert("alice"),
            p.cert("grace"),
            p.cert("bob"),
        ];
        let refs: Vec<&std::path::Path> = certs.iter().map(|c| c.as_path()).collect();
        let enc = openssl::encrypt(&entity, &refs, cipher, None, false);
        assert!(openssl::print_der(&msg::cms_der(&enc)).contains("d.kari"));
        for who in ["alice", "bob"] {
            let dec = cli::decrypt(p, &enc, who, KeyFrom::P12);
            assert_bytes_eq(&dec, &entity, &format!("mixed EC+RSA, {who}, {cipher}"));
        }
    }
}

#[test]
fn openssl_to_ours_legacy_pkcs12_and_encrypted_key() {
    let p = pki();
    let entity = msg::entity();
    let enc = openssl::encrypt(
        &entity,
        &[&p.cert("erin")],
        "aes-256-gcm",
        Some("sha1"),
        false,
    );
    for key in [KeyFrom::P12Legacy, KeyFrom::CertEncryptedKey] {
        let dec = cli::decrypt(p, &enc, "erin", key);
        assert_bytes_eq(&dec, &entity, &format!("RSA-4096 with {key:?}"));
    }
}

#[test]
fn ours_to_openssl_ecdh_p256_and_p384() {
    // ECDH ES KeyAgreeRecipientInfo (RFC 5753): P-256 with the SHA-256 X9.63 KDF,
    // P-384 with SHA-384, key wrap of the content's strength (RFC 8551 §2.3).
    let p = pki();
    let message = msg::multipart();
    for (cipher, wrap) in [
        ("aes-128-cbc", "id-aes128-wrap"),
        ("aes-256-cbc", "id-aes256-wrap"),
        ("aes-128-gcm", "id-aes128-wrap"),
        ("aes-256-gcm", "id-aes256-wrap"),
    ] {
        for rid in ["issuer-serial", "ski"] {
            let enc = cli::encrypt(
                p,
                &message,
                &["frank", "grace"],
                &["--cipher", cipher, "--rid", rid],
            );
            let der = msg::check_encrypted_shape(&enc, &message, msg::smime_type(cipher));
            let dump = openssl::print_der(&der);
            let ctx = format!("{cipher} {rid}:\n{dump}");
            assert_eq!(dump.matches("d.kari:").count(), 2, "{ctx}");
            assert!(
                dump.contains("dhSinglePass-stdDH-sha256kdf-scheme"),
                "{ctx}"
            );
            assert!(
                dump.contains("dhSinglePass-stdDH-sha384kdf-scheme"),
                "{ctx}"
            );
            assert_eq!(dump.matches(&format!(":{wrap}")).count(), 2, "{ctx}");
            let rid_tag = if rid == "ski" {
                "d.rKeyId:"
            } else {
                "d.issuerAndSerialNumber:"
            };
            assert_eq!(dump.matches(rid_tag).count(), 2, "{ctx}");
            for who in ["frank", "grace"] {
                let dec = openssl::decrypt(&enc, &p.cert(who), &p.key(who))
                    .unwrap_or_else(|e| panic!("{who}, {cipher}, {rid}: {e}"));
                assert_bytes_eq(
                    &dec,
                    &msg::inner_entity(&message),
                    &format!("{who} {cipher} {rid}"),
                );
                // And our own side opens it too.
                let ours = cli::decrypt(p, &enc, who, KeyFrom::CertKey);
                assert_bytes_eq(
                    &ours,
                    &msg::inner_entity(&message),
                    &format!("ours {who} {cipher}"),
                );
            }
            assert!(openssl::decrypt(&enc, &p.cert("alice"), &p.key("alice")).is_err());
        }
    }
}

#[test]
fn ours_to_openssl_mixed_rsa_and_ec_recipients() {
    // One message, RSA key transport and ECDH key agreement side by side.
    let p = pki();
    let message = msg::plain();
    let everyone = ["alice", "frank", "bob", "grace"];
    for cipher in ["aes-256-gcm", "aes-128-cbc"] {
        let enc = cli::encrypt(p, &message, &everyone, &["--cipher", cipher]);
        let der = msg::check_encrypted_shape(&enc, &message, msg::smime_type(cipher));
        let dump = openssl::print_der(&der);
        assert_eq!(dump.matches("d.ktri:").count(), 2, "{dump}");
        assert_eq!(dump.matches("d.kari:").count(), 2, "{dump}");
        for who in everyone {
            let dec = openssl::decrypt(&enc, &p.cert(who), &p.key(who))
                .unwrap_or_else(|e| panic!("{who}, {cipher}: {e}"));
            assert_bytes_eq(
                &dec,
                &msg::inner_entity(&message),
                &format!("{who} {cipher}"),
            );
        }
    }
}

#[test]
fn openssl_to_ours_ecdh_p256_and_p384() {
    // OpenSSL's default ECDH KDF is the SHA-1 X9.63 one (dhSinglePass-stdDH-sha1kdf).
    let p = pki();
    let entity = msg::entity();
    for cipher in [
        "aes-128-cbc",
        "aes-192-cbc",
        "aes-256-cbc",
        "aes-128-gcm",
        "aes-256-gcm",
    ] {
        for who in ["frank", "grace"] {
            let enc = openssl::encrypt(&entity, &[&p.cert(who)], cipher, None, false);
            let dump = openssl::print_der(&msg::cms_der(&enc));
            assert!(dump.contains("dhSinglePass-stdDH-sha1kdf-scheme"), "{dump}");
            for key in [KeyFrom::P12, KeyFrom::CertKey] {
                let dec = cli::decrypt(p, &enc, who, key);
                assert_bytes_eq(&dec, &entity, &format!("{who} {cipher} {key:?}"));
            }
        }
    }
    // -stream (indefinite-length BER), both EC recipients in one message.
    let o = EncryptOptions {
        stream: true,
        ..EncryptOptions::new("aes-256-gcm")
    };
    let enc = openssl::encrypt_with(&entity, &[&p.cert("grace"), &p.cert("frank")], &o);
    for who in ["frank", "grace"] {
        let dec = cli::decrypt(p, &enc, who, KeyFrom::P12);
        assert_bytes_eq(&dec, &entity, &format!("{who} -stream"));
    }
}
