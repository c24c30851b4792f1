//! [`Identity`]: the user's own certificate, private key and chain.

use crate::cert::{Certificate, PrivateKey};
use crate::error::{Error, KeyError, Pkcs12Error};

/// The user's own certificate with its private key and the chain to send along.
///
/// Every constructor checks that the private key belongs to the certificate, so
/// code that signs or decrypts with an `Identity` never uses a mismatched pair.
#[derive(Debug)]
pub struct Identity {
    certificate: Certificate,
    key: PrivateKey,
    chain: Vec<Certificate>,
}

impl Identity {
    /// Builds an identity from parts.
    ///
    /// Fails with [`KeyError::Mismatch`] when `key` is not the private half of
    /// the certificate's public key (for RSA, modulus and exponent are compared;
    /// for EC, the public point).
    pub fn new(
        certificate: Certificate,
        key: PrivateKey,
        chain: Vec<Certificate>,
    ) -> Result<Self, Error> {
        let spki = certificate.public_key_info_der()?;
        if !key.matches_spki(&spki) {
            return Err(KeyError::Mismatch.into());
        }
        Ok(Identity {
            certificate,
            key,
            chain,
        })
    }

    /// Loads an identity from PEM: `cert_pem` holds the user's certificate and
    /// optionally its chain, `key_pem` the private key in any form
    /// [`PrivateKey::from_pem`] reads (`password` opens an encrypted one). The
    /// two may be the same file.
    ///
    /// The certificate whose public key matches the private key is the user's
    /// (usually the first); all others become the chain, issuer first.
    ///
    /// ```
    /// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
    /// use smime::Identity;
    ///
    /// let chain = format!("{}{}", sample::ALICE_CERT_PEM, sample::CA_CERT_PEM);
    /// let alice = Identity::from_pem(chain.as_bytes(), sample::ALICE_KEY_PEM.as_bytes(), None)?;
    /// assert!(alice.certificate().subject().contains("CN=Alice"));
    /// assert_eq!(alice.chain().len(), 1);
    /// # Ok::<(), smime::Error>(())
    /// ```
    pub fn from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        password: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let certs = Certificate::all_from_pem(cert_pem)?;
        let key = PrivateKey::from_pem(key_pem, password)?;
        let index = certs
            .iter()
            .position(|c| {
                c.public_key_info_der()
                    .is_ok_and(|spki| key.matches_spki(&spki))
            })
            .ok_or(KeyError::Mismatch)?;
        let (certificate, chain) = split_leaf(certs, index);
        Identity::new(certificate, key, chain)
    }

    /// Opens a PKCS#12 file (`.p12` / `.pfx`, RFC 7292), as browsers, mail
    /// clients, Windows, macOS, Java and `openssl pkcs12 -export` write it: DER,
    /// BER or PEM-armoured (`-----BEGIN PKCS12-----`).
    ///
    /// Reads OpenSSL 3's default (PBES2 with PBKDF2 + AES, HMAC-SHA-256 MAC), the
    /// legacy 3DES / RC2 PBEs with SHA-1 MACs, PBMAC1 (RFC 9579) and files without
    /// MAC or without encryption. The certificate for the key is found by its
    /// `localKeyId` attribute or, failing that, by comparing public keys; the
    /// other certificates become the chain, issuer first.
    ///
    /// Errors: [`Pkcs12Error::WrongPassword`] when the MAC (or, without a MAC, the
    /// decryption) rejects the password; [`Pkcs12Error::Malformed`] for damaged
    /// files; [`Pkcs12Error::NoPrivateKey`] / [`Pkcs12Error::NoCertificate`] when
    /// the file lacks either; [`KeyError::Unsupported`] for keys other than RSA,
    /// P-256 and P-384; a [`crate::CertificateError`] when the only certificate
    /// that could be the key's does not parse.
    ///
    /// ```
    /// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
    /// use smime::Identity;
    ///
    /// let alice = Identity::from_pkcs12(sample::ALICE_P12, sample::ALICE_P12_PASSWORD)?;
    /// assert!(alice.certificate().subject().contains("CN=Alice"));
    ///
    /// let wrong = Identity::from_pkcs12(sample::ALICE_P12, "guess");
    /// assert!(matches!(wrong, Err(smime::Error::Pkcs12(smime::Pkcs12Error::WrongPassword))));
    /// # Ok::<(), smime::Error>(())
    /// ```
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self, Error> {
        let contents = super::pkcs12::parse(der, password.as_bytes())?;
        if contents.keys.is_empty() {
            return Err(Pkcs12Error::NoPrivateKey.into());
        }
        let mut certs = Vec::with_capacity(contents.certs.len());
        let mut ids = Vec::with_capacity(contents.certs.len());
        let mut cert_error = None;
        for entry in contents.certs {
            // A certificate we cannot parse is useless as leaf or chain. Skip it,
            // and report it only if no usable certificate matches the key.
            match Certificate::from_der(&entry.der) {
                Ok(cert) => {
                    certs.push(cert);
                    ids.push(entry.local_key_id);
                }
                Err(e) => {
                    cert_error.get_or_insert(e);
                }
            }
        }
        let mut first_error = None;
        for entry in &contents.keys {
            let key = match PrivateKey::from_pkcs8_der(&entry.pkcs8) {
                Ok(key) => key,
                Err(e) => {
                    first_error.get_or_insert(e);
                    continue;
                }
            };
            let matches = |i: usize| {
                certs
                    .get(i)
                    .and_then(|c| c.public_key_info_der().ok())
                    .is_some_and(|spki| key.matches_spki(&spki))
            };
            // RFC 7292 §4.2 / RFC 2985 §5.5.2: the key's certificate carries the
            // same localKeyId. Confirm by public key, and fall back to public-key
            // matching for writers that set no (or inconsistent) ids.
            let by_id = entry.local_key_id.as_ref().and_then(|id| {
                (0..certs.len()).find(|&i| ids.get(i) == Some(&Some(id.clone())) && matches(i))
            });
            if let Some(index) = by_id.or_else(|| (0..certs.len()).find(|&i| matches(i))) {
                let (certificate, chain) = split_leaf(certs, index);
                return Identity::new(certificate, key, chain);
            }
        }
        match (first_error, cert_error) {
            (Some(error), _) if contents.keys.len() == 1 => Err(error.into()),
            (_, Some(error)) => Err(error.into()),
            _ => Err(Pkcs12Error::NoCertificate.into()),
        }
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

    /// The same identity with `certs` appended to its chain (duplicates dropped),
    /// e.g. intermediates kept in a separate file.
    pub fn with_extra_chain(mut self, certs: impl IntoIterator<Item = Certificate>) -> Self {
        for c in certs {
            if c != self.certificate && !self.chain.contains(&c) {
                self.chain.push(c);
            }
        }
        self
    }
}

/// Takes `certs[index]` out as the leaf and orders the rest as a chain: the
/// leaf's issuer first, then its issuer and so on; certificates that are not on
/// that path follow in their original order.
///
/// `index` must be in range: both callers take it from a search over `certs`.
fn split_leaf(mut certs: Vec<Certificate>, index: usize) -> (Certificate, Vec<Certificate>) {
    let leaf = certs.remove(index);
    let mut chain = Vec::with_capacity(certs.len());
    let mut current_issuer = leaf.issuer_name().clone();
    let mut self_issued = leaf.is_self_issued();
    while !self_issued {
        let Some(pos) = certs
            .iter()
            .position(|c| *c.subject_name() == current_issuer)
        else {
            break;
        };
        // `pos` comes from `position` on the same vector, so it is in range.
        let next = certs.remove(pos);
        current_issuer = next.issuer_name().clone();
        self_issued = next.is_self_issued();
        chain.push(next);
    }
    chain.extend(certs);
    (leaf, chain)
}
