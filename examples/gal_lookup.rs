//! Looks addresses up in an LDAP global address list and prints, per address, where
//! its certificate was found (or why not).
//!
//! ```text
//! cargo run --example gal_lookup --features ldap -- [URL [BASE_DN [ADDR...]]]
//! ```
//!
//! The defaults match the test GAL of tests/common/slapd.rs (`ldap://127.0.0.1:3890`,
//! `dc=corp,dc=example`): start one as README's "A test GAL" explains (slapadd an LDIF
//! into a temporary mdb database, then `slapd -f slapd.conf -h ldap://127.0.0.1:3890/`).

use std::process::ExitCode;

use smime::EmailAddress;
use smime::directory::{Cached, CertificateDirectory, LdapConfig, LdapGal};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ldap://127.0.0.1:3890".into());
    let base = args.next().unwrap_or_else(|| "dc=corp,dc=example".into());
    let mut wanted: Vec<String> = args.collect();
    if wanted.is_empty() {
        wanted = ["ann", "ben", "cat", "eve", "nocert"]
            .iter()
            .map(|u| format!("{u}@corp.example"))
            .collect();
    }
    let addresses: Vec<EmailAddress> = match wanted.iter().map(|a| a.parse()).collect() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gal_lookup: {e}");
            return ExitCode::from(2);
        }
    };
    let gal = match LdapGal::new(LdapConfig::new(url, base)) {
        Ok(gal) => Cached::new(gal),
        Err(e) => {
            eprintln!("gal_lookup: {e}");
            return ExitCode::from(2);
        }
    };
    let mut all_found = true;
    for answer in gal.lookup(&addresses) {
        if answer.candidates().is_empty() {
            all_found = false;
        }
        for c in answer.candidates() {
            println!(
                "{}: {} (SHA-256 {}) from {}",
                answer.address(),
                c.certificate().subject(),
                c.certificate().fingerprint_hex(),
                c.source()
            );
        }
        for f in answer.failures() {
            println!("{}: lookup failed: {f}", answer.address());
        }
        if answer.candidates().is_empty() && answer.failures().is_empty() {
            println!("{}: no certificate", answer.address());
        }
    }
    if all_found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
