//! Sealing at speed keeps its bytes right (issue 12): messages large enough to go
//! through the base64 worker thread and the CLI's writer thread, with bare-LF lines so
//! that canonicalisation counts, are opened by OpenSSL, Python `cryptography` and our
//! own reader; `smime encrypt --cert --key` (sign, then encrypt in two passes) is
//! verified by OpenSSL after OpenSSL decrypts it.

#[allow(dead_code)]
use crate::sample;

use crate::common;

use std::io::Cursor;
use std::path::PathBuf;
use std::time::SystemTime;

use common::cli::{describe, smime};
use common::{openssl, python, read_file, temp_dir, write_file};
use smime::cms::{ContentCipher, EnvelopeOptions, SignOptions};
use smime::mime::HeaderProtection;
use smime::trust::{Policy, TrustStore};

/// A message of about `size` bytes whose body lines end in bare LF, and the inner
/// entity encryption must produce from it (Content-* fields and body, CRLF).
fn message(size: usize) -> (Vec<u8>, Vec<u8>) {
    let head =
        "From: alice@example.org\nTo: bob@example.org\nSubject: big\nContent-Type: text/plain\n\n";
    let mut body = String::new();
    let mut i = 0u64;
    while body.len() < size {
        body.push_str(&format!("line {i} {}\n", "x".repeat((i % 90) as usize)));
        i += 1;
    }
    let message = format!("{head}{body}").into_bytes();
    let inner = format!(
        "Content-Type: text/plain\r\n\r\n{}",
        body.replace('\n', "\r\n")
    );
    (message, inner.into_bytes())
}

struct Files {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Files {
    fn new() -> Files {
        let dir = temp_dir();
        let path = dir.path().to_path_buf();
        for (name, pem) in [
            ("alice.pem", sample::ALICE_CERT_PEM),
            ("alice.key", sample::ALICE_KEY_PEM),
            ("bob.pem", sample::BOB_CERT_PEM),
            ("bob.key", sample::BOB_KEY_PEM),
            ("ca.pem", sample::CA_CERT_PEM),
        ] {
            write_file(&path, name, pem.as_bytes());
        }
        Files { _dir: dir, path }
    }

