//! KeyAgreeRecipientInfo (RFC 5652 §6.2.2) with ephemeral-static ECDH:
//! P-256/P-384 per RFC 5753 §3.1 and X25519 per RFC 8418 §2.
//!
//! ```text
//! KeyAgreeRecipientInfo ::= SEQUENCE {
//!   version CMSVersion,  -- always set to 3
//!   originator [0] EXPLICIT OriginatorIdentifierOrKey,   -- originatorKey: the ephemeral key
//!   ukm [1] EXPLICIT UserKeyingMaterial OPTIONAL,
//!   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,  -- scheme { KeyWrapAlgorithm }
//!   recipientEncryptedKeys RecipientEncryptedKeys }
//! ```
//!
//! Sending: a fresh ephemeral key per recipient, the KDF by curve (P-256:
//! dhSinglePass-stdDH-sha256kdf, P-384: sha384kdf, X25519: stdDH-hkdf-sha256) and
//! the key wrap of the content's strength (RFC 8551 §2.3). Receiving: every
//! stdDH and cofactorDH X9.63 scheme of RFC 5753 §7.1.4 (cofactor 1 on P-256/P-384,
//! so the two compute the same) and the RFC 8418 HKDF schemes.
//!
//! Structural problems (unknown scheme, missing KeyWrapAlgorithm) are typed errors;
//! anything that depends on our private key (a bad or low-order ephemeral point, a
//! wrapped key that does not unwrap) yields `None`, which the caller turns into the
//! uniform [`CmsError::DecryptionFailed`] (RFC 3218 spirit).

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::CmsVersion;
use cms::enveloped_data::{
    KeyAgreeRecipientIdentifier, KeyAgreeRecipientInfo, OriginatorIdentifierOrKey,
    OriginatorPublicKey, RecipientEncryptedKey, RecipientInfo, RecipientKeyIdentifier,
};
use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use rand::TryRng;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::cert::{Certificate, KeyAlgorithm, PrivateKey};
use crate::cms::algorithms::{ContentCipher, RecipientIdKind};
use crate::cms::kdf::{self, Kdf, KdfHash};
use crate::cms::key_wrap::KeyWrap;
use crate::error::{CertificateError, CmsError};
use crate::oid;
use crate::trust::{self, Purpose};

/// The KDF a key-agreement scheme OID names (RFC 5753 §7.1.4, RFC 8418 §5).
pub(crate) fn scheme_kdf(o: ObjectIdentifier) -> Option<Kdf> {
    use KdfHash::*;
    Some(match o {
        o if o == oid::DH_STD_SHA1_KDF || o == oid::DH_COFACTOR_SHA1_KDF => Kdf::X963(Sha1),
        o if o == oid::DH_STD_SHA224_KDF || o == oid::DH_COFACTOR_SHA224_KDF => Kdf::X963(Sha224),
        o if o == oid::DH_STD_SHA256_KDF || o == oid::DH_COFACTOR_SHA256_KDF => Kdf::X963(Sha256),
        o if o == oid::DH_STD_SHA384_KDF || o == oid::DH_COFACTOR_SHA384_KDF => Kdf::X963(Sha384),
        o if o == oid::DH_STD_SHA512_KDF || o == oid::DH_COFACTOR_SHA512_KDF => Kdf::X963(Sha512),
        o if o == oid::DH_STD_HKDF_SHA256 => Kdf::Hkdf(Sha256),
        o if o == oid::DH_STD_HKDF_SHA384 => Kdf::Hkdf(Sha384),
        o if o == oid::DH_STD_HKDF_SHA512 => Kdf::Hkdf(Sha512),
        _ => return None,
    })
}

fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>, CmsError> {
    let mut b = Zeroizing::new([0u8; N]);
    rand::rngs::SysRng
        .try_fill_bytes(b.as_mut())
        .map_err(|_| CmsError::Random)?;
    Ok(b)
}

/// The recipient's static public key, as its certificate carries it.
fn recipient_public_bits(cert: &Certificate) -> Result<Vec<u8>, CmsError> {
    let unusable = |reason: String| CmsError::UnusableRecipient {
        subject: cert.subject(),
        reason,
    };
    cert.x509()
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| unusable("its public key is not a whole number of bytes".into()))
}

/// One ephemeral-static agreement: (originator AlgorithmIdentifier, ephemeral
/// public key bytes, shared secret Z, scheme OID, KDF).
type Agreement = (
    AlgorithmIdentifierOwned,
    Vec<u8>,
    Zeroizing<Vec<u8>>,
    ObjectIdentifier,
    Kdf,
);

