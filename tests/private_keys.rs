//! Private keys (`PrivateKey::from_pem` / `from_der`) and PEM identities
//! (`Identity::from_pem`, `Identity::new`): every format OpenSSL writes, made at
//! test time with the `openssl` CLI for RSA-2048, P-256 and P-384, plus key files
//! from the shared corpora.

#[allow(dead_code)]
use crate::sample;

use std::path::{Path, PathBuf};

use smime::{Certificate, Error, Identity, KeyError, PrivateKey};

fn testdata(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata")).join(rel)
}

use crate::common::openssl_in as openssl;

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Rsa,
    P256,
    P384,
}

const KINDS: [Kind; 3] = [Kind::Rsa, Kind::P256, Kind::P384];

/// `key.pem` (PKCS#8) and a self-signed `cert.pem` for it.
fn make_key_and_cert(dir: &Path, kind: Kind) {
    let opt = match kind {
        Kind::Rsa => ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        Kind::P256 => ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        Kind::P384 => ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    };
    let mut args = vec!["genpkey"];
    args.extend_from_slice(&opt);
    args.extend_from_slice(&["-out", "key.pem"]);
    openssl(dir, &args);
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            "/CN=Key Test",
            "-days",
            "30",
            "-out",
            "cert.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ],
    );
}

fn assert_kind(key: &PrivateKey, kind: Kind) {
    match (kind, key) {
        (Kind::Rsa, PrivateKey::Rsa(_))
        | (Kind::P256, PrivateKey::P256(_))
        | (Kind::P384, PrivateKey::P384(_)) => {}
        (kind, key) => panic!("expected a {kind:?} key, got {key:?}"),
    }
}

/// Loads `file` (PEM or DER) with `password`, checks the kind, that its public
/// half is what `openssl pkey -pubout` says, and that it pairs with `cert.pem`.
fn check_loads(dir: &Path, kind: Kind, file: &str, password: Option<&[u8]>) {
    let bytes = read(dir, file);
    let key =
        PrivateKey::from_pem(&bytes, password).unwrap_or_else(|e| panic!("{kind:?} {file}: {e:?}"));
    assert_kind(&key, kind);
    assert_eq!(
        key.public_key_info_der().unwrap(),
        read(dir, "pub.der"),
        "{kind:?} {file}"
    );
    let cert = read(dir, "cert.pem");
    let identity = Identity::from_pem(&cert, &bytes, password)
        .unwrap_or_else(|e| panic!("{kind:?} {file} identity: {e:?}"));
    assert_kind(identity.private_key(), kind);
    assert!(identity.chain().is_empty());
}

fn expect_key_error(result: Result<PrivateKey, KeyError>, what: &str) -> KeyError {
    match result {
        Ok(key) => panic!("{what}: expected an error, got {key:?}"),
        Err(e) => e,
    }
}

#[test]
fn pkcs8_pem_and_der() {
    for kind in KINDS {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        make_key_and_cert(d, kind);
        check_loads(d, kind, "key.pem", None);
        openssl(
            d,
            &[
                "pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-outform", "DER", "-out",
                "key.der",
            ],
        );
        check_loads(d, kind, "key.der", None);
        let der = read(d, "key.der");
        assert_kind(&PrivateKey::from_pkcs8_der(&der).unwrap(), kind);
        assert_kind(&PrivateKey::from_der(&der, None).unwrap(), kind);
    }
}

#[test]
fn pkcs1_rsa_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_key_and_cert(d, Kind::Rsa);
    openssl(
        d,
        &["rsa", "-in", "key.pem", "-traditional", "-out", "rsa.pem"],
    );
    assert!(
        String::from_utf8(read(d, "rsa.pem"))
            .unwrap()
            .contains("BEGIN RSA PRIVATE KEY")
    );
    check_loads(d, Kind::Rsa, "rsa.pem", None);
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "key.pem",
            "-traditional",
            "-outform",
            "DER",
            "-out",
            "rsa.der",
        ],
    );
    check_loads(d, Kind::Rsa, "rsa.der", None);
}

