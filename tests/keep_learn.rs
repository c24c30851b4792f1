//! Learning from verified mail (`keep::learn`, `smime verify --learn`): only a Valid
//! signer teaches; what is collected is marked so, never outranks what the user
//! installed, and is removed like anything installed. An entry without the new
//! field (every entry an older store wrote) reads as installed by the user.

use crate::common;

use std::time::SystemTime;

use common::enc_pki::{addr, address_of, enc_pki};
use smime::Identity;
use smime::cms::SignOptions;
use smime::directory::{Acquisition, CertificateDirectory, InstalledStore, SourceKind};
use smime::encryptor::{Encryptor, RecipientStatus, Recipients};
use smime::keep;
use smime::mime::SignFormat;
use smime::reader::{OpenedMessage, SignatureStatus};
use smime::trust::{Policy, TrustStore};

fn signed_by(id: &Identity, from: &str) -> Vec<u8> {
    let msg = format!(
        "From: {from}\r\nTo: me@t.example\r\nMessage-ID: <learn-1@t.example>\r\nSubject: hello\r\n\r\nHello there\r\n"
    );
    smime::mime::sign_message_bytes(
        msg.as_bytes(),
        id,
        &SignOptions::default(),
        SignFormat::Detached,
    )
    .unwrap()
}

fn open(raw: &[u8], trust: &TrustStore) -> OpenedMessage {
    smime::reader::open(raw, &[], trust, &Policy::email(), SystemTime::now()).unwrap()
}

fn store() -> (tempfile::TempDir, InstalledStore) {
    let dir = common::temp_dir();
    let s = InstalledStore::open(dir.path()).unwrap();
    (dir, s)
}

/// The encryptor's answer for `name@t.example` from `store` alone.
fn status_for(store: &InstalledStore, trust: &TrustStore, name: &str) -> RecipientStatus {
    let r = Recipients::new().to(address_of(name));
    let report = Encryptor::new(store, trust).check(&r, SystemTime::now());
    report.recipients()[0].status().clone()
}

#[test]
fn a_valid_signer_is_collected_and_the_reply_can_be_encrypted() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let opened = open(&signed_by(&pki.identity("good"), "good@t.example"), &trust);
    assert!(opened.is_signature_valid());
    assert!(matches!(
        status_for(&store, &trust, "good"),
        RecipientStatus::NoCertificate
    ));

    let learnt = keep::learn(&store, &opened, SystemTime::now()).unwrap();
    let fp = pki.cert("good").fingerprint_sha256();
    assert_eq!(learnt.collected, [pki.cert("good")]);
    assert_eq!(learnt.address, Some(address_of("good")));
    assert_eq!(learnt.refused, 0);
    assert!(
        learnt.preferences_updated,
        "capabilities stored with the signing time"
    );
    assert!(store.preferences(&address_of("good")).unwrap().is_some());

    let [entry] = store.list().unwrap().try_into().unwrap();
    assert_eq!(
        entry.provenance().acquisition,
        Acquisition::CollectedFromVerifiedMessage
    );
    assert_eq!(
        entry.provenance().message_id.as_deref(),
        Some("<learn-1@t.example>")
    );
    // The report names the source, so the app can say "collected".
    match status_for(&store, &trust, "good") {
        RecipientStatus::Encryptable {
            certificate,
            source,
        } => {
            assert_eq!(certificate, pki.cert("good"));
            assert_eq!(source.kind(), SourceKind::Collected);
            assert!(source.to_string().starts_with("collected "), "{source}");
        }
        other => panic!("{other:?}"),
    }
    // Learning again changes nothing; only a newer signing time replaces the
    // capabilities.
    let again = keep::learn(&store, &opened, SystemTime::now()).unwrap();
    assert!(again.collected.is_empty());
    assert_eq!(again.already_known, 1);
    assert!(!again.preferences_updated);
    // Remove removes collected ones too.
    assert!(keep::remove(&store, &fp).unwrap());
    assert!(
        store.lookup(&[address_of("good")])[0]
            .candidates()
            .is_empty()
    );
}

#[test]
fn nothing_is_learnt_from_a_signer_that_is_not_valid() {
    let pki = enc_pki();
    let good = pki.identity("good");
    let tampered = {
        let raw = signed_by(&good, "good@t.example");
        String::from_utf8(raw)
            .unwrap()
            .replace("Hello there", "Hello thare")
            .into_bytes()
    };
    type Case = (
        &'static str,
        Vec<u8>,
        TrustStore,
        fn(&SignatureStatus) -> bool,
    );
    let cases: Vec<Case> = vec![
        (
            "untrusted",
            signed_by(&good, "good@t.example"),
            TrustStore::new(),
            |s| matches!(s, SignatureStatus::UntrustedIssuer { .. }),
        ),
        (
            "expired",
            signed_by(&pki.identity("expired"), "expired@t.example"),
            pki.trust(),
            |s| matches!(s, SignatureStatus::Expired { .. }),
        ),
        (
            "revoked",
            signed_by(&pki.identity("revoked"), "revoked@t.example"),
            pki.trust(),
            |s| matches!(s, SignatureStatus::Revoked { .. }),
        ),
        (
            "mismatch",
            signed_by(&good, "someone@t.example"),
            pki.trust(),
            |s| matches!(s, SignatureStatus::AddressMismatch { .. }),
        ),
        ("tampered", tampered, pki.trust(), |s| {
            matches!(s, SignatureStatus::Invalid { .. })
        }),
    ];
    for (what, raw, trust_for_case, expected) in cases {
        let (_d, store) = store();
        let opened = open(&raw, &trust_for_case);
        let status = opened.signatures().next().unwrap().status().clone();
        assert!(expected(&status), "{what}: {status:?}");
        let learnt = keep::learn(&store, &opened, SystemTime::now()).unwrap();
        assert!(learnt.collected.is_empty(), "{what}");
        assert_eq!(learnt.refused, 1, "{what}");
        assert!(!learnt.preferences_updated, "{what}");
        assert!(store.list().unwrap().is_empty(), "{what}");
        let from = opened.from().cloned().unwrap();
        assert!(store.preferences(&from).unwrap().is_none(), "{what}");
    }
}