fn agree_as_sender(cert: &Certificate) -> Result<Agreement, CmsError> {
    let unusable = |reason: String| CmsError::UnusableRecipient {
        subject: cert.subject(),
        reason,
    };
    let bits = recipient_public_bits(cert)?;
    // RFC 5753 §7.1.2: SHOULD send id-ecPublicKey with absent parameters.
    let ec_alg = AlgorithmIdentifierOwned {
        oid: oid::EC_PUBLIC_KEY,
        parameters: None,
    };
    match cert.key_algorithm() {
        KeyAlgorithm::EcP256 => {
            let public = p256::PublicKey::from_sec1_bytes(&bits)
                .map_err(|_| unusable("invalid P-256 public key".into()))?;
            let eph = loop {
                if let Ok(k) = p256::SecretKey::from_slice(random_bytes::<32>()?.as_ref()) {
                    break k;
                }
            };
            let z = p256::ecdh::diffie_hellman(eph.to_nonzero_scalar(), public.as_affine());
            Ok((
                ec_alg,
                eph.public_key().to_sec1_bytes().to_vec(),
                Zeroizing::new(z.raw_secret_bytes().to_vec()),
                oid::DH_STD_SHA256_KDF,
                Kdf::X963(KdfHash::Sha256),
            ))
        }
        KeyAlgorithm::EcP384 => {
            let public = p384::PublicKey::from_sec1_bytes(&bits)
                .map_err(|_| unusable("invalid P-384 public key".into()))?;
            let eph = loop {
                if let Ok(k) = p384::SecretKey::from_slice(random_bytes::<48>()?.as_ref()) {
                    break k;
                }
            };
            let z = p384::ecdh::diffie_hellman(eph.to_nonzero_scalar(), public.as_affine());
            Ok((
                ec_alg,
                eph.public_key().to_sec1_bytes().to_vec(),
                Zeroizing::new(z.raw_secret_bytes().to_vec()),
                oid::DH_STD_SHA384_KDF,
                Kdf::X963(KdfHash::Sha384),
            ))
        }
        KeyAlgorithm::X25519 => {
            let public: [u8; 32] = bits
                .as_slice()
                .try_into()
                .map_err(|_| unusable("X25519 public key is not 32 bytes".into()))?;
            let public = x25519_dalek::PublicKey::from(public);
            let eph = x25519_dalek::StaticSecret::from(*random_bytes::<32>()?);
            let z = eph.diffie_hellman(&public);
            // RFC 8418 §2 / RFC 7748 §6.1: an all-zero result means a low-order key.
            if !z.was_contributory() {
                return Err(unusable("X25519 public key of low order".into()));
            }
            Ok((
                // RFC 8418 §2: id-X25519 with absent parameters.
                AlgorithmIdentifierOwned {
                    oid: oid::X25519,
                    parameters: None,
                },
                x25519_dalek::PublicKey::from(&eph).as_bytes().to_vec(),
                Zeroizing::new(z.as_bytes().to_vec()),
                oid::DH_STD_HKDF_SHA256,
                Kdf::Hkdf(KdfHash::Sha256),
            ))
        }
        other => Err(unusable(format!(
            "its {other} key cannot be used for ECDH key agreement"
        ))),
    }
}

/// The KeyWrapAlgorithm AlgorithmIdentifier, DER (parameters absent, RFC 3565 §2.3.2).
fn wrap_identifier(wrap: KeyWrap) -> Result<der::Any, CmsError> {
    let alg = AlgorithmIdentifierOwned {
        oid: wrap.oid(),
        parameters: None,
    };
    let der = alg
        .to_der()
        .map_err(|e| CmsError::malformed("KeyWrapAlgorithm", e))?;
    der::Any::from_der(&der).map_err(|e| CmsError::malformed("KeyWrapAlgorithm", e))
}

