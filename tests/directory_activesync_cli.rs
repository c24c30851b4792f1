//! `smime lookup` and `smime check` with `--eas` against Horde's real ActiveSync
//! server: the JSON keeps its shape, failures are `lookup-failed` with the reason,
//! `--eas-ca` for HTTPS, and plain http refused without `--eas-insecure-http`.
#![cfg(feature = "activesync")]

use crate::common;

use std::process::{Command, Output};

use common::dir_pki::dir_pki;
use common::eas::{self, Horde, Stunnel};

const PASSWORD_VAR: &str = "SMIME_TEST_EAS_PASSWORD";

fn smime(args: &[&str], password: &str) -> Output {
    let mut cmd = Command::new(common::cli::bin());
    cmd.args(args).env(PASSWORD_VAR, password);
    common::run(&mut cmd, b"")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn eas_args(url: &str) -> Vec<&str> {
    vec![
        "--eas",
        url,
        "--eas-user",
        eas::USER,
        "--eas-password-env",
        PASSWORD_VAR,
    ]
}

#[test]
fn lookup_over_activesync_keeps_the_json_shape() {
    let horde = Horde::start(eas::published(0));
    let url = horde.url();
    let mut args = vec![
        "lookup",
        "--to",
        "ben@corp.example",
        "--to",
        "nocert@corp.example",
        "--eas-insecure-http",
    ];
    args.extend(eas_args(&url));
    let out = smime(&args, eas::PASSWORD);
    assert_eq!(out.status.code(), Some(1), "nocert has none");
    let v = json(&out);
    let ben = &v["lookups"][0];
    assert_eq!(ben["address"], "ben@corp.example");
    assert_eq!(ben["status"], "found");
    let fps: Vec<&str> = ben["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fingerprint_sha256"].as_str().unwrap())
        .collect();
    assert_eq!(
        fps,
        [
            dir_pki().cert("ben1").fingerprint_hex(),
            dir_pki().cert("ben2").fingerprint_hex()
        ]
    );
    assert_eq!(ben["candidates"][0]["source"], "activesync");
    assert_eq!(ben["candidates"][0]["source_name"], url.as_str());
    assert_eq!(ben["errors"], serde_json::json!([]));
    assert_eq!(v["lookups"][1]["status"], "not-found");
    assert_eq!(horde.posts(), 1);

    // Wrong password: lookup-failed with the server's reason, exit 1.
    let out = smime(&args, "wrong");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["lookups"][0]["status"], "lookup-failed");
    let error = v["lookups"][0]["errors"][0]["error"].as_str().unwrap();
    assert!(error.contains("HTTP 401"), "{error}");
}

#[test]
fn check_over_activesync_reports_each_recipient() {
    let mut horde = Horde::start(eas::published(0));
    let url = horde.url();
    let mut args = vec![
        "check",
        "--to",
        "ann@corp.example",
        "--to",
        "nocert@corp.example",
        "--eas-insecure-http",
    ];
    args.extend(eas_args(&url));
    let out = smime(&args, eas::PASSWORD);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let ann = &v["recipients"][0];
    assert_ne!(ann["status"], "lookup-failed", "{v}");
    assert_ne!(ann["status"], "no-certificate", "{v}");
    assert_eq!(
        ann["fingerprint_sha256"],
        dir_pki().cert("ann").fingerprint_hex().as_str()
    );
    assert_eq!(v["recipients"][1]["status"], "no-certificate");
    assert_eq!(v["designation"], "Unable to Encrypt");

    horde.stop();
    let v = json(&smime(&args, eas::PASSWORD));
    assert_eq!(v["recipients"][0]["status"], "lookup-failed");
    assert_eq!(v["recipients"][1]["status"], "lookup-failed");
}

#[test]
fn https_needs_the_eas_ca_and_http_needs_the_opt_in() {
    let horde = Horde::start(eas::published(0));
    let tls = Stunnel::start(horde.port());
    let url = tls.url();
    let ca = tls.ca();
    let mut args = vec!["lookup", "--to", "ann@corp.example"];
    args.extend(eas_args(&url));
    let out = smime(&args, eas::PASSWORD);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["lookups"][0]["status"], "lookup-failed");
    let error = v["lookups"][0]["errors"][0]["error"].as_str().unwrap();
    assert!(error.contains("certificate"), "{error}");

    args.extend(["--eas-ca", ca.to_str().unwrap()]);
    let out = smime(&args, eas::PASSWORD);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["lookups"][0]["status"], "found");

    // http:// without --eas-insecure-http: bad usage (2), nothing sent.
    let http = horde.url();
    let mut args = vec!["lookup", "--to", "ann@corp.example"];
    args.extend(eas_args(&http));
    let out = smime(&args, eas::PASSWORD);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain http"));
    // --eas without a secret: bad usage.
    let out = smime(
        &[
            "lookup",
            "--to",
            "a@b.example",
            "--eas",
            &http,
            "--eas-user",
            "u",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(horde.posts(), 1);
}

/// The `eas_lookup` example against the server, given its URL and credentials.
#[test]
fn the_eas_lookup_example_runs_against_a_server() {
    let horde = Horde::start(eas::published(0));
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let bin = profile
        .join("examples")
        .join(format!("eas_lookup{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "build",
                "--all-features",
                "--example",
                "eas_lookup",
                "--target-dir",
            ])
            .arg(profile.parent().unwrap());
        common::run_ok(&mut cmd, b"");
    }
    let out = common::run(
        Command::new(&bin)
            .args([
                &horde.url(),
                eas::USER,
                "ann@corp.example",
                "nocert@corp.example",
            ])
            .env("EAS_PASSWORD", eas::PASSWORD)
            .env("EAS_INSECURE_HTTP", "1"),
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!(
            "ann@corp.example: CN=ann (SHA-256 {}) from activesync {}",
            dir_pki().cert("ann").fingerprint_hex(),
            horde.url()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "nocert@corp.example: activesync {}: in the directory, but without a valid certificate",
            horde.url()
        )),
        "{text}"
    );
    assert!(
        text.contains("nocert@corp.example: no certificate found"),
        "{text}"
    );
    assert_eq!(horde.posts(), 1);
}
