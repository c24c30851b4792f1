//! PKCS#12 (`Identity::from_pkcs12`): files made at test time by the `openssl`
//! CLI in every export flavour it offers, the PKCS#12 files of the shared test
//! corpora (MimeKit, PKITS, protected-headers, Thunderbird/NSS, GnuPG), wrong
//! passwords and damaged files.

#[allow(dead_code)]
use crate::sample;

use std::path::{Path, PathBuf};

use der::Decode;
use smime::{Error, Identity, KeyError, Pkcs12Error, PrivateKey};

fn testdata(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata")).join(rel)
}

use crate::common::openssl_in as openssl;

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
    let alice = Identity::from_pkcs12(sample::ALICE_P12, sample::ALICE_P12_PASSWORD).unwrap();
    let from_pem = sample::alice().unwrap();
    assert_eq!(alice.certificate().der(), from_pem.certificate().der());
    assert_eq!(alice.chain().len(), 1);
    assert_eq!(alice.chain()[0].der(), from_pem.chain()[0].der());
}

/// Whatever the damage, opening never panics and never succeeds silently with
/// different contents.
#[test]
fn damaged_files_give_typed_errors() {
    let good = sample::ALICE_P12;
    let password = sample::ALICE_P12_PASSWORD;

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
                let alice = sample::alice().unwrap();
                assert_eq!(
                    identity.certificate().der(),
                    alice.certificate().der(),
                    "flip at {index}"
                );
            }
        }
    }
}

