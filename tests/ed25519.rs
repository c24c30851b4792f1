//! Ed25519 signatures (RFC 8419). No peer here can judge them (OpenSSL 3.0 cannot sign
//! or verify Ed25519 in CMS, gpgsm and Python cryptography neither; PEERS.md), so the
//! proof is our own round trip with a key and certificate OpenSSL made at test time,
//! plus the structure RFC 8419 §3 prescribes (digestAlgorithm SHA-512, signatureAlgorithm
//! id-Ed25519 without parameters), and a tampered copy failing.

use crate::common;

use std::time::SystemTime;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::Decode;
use smime::cms::{SignOptions, SignedDataBuilder};
use smime::mime::SignFormat;
use smime::reader::SignatureStatus;
use smime::trust::{Policy, TrustStore};
use smime::{Certificate, Identity};

fn ed25519_identity(dir: &std::path::Path) -> Identity {
    let key = dir.join("ed.key");
    let crt = dir.join("ed.pem");
    common::run_ok(
        std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "ed25519", "-nodes", "-days", "30",
            ])
            .args(["-subj", "/CN=Carlos Ed25519"])
            .args(["-addext", "subjectAltName=email:carlos@example.com"])
            .args(["-addext", "keyUsage=critical,digitalSignature"])
            .args(["-addext", "extendedKeyUsage=emailProtection"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&crt),
        b"",
    );
    Identity::from_pem(
        &std::fs::read(&crt).unwrap(),
        &std::fs::read(&key).unwrap(),
        None,
    )
    .expect("Ed25519 identity")
}

#[test]
fn ed25519_signatures_round_trip_with_rfc8419_structure() {
    let dir = common::temp_dir();
    let carlos = ed25519_identity(dir.path());
    // The structure: SHA-512 digest (forced even when SHA-256 is asked), id-Ed25519.
    let der = SignedDataBuilder::new(&carlos, SignOptions::default())
        .sign_opaque_bytes(b"Content-Type: text/plain\r\n\r\nhola\r\n")
        .expect("sign");
    let ci = ContentInfo::from_der(&der).expect("ContentInfo");
    let sd: SignedData = ci.content.decode_as().expect("SignedData");
    let si = sd.signer_infos.0.iter().next().expect("one signer");
    assert_eq!(
        si.digest_alg.oid.to_string(),
        "2.16.840.1.101.3.4.2.3",
        "SHA-512"
    );
    assert_eq!(
        si.signature_algorithm.oid.to_string(),
        "1.3.101.112",
        "id-Ed25519"
    );
    assert!(si.signature_algorithm.parameters.is_none());
    assert_eq!(si.signature.as_bytes().len(), 64);

    // Round trip through the reader, detached and opaque.
    let mut trust = TrustStore::new();
    trust.add_anchor(carlos.certificate().clone());
    let policy = Policy::email();
    let msg =
        b"From: carlos@example.com\r\nTo: bob@example.com\r\nSubject: Ed25519\r\n\r\nFirmado.\r\n";
    for format in [SignFormat::Detached, SignFormat::Opaque] {
        let signed = smime::mime::sign_message_bytes(msg, &carlos, &SignOptions::default(), format)
            .expect("sign");
        if format == SignFormat::Detached {
            assert!(String::from_utf8_lossy(&signed).contains("micalg=sha-512"));
        }
        let opened =
            smime::reader::open(&signed, &[], &trust, &policy, SystemTime::now()).expect("open");
        assert!(
            opened.is_signature_valid(),
            "{format:?}: {:?}",
            opened.signatures().next().map(|s| s.status())
        );
        if format == SignFormat::Detached {
            let mut tampered = signed.clone();
            let at = tampered
                .windows(8)
                .position(|w| w == b"Firmado.")
                .expect("content in clear");
            tampered[at] = b'f';
            let opened = smime::reader::open(&tampered, &[], &trust, &policy, SystemTime::now())
                .expect("open");
            assert!(matches!(
                opened.signatures().next().map(|s| s.status()),
                Some(SignatureStatus::Invalid { .. })
            ));
        }
    }
    // The certificate really is Ed25519.
    let cert: &Certificate = carlos.certificate();
    assert_eq!(cert.key_algorithm().to_string(), "Ed25519");
}
