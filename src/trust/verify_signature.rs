//! Signatures on certificates and CRLs (RFC 5280 §6.1.3(a)(1), §6.3.3(g)).
//!
//! Algorithms (RFC 8551 §2.2 and RFC 8550 §4.3 apply the same list to certificates
//! and CRLs): RSA PKCS#1 v1.5 and RSASSA-PSS (RFC 4055) with SHA-2, ECDSA on P-256 and
//! P-384 (RFC 5758), Ed25519 (RFC 8410), and — for old mail — DSA (RFC 3279 §2.2.2)
//! and SHA-1, only in historic mode. DSA keys may inherit their domain parameters
//! from the issuer (RFC 3279 §2.3.2, RFC 5280 §6.1.4(f)); the path validator passes
//! them in. The RSA modulus is capped at [`MAX_RSA_BITS`] and the signature must be
//! exactly as long as the modulus (the BigSig class, CVE-2021-43527).

use der::asn1::{Any, UintRef};
use der::{Decode, Sequence};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::oid;

/// RFC 8551 §4.3 lets verifiers refuse very large keys (a DoS vector); 8192 bits is
/// what the issue and REQUIREMENTS.md §2 row 23 set.
pub const MAX_RSA_BITS: usize = 8192;
/// Keys below this are never parsed for verification, whatever the policy.
const ABSOLUTE_MIN_RSA_BITS: usize = 512;

/// What went wrong verifying one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SigError {
    /// The signature is wrong.
    Bad,
    /// An algorithm (or combination, or parameters) we do not support.
    Unsupported(der::asn1::ObjectIdentifier),
    /// SHA-1 (or another historic algorithm) outside historic mode.
    Weak(&'static str),
    /// RSA modulus below the floor.
    SmallKey(usize),
    /// RSA modulus or signature above the cap.
    TooLarge,
    /// The key cannot be parsed.
    BadKey,
    /// A DSA key without parameters and none inherited: retry when the issuer's
    /// parameters are known.
    NeedsDsaParams,
}

/// A successful verification, with what the caller should warn about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SigOk {
    /// Set when a historic algorithm was accepted (historic mode).
    pub(crate) historic: Option<&'static str>,
}

#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(msg).to_vec(),
            Hash::Sha224 => Sha224::digest(msg).to_vec(),
            Hash::Sha256 => Sha256::digest(msg).to_vec(),
            Hash::Sha384 => Sha384::digest(msg).to_vec(),
            Hash::Sha512 => Sha512::digest(msg).to_vec(),
        }
    }

    fn from_digest_oid(o: &der::asn1::ObjectIdentifier) -> Option<Hash> {
        Some(match *o {
            x if x == oid::SHA1 => Hash::Sha1,
            x if x == oid::SHA224 => Hash::Sha224,
            x if x == oid::SHA256 => Hash::Sha256,
            x if x == oid::SHA384 => Hash::Sha384,
            x if x == oid::SHA512 => Hash::Sha512,
            _ => return None,
        })
    }
}

enum Scheme {
    RsaPkcs1(Hash),
    /// md5WithRSAEncryption (RFC 3279 §2.2.1): historic mode only, like SHA-1
    /// (REQUIREMENTS.md §2 row 25); old CA certificates still carry it.
    RsaPkcs1Md5,
    RsaPss {
        hash: Hash,
        salt_len: usize,
    },
    Ecdsa(Hash),
    Ed25519,
    Dsa(Hash),
}

/// Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } (RFC 3279 §2.3.2).
#[derive(Sequence)]
struct DssParms<'a> {
    p: UintRef<'a>,
    q: UintRef<'a>,
    g: UintRef<'a>,
}

/// RFC 4055 §3.1, the one definition (the cms signer writes it too):
/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///   hashAlgorithm      [0] HashAlgorithm DEFAULT sha1,
///   maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
///   saltLength         [2] INTEGER DEFAULT 20,
///   trailerField       [3] TrailerField DEFAULT trailerFieldBC }
/// ```
/// Ours, not `pkcs1::RsaPssParams`: pkcs1 0.8 holds saltLength in a `u8`, and
/// OpenSSL 3.0's `cms -sign -keyopt rsa_padding_mode:pss` on an RSA-3072 key writes
/// saltLength 350 (the maximum), which pkcs1 cannot decode (test `pss_salt_over_255`).
#[derive(Sequence)]
pub(crate) struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer: Option<u32>,
}