#[test]
fn sec1_ec_private_key() {
    for kind in [Kind::P256, Kind::P384] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        make_key_and_cert(d, kind);
        openssl(d, &["ec", "-in", "key.pem", "-out", "ec.pem"]);
        assert!(
            String::from_utf8(read(d, "ec.pem"))
                .unwrap()
                .contains("BEGIN EC PRIVATE KEY")
        );
        check_loads(d, kind, "ec.pem", None);
        openssl(
            d,
            &["ec", "-in", "key.pem", "-outform", "DER", "-out", "ec.der"],
        );
        check_loads(d, kind, "ec.der", None);
        // Explicit curve parameters instead of the OID (Bouncy Castle writes these).
        openssl(
            d,
            &[
                "ec",
                "-in",
                "key.pem",
                "-param_enc",
                "explicit",
                "-out",
                "explicit.pem",
            ],
        );
        check_loads(d, kind, "explicit.pem", None);
        openssl(
            d,
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                "explicit.pem",
                "-out",
                "explicit8.pem",
            ],
        );
        check_loads(d, kind, "explicit8.pem", None);
        // Compressed public key inside the SEC1 structure.
        openssl(
            d,
            &[
                "ec",
                "-in",
                "key.pem",
                "-conv_form",
                "compressed",
                "-out",
                "compressed.pem",
            ],
        );
        check_loads(d, kind, "compressed.pem", None);
    }
    // `openssl ecparam -genkey` puts an EC PARAMETERS block first.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-out",
            "key.pem",
        ],
    );
    assert!(
        String::from_utf8(read(d, "key.pem"))
            .unwrap()
            .contains("EC PARAMETERS")
    );
    assert_kind(
        &PrivateKey::from_pem(&read(d, "key.pem"), None).unwrap(),
        Kind::P256,
    );
}

#[test]
fn encrypted_pkcs8() {
    for kind in KINDS {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        make_key_and_cert(d, kind);
        let variants: &[(&str, &[&str])] = &[
            // OpenSSL 3 default: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.
            ("aes256.pem", &["-v2", "aes-256-cbc"]),
            (
                "aes128-sha1.pem",
                &["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"],
            ),
            ("des3.pem", &["-v2", "des3"]),
            // PKCS#12 PBE (RFC 7292 Appendix C) inside PKCS#8.
            ("pbe-3des.pem", &["-v1", "PBE-SHA1-3DES"]),
        ];
        for (file, opts) in variants {
            let mut args = vec![
                "pkcs8",
                "-topk8",
                "-in",
                "key.pem",
                "-passout",
                "pass:correct horse",
                "-out",
                file,
            ];
            args.extend_from_slice(opts);
            openssl(d, &args);
            assert!(
                String::from_utf8(read(d, file))
                    .unwrap()
                    .contains("ENCRYPTED PRIVATE KEY")
            );
            check_loads(d, kind, file, Some(b"correct horse"));

            let pem = read(d, file);
            let e = expect_key_error(PrivateKey::from_pem(&pem, Some(b"battery staple")), file);
            assert!(
                matches!(e, KeyError::WrongPassword),
                "{kind:?} {file}: {e:?}"
            );
            let e = expect_key_error(PrivateKey::from_pem(&pem, None), file);
            assert!(
                matches!(e, KeyError::PasswordRequired),
                "{kind:?} {file}: {e:?}"
            );
            match Identity::from_pem(&read(d, "cert.pem"), &pem, Some(b"wrong")) {
                Err(Error::Key(KeyError::WrongPassword)) => {}
                other => panic!("{file}: expected WrongPassword, got {other:?}"),
            }
        }
        // DER form of the encrypted key.
        openssl(
            d,
            &[
                "pkcs8", "-topk8", "-in", "key.pem", "-passout", "pass:pw", "-outform", "DER",
                "-out", "enc.der",
            ],
        );
        let der = read(d, "enc.der");
        assert_kind(&PrivateKey::from_der(&der, Some(b"pw")).unwrap(), kind);
        assert!(matches!(
            PrivateKey::from_der(&der, None),
            Err(KeyError::PasswordRequired)
        ));
        assert!(matches!(
            PrivateKey::from_der(&der, Some(b"pW")),
            Err(KeyError::WrongPassword)
        ));
    }
}

