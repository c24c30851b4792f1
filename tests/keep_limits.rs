//! Limits of keeping certificates from messages (REQUIREMENTS.md §2 rows 6 and 27):
//! a SignedData stuffed with 10,000 certificates is opened in bounded time and memory
//! and stores nothing but the signer's certificate; a certificate the user trusted
//! stops being usable once its issuer revokes it, and never counts for another address.

#[allow(dead_code)]
use crate::sample;

use crate::common;

use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::enc_pki::{addr, enc_pki};
use smime::cms::{MAX_MESSAGE_CERTIFICATES, SignOptions};
use smime::directory::{CertificateStoreWrite, InstalledStore};
use smime::encryptor::{Encryptor, RecipientStatus, Recipients, UnusableReason};
use smime::keep;
use smime::mime::SignFormat;
use smime::reader::SignatureStatus;
use smime::trust::{Crl, Policy, Purpose, TrustStore, Use};
use smime::{Certificate, Identity};

fn policy() -> Policy {
    Policy::email()
}

fn signed_by(id: &Identity, from: &str) -> Vec<u8> {
    let msg = format!("From: {from}\r\nTo: me@t.example\r\nSubject: hi\r\n\r\nHello\r\n");
    smime::mime::sign_message_bytes(
        msg.as_bytes(),
        id,
        &SignOptions::default(),
        SignFormat::Detached,
    )
    .expect("sign")
}

/// One DER TLV at the start of `b`: (header length, content length).
fn tlv(b: &[u8]) -> (usize, usize) {
    let first = b[1];
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len = b[2..2 + n]
        .iter()
        .fold(0usize, |acc, x| (acc << 8) | usize::from(*x));
    (2 + n, len)
}

fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Replaces the certificates of a DER SignedData ContentInfo with `certs` copies of
/// `cert` (the signature does not cover the certificate set, so it stays valid).
fn stuff_certificates(signed_data: &[u8], cert: &[u8], copies: usize) -> Vec<u8> {
    // ContentInfo SEQUENCE { OID, [0] { SignedData SEQUENCE { ... } } }
    let (h, _) = tlv(signed_data);
    let ci = &signed_data[h..];
    let (oh, ol) = tlv(ci);
    let oid = &ci[..oh + ol];
    let explicit = &ci[oh + ol..];
    let (eh, _) = tlv(explicit);
    let sd = &explicit[eh..];
    let (sh, sl) = tlv(sd);
    let mut rest = &sd[sh..sh + sl];
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (fh, fl) = tlv(rest);
        let (field, tail) = rest.split_at(fh + fl);
        if field[0] == 0xa0 {
            fields.push(encode(0xa0, &cert.repeat(copies)));
        } else {
            fields.push(field.to_vec());
        }
        rest = tail;
    }
    let sd = encode(0x30, &fields.concat());
    let explicit = encode(0xa0, &sd);
    encode(0x30, &[oid, &explicit].concat())
}

#[test]
fn row_06_ten_thousand_certificates_are_bounded_and_not_stored() {
    let alice = sample::alice().unwrap();
    let signed = signed_by(&alice, "alice@example.org");
    // Take the signature part out, stuff it, put it back.
    let text = String::from_utf8(signed.clone()).unwrap();
    let start = text.find("S/MIME Cryptographic Signature\r\n\r\n").unwrap() + 34;
    let end = start + text[start..].find("\r\n--").unwrap();
    let der = STANDARD
        .decode(text[start..end].replace("\r\n", ""))
        .unwrap();
    let stuffed = stuff_certificates(&der, alice.certificate().der(), 10_000);
    assert!(stuffed.len() > 10_000 * alice.certificate().der().len());
    let message = [
        &signed[..start],
        STANDARD.encode(&stuffed).as_bytes(),
        &signed[end..],
    ]
    .concat();

    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca().unwrap());
    let opened = smime::reader::open(&message, &[], &trust, &policy(), SystemTime::now()).unwrap();
    // Bounded: only the first MAX_MESSAGE_CERTIFICATES are read (deduplicated here).
    assert!(opened.certificates().len() <= MAX_MESSAGE_CERTIFICATES);
    assert!(opened.is_signature_valid());
    // Installing stores the signer's certificate and nothing else.
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    keep::install(&store, &opened).unwrap();
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].certificate(), alice.certificate());
}