fn scheme(alg: &AlgorithmIdentifierOwned) -> Result<Scheme, SigError> {
    let o = alg.oid;
    let unsupported = || SigError::Unsupported(o);
    Ok(match o {
        x if x == oid::MD5_WITH_RSA => Scheme::RsaPkcs1Md5,
        x if x == oid::SHA1_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha1),
        x if x == oid::SHA224_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha224),
        x if x == oid::SHA256_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha256),
        x if x == oid::SHA384_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha384),
        x if x == oid::SHA512_WITH_RSA => Scheme::RsaPkcs1(Hash::Sha512),
        x if x == oid::ECDSA_WITH_SHA1 => Scheme::Ecdsa(Hash::Sha1),
        x if x == oid::ECDSA_WITH_SHA256 => Scheme::Ecdsa(Hash::Sha256),
        x if x == oid::ECDSA_WITH_SHA384 => Scheme::Ecdsa(Hash::Sha384),
        x if x == oid::ECDSA_WITH_SHA512 => Scheme::Ecdsa(Hash::Sha512),
        x if x == oid::DSA_WITH_SHA1 => Scheme::Dsa(Hash::Sha1),
        x if x == oid::DSA_WITH_SHA256 => Scheme::Dsa(Hash::Sha256),
        // RFC 8410 §3: the parameters MUST be absent.
        x if x == oid::ED25519 && alg.parameters.is_none() => Scheme::Ed25519,
        x if x == oid::RSASSA_PSS => {
            let params = alg
                .parameters
                .as_ref()
                .ok_or_else(unsupported)?
                .decode_as::<PssParams>()
                .map_err(|_| unsupported())?;
            // RFC 4055 §3.1 defaults: SHA-1, MGF1 with SHA-1, salt 20, trailer 1.
            let hash = match &params.hash {
                None => Hash::Sha1,
                Some(h) => Hash::from_digest_oid(&h.oid).ok_or_else(unsupported)?,
            };
            // We support MGF1 with the same hash as the message digest only (the
            // combination RFC 8551 §2.2 and every known implementation use).
            let mgf_hash = match &params.mask_gen {
                None => oid::SHA1,
                Some(m) if m.oid == oid::MGF1 => {
                    m.parameters
                        .as_ref()
                        .ok_or_else(unsupported)?
                        .decode_as::<AlgorithmIdentifierOwned>()
                        .map_err(|_| unsupported())?
                        .oid
                }
                Some(_) => return Err(unsupported()),
            };
            if Hash::from_digest_oid(&mgf_hash).map(|h| h as u8) != Some(hash as u8) {
                return Err(unsupported());
            }
            if params.trailer.unwrap_or(1) != 1 {
                return Err(unsupported());
            }
            let salt_len =
                usize::try_from(params.salt_len.unwrap_or(20)).map_err(|_| unsupported())?;
            Scheme::RsaPss { hash, salt_len }
        }
        _ => return Err(unsupported()),
    })
}

fn hash_name(h: Hash) -> Option<&'static str> {
    match h {
        Hash::Sha1 => Some("SHA-1"),
        _ => None,
    }
}

