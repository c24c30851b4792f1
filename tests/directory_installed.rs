//! The installed store loses nothing: kill -9 in the middle of installs, two processes
//! installing at once, damaged entries skipped with a warning; trust decisions and
//! correspondent preferences.
//!
//! Child processes are this test binary run again with `SMIME_STORE_CHILD` set: the
//! test `child_installer` then installs certificates and reports each finished one on
//! stdout.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use common::dir_pki::{addr, dir_pki};
use smime::directory::{
    CertificateDirectory, CertificateStoreWrite, CorrespondentPreferences, InstallOptions,
    InstalledStore, TrustDecision, TrustPurpose,
};
use smime::{Certificate, DirectoryError};

/// `n` distinct certificates for ann@corp.example: ann's certificate with other serial
/// numbers (the store does not verify signatures; a fingerprint is all that differs).
fn variants(start: u16, n: u16) -> Vec<Certificate> {
    let ann = dir_pki().cert("ann");
    let der = ann.der();
    let serial = ann.serial_number();
    let mut needle = vec![0x02, serial.len() as u8];
    needle.extend_from_slice(serial);
    let at = der
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("serial in DER")
        + 2;
    (start..start + n)
        .map(|i| {
            let mut d = der.to_vec();
            let value = (0x0100 + i).to_be_bytes();
            let len = serial.len();
            d[at + len - 2] = value[0] & 0x7f;
            d[at + len - 1] = value[1];
            Certificate::from_der(&d).expect("variant parses")
        })
        .collect()
}

/// Runs this binary as a child installing variants `start..start+n` into `dir`.
fn spawn_installer(dir: &Path, start: u16, n: u16) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            // The test's full name in the one test binary (tests/main.rs).
            concat!(module_path!(), "::child_installer")
                .split_once("::")
                .map_or("child_installer", |(_, name)| name),
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SMIME_STORE_CHILD", dir)
        .env("SMIME_STORE_RANGE", format!("{start}:{n}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("re-running the test binary")
}

/// In a child: installs the variants and prints `done FP` after each. Run directly
/// (no `SMIME_STORE_CHILD`), it installs three and checks them.
#[test]
fn child_installer() {
    let Some(dir) = std::env::var_os("SMIME_STORE_CHILD") else {
        let dir = common::temp_dir();
        let store = InstalledStore::open(dir.path()).unwrap();
        for c in variants(900, 3) {
            store.install(&c, &Default::default()).unwrap();
        }
        assert_eq!(store.list().unwrap().len(), 3);
        return;
    };
    let range = std::env::var("SMIME_STORE_RANGE").unwrap();
    let (start, n) = range.split_once(':').unwrap();
    let store = InstalledStore::open(&dir).unwrap();
    for c in variants(start.parse().unwrap(), n.parse().unwrap()) {
        store.install(&c, &Default::default()).unwrap();
        println!("done {}", c.fingerprint_hex());
    }
}

#[test]
fn kill_9_mid_install_keeps_every_completed_install() {
    let dir = common::temp_dir();
    let mut completed = std::collections::BTreeSet::new();
    for round in 0..12u16 {
        let mut child = spawn_installer(dir.path(), round * 40, 40);
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        // Kill after a different number of finished installs each round.
        let stop_after = (round as usize * 7) % 23 + 1;
        let mut seen = 0;
        while seen < stop_after {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(fp) = line.strip_prefix("done ") {
                        completed.insert(fp.to_owned());
                        seen += 1;
                    }
                }
                _ => break,
            }
        }
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        // Lines the child printed before it died are completed installs too.
        for line in lines.map_while(Result::ok) {
            if let Some(fp) = line.strip_prefix("done ") {
                completed.insert(fp.to_owned());
            }
        }
        let store = InstalledStore::open(dir.path()).unwrap();
        assert!(
            store.damaged().is_empty(),
            "round {round}: {:?}",
            store.damaged()
        );
        let present: std::collections::BTreeSet<String> = store
            .list()
            .unwrap()
            .iter()
            .map(|e| e.certificate().fingerprint_hex())
            .collect();
        let missing: Vec<_> = completed.difference(&present).collect();
        assert!(missing.is_empty(), "round {round}: lost {missing:?}");
    }
    assert!(completed.len() >= 12);
}

#[test]
fn two_processes_installing_at_once_keep_all_200() {
    let dir = common::temp_dir();
    InstalledStore::open(dir.path()).unwrap();
    let a = spawn_installer(dir.path(), 0, 100);
    let b = spawn_installer(dir.path(), 100, 100);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout)
                .matches("done ")
                .count(),
            100
        );
    }
    let store = InstalledStore::open(dir.path()).unwrap();
    assert!(store.damaged().is_empty(), "{:?}", store.damaged());
    assert_eq!(store.list().unwrap().len(), 200);
    let answer = &store.lookup(&[addr("ann@corp.example")])[0];
    assert_eq!(answer.candidates().len(), 200);
}

