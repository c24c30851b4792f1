//! The ActiveSync GAL options of the directory options: `--eas URL --eas-user USER
//! (--eas-password-env VAR | --eas-token-env VAR) [--eas-ca PEM...]
//! [--eas-insecure-http]` (needs the example built with `--features activesync`).

use std::path::PathBuf;

use clap::Args;
use smime::directory::CertificateDirectory;

use crate::failure::Failure;

#[derive(Args)]
pub struct EasArgs {
    /// Exchange ActiveSync endpoint (https://host/Microsoft-Server-ActiveSync).
    #[arg(long, value_name = "URL", requires = "eas_user")]
    pub eas: Option<String>,
    /// The mailbox user (logon name) for ActiveSync.
    #[arg(long = "eas-user", value_name = "USER", requires = "eas")]
    pub eas_user: Option<String>,
    /// Environment variable holding the ActiveSync password (Basic authentication).
    #[arg(
        long = "eas-password-env",
        value_name = "VAR",
        requires = "eas",
        conflicts_with = "eas_token_env"
    )]
    pub eas_password_env: Option<String>,
    /// Environment variable holding an OAuth 2.0 access token (bearer authentication).
    #[arg(long = "eas-token-env", value_name = "VAR", requires = "eas")]
    pub eas_token_env: Option<String>,
    /// CA certificate(s) the ActiveSync server's TLS certificate may chain to, besides
    /// the system's (PEM); repeatable.
    #[arg(long = "eas-ca", value_name = "PEM", requires = "eas")]
    pub eas_ca: Vec<PathBuf>,
    /// Allow a plain http:// ActiveSync URL (credentials in the clear; test servers).
    #[arg(long = "eas-insecure-http", requires = "eas")]
    pub eas_insecure_http: bool,
}

impl EasArgs {
    /// The ActiveSync source, when `--eas` was given.
    pub fn open(&self) -> Result<Option<Box<dyn CertificateDirectory>>, Failure> {
        match &self.eas {
            Some(url) => self.gal(url).map(Some),
            None => Ok(None),
        }
    }

    #[cfg(feature = "activesync")]
    fn gal(&self, url: &str) -> Result<Box<dyn CertificateDirectory>, Failure> {
        use smime::directory::{ActiveSyncConfig, ActiveSyncGal};
        let user = self.eas_user.clone().unwrap_or_default();
        let secret = |var: &str| {
            std::env::var(var)
                .map_err(|_| Failure::usage(format!("environment variable {var} is not set")))
        };
        let mut config = match (&self.eas_password_env, &self.eas_token_env) {
            (Some(var), None) => ActiveSyncConfig::basic(url, user, secret(var)?),
            (None, Some(var)) => ActiveSyncConfig::bearer(url, user, secret(var)?),
            _ => {
                return Err(Failure::usage(
                    "--eas needs --eas-password-env VAR or --eas-token-env VAR",
                ));
            }
        };
        for path in &self.eas_ca {
            let pem = crate::failure::read_file(path, "ActiveSync CA certificate")?;
            let roots = smime::Certificate::load(&pem)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
            config = config.with_tls_roots(roots);
        }
        if self.eas_insecure_http {
            config = config.with_insecure_http();
        }
        Ok(Box::new(ActiveSyncGal::new(config)?))
    }

    #[cfg(not(feature = "activesync"))]
    fn gal(&self, _url: &str) -> Result<Box<dyn CertificateDirectory>, Failure> {
        Err(Failure::usage(
            "--eas needs the example built with --features activesync",
        ))
    }
}
