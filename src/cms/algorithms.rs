//! The algorithms an envelope can use, and their AlgorithmIdentifier encodings.

use std::fmt;
use std::str::FromStr;

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::error::CmsError;
use crate::oid;

/// Content-encryption algorithms we produce (RFC 8551 §2.7).
///
/// The default is AES-256-GCM (RFC 8551 §2.7.1 rule 2 with nothing known about the
/// recipients). CBC modes give confidentiality only: a decrypted CBC message says
/// `authenticated: false` (EFAIL, RFC 8551 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ContentCipher {
    /// AES-128 in CBC mode (EnvelopedData, RFC 3565).
    Aes128Cbc,
    /// AES-192 in CBC mode (EnvelopedData, RFC 3565).
    Aes192Cbc,
    /// AES-256 in CBC mode (EnvelopedData, RFC 3565).
    Aes256Cbc,
    /// AES-128-GCM with a 16-byte tag (AuthEnvelopedData, RFC 5083/5084).
    Aes128Gcm,
    /// AES-256-GCM with a 16-byte tag (AuthEnvelopedData, RFC 5083/5084).
    #[default]
    Aes256Gcm,
    /// ChaCha20-Poly1305 (AuthEnvelopedData, RFC 8103; SHOULD+ in RFC 8551 §2.7).
    /// OpenSSL 3.0 cannot read it.
    ChaCha20Poly1305,
}

impl ContentCipher {
    /// Every cipher we can encrypt with.
    pub const ALL: [ContentCipher; 6] = [
        ContentCipher::Aes128Cbc,
        ContentCipher::Aes192Cbc,
        ContentCipher::Aes256Cbc,
        ContentCipher::Aes128Gcm,
        ContentCipher::Aes256Gcm,
        ContentCipher::ChaCha20Poly1305,
    ];

    /// Whether the result is AuthEnvelopedData (authenticated encryption).
    pub fn is_authenticated(self) -> bool {
        matches!(
            self,
            ContentCipher::Aes128Gcm | ContentCipher::Aes256Gcm | ContentCipher::ChaCha20Poly1305
        )
    }

    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentCipher::Aes128Cbc | ContentCipher::Aes128Gcm => 16,
            ContentCipher::Aes192Cbc => 24,
            ContentCipher::Aes256Cbc
            | ContentCipher::Aes256Gcm
            | ContentCipher::ChaCha20Poly1305 => 32,
        }
    }

    /// The algorithm OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            ContentCipher::Aes128Cbc => oid::AES128_CBC,
            ContentCipher::Aes192Cbc => oid::AES192_CBC,
            ContentCipher::Aes256Cbc => oid::AES256_CBC,
            ContentCipher::Aes128Gcm => oid::AES128_GCM,
            ContentCipher::Aes256Gcm => oid::AES256_GCM,
            ContentCipher::ChaCha20Poly1305 => oid::CHACHA20_POLY1305,
        }
    }

    /// The name used on the command line (`aes-256-gcm`, …).
    pub fn name(self) -> &'static str {
        match self {
            ContentCipher::Aes128Cbc => "aes-128-cbc",
            ContentCipher::Aes192Cbc => "aes-192-cbc",
            ContentCipher::Aes256Cbc => "aes-256-cbc",
            ContentCipher::Aes128Gcm => "aes-128-gcm",
            ContentCipher::Aes256Gcm => "aes-256-gcm",
            ContentCipher::ChaCha20Poly1305 => "chacha20-poly1305",
        }
    }
}

impl fmt::Display for ContentCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an unknown algorithm name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown algorithm name {0:?}")]
pub struct UnknownAlgorithmName(pub String);

impl FromStr for ContentCipher {
    type Err = UnknownAlgorithmName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContentCipher::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownAlgorithmName(s.to_owned()))
    }
}

/// How the content-encryption key is wrapped for an RSA recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KeyTransport {
    /// RSAES-PKCS1-v1_5 (RFC 3370 §4.2.1; MUST- in RFC 8551 §2.3). Every client reads it.
    #[default]
    RsaPkcs1v15,
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 3560, SHOULD+).
    RsaOaepSha256,
    /// RSAES-OAEP with the SHA-1 defaults (RFC 3560 §2.2), as OpenSSL sends by default.
    RsaOaepSha1,
}