#[test]
fn a_collected_certificate_never_outranks_an_installed_one() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let multi = addr("multi@t.example");
    // The user installs multi1; later a verified message brings multi2, which is
    // newer (and would win by "latest valid" alone).
    let first = open(
        &signed_by(&pki.identity("multi1"), "multi@t.example"),
        &trust,
    );
    keep::install(&store, &first).unwrap();
    let second = open(
        &signed_by(&pki.identity("multi2"), "multi@t.example"),
        &trust,
    );
    let learnt = keep::learn(&store, &second, SystemTime::now()).unwrap();
    assert_eq!(learnt.collected, [pki.cert("multi2")]);
    assert_eq!(
        store.lookup(std::slice::from_ref(&multi))[0]
            .candidates()
            .len(),
        2
    );

    let r = Recipients::new().to(multi.clone());
    let report = Encryptor::new(&store, &trust).check(&r, SystemTime::now());
    let rec = &report.recipients()[0];
    match rec.status() {
        RecipientStatus::Encryptable {
            certificate,
            source,
        } => {
            assert_eq!(certificate, &pki.cert("multi1"));
            assert_eq!(source.kind(), SourceKind::Installed);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(rec.alternatives().len(), 1);
    assert_eq!(rec.alternatives()[0].source.kind(), SourceKind::Collected);

    // Once the user removes theirs, the collected one is used.
    assert!(keep::remove(&store, &pki.cert("multi1").fingerprint_sha256()).unwrap());
    let report = Encryptor::new(&store, &trust).check(&r, SystemTime::now());
    assert!(matches!(
        report.recipients()[0].status(),
        RecipientStatus::Encryptable { certificate, .. } if certificate == &pki.cert("multi2")
    ));
}

#[test]
fn learning_never_downgrades_and_install_upgrades() {
    let (_d, store) = store();
    let pki = enc_pki();
    let trust = pki.trust();
    let opened = open(&signed_by(&pki.identity("good"), "good@t.example"), &trust);
    // Collected first, then the user taps Install: now installed by the user.
    keep::learn(&store, &opened, SystemTime::now()).unwrap();
    keep::install(&store, &opened).unwrap();
    let [entry] = store.list().unwrap().try_into().unwrap();
    assert_eq!(entry.provenance().acquisition, Acquisition::InstalledByUser);
    // Learning from the next message leaves it so.
    let learnt = keep::learn(&store, &opened, SystemTime::now()).unwrap();
    assert_eq!(learnt.already_known, 1);
    let [entry] = store.list().unwrap().try_into().unwrap();
    assert_eq!(entry.provenance().acquisition, Acquisition::InstalledByUser);
}

#[test]
fn an_entry_without_the_field_reads_as_installed_by_the_user() {
    let dir = common::temp_dir();
    let pki = enc_pki();
    {
        let store = InstalledStore::open(dir.path()).unwrap();
        let opened = open(
            &signed_by(&pki.identity("good"), "good@t.example"),
            &pki.trust(),
        );
        keep::install(&store, &opened).unwrap();
    }
    // What the store wrote for a user's install is the version-1 record older
    // versions write: no `acquisition` key.
    let file = dir
        .path()
        .join("certificates")
        .join(format!("{}.cert", pki.cert("good").fingerprint_hex()));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("smime-store 1 certificate"), "{text}");
    assert!(!text.contains("acquisition"), "{text}");
    let store = InstalledStore::open(dir.path()).unwrap();
    let [entry] = store.list().unwrap().try_into().unwrap();
    assert_eq!(entry.provenance().acquisition, Acquisition::InstalledByUser);
    assert!(store.damaged().is_empty());
}

#[test]
fn cli_verify_learn_then_check_says_collected() {
    let pki = enc_pki();
    let dir = common::temp_dir();
    let store = dir.path().join("store");
    let store_s = store.to_str().unwrap();
    let ca = pki.pem_path("ca");
    let ca_s = ca.to_str().unwrap();
    let raw = signed_by(&pki.identity("good"), "good@t.example");
    let out = common::cli::smime_ok(
        &[
            "verify",
            "--trust-anchor",
            ca_s,
            "--store",
            store_s,
            "--learn",
        ],
        &raw,
    );
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["learnt"]["address"], "good@t.example", "{report}");
    assert_eq!(
        report["learnt"]["collected"][0],
        pki.cert("good").fingerprint_hex(),
        "{report}"
    );
    let out = common::cli::smime_ok(
        &[
            "check",
            "--to",
            "good@t.example",
            "--store",
            store_s,
            "--trust-anchor",
            ca_s,
        ],
        b"",
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("collected"), "{text}");
    // --learn needs --store.
    let out = common::cli::smime(&["verify", "--trust-anchor", ca_s, "--learn"], &raw);
    assert_eq!(out.status.code(), Some(2));
}