#[test]
fn legacy_pem_encryption_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_key_and_cert(d, Kind::Rsa);
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "key.pem",
            "-traditional",
            "-aes256",
            "-passout",
            "pass:pw",
            "-out",
            "legacy.pem",
        ],
    );
    let pem = read(d, "legacy.pem");
    assert!(matches!(
        PrivateKey::from_pem(&pem, None),
        Err(KeyError::PasswordRequired)
    ));
    match PrivateKey::from_pem(&pem, Some(b"pw")) {
        Err(KeyError::Malformed { reason }) => assert!(reason.contains("pkcs8 -topk8"), "{reason}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn mismatched_key_and_certificate() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    make_key_and_cert(a.path(), Kind::P256);
    make_key_and_cert(b.path(), Kind::P256);
    let cert_a = read(a.path(), "cert.pem");
    let key_b = read(b.path(), "key.pem");
    match Identity::from_pem(&cert_a, &key_b, None) {
        Err(Error::Key(KeyError::Mismatch)) => {}
        other => panic!("expected Mismatch, got {other:?}"),
    }
    let cert = Certificate::from_pem(&cert_a).unwrap();
    let key = PrivateKey::from_pem(&key_b, None).unwrap();
    match Identity::new(cert.clone(), key, Vec::new()) {
        Err(Error::Key(KeyError::Mismatch)) => {}
        other => panic!("expected Mismatch, got {other:?}"),
    }
    // Different algorithms never match either.
    let rsa = sample::alice().unwrap();
    let rsa_key = PrivateKey::from_pem(sample::ALICE_KEY_PEM.as_bytes(), None).unwrap();
    assert!(matches!(
        Identity::new(cert, rsa_key, Vec::new()),
        Err(Error::Key(KeyError::Mismatch))
    ));
    let bob_key = PrivateKey::from_pem(sample::BOB_KEY_PEM.as_bytes(), None).unwrap();
    assert!(matches!(
        Identity::new(rsa.certificate().clone(), bob_key, Vec::new()),
        Err(Error::Key(KeyError::Mismatch))
    ));
}

#[test]
fn from_pem_picks_the_certificate_that_matches_the_key() {
    // CA first, then Alice: Alice's certificate is still the identity's, and the
    // CA becomes the chain.
    let bundle = format!("{}{}", sample::CA_CERT_PEM, sample::ALICE_CERT_PEM);
    let alice =
        Identity::from_pem(bundle.as_bytes(), sample::ALICE_KEY_PEM.as_bytes(), None).unwrap();
    assert!(alice.certificate().subject().contains("Alice"));
    assert_eq!(alice.chain().len(), 1);
    assert!(alice.chain()[0].subject().contains("Sample Root CA"));
    // Key and certificate in one file (OpenSSL's test/smime-certs style).
    let both = format!("{}{}", sample::ALICE_KEY_PEM, sample::ALICE_CERT_PEM);
    Identity::from_pem(both.as_bytes(), both.as_bytes(), None).unwrap();
}

#[test]
fn garbage_is_malformed() {
    let cases: &[&[u8]] = &[
        b"",
        b"hello",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n",
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        &[0x30, 0x80, 0x00, 0x00],
        &[0x04, 0x02, 0x01, 0x02],
    ];
    for case in cases {
        let e = expect_key_error(PrivateKey::from_pem(case, None), &format!("{case:02x?}"));
        assert!(
            matches!(e, KeyError::Malformed { .. }),
            "{case:02x?}: {e:?}"
        );
        let e = expect_key_error(
            PrivateKey::from_der(case, Some(b"pw")),
            &format!("{case:02x?}"),
        );
        assert!(
            matches!(e, KeyError::Malformed { .. }),
            "{case:02x?}: {e:?}"
        );
    }
    // Truncations of a real key: errors, never panics.
    let der = {
        let dir = tempfile::tempdir().unwrap();
        make_key_and_cert(dir.path(), Kind::P256);
        openssl(
            dir.path(),
            &[
                "pkcs8", "-topk8", "-in", "key.pem", "-passout", "pass:pw", "-outform", "DER",
                "-out", "k.der",
            ],
        );
        read(dir.path(), "k.der")
    };
    for len in 0..der.len() {
        assert!(
            PrivateKey::from_der(&der[..len], Some(b"pw")).is_err(),
            "{len}"
        );
    }
}

#[test]
fn unsupported_algorithms_name_their_oid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (file, args) in [
        (
            "ed448.pem",
            &["genpkey", "-algorithm", "ED448", "-out", "ed448.pem"][..],
        ),
        (
            "k1.pem",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:secp256k1",
                "-out",
                "k1.pem",
            ][..],
        ),
    ] {
        openssl(d, args);
        let e = expect_key_error(PrivateKey::from_pem(&read(d, file), None), file);
        assert!(matches!(e, KeyError::Unsupported { .. }), "{file}: {e:?}");
    }
}

