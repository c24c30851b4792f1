//! Password-based decryption of PKCS#12 bags and encrypted PKCS#8 keys.
//!
//! Two families reach us (RFC 7292 §4.1, Appendix C; RFC 8018 §6.2):
//!
//! * **PBES2** (what OpenSSL 3 writes by default: PBKDF2-HMAC-SHA256 +
//!   AES-256-CBC). Parsed and decrypted by the `pkcs5` crate; the password is its
//!   UTF-8 bytes (RFC 9579 §5, and what OpenSSL and NSS do).
//! * **The PKCS#12 PBEs** `pbeWithSHAAnd3-KeyTripleDES-CBC`, `…2-KeyTripleDES-CBC`,
//!   `…128BitRC2-CBC` and `…40BitRC2-CBC` (OpenSSL `-legacy`, Windows, older NSS and
//!   Java). Key and IV come from the Appendix B KDF with SHA-1 over the BMPString
//!   password; the ciphers are `des` / `rc2` in CBC mode with PKCS#7 padding.
//!
//! Bad padding after decryption is the one sign of a wrong password we get when
//! the file has no MAC, so it is reported as [`DecryptError::WrongPassword`].

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, InnerIvInit, KeyInit};
use der::asn1::{AnyRef, ObjectIdentifier};
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use super::asn1::Pkcs12PbeParams;
use super::kdf::{self, Hash, Purpose};
use crate::oid;

/// The most iterations of any password KDF we run. Files in the wild use 1 to
/// 600 000 (Firefox); ten million bounds the CPU time a hostile file can cost
/// (a few seconds) without refusing anything real.
pub(crate) const MAX_ITERATIONS: u32 = 10_000_000;

/// A password in the forms the different mechanisms need.
pub(crate) struct Password {
    /// UTF-8 bytes, for PBES2 and PBMAC1.
    utf8: Zeroizing<Vec<u8>>,
    /// BMPString forms for the Appendix B KDF, most likely first. An empty
    /// password has two: `00 00` (the encoded empty string, which OpenSSL and NSS
    /// write) and no bytes at all (an absent password, which some writers use).
    bmp: Vec<Zeroizing<Vec<u8>>>,
}

impl Password {
    pub(crate) fn new(password: &[u8]) -> Self {
        let mut bmp = vec![kdf::bmp_password(password)];
        if password.is_empty() {
            bmp.push(Zeroizing::new(Vec::new()));
        }
        Password {
            utf8: Zeroizing::new(password.to_vec()),
            bmp,
        }
    }

    pub(crate) fn utf8(&self) -> &[u8] {
        &self.utf8
    }

    /// The BMPString candidates, most likely first.
    pub(crate) fn bmp_candidates(&self) -> &[Zeroizing<Vec<u8>>] {
        &self.bmp
    }

    /// Keeps only the BMPString form at `index` (the one the MAC proved right).
    pub(crate) fn settle_bmp(&mut self, index: usize) {
        if index < self.bmp.len() {
            let chosen = self.bmp.swap_remove(index);
            self.bmp = vec![chosen];
        }
    }
}

/// Why decryption failed.
#[derive(Debug)]
pub(crate) enum DecryptError {
    /// The padding (or GCM tag) is wrong: almost certainly the wrong password.
    WrongPassword,
    /// An algorithm we do not implement.
    Unsupported(ObjectIdentifier),
    /// Parameters or ciphertext are malformed.
    Malformed(String),
}

