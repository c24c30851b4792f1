//! [`PrivateKey`]: the user's private key, loaded from the formats OpenSSL, NSS,
//! Windows and Java write.
//!
//! | Form | PEM label | Standard |
//! |------|-----------|----------|
//! | PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` | `PRIVATE KEY` | RFC 5208, RFC 5958 §2 |
//! | PKCS#8 `EncryptedPrivateKeyInfo` | `ENCRYPTED PRIVATE KEY` | RFC 5958 §3 |
//! | PKCS#1 `RSAPrivateKey` | `RSA PRIVATE KEY` | RFC 8017 Appendix A.1.2 |
//! | SEC1 `ECPrivateKey` | `EC PRIVATE KEY` | RFC 5915 §3 |
//!
//! Encrypted PKCS#8 may use PBES2 (RFC 8018 §6.2: OpenSSL 3's default
//! PBKDF2-HMAC-SHA256 + AES-256-CBC, or 3DES/AES-128/192) or one of the PKCS#12
//! PBEs (RFC 7292 Appendix C, e.g. `openssl pkcs8 -v1 PBE-SHA1-3DES`). Decryption
//! is shared with the PKCS#12 reader (`super::pkcs12::decrypt`).

use std::fmt;

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Tag, Tagged};
use pkcs1::DecodeRsaPrivateKey;
use pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use spki::EncodePublicKey;

use super::pem;
use super::pkcs12::decrypt::{self, DecryptError, Password};
use crate::error::KeyError;
use crate::oid;

/// A private key of a kind S/MIME uses.
///
/// `Debug` prints only the algorithm, never key material.
#[non_exhaustive]
pub enum PrivateKey {
    /// An RSA key (key transport, PKCS#1 v1.5 / PSS signatures).
    Rsa(Box<rsa::PrivateKey>),
    /// A NIST P-256 key (ECDH, ECDSA).
    P256(p256::SecretKey),
    /// A NIST P-384 key (ECDH, ECDSA).
    P384(p384::SecretKey),
    /// An X25519 key (ECDH, RFC 8410 / RFC 8418).
    X25519(Box<x25519_dalek::StaticSecret>),
    /// An Ed25519 key (signatures, RFC 8410 / RFC 8419).
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// PEM labels that hold a private key (RFC 7468 §10, §11; OpenSSL's traditional
/// `RSA PRIVATE KEY` / `EC PRIVATE KEY`).
const KEY_LABELS: &[&str] = &[
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
];

fn malformed(reason: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        reason: reason.to_string(),
    }
}

/// The shape of a DER private key, told apart by its first two elements.
enum Form {
    /// `SEQUENCE { INTEGER, SEQUENCE AlgorithmIdentifier, OCTET STRING, … }`
    Pkcs8,
    /// `SEQUENCE { SEQUENCE AlgorithmIdentifier, OCTET STRING }`
    EncryptedPkcs8,
    /// `SEQUENCE { INTEGER 0, INTEGER n, … }`
    Pkcs1,
    /// `SEQUENCE { INTEGER 1, OCTET STRING d, … }`
    Sec1,
}

fn sniff(der: &[u8]) -> Result<Form, KeyError> {
    let outer = AnyRef::from_der(der).map_err(malformed)?;
    if outer.tag() != Tag::Sequence {
        return Err(malformed("not a DER SEQUENCE"));
    }
    let mut reader = der::SliceReader::new(outer.value()).map_err(malformed)?;
    let first: AnyRef<'_> = der::Reader::decode(&mut reader).map_err(malformed)?;
    let second: AnyRef<'_> = der::Reader::decode(&mut reader).map_err(malformed)?;
    match (first.tag(), second.tag()) {
        (Tag::Integer, Tag::Sequence) => Ok(Form::Pkcs8),
        (Tag::Sequence, Tag::OctetString) => Ok(Form::EncryptedPkcs8),
        (Tag::Integer, Tag::Integer) => Ok(Form::Pkcs1),
        (Tag::Integer, Tag::OctetString) => Ok(Form::Sec1),
        _ => Err(malformed("not a PKCS#8, PKCS#1 or SEC1 structure")),
    }
}

