//! [`Identity`]: the user's own certificate, private key and chain.

use std::fmt;

use der::Decode;
use pkcs8::DecodePrivateKey;

use crate::cert::Certificate;
use crate::error::{Error, KeyError};

/// A private key of a kind S/MIME uses.
#[non_exhaustive]
pub enum PrivateKey {
    /// An RSA key (key transport, PKCS#1 v1.5 / PSS signatures).
    Rsa(Box<rsa::RsaPrivateKey>),
    /// A NIST P-256 key (ECDH, ECDSA).
    P256(p256::SecretKey),
    /// A NIST P-384 key (ECDH, ECDSA).
    P384(p384::SecretKey),
}

impl PrivateKey {
    /// Parses an unencrypted PKCS#8 PrivateKeyInfo (RFC 5958).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| KeyError::Malformed {
            reason: e.to_string(),
        })?;
        let alg = info.algorithm.oid;
        if alg == crate::oid::RSA_ENCRYPTION {
            return rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| KeyError::Malformed {
                    reason: e.to_string(),
                });
        }
        if alg == crate::oid::EC_PUBLIC_KEY {
            if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
                return Ok(PrivateKey::P256(k));
            }
            if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
                return Ok(PrivateKey::P384(k));
            }
        }
        Err(KeyError::Unsupported { oid: alg })
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.write_str(match self {
            PrivateKey::Rsa(_) => "PrivateKey::Rsa(..)",
            PrivateKey::P256(_) => "PrivateKey::P256(..)",
            PrivateKey::P384(_) => "PrivateKey::P384(..)",
        })
    }
}

/// The user's own certificate with its private key and the chain to send along.
#[derive(Debug)]
pub struct Identity {
    certificate: Certificate,
    key: PrivateKey,
    chain: Vec<Certificate>,
}

impl Identity {
    /// Builds an identity from parts.
    pub fn new(
        certificate: Certificate,
        key: PrivateKey,
        chain: Vec<Certificate>,
    ) -> Result<Self, Error> {
        Ok(Identity {
            certificate,
            key,
            chain,
        })
    }

    /// Loads an identity from a PEM certificate file (the first certificate is the
    /// user's, any others form the chain) and a PEM private key.
    pub fn from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        _password: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let mut certs = Certificate::all_from_pem(cert_pem)?;
        let certificate = certs.remove(0);
        let block = crate::cert::pem::blocks(key_pem)
            .into_iter()
            .find(|b| b.label == "PRIVATE KEY")
            .ok_or_else(|| KeyError::Malformed {
                reason: "no PRIVATE KEY block".into(),
            })?;
        let key = PrivateKey::from_pkcs8_der(&block.der)?;
        Identity::new(certificate, key, certs)
    }

    /// The user's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// The chain (issuer first) sent along with signatures.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }
}