#[test]
fn debug_never_shows_key_material() {
    let key = PrivateKey::from_pem(sample::ALICE_KEY_PEM.as_bytes(), None).unwrap();
    assert_eq!(format!("{key:?}"), "PrivateKey::Rsa(..)");
    let identity = sample::alice().unwrap();
    assert!(format!("{identity:?}").contains("PrivateKey::Rsa(..)"));
}

#[test]
fn corpus_key_files() {
    // RFC 9216 (LAMPS sample) Alice: PKCS#8 PEM next to her certificate.
    let dir = testdata("rfc9216/certs-and-keys");
    let cert = std::fs::read(dir.join("lamps-alice.crt")).unwrap();
    let key = std::fs::read(dir.join("lamps-alice.p8.pem")).unwrap();
    Identity::from_pem(&cert, &key, None).unwrap();
    // Carlos is Ed25519 (RFC 8410): his key loads and matches his certificate.
    let carlos = std::fs::read(dir.join("lamps-carlos.p8.pem")).unwrap();
    let carlos_cert = std::fs::read(dir.join("lamps-carlos.crt")).unwrap();
    let carlos = Identity::from_pem(&carlos_cert, &carlos, None).unwrap();
    assert!(matches!(carlos.private_key(), PrivateKey::Ed25519(_)));

    // RFC 4134: unencrypted PKCS#8 DER (.pri) and DER certificates.
    let dir = testdata("rfc4134");
    for (cert, key) in [
        ("AliceRSASignByCarl.cer", "AlicePrivRSASign.pri"),
        ("BobRSASignByCarl.cer", "BobPrivRSAEncrypt.pri"),
    ] {
        let cert = Certificate::from_der(&std::fs::read(dir.join(cert)).unwrap()).unwrap();
        let key = PrivateKey::from_der(&std::fs::read(dir.join(key)).unwrap(), None).unwrap();
        Identity::new(cert, key, Vec::new()).unwrap();
    }

    // OpenSSL's test/smime-certs: key and certificate in one PEM file.
    for file in [
        "smrsa1.pem",
        "smrsa2.pem",
        "smrsa3.pem",
        "smroot.pem",
        "smec1.pem",
        "smec3.pem",
    ] {
        let both = std::fs::read(testdata("openssl/smime-certs").join(file)).unwrap();
        Identity::from_pem(&both, &both, None).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    }

    // MimeKit: traditional RSA keys, the same keys as in the .pfx files.
    for sub in ["rsa", "dnsnames", "nochain", "revoked"] {
        let dir = testdata("mimekit").join(sub);
        let key = PrivateKey::from_pem(&std::fs::read(dir.join("smime.key")).unwrap(), None)
            .unwrap_or_else(|e| panic!("{sub}: {e:?}"));
        let pfx =
            Identity::from_pkcs12(&std::fs::read(dir.join("smime.pfx")).unwrap(), "no.secret")
                .unwrap();
        assert_eq!(
            key.public_key_info_der().unwrap(),
            pfx.private_key().public_key_info_der().unwrap(),
            "{sub}"
        );
        Identity::new(pfx.certificate().clone(), key, Vec::new()).unwrap();
    }
    // mimekit/ec/smime.key is a SEC1 secp384r1 key that is *not* the key in
    // ec/smime.pfx (`openssl pkey -pubout` differs too): a real-world mismatch.
    let dir = testdata("mimekit/ec");
    let key = PrivateKey::from_pem(&std::fs::read(dir.join("smime.key")).unwrap(), None).unwrap();
    assert!(matches!(key, PrivateKey::P384(_)));
    let pfx =
        Identity::from_pkcs12(&std::fs::read(dir.join("smime.pfx")).unwrap(), "no.secret").unwrap();
    assert!(matches!(
        Identity::new(pfx.certificate().clone(), key, Vec::new()),
        Err(Error::Key(KeyError::Mismatch))
    ));
}