impl PrivateKey {
    /// Parses an unencrypted PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`
    /// (RFC 5208, RFC 5958 §2) in DER.
    ///
    /// RSA, EC keys on P-256 or P-384, and X25519 (RFC 8410 §7) are supported;
    /// other algorithms and curves give [`KeyError::Unsupported`] with their OID.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(malformed)?;
        let alg = info.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION {
            return rsa::PrivateKey::from_pkcs8_der(der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(malformed);
        }
        if alg == oid::EC_PUBLIC_KEY {
            // RFC 5915 §2: the curve is in the AlgorithmIdentifier, the key is a
            // SEC1 ECPrivateKey in the OCTET STRING.
            return ec_key(info.private_key.as_bytes(), info.algorithm.parameters);
        }
        if alg == oid::X25519 {
            // RFC 8410 §7: privateKey holds CurvePrivateKey ::= OCTET STRING (32 octets),
            // and §3: the AlgorithmIdentifier has no parameters.
            if info.algorithm.parameters.is_some() {
                return Err(malformed("X25519 AlgorithmIdentifier with parameters"));
            }
            let inner = <&der::asn1::OctetStringRef>::from_der(info.private_key.as_bytes())
                .map_err(malformed)?;
            let bytes: [u8; 32] = inner
                .as_bytes()
                .try_into()
                .map_err(|_| malformed("X25519 private key is not 32 bytes"))?;
            return Ok(PrivateKey::X25519(Box::new(
                x25519_dalek::StaticSecret::from(bytes),
            )));
        }
        if alg == oid::ED25519 {
            // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING (32 octets), no parameters.
            if info.algorithm.parameters.is_some() {
                return Err(malformed("Ed25519 AlgorithmIdentifier with parameters"));
            }
            let inner = <&der::asn1::OctetStringRef>::from_der(info.private_key.as_bytes())
                .map_err(malformed)?;
            let bytes: [u8; 32] = inner
                .as_bytes()
                .try_into()
                .map_err(|_| malformed("Ed25519 private key is not 32 bytes"))?;
            return Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_bytes(&bytes),
            )));
        }
        Err(KeyError::Unsupported { oid: alg })
    }

    /// Parses a DER private key in any of the forms in the module docs:
    /// PKCS#8, encrypted PKCS#8 (needs `password`), PKCS#1 or SEC1.
    ///
    /// Errors: [`KeyError::PasswordRequired`] for an encrypted key without a
    /// password, [`KeyError::WrongPassword`] when decryption fails,
    /// [`KeyError::Malformed`] for anything that is not a key,
    /// [`KeyError::Unsupported`] for other algorithms, curves or ciphers.
    pub fn from_der(der: &[u8], password: Option<&[u8]>) -> Result<Self, KeyError> {
        match sniff(der)? {
            Form::Pkcs8 => Self::from_pkcs8_der(der),
            Form::EncryptedPkcs8 => Self::from_encrypted_pkcs8_der(der, password),
            Form::Pkcs1 => Self::from_pkcs1_der(der),
            Form::Sec1 => Self::from_sec1_der(der),
        }
    }

    /// Loads the first private key in a PEM file (`PRIVATE KEY`, `ENCRYPTED
    /// PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`; other blocks such as
    /// `CERTIFICATE` or `EC PARAMETERS` are skipped). Input without PEM armour is
    /// tried as DER, like [`PrivateKey::from_der`].
    ///
    /// OpenSSL's old per-file PEM encryption (`Proc-Type: 4,ENCRYPTED`) derives
    /// its key with MD5 and is not supported: convert such a key with
    /// `openssl pkcs8 -topk8`.
    ///
    /// ```
    /// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
    /// let key = smime::PrivateKey::from_pem(sample::ALICE_KEY_PEM.as_bytes(), None)?;
    /// assert!(matches!(key, smime::PrivateKey::Rsa(_)));
    /// # Ok::<(), smime::KeyError>(())
    /// ```
    pub fn from_pem(pem_bytes: &[u8], password: Option<&[u8]>) -> Result<Self, KeyError> {
        if !pem::looks_like_pem(pem_bytes) {
            return Self::from_der(pem_bytes, password);
        }
        let block = pem::blocks(pem_bytes)
            .into_iter()
            .find(|b| KEY_LABELS.contains(&b.label.as_str()))
            .ok_or_else(|| malformed("no private key PEM block (PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY)"))?;
        let der = zeroize::Zeroizing::new(block.der);
        if legacy_pem_encryption(pem_bytes, &block.label) {
            return match password {
                None => Err(KeyError::PasswordRequired),
                Some(_) => Err(malformed(
                    "OpenSSL traditional PEM encryption (Proc-Type: 4,ENCRYPTED) is not supported; \
                     convert the key with `openssl pkcs8 -topk8`",
                )),
            };
        }
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "ENCRYPTED PRIVATE KEY" => Self::from_encrypted_pkcs8_der(&der, password),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            _ => Self::from_sec1_der(&der),
        }
    }

    /// PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2).
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(malformed)
    }

    /// SEC1 `ECPrivateKey` (RFC 5915 §3) on its own (`EC PRIVATE KEY`).
    fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        ec_key(der, None)
    }

    /// Encrypted PKCS#8 (RFC 5958 §3).
    fn from_encrypted_pkcs8_der(der: &[u8], password: Option<&[u8]>) -> Result<Self, KeyError> {
        let password = password.ok_or(KeyError::PasswordRequired)?;
        let plain = decrypt_pkcs8(der, &Password::new(password))?;
        // Some writers emit BER inside the encryption; garbage from a wrong
        // password fails here or in the PKCS#8 parser.
        let Ok(plain) = crate::ber::to_der(&plain) else {
            return Err(KeyError::WrongPassword);
        };
        let plain = zeroize::Zeroizing::new(plain.into_owned());
        match Self::from_pkcs8_der(&plain) {
            // A wrong password passes the padding check about once in 256 tries
            // and then yields garbage: that is still a wrong password.
            Err(KeyError::Malformed { .. }) => Err(KeyError::WrongPassword),
            other => other,
        }
    }

    /// The DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) of this key's public
    /// half, as it appears in a certificate for the key.
    pub fn public_key_info_der(&self) -> Result<Vec<u8>, KeyError> {
        let doc = match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            PrivateKey::P256(k) => k.public_key().to_public_key_der(),
            PrivateKey::P384(k) => k.public_key().to_public_key_der(),
            PrivateKey::X25519(k) => {
                // RFC 8410 §4: SEQUENCE { SEQUENCE { id-X25519 }, BIT STRING key }.
                let public = x25519_dalek::PublicKey::from(k.as_ref());
                let mut out = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e];
                out.extend_from_slice(&[0x03, 0x21, 0x00]);
                out.extend_from_slice(public.as_bytes());
                return Ok(out);
            }
            PrivateKey::Ed25519(k) => {
                // RFC 8410 §4: SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING key }.
                let mut out = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
                out.extend_from_slice(&[0x03, 0x21, 0x00]);
                out.extend_from_slice(k.verifying_key().as_bytes());
                return Ok(out);
            }
        };
        doc.map(|d| d.as_bytes().to_vec()).map_err(malformed)
    }

    /// Whether `spki_der` (a certificate's SubjectPublicKeyInfo) holds this key's
    /// public half. RSA compares modulus and exponent, so a certificate that
    /// labels the key id-RSASSA-PSS (RFC 4055) still matches; EC compares the
    /// decoded points, so compressed and uncompressed encodings match.
    pub(crate) fn matches_spki(&self, spki_der: &[u8]) -> bool {
        let Ok(spki) = spki::SubjectPublicKeyInfoRef::from_der(spki_der) else {
            return false;
        };
        let Some(bits) = spki.subject_public_key.as_bytes() else {
            return false;
        };
        let alg = spki.algorithm.oid;
        match self {
            PrivateKey::Rsa(key) => {
                if alg != oid::RSA_ENCRYPTION && alg != oid::RSASSA_PSS {
                    return false;
                }
                let Ok(public) = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(bits)
                else {
                    return false;
                };
                trim(&key.n_bytes()) == trim(public.modulus.as_bytes())
                    && trim(&key.e_bytes()) == trim(public.public_exponent.as_bytes())
            }
            PrivateKey::P256(key) => {
                alg == oid::EC_PUBLIC_KEY
                    && p256::PublicKey::from_sec1_bytes(bits).is_ok_and(|p| p == key.public_key())
            }
            PrivateKey::P384(key) => {
                alg == oid::EC_PUBLIC_KEY
                    && p384::PublicKey::from_sec1_bytes(bits).is_ok_and(|p| p == key.public_key())
            }
            PrivateKey::X25519(key) => {
                alg == oid::X25519
                    && x25519_dalek::PublicKey::from(key.as_ref())
                        .as_bytes()
                        .as_slice()
                        == bits
            }
            PrivateKey::Ed25519(key) => {
                alg == oid::ED25519 && key.verifying_key().as_bytes().as_slice() == bits
            }
        }
    }
}

