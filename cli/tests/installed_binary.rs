//! The `smime` binary as `cargo install --path cli` installs it: it runs, names itself,
//! and keeps the exit-status contract for bad usage and unreadable input (2). Having an integration test here
//! also makes `cargo test --workspace` build `target/debug/smime`, which the library's
//! CLI tests (`tests/common/cli.rs`) drive.

use std::process::Command;

#[test]
fn version_and_bad_usage_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_smime");
    let out = Command::new(bin).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("smime "),
        "{out:?}"
    );

    let out = Command::new(bin).arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!out.stderr.is_empty());

    let out = Command::new(bin)
        .args(["encrypt", "--recipient", "/nonexistent/bob.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
