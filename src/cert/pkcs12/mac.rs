//! Verification of the PFX integrity MAC.
//!
//! * Classic (RFC 7292 §5.1, Appendix B.4): HMAC with the hash named in
//!   `MacData.mac.digestAlgorithm`, keyed with `hash-length` bytes from the
//!   Appendix B KDF (ID 3) over the BMPString password, `macSalt` and `iterations`.
//!   SHA-1 (OpenSSL `-legacy`, Windows, NSS before 3.80) and SHA-256 (OpenSSL 3
//!   default) are common; SHA-224/384/512 are accepted too.
//! * PBMAC1 (RFC 9579): `digestAlgorithm` is id-PBMAC1, whose parameters name a
//!   PBKDF2 KDF and an HMAC; the key comes from PBKDF2 over the UTF-8 password and
//!   `macSalt`/`iterations` are not used (RFC 9579 §5).
//!
//! The MAC is computed over the contents octets of the `authSafe` `Data` OCTET
//! STRING (RFC 7292 §4), i.e. the DER AuthenticatedSafe. Comparison is constant
//! time (`hmac`'s `verify_slice`).

use der::asn1::ObjectIdentifier;
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use zeroize::Zeroizing;

use super::asn1::{MacData, Pbmac1Params};
use super::decrypt::{MAX_ITERATIONS, Password};
use super::kdf::{self, Hash, Purpose};
use crate::oid;

/// Why the MAC did not verify.
#[derive(Debug)]
pub(crate) enum MacError {
    /// The MAC does not match: wrong password (or altered contents).
    Mismatch,
    /// A MAC or KDF algorithm we do not implement.
    Unsupported(ObjectIdentifier),
    /// The MacData is malformed.
    Malformed(String),
}

/// Verifies `mac_data` over `data`. On success returns the index of the password's
/// BMPString form that matched (see [`Password::bmp_candidates`]); PBMAC1, which
/// uses the UTF-8 password, reports 0.
pub(crate) fn verify(
    mac_data: &MacData<'_>,
    data: &[u8],
    password: &Password,
) -> Result<usize, MacError> {
    let algorithm = mac_data.mac.algorithm.oid;
    let expected = mac_data.mac.digest.as_bytes();
    if algorithm == oid::PBMAC1 {
        return pbmac1(mac_data, data, password).map(|()| 0);
    }
    let hash = hash_for_digest(algorithm).ok_or(MacError::Unsupported(algorithm))?;
    if expected.len() != hash.output_len() {
        return Err(MacError::Malformed(format!(
            "MAC is {} bytes, {algorithm} gives {}",
            expected.len(),
            hash.output_len()
        )));
    }
    if mac_data.iterations > MAX_ITERATIONS || mac_data.iterations == 0 {
        return Err(MacError::Malformed(format!(
            "MAC iteration count {} is outside 1..={MAX_ITERATIONS}",
            mac_data.iterations
        )));
    }
    for (index, bmp) in password.bmp_candidates().iter().enumerate() {
        let key = kdf::derive(
            hash,
            bmp,
            mac_data.mac_salt.as_bytes(),
            mac_data.iterations,
            Purpose::Mac,
            hash.output_len(),
        );
        if hmac_verify(hash, &key, data, expected) {
            return Ok(index);
        }
    }
    Err(MacError::Mismatch)
}

fn hash_for_digest(oid: ObjectIdentifier) -> Option<Hash> {
    Some(match oid {
        o if o == oid::SHA1 => Hash::Sha1,
        o if o == oid::SHA224 => Hash::Sha224,
        o if o == oid::SHA256 => Hash::Sha256,
        o if o == oid::SHA384 => Hash::Sha384,
        o if o == oid::SHA512 => Hash::Sha512,
        _ => return None,
    })
}

fn hash_for_hmac(oid: ObjectIdentifier) -> Option<Hash> {
    Some(match oid {
        o if o == oid::HMAC_WITH_SHA1 => Hash::Sha1,
        o if o == oid::HMAC_WITH_SHA224 => Hash::Sha224,
        o if o == oid::HMAC_WITH_SHA256 => Hash::Sha256,
        o if o == oid::HMAC_WITH_SHA384 => Hash::Sha384,
        o if o == oid::HMAC_WITH_SHA512 => Hash::Sha512,
        _ => return None,
    })
}

fn hmac_verify(hash: Hash, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    fn run<D: EagerHash>(key: &[u8], data: &[u8], expected: &[u8]) -> bool
    where
        Hmac<D>: KeyInit + Mac,
    {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail.
        let Ok(mut mac) = <Hmac<D> as KeyInit>::new_from_slice(key) else {
            return false;
        };
        mac.update(data);
        mac.verify_slice(expected).is_ok()
    }
    match hash {
        Hash::Sha1 => run::<sha1::Sha1>(key, data, expected),
        Hash::Sha224 => run::<sha2::Sha224>(key, data, expected),
        Hash::Sha256 => run::<sha2::Sha256>(key, data, expected),
        Hash::Sha384 => run::<sha2::Sha384>(key, data, expected),
        Hash::Sha512 => run::<sha2::Sha512>(key, data, expected),
    }
}

