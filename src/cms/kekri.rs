//! KEKRecipientInfo (RFC 5652 §6.2.3): opening an envelope with a previously
//! distributed symmetric key-encryption key (a "mail list key").
//!
//! ```text
//! KEKRecipientInfo ::= SEQUENCE {
//!   version CMSVersion,  -- always set to 4
//!   kekid KEKIdentifier,  -- SEQUENCE { keyIdentifier OCTET STRING, date, other }
//!   keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
//!   encryptedKey EncryptedKey }
//! ```
//!
//! The key-encryption algorithm is AES key wrap (RFC 3565 §2.3.2). A wrong key
//! and a damaged wrapped key are the same [`CmsError::DecryptionFailed`].

use cms::enveloped_data::KekRecipientInfo;
use zeroize::Zeroizing;

use crate::cms::key_wrap::KeyWrap;
use crate::error::CmsError;

/// Unwraps the CEK with the caller's `kek`. Typed errors for an unknown wrap
/// algorithm and a KEK of the wrong size (the caller's mistake, not the
/// message's); `Ok(None)` when the unwrap fails.
pub(crate) fn unwrap(
    kekri: &KekRecipientInfo,
    kek: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, CmsError> {
    let alg = &kekri.key_enc_alg;
    let wrap = KeyWrap::from_oid(alg.oid).ok_or(CmsError::UnsupportedAlgorithm {
        kind: "key-encryption (KEKRecipientInfo)",
        oid: alg.oid,
    })?;
    if kek.len() != wrap.kek_len() {
        return Err(CmsError::InvalidParameters {
            algorithm: "AES key wrap",
            reason: format!(
                "the key-encryption key is {} bytes; {} needs {}",
                kek.len(),
                alg.oid,
                wrap.kek_len()
            ),
        });
    }
    Ok(wrap.unwrap(kek, kekri.encrypted_key.as_bytes()))
}
