//! Drives the `smime` command line (crate `smime-cli` in `cli/`).
//!
//! The binary is `$CARGO_TARGET_DIR/debug/smime`, which `cargo test --workspace` builds
//! with the test binaries. It is found next to this test binary's folder
//! (`target/debug/deps/..` -> `target/debug/smime`), or at `$SMIME_BIN`; when it is
//! missing (e.g. `cargo test --test suite` builds only this package) it is built once
//! with `cargo build -p smime-cli`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::pki::{PASSWORD, PASSWORD_ENV, Pki};

/// Path of the `smime` binary, built if missing.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("SMIME_BIN") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("current_exe");
        let deps = exe.parent().expect("test binary has a folder");
        let profile = deps.parent().expect("deps has a parent");
        let bin = profile.join(format!("smime{}", std::env::consts::EXE_SUFFIX));
        if !bin.exists() {
            let target = profile.parent().expect("profile folder has a parent");
            let mut cmd = Command::new(env!("CARGO"));
            cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
                .args([
                    "build",
                    "-p",
                    "smime-cli",
                    "--bin",
                    "smime",
                    "--all-features",
                    "--target-dir",
                ])
                .arg(target);
            if profile.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            super::run_checked(&mut cmd, b"")
                .unwrap_or_else(|e| panic!("building the smime command: {e}"));
            assert!(
                bin.exists(),
                "`cargo build -p smime-cli` did not produce {}",
                bin.display()
            );
        }
        bin
    })
}

/// Runs `smime ARGS` with `stdin`, with [`PASSWORD_ENV`] set to the test password (for
/// `--password-env`).
pub fn smime(args: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args).env(PASSWORD_ENV, PASSWORD);
    super::run(&mut cmd, stdin)
}

/// A finished CLI run, for messages.
pub fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "`smime {}` exited with {}; stderr: {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim_end()
    )
}

/// Runs `smime ARGS` and returns stdout; panics unless it exits 0.
#[track_caller]
pub fn smime_ok(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = smime(args, stdin);
    assert_eq!(out.status.code(), Some(0), "{}", describe(args, &out));
    out.stdout
}

/// Asserts the CLI's stderr is exactly one non-empty line.
#[track_caller]
pub fn assert_one_line_stderr(args: &[&str], out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    let trimmed = err.strip_suffix('\n').unwrap_or(&err);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    assert!(
        !trimmed.trim().is_empty() && !trimmed.contains('\n'),
        "`smime {}` must write one line to stderr, wrote {:?}",
        args.join(" "),
        err
    );
}

/// `smime encrypt` of `message` (stdin to stdout) to `who`'s certificates with extra
/// flags; panics unless it exits 0.
#[track_caller]
pub fn encrypt(pki: &Pki, message: &[u8], to: &[&str], extra: &[&str]) -> Vec<u8> {
    let certs: Vec<String> = to
        .iter()
        .map(|w| pki.cert(w).to_str().unwrap().to_string())
        .collect();
    let mut args: Vec<&str> = vec!["encrypt"];
    for c in &certs {
        args.push("--recipient");
        args.push(c);
    }
    args.extend_from_slice(extra);
    // The callers check the pre-RFC 9788 shape (outer fields kept, `Content-*`
    // inside); header protection, the default, has its tests in header_protection.rs.
    if !extra
        .iter()
        .any(|a| a.contains("header-protection") || a.contains("legacy-display"))
    {
        args.push("--no-header-protection");
    }
    smime_ok(&args, message)
}

/// How the CLI is given the decryption identity.
#[derive(Clone, Copy, Debug)]
pub enum KeyFrom {
    /// `--p12 NAME.p12 --password-env` (OpenSSL 3 default PKCS#12).
    P12,
    /// `--p12 NAME.legacy.p12 --password-env`.
    P12Legacy,
    /// `--cert NAME.pem --key NAME.key` (unencrypted PKCS#8).
    CertKey,
    /// `--cert NAME.pem --key NAME.enc.key --password-env` (encrypted PKCS#8).
    CertEncryptedKey,
}

/// The identity flags for `who`.
pub fn key_args(pki: &Pki, who: &str, key: KeyFrom) -> Vec<String> {
    let s = |p: PathBuf| p.to_str().unwrap().to_string();
    match key {
        KeyFrom::P12 => vec![
            "--p12".into(),
            s(pki.p12(who)),
            "--password-env".into(),
            PASSWORD_ENV.into(),
        ],
        KeyFrom::P12Legacy => {
            vec![
                "--p12".into(),
                s(pki.p12_legacy(who)),
                "--password-env".into(),
                PASSWORD_ENV.into(),
            ]
        }
        KeyFrom::CertKey => vec![
            "--cert".into(),
            s(pki.cert(who)),
            "--key".into(),
            s(pki.key(who)),
        ],
        KeyFrom::CertEncryptedKey => vec![
            "--cert".into(),
            s(pki.cert(who)),
            "--key".into(),
            s(pki.key_encrypted(who)),
            "--password-env".into(),
            PASSWORD_ENV.into(),
        ],
    }
}

/// `smime decrypt` of `input` (stdin to stdout) as `who`: the whole output.
pub fn decrypt_output(pki: &Pki, input: &[u8], who: &str, key: KeyFrom) -> (Vec<String>, Output) {
    let mut args = vec!["decrypt".to_string()];
    args.extend(key_args(pki, who, key));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = smime(&refs, input);
    (args, out)
}

/// `smime decrypt` as `who`; panics unless it exits 0. Returns the decrypted entity.
#[track_caller]
pub fn decrypt(pki: &Pki, input: &[u8], who: &str, key: KeyFrom) -> Vec<u8> {
    let (args, out) = decrypt_output(pki, input, who, key);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&refs, &out));
    out.stdout
}