impl KeyTransport {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            KeyTransport::RsaPkcs1v15 => "rsa-pkcs1",
            KeyTransport::RsaOaepSha256 => "rsa-oaep",
            KeyTransport::RsaOaepSha1 => "rsa-oaep-sha1",
        }
    }
}

impl FromStr for KeyTransport {
    type Err = UnknownAlgorithmName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "rsa-pkcs1" | "rsa-pkcs1v15" => Ok(KeyTransport::RsaPkcs1v15),
            "rsa-oaep" | "rsa-oaep-sha256" => Ok(KeyTransport::RsaOaepSha256),
            "rsa-oaep-sha1" => Ok(KeyTransport::RsaOaepSha1),
            _ => Err(UnknownAlgorithmName(s.to_owned())),
        }
    }
}

/// Which RecipientIdentifier form names a recipient (RFC 5652 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RecipientIdKind {
    /// issuerAndSerialNumber: understood by every client.
    #[default]
    IssuerAndSerial,
    /// subjectKeyIdentifier (KTRI version 2); needs the certificate's SKI extension.
    SubjectKeyId,
}

impl FromStr for RecipientIdKind {
    type Err = UnknownAlgorithmName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "issuer-serial" => Ok(RecipientIdKind::IssuerAndSerial),
            "ski" => Ok(RecipientIdKind::SubjectKeyId),
            _ => Err(UnknownAlgorithmName(s.to_owned())),
        }
    }
}

/// RFC 5084 §3.2:
/// ```text
/// GCMParameters ::= SEQUENCE {
///   aes-nonce        OCTET STRING, -- recommended size is 12 octets
///   aes-ICVlen       AES-GCM-ICVlen DEFAULT 12 }
/// AES-GCM-ICVlen ::= INTEGER (12 | 13 | 14 | 15 | 16)
/// ```
#[derive(Sequence)]
struct GcmParameters {
    nonce: OctetString,
    #[asn1(default = "default_icv_len")]
    icv_len: u8,
}

fn default_icv_len() -> u8 {
    12
}

/// RFC 5116 §5.1/§5.2 fix the AES-GCM nonce at 12 octets; RFC 5084 §3.2 recommends
/// it. We send 12 and accept only 12 (anything else is either broken or hostile).
pub(crate) const GCM_NONCE_LEN: usize = 12;
/// We always send a full 16-byte tag (RFC 8551 §2.7 via RFC 5084 §3.2 guidance).
pub(crate) const GCM_TAG_LEN: usize = 16;

/// The content-encryption algorithm of a received message, with its parameters.
#[derive(Clone)]
pub(crate) enum ContentAlgorithm {
    Cbc {
        kind: CbcKind,
        iv: Vec<u8>,
    },
    Gcm {
        key_len: usize,
        nonce: [u8; GCM_NONCE_LEN],
        tag_len: usize,
    },
    /// RFC 8103 §3: the parameters are the 12-octet nonce; the tag is 16 octets.
    ChaCha {
        nonce: [u8; crate::cms::chacha::CHACHA_NONCE_LEN],
    },
}

/// Block ciphers usable in CBC mode on the decrypt side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CbcKind {
    Aes(usize),
    /// Legacy (RFC 3370 §5.1): decrypt only.
    TripleDes,
    /// Legacy (RFC 3370 §5.2): decrypt only; effective key bits from the parameters.
    Rc2 {
        effective_bits: usize,
    },
}

