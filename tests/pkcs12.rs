//! PKCS#12 (`Identity::from_pkcs12`): files made at test time by the `openssl`
//! CLI in every export flavour it offers, the PKCS#12 files of the shared test
//! corpora (MimeKit, PKITS, protected-headers, Thunderbird/NSS, GnuPG), wrong
//! passwords and damaged files.

use std::path::{Path, PathBuf};
use std::process::Command;

use der::Decode;
use smime::{CertificateError, Error, Identity, KeyError, Pkcs12Error, PrivateKey};

fn testdata(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata")).join(rel)
}

/// Runs `openssl` with `args` in `dir`, panicking with its stderr on failure.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI is needed for these tests");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Rsa,
    P256,
    P384,
}

const KINDS: [Kind; 3] = [Kind::Rsa, Kind::P256, Kind::P384];

/// A fresh self-signed certificate and key (`key.pem`, `cert.pem`), plus a CA
/// (`ca.pem`) that issued a second certificate to put in the chain.
fn make_identity(dir: &Path, kind: Kind) {
    let genkey: &[&str] = match kind {
        Kind::Rsa => &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "key.pem",
        ],
        Kind::P256 => &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "key.pem",
        ],
        Kind::P384 => &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            "key.pem",
        ],
    };
    openssl(dir, genkey);
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
        ]
        .into_iter()
        .chain(["-out", "ca.pem", "-subj", "/CN=Test CA", "-days", "30"])
        .collect::<Vec<_>>(),
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "key.pem",
            "-out",
            "user.csr",
            "-subj",
            "/CN=Test User/emailAddress=user@example.org",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "user.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "7",
            "-days",
            "30",
            "-out",
            "cert.pem",
        ],
    );
}

fn export(dir: &Path, out: &str, password: &str, extra: &[&str]) -> Vec<u8> {
    let pass = format!("pass:{password}");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-in",
        "cert.pem",
        "-inkey",
        "key.pem",
        "-certfile",
        "ca.pem",
        "-name",
        "test",
        "-passout",
        &pass,
        "-out",
        out,
    ];
    args.extend_from_slice(extra);
    openssl(dir, &args);
    std::fs::read(dir.join(out)).expect("openssl wrote the file")
}

fn assert_kind(identity: &Identity, kind: Kind) {
    match (kind, identity.private_key()) {
        (Kind::Rsa, PrivateKey::Rsa(_))
        | (Kind::P256, PrivateKey::P256(_))
        | (Kind::P384, PrivateKey::P384(_)) => {}
        (kind, key) => panic!("expected a {kind:?} key, got {key:?}"),
    }
}

fn assert_wrong_password(result: Result<Identity, Error>) {
    match result {
        Err(Error::Pkcs12(Pkcs12Error::WrongPassword)) => {}
        other => panic!("expected WrongPassword, got {other:?}"),
    }
}

fn check_export_flavour(extra: &[&str]) {
    for kind in KINDS {
        let dir = tempfile::tempdir().unwrap();
        make_identity(dir.path(), kind);
        let p12 = export(dir.path(), "id.p12", "s3cret pässword", extra);
        let identity = Identity::from_pkcs12(&p12, "s3cret pässword")
            .unwrap_or_else(|e| panic!("{kind:?} {extra:?}: {e}"));
        assert_kind(&identity, kind);
        assert!(identity.certificate().subject().contains("Test User"));
        assert_eq!(identity.chain().len(), 1, "{kind:?} {extra:?}");
        assert!(identity.chain()[0].subject().contains("Test CA"));
        assert_wrong_password(Identity::from_pkcs12(&p12, "s3cret password"));
        assert_wrong_password(Identity::from_pkcs12(&p12, ""));
    }
}

#[test]
fn openssl3_default_pbes2_aes256_hmac_sha256() {
    check_export_flavour(&[]);
}

#[test]
fn openssl_legacy_3des_rc2_sha1_mac() {
    check_export_flavour(&["-legacy"]);
}

#[test]
fn openssl_explicit_legacy_algorithms() {
    // 3DES for both layers, and 128-bit RC2 for the certificates.
    check_export_flavour(&[
        "-keypbe",
        "PBE-SHA1-3DES",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ]);
    check_export_flavour(&[
        "-legacy",
        "-keypbe",
        "PBE-SHA1-3DES",
        "-certpbe",
        "PBE-SHA1-RC2-128",
    ]);
}

