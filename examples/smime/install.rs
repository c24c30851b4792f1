//! `smime install --store DIR --cert CERT.pem [--for ADDR]...`: installs a
//! certificate for the addresses it names (or those given, each of which it must name).

use std::path::PathBuf;

use clap::Args;
use smime::directory::{CertificateStoreWrite, InstallOptions, InstalledStore};
use smime::{Certificate, EmailAddress};

use crate::failure::{Failure, read_file};

#[derive(Args)]
pub struct InstallArgs {
    /// The installed-certificate store (a folder; created if missing).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The certificate (PEM or DER).
    #[arg(long, value_name = "CERT")]
    cert: PathBuf,
    /// Install only for this address (repeatable); the certificate must name it.
    #[arg(long = "for", value_name = "ADDR")]
    for_addresses: Vec<String>,
}

pub fn run(args: InstallArgs) -> Result<(), Failure> {
    let bytes = read_file(&args.cert, "certificate")?;
    let certificate = Certificate::load(&bytes)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.cert.display())))?
        .into_iter()
        .next()
        .ok_or_else(|| Failure::usage("no certificate in the file"))?;
    let mut options = InstallOptions::default();
    options.provenance.origin = "cli".into();
    for a in &args.for_addresses {
        options.addresses.push(
            a.parse::<EmailAddress>()
                .map_err(|e| Failure::usage(e.to_string()))?,
        );
    }
    let store = InstalledStore::open(&args.store)?;
    store.install(&certificate, &options)?;
    println!("{}", certificate.fingerprint_hex());
    Ok(())
}
