//! AES key wrap (RFC 3394) as CMS uses it: the KeyWrapAlgorithm of an ECDH
//! KeyAgreeRecipientInfo (RFC 5753 §3.1.1, RFC 8418 §2) and the
//! keyEncryptionAlgorithm of a KEKRecipientInfo (RFC 3565 §2.3.2).
//!
//! RFC 3565 §2.3.2: the id-aes*-wrap AlgorithmIdentifiers carry no parameters.
//!
//! Old clients (Bouncy Castle, OpenSSL 1.1.1 with 3DES content) wrap with the CMS
//! Triple-DES key wrap of RFC 3217 §3; we unwrap it to read their mail and never
//! produce it.
//! RFC 8551 §2.3: the wrap strength equals the content-encryption strength.

use aes_kw::{KeyInit, KwAes128, KwAes192, KwAes256};
use der::asn1::ObjectIdentifier;
use zeroize::Zeroizing;

use crate::cms::algorithms::ContentCipher;
use crate::error::CmsError;
use crate::oid;

/// An AES key-wrap algorithm (RFC 3394).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyWrap {
    Aes128,
    Aes192,
    Aes256,
    /// RFC 3217 §3, decrypt only.
    TripleDes,
}

impl KeyWrap {
    /// The wrap algorithm for a content cipher: the same strength (RFC 8551 §2.3).
    pub fn for_content(cipher: ContentCipher) -> Self {
        match cipher.key_len() {
            16 => KeyWrap::Aes128,
            24 => KeyWrap::Aes192,
            _ => KeyWrap::Aes256,
        }
    }

    pub fn from_oid(o: ObjectIdentifier) -> Option<Self> {
        match o {
            o if o == oid::AES128_WRAP => Some(KeyWrap::Aes128),
            o if o == oid::AES192_WRAP => Some(KeyWrap::Aes192),
            o if o == oid::AES256_WRAP => Some(KeyWrap::Aes256),
            o if o == oid::TRIPLE_DES_WRAP => Some(KeyWrap::TripleDes),
            _ => None,
        }
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            KeyWrap::Aes128 => oid::AES128_WRAP,
            KeyWrap::Aes192 => oid::AES192_WRAP,
            KeyWrap::Aes256 => oid::AES256_WRAP,
            KeyWrap::TripleDes => oid::TRIPLE_DES_WRAP,
        }
    }

    /// Length of the key-encryption key in bytes.
    pub fn kek_len(self) -> usize {
        match self {
            KeyWrap::Aes128 => 16,
            KeyWrap::Aes192 | KeyWrap::TripleDes => 24,
            KeyWrap::Aes256 => 32,
        }
    }

    /// Wraps `cek` (a multiple of 8 bytes, at least 16) under `kek`.
    pub fn wrap(self, kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, CmsError> {
        let bad = |e: String| CmsError::malformed("key wrap", e);
        if cek.len() < 16 || !cek.len().is_multiple_of(8) {
            return Err(bad(format!(
                "a key of {} bytes cannot be wrapped",
                cek.len()
            )));
        }
        let mut out = vec![0u8; cek.len() + aes_kw::IV_LEN];
        let r = match self {
            KeyWrap::Aes128 => KwAes128::new_from_slice(kek)
                .map_err(|e| bad(e.to_string()))?
                .wrap_key(cek, &mut out)
                .map(<[u8]>::len),
            KeyWrap::Aes192 => KwAes192::new_from_slice(kek)
                .map_err(|e| bad(e.to_string()))?
                .wrap_key(cek, &mut out)
                .map(<[u8]>::len),
            KeyWrap::Aes256 => KwAes256::new_from_slice(kek)
                .map_err(|e| bad(e.to_string()))?
                .wrap_key(cek, &mut out)
                .map(<[u8]>::len),
            KeyWrap::TripleDes => {
                return Err(bad(
                    "3DES key wrap is read-only (RFC 3217 is historic)".into()
                ));
            }
        };
        let n = r.map_err(|e| bad(e.to_string()))?;
        out.truncate(n);
        Ok(out)
    }

    /// Unwraps `wrapped` under `kek`. `None` on a wrong length (RFC 3394 §2.2.2:
    /// at least three 64-bit blocks), a KEK of the wrong size or a failed
    /// integrity check: the caller treats all of them alike (RFC 3218).
    pub fn unwrap(self, kek: &[u8], wrapped: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if self == KeyWrap::TripleDes {
            return unwrap_3des(kek, wrapped);
        }
        if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) || wrapped.len() > 1024 {
            return None;
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let n = match self {
            KeyWrap::Aes128 => KwAes128::new_from_slice(kek)
                .ok()?
                .unwrap_key(wrapped, &mut out)
                .ok()?
                .len(),
            KeyWrap::Aes192 => KwAes192::new_from_slice(kek)
                .ok()?
                .unwrap_key(wrapped, &mut out)
                .ok()?
                .len(),
            KeyWrap::Aes256 => KwAes256::new_from_slice(kek)
                .ok()?
                .unwrap_key(wrapped, &mut out)
                .ok()?
                .len(),
            KeyWrap::TripleDes => return None,
        };
        out.truncate(n);
        Some(out)
    }
}