impl ContentAlgorithm {
    /// Parses a contentEncryptionAlgorithm.
    pub fn from_identifier(alg: &AlgorithmIdentifierOwned) -> Result<Self, CmsError> {
        let params = alg.parameters.as_ref();
        let cbc_iv = |len: usize, name: &'static str| -> Result<Vec<u8>, CmsError> {
            let p = params.ok_or_else(|| CmsError::InvalidParameters {
                algorithm: name,
                reason: "missing IV".into(),
            })?;
            let iv = p
                .decode_as::<OctetString>()
                .map_err(|e| CmsError::InvalidParameters {
                    algorithm: name,
                    reason: e.to_string(),
                })?;
            if iv.as_bytes().len() != len {
                return Err(CmsError::InvalidParameters {
                    algorithm: name,
                    reason: format!("IV of {} bytes, expected {len}", iv.as_bytes().len()),
                });
            }
            Ok(iv.as_bytes().to_vec())
        };
        let o = alg.oid;
        let gcm = |key_len: usize| -> Result<Self, CmsError> {
            let p = params.ok_or_else(|| CmsError::InvalidParameters {
                algorithm: "AES-GCM",
                reason: "missing GCMParameters".into(),
            })?;
            let der = p
                .to_der()
                .map_err(|e| CmsError::malformed("GCMParameters", e))?;
            let gp = GcmParameters::from_der(&der).map_err(|e| CmsError::InvalidParameters {
                algorithm: "AES-GCM",
                reason: e.to_string(),
            })?;
            // RFC 5084 §3.2: aes-ICVlen is one of 12..=16.
            if !(12..=16).contains(&gp.icv_len) {
                return Err(CmsError::InvalidParameters {
                    algorithm: "AES-GCM",
                    reason: format!("ICV length {} is not 12..16", gp.icv_len),
                });
            }
            let nonce: [u8; GCM_NONCE_LEN] =
                gp.nonce
                    .as_bytes()
                    .try_into()
                    .map_err(|_| CmsError::InvalidParameters {
                        algorithm: "AES-GCM",
                        reason: format!(
                            "nonce of {} bytes, expected {GCM_NONCE_LEN}",
                            gp.nonce.as_bytes().len()
                        ),
                    })?;
            Ok(ContentAlgorithm::Gcm {
                key_len,
                nonce,
                tag_len: usize::from(gp.icv_len),
            })
        };
        if o == oid::AES128_CBC || o == oid::AES192_CBC || o == oid::AES256_CBC {
            let key_len = if o == oid::AES128_CBC {
                16
            } else if o == oid::AES192_CBC {
                24
            } else {
                32
            };
            Ok(ContentAlgorithm::Cbc {
                kind: CbcKind::Aes(key_len),
                iv: cbc_iv(16, "AES-CBC")?,
            })
        } else if o == oid::AES128_GCM {
            gcm(16)
        } else if o == oid::AES192_GCM {
            gcm(24)
        } else if o == oid::AES256_GCM {
            gcm(32)
        } else if o == oid::CHACHA20_POLY1305 {
            // RFC 8103 §3: AEADChaCha20Poly1305Nonce ::= OCTET STRING (SIZE(12)).
            let bad = |reason: String| CmsError::InvalidParameters {
                algorithm: "ChaCha20-Poly1305",
                reason,
            };
            let p = params.ok_or_else(|| bad("missing nonce".into()))?;
            let n = p
                .decode_as::<OctetString>()
                .map_err(|e| bad(e.to_string()))?;
            let nonce = n.as_bytes().try_into().map_err(|_| {
                bad(format!(
                    "nonce of {} bytes, expected 12",
                    n.as_bytes().len()
                ))
            })?;
            Ok(ContentAlgorithm::ChaCha { nonce })
        } else if o == oid::DES_EDE3_CBC {
            Ok(ContentAlgorithm::Cbc {
                kind: CbcKind::TripleDes,
                iv: cbc_iv(8, "3DES-CBC")?,
            })
        } else if o == oid::RC2_CBC {
            rc2_parameters(params)
        } else {
            Err(CmsError::UnsupportedAlgorithm {
                kind: "content encryption",
                oid: o,
            })
        }
    }

    /// The key length this algorithm expects, when fixed.
    pub fn key_len(&self) -> Option<usize> {
        match self {
            ContentAlgorithm::Cbc {
                kind: CbcKind::Aes(n),
                ..
            } => Some(*n),
            ContentAlgorithm::Cbc {
                kind: CbcKind::TripleDes,
                ..
            } => Some(24),
            ContentAlgorithm::Cbc {
                kind: CbcKind::Rc2 { .. },
                ..
            } => None,
            ContentAlgorithm::Gcm { key_len, .. } => Some(*key_len),
            ContentAlgorithm::ChaCha { .. } => Some(32),
        }
    }

    /// Whether this is an AEAD (AuthEnvelopedData) algorithm.
    pub fn is_aead(&self) -> bool {
        matches!(
            self,
            ContentAlgorithm::Gcm { .. } | ContentAlgorithm::ChaCha { .. }
        )
    }

    /// The AEAD state for `key`, and the expected tag length; `None` for CBC.
    pub fn aead(&self, key: &[u8]) -> Option<Result<(crate::cms::aead::Aead, usize), CmsError>> {
        match self {
            ContentAlgorithm::Gcm { nonce, tag_len, .. } => {
                Some(crate::cms::aead::Aead::gcm(key, nonce).map(|a| (a, *tag_len)))
            }
            ContentAlgorithm::ChaCha { nonce } => Some(
                crate::cms::aead::Aead::chacha(key, nonce)
                    .map(|a| (a, crate::cms::chacha::CHACHA_TAG_LEN)),
            ),
            ContentAlgorithm::Cbc { .. } => None,
        }
    }
}