#[test]
fn openssl_pbes2_variants() {
    check_export_flavour(&[
        "-keypbe",
        "AES-128-CBC",
        "-certpbe",
        "AES-192-CBC",
        "-macalg",
        "sha512",
    ]);
    check_export_flavour(&[
        "-keypbe",
        "DES-EDE3-CBC",
        "-certpbe",
        "AES-256-CBC",
        "-macalg",
        "sha384",
        "-iter",
        "1",
    ]);
}

#[test]
fn without_mac() {
    // No MAC: the password is only checked by decryption (bad padding).
    check_export_flavour(&["-nomac"]);
    check_export_flavour(&["-nomac", "-legacy"]);
}

#[test]
fn without_encryption() {
    for kind in KINDS {
        let dir = tempfile::tempdir().unwrap();
        make_identity(dir.path(), kind);
        let p12 = export(
            dir.path(),
            "plain.p12",
            "pw",
            &["-keypbe", "NONE", "-certpbe", "NONE"],
        );
        let identity = Identity::from_pkcs12(&p12, "pw").unwrap();
        assert_kind(&identity, kind);
        // The MAC still guards the password even though nothing is encrypted.
        assert_wrong_password(Identity::from_pkcs12(&p12, "other"));

        let bare = export(
            dir.path(),
            "bare.p12",
            "pw",
            &["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
        );
        // Nothing protects this file, so any password opens it.
        assert_kind(&Identity::from_pkcs12(&bare, "anything").unwrap(), kind);
    }
}

#[test]
fn empty_password() {
    let dir = tempfile::tempdir().unwrap();
    make_identity(dir.path(), Kind::P256);
    for extra in [&[][..], &["-legacy"][..]] {
        let p12 = export(dir.path(), "empty.p12", "", extra);
        assert_kind(&Identity::from_pkcs12(&p12, "").unwrap(), Kind::P256);
        assert_wrong_password(Identity::from_pkcs12(&p12, "x"));
    }
}

#[test]
fn key_without_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    make_identity(dir.path(), Kind::P256);
    // The CA certificate only: the key has no certificate in the file.
    openssl(
        dir.path(),
        &[
            "pkcs12",
            "-export",
            "-nocerts",
            "-inkey",
            "key.pem",
            "-certfile",
            "ca.pem",
            "-passout",
            "pass:pw",
            "-out",
            "wrong.p12",
        ],
    );
    let p12 = std::fs::read(dir.path().join("wrong.p12")).unwrap();
    match Identity::from_pkcs12(&p12, "pw") {
        Err(Error::Pkcs12(Pkcs12Error::NoCertificate)) => {}
        other => panic!("expected NoCertificate, got {other:?}"),
    }
    // Certificates only, no key.
    openssl(
        dir.path(),
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            "cert.pem",
            "-passout",
            "pass:pw",
            "-out",
            "nokey.p12",
        ],
    );
    let p12 = std::fs::read(dir.path().join("nokey.p12")).unwrap();
    match Identity::from_pkcs12(&p12, "pw") {
        Err(Error::Pkcs12(Pkcs12Error::NoPrivateKey)) => {}
        other => panic!("expected NoPrivateKey, got {other:?}"),
    }
}

fn open_file(path: &Path, password: &str) -> Result<Identity, Error> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Identity::from_pkcs12(&bytes, password)
}

/// Opens `path`, checks that the key's public half is the certificate's (which
/// `Identity` guarantees; checked here byte for byte on the SPKI) and that a wrong
/// password is recognised.
fn check_corpus_file(path: &Path, password: &str) -> Identity {
    let identity =
        open_file(path, password).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    let cert_spki = identity.certificate().public_key_info_der().unwrap();
    let key_spki = identity.private_key().public_key_info_der().unwrap();
    // Compare algorithm and public key bits: the certificate may spell the EC
    // curve as explicit parameters where the key's SPKI names it.
    let cert_spki = spki::SubjectPublicKeyInfoRef::from_der(&cert_spki).unwrap();
    let key_spki = spki::SubjectPublicKeyInfoRef::from_der(&key_spki).unwrap();
    assert_eq!(
        cert_spki.algorithm.oid,
        key_spki.algorithm.oid,
        "{}",
        path.display()
    );
    assert_eq!(
        cert_spki.subject_public_key,
        key_spki.subject_public_key,
        "{}: key does not match certificate",
        path.display()
    );
    assert_wrong_password(open_file(path, "not the password"));
    identity
}

fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn mimekit_pfx_files() {
    // BER with indefinite lengths (Bouncy Castle), RC2-40 certificates, 3DES
    // keys, SHA-1 MAC. Password from mimekit/README.txt.
    let files = files_under(&testdata("mimekit"), &["pfx"]);
    assert!(files.len() >= 12, "{files:?}");
    for path in files {
        if path.to_string_lossy().contains("/dsa/") {
            // A DSA key: the file opens, the key type is not one S/MIME 4 uses.
            match open_file(&path, "no.secret") {
                Err(Error::Key(KeyError::Unsupported { .. })) => {}
                other => panic!(
                    "{}: expected an unsupported DSA key, got {other:?}",
                    path.display()
                ),
            }
            assert_wrong_password(open_file(&path, "wrong"));
            continue;
        }
        check_corpus_file(&path, "no.secret");
    }
}

#[test]
fn protected_headers_bob_pem_armoured() {
    // "-----BEGIN PKCS12-----" armour, legacy RC2/3DES (protected-headers/README.txt).
    let bob = check_corpus_file(&testdata("protected-headers/bob.p12"), "bob");
    assert!(matches!(bob.private_key(), PrivateKey::Rsa(_)));
    assert!(bob.certificate().subject().to_lowercase().contains("bob"));
}

#[test]
fn pkits_pkcs12_files() {
    // Password "password" (pkits/README.txt).
    let files = files_under(&testdata("pkits/pkcs12"), &["p12"]);
    assert!(files.len() > 100, "{}", files.len());
    let mut dsa = 0;
    for path in files {
        if path.to_string_lossy().contains("DSA") {
            // DSA keys (the DSA*Cert / DSAParameterInheritance tests) open but
            // are not a key type S/MIME 4 uses.
            match open_file(&path, "password") {
                Err(Error::Key(KeyError::Unsupported { .. })) => dsa += 1,
                Ok(_) => {}
                other => panic!("{}: {other:?}", path.display()),
            }
            continue;
        }
        if path.ends_with("Validpre2000UTCnotBeforeDateTest3EE.p12") {
            // notBefore is UTCTime 1950: the `der` crate's UtcTime starts at
            // 1970, so the certificate (not the PKCS#12 layer) fails to parse.
            match open_file(&path, "password") {
                Err(Error::Certificate(CertificateError::Malformed(_))) => {}
                other => panic!("{}: {other:?}", path.display()),
            }
            continue;
        }
        check_corpus_file(&path, "password");
    }
    assert!(dsa >= 2, "{dsa}");
}

#[test]
fn thunderbird_nss_files() {
    // NSS PBES2/AES-128 with HMAC-SHA-256, and OpenSSL 3DES files; password "nss".
    let files = files_under(&testdata("clients/thunderbird"), &["p12"]);
    assert!(!files.is_empty());
    for path in files {
        check_corpus_file(&path, "nss");
    }
}

#[test]
fn gnupg_sample_files() {
    // Passwords from gnupg-cms/samplekeys/Description-p12.
    let dir = testdata("gnupg-cms/samplekeys");
    for (file, password) in [
        ("ov-user.p12", "start"),
        ("ov-server.p12", "start"),
        ("opensc-test.p12", "password"),
        ("t5793-openssl.pfx", "test"),
        ("nistp256-openssl-self-signed.p12", "abc"),
        // Firefox: 600 000 iterations, a surplus OCTET STRING wrapper.
        ("t6752-ov-user-ff.p12", "start"),
        (
            "credential_private_encrypted_AES256.p12",
            "qeFGds84/Sf0eKkJwcp6",
        ),
        (
            "credential_private_encrypted_3DES.p12",
            "qeFGds84/Sf0eKkJwcp6",
        ),
    ] {
        check_corpus_file(&dir.join(file), password);
    }
    // The MAC and the certificates open with "abc,123456" but the (Brainpool)
    // key bag does not: OpenSSL reports "bad decrypt" for it as well.
    assert_wrong_password(open_file(
        &dir.join("edward.tester@demo.gnupg.com.p12"),
        "abc,123456",
    ));
}

