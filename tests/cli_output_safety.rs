//! Where the `smime` command puts what it produces (issue 15, finding 8):
//! `verify --content-out` writes only for a valid verdict and never a partial file;
//! `decrypt` says on stderr when the content was not integrity-protected (CBC) and
//! `--require-authenticated` refuses it; output to stdout is never spilled into
//! `$TMPDIR`; a failed write is an error. Encrypted inputs come from OpenSSL.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::cli::{self, KeyFrom, smime};
use common::openssl::{self, EncryptOptions};
use common::pki::{PASSWORD, PASSWORD_ENV, pki};
use common::{msg, temp_dir, write_file};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `smime decrypt` as alice with `extra` flags, input on stdin.
fn decrypt(input: &[u8], extra: &[&str]) -> Output {
    let mut args = vec!["decrypt".to_string()];
    args.extend(cli::key_args(pki(), "alice", KeyFrom::CertKey));
    args.extend(extra.iter().map(|a| a.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    smime(&refs, input)
}

#[test]
fn decrypt_says_when_the_content_was_not_authenticated_and_can_refuse_it() {
    let p = pki();
    let dir = temp_dir();
    let entity = msg::entity();
    let cbc = openssl::encrypt(&entity, &[&p.cert("alice")], "aes-256-cbc", None, false);
    let gcm = openssl::encrypt(&entity, &[&p.cert("alice")], "aes-256-gcm", None, false);

    let out = decrypt(&cbc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, entity);
    assert!(
        stderr(&out).contains("not integrity-protected"),
        "{}",
        stderr(&out)
    );

    let out_file = dir.path().join("refused.eml");
    let out = decrypt(&cbc, &["--require-authenticated", "--out", s(&out_file)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--require-authenticated"));
    assert!(!out_file.exists(), "refused content was written");
    let out = decrypt(&cbc, &["--require-authenticated"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "refused content on stdout");

    // AES-GCM: authenticated, nothing to say, and the flag lets it through.
    for extra in [&[][..], &["--require-authenticated"][..]] {
        let out = decrypt(&gcm, extra);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(out.stdout, entity);
        assert!(!stderr(&out).contains("integrity"), "{}", stderr(&out));
    }
}

#[test]
fn stdout_output_is_never_spilled_to_tmpdir() {
    // Over the 16 MiB a spooled temporary file kept in memory before: with $TMPDIR
    // pointing nowhere, a spill would fail the command.
    let p = pki();
    let mut entity = b"Content-Type: text/plain\r\n\r\n".to_vec();
    let line = b"0123456789 the quick brown fox jumps over the lazy dog 0123456789\r\n";
    while entity.len() < 17 << 20 {
        entity.extend_from_slice(line);
    }
    // CBC: decryption streams (AES-GCM from a pipe may spool ciphertext, which is
    // not plaintext; this test is about the output).
    let o = EncryptOptions {
        der: true,
        ..EncryptOptions::new("aes-128-cbc")
    };
    let der = openssl::encrypt_with(&entity, &[&p.cert("alice")], &o);
    let dir = temp_dir();
    let input = write_file(dir.path(), "big.der", &der);
    let mut args = vec!["decrypt".to_string()];
    args.extend(cli::key_args(p, "alice", KeyFrom::CertKey));
    args.extend(["--in".to_string(), s(&input).to_string()]);
    let out = Command::new(cli::bin())
        .args(&args)
        .env(PASSWORD_ENV, PASSWORD)
        .env("TMPDIR", dir.path().join("no-such-folder"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout == entity, "decrypted output differs");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error() {
    let p = pki();
    let gcm = openssl::encrypt(
        &msg::entity(),
        &[&p.cert("alice")],
        "aes-256-gcm",
        None,
        false,
    );
    let dir = temp_dir();
    let input = write_file(dir.path(), "in.eml", &gcm);
    let mut args = vec!["decrypt".to_string()];
    args.extend(cli::key_args(p, "alice", KeyFrom::CertKey));
    args.extend(["--in".to_string(), s(&input).to_string()]);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(cli::bin())
        .args(&args)
        .env(PASSWORD_ENV, PASSWORD)
        .stdin(Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "writing to /dev/full succeeded");
    assert!(!stderr(&out).is_empty());
}

#[test]
fn verify_content_out_only_for_a_valid_verdict_and_never_partial() {
    let p = pki();
    let dir = temp_dir();
    let mut sign = vec!["sign".to_string()];
    sign.extend(cli::key_args(p, "alice", KeyFrom::P12));
    let refs: Vec<&str> = sign.iter().map(String::as_str).collect();
    let signed = cli::smime_ok(&refs, &msg::plain());
    let input = write_file(dir.path(), "signed.eml", &signed);
    let content = dir.path().join("content.eml");
    let root = p.root();
    let verify = |anchor: bool| {
        let mut args = vec!["verify", "--in", s(&input), "--content-out", s(&content)];
        if anchor {
            args.extend(["--trust-anchor", s(&root)]);
        }
        smime(&args, b"")
    };

    // Not valid (no trust anchor: untrusted issuer): nothing written, and a file that
    // was there is left as it was.
    std::fs::write(&content, b"earlier").unwrap();
    let out = verify(false);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not written"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&content).unwrap(), b"earlier");
    std::fs::remove_file(&content).unwrap();
    let out = verify(false);
    assert_eq!(out.status.code(), Some(1));
    assert!(!content.exists(), "content written for an invalid verdict");

    // Valid: written whole, and no temporary file left beside it.
    let out = verify(true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read(&content).unwrap();
    let plain = msg::plain();
    let body = msg::split(&plain).1;
    assert!(
        written.ends_with(body),
        "{}",
        String::from_utf8_lossy(&written)
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
