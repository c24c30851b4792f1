//! [`MemoryDirectory`]: certificates held in memory, indexed by address.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use super::{
    CertificateDirectory, CertificateStoreWrite, InstallOptions, Lookup, Source, SourceKind,
    install_addresses,
};
use crate::{address::EmailAddress, cert::Certificate, error::Result};

/// Certificates held in memory: for tests, for certificates an application fetched
/// itself, and as the model of what every source must do (the conformance suite runs
/// against it too).
///
/// Each certificate is installed for addresses it names ([`CertificateStoreWrite`]);
/// lookups are a hash-map probe per address.
#[derive(Debug)]
pub struct MemoryDirectory {
    source: Source,
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Fingerprint → certificate.
    certificates: HashMap<[u8; 32], Certificate>,
    /// Address → fingerprints, in installation order.
    by_address: HashMap<EmailAddress, Vec<[u8; 32]>>,
}

impl MemoryDirectory {
    /// An empty directory called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        MemoryDirectory {
            source: Source::new(SourceKind::Memory, name),
            state: RwLock::new(State::default()),
        }
    }

    /// A directory holding `certificates`, each for every address it names
    /// (certificates naming none are left out).
    pub fn from_certificates(
        name: impl Into<String>,
        certificates: impl IntoIterator<Item = Certificate>,
    ) -> Self {
        let directory = MemoryDirectory::new(name);
        for certificate in certificates {
            // Only a certificate without addresses is refused; leaving it out is
            // what "for every address it names" means.
            let _ = directory.install(&certificate, &InstallOptions::default());
        }
        directory
    }

    /// Every certificate held.
    pub fn certificates(&self) -> Vec<Certificate> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        state.certificates.values().cloned().collect()
    }
}

impl CertificateDirectory for MemoryDirectory {
    fn source(&self) -> Source {
        self.source.clone()
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        addresses
            .iter()
            .map(|address| {
                let mut answer = Lookup::new(address.clone());
                for fp in state.by_address.get(address).into_iter().flatten() {
                    if let Some(certificate) = state.certificates.get(fp) {
                        answer.offer(certificate.clone(), &self.source);
                    }
                }
                answer
            })
            .collect()
    }
}

impl CertificateStoreWrite for MemoryDirectory {
    fn install(&self, certificate: &Certificate, options: &InstallOptions) -> Result<()> {
        let addresses = install_addresses(certificate, options)?;
        let fp = certificate.fingerprint_sha256();
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.certificates.insert(fp, certificate.clone());
        for address in addresses {
            let list = state.by_address.entry(address).or_default();
            if !list.contains(&fp) {
                list.push(fp);
            }
        }
        Ok(())
    }

    fn remove(&self, fingerprint_sha256: &[u8; 32]) -> Result<bool> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let removed = state.certificates.remove(fingerprint_sha256).is_some();
        state.by_address.retain(|_, list| {
            list.retain(|fp| fp != fingerprint_sha256);
            !list.is_empty()
        });
        Ok(removed)
    }
}
