//! Producing a SignerInfo's signature with the user's private key (RFC 5652 §5.5) and
//! naming its algorithm: RSA PKCS#1 v1.5 (RFC 3370 §3.2), RSASSA-PSS (RFC 4056) and
//! ECDSA on P-256/P-384 (RFC 5753 §2.1.1).

use der::{Decode, Encode};
use rsa::signature::SignatureEncoding;
use rsa::signature::hazmat::{PrehashSigner, RandomizedPrehashSigner};
use sha2::{Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;

use crate::cert::PrivateKey;
use crate::cms::digest::DigestAlgorithm;
use crate::error::CmsError;
use crate::oid;
use crate::trust::verify_signature::PssParams;

/// How an RSA key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RsaSignaturePadding {
    /// RSASSA-PKCS1-v1_5: what every client verifies (gpgsm 2.2 aborts on PSS).
    #[default]
    Pkcs1v15,
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest.
    Pss,
}

fn any(der: &[u8]) -> Result<der::Any, CmsError> {
    der::Any::from_der(der).map_err(|e| CmsError::malformed("algorithm parameters", e))
}

/// The signatureAlgorithm for `key` signing a `digest`.
pub(crate) fn signature_algorithm(
    key: &PrivateKey,
    digest: DigestAlgorithm,
    padding: RsaSignaturePadding,
) -> Result<AlgorithmIdentifierOwned, CmsError> {
    match key {
        // RFC 3370 §3.2: rsaEncryption in SignerInfo, as OpenSSL and Thunderbird send it.
        PrivateKey::Rsa(_) if padding == RsaSignaturePadding::Pkcs1v15 => {
            Ok(AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: Some(der::asn1::Null.into()),
            })
        }
        PrivateKey::Rsa(_) => {
            let hash = AlgorithmIdentifierOwned {
                oid: digest.oid(),
                parameters: None,
            };
            let hash_der = hash
                .to_der()
                .map_err(|e| CmsError::malformed("PSS parameters", e))?;
            let params = PssParams {
                hash: Some(hash),
                mask_gen: Some(AlgorithmIdentifierOwned {
                    oid: oid::MGF1,
                    parameters: Some(any(&hash_der)?),
                }),
                salt_len: Some(digest_len(digest) as u32),
                trailer: None,
            };
            let der = params
                .to_der()
                .map_err(|e| CmsError::malformed("PSS parameters", e))?;
            Ok(AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(any(&der)?),
            })
        }
        // RFC 5758 §3.2: ecdsa-with-SHA* with absent parameters.
        PrivateKey::P256(_) | PrivateKey::P384(_) => Ok(AlgorithmIdentifierOwned {
            oid: match digest {
                DigestAlgorithm::Sha256 => oid::ECDSA_WITH_SHA256,
                DigestAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
                DigestAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
            },
            parameters: None,
        }),
        // RFC 8419 §2.3: id-Ed25519, parameters absent.
        PrivateKey::Ed25519(_) => Ok(AlgorithmIdentifierOwned {
            oid: oid::ED25519,
            parameters: None,
        }),
        #[allow(unreachable_patterns)]
        _ => Err(CmsError::UnsupportedAlgorithm {
            kind: "signature",
            oid: oid::X25519,
        }),
    }
}

pub(crate) fn digest_len(d: DigestAlgorithm) -> usize {
    match d {
        DigestAlgorithm::Sha256 => 32,
        DigestAlgorithm::Sha384 => 48,
        DigestAlgorithm::Sha512 => 64,
    }
}

/// Signs the DER signedAttrs `message` with `key`: RSA and ECDSA sign its digest
/// under `digest`; Ed25519 is PureEdDSA over the bytes themselves (RFC 8419 §3.1).
pub(crate) fn sign_attributes(
    key: &PrivateKey,
    digest: DigestAlgorithm,
    padding: RsaSignaturePadding,
    message: &[u8],
) -> Result<Vec<u8>, CmsError> {
    if let PrivateKey::Ed25519(k) = key {
        use ed25519_dalek::Signer;
        return Ok(k.sign(message).to_bytes().to_vec());
    }
    sign_prehash(key, digest, padding, &digest.digest(message))
}

/// The length of every signature `key` makes, when it has one: an RSA signature is as
/// long as the modulus (RFC 8017 §8.2.1, §8.1.1), an Ed25519 one 64 bytes (RFC 8032
/// §5.1.6); an ECDSA signature is DER whose length varies (RFC 5753 §7.2).
pub(crate) fn fixed_signature_len(key: &PrivateKey) -> Option<usize> {
    use rsa::traits::PublicKeyParts;
    match key {
        PrivateKey::Rsa(k) => Some(k.size()),
        PrivateKey::Ed25519(_) => Some(64),
        PrivateKey::P256(_) | PrivateKey::P384(_) | PrivateKey::X25519(_) => None,
    }
}

/// Signs `prehash` (the digest of the DER signedAttrs) with `key`.
fn sign_prehash(
    key: &PrivateKey,
    digest: DigestAlgorithm,
    padding: RsaSignaturePadding,
    prehash: &[u8],
) -> Result<Vec<u8>, CmsError> {
    let failed = |e: rsa::signature::Error| CmsError::malformed("signature", e);
    let mut rng = rand::rng();
    match key {
        PrivateKey::Rsa(k) => {
            let k = (**k).clone();
            let sig = match (padding, digest) {
                (RsaSignaturePadding::Pkcs1v15, DigestAlgorithm::Sha256) => {
                    rsa::pkcs1v15::SigningKey::<Sha256>::new(k)
                        .sign_prehash(prehash)
                        .map(|s| s.to_vec())
                }
                (RsaSignaturePadding::Pkcs1v15, DigestAlgorithm::Sha384) => {
                    rsa::pkcs1v15::SigningKey::<Sha384>::new(k)
                        .sign_prehash(prehash)
                        .map(|s| s.to_vec())
                }
                (RsaSignaturePadding::Pkcs1v15, DigestAlgorithm::Sha512) => {
                    rsa::pkcs1v15::SigningKey::<Sha512>::new(k)
                        .sign_prehash(prehash)
                        .map(|s| s.to_vec())
                }
                (RsaSignaturePadding::Pss, DigestAlgorithm::Sha256) => {
                    rsa::pss::SigningKey::<Sha256>::new(k)
                        .sign_prehash_with_rng(&mut rng, prehash)
                        .map(|s| s.to_vec())
                }
                (RsaSignaturePadding::Pss, DigestAlgorithm::Sha384) => {
                    rsa::pss::SigningKey::<Sha384>::new(k)
                        .sign_prehash_with_rng(&mut rng, prehash)
                        .map(|s| s.to_vec())
                }
                (RsaSignaturePadding::Pss, DigestAlgorithm::Sha512) => {
                    rsa::pss::SigningKey::<Sha512>::new(k)
                        .sign_prehash_with_rng(&mut rng, prehash)
                        .map(|s| s.to_vec())
                }
            };
            sig.map_err(failed)
        }
        PrivateKey::P256(k) => {
            let sk = p256::ecdsa::SigningKey::from(k);
            let sig: p256::ecdsa::Signature = sk.sign_prehash(prehash).map_err(failed)?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        PrivateKey::P384(k) => {
            let sk = p384::ecdsa::SigningKey::from(k);
            let sig: p384::ecdsa::Signature = sk.sign_prehash(prehash).map_err(failed)?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        _ => Err(CmsError::UnsupportedAlgorithm {
            kind: "signature",
            oid: oid::X25519,
        }),
    }
}
