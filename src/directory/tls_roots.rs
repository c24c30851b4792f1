//! The trust anchors for a directory server's TLS certificate, one decision for every
//! TLS source (LDAP with `ldap-tls`, ActiveSync with `activesync`): the platform's
//! roots plus the CA certificates the application configures (an organisation's
//! directory and mail servers usually have certificates from its own CA, which the
//! platform trusts only on managed devices). There is no switch to skip verification.

use rustls::pki_types::CertificateDer;

use crate::cert::Certificate;

/// The platform's roots followed by `extra` (DER). Platform roots that fail to load
/// are skipped: a missing system bundle still leaves `extra`.
pub(super) fn roots(extra: &[Certificate]) -> Vec<CertificateDer<'static>> {
    let mut out = rustls_native_certs::load_native_certs().certs;
    out.extend(extra.iter().map(|c| CertificateDer::from(c.der().to_vec())));
    out
}
