//! Reading PKCS#12 / PFX files (RFC 7292): the private key, its certificate and
//! the chain, as browsers, Windows, macOS, Java, NSS and OpenSSL export them.
//!
//! Why this is our own code: the RustCrypto `pkcs12` crate (=0.2.0-pre.0) and
//! `p12-keystore` pin `cms =0.3.0-pre.1`, an older generation than the
//! `cms`/`der`/`x509-cert` this crate uses, so either would pull a second copy of
//! every ASN.1 crate into the build (see the comment in Cargo.toml). PKCS#12
//! decoding is small: ASN.1 with `der` ([`asn1`]), BER clean-up ([`ber`]), the
//! RFC 7292 Appendix B KDF ([`kdf`]), MAC checking ([`mac`]) and decryption via
//! `pkcs5`, `des` and `rc2` ([`decrypt`]).
//!
//! The layers (RFC 7292 §4, §5.1):
//!
//! ```text
//! PFX { version 3, authSafe ContentInfo(data), macData }
//!   authSafe.content: OCTET STRING holding AuthenticatedSafe (MAC'd over these bytes)
//!     AuthenticatedSafe ::= SEQUENCE OF ContentInfo
//!       data          -> OCTET STRING holding SafeContents
//!       encryptedData -> EncryptedData, password-encrypted SafeContents
//!         SafeContents ::= SEQUENCE OF SafeBag
//!           keyBag / pkcs8ShroudedKeyBag / certBag / safeContentsBag (nested) / others skipped
//! ```
//!
//! Errors: a MAC that does not verify means [`Pkcs12Error::WrongPassword`] unless
//! the same password decrypts the contents, which proves the file was altered
//! ([`Pkcs12Error::Malformed`]). Without a MAC, bad padding (and garbage after
//! decryption) is the wrong-password signal. Structural damage before any
//! password is involved is always `Malformed`.

pub(crate) mod asn1;
pub(crate) mod decrypt;
mod kdf;
mod mac;

use der::Decode;
use der::asn1::{AnyRef, OctetStringRef};
use zeroize::Zeroizing;

use self::asn1::{CertBag, ContentInfo, EncryptedData, EncryptedPrivateKeyInfo, Pfx, SafeBag};
use self::decrypt::{DecryptError, Password};
use self::mac::MacError;
use crate::ber;
use crate::error::Pkcs12Error;
use crate::oid;

/// Largest PKCS#12 file we read. Real ones are a few kilobytes (a key and a
/// handful of certificates); 16 MiB leaves room for huge chains while keeping a
/// hostile input from costing much memory (each layer may be copied once).
pub(crate) const MAX_INPUT: usize = 16 << 20;

/// Most SafeBags we collect, across all SafeContents.
const MAX_BAGS: usize = 10_000;

/// Deepest nesting of `safeContentsBag`s (RFC 7292 §4.2.6) we follow.
const MAX_BAG_NESTING: usize = 8;

/// A private key found in the file, with the attributes that pair it with its
/// certificate.
pub(crate) struct KeyEntry {
    /// PKCS#8 `PrivateKeyInfo`, DER.
    pub pkcs8: Zeroizing<Vec<u8>>,
    /// `localKeyId` (RFC 2985 §5.5.2): the same value marks the certificate.
    pub local_key_id: Option<Vec<u8>>,
}

/// A certificate found in the file.
pub(crate) struct CertEntry {
    /// The X.509 certificate, DER.
    pub der: Vec<u8>,
    /// `localKeyId` (RFC 2985 §5.5.2), set on the key's own certificate.
    pub local_key_id: Option<Vec<u8>>,
}

/// Everything usable in a PKCS#12 file.
pub(crate) struct Pkcs12Contents {
    /// Private keys, in file order.
    pub keys: Vec<KeyEntry>,
    /// X.509 certificates, in file order.
    pub certs: Vec<CertEntry>,
}

fn malformed(reason: impl std::fmt::Display) -> Pkcs12Error {
    Pkcs12Error::Malformed {
        reason: reason.to_string(),
    }
}