/// Builds the KeyAgreeRecipientInfo that carries `cek` to `cert`'s EC or X25519 key.
pub(crate) fn key_agree_recipient(
    cert: &Certificate,
    cek: &[u8],
    cipher: ContentCipher,
    rid_kind: RecipientIdKind,
) -> Result<RecipientInfo, CmsError> {
    let unusable = |reason: String| CmsError::UnusableRecipient {
        subject: cert.subject(),
        reason,
    };
    // The trust layer's rule for encrypting to a key (RFC 8550 §4.4.2, REQUIREMENTS.md
    // §1 #9): keyAgreement, not encipherOnly, EKU allowing email protection.
    if let Some(problem) = trust::problem_for(cert, Purpose::Encrypt, oid::KP_EMAIL_PROTECTION) {
        return Err(unusable(problem.to_string()));
    }
    let (originator_alg, ephemeral, z, scheme, kdf) = agree_as_sender(cert)?;
    let wrap = KeyWrap::for_content(cipher);
    let info = kdf::shared_info(wrap, None)?;
    let kek = kdf.derive(&z, &info, wrap.kek_len())?;
    let wrapped = wrap.wrap(&kek, cek)?;

    let rid = match rid_kind {
        RecipientIdKind::IssuerAndSerial => {
            let tbs = cert.x509().tbs_certificate();
            KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            })
        }
        RecipientIdKind::SubjectKeyId => {
            let ski = cert
                .subject_key_identifier()
                .ok_or_else(|| unusable(CertificateError::NoSubjectKeyIdentifier.to_string()))?;
            KeyAgreeRecipientIdentifier::RKeyId(RecipientKeyIdentifier {
                subject_key_identifier: x509_cert::ext::pkix::SubjectKeyIdentifier(
                    OctetString::new(ski).map_err(|e| CmsError::malformed("SKI", e))?,
                ),
                date: None,
                other: None,
            })
        }
    };
    Ok(RecipientInfo::Kari(KeyAgreeRecipientInfo {
        version: CmsVersion::V3,
        originator: OriginatorIdentifierOrKey::OriginatorKey(OriginatorPublicKey {
            algorithm: originator_alg,
            public_key: BitString::from_bytes(&ephemeral)
                .map_err(|e| CmsError::malformed("originatorKey", e))?,
        }),
        ukm: None,
        key_enc_alg: AlgorithmIdentifierOwned {
            oid: scheme,
            parameters: Some(wrap_identifier(wrap)?),
        },
        recipient_enc_keys: vec![RecipientEncryptedKey {
            rid,
            enc_key: OctetString::new(wrapped)
                .map_err(|e| CmsError::malformed("encrypted key", e))?,
        }],
    }))
}

/// Whether a KeyAgreeRecipientIdentifier names `cert`.
pub(crate) fn names(rid: &KeyAgreeRecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(ias) => {
            cert.is_issuer_and_serial(&ias.issuer, ias.serial_number.as_bytes())
        }
        KeyAgreeRecipientIdentifier::RKeyId(r) => {
            cert.is_key_identifier(r.subject_key_identifier.0.as_bytes())
        }
    }
}

/// The scheme's KDF and wrap algorithm, checked structurally (no key involved).
pub(crate) fn parse_algorithms(
    kari: &KeyAgreeRecipientInfo,
) -> Result<(Kdf, KeyWrap, Vec<u8>), CmsError> {
    let alg = &kari.key_enc_alg;
    let kdf = scheme_kdf(alg.oid).ok_or(CmsError::UnsupportedAlgorithm {
        kind: "key agreement",
        oid: alg.oid,
    })?;
    let bad = |reason: String| CmsError::InvalidParameters {
        algorithm: "ECDH key agreement",
        reason,
    };
    // RFC 5753 §3.1.1 / RFC 8418 §2: the parameters are the KeyWrapAlgorithm.
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| bad("keyEncryptionAlgorithm without a KeyWrapAlgorithm".into()))?;
    let wrap_alg = params
        .decode_as::<AlgorithmIdentifierOwned>()
        .map_err(|e| bad(format!("KeyWrapAlgorithm: {e}")))?;
    let key_info = params
        .to_der()
        .map_err(|e| bad(format!("KeyWrapAlgorithm: {e}")))?;
    let wrap = KeyWrap::from_oid(wrap_alg.oid).ok_or(CmsError::UnsupportedAlgorithm {
        kind: "key wrap",
        oid: wrap_alg.oid,
    })?;
    Ok((kdf, wrap, key_info))
}