/// RFC 3370 §5.2 (from RFC 2268 §6):
/// ```text
/// RC2CBCParameter ::= SEQUENCE {
///   rc2ParameterVersion INTEGER,
///   iv OCTET STRING  }  -- exactly 8 octets
/// ```
/// Some encoders send the IV alone. The version maps to effective key bits: 160 → 40,
/// 120 → 64, 58 → 128, and values ≥ 256 are the bit count itself.
fn rc2_parameters(params: Option<&der::Any>) -> Result<ContentAlgorithm, CmsError> {
    #[derive(Sequence)]
    struct Rc2Params {
        version: Option<u32>,
        iv: OctetString,
    }
    let bad = |reason: String| CmsError::InvalidParameters {
        algorithm: "RC2-CBC",
        reason,
    };
    let p = params.ok_or_else(|| bad("missing parameters".into()))?;
    let (version, iv) = if let Ok(iv) = p.decode_as::<OctetString>() {
        (None, iv.as_bytes().to_vec())
    } else {
        let der = p.to_der().map_err(|e| bad(e.to_string()))?;
        let rp = Rc2Params::from_der(&der).map_err(|e| bad(e.to_string()))?;
        (rp.version, rp.iv.as_bytes().to_vec())
    };
    if iv.len() != 8 {
        return Err(bad(format!("IV of {} bytes, expected 8", iv.len())));
    }
    let effective_bits = match version {
        None => 32,
        Some(160) => 40,
        Some(120) => 64,
        Some(58) => 128,
        Some(v) if v >= 256 => usize::try_from(v).map_err(|_| bad("version".into()))?,
        Some(v) => return Err(bad(format!("unknown rc2ParameterVersion {v}"))),
    };
    if !(1..=1024).contains(&effective_bits) {
        return Err(bad(format!("effective key bits {effective_bits}")));
    }
    Ok(ContentAlgorithm::Cbc {
        kind: CbcKind::Rc2 { effective_bits },
        iv,
    })
}

/// AlgorithmIdentifier for a cipher we send, with fresh IV/nonce parameters.
pub(crate) fn content_identifier(
    cipher: ContentCipher,
    iv_or_nonce: &[u8],
) -> Result<Vec<u8>, CmsError> {
    let oid_der = cipher
        .oid()
        .to_der()
        .map_err(|e| CmsError::malformed("algorithm identifier", e))?;
    let params = if cipher == ContentCipher::ChaCha20Poly1305 {
        // RFC 8103 §3: the nonce alone.
        crate::cms::ber::tlv(0x04, iv_or_nonce)
    } else if cipher.is_authenticated() {
        // icv_len 16 differs from the DEFAULT 12, so it is encoded (X.690 §11.5).
        let mut p = crate::cms::ber::tlv(0x04, iv_or_nonce);
        p.extend_from_slice(&[0x02, 0x01, GCM_TAG_LEN as u8]);
        crate::cms::ber::tlv(0x30, &p)
    } else {
        crate::cms::ber::tlv(0x04, iv_or_nonce)
    };
    let mut content = oid_der;
    content.extend_from_slice(&params);
    Ok(crate::cms::ber::tlv(0x30, &content))
}