/// Verifies `sig` over `msg` with the key `spki` and algorithm `alg`.
/// `inherited_dsa` are the DSA domain parameters of the issuer's key when `spki`
/// has none (RFC 3279 §2.3.2).
pub(crate) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    inherited_dsa: Option<&Any>,
    alg: &AlgorithmIdentifierOwned,
    msg: &[u8],
    sig: &[u8],
    historic: bool,
    rsa_floor: usize,
) -> Result<SigOk, SigError> {
    let scheme = scheme(alg)?;
    let hash = match &scheme {
        Scheme::RsaPkcs1(h) | Scheme::Ecdsa(h) | Scheme::Dsa(h) => Some(*h),
        Scheme::RsaPss { hash, .. } => Some(*hash),
        Scheme::Ed25519 | Scheme::RsaPkcs1Md5 => None,
    };
    // DSA is for reading old mail only (RFC 8551 §2.2 lists no DSA for receiving).
    let weak = if matches!(scheme, Scheme::Dsa(_)) {
        Some("DSA")
    } else if matches!(scheme, Scheme::RsaPkcs1Md5) {
        Some("MD5")
    } else {
        hash.and_then(hash_name)
    };
    if let Some(name) = weak
        && !historic
    {
        return Err(SigError::Weak(name));
    }
    let key_oid = spki.algorithm.oid;
    let key_bits = spki.subject_public_key.raw_bytes();
    match scheme {
        Scheme::RsaPkcs1Md5 => {
            require_key(key_oid, &[oid::RSA_ENCRYPTION], alg)?;
            let key = rsa_key(key_bits, rsa_floor)?;
            check_rsa_sig_len(&key, sig)?;
            key.verify(
                rsa::Pkcs1v15Sign::new::<md5::Md5>(),
                &md5::Md5::digest(msg),
                sig,
            )
            .map_err(|_| SigError::Bad)?;
        }
        Scheme::RsaPkcs1(h) => {
            require_key(key_oid, &[oid::RSA_ENCRYPTION], alg)?;
            let key = rsa_key(key_bits, rsa_floor)?;
            check_rsa_sig_len(&key, sig)?;
            let padding = match h {
                Hash::Sha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
                Hash::Sha224 => rsa::Pkcs1v15Sign::new::<Sha224>(),
                Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            key.verify(padding, &h.digest(msg), sig)
                .map_err(|_| SigError::Bad)?;
        }
        Scheme::RsaPss { hash, salt_len } => {
            require_key(key_oid, &[oid::RSA_ENCRYPTION, oid::RSASSA_PSS], alg)?;
            let key = rsa_key(key_bits, rsa_floor)?;
            check_rsa_sig_len(&key, sig)?;
            let hashed = hash.digest(msg);
            let result = match hash {
                Hash::Sha1 => key.verify(rsa::Pss::<Sha1>::new_with_salt(salt_len), &hashed, sig),
                Hash::Sha224 => {
                    key.verify(rsa::Pss::<Sha224>::new_with_salt(salt_len), &hashed, sig)
                }
                Hash::Sha256 => {
                    key.verify(rsa::Pss::<Sha256>::new_with_salt(salt_len), &hashed, sig)
                }
                Hash::Sha384 => {
                    key.verify(rsa::Pss::<Sha384>::new_with_salt(salt_len), &hashed, sig)
                }
                Hash::Sha512 => {
                    key.verify(rsa::Pss::<Sha512>::new_with_salt(salt_len), &hashed, sig)
                }
            };
            result.map_err(|_| SigError::Bad)?;
        }
        Scheme::Ecdsa(h) => {
            require_key(key_oid, &[oid::EC_PUBLIC_KEY], alg)?;
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
            let hashed = h.digest(msg);
            match curve {
                Some(c) if c == oid::SECP256R1 => {
                    use p256::ecdsa::signature::hazmat::PrehashVerifier;
                    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
                        .map_err(|_| SigError::BadKey)?;
                    let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| SigError::Bad)?;
                    key.verify_prehash(&hashed, &s).map_err(|_| SigError::Bad)?;
                }
                Some(c) if c == oid::SECP384R1 => {
                    use p384::ecdsa::signature::hazmat::PrehashVerifier;
                    let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bits)
                        .map_err(|_| SigError::BadKey)?;
                    let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| SigError::Bad)?;
                    key.verify_prehash(&hashed, &s).map_err(|_| SigError::Bad)?;
                }
                Some(c) => return Err(SigError::Unsupported(c)),
                None => return Err(SigError::BadKey),
            }
        }
        Scheme::Ed25519 => {
            require_key(key_oid, &[oid::ED25519], alg)?;
            let bytes: [u8; 32] = key_bits.try_into().map_err(|_| SigError::BadKey)?;
            let key =
                ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| SigError::BadKey)?;
            let s = ed25519_dalek::Signature::from_slice(sig).map_err(|_| SigError::Bad)?;
            key.verify_strict(msg, &s).map_err(|_| SigError::Bad)?;
        }
        Scheme::Dsa(h) => {
            require_key(key_oid, &[oid::DSA], alg)?;
            let params = match spki.algorithm.parameters.as_ref() {
                Some(p) => p,
                None => inherited_dsa.ok_or(SigError::NeedsDsaParams)?,
            };
            verify_dsa(params, key_bits, &h.digest(msg), sig)?;
        }
    }
    Ok(SigOk { historic: weak })
}

fn require_key(
    key: der::asn1::ObjectIdentifier,
    allowed: &[der::asn1::ObjectIdentifier],
    alg: &AlgorithmIdentifierOwned,
) -> Result<(), SigError> {
    if allowed.contains(&key) {
        Ok(())
    } else {
        Err(SigError::Unsupported(alg.oid))
    }
}

fn rsa_key(spk: &[u8], floor: usize) -> Result<rsa::PublicKey, SigError> {
    let parsed = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(spk).map_err(|_| SigError::BadKey)?;
    let n_bytes = parsed.modulus.as_bytes();
    let bits = bit_len(n_bytes);
    if bits > MAX_RSA_BITS {
        return Err(SigError::TooLarge);
    }
    if bits < floor {
        return Err(SigError::SmallKey(bits));
    }
    let n = rsa::BoxedUint::from_be_slice_vartime(n_bytes);
    let e = rsa::BoxedUint::from_be_slice_vartime(parsed.public_exponent.as_bytes());
    rsa::PublicKey::new_with_size_limits(n, e, ABSOLUTE_MIN_RSA_BITS..=MAX_RSA_BITS)
        .map_err(|_| SigError::BadKey)
}