#[test]
fn row_27_user_trust_does_not_survive_revocation_or_travel_to_another_address() {
    let p = enc_pki();
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let revoked = p.identity("revoked");
    // The user trusts the certificate from a message (its CA is not an anchor).
    let untrusted = TrustStore::new().with_user_trust(Arc::new(store.clone()));
    let signed = signed_by(&revoked, "revoked@t.example");
    let opened =
        smime::reader::open(&signed, &[], &untrusted, &policy(), SystemTime::now()).unwrap();
    let sender = keep::sender_certificate(&opened).unwrap();
    assert!(matches!(
        sender.status(),
        SignatureStatus::UntrustedIssuer { .. }
    ));
    keep::trust(&store, &sender, &[Purpose::Verify, Purpose::Encrypt]).unwrap();
    let opened =
        smime::reader::open(&signed, &[], &untrusted, &policy(), SystemTime::now()).unwrap();
    assert!(
        opened.is_signature_valid(),
        "trusted before the CRL is known"
    );
    // Installed for its address (what keep::install does once the signature is valid).
    store
        .install(revoked.certificate(), &Default::default())
        .expect("install");

    // The issuer's CRL revokes it: the user's trust does not override revocation.
    let mut with_crl = TrustStore::new().with_user_trust(Arc::new(store.clone()));
    with_crl.add_intermediate(p.ca());
    for crl in Crl::load(&std::fs::read(p.dir().join("crl.pem")).unwrap()).unwrap() {
        with_crl.add_crl(crl);
    }
    let opened =
        smime::reader::open(&signed, &[], &with_crl, &policy(), SystemTime::now()).unwrap();
    let status = opened.signatures().next().unwrap().status().clone();
    assert!(
        matches!(status, SignatureStatus::Revoked { .. }),
        "{status:?}"
    );
    let enc = Encryptor::new(&store, &with_crl).with_encrypt_to_self(false);
    let report = enc.check(
        &Recipients::new().to(addr("revoked@t.example")),
        SystemTime::now(),
    );
    match report.recipients()[0].status() {
        RecipientStatus::CertificateUnusable { reason, .. } => {
            assert_eq!(*reason, UnusableReason::Revoked)
        }
        other => panic!("{other:?}"),
    }

    // The same trusted certificate presented for another address is not usable.
    let use_other = Use::encrypt_to(addr("someone-else@t.example"), SystemTime::now());
    let cert: &Certificate = revoked.certificate();
    assert!(
        untrusted
            .evaluate(cert, &policy(), &use_other, &[])
            .is_err()
    );
}

/// The catch-all reason: a chain that fails for something the user cannot override
/// (here an intermediate without cA=TRUE, RFC 5280 §6.1.4(k)) is `Invalid` with the
/// trust error's words, not "untrusted issuer".
#[test]
fn unusable_reason_invalid_for_a_chain_through_a_non_ca() {
    let dir = common::temp_dir();
    let d = dir.path();
    std::fs::write(
        d.join("ext.cnf"),
        "[mid]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign,digitalSignature\n\
         [leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment,digitalSignature\n\
         extendedKeyUsage=emailProtection\nsubjectAltName=email:leaf@t.example\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| common::openssl_in(d, args);
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-subj",
        "/CN=Root",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    for (name, ca, ext, serial) in [("mid", "root", "mid", "2"), ("leaf", "mid", "leaf", "3")] {
        openssl(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            serial,
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-extensions",
            ext,
            "-out",
            &format!("{name}.pem"),
        ]);
    }
    let load = |n: &str| {
        Certificate::from_pem(&std::fs::read(d.join(format!("{n}.pem"))).unwrap()).unwrap()
    };
    let mut trust = TrustStore::new();
    trust.add_anchor(load("root"));
    trust.add_intermediate(load("mid"));
    let gal = smime::directory::MemoryDirectory::from_certificates("gal", [load("leaf")]);
    let enc = Encryptor::new(&gal, &trust).with_encrypt_to_self(false);
    let report = enc.check(
        &Recipients::new().to(addr("leaf@t.example")),
        SystemTime::now(),
    );
    match report.recipients()[0].status() {
        RecipientStatus::CertificateUnusable {
            reason: UnusableReason::Invalid(why),
            ..
        } => assert!(!why.to_string().is_empty()),
        other => panic!("{other:?}"),
    }
}