/// Opens a PKCS#12 file (DER/BER, or PEM-armoured as `-----BEGIN PKCS12-----`).
pub(crate) fn parse(input: &[u8], password: &[u8]) -> Result<Pkcs12Contents, Pkcs12Error> {
    if input.is_empty() {
        return Err(malformed("the input is empty"));
    }
    if input.len() > MAX_INPUT {
        return Err(malformed(format!(
            "the input is larger than {MAX_INPUT} bytes"
        )));
    }
    let pem_der;
    let input = if crate::cert::pem::looks_like_pem(input) {
        pem_der = crate::cert::pem::blocks(input)
            .into_iter()
            .find(|b| b.label == "PKCS12" || b.label == "PFX")
            .ok_or_else(|| malformed("PEM input without a PKCS12 block"))?
            .der;
        pem_der.as_slice()
    } else {
        input
    };

    let pfx_der = ber::to_der(input).map_err(|e| malformed(format!("PFX: {e}")))?;
    let pfx = Pfx::from_der(&pfx_der).map_err(|e| malformed(format!("PFX: {e}")))?;
    if pfx.version != 3 {
        return Err(malformed(format!(
            "PFX version {} (expected 3)",
            pfx.version
        )));
    }
    if pfx.auth_safe.content_type != oid::DATA {
        // signedData: public-key integrity mode (RFC 7292 §3.1), which nobody
        // exports for mail identities.
        return Err(Pkcs12Error::UnsupportedAlgorithm {
            oid: pfx.auth_safe.content_type,
        });
    }
    let auth_safe =
        octets(pfx.auth_safe.content).map_err(|e| malformed(format!("authSafe: {e}")))?;

    let mut password = Password::new(password);
    let Some(mac_data) = &pfx.mac_data else {
        // No integrity protection: decryption failures are the only password check.
        return read_auth_safe(auth_safe, &password, false).map(|(contents, _)| contents);
    };
    match mac::verify(mac_data, auth_safe, &password) {
        Ok(index) => {
            password.settle_bmp(index);
            read_auth_safe(auth_safe, &password, true).map(|(contents, _)| contents)
        }
        Err(MacError::Mismatch) => {
            // Wrong password, or the right one and altered contents: if the
            // password decrypts something and everything parses, it is the latter.
            match read_auth_safe(auth_safe, &password, false) {
                Ok((_, decrypted)) if decrypted > 0 => Err(malformed(
                    "the integrity MAC does not match although the password decrypts the \
                     contents: the file was altered",
                )),
                _ => Err(Pkcs12Error::WrongPassword),
            }
        }
        Err(MacError::Unsupported(oid)) => Err(Pkcs12Error::UnsupportedAlgorithm { oid }),
        Err(MacError::Malformed(reason)) => Err(Pkcs12Error::Malformed { reason }),
    }
}

/// The bytes of an `[0] EXPLICIT OCTET STRING` content (a `data` ContentInfo).
fn octets(content: Option<AnyRef<'_>>) -> der::Result<&[u8]> {
    match content {
        None => Ok(&[]),
        Some(any) => any
            .decode_as::<&OctetStringRef>()
            .map(OctetStringRef::as_bytes),
    }
}

/// Reads the AuthenticatedSafe. `trusted`: the MAC verified the password, so a
/// decrypted layer that does not parse is damage, not a wrong password. Also
/// returns how many encrypted layers decrypted (and parsed) with the password.
fn read_auth_safe(
    auth_safe: &[u8],
    password: &Password,
    trusted: bool,
) -> Result<(Pkcs12Contents, usize), Pkcs12Error> {
    let auth_safe =
        ber::to_der(auth_safe).map_err(|e| malformed(format!("AuthenticatedSafe: {e}")))?;
    let infos =
        asn1::sequence_of(&auth_safe).map_err(|e| malformed(format!("AuthenticatedSafe: {e}")))?;
    let mut reader = Reader {
        password,
        trusted,
        contents: Pkcs12Contents {
            keys: Vec::new(),
            certs: Vec::new(),
        },
        bags: 0,
        decrypted: 0,
    };
    for info in infos {
        let info: ContentInfo<'_> = info
            .decode_as()
            .map_err(|e| malformed(format!("AuthenticatedSafe ContentInfo: {e}")))?;
        if info.content_type == oid::DATA {
            let safe_contents =
                octets(info.content).map_err(|e| malformed(format!("data: {e}")))?;
            reader.safe_contents(safe_contents, 0, false)?;
        } else if info.content_type == oid::ENCRYPTED_DATA {
            let content = info
                .content
                .ok_or_else(|| malformed("encryptedData without content"))?;
            let encrypted: EncryptedData<'_> = content
                .decode_as()
                .map_err(|e| malformed(format!("encryptedData: {e}")))?;
            let plain = reader.decrypt(&encrypted.algorithm, &encrypted.content)?;
            reader.safe_contents(&plain, 0, true)?;
            reader.decrypted += 1;
        }
        // envelopedData (public-key privacy mode, RFC 7292 §3.1) and unknown
        // types are skipped: what they hold cannot be read with a password.
    }
    Ok((reader.contents, reader.decrypted))
}

struct Reader<'p> {
    password: &'p Password,
    trusted: bool,
    contents: Pkcs12Contents,
    bags: usize,
    decrypted: usize,
}

