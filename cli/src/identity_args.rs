//! The user's identity on the command line: `--p12 FILE [--password-env VAR]` or
//! `--cert CERT.pem --key KEY.pem [--password-env VAR]`.

use std::path::PathBuf;

use clap::Args;
use smime::Identity;

use crate::failure::{Failure, read_file};

#[derive(Args)]
pub struct IdentityArgs {
    /// Your identity as PKCS#12.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cert", "key"])]
    p12: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 or private-key password.
    #[arg(long = "password-env", value_name = "VAR")]
    password_env: Option<String>,
    /// Your certificate (PEM; more certificates after it form the chain), with --key.
    #[arg(long, value_name = "CERT", requires = "key")]
    cert: Option<PathBuf>,
    /// Your private key (PEM or DER), with --cert.
    #[arg(long, value_name = "KEY", requires = "cert")]
    key: Option<PathBuf>,
}

impl IdentityArgs {
    /// Whether an identity was named on the command line.
    pub fn is_given(&self) -> bool {
        self.p12.is_some() || self.cert.is_some()
    }

    /// Loads the identity; a missing file or bad password is a usage error (2).
    pub fn load(&self) -> Result<Identity, Failure> {
        let password =
            match &self.password_env {
                Some(var) => Some(std::env::var(var).map_err(|_| {
                    Failure::usage(format!("environment variable {var} is not set"))
                })?),
                None => None,
            };
        match (&self.p12, &self.cert, &self.key) {
            (Some(p12), _, _) => {
                let bytes = read_file(p12, "PKCS#12 file")?;
                Ok(Identity::from_pkcs12(
                    &bytes,
                    password.as_deref().unwrap_or(""),
                )?)
            }
            (None, Some(cert), Some(key)) => {
                let cert = read_file(cert, "certificate")?;
                let key = read_file(key, "private key")?;
                Ok(Identity::from_pem(
                    &cert,
                    &key,
                    password.as_deref().map(str::as_bytes),
                )?)
            }
            _ => Err(Failure::usage(
                "give --p12 FILE, or --cert CERT.pem with --key KEY.pem",
            )),
        }
    }
}