/// RFC 9579 §5: PBMAC1 with PBKDF2.
fn pbmac1(mac_data: &MacData<'_>, data: &[u8], password: &Password) -> Result<(), MacError> {
    let params: Pbmac1Params<'_> = mac_data
        .mac
        .algorithm
        .parameters
        .ok_or_else(|| MacError::Malformed("PBMAC1 parameters missing".into()))?
        .decode_as()
        .map_err(|e| MacError::Malformed(format!("PBMAC1 parameters: {e}")))?;
    if params.kdf.oid != oid::PBKDF2 {
        return Err(MacError::Unsupported(params.kdf.oid));
    }
    let mac_hash = hash_for_hmac(params.mac.oid).ok_or(MacError::Unsupported(params.mac.oid))?;
    let pbkdf2: pkcs5::pbes2::Pbkdf2Params = params
        .kdf
        .parameters
        .ok_or_else(|| MacError::Malformed("PBKDF2 parameters missing".into()))?
        .decode_as()
        .map_err(|e| MacError::Malformed(format!("PBKDF2 parameters: {e}")))?;
    if pbkdf2.iteration_count == 0 || pbkdf2.iteration_count > MAX_ITERATIONS {
        return Err(MacError::Malformed(format!(
            "PBKDF2 iteration count {} is outside 1..={MAX_ITERATIONS}",
            pbkdf2.iteration_count
        )));
    }
    let prf = hash_for_hmac(pbkdf2.prf.oid()).ok_or(MacError::Unsupported(pbkdf2.prf.oid()))?;
    // RFC 9579 §5: keyLength MUST be present (its Appendix A.6 is a file that
    // omits it and must be rejected); OpenSSL and NSS write the HMAC output size.
    let key_len =
        usize::from(pbkdf2.key_length.ok_or_else(|| {
            MacError::Malformed("PBMAC1 PBKDF2 parameters lack keyLength".into())
        })?);
    if key_len == 0 || key_len > 1024 {
        return Err(MacError::Malformed(format!(
            "PBKDF2 key length {key_len} is unreasonable"
        )));
    }
    let salt = pbkdf2.salt.as_bytes();
    let key = pbkdf2_derive(prf, password.utf8(), salt, pbkdf2.iteration_count, key_len);
    if hmac_verify(mac_hash, &key, data, mac_data.mac.digest.as_bytes()) {
        Ok(())
    } else {
        Err(MacError::Mismatch)
    }
}

/// PBKDF2 (RFC 8018 §5.2) with HMAC-`prf`. `pkcs5` runs PBKDF2 inside PBES2
/// but does not expose it, and PBMAC1 needs the bare key.
pub(crate) fn pbkdf2_derive(
    prf: Hash,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    fn run<D: EagerHash>(
        password: &[u8],
        salt: &[u8],
        iterations: u32,
        len: usize,
    ) -> Zeroizing<Vec<u8>>
    where
        Hmac<D>: KeyInit + Mac + Clone,
    {
        let mut out = Zeroizing::new(Vec::with_capacity(len + 64));
        // HMAC takes keys of any length, so `new_from_slice` cannot fail; an
        // empty result would only make the MAC comparison fail.
        let Ok(prf) = <Hmac<D> as KeyInit>::new_from_slice(password) else {
            return out;
        };
        let mut block_index = 1u32;
        while out.len() < len {
            // U_1 = PRF(P, S || INT(i)); T_i = U_1 ^ U_2 ^ … ^ U_c.
            let mut mac = prf.clone();
            mac.update(salt);
            mac.update(&block_index.to_be_bytes());
            let mut u = Zeroizing::new(mac.finalize().into_bytes().to_vec());
            let mut t = u.clone();
            for _ in 1..iterations {
                let mut mac = prf.clone();
                mac.update(&u);
                u = Zeroizing::new(mac.finalize().into_bytes().to_vec());
                for (x, y) in t.iter_mut().zip(u.iter()) {
                    *x ^= y;
                }
            }
            out.extend_from_slice(&t);
            block_index = block_index.wrapping_add(1);
        }
        out.truncate(len);
        out
    }
    match prf {
        Hash::Sha1 => run::<sha1::Sha1>(password, salt, iterations, len),
        Hash::Sha224 => run::<sha2::Sha224>(password, salt, iterations, len),
        Hash::Sha256 => run::<sha2::Sha256>(password, salt, iterations, len),
        Hash::Sha384 => run::<sha2::Sha384>(password, salt, iterations, len),
        Hash::Sha512 => run::<sha2::Sha512>(password, salt, iterations, len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_rfc6070_vectors() {
        // RFC 6070 §2, PBKDF2-HMAC-SHA1.
        let key = pbkdf2_derive(Hash::Sha1, b"password", b"salt", 2, 20);
        assert_eq!(
            &key[..],
            &[
                0xea, 0x6c, 0x01, 0x4d, 0xc7, 0x2d, 0x6f, 0x8c, 0xcd, 0x1e, 0xd9, 0x2a, 0xce, 0x1d,
                0x41, 0xf0, 0xd8, 0xde, 0x89, 0x57
            ]
        );
        let key = pbkdf2_derive(
            Hash::Sha1,
            b"passwordPASSWORDpassword",
            b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
            4096,
            25,
        );
        assert_eq!(
            &key[..],
            &[
                0x3d, 0x2e, 0xec, 0x4f, 0xe4, 0x1c, 0x84, 0x9b, 0x80, 0xc8, 0xd8, 0x36, 0x62, 0xc0,
                0xe4, 0x4a, 0x8b, 0x29, 0x1a, 0x96, 0x4c, 0xf2, 0xf0, 0x70, 0x38
            ]
        );
    }
}
