//! Keeping a sender's certificate from a signed message: view, trust, install,
//! remove; the install rules (REQUIREMENTS.md §2 row 6), the key-change warning and
//! the capability cache rules (row 5).

#[allow(dead_code)]
use crate::sample;

use crate::common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::enc_pki::{addr, address_of, enc_pki};
use smime::Identity;
use smime::cms::SignOptions;
use smime::directory::{CertificateDirectory, InstalledStore};
use smime::encryptor::{Encryptor, RecipientStatus, Recipients};
use smime::keep::{self, KeepError};
use smime::mime::SignFormat;
use smime::reader::OpenedMessage;
use smime::trust::{Policy, Purpose, TrustStore};

fn now() -> SystemTime {
    SystemTime::now()
}

fn signed_by(id: &Identity, from: &str, options: SignOptions) -> Vec<u8> {
    let msg = format!(
        "From: {from}\r\nTo: me@t.example\r\nMessage-ID: <m1@t.example>\r\nSubject: hello\r\n\r\nHello there\r\n"
    );
    smime::mime::sign_message_bytes(msg.as_bytes(), id, &options, SignFormat::Detached).unwrap()
}

fn open(raw: &[u8], trust: &TrustStore) -> OpenedMessage {
    smime::reader::open(raw, &[], trust, &Policy::email(), now()).unwrap()
}

fn store() -> (tempfile::TempDir, InstalledStore) {
    let dir = common::temp_dir();
    let s = InstalledStore::open(dir.path()).unwrap();
    (dir, s)
}

#[test]
fn outside_sender_trust_install_encrypt_remove() {
    let (_d, store) = store();
    let mut trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
    trust.add_anchor(sample::ca().unwrap());
    let carol = sample::carol().unwrap();
    let signed = signed_by(&carol, "carol@outside.example", SignOptions::default());
    let opened = open(&signed, &trust);
    let sender = keep::sender_certificate(&opened).unwrap();
    assert!(sender.can_trust());
    let details = sender.details();
    assert_eq!(details.addresses, ["carol@outside.example"]);
    assert!(details.issuer.contains("Outside Root CA"));
    assert_eq!(details.sha256, sender.certificate().fingerprint_hex());
    assert!(details.key_usage.contains(&"keyEncipherment"));
    // Unknown CA: install refuses until the user trusts.
    assert!(matches!(
        keep::install(&store, &opened).unwrap_err(),
        KeepError::Untrusted { .. }
    ));
    let decision = keep::trust(&store, &sender, &[Purpose::Verify, Purpose::Encrypt]).unwrap();
    assert_eq!(decision.addresses, [addr("carol@outside.example")]);
    // The decision covers exactly this certificate: its CA is not an anchor.
    assert!(
        trust
            .anchors()
            .iter()
            .all(|a| a != &sample::outside_ca().unwrap())
    );
    let opened = open(&signed, &trust);
    assert!(opened.is_signature_valid());
    let installed = keep::install(&store, &opened).unwrap();
    assert_eq!(installed.address, addr("carol@outside.example"));
    assert!(installed.preferences_updated);
    // Encrypting to Carol works now.
    let enc = Encryptor::new(&store, &trust);
    let r = Recipients::new().to(addr("carol@outside.example"));
    let report = enc.check(&r, now());
    assert!(report.all_encryptable(), "{report:?}");
    let sealed = enc
        .seal(
            b"Subject: x\r\n\r\nfor carol\r\n",
            &report,
            &smime::encryptor::SealOptions::encrypt(),
        )
        .unwrap();
    assert!(smime::mime::decrypt_message_bytes(sealed.copies()[0].message(), &carol).is_ok());
    // Remove: gone, and so is the trust decision.
    assert!(keep::remove(&store, &installed.fingerprint).unwrap());
    let report = enc.check(&r, now());
    assert!(matches!(
        report.recipients()[0].status(),
        RecipientStatus::NoCertificate
    ));
    assert!(
        store
            .trust_decision(&installed.fingerprint)
            .unwrap()
            .is_none()
    );
}

#[test]
fn tampered_message_is_not_kept_and_its_capabilities_are_ignored() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let mut signed = signed_by(
        &pki.identity("good"),
        "good@t.example",
        SignOptions::default(),
    );
    let at = signed
        .windows(11)
        .position(|w| w == b"Hello there")
        .unwrap();
    signed[at] = b'J';
    let opened = open(&signed, &trust);
    assert!(!opened.is_signature_valid());
    let e = keep::install(&store, &opened).unwrap_err();
    assert!(matches!(e, KeepError::InvalidSignature(_)), "{e:?}");
    assert!(!keep::record_preferences(&store, &opened, now()).unwrap());
    assert!(store.preferences(&address_of("good")).unwrap().is_none());
    assert!(store.list().unwrap().is_empty());
    // Nor can the user "trust" a broken signature.
    if let Some(sender) = keep::sender_certificate(&opened) {
        assert!(!sender.can_trust());
        assert!(keep::trust(&store, &sender, &[Purpose::Encrypt]).is_err());
    }
    assert!(store.trust_decisions().unwrap().0.is_empty());
}