/// Decrypts `ciphertext` encrypted under `algorithm` with `password`.
pub(crate) fn decrypt(
    algorithm: &AlgorithmIdentifierRef<'_>,
    ciphertext: &[u8],
    password: &Password,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let oid = algorithm.oid;
    if oid == oid::PBES2 {
        return pbes2(algorithm.parameters, ciphertext, password);
    }
    let (key_len, cipher) = match oid {
        o if o == oid::PBE_SHA_3DES => (24, LegacyCipher::TripleDes),
        o if o == oid::PBE_SHA_2DES => (16, LegacyCipher::TwoKeyTripleDes),
        o if o == oid::PBE_SHA_RC2_128 => (16, LegacyCipher::Rc2 { bits: 128 }),
        o if o == oid::PBE_SHA_RC2_40 => (5, LegacyCipher::Rc2 { bits: 40 }),
        other => return Err(DecryptError::Unsupported(other)),
    };
    let params: Pkcs12PbeParams<'_> = algorithm
        .parameters
        .ok_or_else(|| DecryptError::Malformed("PBE parameters missing".into()))?
        .decode_as()
        .map_err(|e| DecryptError::Malformed(format!("PBE parameters: {e}")))?;
    check_iterations(params.iterations)?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(8) {
        return Err(DecryptError::Malformed(
            "ciphertext is not a whole number of 8-byte blocks".into(),
        ));
    }
    let salt = params.salt.as_bytes();
    let mut last = DecryptError::WrongPassword;
    for bmp in password.bmp_candidates() {
        // RFC 7292 Appendix B.2 with ID 1 (key) and ID 2 (IV); SHA-1 for all
        // the Appendix C PBEs.
        let key = kdf::derive(
            Hash::Sha1,
            bmp,
            salt,
            params.iterations,
            Purpose::Key,
            key_len,
        );
        let iv = kdf::derive(Hash::Sha1, bmp, salt, params.iterations, Purpose::Iv, 8);
        match cipher.decrypt(&key, &iv, ciphertext) {
            Ok(plain) => return Ok(plain),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn check_iterations(iterations: u32) -> Result<(), DecryptError> {
    if iterations > MAX_ITERATIONS {
        return Err(DecryptError::Malformed(format!(
            "iteration count {iterations} exceeds the limit of {MAX_ITERATIONS}"
        )));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum LegacyCipher {
    TripleDes,
    TwoKeyTripleDes,
    Rc2 { bits: usize },
}

impl LegacyCipher {
    fn decrypt(
        self,
        key: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        let bad_key = |_| DecryptError::Malformed("derived key has the wrong length".into());
        match self {
            LegacyCipher::TripleDes => cbc_decrypt(
                des::TdesEde3::new_from_slice(key).map_err(bad_key)?,
                iv,
                ciphertext,
            ),
            LegacyCipher::TwoKeyTripleDes => cbc_decrypt(
                des::TdesEde2::new_from_slice(key).map_err(bad_key)?,
                iv,
                ciphertext,
            ),
            // RC2's effective key length is a separate parameter (RFC 2268 §2);
            // the PKCS#12 OIDs fix it to the key length.
            LegacyCipher::Rc2 { bits } => {
                cbc_decrypt(rc2::Rc2::new_with_eff_key_len(key, bits), iv, ciphertext)
            }
        }
    }
}

fn cbc_decrypt<C: BlockCipherDecrypt>(
    cipher: C,
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let mode = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv)
        .map_err(|_| DecryptError::Malformed("IV has the wrong length".into()))?;
    // The length was checked to be whole blocks, so a failure is bad padding.
    mode.decrypt_padded_vec::<Pkcs7>(ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| DecryptError::WrongPassword)
}

/// PBES2 (RFC 8018 §6.2) through the `pkcs5` crate.
fn pbes2(
    parameters: Option<AnyRef<'_>>,
    ciphertext: &[u8],
    password: &Password,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let any =
        parameters.ok_or_else(|| DecryptError::Malformed("PBES2 parameters missing".into()))?;
    let params = pkcs5::pbes2::Parameters::try_from(any).map_err(|e| pbes2_parse_error(any, e))?;
    if let Some(pbkdf2) = params.kdf.pbkdf2() {
        check_iterations(pbkdf2.iteration_count)?;
    }
    if let Some(scrypt) = params.kdf.scrypt() {
        // scrypt's memory is 128 * r * N bytes; refuse more than 256 MiB (OpenSSL's
        // default maxmem is 32 MiB) so a hostile file cannot exhaust memory.
        let memory = 128u64
            .saturating_mul(u64::from(scrypt.block_size))
            .saturating_mul(scrypt.cost_parameter);
        if memory > 256 << 20 || scrypt.parallelization > 16 {
            return Err(DecryptError::Malformed(
                "scrypt parameters exceed the limits".into(),
            ));
        }
    }
    let block = match params.encryption {
        pkcs5::pbes2::EncryptionScheme::Aes128Gcm { .. }
        | pkcs5::pbes2::EncryptionScheme::Aes256Gcm { .. } => 1,
        pkcs5::pbes2::EncryptionScheme::DesEde3Cbc { .. }
        | pkcs5::pbes2::EncryptionScheme::DesCbc { .. } => 8,
        _ => 16,
    };
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(block) {
        return Err(DecryptError::Malformed(
            "ciphertext is not a whole number of cipher blocks".into(),
        ));
    }
    params
        .decrypt(password.utf8(), ciphertext)
        .map(Zeroizing::new)
        .map_err(|e| match e {
            pkcs5::Error::DecryptFailed => DecryptError::WrongPassword,
            pkcs5::Error::UnsupportedAlgorithm { oid } => DecryptError::Unsupported(oid),
            other => DecryptError::Malformed(other.to_string()),
        })
}

/// `pkcs5` reports an unknown KDF, PRF or cipher as a plain decoding error. Look
/// at the OIDs ourselves so the caller can say which algorithm is missing.
fn pbes2_parse_error(params: AnyRef<'_>, error: der::Error) -> DecryptError {
    const KNOWN: &[ObjectIdentifier] = &[
        oid::PBKDF2,
        oid::SCRYPT,
        oid::AES128_CBC,
        oid::AES192_CBC,
        oid::AES256_CBC,
        oid::AES128_GCM,
        oid::AES256_GCM,
        oid::DES_EDE3_CBC,
        oid::DES_CBC,
        oid::HMAC_WITH_SHA1,
        oid::HMAC_WITH_SHA224,
        oid::HMAC_WITH_SHA256,
        oid::HMAC_WITH_SHA384,
        oid::HMAC_WITH_SHA512,
    ];
    let inner = params.sequence(|r: &mut der::SliceReader<'_>| {
        let kdf: AlgorithmIdentifierRef<'_> = der::Reader::decode(r)?;
        let enc: AlgorithmIdentifierRef<'_> = der::Reader::decode(r)?;
        // PBKDF2-params end with an optional PRF AlgorithmIdentifier.
        let prf = kdf
            .parameters
            .and_then(|p| {
                p.sequence(|r: &mut der::SliceReader<'_>| {
                    let mut last = None;
                    while !der::Reader::is_finished(r) {
                        let any: AnyRef<'_> = der::Reader::decode(r)?;
                        last = Some(any);
                    }
                    Ok::<_, der::Error>(last)
                })
                .ok()
                .flatten()
            })
            .and_then(|any| any.decode_as::<AlgorithmIdentifierRef<'_>>().ok())
            .map(|a| a.oid);
        Ok::<_, der::Error>([Some(kdf.oid), Some(enc.oid), prf])
    });
    match inner {
        Ok(oids) => match oids.into_iter().flatten().find(|o| !KNOWN.contains(o)) {
            Some(unknown) => DecryptError::Unsupported(unknown),
            None => DecryptError::Malformed(format!("PBES2 parameters: {error}")),
        },
        Err(_) => DecryptError::Malformed(format!("PBES2 parameters: {error}")),
    }
}
