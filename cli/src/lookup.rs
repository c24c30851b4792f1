//! `smime lookup --to ADDR... <directory options>`: the candidates per address, as
//! JSON. Exit 0 when every address has a candidate, 1 when one has none or its lookup
//! failed, 2 for bad usage.

use std::time::UNIX_EPOCH;

use clap::Args;
use serde_json::{Value, json};
use smime::EmailAddress;
use smime::directory::CertificateDirectory;

use crate::directory_args::DirectoryArgs;
use crate::failure::Failure;

#[derive(Args)]
pub struct LookupArgs {
    /// An address to look up; repeatable.
    #[arg(long = "to", value_name = "ADDR", required = true)]
    to: Vec<String>,
    #[command(flatten)]
    directory: DirectoryArgs,
}

fn unix(t: std::time::SystemTime) -> Value {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => json!(d.as_secs()),
        Err(_) => Value::Null,
    }
}

pub fn run(args: LookupArgs) -> Result<(), Failure> {
    let addresses = args
        .to
        .iter()
        .map(|a| {
            a.parse::<EmailAddress>()
                .map_err(|e| Failure::usage(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let directory = args.directory.open()?;
    let answers = directory.lookup(&addresses);
    let mut all_found = true;
    let report: Vec<Value> = answers
        .iter()
        .map(|a| {
            all_found &= !a.candidates().is_empty();
            json!({
                "address": a.address().as_str(),
                "status": if !a.candidates().is_empty() { "found" }
                          else if a.is_failed() { "lookup-failed" } else { "not-found" },
                "candidates": a.candidates().iter().map(|c| {
                    let cert = c.certificate();
                    json!({
                        "source": c.source().kind().to_string(),
                        "source_name": c.source().name(),
                        "subject": cert.subject(),
                        "fingerprint_sha256": cert.fingerprint_hex(),
                        "addresses": cert.email_addresses().iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                        "not_before": unix(cert.not_before()),
                        "not_after": unix(cert.not_after()),
                    })
                }).collect::<Vec<_>>(),
                "errors": a.failures().iter().map(|f| json!({
                    "source": f.source.to_string(),
                    "error": f.error.to_string(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&json!({ "lookups": report }))
        .map_err(|e| Failure::usage(e.to_string()))?;
    println!("{text}");
    if all_found {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: "some addresses have no certificate".into(),
        })
    }
}
