//! The `smime` CLI's contract (DESIGN.md): exit 0 success, 1 the operation ran and failed
//! (not a recipient, decryption failed), 2 bad usage or unreadable input; a one-line
//! message on stderr; a failed decrypt writes nothing to `--out`.
//!
//! Encrypted inputs for the failure cases come from OpenSSL, so these tests do not depend
//! on our own encryption being right.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::cli::{self, KeyFrom, smime};
use common::openssl::{self, EncryptOptions};
use common::pki::{PASSWORD_ENV, pki};
use common::{assert_bytes_eq, msg, temp_dir, write_file};

#[track_caller]
fn assert_exit(args: &[&str], out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        cli::describe(args, out)
    );
    cli::assert_one_line_stderr(args, out);
}

#[track_caller]
fn assert_nothing_written(out_file: &Path) {
    let written = std::fs::read(out_file).unwrap_or_default();
    assert!(
        written.is_empty(),
        "a failed decrypt wrote {} bytes to --out {}",
        written.len(),
        out_file.display()
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn unknown_flag_is_usage_error() {
    let p = pki();
    let alice = p.cert("alice");
    for args in [
        vec!["encrypt", "--recipient", s(&alice), "--no-such-flag"],
        vec!["decrypt", "--frobnicate", "x"],
        vec![
            "encrypt",
            "--recipient",
            s(&alice),
            "--cipher",
            "des-ede3-cbc",
        ],
        vec![
            "encrypt",
            "--recipient",
            s(&alice),
            "--key-transport",
            "rsa-pss",
        ],
        vec!["encrypt", "--recipient", s(&alice), "--rid", "fingerprint"],
    ] {
        let out = smime(&args, msg::plain().as_slice());
        assert_exit(&args, &out, 2);
        assert!(
            out.stdout.is_empty(),
            "usage error wrote to stdout: {}",
            cli::describe(&args, &out)
        );
    }
}

#[test]
fn missing_subcommand_or_required_argument_is_usage_error() {
    for args in [
        vec![],
        vec!["no-such-command"],
        vec!["encrypt"],
        vec!["decrypt"],
    ] {
        let out = smime(&args, msg::plain().as_slice());
        assert_eq!(out.status.code(), Some(2), "{}", cli::describe(&args, &out));
    }
}

#[test]
fn missing_files_are_usage_errors() {
    let p = pki();
    let dir = temp_dir();
    let nowhere = dir.path().join("does-not-exist");
    let input = write_file(dir.path(), "msg.eml", &msg::plain());
    let out_file = dir.path().join("out");
    let alice = p.cert("alice");
    let p12 = p.p12("alice");
    for args in [
        vec!["encrypt", "--recipient", s(&alice), "--in", s(&nowhere)],
        vec!["encrypt", "--recipient", s(&nowhere), "--in", s(&input)],
        vec![
            "decrypt",
            "--p12",
            s(&p12),
            "--password-env",
            PASSWORD_ENV,
            "--in",
            s(&nowhere),
        ],
        vec![
            "decrypt",
            "--p12",
            s(&nowhere),
            "--password-env",
            PASSWORD_ENV,
            "--in",
            s(&input),
        ],
        vec![
            "decrypt",
            "--cert",
            s(&alice),
            "--key",
            s(&nowhere),
            "--in",
            s(&input),
        ],
        vec![
            "decrypt",
            "--p12",
            s(&p12),
            "--password-env",
            PASSWORD_ENV,
            "--in",
            s(&nowhere),
            "--out",
            s(&out_file),
        ],
    ] {
        let out = smime(&args, b"");
        assert_exit(&args, &out, 2);
        assert!(out.stdout.is_empty(), "{}", cli::describe(&args, &out));
    }
    assert_nothing_written(&out_file);
}

#[test]
fn unreadable_input_is_exit_2() {
    let p = pki();
    let dir = temp_dir();
    let out_file = dir.path().join("out");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for input in [garbage.as_slice(), b"", msg::plain().as_slice()] {
        let mut args = vec!["decrypt".to_string()];
        args.extend(cli::key_args(p, "alice", KeyFrom::P12));
        args.extend(["--out".to_string(), s(&out_file).to_string()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = smime(&refs, input);
        assert_exit(&refs, &out, 2);
        assert_nothing_written(&out_file);
    }
}

#[test]
fn wrong_identity_is_exit_1_and_writes_nothing() {
    let p = pki();
    let dir = temp_dir();
    let entity = msg::entity();
    for cipher in ["aes-128-cbc", "aes-256-gcm"] {
        let enc = openssl::encrypt(
            &entity,
            &[&p.cert("alice"), &p.cert("bob")],
            cipher,
            None,
            false,
        );
        let input = write_file(dir.path(), "enc.eml", &enc);
        for key in [KeyFrom::P12, KeyFrom::CertKey] {
            let out_file = dir.path().join(format!("out-{cipher}-{key:?}"));
            let mut args = vec!["decrypt".to_string()];
            args.extend(cli::key_args(p, "carol", key));
            args.extend(["--in", s(&input), "--out", s(&out_file)].map(String::from));
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = smime(&refs, b"");
            assert_exit(&refs, &out, 1);
            assert!(out.stdout.is_empty(), "{}", cli::describe(&refs, &out));
            assert_nothing_written(&out_file);
        }
        // The right identity, same files: works (so the failure above was the identity).
        let out_file = dir.path().join(format!("ok-{cipher}"));
        let mut args = vec!["decrypt".to_string()];
        args.extend(cli::key_args(p, "bob", KeyFrom::P12));
        args.extend(["--in", s(&input), "--out", s(&out_file)].map(String::from));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = smime(&refs, b"");
        assert_eq!(out.status.code(), Some(0), "{}", cli::describe(&refs, &out));
        assert_bytes_eq(
            &std::fs::read(&out_file).unwrap(),
            &entity,
            "decrypt to --out",
        );
    }
}

#[test]
fn tampered_gcm_is_exit_1_and_writes_nothing() {
    let p = pki();
    let dir = temp_dir();
    let entity = msg::inner_entity(&msg::large());
    let o = EncryptOptions {
        der: true,
        ..EncryptOptions::new("aes-256-gcm")
    };
    let der = openssl::encrypt_with(&entity, &[&p.cert("alice")], &o);
    // The DER ends with the mac OCTET STRING (no unauthAttrs): flip its last bit. Then flip a
    // ciphertext byte in the middle instead.
    let mut bad_tag = der.clone();
    *bad_tag.last_mut().unwrap() ^= 1;
    let mut bad_ct = der.clone();
    let mid = der.len() / 2;
    bad_ct[mid] ^= 0x40;
    for (what, bad) in [("tag", bad_tag), ("ciphertext", bad_ct)] {
        let input = write_file(dir.path(), &format!("{what}.der"), &bad);
        let out_file = dir.path().join(format!("{what}.out"));
        let mut args = vec!["decrypt".to_string()];
        args.extend(cli::key_args(p, "alice", KeyFrom::CertKey));
        args.extend(["--in", s(&input), "--out", s(&out_file)].map(String::from));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = smime(&refs, b"");
        assert_exit(&refs, &out, 1);
        assert!(
            out.stdout.is_empty(),
            "tampered {what}: plaintext on stdout"
        );
        assert_nothing_written(&out_file);
        // Without --out: nothing on stdout either.
        let mut args = vec!["decrypt".to_string()];
        args.extend(cli::key_args(p, "alice", KeyFrom::CertKey));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = smime(&refs, &bad);
        assert_exit(&refs, &out, 1);
        assert!(
            out.stdout.is_empty(),
            "tampered {what}: {} plaintext bytes on stdout",
            out.stdout.len()
        );
    }
    // Untampered: fine.
    assert_bytes_eq(
        &cli::decrypt(p, &der, "alice", KeyFrom::CertKey),
        &entity,
        "untampered",
    );
}

#[test]
fn wrong_password_fails_and_writes_nothing() {
    let p = pki();
    let dir = temp_dir();
    let enc = openssl::encrypt(
        &msg::entity(),
        &[&p.cert("alice")],
        "aes-128-cbc",
        None,
        false,
    );
    let input = write_file(dir.path(), "enc.eml", &enc);
    for (flag, file) in [("--p12", p.p12("alice")), ("--p12", p.p12_legacy("alice"))] {
        let out_file = dir.path().join("out");
        let args = [
            flag,
            s(&file),
            "--password-env",
            "SMIME_TEST_WRONG_PASSWORD",
            "--in",
            s(&input),
            "--out",
            s(&out_file),
        ];
        let mut full = vec!["decrypt"];
        full.extend(args);
        let mut cmd = std::process::Command::new(cli::bin());
        cmd.args(&full)
            .env("SMIME_TEST_WRONG_PASSWORD", "not the password");
        let out = common::run(&mut cmd, b"");
        let code = out.status.code();
        assert!(
            matches!(code, Some(1) | Some(2)),
            "wrong password: {}",
            cli::describe(&full, &out)
        );
        cli::assert_one_line_stderr(&full, &out);
        assert_nothing_written(&out_file);
    }
}

#[test]
fn round_trip_through_files_and_through_pipes() {
    let p = pki();
    let dir = temp_dir();
    let message = msg::multipart();
    let input = write_file(dir.path(), "msg.eml", &message);
    let enc_file = dir.path().join("enc.eml");
    let dec_file = dir.path().join("dec.eml");
    let (dave, alice) = (p.cert("dave"), p.cert("alice"));
    // The pre-RFC 9788 shape checked below (header protection: its own tests).
    let args = [
        "encrypt",
        "--no-header-protection",
        "--recipient",
        s(&dave),
        "--recipient",
        s(&alice),
        "--in",
        s(&input),
        "--out",
        s(&enc_file),
    ];
    cli::smime_ok(&args, b"");
    let enc = std::fs::read(&enc_file).unwrap();
    // No --cipher and nothing known about the recipients: AES-256-CBC (RFC 8551
    // §2.7.1.2, second sentence; tests/cli_cipher.rs has the rest of the rule), with the
    // outer fields kept.
    let der = msg::check_encrypted_shape(&enc, &message, "enveloped-data");
    assert!(
        openssl::print_der(&der).contains("algorithm: aes-256-cbc ("),
        "the default cipher is AES-256-CBC"
    );
    let mut args = vec!["decrypt".to_string()];
    args.extend(cli::key_args(p, "dave", KeyFrom::P12));
    args.extend(["--in", s(&enc_file), "--out", s(&dec_file)].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    cli::smime_ok(&refs, b"");
    assert_bytes_eq(
        &std::fs::read(&dec_file).unwrap(),
        &msg::inner_entity(&message),
        "files",
    );
    // Pipes: stdin to stdout, other identity forms.
    for (who, key) in [
        ("alice", KeyFrom::CertKey),
        ("alice", KeyFrom::CertEncryptedKey),
        ("dave", KeyFrom::P12Legacy),
    ] {
        let dec = cli::decrypt(p, &enc, who, key);
        assert_bytes_eq(
            &dec,
            &msg::inner_entity(&message),
            &format!("{who} {key:?}"),
        );
    }
}

/// `--out` naming a FIFO (like `/dev/null`, not a regular file): the output is written
/// into it, and it stays a FIFO. Renaming a temporary file over it, as for a regular
/// file, would replace the device (a run with `--out /dev/null` once turned this
/// machine's /dev/null into a regular file).
#[cfg(unix)]
#[test]
fn out_to_a_special_file_writes_into_it_and_keeps_it() {
    use std::os::unix::fs::FileTypeExt;
    let p = pki();
    let dir = temp_dir();
    let input = write_file(dir.path(), "msg.eml", &msg::plain());
    let fifo = dir.path().join("out.fifo");
    common::run_ok(std::process::Command::new("mkfifo").arg(&fifo), b"");
    // A reader on the FIFO (a child process, so a broken run can be killed instead of
    // leaving a thread blocked on a FIFO nobody opens for writing).
    let mut reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cat");
    let bob = p.cert("bob");
    cli::smime_ok(
        &[
            "encrypt",
            "--recipient",
            s(&bob),
            "--in",
            s(&input),
            "--out",
            s(&fifo),
        ],
        b"",
    );
    let kind = std::fs::metadata(&fifo).unwrap().file_type();
    if !kind.is_fifo() {
        let _ = reader.kill();
        let _ = reader.wait();
        panic!("--out replaced the FIFO with {kind:?}");
    }
    let written = reader.wait_with_output().expect("cat").stdout;
    assert!(
        String::from_utf8_lossy(&written).contains("application/pkcs7-mime"),
        "{} bytes read from the FIFO",
        written.len()
    );
}
