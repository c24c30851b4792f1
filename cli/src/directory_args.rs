//! The directory options shared by the commands that look certificates up:
//! `--store DIR --contacts PATH... --ldap URL --ldap-base DN [--ldap-bind-dn DN
//! --ldap-password-env VAR [--ldap-allow-plaintext-bind]] [--ldap-starttls]
//! [--ldap-ca PEM...] --eas URL --eas-user
//! USER (--eas-password-env VAR | --eas-token-env VAR) [--eas-ca PEM...]
//! [--eas-insecure-http]`, combined in that order (installed, contacts, LDAP GAL,
//! ActiveSync GAL).

use std::path::PathBuf;

use clap::Args;
use smime::directory::{CertificateDirectory, Contacts, InstalledStore, Layered};

use crate::failure::Failure;

#[derive(Args)]
pub struct DirectoryArgs {
    /// The installed-certificate store (a folder).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// A vCard file or a folder of them; repeatable.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub contacts: Vec<PathBuf>,
    /// LDAP GAL URL (ldap://host:port, or ldaps://host:port with TLS).
    #[arg(long, value_name = "URL", requires = "ldap_base")]
    pub ldap: Option<String>,
    /// Base DN to search under.
    #[arg(long = "ldap-base", value_name = "DN")]
    pub ldap_base: Option<String>,
    /// Bind DN (anonymous when absent).
    #[arg(
        long = "ldap-bind-dn",
        value_name = "DN",
        requires = "ldap_password_env"
    )]
    pub ldap_bind_dn: Option<String>,
    /// Environment variable holding the bind password.
    #[arg(long = "ldap-password-env", value_name = "VAR")]
    pub ldap_password_env: Option<String>,
    /// Allow the bind password to go over plain ldap:// without StartTLS, in clear
    /// (refused otherwise).
    #[arg(long = "ldap-allow-plaintext-bind", requires = "ldap_bind_dn")]
    pub ldap_allow_plaintext_bind: bool,
    /// Upgrade ldap:// with StartTLS.
    #[arg(long = "ldap-starttls", requires = "ldap")]
    pub ldap_starttls: bool,
    /// CA certificate(s) the LDAP server's TLS certificate may chain to, besides the
    /// system's (PEM); repeatable.
    #[arg(long = "ldap-ca", value_name = "PEM", requires = "ldap")]
    pub ldap_ca: Vec<PathBuf>,
    #[command(flatten)]
    pub eas: crate::eas_args::EasArgs,
}

impl DirectoryArgs {
    /// The configured sources, in order: installed, contacts, GAL.
    pub fn open(&self) -> Result<Layered, Failure> {
        let mut sources: Vec<Box<dyn CertificateDirectory>> = Vec::new();
        if let Some(store) = &self.store {
            sources.push(Box::new(InstalledStore::open(store)?));
        }
        for path in &self.contacts {
            let contacts = Contacts::from_path(path)?;
            for skipped in contacts.skipped() {
                eprintln!(
                    "smime: warning: {}: {}",
                    skipped.path.display(),
                    skipped.reason
                );
            }
            sources.push(Box::new(contacts));
        }
        if let Some(url) = &self.ldap {
            sources.push(self.ldap(url)?);
        }
        if let Some(gal) = self.eas.open()? {
            sources.push(gal);
        }
        if sources.is_empty() {
            return Err(Failure::usage(
                "give at least one of --store, --contacts, --ldap, --eas",
            ));
        }
        Ok(Layered::new(sources))
    }

    #[cfg(feature = "ldap")]
    fn ldap(&self, url: &str) -> Result<Box<dyn CertificateDirectory>, Failure> {
        use smime::directory::{LdapConfig, LdapGal};
        let base = self.ldap_base.clone().unwrap_or_default();
        let mut config = LdapConfig::new(url, base);
        if let Some(dn) = &self.ldap_bind_dn {
            let var = self.ldap_password_env.as_deref().unwrap_or_default();
            let password = std::env::var(var)
                .map_err(|_| Failure::usage(format!("environment variable {var} is not set")))?;
            config = config.with_bind(dn, password);
        }
        if self.ldap_allow_plaintext_bind {
            config = config.with_plaintext_bind_allowed();
        }
        if self.ldap_starttls {
            config = config.with_starttls();
        }
        for path in &self.ldap_ca {
            let pem = crate::failure::read_file(path, "LDAP CA certificate")?;
            let roots = smime::Certificate::load(&pem)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
            config = config.with_tls_roots(roots);
        }
        Ok(Box::new(LdapGal::new(config)?))
    }

    #[cfg(not(feature = "ldap"))]
    fn ldap(&self, _url: &str) -> Result<Box<dyn CertificateDirectory>, Failure> {
        Err(Failure::usage(
            "--ldap needs the example built with --features ldap",
        ))
    }
}
