//! Our signatures judged by peers: `openssl cms -verify` (RSA PKCS#1 v1.5 and PSS, ECDSA
//! P-256 and P-384, every digest, detached and opaque) and `gpgsm --verify` (RSA PKCS#1
//! v1.5 only: gpgsm 2.2 aborts on RSA-PSS and refuses P-384 with SHA-256, PEERS.md).
//! Python `cryptography` verifies nothing, so it cannot judge us here. Every check
//! compares the content the peer returns with the exact signed entity.
//!
//! The identity comes from the PKCS#12 with its chain (leaf, intermediate), and peers
//! trust only the root: the intermediate must travel in our SignedData.

use crate::common;

use common::cli::{self, KeyFrom};
use common::gpgsm::Gpgsm;
use common::pki::pki;
use common::{assert_bytes_eq, msg, openssl};

/// `smime sign` of `message` as `who` with `flags`.
fn sign(who: &str, message: &[u8], flags: &[&str]) -> Vec<u8> {
    let p = pki();
    // The pre-RFC 9788 shape the checks below expect (header protection: its own tests).
    let mut args = vec!["sign".to_string(), "--no-header-protection".to_string()];
    args.extend(cli::key_args(p, who, KeyFrom::P12));
    args.extend(flags.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    cli::smime_ok(&refs, message)
}

/// The signed entity of a multipart/signed message: the bytes between the first
/// boundary line and the CRLF before the next (RFC 1847 §2.1).
fn first_part(signed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(signed);
    let b = text
        .split("boundary=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("boundary parameter");
    let open = format!("\r\n--{b}\r\n");
    let close = format!("\r\n--{b}\r\n");
    let start = text.find(&open).expect("first boundary") + open.len();
    let end = start + text[start..].find(&close).expect("second boundary");
    signed[start..end].to_vec()
}

#[test]
fn openssl_verifies_every_algorithm_and_shape() {
    let p = pki();
    let message = msg::plain();
    let expected = msg::inner_entity(&message);
    let mut checked = 0;
    for who in ["alice", "dave", "frank", "grace"] {
        let rsa = common::pki::kind(who).is_rsa();
        let paddings: &[&str] = if rsa { &["pkcs1", "pss"] } else { &["pkcs1"] };
        for digest in ["sha256", "sha384", "sha512"] {
            for padding in paddings {
                for opaque in [false, true] {
                    let mut flags = vec!["--digest", digest, "--rsa-padding", padding];
                    if opaque {
                        flags.push("--opaque");
                    }
                    let signed = sign(who, &message, &flags);
                    // The outer fields stay visible.
                    assert_eq!(
                        msg::header(&signed, "Subject"),
                        msg::header(&message, "Subject"),
                        "{who} {flags:?}"
                    );
                    let content = openssl::verify(&signed, &p.root(), None)
                        .unwrap_or_else(|e| panic!("{who} {flags:?}: {e}"));
                    assert_bytes_eq(&content, &expected, &format!("{who} {flags:?}"));
                    if !opaque {
                        assert_bytes_eq(&first_part(&signed), &expected, "signed entity");
                        let micalg = format!("micalg={}", digest.replace("sha", "sha-"));
                        assert!(
                            String::from_utf8_lossy(&signed).contains(&micalg),
                            "{micalg}"
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 3 * 2 * 2 + 2 * 3 * 2);
}

#[test]
fn openssl_verifies_multipart_and_lf_input() {
    let p = pki();
    for message in [msg::multipart(), msg::lf_only()] {
        let signed = sign("bob", &message, &[]);
        let content = openssl::verify(&signed, &p.root(), None).expect("verify");
        assert_bytes_eq(&content, &msg::inner_entity(&message), "content");
    }
}

#[test]
fn a_changed_byte_fails_openssl_verification() {
    let p = pki();
    let signed = sign("alice", &msg::plain(), &[]);
    let part = first_part(&signed);
    let at = signed
        .windows(part.len())
        .position(|w| w == part.as_slice())
        .expect("part")
        + part.len()
        - 3;
    let mut tampered = signed.clone();
    tampered[at] ^= 0x01;
    assert!(openssl::verify(&tampered, &p.root(), None).is_err());
}

#[test]
fn subject_key_identifier_signers_verify() {
    let p = pki();
    let signed = sign("carol", &msg::plain(), &["--sid", "ski"]);
    openssl::verify(&signed, &p.root(), None).expect("verify");
}

#[test]
fn gpgsm_verifies_detached_and_opaque_rsa() {
    let p = pki();
    let gpgsm = Gpgsm::new(p);
    let message = msg::plain();
    let expected = msg::inner_entity(&message);
    for digest in ["sha256", "sha512"] {
        let detached = sign("alice", &message, &["--digest", digest]);
        let der = openssl::smime_to_der(&detached);
        gpgsm
            .verify(&der, Some(&first_part(&detached)))
            .unwrap_or_else(|e| panic!("detached {digest}: {e}"));
        let opaque = sign("alice", &message, &["--digest", digest, "--opaque"]);
        let der = openssl::smime_to_der(&opaque);
        let content = gpgsm
            .verify(&der, None)
            .unwrap_or_else(|e| panic!("opaque {digest}: {e}"));
        assert_bytes_eq(&content, &expected, "gpgsm opaque content");
    }
}

#[test]
fn gpgsm_verifies_p256() {
    let p = pki();
    let gpgsm = Gpgsm::new(p);
    let detached = sign("frank", &msg::plain(), &["--digest", "sha256"]);
    let der = openssl::smime_to_der(&detached);
    gpgsm
        .verify(&der, Some(&first_part(&detached)))
        .expect("gpgsm verifies ECDSA P-256 with SHA-256");
}