/// The same for a BER file (indefinite lengths, chunked OCTET STRINGs, legacy
/// RC2/3DES): truncations are structural, bit flips never panic.
#[test]
fn damaged_ber_file_never_panics() {
    let good = std::fs::read(testdata("mimekit/rsa/smime.pfx")).unwrap();
    for len in (0..good.len()).step_by(13) {
        match Identity::from_pkcs12(&good[..len], "no.secret") {
            Err(Error::Pkcs12(Pkcs12Error::Malformed { .. })) => {}
            other => panic!("truncated to {len}: expected Malformed, got {other:?}"),
        }
    }
    for index in (0..good.len()).step_by(11) {
        let mut bad = good.clone();
        bad[index] ^= 0x04;
        // Any outcome but a panic; success only with the right certificate.
        if let Ok(identity) = Identity::from_pkcs12(&bad, "no.secret") {
            let original = Identity::from_pkcs12(&good, "no.secret").unwrap();
            assert_eq!(
                identity.certificate().der(),
                original.certificate().der(),
                "flip at {index}"
            );
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

// RFC 9579 Appendix A test vectors (password "1234"): PBMAC1 with
// PBKDF2-HMAC-SHA-256 / HMAC-SHA-256 (A.1) and SHA-512 for both (A.3). OpenSSL 3.0
// cannot write PBMAC1, so these published files are the reference. Their
// MacData says macSalt "NOT USED" and iterations 1: RFC 9579 ignores both.
/// RFC 9579 Appendix A.1.
const RFC9579_A1: &str = concat!(
    "MIIKigIBAzCCCgUGCSqGSIb3DQEHAaCCCfYEggnyMIIJ7jCCBGIGCSqGSIb3DQEH",
    "BqCCBFMwggRPAgEAMIIESAYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqG",
    "SIb3DQEFDDAcBAg9pxXxY2yscwICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQME",
    "ASoEEK7yYaFQDi1pYwWzm9F/fs+AggPgFIT2XapyaFgDppdvLkdvaF3HXw+zjzKb",
    "7xFC76DtVPhVTWVHD+kIss+jsj+XyvMwY0aCuAhAG/Dig+vzWomnsqB5ssw5/kTb",
    "+TMQ5PXLkNeoBmB6ArKeGc/QmCBQvQG/a6b+nXSWmxNpP+71772dmWmB8gcSJ0kF",
    "Fj75NrIbmNiDMCb71Q8gOzBMFf6BpXf/3xWAJtxyic+tSNETfOJa8zTZb0+lV0w9",
    "5eUmDrPUpuxEVbb0KJtIc63gRkcfrPtDd6Ii4Zzbzj2Evr4/S4hnrQBsiryVzJWy",
    "IEjaD0y6+DmG0JwMgRuGi1wBoGowi37GMrDCOyOZWC4n5wHLtYyhR6JaElxbrhxP",
    "H46z2USLKmZoF+YgEQgYcSBXMgP0t36+XQocFWYi2N5niy02TnctwF430FYsQlhJ",
    "Suma4I33E808dJuMv8T/soF66HsD4Zj46hOf4nWmas7IaoSAbGKXgIa7KhGRJvij",
    "xM3WOX0aqNi/8bhnxSA7fCmIy/7opyx5UYJFWGBSmHP1pBHBVmx7Ad8SAsB9MSsh",
    "nbGjGiUk4h0QcOi29/M9WwFlo4urePyI8PK2qtVAmpD3rTLlsmgzguZ69L0Q/CFU",
    "fbtqsMF0bgEuh8cfivd1DYFABEt1gypuwCUtCqQ7AXK2nQqOjsQCxVz9i9K8NDeD",
    "aau98VAl0To2sk3/VR/QUq0PRwU1jPN5BzUevhE7SOy/ImuJKwpGqqFljYdrQmj5",
    "jDe+LmYH9QGVRlfN8zuU+48FY8CAoeBeHn5AAPml0PYPVUnt3/jQN1+v+CahNVI+",
    "La8q1Nen+j1R44aa2I3y/pUgtzXRwK+tPrxTQbG030EU51LYJn8amPWmn3w75ZIA",
    "MJrXWeKj44de7u4zdUsEBVC2uM44rIHM8MFjyYAwYsey0rcp0emsaxzar+7ZA67r",
    "lDoXvvS3NqsnTXHcn3T9tkPRoee6L7Dh3x4Od96lcRwgdYT5BwyH7e34ld4VTUmJ",
    "bDEq7Ijvn4JKrwQJh1RCC+Z/ObfkC42xAm7G010u3g08xB0Qujpdg4a7VcuWrywF",
    "c7hLNquuaF4qoDaVwYXHH3iuX6YlJ/3siTKbYCVXPEZOAMBP9lF/OU76UMJBQNfU",
    "0xjDx+3AhUVgnGuCsmYlK6ETDp8qOZKGyV0KrNSGtqLx3uMhd7PETeW+ML3tDQ/0",
    "X9fMkcZHi4C2fXnoHV/qa2dGhBj4jjQ0Xh1poU6mxGn2Mebe2hDsBZkkBpnn7pK4",
    "wP/VqXdQTwqEuvzGHLVFsCuADe40ZFBmtBrf70wG7ZkO8SUZ8Zz1IX3+S024g7yj",
    "QRev/6x6TtkwggWEBgkqhkiG9w0BBwGgggV1BIIFcTCCBW0wggVpBgsqhkiG9w0B",
    "DAoBAqCCBTEwggUtMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhTxzw+",
    "VptrYAICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEK9nSqc1I2t4tMVG",
    "bWHpdtQEggTQzCwI7j34gCTvfj6nuOSndAjShGv7mN2j7WMV0pslTpq2b9Bn3vn1",
    "Y0JMvL4E7sLrUzNU02pdOcfCnEpMFccNv2sQrLp1mOCKxu8OjSqHZLoKVL0ROVsZ",
    "8dMECLLigDlPKRiSyLErl14tErX4/zbkUaWMROO28kFbTbubQ8YoHlRUwsKW1xLg",
    "vfi0gRkG/zHXRfQHjX/8NStv7hXlehn7/Gy2EKPsRFhadm/iUHAfmCMkMgHTU248",
    "JER9+nsXltd59H+IeDpj/kbxZ+YvHow9XUZKu828d3MQnUpLZ1BfJGhMBPVwbVUD",
    "A40CiQBVdCoGtPJyalL28xoS3H0ILFCnwQOr6u0HwleNJPGHq78HUyH6Hwxnh0b0",
    "5o163r6wTFZn5cMOxpbs/Ttd+3TrxmrYpd2XnuRme3cnaYJ0ILvpc/8eLLR7SKjD",
    "T4JhZ0h/CfcV2WWvhpQugkY0pWrZ+EIMneB1dZB96mJVLxOi148OeSgi0PsxZMNi",
    "YM33rTpwQT5WqOsEyDwUQpne5b8Kkt/s7EN0LJNnPyJJRL1LcqOdr6j+6YqRtPa7",
    "a9oWJqMcuTP+bqzGRJh+3HDlFBw2Yzp9iadv4KmB2MzhStLUoi2MSjvnnkkd5Led",
    "sshAd6WbKfF7kLAHQHT4Ai6dMEO4EKkEVF9JBtxCR4JEn6C98Lpg+Lk+rfY7gHOf",
    "ZxtgGURwgXRY3aLUrdT55ZKgk3ExVKPzi5EhdpAau7JKhpOwyKozAp/OKWMNrz6h",
    "obu2Mbn1B+IA60psYHHxynBgsJHv7WQmbYh8HyGfHgVvaA8pZCYqxxjpLjSJrR8B",
    "Bu9H9xkTh7KlhxgreXYv19uAYbUd95kcox9izad6VPnovgFSb+Omdy6PJACPj6hF",
    "W6PJbucP0YPpO0VtWtQdZZ3df1P0hZ7qvKwOPFA+gKZSckgqASfygiP9V3Zc8jIi",
    "wjNzoDM2QT+UUJKiiGYXJUEOO9hxzFHlGj759DcNRhpgl5AgR57ofISD9yBuCAJY",
    "PQ/aZHPFuRTrcVG3RaIbCAS73nEznKyFaLOXfzyfyaSmyhsH253tnyL1MejC+2bR",
    "Eko/yldgFUxvU5JI+Q3KJ6Awj+PnduHXx71E4UwSuu2xXYMpxnQwI6rroQpZBX82",
    "HhqgcLV83P8lpzQwPdHjH5zkoxmWdC0+jU/tcQfNXYpJdyoaX7tDmVclLhwl9ps/",
    "O841pIsNLJWXwvxG6B+3LN/kw4QjwN194PopiOD7+oDm5mhttO78CrBrRxHMD/0Q",
    "qniZjKzSZepxlZq+J792u8vtMnuzzChxu0Bf3PhIXcJNcVhwUtr0yKe/N+NvC0tm",
    "p8wyik/BlndxN9eKbdTOi2wIi64h2QG8nOk66wQ/PSIJYwZl6eDNEQSzH/1mGCfU",
    "QnUT17UC/p+Qgenf6Auap2GWlvsJrB7u/pytz65rtjt/ouo6Ih6EwWqwVVpGXZD0",
    "7gVWH0Ke/Vr6aPGNvkLcmftPuDZsn9jiig3guhdeyRVf10Ox369kKWcG75q77hxE",
    "IzSzDyUlBNbnom9SIjut3r+qVYmWONatC6q/4D0I42Lnjd3dEyZx7jmH3g/S2ASM",
    "FzWr9pvXc61dsYOkdZ4PYa9XPUZxXFagZsoS3F1sU799+IJVU0tC0MExJTAjBgkq",
    "hkiG9w0BCRUxFgQUwWO5DorvVWYF3BWUmAw0rUEajScwfDBtMEkGCSqGSIb3DQEF",
    "DjA8MCwGCSqGSIb3DQEFDDAfBAhvRzw4sC4xcwICCAACASAwDAYIKoZIhvcNAgkF",
    "ADAMBggqhkiG9w0CCQUABCB6pW2FOdcCNj87zS64NUXG36K5aXDnFHctIk5Bf4kG",
    "3QQITk9UIFVTRUQCAQE=",
);
/// RFC 9579 Appendix A.3.
const RFC9579_A3: &str = concat!(
    "MIIKrAIBAzCCCgUGCSqGSIb3DQEHAaCCCfYEggnyMIIJ7jCCBGIGCSqGSIb3DQEH",
    "BqCCBFMwggRPAgEAMIIESAYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqG",
    "SIb3DQEFDDAcBAisrqL8obSBaQICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQME",
    "ASoEECjXYYca0pwsgn1Imb9WqFGAggPgT7RcF5YzEJANZU9G3tSdpCHnyWatTlhm",
    "iCEcBGgwI5gz0+GoX+JCojgYY4g+KxeqznyCu+6GeD00T4Em7SWme9nzAfBFzng0",
    "3lYCSnahSEKfgHerbzAtq9kgXkclPVk0Liy92/buf0Mqotjjs/5o78AqP86Pwbj8",
    "xYNuXOU1ivO0JiW2c2HefKYvUvMYlOh99LCoZPLHPkaaZ4scAwDjFeTICU8oowVk",
    "LKvslrg1pHbfmXHMFJ4yqub37hRtj2CoJNy4+UA2hBYlBi9WnuAJIsjv0qS3kpLe",
    "4+J2DGe31GNG8pD01XD0l69OlailK1ykh4ap2u0KeD2z357+trCFbpWMMXQcSUCO",
    "OcVjxYqgv/l1++9huOHoPSt224x4wZfJ7cO2zbAAx/K2CPhdvi4CBaDHADsRq/c8",
    "SAi+LX5SCocGT51zL5KQD6pnr2ExaVum+U8a3nMPPMv9R2MfFUksYNGgFvS+lcZf",
    "R3qk/G9iXtSgray0mwRA8pWzoXl43vc9HJuuCU+ryOc/h36NChhQ9ltivUNaiUc2",
    "b9AAQSrZD8Z7KtxjbH3noS+gjDtimDB0Uh199zaCwQ95y463zdYsNCESm1OT979o",
    "Y+81BWFMFM/Hog5s7Ynhoi2E9+ZlyLK2UeKwvWjGzvcdPvxHR+5l/h6PyWROlpaZ",
    "zmzZBm+NKmbXtMD2AEa5+Q32ZqJQhijXZyIji3NS65y81j/a1ZrvU0lOVKA+MSPN",
    "KU27/eKZuF1LEL6qaazTUmpznLLdaVQy5aZ1qz5dyCziKcuHIclhh+RCblHU6XdE",
    "6pUTZSRQQiGUIkPUTnU9SFlZc7VwvxgeynLyXPCSzOKNWYGajy1LxDvv28uhMgNd",
    "WF51bNkl1QYl0fNunGO7YFt4wk+g7CQ/Yu2w4P7S3ZLMw0g4eYclcvyIMt4vxXfp",
    "VTKIPyzMqLr+0dp1eCPm8fIdaBZUhMUC/OVqLwgnPNY9cXCrn2R1cGKo5LtvtjbH",
    "2skz/D5DIOErfZSBJ8LE3De4j8MAjOeC8ia8LaM4PNfW/noQP1LBsZtTDTqEy01N",
    "Z5uliIocyQzlyWChErJv/Wxh+zBpbk1iXc2Owmh2GKjx0VSe7XbiqdoKkONUNUIE",
    "siseASiU/oXdJYUnBYVEUDJ1HPz7qnKiFhSgxNJZnoPfzbbx1hEzV+wxQqNnWIqQ",
    "U0s7Jt22wDBzPBHGao2tnGRLuBZWVePJGbsxThGKwrf3vYsNJTxme5KJiaxcPMwE",
    "r+ln2AqVOzzXHXgIxv/dvK0Qa7pH3AvGzcFjQChTRipgqiRrLor0//8580h+Ly2l",
    "IFo7bCuztmcwggWEBgkqhkiG9w0BBwGgggV1BIIFcTCCBW0wggVpBgsqhkiG9w0B",
    "DAoBAqCCBTEwggUtMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAi1c7S5",
    "IEG77wICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEN6rzRtIdYxqOnY+",
    "aDS3AFYEggTQNdwUoZDXCryOFBUI/z71vfoyAxlnwJLRHNXQUlI7w0KkH22aNnSm",
    "xiaXHoCP1HgcmsYORS7p/ITi/9atCHqnGR4zHmePNhoMpNHFehdjlUUWgt004vUJ",
    "5ZwTdXweM+K4We6CfWA/tyvsyGNAsuunel+8243Zsv0mGLKpjA+ZyALt51s0knmX",
    "OD2DW49FckImUVnNC5LmvEIAmVC/ZNycryZQI+2EBkJKe+BC3834GexJnSwtUBg3",
    "Xg33ZV7X66kw8tK1Ws5zND5GQAJyIu47mnjZkIWQBY+XbWowrBZ8uXIQuxMZC0p8",
    "u62oIAtZaVQoVTR1LyR/7PISFW6ApwtbTn6uQxsb16qF8lEM0S1+x0AfJY6Zm11t",
    "yCqbb2tYZF+X34MoUkR/IYC/KCq/KJdpnd8Yqgfrwjg8dR2WGIxbp2GBHq6BK/DI",
    "ehOLMcLcsOuP0DEXppfcelMOGNIs+4h4KsjWiHVDMPsqLdozBdm6FLGcno3lY5FO",
    "+avVrlElAOB+9evgaBbD2lSrEMoOjAoD090tgXXwYBEnWnIpdk+56cf5IpshrLBA",
    "/+H13LBLes+X1o5dd0Mu+3abp5RtAv7zLPRRtXkDYJPzgNcTvJ2Wxw2C+zrAclzZ",
    "7IRdcLESUa4CsN01aEvQgOtkCNVjSCtkJGP0FstsWM4hP7lfSB7P2tDL+ugy6GvB",
    "X1sz9fMC7QMAFL98nDm/yqcnejG1BcQXZho8n0svSfbcVByGlPZGMuI9t25+0B2M",
    "TAx0f6zoD8+fFmhcVgS6MQPybGKFawckYl0zulsePqs+G4voIW17owGKsRiv06Jm",
    "ZSwd3KoGmjM49ADzuG9yrQ5PSa0nhVk1tybNape4HNYHrAmmN0ILlN+E0Bs/Edz4",
    "ntYZuoc/Z35tCgm79dV4/Vl6HUZ1JrLsLrEWCByVytwVFyf3/MwTWdf+Ac+XzBuC",
    "yEMqPlvnPWswdnaid35pxios79fPl1Hr0/Q6+DoA5GyYq8SFdP7EYLrGMGa5GJ+x",
    "5nS7z6U4UmZ2sXuKYHnuhB0zi6Y04a+fhT71x02eTeC7aPlEB319UqysujJVJnso",
    "bkcwOu/Jj0Is9YeFd693dB44xeZuYyvlwoD19lqcim0TSa2Tw7D1W/yu47dKrVP2",
    "VKxRqomuAQOpoZiuSfq1/7ysrV8U4hIlIU2vnrSVJ8EtPQKsoBW5l70dQGwXyxBk",
    "BUTHqfJ4LG/kPGRMOtUzgqFw2DjJtbym1q1MZgp2ycMon4vp7DeQLGs2XfEANB+Y",
    "nRwtjpevqAnIuK6K3Y02LY4FXTNQpC37Xb04bmdIQAcE0MaoP4/hY87aS82PQ68g",
    "3bI79uKo4we2g+WaEJlEzQ7147ZzV2wbDq89W69x1MWTfaDwlEtd4UaacYchAv7B",
    "TVaaVFiRAUywWaHGePpZG2WV1feH/zd+temxWR9qMFgBZySg1jipBPVciwl0LqlW",
    "s/raIBYmLmAaMMgM3759UkNVznDoFHrY4z2EADXp0RHHVzJS1x+yYvp/9I+AcW55",
    "oN0UP/3uQ6eyz/ix22sovQwhMJ8rmgR6CfyRPKmXu1RPK3puNv7mbFTfTXpYN2vX",
    "vhEZReXY8hJF/9o4G3UrJ1F0MgUHMCG86cw1z0bhPSaXVoufOnx/fRoxJTAjBgkq",
    "hkiG9w0BCRUxFgQUwWO5DorvVWYF3BWUmAw0rUEajScwgZ0wgY0wSQYJKoZIhvcN",
    "AQUOMDwwLAYJKoZIhvcNAQUMMB8ECFDaXOUaOcUPAgIIAAIBQDAMBggqhkiG9w0C",
    "CwUAMAwGCCqGSIb3DQILBQAEQHIAM8C9OAsHUCj9CmOJioqf7YwD4O/b3UiZ3Wqo",
    "F6OmQIRDc68SdkZJ6024l4nWlnhTE7a4lb2Tru4k3NOTa1oECE5PVCBVU0VEAgEB",
);

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn rfc9579_pbmac1_vectors() {
    for (name, b64) in [("A.1", RFC9579_A1), ("A.3", RFC9579_A3)] {
        let p12 = base64_decode(b64);
        let identity =
            Identity::from_pkcs12(&p12, "1234").unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(
            matches!(identity.private_key(), PrivateKey::Rsa(_)),
            "{name}"
        );
        assert_wrong_password(Identity::from_pkcs12(&p12, "12345"));
    }
}

#[test]
fn rfc9579_pbmac1_tampered_parameters() {
    let good = base64_decode(RFC9579_A1);
    // PBKDF2-params in the MAC: SEQUENCE { salt OCTET STRING (8), iterationCount
    // 2048, keyLength 32, prf }.
    let salt = [0x6f, 0x47, 0x3c, 0x38, 0xb0, 0x2e, 0x31, 0x73];
    let params = [
        &[0x04, 0x08][..],
        &salt,
        &[0x02, 0x02, 0x08, 0x00, 0x02, 0x01, 0x20],
    ]
    .concat();
    let at = good
        .windows(params.len())
        .position(|w| w == params.as_slice())
        .expect("PBKDF2-params of the MAC");
    let tamper = |offset: usize, value: u8| {
        let mut bad = good.clone();
        bad[at + offset] = value;
        bad
    };
    for (what, bad) in [
        // As RFC 9579 A.4: iteration count 2049.
        ("iterations", tamper(13, 0x01)),
        // As RFC 9579 A.5: a different salt.
        ("salt", tamper(2, 0x4e)),
        // keyLength 16 instead of 32.
        ("keyLength", tamper(16, 0x10)),
    ] {
        // The password still decrypts everything, so this is a damaged file.
        match Identity::from_pkcs12(&bad, "1234") {
            Err(Error::Pkcs12(Pkcs12Error::Malformed { reason })) => {
                assert!(reason.contains("altered"), "{what}: {reason}")
            }
            other => panic!("{what}: expected Malformed, got {other:?}"),
        }
    }
}
