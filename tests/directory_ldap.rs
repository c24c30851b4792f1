//! The LDAP GAL against a real OpenLDAP slapd started by the test (no skip when slapd
//! is missing: `bash scripts/test.sh` installs it). Round trips are counted from
//! slapd's `-d 256` log. The LDAP source needs feature "ldap": `cargo test
//! --all-features` (CI, scripts/test.sh).
#![cfg(feature = "ldap")]

use crate::common;

use std::time::Duration;

use common::dir_pki::{addr, dir_pki, ldap_users};
use common::slapd::{BASE, ROOT_DN, ROOT_PW, Slapd};
use smime::DirectoryError;
use smime::directory::{CertificateDirectory, LdapConfig, LdapGal};

fn bulk(n: usize) -> Vec<smime::EmailAddress> {
    (0..n)
        .map(|i| addr(&format!("u{i:03}@corp.example")))
        .collect()
}

#[test]
fn round_trips_are_one_per_fifty_addresses() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 120));
    let gal = LdapGal::new(LdapConfig::new(slapd.url(), BASE)).unwrap();
    for n in [1usize, 49, 50, 51, 100, 120] {
        let before = slapd.searches();
        let answers = gal.lookup(&bulk(n));
        // slapd writes its log asynchronously; give it a moment, then count.
        let mut after = slapd.searches();
        for _ in 0..50 {
            if after - before >= n.div_ceil(50) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            after = slapd.searches();
        }
        std::thread::sleep(Duration::from_millis(100));
        after = slapd.searches();
        assert_eq!(answers.len(), n);
        assert!(
            answers
                .iter()
                .all(|a| a.failures().is_empty() && a.candidates().is_empty())
        );
        assert_eq!(after - before, n.div_ceil(50), "searches for {n} addresses");
    }
}