fn check_rsa_sig_len(key: &rsa::PublicKey, sig: &[u8]) -> Result<(), SigError> {
    use rsa::traits::PublicKeyParts;
    if sig.len() != key.size() {
        return if sig.len() > MAX_RSA_BITS / 8 {
            Err(SigError::TooLarge)
        } else {
            Err(SigError::Bad)
        };
    }
    Ok(())
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn bit_len(bytes: &[u8]) -> usize {
    let mut iter = bytes.iter().skip_while(|b| **b == 0);
    match iter.next() {
        None => 0,
        Some(first) => {
            let rest = iter.count();
            rest * 8 + (8 - first.leading_zeros() as usize)
        }
    }
}

/// DSA verification (FIPS 186-4 §4.7) with the `dsa` crate; 1024/160 and the FIPS
/// 186-4 sizes are accepted.
fn verify_dsa(params: &Any, key_bits: &[u8], hashed: &[u8], sig: &[u8]) -> Result<(), SigError> {
    use dsa::signature::hazmat::PrehashVerifier;
    let p = params
        .decode_as::<DssParms<'_>>()
        .map_err(|_| SigError::BadKey)?;
    let y = UintRef::from_der(key_bits).map_err(|_| SigError::BadKey)?;
    if bit_len(p.p.as_bytes()) > 3072 {
        return Err(SigError::TooLarge);
    }
    let big = |u: &UintRef<'_>| dsa::BoxedUint::from_be_slice_vartime(u.as_bytes());
    let components = dsa::Components::from_components(big(&p.p), big(&p.q), big(&p.g))
        .map_err(|_| SigError::BadKey)?;
    let key =
        dsa::VerifyingKey::from_components(components, big(&y)).map_err(|_| SigError::BadKey)?;
    let s = dsa::Signature::try_from(sig).map_err(|_| SigError::Bad)?;
    key.verify_prehash(hashed, &s).map_err(|_| SigError::Bad)
}

/// Splits a signed structure (`SEQUENCE { tbs, algorithm, signature }`, RFC 5280 §4.1
/// and §5.1) into the exact bytes of its first element: the signature covers those,
/// never a re-encoding.
pub(crate) fn tbs_bytes(der_bytes: &[u8]) -> Option<&[u8]> {
    use der::{Header, Length, Reader, SliceReader};
    let mut outer = SliceReader::new(der_bytes).ok()?;
    let header = Header::decode(&mut outer).ok()?;
    if header.tag() != der::Tag::Sequence {
        return None;
    }
    let start = usize::try_from(outer.position()).ok()?;
    let inner = Header::decode(&mut outer).ok()?;
    let after_header = usize::try_from(outer.position()).ok()?;
    let len = usize::try_from(inner.length()).ok()?;
    let end = after_header.checked_add(len)?;
    let _ = Length::ZERO;
    der_bytes.get(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0x01]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0, 0x7f, 0]), 15);
    }

    #[test]
    fn tbs_of_garbage_is_none() {
        assert_eq!(tbs_bytes(&[]), None);
        assert_eq!(tbs_bytes(&[0x30, 0x05, 0x30, 0x09]), None);
        assert_eq!(
            tbs_bytes(&[0x30, 0x04, 0x30, 0x02, 1, 2]),
            Some(&[0x30, 0x02, 1, 2][..])
        );
    }

    /// RSASSA-PSS-params as OpenSSL 3.0 writes them for `cms -sign -keyopt
    /// rsa_padding_mode:pss` with an RSA-3072 key: SHA-256, MGF1-SHA-256, salt 350.
    #[test]
    fn pss_salt_over_255() {
        let der: Vec<u8> = (0..OPENSSL_PSS_3072.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&OPENSSL_PSS_3072[i..i + 2], 16).unwrap())
            .collect();
        let alg = AlgorithmIdentifierOwned {
            oid: oid::RSASSA_PSS,
            parameters: Some(Any::from_der(&der).unwrap()),
        };
        assert!(matches!(
            scheme(&alg),
            Ok(Scheme::RsaPss {
                hash: Hash::Sha256,
                salt_len: 350
            })
        ));
        // The reason PssParams is ours: pkcs1's u8 saltLength refuses it.
        assert!(pkcs1::RsaPssParams::<Any>::from_der(&der).is_err());
    }

    const OPENSSL_PSS_3072: &str = "3035a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a2040202015e";
}