    fn at(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.at(name).to_str().unwrap().to_string()
    }
}

/// The body of an S/MIME part after its header block.
fn body_of(entity: &[u8]) -> &[u8] {
    let at = entity.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &entity[at + 4..]
}

#[test]
fn large_messages_encrypted_through_the_worker_threads_open_everywhere() {
    let f = Files::new();
    let (msg, inner) = message(3 << 20);
    let input = write_file(&f.path, "msg.eml", &msg);
    for cipher in ["aes-128-cbc", "aes-256-gcm"] {
        let out = f.at("sealed.eml");
        let args = [
            "encrypt",
            "--recipient",
            &f.arg("bob.pem"),
            "--cipher",
            cipher,
            // Compared with the pre-RFC 9788 inner entity (header protection has its
            // own tests in header_protection.rs).
            "--no-header-protection",
            "--in",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        let run = smime(&args, b"");
        assert_eq!(run.status.code(), Some(0), "{}", describe(&args, &run));
        let sealed = read_file(&out);
        let opened = openssl::decrypt(&sealed, &f.at("bob.pem"), &f.at("bob.key"))
            .unwrap_or_else(|e| panic!("openssl, {cipher}: {e}"));
        assert!(
            opened == inner,
            "openssl opens the {cipher} message to the inner entity"
        );
        if cipher == "aes-128-cbc" {
            // Python reads DER only: the length was counted right.
            let opened = python::decrypt(&sealed, &f.at("bob.pem"), &f.at("bob.key"))
                .unwrap_or_else(|e| panic!("python: {e}"));
            assert!(
                opened == inner,
                "python opens the message to the inner entity"
            );
        }
    }
}

#[test]
fn cli_sign_then_encrypt_is_verified_by_openssl_after_it_decrypts() {
    let f = Files::new();
    let (msg, inner) = message(1 << 20);
    let input = write_file(&f.path, "msg.eml", &msg);
    let out = f.at("sealed.eml");
    let args = [
        "encrypt",
        "--cert",
        &f.arg("alice.pem"),
        "--key",
        &f.arg("alice.key"),
        "--recipient",
        &f.arg("bob.pem"),
        "--cipher",
        "aes-128-cbc",
        "--no-header-protection",
        "--in",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let run = smime(&args, b"");
    assert_eq!(run.status.code(), Some(0), "{}", describe(&args, &run));
    let sealed = read_file(&out);
    assert!(sealed.starts_with(b"From: alice@example.org\r\nTo: bob@example.org\r\n"));
    let signed = openssl::decrypt(&sealed, &f.at("bob.pem"), &f.at("bob.key"))
        .unwrap_or_else(|e| panic!("openssl decrypt: {e}"));
    assert!(signed.starts_with(b"Content-Type: multipart/signed;"));
    let content = openssl::verify(&signed, &f.at("ca.pem"), None)
        .unwrap_or_else(|e| panic!("openssl verify: {e}"));
    assert!(
        content == inner,
        "the signed entity is the canonical inner entity"
    );
    // Python reads the DER envelope too.
    let again = python::decrypt(&sealed, &f.at("bob.pem"), &f.at("bob.key"))
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(again == signed);
}

/// Alice signs and encrypts `msg` to Bob with the one-pass library call.
fn sign_then_encrypt_to_bob(
    msg: &[u8],
    cipher: ContentCipher,
    protection: HeaderProtection,
) -> Vec<u8> {
    smime::mime::sign_and_encrypt_seekable(
        Cursor::new(msg),
        &sample::alice().unwrap(),
        &SignOptions::default(),
        &[sample::bob().unwrap().certificate().clone()],
        &EnvelopeOptions::with_cipher(cipher),
        protection,
        Vec::new(),
    )
    .unwrap()
}

/// Bob opens `sealed`, trusting the sample CA.
fn open_as_bob(sealed: &[u8]) -> smime::OpenedMessage {
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca().unwrap());
    let bob = sample::bob().unwrap();
    smime::reader::open(sealed, &[&bob], &trust, &Policy::email(), SystemTime::now()).unwrap()
}

#[test]
fn library_sign_then_encrypt_opens_in_our_reader_with_a_valid_signature() {
    for size in [0usize, 1000, 600 << 10] {
        let (msg, inner) = message(size);
        let sealed =
            sign_then_encrypt_to_bob(&msg, ContentCipher::Aes256Gcm, HeaderProtection::off());
        let opened = open_as_bob(&sealed);
        assert!(opened.is_signature_valid(), "{size} bytes");
        assert!(body_of(opened.content()) == body_of(&inner), "{size} bytes");
    }
}

/// With header protection (the default), the one-pass sign-then-encrypt hides the
/// Subject outside and the reader shows the protected one (RFC 9788 §4).
#[test]
fn library_sign_then_encrypt_protects_the_header_section() {
    let (msg, _) = message(1000);
    let sealed =
        sign_then_encrypt_to_bob(&msg, ContentCipher::Aes256Cbc, HeaderProtection::default());
    let outside = String::from_utf8_lossy(&sealed[..sealed.len().min(2000)]).into_owned();
    assert!(outside.contains("Subject: [...]"), "{outside}");
    assert!(!outside.contains("Subject: big"), "{outside}");
    let opened = open_as_bob(&sealed);
    assert!(opened.is_signature_valid());
    assert!(opened.header_protection().is_some());
    assert_eq!(opened.subject().as_deref(), Some("big"));
}

/// An RSA signer's signature length is known before the content, so the message is
/// hashed and encrypted in one pass; an ECDSA signer's is not, so it is hashed first.
/// Either way the envelope is DER (Python `cryptography` reads nothing else) and
/// OpenSSL verifies the signature inside, at sizes around the pipeline's chunks.
#[test]
fn library_sign_then_encrypt_is_der_for_rsa_and_ecdsa_signers() {
    let f = Files::new();
    let cas = format!("{}{}", sample::CA_CERT_PEM, sample::PARTNER_CA_CERT_PEM);
    let cas = write_file(&f.path, "cas.pem", cas.as_bytes());
    let bob = [sample::bob().unwrap().certificate().clone()];
    for (who, signer) in [("alice", sample::alice()), ("dave", sample::dave())] {
        let signer = signer.unwrap();
        for size in [0usize, 1000, (128 << 10) - 40, 600 << 10] {
            let (msg, inner) = message(size);
            let sealed = smime::mime::sign_and_encrypt_seekable(
                Cursor::new(&msg),
                &signer,
                &SignOptions::default(),
                &bob,
                &EnvelopeOptions::with_cipher(ContentCipher::Aes128Cbc),
                HeaderProtection::off(),
                Vec::new(),
            )
            .unwrap();
            let signed = python::decrypt(&sealed, &f.at("bob.pem"), &f.at("bob.key"))
                .unwrap_or_else(|e| panic!("python, {who}, {size} bytes: {e}"));
            let content = openssl::verify(&signed, &cas, None)
                .unwrap_or_else(|e| panic!("openssl verify, {who}, {size} bytes: {e}"));
            assert!(content == inner, "{who}, {size} bytes");
        }
    }
}
