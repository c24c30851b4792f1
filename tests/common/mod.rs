//! Shared test harness: a fresh test PKI made with the `openssl` CLI at test time, the
//! real peers (OpenSSL, gpgsm, Python `cryptography`, NSS) and the `smime` example CLI.
//!
//! The test binary (tests/main.rs) has it as `mod common;`; not every helper is used, so unused
//! helpers are expected (hence `allow(dead_code)` in every module). Nothing here skips:
//! a missing tool is a failure with the install command in the message (`bash
//! scripts/test.sh` installs everything as root).
#![allow(dead_code)]

pub mod cli;
pub mod der;
pub mod dir_pki;
pub mod eas;
pub mod enc_pki;
pub mod gpgsm;
pub mod msg;
pub mod nss;
pub mod openssl;
pub mod pki;
pub mod python;
pub mod slapd;
pub mod trust_pki;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `cmd` with `stdin` fed from a thread (so a child that writes before it has read
/// everything cannot deadlock), stdout and stderr captured. Panics only when the program
/// cannot be started, naming the package that provides it.
pub fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(if stdin.is_empty() {
            Stdio::null()
        } else {
            Stdio::piped()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start `{program}`: {e}. Install the test tools with \
                 `bash scripts/test.sh` (as root) or see tests/data/README.md"
            )
        });
    let writer = child.stdin.take().map(|mut pipe| {
        let data = stdin.to_vec();
        std::thread::spawn(move || {
            // A child that exits early closes the pipe; its exit status tells the story.
            let _ = pipe.write_all(&data);
        })
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for `{program}`: {e}"));
    if let Some(w) = writer {
        let _ = w.join();
    }
    out
}

/// Runs `cmd` and returns its stdout, or an error holding the command line, exit status
/// and stderr.
pub fn run_checked(cmd: &mut Command, stdin: &[u8]) -> Result<Vec<u8>, String> {
    let line = command_line(cmd);
    let out = run(cmd, stdin);
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "`{line}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// Like [`run_checked`] but panics with the error.
pub fn run_ok(cmd: &mut Command, stdin: &[u8]) -> Vec<u8> {
    run_checked(cmd, stdin).unwrap_or_else(|e| panic!("{e}"))
}

/// `openssl ARGS` run in `dir`; panics with the command line and stderr on failure.
pub fn openssl_in(dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir).args(args);
    run_ok(&mut cmd, b"")
}

/// The command line of `cmd`, for messages.
pub fn command_line(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        s.push(' ');
        // Inline scripts (`python3 -c ...`) would drown the message.
        s.push_str(if a.contains('\n') { "<script>" } else { &a });
    }
    s
}

/// Writes `data` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
    p
}

/// Reads a file, panicking with its path.
pub fn read_file(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// A fresh temporary directory for one test (short path under the system temp dir).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("smime-test-")
        .tempdir()
        .expect("creating a temporary directory")
}

/// Shows bytes for an assertion message: text when printable, with escapes otherwise,
/// cut to a readable length.
pub fn show(bytes: &[u8]) -> String {
    const MAX: usize = 2000;
    let s: String = bytes
        .iter()
        .take(MAX)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > MAX {
        format!("{s}... ({} bytes)", bytes.len())
    } else {
        s
    }
}

/// Asserts two byte strings are equal, showing both readably when they are not.
#[track_caller]
pub fn assert_bytes_eq(actual: &[u8], expected: &[u8], what: &str) {
    if actual != expected {
        panic!(
            "{what}: bytes differ\n  actual:   {}\n  expected: {}",
            show(actual),
            show(expected)
        );
    }
}

/// `len` bytes of lower-case text (a, b, c, …): content whose every byte is known.
pub fn text(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

/// A DER EnvelopedData/AuthEnvelopedData of `content` for `to` alone, with `cipher`.
pub fn envelope(
    content: &[u8],
    cipher: smime::cms::ContentCipher,
    to: &smime::Identity,
) -> Vec<u8> {
    smime::cms::encrypt(
        content,
        &[to.certificate().clone()],
        &smime::cms::EnvelopeOptions::with_cipher(cipher),
    )
    .expect("envelope")
}
