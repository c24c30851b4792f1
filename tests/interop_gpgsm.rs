//! Interoperability with gpgsm 2.2 (GnuPG's S/MIME, as used by KMail and Kleopatra), both
//! directions, through the `smime` CLI. Each test has its own gpgsm home and agent.
//!
//! Scope follows the peer's limits (/work/shared/PEERS.md, re-measured): gpgsm encrypts
//! with RSA PKCS#1 v1.5 and AES-CBC (`--cipher-algo` AES128, the default, AES192, AES256),
//! writes raw CMS DER (wrapped into a message here, as a mail client would), and decrypts
//! only RSA PKCS#1 v1.5 with AES-CBC addressed by issuerAndSerialNumber (it answers "No
//! secret key" for OAEP and for subjectKeyIdentifier recipients). It reads raw CMS, not an
//! S/MIME message, so our output is unwrapped to its CMS before gpgsm sees it.

use crate::common;

use common::cli::{self, KeyFrom};
use common::gpgsm::Gpgsm;
use common::pki::pki;
use common::{assert_bytes_eq, msg};

#[test]
fn gpgsm_to_ours_each_cipher() {
    let p = pki();
    let g = Gpgsm::new(p);
    let entity = msg::entity();
    for algo in [None, Some("AES192"), Some("AES256")] {
        let der = g.encrypt_with(&entity, &[&p.cert("alice")], algo);
        let what = format!("gpgsm --cipher-algo {}", algo.unwrap_or("(default AES128)"));
        // As a mail client receives it: a whole message, application/pkcs7-mime.
        let dec = cli::decrypt(p, &msg::wrap_enveloped(&der), "alice", KeyFrom::P12);
        assert_bytes_eq(&dec, &entity, &format!("{what}, wrapped"));
        // And the raw CMS gpgsm wrote.
        let dec = cli::decrypt(p, &der, "alice", KeyFrom::CertKey);
        assert_bytes_eq(&dec, &entity, &format!("{what}, raw DER"));
    }
}

#[test]
fn gpgsm_to_ours_several_recipients_each_decrypts() {
    let p = pki();
    let g = Gpgsm::new(p);
    let entity = msg::inner_entity(&msg::multipart());
    let everyone = ["alice", "bob", "dave", "erin"];
    let certs: Vec<_> = everyone.iter().map(|w| p.cert(w)).collect();
    let refs: Vec<&std::path::Path> = certs.iter().map(|c| c.as_path()).collect();
    let der = g.encrypt_with(&entity, &refs, Some("AES256"));
    let wrapped = msg::wrap_enveloped(&der);
    for who in everyone {
        let dec = cli::decrypt(p, &wrapped, who, KeyFrom::P12Legacy);
        assert_bytes_eq(&dec, &entity, who);
    }
}

#[test]
fn ours_to_gpgsm_each_cbc_cipher() {
    let p = pki();
    let g = Gpgsm::with_identity(p, "bob");
    for cipher in ["aes-128-cbc", "aes-192-cbc", "aes-256-cbc"] {
        for message in [msg::plain(), msg::multipart()] {
            let flags = [
                "--cipher",
                cipher,
                "--key-transport",
                "rsa-pkcs1",
                "--rid",
                "issuer-serial",
            ];
            let enc = cli::encrypt(p, &message, &["bob"], &flags);
            let der = msg::check_encrypted_shape(&enc, &message, "enveloped-data");
            let dec = g
                .decrypt(&der)
                .unwrap_or_else(|e| panic!("gpgsm decrypt of ours ({cipher}): {e}"));
            assert_bytes_eq(
                &dec,
                &msg::inner_entity(&message),
                &format!("gpgsm decrypt, {cipher}"),
            );
        }
    }
}

#[test]
fn ours_to_gpgsm_several_recipients() {
    let p = pki();
    let message = msg::large();
    let flags = [
        "--cipher",
        "aes-256-cbc",
        "--key-transport",
        "rsa-pkcs1",
        "--rid",
        "issuer-serial",
    ];
    let enc = cli::encrypt(p, &message, &["alice", "carol", "dave"], &flags);
    let der = msg::cms_der(&enc);
    for who in ["carol", "dave"] {
        let g = Gpgsm::with_identity(p, who);
        let dec = g
            .decrypt(&der)
            .unwrap_or_else(|e| panic!("gpgsm decrypt as {who}: {e}"));
        assert_bytes_eq(&dec, &msg::inner_entity(&message), who);
    }
    // erin is not a recipient: gpgsm must fail (proves the check above can fail).
    let g = Gpgsm::with_identity(p, "erin");
    assert!(g.decrypt(&der).is_err());
}
