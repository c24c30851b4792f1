//! `smime remove --store DIR --fingerprint SHA256`: removes an installed certificate
//! (exit 1 when it was not installed).

use std::path::PathBuf;

use clap::Args;
use smime::directory::{CertificateStoreWrite, InstalledStore, fingerprint_from_hex};

use crate::failure::Failure;

#[derive(Args)]
pub struct RemoveArgs {
    /// The installed-certificate store (a folder).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// SHA-256 fingerprint, 64 hex digits (colons allowed).
    #[arg(long, value_name = "SHA256")]
    fingerprint: String,
}

pub fn run(args: RemoveArgs) -> Result<(), Failure> {
    let fp = fingerprint_from_hex(&args.fingerprint)
        .ok_or_else(|| Failure::usage("--fingerprint must be 64 hex digits"))?;
    let store = InstalledStore::open(&args.store)?;
    if store.remove(&fp)? {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: format!("{} is not installed", args.fingerprint),
        })
    }
}