/// The RSAES-OAEP digest pair parsed from RSAES-OAEP-params (RFC 4055 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OaepHash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl OaepHash {
    pub fn from_oid(o: ObjectIdentifier) -> Option<Self> {
        Some(match o {
            o if o == oid::SHA1 => OaepHash::Sha1,
            o if o == oid::SHA224 => OaepHash::Sha224,
            o if o == oid::SHA256 => OaepHash::Sha256,
            o if o == oid::SHA384 => OaepHash::Sha384,
            o if o == oid::SHA512 => OaepHash::Sha512,
            _ => return None,
        })
    }
}

/// RSAES-OAEP-params (RFC 4055 §4.1, RFC 8017 Appendix A.2.1), pkcs1's type:
/// ```text
/// RSAES-OAEP-params ::= SEQUENCE {
///   hashFunc    [0] AlgorithmIdentifier DEFAULT sha1Identifier,
///   maskGenFunc [1] AlgorithmIdentifier DEFAULT mgf1SHA1Identifier,
///   pSourceFunc [2] AlgorithmIdentifier DEFAULT pSpecifiedEmptyIdentifier }
/// ```
type OaepParams = pkcs1::RsaOaepParams<der::Any>;

/// Parsed OAEP parameters: (hash, MGF1 hash, label).
pub(crate) fn parse_oaep_params(
    params: Option<&der::Any>,
) -> Result<(OaepHash, OaepHash, Vec<u8>), CmsError> {
    let bad = |reason: String| CmsError::InvalidParameters {
        algorithm: "RSAES-OAEP",
        reason,
    };
    let Some(p) = params else {
        return Ok((OaepHash::Sha1, OaepHash::Sha1, Vec::new()));
    };
    let der = p.to_der().map_err(|e| bad(e.to_string()))?;
    // An explicit NULL is seen in the wild for "all defaults".
    if der == [0x05, 0x00] {
        return Ok((OaepHash::Sha1, OaepHash::Sha1, Vec::new()));
    }
    // pkcs1 fills in the defaults of absent fields.
    let op = OaepParams::from_der(&der).map_err(|e| bad(e.to_string()))?;
    let hash =
        OaepHash::from_oid(op.hash.oid).ok_or_else(|| bad(format!("hash {}", op.hash.oid)))?;
    if op.mask_gen.oid != oid::MGF1 {
        return Err(bad(format!("mask generation function {}", op.mask_gen.oid)));
    }
    let inner = op
        .mask_gen
        .parameters
        .ok_or_else(|| bad("MGF1 without a hash".into()))?;
    let mgf_hash =
        OaepHash::from_oid(inner.oid).ok_or_else(|| bad(format!("MGF1 hash {}", inner.oid)))?;
    if op.p_source.oid != oid::P_SPECIFIED {
        return Err(bad(format!("pSourceFunc {}", op.p_source.oid)));
    }
    let label = match op.p_source.parameters.as_ref() {
        None => Vec::new(),
        Some(p) => p
            .decode_as::<OctetString>()
            .map_err(|e| bad(e.to_string()))?
            .as_bytes()
            .to_vec(),
    };
    Ok((hash, mgf_hash, label))
}

