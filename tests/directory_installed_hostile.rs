//! The installed store in a folder someone else can write into (issue 15, finding 9):
//! an entry planted as a symlink is not followed, a FIFO named like an entry does not
//! hang a refresh, and the lock file is not opened through a planted symlink. Each
//! is reported (damaged entry, or an error naming the file), and the rest of the
//! store keeps working.
#![cfg(unix)]

use crate::common;

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use common::dir_pki::{addr, dir_pki};
use smime::directory::{CertificateDirectory, CertificateStoreWrite, InstalledStore};

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `f` on another thread; a hang fails the test instead of stalling the suite.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the store hung (it opened a FIFO and waited for a writer)")
}

#[test]
fn an_entry_planted_as_a_symlink_is_not_followed() {
    // A valid entry for ann in another folder, linked into the store under its name.
    let elsewhere = common::temp_dir();
    let other = InstalledStore::open(elsewhere.path()).unwrap();
    let ann = dir_pki().cert("ann");
    other.install(&ann, &Default::default()).unwrap();
    let name = format!("{}.cert", ann.fingerprint_hex());
    let real = elsewhere.path().join("certificates").join(&name);
    assert!(real.is_file());

    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let cat = dir_pki().cert("cat");
    store.install(&cat, &Default::default()).unwrap();
    let planted = dir.path().join("certificates").join(&name);
    std::os::unix::fs::symlink(&real, &planted).unwrap();

    let reopened = InstalledStore::open(dir.path()).unwrap();
    let listed = reopened.list().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].certificate(), &cat);
    let answer = &reopened.lookup(&[addr("ann@corp.example")])[0];
    assert!(answer.candidates().is_empty(), "{answer:?}");
    let damaged = reopened.damaged();
    assert!(
        damaged
            .iter()
            .any(|d| d.path == planted && d.reason.contains("symbolic link")),
        "{damaged:?}"
    );
}

#[test]
fn a_fifo_named_like_an_entry_does_not_hang_a_refresh() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let cat = dir_pki().cert("cat");
    store.install(&cat, &Default::default()).unwrap();
    let fifo = dir
        .path()
        .join("certificates")
        .join(format!("{}.cert", "CD".repeat(32)));
    mkfifo(&fifo);

    let path = dir.path().to_owned();
    let (listed, damaged) = within_a_minute(move || {
        let reopened = InstalledStore::open(&path).unwrap();
        (reopened.list().unwrap(), reopened.damaged())
    });
    assert_eq!(listed.len(), 1);
    assert!(
        damaged
            .iter()
            .any(|d| d.path == fifo && d.reason.contains("FIFO")),
        "{damaged:?}"
    );

    // A FIFO in place of the generation counter: an error, not a hang.
    let generation = dir.path().join("generation");
    std::fs::remove_file(&generation).unwrap();
    mkfifo(&generation);
    let path = dir.path().to_owned();
    let result = within_a_minute(move || {
        InstalledStore::open(&path).and_then(|s| s.list().map(|l| l.len()))
    });
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn the_lock_file_is_not_opened_through_a_planted_symlink() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    let lock = dir.path().join("lock");
    // Created by the first open (the store file is written under the lock).
    assert!(lock.is_file());
    std::fs::remove_file(&lock).unwrap();
    let target = dir.path().join("created-through-the-link");
    std::os::unix::fs::symlink(&target, &lock).unwrap();

    let error = store
        .install(&dir_pki().cert("cat"), &Default::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("lock"), "{error}");
    assert!(!target.exists(), "the lock was created through the symlink");
    assert!(store.list().unwrap().is_empty());

    // A FIFO as the lock: an error at once, not a wait for a reader.
    std::fs::remove_file(&lock).unwrap();
    mkfifo(&lock);
    let path = dir.path().to_owned();
    let result = within_a_minute(move || {
        InstalledStore::open(&path)
            .and_then(|s| s.install(&dir_pki().cert("cat"), &Default::default()))
    });
    assert!(result.is_err(), "{result:?}");
}
