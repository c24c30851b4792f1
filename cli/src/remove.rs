//! `smime remove --store DIR (--fingerprint SHA256 | --address ADDR)`: removes an
//! installed certificate, or every certificate installed for an address (exit 1 when
//! nothing was installed).

use std::path::PathBuf;

use clap::Args;
use smime::EmailAddress;
use smime::directory::{CertificateStoreWrite, InstalledStore, fingerprint_from_hex};

use crate::failure::Failure;

#[derive(Args)]
pub struct RemoveArgs {
    /// The installed-certificate store (a folder).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// SHA-256 fingerprint, 64 hex digits (colons allowed).
    #[arg(long, value_name = "SHA256", conflicts_with = "address")]
    fingerprint: Option<String>,
    /// Remove every certificate installed for this address.
    #[arg(long, value_name = "ADDR")]
    address: Option<String>,
}

pub fn run(args: RemoveArgs) -> Result<(), Failure> {
    let store = InstalledStore::open(&args.store)?;
    let (removed, what) = match (&args.fingerprint, &args.address) {
        (Some(fp_text), _) => {
            let fp = fingerprint_from_hex(fp_text)
                .ok_or_else(|| Failure::usage("--fingerprint must be 64 hex digits"))?;
            (usize::from(store.remove(&fp)?), fp_text.clone())
        }
        (None, Some(a)) => {
            let address: EmailAddress = a
                .parse()
                .map_err(|e: smime::AddressError| Failure::usage(e.to_string()))?;
            (
                smime::keep::remove_address(&store, &address)?,
                format!("no certificate for {a}"),
            )
        }
        (None, None) => return Err(Failure::usage("give --fingerprint or --address")),
    };
    if removed > 0 {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: format!("{what} is not installed"),
        })
    }
}