#[test]
fn damaged_entries_are_skipped_with_a_warning() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let certs = variants(300, 3);
    for c in &certs {
        store.install(c, &Default::default()).unwrap();
    }
    let certs_dir = dir.path().join("certificates");
    let victim = certs_dir.join(format!("{}.cert", certs[0].fingerprint_hex()));
    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap(); // truncated
    std::fs::write(
        certs_dir.join(format!("{}.cert", "AB".repeat(32))),
        b"\x00garbage\xff",
    )
    .unwrap();
    let reopened = InstalledStore::open(dir.path()).unwrap();
    let damaged = reopened.damaged();
    assert_eq!(damaged.len(), 2, "{damaged:?}");
    assert!(
        damaged
            .iter()
            .any(|d| d.path == victim && d.reason.contains("truncated")),
        "{damaged:?}"
    );
    let listed = reopened.list().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|e| e.certificate() != &certs[0]));
    // Installing again repairs the damaged entry.
    reopened.install(&certs[0], &Default::default()).unwrap();
    assert_eq!(
        InstalledStore::open(dir.path())
            .unwrap()
            .list()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn install_rules_provenance_and_remove() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let cat = dir_pki().cert("cat");
    let mut only_alias = InstallOptions::default();
    only_alias.addresses = vec![addr("cat.alias@corp.example")];
    only_alias.provenance.message_id = Some("<m1@corp.example>".into());
    store.install(&cat, &only_alias).unwrap();
    assert!(
        store.lookup(&[addr("cat@corp.example")])[0]
            .candidates()
            .is_empty()
    );
    assert_eq!(
        store.lookup(&[addr("cat.alias@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    let entry = store.get(&cat.fingerprint_sha256()).unwrap().unwrap();
    assert_eq!(
        entry.provenance().message_id.as_deref(),
        Some("<m1@corp.example>")
    );

    let mut wrong = InstallOptions::default();
    wrong.addresses = vec![addr("ann@corp.example")];
    let err = store.install(&cat, &wrong).unwrap_err();
    assert!(matches!(
        err,
        smime::Error::Directory(DirectoryError::AddressNotNamed { .. })
    ));
    assert!(
        store
            .install(&dir_pki().cert("noaddr"), &Default::default())
            .is_err()
    );

    // Another process (a second handle) sees installs and removals.
    let other = InstalledStore::open(dir.path()).unwrap();
    store.install(&cat, &Default::default()).unwrap();
    assert_eq!(
        other.lookup(&[addr("cat@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    assert!(other.remove(&cat.fingerprint_sha256()).unwrap());
    assert!(!other.remove(&cat.fingerprint_sha256()).unwrap());
    assert!(
        store.lookup(&[addr("cat.alias@corp.example")])[0]
            .candidates()
            .is_empty()
    );
}

#[test]
fn lookup_fails_when_the_store_is_gone() {
    let dir = common::temp_dir();
    let path = dir.path().join("store");
    let store = InstalledStore::open(&path).unwrap();
    store
        .install(&dir_pki().cert("ann"), &Default::default())
        .unwrap();
    std::fs::remove_dir_all(&path).unwrap();
    let answer = &store.lookup(&[addr("ann@corp.example")])[0];
    assert!(answer.is_failed(), "{answer:?}");
}

#[test]
fn newer_format_version_is_refused() {
    let dir = common::temp_dir();
    InstalledStore::open(dir.path()).unwrap();
    std::fs::write(dir.path().join("store"), "smime-store 2 store\n").unwrap();
    let err = InstalledStore::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            smime::Error::Directory(DirectoryError::UnsupportedVersion { .. })
        ),
        "{err}"
    );
}

#[test]
fn trust_decisions_are_kept() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let ann = dir_pki().cert("ann");
    let mut decision = TrustDecision::new(&ann, &[TrustPurpose::Encrypt, TrustPurpose::Verify]);
    decision.created_at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    store.record_trust(&decision).unwrap();
    let reopened = InstalledStore::open(dir.path()).unwrap();
    assert_eq!(
        reopened.trust_decision(&ann.fingerprint_sha256()).unwrap(),
        Some(decision.clone())
    );
    let (all, damaged) = reopened.trust_decisions().unwrap();
    assert_eq!((all, damaged.len()), (vec![decision], 0));
    assert!(reopened.revoke_trust(&ann.fingerprint_sha256()).unwrap());
    assert_eq!(
        reopened.trust_decision(&ann.fingerprint_sha256()).unwrap(),
        None
    );
}

#[test]
fn preferences_keep_only_the_newest_signing_time() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let at = |s| UNIX_EPOCH + Duration::from_secs(s);
    let mut p = CorrespondentPreferences::new(addr("Ann@corp.example"), at(2_000));
    p.smime_capabilities = Some(vec![0x30, 0x00]);
    assert!(store.record_preferences(&p).unwrap());
    let mut older = CorrespondentPreferences::new(addr("ann@corp.example"), at(1_000));
    older.smime_capabilities = Some(vec![0x30, 0x03, 0x06, 0x01, 0x00]);
    assert!(!store.record_preferences(&older).unwrap());
    let mut newer = CorrespondentPreferences::new(addr("ann@corp.example"), at(3_000));
    newer.encryption_key_preference = Some(vec![0xa0, 0x00]);
    assert!(store.record_preferences(&newer).unwrap());
    let got = store
        .preferences(&addr("ANN@corp.example"))
        .unwrap()
        .unwrap();
    assert_eq!(got.signing_time, at(3_000));
    assert_eq!(got.encryption_key_preference, Some(vec![0xa0, 0x00]));
    assert_eq!(got.smime_capabilities, None);
    assert_eq!(store.preferences(&addr("bob@corp.example")).unwrap(), None);
}
