//! `smime lookup`, `smime install`, `smime remove` (the example CLI), with the installed
//! store, a contacts file and the GAL on a real slapd.

use crate::common;

use common::cli::smime;
use common::dir_pki::{dir_pki, vcard};
#[cfg(feature = "ldap")]
use common::{
    dir_pki::ldap_users,
    slapd::{BASE, Slapd},
};

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn install_lookup_remove() {
    let dir = common::temp_dir();
    let store = dir.path().join("store");
    let store = store.to_str().unwrap();
    let ann = dir_pki().pem_path("ann");
    let out = smime(
        &["install", "--store", store, "--cert", ann.to_str().unwrap()],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fp = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(fp, dir_pki().cert("ann").fingerprint_hex());

    // --for an address the certificate does not name: refused (2).
    let out = smime(
        &[
            "install",
            "--store",
            store,
            "--cert",
            ann.to_str().unwrap(),
            "--for",
            "ben@corp.example",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));

    let contacts = common::write_file(
        dir.path(),
        "c.vcf",
        vcard("cat@corp.example", &["cat"], false).as_bytes(),
    );
    let out = smime(
        &[
            "lookup",
            "--to",
            "ann@corp.example",
            "--to",
            "cat@corp.example",
            "--store",
            store,
            "--contacts",
            contacts.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["lookups"][0]["candidates"][0]["source"], "installed");
    assert_eq!(
        v["lookups"][0]["candidates"][0]["fingerprint_sha256"],
        fp.as_str()
    );
    assert_eq!(v["lookups"][1]["candidates"][0]["source"], "contacts");
    assert_eq!(
        v["lookups"][1]["candidates"][0]["addresses"][0],
        "cat@corp.example"
    );

    let out = smime(&["remove", "--store", store, "--fingerprint", &fp], b"");
    assert!(out.status.success());
    let out = smime(&["remove", "--store", store, "--fingerprint", &fp], b"");
    assert_eq!(out.status.code(), Some(1));
    let out = smime(
        &["lookup", "--to", "ann@corp.example", "--store", store],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["lookups"][0]["status"], "not-found");
}

#[cfg(feature = "ldap")]
#[test]
fn lookup_over_ldap_and_a_stopped_server() {
    let mut slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let url = slapd.url();
    let args = [
        "lookup",
        "--to",
        "eve@corp.example",
        "--ldap",
        &url,
        "--ldap-base",
        BASE,
    ];
    let out = smime(&args, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["lookups"][0]["candidates"][0]["source"], "ldap");
    slapd.stop();
    let out = smime(&args, b"");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["lookups"][0]["status"], "lookup-failed");
    assert!(
        v["lookups"][0]["errors"][0]["error"]
            .as_str()
            .unwrap()
            .contains("unreachable")
    );
}

/// `--ldap ldaps://…` and `--ldap-starttls` with `--ldap-ca`: found; without the CA the
/// server is not trusted and the lookup fails (exit 1), it does not fall back to clear.
#[cfg(feature = "ldap-tls")]
#[test]
fn lookup_over_ldaps_and_starttls_with_the_directory_ca() {
    let slapd = Slapd::start_tls_with(|files| ldap_users(files, 0));
    let (ldaps, plain) = (slapd.ldaps_url(), slapd.url());
    let ca = slapd.tls_ca().to_str().unwrap().to_string();
    let lookup = |url: &str, extra: &[&str]| {
        let mut args = vec![
            "lookup",
            "--to",
            "eve@corp.example",
            "--ldap",
            url,
            "--ldap-base",
            BASE,
        ];
        args.extend_from_slice(extra);
        smime(&args, b"")
    };
    for (url, extra) in [
        (&ldaps, vec!["--ldap-ca", &ca]),
        (&plain, vec!["--ldap-starttls", "--ldap-ca", &ca]),
    ] {
        let out = lookup(url, &extra);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{url} {extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(json(&out)["lookups"][0]["candidates"][0]["source"], "ldap");
    }
    for (url, extra) in [(&ldaps, vec![]), (&plain, vec!["--ldap-starttls"])] {
        let out = lookup(url, &extra);
        assert_eq!(out.status.code(), Some(1), "{url} {extra:?}");
        assert_eq!(json(&out)["lookups"][0]["status"], "lookup-failed");
    }
}

#[test]
fn lookup_without_a_source_is_a_usage_error() {
    let out = smime(&["lookup", "--to", "ann@corp.example"], b"");
    assert_eq!(out.status.code(), Some(2));
}
