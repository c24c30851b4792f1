//! Nested layers in one call: the triple wrap (sign, encrypt, sign) opened by our
//! reader and by OpenSSL layer by layer, and a certs-only message that OpenSSL reads.

use crate::common;

use std::time::SystemTime;

use common::pki::{PASSWORD, pki};
use common::{msg, openssl, run_checked, temp_dir, write_file};
use smime::cms::{EnvelopeOptions, SignOptions};
use smime::mime::SignFormat;
use smime::reader::{self, Layer, SignedScope};
use smime::trust::{Policy, TrustStore};
use smime::{Certificate, Identity};

fn identity(who: &str) -> Identity {
    Identity::from_pkcs12(&std::fs::read(pki().p12(who)).expect("p12"), PASSWORD).expect("identity")
}

fn trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(Certificate::from_pem(&std::fs::read(pki().root()).expect("root")).expect("root"));
    t
}

#[test]
fn triple_wrap_opens_in_our_reader_and_in_openssl() {
    let p = pki();
    let alice = identity("alice");
    let bob = identity("bob");
    let message = msg::plain();
    let wrapped = smime::mime::triple_wrap_message(
        &message[..],
        &alice,
        &SignOptions::default(),
        SignFormat::Detached,
        &[bob.certificate().clone()],
        &EnvelopeOptions::default(),
        Vec::new(),
    )
    .expect("triple wrap");
    let opened = reader::open(
        &wrapped,
        &[&bob],
        &trust(),
        &Policy::email(),
        SystemTime::now(),
    )
    .expect("open");
    let kinds: Vec<&str> = opened
        .layers()
        .iter()
        .map(|l| match l {
            Layer::Signed { .. } => "signed",
            Layer::Encrypted { .. } => "encrypted",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["signed", "encrypted", "signed"]);
    assert_eq!(opened.signed_scope(), SignedScope::WholeMessage);
    assert!(
        opened.is_signature_valid(),
        "{:?}",
        opened.signatures().map(|s| s.status()).collect::<Vec<_>>()
    );
    assert_eq!(opened.decryption_authenticated(), Some(true));
    assert_eq!(opened.content(), msg::inner_entity(&message).as_slice());

    // OpenSSL, layer by layer: verify, decrypt, verify.
    let outer = openssl::verify(&wrapped, &p.root(), None).expect("outer signature");
    let signed = openssl::decrypt(&outer, &p.cert("bob"), &p.key("bob")).expect("decrypt");
    let content = openssl::verify(&signed, &p.root(), None).expect("inner signature");
    common::assert_bytes_eq(&content, &msg::inner_entity(&message), "content");
}

#[test]
fn certs_only_message_carries_the_chain() {
    let p = pki();
    let alice = identity("alice");
    let mut certs = vec![alice.certificate().clone()];
    certs.extend(alice.chain().iter().cloned());
    let message = smime::mime::certs_only_message(
        b"From: alice@example.com\r\nTo: bob@example.com\r\nSubject: my certificate\r\n\r\n",
        &certs,
    )
    .expect("certs-only");
    assert!(String::from_utf8_lossy(&message).contains("smime-type=certs-only"));
    // Ours: a certs-only layer, not a signature.
    let opened =
        reader::open(&message, &[], &trust(), &Policy::email(), SystemTime::now()).expect("open");
    assert_eq!(opened.signed_scope(), SignedScope::NotSigned);
    assert!(!opened.is_signature_valid());
    assert_eq!(opened.certificates().len(), certs.len());
    // OpenSSL reads the same certificates out of it.
    let dir = temp_dir();
    let inp = write_file(dir.path(), "certs.eml", &message);
    let p7 = dir.path().join("certs.p7");
    let out = dir.path().join("certs.pem");
    let mut cmd = std::process::Command::new("openssl");
    cmd.args(["smime", "-pk7out", "-in"])
        .arg(&inp)
        .arg("-out")
        .arg(&p7);
    run_checked(&mut cmd, b"").expect("openssl reads the certs-only message");
    let mut cmd = std::process::Command::new("openssl");
    cmd.args(["pkcs7", "-print_certs", "-in"])
        .arg(&p7)
        .arg("-out")
        .arg(&out);
    run_checked(&mut cmd, b"").expect("openssl lists its certificates");
    let listed =
        Certificate::all_from_pem(&std::fs::read(&out).expect("pem")).expect("certificates");
    assert_eq!(listed.len(), certs.len());
    let _ = p;
}