#[test]
fn sample_identity() {
    let alice =
        Identity::from_pkcs12(smime::sample::ALICE_P12, smime::sample::ALICE_P12_PASSWORD).unwrap();
    let from_pem = smime::sample::alice().unwrap();
    assert_eq!(alice.certificate().der(), from_pem.certificate().der());
    assert_eq!(alice.chain().len(), 1);
    assert_eq!(alice.chain()[0].der(), from_pem.chain()[0].der());
}

/// Whatever the damage, opening never panics and never succeeds silently with
/// different contents.
#[test]
fn damaged_files_give_typed_errors() {
    let good = smime::sample::ALICE_P12;
    let password = smime::sample::ALICE_P12_PASSWORD;

    for input in [
        &[][..],
        &[0x30][..],
        &[0x30, 0x80][..],
        b"not a pkcs12 file at all",
        &[0u8; 64][..],
    ] {
        match Identity::from_pkcs12(input, password) {
            Err(Error::Pkcs12(Pkcs12Error::Malformed { .. })) => {}
            other => panic!("{input:02x?}: expected Malformed, got {other:?}"),
        }
    }

    // Every truncation is structural damage: the outer lengths no longer fit.
    for len in (0..good.len()).step_by(7) {
        match Identity::from_pkcs12(&good[..len], password) {
            Err(Error::Pkcs12(Pkcs12Error::Malformed { .. })) => {}
            other => panic!("truncated to {len}: expected Malformed, got {other:?}"),
        }
    }

    // Flipping the outer SEQUENCE tag or the version is structural too.
    for (index, mask) in [(0usize, 0x01u8), (0, 0x20), (6, 0x01)] {
        let mut bad = good.to_vec();
        bad[index] ^= mask;
        match Identity::from_pkcs12(&bad, password) {
            Err(Error::Pkcs12(Pkcs12Error::Malformed { .. })) => {}
            other => panic!("byte {index} ^ {mask:#x}: expected Malformed, got {other:?}"),
        }
    }

    // A flipped bit anywhere: some typed error, never a panic or a different
    // identity. (Inside the MAC-protected contents the MAC fails, which cannot be
    // told apart from a wrong password unless the password still decrypts
    // everything, so WrongPassword is allowed there.)
    for index in (0..good.len()).step_by(3) {
        for bit in [0x01u8, 0x80] {
            let mut bad = good.to_vec();
            bad[index] ^= bit;
            if let Ok(identity) = Identity::from_pkcs12(&bad, password) {
                // Only bits outside what the MAC and the key cover can flip
                // harmlessly (e.g. inside a friendlyName of an unprotected
                // bag); the key and certificate must still be Alice's.
                let alice = smime::sample::alice().unwrap();
                assert_eq!(
                    identity.certificate().der(),
                    alice.certificate().der(),
                    "flip at {index}"
                );
            }
        }
    }
}

#[test]
fn altered_contents_with_right_password_is_not_a_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    make_identity(dir.path(), Kind::P256);
    // No encryption of the certificates so that a flipped bit in a certificate
    // does not stop the right password from decrypting the key.
    let good = export(dir.path(), "id.p12", "pw", &["-certpbe", "NONE"]);
    let cert_der = {
        let pem = std::fs::read(dir.path().join("cert.pem")).unwrap();
        smime::Certificate::from_pem(&pem).unwrap().der().to_vec()
    };
    // Flip a bit in the middle of the user certificate inside the file.
    let at = good
        .windows(cert_der.len())
        .position(|w| w == cert_der.as_slice())
        .expect("certificate stored in clear");
    let mut bad = good.clone();
    bad[at + cert_der.len() / 2] ^= 0x01;
    match Identity::from_pkcs12(&bad, "pw") {
        Err(Error::Pkcs12(Pkcs12Error::Malformed { reason })) => {
            assert!(reason.contains("altered"), "{reason}")
        }
        other => panic!("expected Malformed(altered), got {other:?}"),
    }
    assert_wrong_password(Identity::from_pkcs12(&bad, "not pw"));
}
