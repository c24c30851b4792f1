//! Every story example runs on the built-in data and tells the story it promises.
//! The binaries are those `cargo test` builds next to the test binaries (built here
//! when missing, e.g. under `cargo test --test suite examples_story::`).

use crate::common;

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> String {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let bin: PathBuf = profile
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--all-features", "--example", name, "--target-dir"])
            .arg(profile.parent().unwrap());
        common::run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("building {name}: {e}"));
    }
    let out = common::run(&mut Command::new(&bin), b"");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn quickstart_tells_the_whole_story() {
    let out = example("quickstart");
    let lines: Vec<&str> = out.lines().collect();
    let designations: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.trim().strip_prefix("Designation: "))
        .collect();
    assert_eq!(
        designations,
        [
            "Unable to Encrypt",
            "Encrypted",
            "Encrypted",
            "Unable to Encrypt"
        ],
        "{out}"
    );
    assert!(
        out.contains("🔒 bob@example.org") && out.contains("🔒 dave@partner.example"),
        "{out}"
    );
    assert!(
        out.contains("🔓 carol@outside.example    to    no certificate found"),
        "{out}"
    );
    assert!(out.contains("✔ signed by alice@example.org"), "{out}");
    assert!(
        out.contains("issuer you do not trust") && out.contains("Alice taps Trust"),
        "{out}"
    );
    assert!(out.contains("Carol decrypts it"), "{out}");
    // Header protection: "[...]" outside, the real Subject inside (RFC 9788).
    assert!(out.contains("Subject outside: [...]"), "{out}");
    assert!(
        out.contains("Subject inside:  Quarterly numbers (protected: Subject, From, To, Cc)"),
        "{out}"
    );
    // Learning: Bob's reply is encrypted to the certificate his app collected.
    assert!(
        out.contains("Learnt 1 certificate(s) for alice@example.org"),
        "{out}"
    );
    assert!(
        out.contains("🔒 alice@example.org: certificate from collected"),
        "{out}"
    );
    assert!(
        out.contains(
            "Alice opens the reply: ✔ signed by bob@example.org \"Re: Quarterly numbers\""
        ),
        "{out}"
    );
    // The cipher and why: Bob's and Dave's clients are unknown, so AES-256-CBC; Carol
    // announced AES-256-GCM in her signed message (and Alice's own copy is read by
    // this library), so AES-256-GCM.
    let ciphers: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.trim().strip_prefix("Cipher: "))
        .collect();
    assert_eq!(
        ciphers,
        [
            "aes-256-cbc (some recipients' capabilities are unknown, so the cipher every \
             client reads) [unknown: bob@example.org, dave@partner.example]",
            "aes-256-gcm (every recipient announced it)",
        ],
        "{out}"
    );
    // Not a terminal: no colour codes.
    assert!(!out.contains('\x1b'));
}

#[test]
fn encrypt_by_default_shows_every_combination() {
    let out = example("encrypt_by_default");
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows.iter().filter(|r| r.ends_with("Not Encrypted")).count(),
        4
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.ends_with(" Encrypted") && !r.ends_with("Not Encrypted"))
            .count(),
        2
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.ends_with("Unable to Encrypt"))
            .count(),
        2
    );
}

#[test]
fn compose_exchange_asks_once_per_new_address() {
    let out = example("compose_exchange");
    assert!(out.contains("certificate from memory GAL"), "{out}");
    assert!(out.contains("certificate from contacts Contacts"), "{out}");
    assert!(
        out.contains("🔓 intern@example.org: no certificate found"),
        "{out}"
    );
    assert!(
        out.trim_end().ends_with("designation: Unable to Encrypt"),
        "{out}"
    );
}

#[test]
fn outside_recipient_installs_from_a_signed_message() {
    let out = example("outside_recipient");
    assert!(
        out.contains("before: carol@outside.example: no certificate found"),
        "{out}"
    );
    assert!(
        out.contains("install refused: the signature is not valid"),
        "{out}"
    );
    assert!(
        out.contains("after: carol@outside.example: can be encrypted to"),
        "{out}"
    );
}

#[test]
fn verify_badges_runs() {
    let out = example("verify_badges");
    assert!(!out.is_empty());
}
