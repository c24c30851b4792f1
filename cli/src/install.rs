//! `smime install --store DIR (--cert CERT.pem [--for ADDR]... | --from-message
//! SIGNED.eml [--trust] [--trust-anchor CA.pem...])`: installs a certificate for the
//! addresses it names (or those given), or the sender's certificate of a signed
//! message for its From address under the library's rules (valid signature, the
//! certificate names From and allows encryption; `--trust` records the user's
//! decision first when the issuer is unknown). Exit 1 when the rules refuse.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use clap::Args;
use smime::directory::{CertificateStoreWrite, InstallOptions, InstalledStore};
use smime::keep::KeepError;
use smime::trust::{Policy, Purpose, TrustStore};
use smime::{Certificate, EmailAddress};

use crate::failure::{Failure, read_file};

#[derive(Args)]
pub struct InstallArgs {
    /// The installed-certificate store (a folder; created if missing).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// The certificate (PEM or DER).
    #[arg(long, value_name = "CERT", conflicts_with = "from_message")]
    cert: Option<PathBuf>,
    /// Install only for this address (repeatable); the certificate must name it.
    #[arg(long = "for", value_name = "ADDR", requires = "cert")]
    for_addresses: Vec<String>,
    /// A signed message: install its sender's certificate.
    #[arg(long = "from-message", value_name = "SIGNED.eml")]
    from_message: Option<PathBuf>,
    /// Trust the sender's certificate (for this address, to verify and encrypt)
    /// when its issuer is unknown.
    #[arg(long, requires = "from_message")]
    trust: bool,
    /// A trusted root for checking the message's signature; repeatable.
    #[arg(long = "trust-anchor", value_name = "CA", requires = "from_message")]
    trust_anchors: Vec<PathBuf>,
}

pub fn run(args: InstallArgs) -> Result<(), Failure> {
    let store = InstalledStore::open(&args.store)?;
    if let Some(path) = &args.from_message {
        return from_message(&store, path, &args);
    }
    let Some(path) = &args.cert else {
        return Err(Failure::usage("give --cert or --from-message"));
    };
    let bytes = read_file(path, "certificate")?;
    let certificate = Certificate::load(&bytes)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
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
    store.install(&certificate, &options)?;
    println!("{}", certificate.fingerprint_hex());
    Ok(())
}

/// A refusal to keep the certificate is a negative result (1); a store that cannot be
/// read or written is the usual failure.
fn refused(e: KeepError) -> Failure {
    match e {
        KeepError::Store(e) => e.into(),
        refusal => Failure {
            code: 1,
            message: refusal.to_string(),
        },
    }
}

fn from_message(
    store: &InstalledStore,
    path: &std::path::Path,
    args: &InstallArgs,
) -> Result<(), Failure> {
    let raw = read_file(path, "message")?;
    let mut trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
    for p in &args.trust_anchors {
        let bytes = read_file(p, "trust anchor")?;
        for c in Certificate::load(&bytes)
            .map_err(|e| Failure::usage(format!("{}: {e}", p.display())))?
        {
            trust.add_anchor(c);
        }
    }
    let policy = Policy::email();
    let mut opened = smime::reader::open(&raw, &[], &trust, &policy, SystemTime::now())?;
    if args.trust {
        let sender = smime::keep::sender_certificate(&opened).ok_or_else(|| Failure {
            code: 1,
            message: "the message is not signed by its sender".into(),
        })?;
        if sender.can_trust() {
            smime::keep::trust(store, &sender, &[Purpose::Verify, Purpose::Encrypt])
                .map_err(refused)?;
            opened = smime::reader::open(&raw, &[], &trust, &policy, SystemTime::now())?;
        }
    }
    let installed = smime::keep::install(store, &opened).map_err(refused)?;
    println!(
        "{} {}",
        installed.certificate.fingerprint_hex(),
        installed.address
    );
    Ok(())
}