/// Builds an EC key from a SEC1 `ECPrivateKey` (RFC 5915 §3):
///
/// ```text
/// ECPrivateKey ::= SEQUENCE {
///   version        INTEGER { ecPrivkeyVer1(1) },
///   privateKey     OCTET STRING,
///   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
///   publicKey  [1] BIT STRING OPTIONAL }
/// ```
///
/// The curve comes from `outer_params` (the PKCS#8 AlgorithmIdentifier) if given,
/// else from `parameters`, else (both are optional) from the scalar's length.
/// Named and explicit P-256/P-384 parameters are recognised
/// ([`super::ec_params::curve_oid`]). Parsed by hand because `sec1` accepts
/// named curves only.
fn ec_key(sec1_der: &[u8], outer_params: Option<AnyRef<'_>>) -> Result<PrivateKey, KeyError> {
    let outer = AnyRef::from_der(sec1_der).map_err(malformed)?;
    if outer.tag() != Tag::Sequence {
        return Err(malformed("ECPrivateKey is not a SEQUENCE"));
    }
    let fields = super::pkcs12::asn1::elements(outer.value()).map_err(malformed)?;
    let mut fields = fields.into_iter();
    let version = fields
        .next()
        .ok_or_else(|| malformed("empty ECPrivateKey"))?;
    if version.decode_as::<u8>().ok() != Some(1) {
        return Err(malformed("ECPrivateKey version is not 1"));
    }
    let scalar = fields
        .next()
        .and_then(|s| s.decode_as::<&der::asn1::OctetStringRef>().ok())
        .ok_or_else(|| malformed("ECPrivateKey without privateKey"))?
        .as_bytes();
    let inner_params = fields
        .find(|f| {
            f.tag()
                == Tag::ContextSpecific {
                    constructed: true,
                    number: der::TagNumber(0),
                }
        })
        .map(|f| AnyRef::from_der(f.value()).map_err(malformed))
        .transpose()?;
    let curve = match outer_params.or(inner_params) {
        Some(params) => super::ec_params::curve_oid(params).ok_or_else(|| {
            // A named curve we do not support is Unsupported; anything else
            // (explicit parameters of another curve, implicitCurve) too.
            KeyError::Unsupported {
                oid: params
                    .decode_as::<ObjectIdentifier>()
                    .unwrap_or(oid::EC_PUBLIC_KEY),
            }
        })?,
        None => match scalar.len() {
            32 => oid::SECP256R1,
            48 => oid::SECP384R1,
            n => {
                return Err(malformed(format!(
                    "EC private key of {n} bytes names no curve"
                )));
            }
        },
    };
    match curve {
        c if c == oid::SECP256R1 => p256::SecretKey::from_slice(scalar)
            .map(PrivateKey::P256)
            .map_err(malformed),
        c if c == oid::SECP384R1 => p384::SecretKey::from_slice(scalar)
            .map(PrivateKey::P384)
            .map_err(malformed),
        other => Err(KeyError::Unsupported { oid: other }),
    }
}