/// The keyEncryptionAlgorithm we send for an RSA recipient.
pub(crate) fn key_transport_identifier(
    kt: KeyTransport,
) -> Result<AlgorithmIdentifierOwned, CmsError> {
    let any =
        |der: &[u8]| der::Any::from_der(der).map_err(|e| CmsError::malformed("OAEP parameters", e));
    match kt {
        // RFC 3370 §4.2.1: rsaEncryption with NULL parameters.
        KeyTransport::RsaPkcs1v15 => Ok(AlgorithmIdentifierOwned {
            oid: oid::RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        }),
        // RFC 4055 §4.1: all-default parameters are an empty SEQUENCE.
        KeyTransport::RsaOaepSha1 => Ok(AlgorithmIdentifierOwned {
            oid: oid::RSAES_OAEP,
            parameters: Some(any(&[0x30, 0x00])?),
        }),
        KeyTransport::RsaOaepSha256 => {
            // RFC 4055 §2.1: the SHA-2 AlgorithmIdentifiers omit parameters... but
            // implementations MUST accept NULL too; we send them absent.
            let sha256 = AlgorithmIdentifierOwned {
                oid: oid::SHA256,
                parameters: None,
            };
            let params = OaepParams {
                hash: sha256.clone(),
                mask_gen: spki::AlgorithmIdentifier {
                    oid: oid::MGF1,
                    parameters: Some(sha256),
                },
                ..OaepParams::default()
            };
            let der = params
                .to_der()
                .map_err(|e| CmsError::malformed("OAEP parameters", e))?;
            Ok(AlgorithmIdentifierOwned {
                oid: oid::RSAES_OAEP,
                parameters: Some(any(&der)?),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in ContentCipher::ALL {
            assert_eq!(c.name().parse::<ContentCipher>().unwrap(), c);
        }
        assert!("rc4".parse::<ContentCipher>().is_err());
        assert_eq!(ContentCipher::default(), ContentCipher::Aes256Gcm);
    }

    #[test]
    fn gcm_parameters_round_trip_and_limits() {
        let der = content_identifier(ContentCipher::Aes128Gcm, &[7u8; 12]).unwrap();
        let alg = AlgorithmIdentifierOwned::from_der(&der).unwrap();
        match ContentAlgorithm::from_identifier(&alg).unwrap() {
            ContentAlgorithm::Gcm {
                key_len,
                nonce,
                tag_len,
            } => {
                assert_eq!((key_len, nonce, tag_len), (16, [7u8; 12], 16));
            }
            _ => panic!("not GCM"),
        }
        for (nonce_len, icv) in [(12usize, 4u8), (12, 17), (0, 16), (64, 16)] {
            let mut p = crate::cms::ber::tlv(0x04, &vec![1u8; nonce_len]);
            p.extend_from_slice(&[0x02, 0x01, icv]);
            let mut content = oid::AES128_GCM.to_der().unwrap();
            content.extend_from_slice(&crate::cms::ber::tlv(0x30, &p));
            let alg =
                AlgorithmIdentifierOwned::from_der(&crate::cms::ber::tlv(0x30, &content)).unwrap();
            assert!(
                matches!(
                    ContentAlgorithm::from_identifier(&alg),
                    Err(CmsError::InvalidParameters { .. })
                ),
                "nonce {nonce_len} icv {icv} accepted"
            );
        }
    }

    #[test]
    fn oaep_parameters_round_trip() {
        for (kt, want) in [
            (KeyTransport::RsaOaepSha1, OaepHash::Sha1),
            (KeyTransport::RsaOaepSha256, OaepHash::Sha256),
        ] {
            let alg = key_transport_identifier(kt).unwrap();
            let (h, m, l) = parse_oaep_params(alg.parameters.as_ref()).unwrap();
            assert_eq!((h, m, l.len()), (want, want, 0));
        }
        // The SHA-256 parameters as we have always sent them: hash and MGF1 hash with
        // absent parameters, pSourceFunc left at its default.
        let alg = key_transport_identifier(KeyTransport::RsaOaepSha256).unwrap();
        assert_eq!(
            alg.parameters.unwrap().to_der().unwrap(),
            [
                &[0x30, 0x2b, 0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09][..],
                &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
                &[0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09],
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08],
                &[0x30, 0x0b, 0x06, 0x09],
                &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
            ]
            .concat()
        );
        // A label, and an explicit NULL for "all defaults".
        let with_label = [
            &[0x30, 0x11, 0xa2, 0x0f, 0x30, 0x0d, 0x06, 0x09][..],
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x09],
            &[0x04, 0x00],
        ]
        .concat();
        let any = der::Any::from_der(&with_label).unwrap();
        assert_eq!(
            parse_oaep_params(Some(&any)).unwrap(),
            (OaepHash::Sha1, OaepHash::Sha1, Vec::new())
        );
        let null = der::Any::from_der(&[0x05, 0x00]).unwrap();
        assert_eq!(parse_oaep_params(Some(&null)).unwrap().0, OaepHash::Sha1);
    }
}
