//! `Certificate` and `Identity`: the library's types as UniFFI objects.

use std::sync::Arc;
use std::time::SystemTime;

use crate::error::{SmimeError, guard};

/// An X.509 certificate (immutable; shared freely between threads).
#[derive(Debug, uniffi::Object)]
pub struct Certificate(pub(crate) smime::Certificate);

#[uniffi::export]
impl Certificate {
    /// Parses one PEM certificate (the first `CERTIFICATE` block).
    #[uniffi::constructor]
    pub fn from_pem(data: Vec<u8>) -> Result<Arc<Self>, SmimeError> {
        guard(|| Ok(Arc::new(Certificate(smime::Certificate::from_pem(&data)?))))
    }

    /// Parses one DER certificate.
    #[uniffi::constructor]
    pub fn from_der(data: Vec<u8>) -> Result<Arc<Self>, SmimeError> {
        guard(|| Ok(Arc::new(Certificate(smime::Certificate::from_der(&data)?))))
    }

    /// The SHA-256 fingerprint of the DER encoding: 64 upper-case hex digits (what
    /// `Client.remove` takes).
    pub fn fingerprint_sha256(&self) -> String {
        self.0.fingerprint_hex()
    }

    /// The email addresses the certificate names (subjectAltName rfc822Name, else the
    /// subject's emailAddress), normalised.
    pub fn email_addresses(&self) -> Vec<String> {
        self.0
            .email_addresses()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// The subject's distinguished name (RFC 4514 text).
    pub fn subject(&self) -> String {
        self.0.subject()
    }

    /// The issuer's distinguished name (RFC 4514 text).
    pub fn issuer(&self) -> String {
        self.0.issuer()
    }

    /// The start of the validity period.
    pub fn not_before(&self) -> SystemTime {
        self.0.not_before()
    }

    /// The end of the validity period.
    pub fn not_after(&self) -> SystemTime {
        self.0.not_after()
    }

    /// The DER encoding.
    pub fn der(&self) -> Vec<u8> {
        self.0.der().to_vec()
    }

    /// The PEM encoding.
    pub fn to_pem(&self) -> String {
        self.0.to_pem()
    }
}

impl Certificate {
    pub(crate) fn shared(cert: &smime::Certificate) -> Arc<Self> {
        Arc::new(Certificate(cert.clone()))
    }
}

/// The user's own certificate and private key: signs and decrypts.
#[derive(uniffi::Object)]
pub struct Identity(pub(crate) smime::Identity);

// No Debug for the private key, only for what identifies it.
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("certificate", &self.0.certificate().subject())
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Identity {
    /// Opens a PKCS#12 file (`.p12`, `.pfx`) with its password.
    #[uniffi::constructor]
    pub fn from_pkcs12(data: Vec<u8>, password: String) -> Result<Arc<Self>, SmimeError> {
        guard(|| {
            Ok(Arc::new(Identity(smime::Identity::from_pkcs12(
                &data, &password,
            )?)))
        })
    }

    /// A PEM certificate chain (the user's certificate first) and a PEM private key
    /// (PKCS#8, PKCS#1 or SEC1; `password` for an encrypted PKCS#8 key).
    #[uniffi::constructor]
    pub fn from_pem(
        certificate_chain: Vec<u8>,
        private_key: Vec<u8>,
        password: Option<String>,
    ) -> Result<Arc<Self>, SmimeError> {
        guard(|| {
            let id = smime::Identity::from_pem(
                &certificate_chain,
                &private_key,
                password.as_deref().map(str::as_bytes),
            )?;
            Ok(Arc::new(Identity(id)))
        })
    }

    /// The identity's certificate.
    pub fn certificate(&self) -> Arc<Certificate> {
        Certificate::shared(self.0.certificate())
    }
}
