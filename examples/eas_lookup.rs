//! Looks recipients up in an Exchange server's global address list the way an
//! Exchange mail client does (ActiveSync `ResolveRecipients` with certificates), behind
//! the installed store, and prints per address where its certificate came from or
//! why there is none.
//!
//! ```text
//! EAS_PASSWORD=... cargo run --example eas_lookup --features activesync -- \
//!     https://mail.corp.example/Microsoft-Server-ActiveSync me@corp.example ADDR...
//! ```
//!
//! `EAS_TOKEN` instead of `EAS_PASSWORD` sends an OAuth 2.0 bearer token (Exchange
//! Online); `EAS_CA=corp-ca.pem` trusts the organisation's CA for the server's TLS
//! certificate; `EAS_INSECURE_HTTP=1` allows an `http://` test server.

use std::process::ExitCode;
use std::time::Instant;

use smime::EmailAddress;
use smime::directory::{
    ActiveSyncConfig, ActiveSyncGal, Cached, CertificateDirectory, Layered, MemoryDirectory,
};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("eas_lookup: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage =
        "usage: eas_lookup URL USER ADDR... (password in EAS_PASSWORD or token in EAS_TOKEN)";
    let url = args.next().ok_or(usage)?;
    let user = args.next().ok_or(usage)?;
    let addresses: Vec<EmailAddress> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    if addresses.is_empty() {
        return Err(usage.into());
    }
    let mut config = match (std::env::var("EAS_PASSWORD"), std::env::var("EAS_TOKEN")) {
        (Ok(password), _) => ActiveSyncConfig::basic(url, user, password),
        (_, Ok(token)) => ActiveSyncConfig::bearer(url, user, token),
        _ => return Err(usage.into()),
    };
    if let Ok(path) = std::env::var("EAS_CA") {
        config = config.with_tls_roots(smime::Certificate::load(&std::fs::read(path)?)?);
    }
    if std::env::var("EAS_INSECURE_HTTP").is_ok_and(|v| v == "1") {
        config = config.with_insecure_http();
    }
    // The app's own certificates first, then the GAL (cached: the user types the same
    // names again and again).
    let directory = Layered::new(vec![
        Box::new(MemoryDirectory::new("installed")) as Box<dyn CertificateDirectory>,
        Box::new(Cached::new(ActiveSyncGal::new(config)?)),
    ]);
    let started = Instant::now();
    let answers = directory.lookup(&addresses);
    let mut all_found = true;
    for answer in &answers {
        all_found &= !answer.candidates().is_empty();
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
        for note in answer.notes() {
            println!("{}: {note}", answer.address());
        }
        if answer.candidates().is_empty() && answer.failures().is_empty() {
            println!("{}: no certificate found", answer.address());
        }
    }
    eprintln!(
        "{} addresses looked up in {} ms",
        addresses.len(),
        started.elapsed().as_millis()
    );
    Ok(all_found)
}
