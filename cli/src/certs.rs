//! `smime certs`: the certificates a message carries, as PEM (for "View
//! Certificate" and for importing a certs-only chain). An encrypted message needs
//! `--p12` or `--cert --key`.

use std::time::SystemTime;

use clap::Args;
use smime::reader;
use smime::trust::{Policy, TrustStore};

use crate::Io;
use crate::failure::Failure;
use crate::identity_args::IdentityArgs;

#[derive(Args)]
pub struct CertsArgs {
    #[command(flatten)]
    identity: IdentityArgs,
    #[command(flatten)]
    pub io: Io,
}

pub fn run(args: CertsArgs) -> Result<(), Failure> {
    let raw = crate::failure::read_input(args.io.input.as_deref())?;
    let identities = match args.identity.is_given() {
        true => vec![args.identity.load()?],
        false => Vec::new(),
    };
    let refs: Vec<&smime::Identity> = identities.iter().collect();
    // Only the certificates are wanted: no anchors, so nothing is trusted.
    let opened = reader::open(
        &raw,
        &refs,
        &TrustStore::new(),
        &Policy::email(),
        SystemTime::now(),
    )?;
    let certs = opened.certificates();
    if certs.is_empty() {
        return Err(Failure {
            code: 1,
            message: "the message carries no certificates".into(),
        });
    }
    let pem: String = certs.iter().map(|c| c.to_pem()).collect();
    crate::failure::write_output(args.io.output.as_deref(), pem.as_bytes())
}