/// The shared secret Z between the KARI's ephemeral key and our `key`; `None`
/// when the originator is not an ephemeral key of our curve or the point is
/// invalid (off the curve, the identity, low order).
fn agree_as_recipient(
    kari: &KeyAgreeRecipientInfo,
    key: &PrivateKey,
) -> Option<Zeroizing<Vec<u8>>> {
    let OriginatorIdentifierOrKey::OriginatorKey(orig) = &kari.originator else {
        return None;
    };
    let point = orig.public_key.as_bytes()?;
    let alg = orig.algorithm.oid;
    // RFC 5753 §7.1.2: id-ecPublicKey with absent parameters, NULL, or ECParameters
    // that must equal ours.
    let curve_ok = |want: ObjectIdentifier| match orig.algorithm.parameters.as_ref() {
        None => true,
        Some(p) if der::Tagged::tag(p) == der::Tag::Null => true,
        Some(p) => p.decode_as::<ObjectIdentifier>().ok() == Some(want),
    };
    match key {
        PrivateKey::P256(sk) if alg == oid::EC_PUBLIC_KEY && curve_ok(oid::SECP256R1) => {
            // from_sec1_bytes checks the point is on the curve and not the identity.
            let public = p256::PublicKey::from_sec1_bytes(point).ok()?;
            let z = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), public.as_affine());
            Some(Zeroizing::new(z.raw_secret_bytes().to_vec()))
        }
        PrivateKey::P384(sk) if alg == oid::EC_PUBLIC_KEY && curve_ok(oid::SECP384R1) => {
            let public = p384::PublicKey::from_sec1_bytes(point).ok()?;
            let z = p384::ecdh::diffie_hellman(sk.to_nonzero_scalar(), public.as_affine());
            Some(Zeroizing::new(z.raw_secret_bytes().to_vec()))
        }
        PrivateKey::X25519(sk) if alg == oid::X25519 => {
            let public: [u8; 32] = point.try_into().ok()?;
            let z = sk.diffie_hellman(&x25519_dalek::PublicKey::from(public));
            // RFC 8418 §2 (RFC 7748 §6.1): reject the all-zero shared secret.
            if !z.was_contributory() {
                return None;
            }
            Some(Zeroizing::new(z.as_bytes().to_vec()))
        }
        _ => None,
    }
}

/// A key-encryption key with its wrap algorithm.
pub(crate) type Kek = (KeyWrap, Zeroizing<Vec<u8>>);

/// Derives this KARI's key-encryption key with our key. `Ok(None)` when the
/// agreement fails (see [`agree_as_recipient`]).
pub(crate) fn derive_kek(
    kari: &KeyAgreeRecipientInfo,
    key: &PrivateKey,
) -> Result<Option<Kek>, CmsError> {
    let (kdf, wrap, key_info) = parse_algorithms(kari)?;
    let Some(z) = agree_as_recipient(kari, key) else {
        return Ok(None);
    };
    let ukm = kari.ukm.as_ref().map(OctetString::as_bytes);
    let info = kdf::shared_info_with(&key_info, wrap, ukm)?;
    Ok(Some((wrap, kdf.derive(&z, &info, wrap.kek_len())?)))
}

/// Unwraps the CEK addressed to `cert` (the first RecipientEncryptedKey naming
/// it) with our key. `Ok(None)` for every failure that involves the key.
pub(crate) fn unwrap_for(
    kari: &KeyAgreeRecipientInfo,
    cert: &Certificate,
    key: &PrivateKey,
) -> Result<Option<Zeroizing<Vec<u8>>>, CmsError> {
    let Some(rek) = kari.recipient_enc_keys.iter().find(|r| names(&r.rid, cert)) else {
        return Ok(None);
    };
    let Some((wrap, kek)) = derive_kek(kari, key)? else {
        return Ok(None);
    };
    Ok(wrap.unwrap(&kek, rek.enc_key.as_bytes()))
}

/// What our key unwraps from each of the first `max` RecipientEncryptedKeys of this
/// KARI, whoever their identifiers name (the "try our key everywhere" fallback): one
/// entry per key tried, `None` where the unwrap failed (AES key wrap's integrity check
/// makes a wrong key fail except with probability 2^-64).
pub(crate) fn unwrap_each(
    kari: &KeyAgreeRecipientInfo,
    key: &PrivateKey,
    max: usize,
) -> Vec<Option<Zeroizing<Vec<u8>>>> {
    let keys = kari.recipient_enc_keys.iter().take(max);
    match derive_kek(kari, key) {
        Ok(Some((wrap, kek))) => keys
            .map(|rek| wrap.unwrap(&kek, rek.enc_key.as_bytes()))
            .collect(),
        _ => keys.map(|_| None).collect(),
    }
}