impl Reader<'_> {
    fn decrypt(
        &self,
        algorithm: &spki::AlgorithmIdentifierRef<'_>,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        decrypt::decrypt(algorithm, ciphertext, self.password).map_err(|e| match e {
            DecryptError::WrongPassword => Pkcs12Error::WrongPassword,
            DecryptError::Unsupported(oid) => Pkcs12Error::UnsupportedAlgorithm { oid },
            DecryptError::Malformed(reason) => Pkcs12Error::Malformed { reason },
        })
    }

    /// The error for `what` failing to parse. Right after decryption with an
    /// unverified password, garbage is what a wrong password produces (CBC
    /// padding matches by chance about once in 256 tries).
    fn parse_error(
        &self,
        decrypted: bool,
        what: &str,
        error: impl std::fmt::Display,
    ) -> Pkcs12Error {
        if decrypted && !self.trusted {
            Pkcs12Error::WrongPassword
        } else {
            malformed(format!("{what}: {error}"))
        }
    }

    /// Reads a SafeContents (RFC 7292 §4.2). `decrypted`: it came out of a
    /// decryption (see [`Reader::parse_error`]).
    fn safe_contents(
        &mut self,
        der: &[u8],
        depth: usize,
        decrypted: bool,
    ) -> Result<(), Pkcs12Error> {
        if depth > MAX_BAG_NESTING {
            return Err(malformed("safeContentsBag nesting too deep"));
        }
        let der = ber::to_der(der).map_err(|e| self.parse_error(decrypted, "SafeContents", e))?;
        // SafeContents may hold a plain keyBag: keep the normalised copy zeroised.
        let der = Zeroizing::new(der.into_owned());
        let bags =
            asn1::sequence_of(&der).map_err(|e| self.parse_error(decrypted, "SafeContents", e))?;
        for bag in bags {
            self.bags += 1;
            if self.bags > MAX_BAGS {
                return Err(malformed(format!("more than {MAX_BAGS} bags")));
            }
            let bag: SafeBag<'_> = bag
                .decode_as()
                .map_err(|e| self.parse_error(decrypted, "SafeBag", e))?;
            self.bag(&bag, depth, decrypted)?;
        }
        Ok(())
    }

    fn bag(&mut self, bag: &SafeBag<'_>, depth: usize, decrypted: bool) -> Result<(), Pkcs12Error> {
        let attrs = asn1::attributes(bag.bag_attributes)
            .map_err(|e| self.parse_error(decrypted, "bag attributes", e))?;
        let local_key_id = attrs
            .iter()
            .find(|(oid, _)| *oid == oid::LOCAL_KEY_ID)
            .and_then(|(_, value)| value.decode_as::<&OctetStringRef>().ok())
            .map(|id| id.as_bytes().to_vec());
        let value_der = der::Encode::to_der(&bag.bag_value).map_err(malformed)?;
        let id = bag.bag_id;
        if id == oid::KEY_BAG {
            // RFC 7292 §4.2.1: a plain PKCS#8 PrivateKeyInfo.
            self.contents.keys.push(KeyEntry {
                pkcs8: Zeroizing::new(value_der),
                local_key_id,
            });
        } else if id == oid::PKCS8_SHROUDED_KEY_BAG {
            // RFC 7292 §4.2.2: an EncryptedPrivateKeyInfo.
            let info = EncryptedPrivateKeyInfo::from_der(&value_der)
                .map_err(|e| self.parse_error(decrypted, "pkcs8ShroudedKeyBag", e))?;
            let plain = self.decrypt(&info.algorithm, info.encrypted_data.as_bytes())?;
            let pkcs8 = match ber::to_der(&plain) {
                Ok(der) => Zeroizing::new(der.into_owned()),
                Err(e) => return Err(self.parse_error(true, "decrypted private key", e)),
            };
            if pkcs8::PrivateKeyInfoRef::from_der(&pkcs8).is_err() {
                return Err(self.parse_error(true, "decrypted private key", "not PKCS#8"));
            }
            self.decrypted += 1;
            self.contents.keys.push(KeyEntry {
                pkcs8,
                local_key_id,
            });
        } else if id == oid::CERT_BAG {
            // RFC 7292 §4.2.3: only X.509 certificates (not SDSI) are of use.
            let cert = CertBag::from_der(&value_der)
                .map_err(|e| self.parse_error(decrypted, "certBag", e))?;
            if cert.cert_id == oid::X509_CERTIFICATE {
                let der = cert
                    .cert_value
                    .decode_as::<&OctetStringRef>()
                    .map_err(|e| self.parse_error(decrypted, "certBag", e))?;
                self.contents.certs.push(CertEntry {
                    der: der.as_bytes().to_vec(),
                    local_key_id,
                });
            }
        } else if id == oid::SAFE_CONTENTS_BAG {
            // RFC 7292 §4.2.6: a nested SafeContents.
            self.safe_contents(&value_der, depth + 1, decrypted)?;
        }
        // crlBag, secretBag and unknown bags carry nothing an identity needs.
        Ok(())
    }
}
