//! `smime decrypt`: an S/MIME message in, the decrypted MIME entity out.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::PathBuf;

use clap::Args;
use smime::Identity;

use crate::Io;
use crate::failure::{Failure, read_file};
use crate::output::Output;

#[derive(Args)]
pub struct DecryptArgs {
    /// Your identity as PKCS#12.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cert", "key"])]
    p12: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 or private-key password.
    #[arg(long = "password-env", value_name = "VAR")]
    password_env: Option<String>,
    /// Your certificate (PEM), with --key.
    #[arg(long, value_name = "CERT", requires = "key")]
    cert: Option<PathBuf>,
    /// Your private key (PEM or DER), with --cert.
    #[arg(long, value_name = "KEY", requires = "cert")]
    key: Option<PathBuf>,
    #[command(flatten)]
    pub io: Io,
}

pub fn run(args: DecryptArgs) -> Result<(), Failure> {
    let password = match &args.password_env {
        Some(var) => Some(
            std::env::var(var)
                .map_err(|_| Failure::usage(format!("environment variable {var} is not set")))?,
        ),
        None => None,
    };
    let identity = match (&args.p12, &args.cert, &args.key) {
        (Some(p12), _, _) => {
            let bytes = read_file(p12, "PKCS#12 file")?;
            Identity::from_pkcs12(&bytes, password.as_deref().unwrap_or(""))?
        }
        (None, Some(cert), Some(key)) => {
            let cert = read_file(cert, "certificate")?;
            let key = read_file(key, "private key")?;
            Identity::from_pem(&cert, &key, password.as_deref().map(str::as_bytes))?
        }
        _ => {
            return Err(Failure::usage(
                "give --p12 FILE, or --cert CERT.pem with --key KEY.pem",
            ));
        }
    };
    let output = Output::open(args.io.output.as_deref())?;
    let out = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            smime::decrypt_message(BufReader::new(file), &identity, output.writer())?.0
        }
        None => smime::decrypt_message(io::stdin().lock(), &identity, output.writer())?.0,
    };
    output.commit(out)
}
