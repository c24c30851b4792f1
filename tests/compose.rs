//! Composition: Encrypt by Default, the per-message toggle, add/remove without asking
//! the directories again for answered addresses, the lock per recipient and the
//! designation.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::enc_pki::{EncPki, address_of, enc_pki};
use smime::EmailAddress;
use smime::compose::{Composition, Lock};
use smime::directory::{CertificateDirectory, Lookup, MemoryDirectory, Source};
use smime::encryptor::{Designation, Encryptor};

/// Remembers every address it was asked for.
struct Recording {
    inner: MemoryDirectory,
    asked: std::sync::Mutex<Vec<EmailAddress>>,
    calls: AtomicUsize,
}

impl CertificateDirectory for Recording {
    fn source(&self) -> Source {
        self.inner.source()
    }
    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        if !addresses.is_empty() {
            self.calls.fetch_add(1, Ordering::SeqCst);
        }
        self.asked.lock().unwrap().extend(addresses.iter().cloned());
        self.inner.lookup(addresses)
    }
}

fn recording() -> Recording {
    let pki = enc_pki();
    Recording {
        inner: MemoryDirectory::from_certificates("gal", EncPki::names().map(|n| pki.cert(n))),
        asked: Default::default(),
        calls: AtomicUsize::new(0),
    }
}

fn now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

#[test]
fn add_and_remove_without_asking_again() {
    let dir = recording();
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&dir, &trust);
    let mut draft = Composition::new(true);
    draft.add_to(address_of("good"));
    draft.add_cc(address_of("ec"));
    assert_eq!(draft.lock(&address_of("good")), Some(Lock::Pending));
    draft.refresh(&enc, now());
    assert_eq!(dir.calls.load(Ordering::SeqCst), 1);
    assert_eq!(draft.designation(), Designation::Encrypted);

    draft.add_bcc(address_of("expired"));
    assert_eq!(draft.designation(), Designation::UnableToEncrypt); // not answered yet
    let report = draft.refresh(&enc, now());
    assert_eq!(dir.calls.load(Ordering::SeqCst), 2);
    assert_eq!(report.recipients().len(), 3);
    assert_eq!(draft.lock(&address_of("expired")), Some(Lock::Unlocked));
    assert_eq!(draft.lock(&address_of("good")), Some(Lock::Locked));
    assert!(
        draft
            .answer(&address_of("expired"))
            .unwrap()
            .status()
            .to_string()
            .contains("expired")
    );
    assert_eq!(draft.designation(), Designation::UnableToEncrypt);

    // The second lookup asked only for the new address.
    let asked = dir.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        [address_of("good"), address_of("ec"), address_of("expired")]
    );

    draft.remove(&address_of("expired"));
    draft.refresh(&enc, now());
    assert_eq!(dir.calls.load(Ordering::SeqCst), 2, "removing asks nobody");
    assert_eq!(draft.designation(), Designation::Encrypted);
    assert_eq!(draft.lock(&address_of("expired")), None);
    assert_eq!(draft.lookups(), 2);

    // invalidate(): the next refresh asks again (after an Install).
    draft.invalidate();
    draft.refresh(&enc, now());
    assert_eq!(dir.calls.load(Ordering::SeqCst), 3);
}

#[test]
fn encrypt_by_default_and_the_toggle() {
    let dir = recording();
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&dir, &trust);
    for (default, bad) in [(true, false), (true, true), (false, false), (false, true)] {
        let mut draft = Composition::new(default);
        assert_eq!(draft.encrypt(), default);
        draft.add_to(address_of("good"));
        if bad {
            draft.add_to(address_of("nobody"));
        }
        draft.refresh(&enc, now());
        let on = if bad {
            Designation::UnableToEncrypt
        } else {
            Designation::Encrypted
        };
        let want = if default {
            on
        } else {
            Designation::NotEncrypted
        };
        assert_eq!(draft.designation(), want, "default {default} bad {bad}");
        draft.toggle();
        let want = if default {
            Designation::NotEncrypted
        } else {
            on
        };
        assert_eq!(
            draft.designation(),
            want,
            "toggled: default {default} bad {bad}"
        );
    }
    // No recipients with the toggle on: nothing to encrypt to.
    assert_eq!(
        Composition::new(true).designation(),
        Designation::UnableToEncrypt
    );
}

#[test]
fn encrypt_to_self_counts_in_the_designation() {
    let pki = enc_pki();
    let dir = recording();
    let trust = pki.trust();
    // The sender's own certificate is expired: the message cannot be encrypted.
    let me = pki.identity("expired");
    let enc = Encryptor::new(&dir, &trust).encrypt_to_self(&me);
    let mut draft = Composition::new(true);
    draft.add_to(address_of("good"));
    let report = draft.refresh(&enc, now());
    assert_eq!(report.recipients().len(), 2);
    assert_eq!(draft.designation(), Designation::UnableToEncrypt);
}
