//! The one-pass paths (input that cannot be read twice): `encrypt_message_stream`
//! writes indefinite-length BER, and `sign_and_encrypt_message` spools. OpenSSL is the
//! judge of both.

use crate::common;

use common::pki::pki;
use common::{assert_bytes_eq, msg, openssl};
use smime::Certificate;
use smime::cms::{ContentCipher, EnvelopeOptions, SignOptions};
use smime::mime::SignFormat;

fn cert(who: &str) -> Certificate {
    Certificate::from_pem(&std::fs::read(pki().cert(who)).expect("cert")).expect("parse cert")
}

#[test]
fn one_pass_ber_encryption_opens_in_openssl() {
    let p = pki();
    let message = msg::multipart();
    for cipher in [ContentCipher::Aes128Cbc, ContentCipher::Aes256Gcm] {
        // A pipe: no Seek, so the one-pass function is the only choice.
        let reader = std::io::BufReader::new(std::io::Cursor::new(message.clone()).chain_empty());
        let sealed = smime::mime::encrypt_message_stream(
            reader,
            &[cert("bob")],
            &EnvelopeOptions::with_cipher(cipher),
            Vec::new(),
        )
        .expect("encrypt");
        // Our bytes, not OpenSSL's re-encoding: ContentInfo opens with 30 80.
        let cms = smime::mime::find_enveloped(&sealed)
            .expect("S/MIME part")
            .into_cms();
        assert_eq!(
            cms.get(..2),
            Some(&[0x30, 0x80][..]),
            "{cipher}: expected indefinite-length BER"
        );
        let plain =
            openssl::decrypt(&sealed, &p.cert("bob"), &p.key("bob")).expect("openssl decrypt");
        assert_bytes_eq(&plain, &msg::inner_entity(&message), &format!("{cipher}"));
    }
}

#[test]
fn sign_then_encrypt_opens_and_verifies_in_openssl() {
    let p = pki();
    let alice = smime::Identity::from_pkcs12(
        &std::fs::read(p.p12("alice")).expect("p12"),
        common::pki::PASSWORD,
    )
    .expect("identity");
    let message = msg::plain();
    let sealed = smime::mime::sign_and_encrypt_message(
        &message[..],
        &alice,
        &SignOptions::default(),
        SignFormat::Detached,
        &[cert("bob")],
        &EnvelopeOptions::default(),
        Vec::new(),
    )
    .expect("sign and encrypt");
    let signed = openssl::decrypt(&sealed, &p.cert("bob"), &p.key("bob")).expect("openssl decrypt");
    let content = openssl::verify(&signed, &p.root(), None).expect("openssl verify");
    assert_bytes_eq(&content, &msg::inner_entity(&message), "signed content");
}

/// Hides `Seek` from a reader.
trait ChainEmpty: std::io::Read + Sized {
    fn chain_empty(self) -> std::io::Chain<Self, std::io::Empty> {
        std::io::Read::chain(self, std::io::empty())
    }
}
impl<R: std::io::Read> ChainEmpty for R {}