/// Big-endian integer bytes without leading zeros.
fn trim(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(skip..).unwrap_or(&[])
}

/// Whether the PEM block `label` carries RFC 1421 encryption headers, which
/// `pem::blocks` drops.
fn legacy_pem_encryption(pem_bytes: &[u8], label: &str) -> bool {
    let text = String::from_utf8_lossy(pem_bytes);
    let begin = format!("-----BEGIN {label}-----");
    text.split(begin.as_str())
        .nth(1)
        .and_then(|rest| rest.split("-----END").next())
        .is_some_and(|body| body.contains("Proc-Type: 4,ENCRYPTED"))
}

/// Decrypts a DER `EncryptedPrivateKeyInfo` (RFC 5958 §3) to the PKCS#8 DER
/// inside; shared by encrypted PEM keys and PKCS#12 shrouded key bags.
pub(crate) fn decrypt_pkcs8(
    der: &[u8],
    password: &Password,
) -> Result<zeroize::Zeroizing<Vec<u8>>, KeyError> {
    let info = super::pkcs12::asn1::EncryptedPrivateKeyInfo::from_der(der).map_err(malformed)?;
    decrypt::decrypt(&info.algorithm, info.encrypted_data.as_bytes(), password).map_err(|e| match e
    {
        DecryptError::WrongPassword => KeyError::WrongPassword,
        DecryptError::Unsupported(oid) => KeyError::Unsupported { oid },
        DecryptError::Malformed(reason) => KeyError::Malformed { reason },
    })
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.write_str(match self {
            PrivateKey::Rsa(_) => "PrivateKey::Rsa(..)",
            PrivateKey::P256(_) => "PrivateKey::P256(..)",
            PrivateKey::P384(_) => "PrivateKey::P384(..)",
            PrivateKey::X25519(_) => "PrivateKey::X25519(..)",
            PrivateKey::Ed25519(_) => "PrivateKey::Ed25519(..)",
        })
    }
}
