//! The TLS client configuration for `ldaps://` and StartTLS (feature `ldap-tls`).
//!
//! An organisation's directory usually has a certificate from its own CA (Active
//! Directory Certificate Services), which the platform trusts only on managed devices.
//! So the server certificate is verified (rustls, RFC 6125 host or IP name check)
//! against the platform's roots plus the CA certificates the app configures in
//! [`LdapConfig::tls_roots`](super::LdapConfig::tls_roots). There is no switch to turn
//! verification off.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::cert::Certificate;

/// A client configuration trusting the platform's roots and `extra_roots`.
///
/// Platform roots that fail to load or parse are skipped (a missing system bundle
/// still leaves `extra_roots`). Errors only when the TLS library refuses its own
/// defaults, which the message says.
pub(super) fn client_config(extra_roots: &[Certificate]) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    let platform = super::tls_roots::roots(&[]);
    for cert in platform {
        // A platform certificate rustls cannot use is no reason to refuse the others.
        let _ = roots.add(cert);
    }
    for cert in extra_roots {
        roots
            .add(CertificateDer::from(cert.der().to_vec()))
            .map_err(|e| format!("TLS root {}: {e}", cert.subject()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