/// RFC 3217 §3.2: "Triple-DES Key Unwrap".
fn unwrap_3des(kek: &[u8], wrapped: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use aes::cipher::array::Array;
    use aes::cipher::{BlockModeDecrypt, KeyIvInit};
    use sha1::{Digest, Sha1};
    /// RFC 3217 §3.1 step 6: the fixed IV of the outer encryption.
    const OUTER_IV: [u8; 8] = [0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05];
    let cbc_decrypt = |iv: &[u8], data: &mut [u8]| -> Option<()> {
        let mut d = cbc::Decryptor::<des::TdesEde3>::new_from_slices(kek, iv).ok()?;
        let (blocks, rest) = Array::slice_as_chunks_mut(data);
        if !rest.is_empty() {
            return None;
        }
        d.decrypt_blocks(blocks);
        Some(())
    };
    // Step 1: a multiple of 8 octets; a 3DES key (24) + ICV (8) + IV (8) = 40.
    if wrapped.len() != 40 {
        return None;
    }
    // Steps 2-3: decrypt with the fixed IV, then reverse the octets.
    let mut temp = Zeroizing::new(wrapped.to_vec());
    cbc_decrypt(&OUTER_IV, &mut temp)?;
    temp.reverse();
    // Steps 4-5: the first 8 octets are the IV of the inner encryption.
    let (iv, rest) = temp.split_at_mut(8);
    let iv = iv.to_vec();
    cbc_decrypt(&iv, rest)?;
    // Steps 6-7: CEK || ICV, ICV = first 8 octets of SHA-1(CEK).
    let (cek, icv) = rest.split_at(rest.len() - 8);
    let check = Sha1::digest(cek);
    let diff = check.iter().zip(icv).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        return None;
    }
    Some(Zeroizing::new(cek.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3394 §4.1 and §4.6 test vectors.
    #[test]
    fn rfc3394_vectors() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let data = hex("00112233445566778899AABBCCDDEEFF");
        let kek128 = hex("000102030405060708090A0B0C0D0E0F");
        let want = hex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
        assert_eq!(KeyWrap::Aes128.wrap(&kek128, &data).unwrap(), want);
        assert_eq!(
            KeyWrap::Aes128.unwrap(&kek128, &want).unwrap().as_slice(),
            data
        );
        let kek256 = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        let data256 = hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        let want256 =
            hex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
        assert_eq!(KeyWrap::Aes256.wrap(&kek256, &data256).unwrap(), want256);
        assert_eq!(
            KeyWrap::Aes256
                .unwrap(&kek256, &want256)
                .unwrap()
                .as_slice(),
            data256
        );
        // Tampering, wrong KEK, wrong lengths: None.
        let mut bad = want.clone();
        bad[3] ^= 1;
        assert!(KeyWrap::Aes128.unwrap(&kek128, &bad).is_none());
        assert!(KeyWrap::Aes128.unwrap(&kek256[..16], &want).is_some());
        assert!(KeyWrap::Aes128.unwrap(&[0u8; 16], &want).is_none());
        assert!(KeyWrap::Aes128.unwrap(&kek128, &want[..16]).is_none());
        assert!(KeyWrap::Aes128.unwrap(&kek128, &want[..23]).is_none());
        assert!(KeyWrap::Aes256.unwrap(&kek128, &want).is_none());
    }

    #[test]
    fn strength_follows_content() {
        assert_eq!(
            KeyWrap::for_content(ContentCipher::Aes128Gcm),
            KeyWrap::Aes128
        );
        assert_eq!(
            KeyWrap::for_content(ContentCipher::Aes192Cbc),
            KeyWrap::Aes192
        );
        assert_eq!(
            KeyWrap::for_content(ContentCipher::Aes256Cbc),
            KeyWrap::Aes256
        );
    }
}