#[test]
fn stopped_server_fails_every_address() {
    let mut slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let gal = LdapGal::new(LdapConfig::new(slapd.url(), BASE).with_timeout(Duration::from_secs(3)))
        .unwrap();
    assert_eq!(
        gal.lookup(&[addr("ann@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    slapd.stop();
    let addresses = [
        addr("ann@corp.example"),
        addr("ben@corp.example"),
        addr("x@corp.example"),
    ];
    let answers = gal.lookup(&addresses);
    assert_eq!(answers.len(), 3);
    for a in &answers {
        assert!(a.is_failed(), "{}: {:?}", a.address(), a);
        assert!(
            matches!(a.failures()[0].error, DirectoryError::Unreachable { .. }),
            "{:?}",
            a.failures()
        );
    }
}

#[test]
fn silent_server_fails_within_the_timeout() {
    // Accepts the connection (kernel backlog) and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ldap://{}", listener.local_addr().unwrap());
    let gal = LdapGal::new(
        LdapConfig::new(url, BASE)
            .with_bind(ROOT_DN, ROOT_PW)
            .with_plaintext_bind_allowed()
            .with_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    let answers = gal.lookup(&[addr("ann@corp.example"), addr("ben@corp.example")]);
    assert!(answers.iter().all(|a| a.is_failed()), "{answers:?}");
}

/// A simple bind as the root DN over plain `ldap://`, explicitly allowed.
fn plain_bind(config: LdapConfig, password: &str) -> LdapConfig {
    config
        .with_bind(ROOT_DN, password)
        .with_plaintext_bind_allowed()
}

#[test]
fn bind_dn_and_wrong_password() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let good = LdapGal::new(plain_bind(LdapConfig::new(slapd.url(), BASE), ROOT_PW)).unwrap();
    assert_eq!(
        good.lookup(&[addr("cat@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    let bad = LdapGal::new(plain_bind(LdapConfig::new(slapd.url(), BASE), "wrong")).unwrap();
    let answer = &bad.lookup(&[addr("cat@corp.example")])[0];
    assert!(answer.is_failed());
    assert!(
        matches!(answer.failures()[0].error, DirectoryError::Refused { .. }),
        "{answer:?}"
    );
}

#[test]
fn filter_values_are_escaped() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 3));
    let gal = LdapGal::new(LdapConfig::new(slapd.url(), BASE)).unwrap();
    // Unescaped, `*@corp.example` would match every user.
    let answer = &gal.lookup(&[addr("*@corp.example")])[0];
    assert!(answer.failures().is_empty(), "{answer:?}");
    assert!(answer.candidates().is_empty(), "{answer:?}");
    assert!(slapd.log().contains("\\2A@corp.example") || slapd.log().contains("\\2a@corp.example"));
}

#[test]
fn size_limit_fails_the_batch_instead_of_truncating() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let mut config = LdapConfig::new(slapd.url(), BASE);
    config.size_limit = 1;
    let gal = LdapGal::new(config).unwrap();
    let answers = gal.lookup(&[addr("ann@corp.example"), addr("cat@corp.example")]);
    for a in &answers {
        assert!(
            a.failures()
                .iter()
                .any(|f| matches!(f.error, DirectoryError::LimitExceeded { .. })),
            "{a:?}"
        );
    }
}

#[test]
fn user_smime_certificate_and_two_certificates() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let gal = LdapGal::new(LdapConfig::new(slapd.url(), BASE)).unwrap();
    let answers = gal.lookup(&[addr("eve@corp.example"), addr("Ben@Corp.Example")]);
    assert_eq!(
        answers[0].candidates()[0].certificate(),
        &dir_pki().cert("eve")
    );
    assert_eq!(answers[1].candidates().len(), 2);
}

#[test]
fn configuration_is_checked() {
    assert!(LdapGal::new(LdapConfig::new("http://x", BASE)).is_err());
    let mut c = LdapConfig::new("ldap://127.0.0.1:1", BASE);
    c.batch_size = 51;
    assert!(LdapGal::new(c).is_err());
}

/// `ldaps://` and StartTLS: the server's certificate (issued by the organisation's own
/// CA, for IP 127.0.0.1) is verified against `tls_roots` plus the platform's roots.
/// Without the CA, or under a name the certificate does not carry, nothing is read.
#[cfg(feature = "ldap-tls")]
#[test]
fn tls_verifies_the_server_against_the_configured_ca() {
    let slapd = Slapd::start_tls_with(|files| ldap_users(files, 0));
    let ca = smime::Certificate::load(&std::fs::read(slapd.tls_ca()).unwrap()).unwrap();
    let ann = [addr("ann@corp.example")];
    let ldaps = || LdapConfig::new(slapd.ldaps_url(), BASE).with_timeout(Duration::from_secs(5));
    let starttls = || {
        LdapConfig::new(slapd.url(), BASE)
            .with_starttls()
            .with_timeout(Duration::from_secs(5))
    };
    for config in [ldaps(), starttls()] {
        let url = config.url.clone();
        let gal = LdapGal::new(config.with_tls_roots(ca.clone())).unwrap();
        let answers = gal.lookup(&ann);
        assert_eq!(answers[0].candidates().len(), 1, "{url}: {:?}", answers[0]);
    }
    let by_name = LdapConfig::new(slapd.ldaps_url().replace("127.0.0.1", "localhost"), BASE)
        .with_timeout(Duration::from_secs(5))
        .with_tls_roots(ca.clone());
    for (what, config) in [
        ("ldaps without the CA", ldaps()),
        ("StartTLS without the CA", starttls()),
        ("a name the certificate does not carry", by_name),
    ] {
        let gal = LdapGal::new(config).unwrap();
        let answers = gal.lookup(&ann);
        assert!(answers[0].is_failed(), "{what}: {:?}", answers[0]);
        let error = &answers[0].failures()[0].error;
        assert!(
            matches!(error, DirectoryError::Unreachable { reason, .. }
                if reason.to_lowercase().contains("certificate")),
            "{what}: {error:?}"
        );
    }
}