#[test]
fn certificate_must_name_the_from_address() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let signed = signed_by(
        &pki.identity("good"),
        "boss@t.example",
        SignOptions::default(),
    );
    let opened = open(&signed, &trust);
    assert!(matches!(
        keep::install(&store, &opened).unwrap_err(),
        KeepError::AddressMismatch { .. }
    ));
    assert!(!keep::record_preferences(&store, &opened, now()).unwrap());
    let sender = keep::sender_certificate(&opened).unwrap();
    assert!(keep::trust(&store, &sender, &[Purpose::Encrypt]).is_err());
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn signature_only_certificate_is_not_installed() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let signed = signed_by(
        &pki.identity("kusign"),
        "kusign@t.example",
        SignOptions::default(),
    );
    let opened = open(&signed, &trust);
    assert!(opened.is_signature_valid());
    assert!(matches!(
        keep::install(&store, &opened).unwrap_err(),
        KeepError::NotForEncryption
    ));
}

#[test]
fn key_change_needs_a_fresh_decision() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let first = open(
        &signed_by(
            &pki.identity("multi1"),
            "multi@t.example",
            SignOptions::default(),
        ),
        &trust,
    );
    keep::install(&store, &first).unwrap();
    let second = open(
        &signed_by(
            &pki.identity("multi2"),
            "multi@t.example",
            SignOptions::default(),
        ),
        &trust,
    );
    let err = keep::install(&store, &second).unwrap_err();
    let KeepError::KeyChange {
        installed, offered, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(installed, &pki.cert("multi1").fingerprint_sha256());
    assert_eq!(offered, &pki.cert("multi2").fingerprint_sha256());
    // Still the old one.
    let found = store.lookup(&[addr("multi@t.example")]);
    assert_eq!(found[0].candidates().len(), 1);
    assert_eq!(found[0].candidates()[0].certificate(), &pki.cert("multi1"));
    // The user confirms: the new one replaces the old.
    let sender = keep::sender_certificate(&second).unwrap();
    keep::trust(&store, &sender, &[Purpose::Encrypt]).unwrap();
    let done = keep::install(&store, &second).unwrap();
    assert_eq!(done.replaced, Some(pki.cert("multi1")));
    let found = store.lookup(&[addr("multi@t.example")]);
    assert_eq!(found[0].candidates()[0].certificate(), &pki.cert("multi2"));
    assert_eq!(found[0].candidates().len(), 1);
}

#[test]
fn other_certificates_are_only_intermediates() {
    let (_d, store) = store();
    // Carol's message carries the outside CA (her chain).
    let mut opts = SignOptions::default();
    opts.include_chain = true;
    let carol = sample::carol().unwrap();
    let signed = signed_by(&carol, "carol@outside.example", opts);
    let mut trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
    trust.add_anchor(sample::ca().unwrap());
    let opened = open(&signed, &trust);
    assert_eq!(
        keep::intermediates(&opened),
        [sample::outside_ca().unwrap()]
    );
    let sender = keep::sender_certificate(&opened).unwrap();
    keep::trust(&store, &sender, &[Purpose::Verify, Purpose::Encrypt]).unwrap();
    let installed = keep::install(&store, &open(&signed, &trust)).unwrap();
    assert_eq!(installed.intermediates, [sample::outside_ca().unwrap()]);
    // Only Carol's certificate is in the store.
    let list = store.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].certificate(), carol.certificate());
}

#[test]
fn capability_cache_rules_row_5() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let id = pki.identity("good");
    let a = address_of("good");
    let t0 = now() - Duration::from_secs(3600);
    let at = |t: SystemTime| {
        open(
            &signed_by(
                &id,
                "good@t.example",
                SignOptions::default().signing_time(t),
            ),
            &trust,
        )
    };
    assert!(keep::record_preferences(&store, &at(t0), now()).unwrap());
    assert_eq!(
        store
            .preferences(&a)
            .unwrap()
            .unwrap()
            .signing_time
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        t0.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
    );
    // Older: no overwrite.
    assert!(!keep::record_preferences(&store, &at(t0 - Duration::from_secs(60)), now()).unwrap());
    // A year in the future: refused.
    assert!(
        !keep::record_preferences(
            &store,
            &at(now() + Duration::from_secs(365 * 86_400)),
            now()
        )
        .unwrap()
    );
    // Within the skew and newer: accepted.
    assert!(keep::record_preferences(&store, &at(now() + Duration::from_secs(60)), now()).unwrap());
    // From an untrusted signer (valid signature, unknown CA): refused.
    let (_d2, other) = store_pair();
    let opened = open(
        &signed_by(
            &sample::carol().unwrap(),
            "carol@outside.example",
            SignOptions::default(),
        ),
        &trust,
    );
    assert!(!keep::record_preferences(&other, &opened, now()).unwrap());
}

fn store_pair() -> (tempfile::TempDir, InstalledStore) {
    store()
}

#[test]
fn remove_by_address() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    keep::install(
        &store,
        &open(
            &signed_by(
                &pki.identity("good"),
                "good@t.example",
                SignOptions::default(),
            ),
            &trust,
        ),
    )
    .unwrap();
    assert_eq!(
        keep::remove_address(&store, &address_of("good")).unwrap(),
        1
    );
    assert_eq!(
        keep::remove_address(&store, &address_of("good")).unwrap(),
        0
    );
    assert!(store.list().unwrap().is_empty());
}
