//! `smime check --to ADDR... [--cc ADDR...] [--bcc ADDR...] [--from ADDR] <directory
//! options> [--trust-anchor CA.pem...] [--at RFC3339] [--authenticated-only]`: per
//! recipient whether it can be encrypted to and why not, as JSON, with the designation
//! and the content cipher a message would use and why (with `--store`, the recipients'
//! recorded capabilities count). Exit 0 when every recipient is encryptable, 1
//! otherwise, 2 for bad usage.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;
use serde_json::{Value, json};
use smime::directory::InstalledStore;
use smime::encryptor::{CipherPolicy, Encryptor, RecipientStatus, Recipients, Role};
use smime::trust::TrustStore;
use smime::{Certificate, EmailAddress};

use crate::directory_args::DirectoryArgs;
use crate::failure::{Failure, read_file};

#[derive(Args)]
pub struct CheckArgs {
    /// A To recipient; repeatable.
    #[arg(long = "to", value_name = "ADDR")]
    to: Vec<String>,
    /// A Cc recipient; repeatable.
    #[arg(long = "cc", value_name = "ADDR")]
    cc: Vec<String>,
    /// A Bcc recipient; repeatable.
    #[arg(long = "bcc", value_name = "ADDR")]
    bcc: Vec<String>,
    /// The sender: checked too (encrypt-to-self), looked up like a recipient.
    #[arg(long = "from", value_name = "ADDR")]
    from: Option<String>,
    #[command(flatten)]
    directory: DirectoryArgs,
    /// A trusted root (PEM or DER); repeatable.
    #[arg(long = "trust-anchor", value_name = "CA")]
    trust_anchors: Vec<PathBuf>,
    /// Reference time (RFC 3339 or Unix seconds); default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Authenticated ciphers only (AES-GCM, ChaCha20-Poly1305), even for recipients
    /// whose capabilities are unknown.
    #[arg(long = "authenticated-only")]
    authenticated_only: bool,
}

fn parse(a: &str) -> Result<EmailAddress, Failure> {
    a.parse()
        .map_err(|e: smime::AddressError| Failure::usage(e.to_string()))
}

pub fn run(args: CheckArgs) -> Result<(), Failure> {
    let mut recipients = Recipients::new();
    for (list, role) in [
        (&args.to, Role::To),
        (&args.cc, Role::Cc),
        (&args.bcc, Role::Bcc),
    ] {
        for a in list {
            recipients.add(parse(a)?, role);
        }
    }
    if let Some(f) = &args.from {
        recipients.add(parse(f)?, Role::Sender);
    }
    if recipients.is_empty() {
        return Err(Failure::usage("give at least one --to, --cc or --bcc"));
    }
    let directory = args.directory.open()?;
    let mut trust = TrustStore::new();
    if let Some(store) = &args.directory.store {
        trust = trust.with_user_trust(std::sync::Arc::new(smime::directory::InstalledStore::open(
            store,
        )?));
    }
    for path in &args.trust_anchors {
        let bytes = read_file(path, "trust anchor")?;
        for c in Certificate::load(&bytes)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        {
            trust.add_anchor(c);
        }
    }
    let time = match &args.at {
        Some(t) => crate::verify::parse_time(t)
            .ok_or_else(|| Failure::usage(format!("--at {t:?} is not an RFC 3339 time")))?,
        None => SystemTime::now(),
    };
    // The correspondents' recorded capabilities choose the cipher (RFC 8551 §2.7.1).
    let preferences = args
        .directory
        .store
        .as_ref()
        .map(InstalledStore::open)
        .transpose()?;
    let mut encryptor = Encryptor::new(&directory, &trust);
    if let Some(store) = &preferences {
        encryptor = encryptor.with_preferences(store);
    }
    if args.authenticated_only {
        encryptor = encryptor.with_ciphers(CipherPolicy::authenticated_only());
    }
    let report = encryptor.check(&recipients, time);
    let rows: Vec<Value> = report
        .recipients()
        .iter()
        .map(|r| {
            let (source, reason) = match r.status() {
                RecipientStatus::Encryptable { source, .. } => (Some(source.to_string()), None),
                RecipientStatus::LookupFailed { source, error } => {
                    (Some(source.to_string()), Some(error.to_string()))
                }
                other => (None, Some(other.to_string())),
            };
            json!({
                "address": r.address().as_str(),
                "role": r.role().to_string(),
                "status": r.status().kind(),
                "reason": reason,
                "source": source,
                "fingerprint_sha256": r.status().certificate().map(|c| c.fingerprint_hex()),
                "capabilities": r
                    .capabilities()
                    .map(|caps| caps.iter().map(|c| c.name()).collect::<Vec<_>>()),
            })
        })
        .collect();
    let designation = report.designation(true);
    let cipher = report.cipher();
    let text = serde_json::to_string_pretty(&json!({
        "recipients": rows,
        "designation": designation.to_string(),
        "cipher": {
            "name": cipher.cipher().name(),
            "authenticated": cipher.cipher().is_authenticated(),
            "reason": cipher.reason().name(),
        },
    }))
    .map_err(|e| Failure::usage(e.to_string()))?;
    println!("{text}");
    if report.all_encryptable() {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: format!("{designation}: some recipients cannot be encrypted to"),
        })
    }
}
