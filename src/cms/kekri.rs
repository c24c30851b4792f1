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

use std::io::{Read, Write};

use cms::enveloped_data::KekRecipientInfo;
use zeroize::Zeroizing;

use crate::cms::envelope_open::{DecryptInfo, Decrypted, Opener, open_stream};
use crate::cms::key_wrap::KeyWrap;
use crate::error::{CmsError, Error};

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

/// Decrypts an EnvelopedData/AuthEnvelopedData held in memory whose
/// KEKRecipientInfo has the key identifier `kek_id`, with the symmetric
/// key-encryption key `kek` (16, 24 or 32 bytes for AES-128/192/256 key wrap).
///
/// Errors: [`CmsError::NotARecipient`] when no KEKRecipientInfo carries `kek_id`;
/// [`CmsError::DecryptionFailed`] for a wrong key or damaged content;
/// [`CmsError::InvalidParameters`] when `kek` has the wrong length for the
/// message's key-wrap algorithm.
///
/// ```
/// use smime::cms::decrypt_with_kek;
/// // RFC 9216 / draft-ireland-examples-cms "encryptedKekri" names its KEK "keyid".
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/rfc9216/binary-files/encryptedKekri.p7m"));
/// # if let Ok(der) = der {
/// let err = decrypt_with_kek(&der, b"another id", &[0u8; 32]).unwrap_err();
/// assert!(matches!(err, smime::Error::Cms(smime::CmsError::NotARecipient)));
/// # }
/// ```
pub fn decrypt_with_kek(input: &[u8], kek_id: &[u8], kek: &[u8]) -> Result<Decrypted, Error> {
    let mut out = Vec::new();
    let info = decrypt_stream_with_kek(input, kek_id, kek, &mut out)?;
    Ok(Decrypted::new(out, info))
}

/// Streaming form of [`decrypt_with_kek`]: reads the CMS from `input` and writes
/// the content to `out`, with the same rules as
/// [`decrypt_stream`](crate::cms::decrypt_stream) (bounded memory; AEAD content
/// released only after its tag verifies).
pub fn decrypt_stream_with_kek<R: Read, W: Write>(
    input: R,
    kek_id: &[u8],
    kek: &[u8],
    out: W,
) -> Result<DecryptInfo, Error> {
    open_stream(
        input,
        Opener::Kek {
            id: kek_id,
            key: kek,
        },
        out,
    )
}
