//! The PKCS#12 password-based key derivation function (RFC 7292 Appendix B.2),
//! and the password encodings the different PKCS#12 mechanisms expect.
//!
//! The legacy PBE schemes (`pbeWithSHAAnd3-KeyTripleDES-CBC`, the RC2 ones) and
//! the classic MAC (RFC 7292 §5.1, Appendix B.4) both run this KDF over the password
//! as a big-endian BMPString *including* a trailing zero code unit (Appendix B.1).
//! PBES2 and PBMAC1 instead take the password's UTF-8 bytes (RFC 9579 §5).

use sha1::Digest;
use zeroize::Zeroizing;

/// The "ID" byte of Appendix B.3: which kind of material is derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// ID = 1: an encryption key.
    Key = 1,
    /// ID = 2: an initialisation vector.
    Iv = 2,
    /// ID = 3: a MAC key.
    Mac = 3,
}

/// Hash functions the KDF runs with, and their input block size `v` in bytes
/// (Appendix B.2 step 1 needs it; it is not the output size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The output size `u` in bytes.
    pub(crate) fn output_len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// The password as the PKCS#12 KDF wants it: UTF-16BE code units with a trailing
/// zero pair (RFC 7292 Appendix B.1). Text that is not UTF-8 is taken as Latin-1,
/// byte for byte, which is what OpenSSL does (`OPENSSL_utf82uni` falls back to
/// `OPENSSL_asc2uni`). Characters outside the BMP become surrogate pairs, again as
/// OpenSSL writes them.
pub(crate) fn bmp_password(password: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    match std::str::from_utf8(password) {
        Ok(text) => {
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
        }
        Err(_) => {
            for byte in password {
                out.extend_from_slice(&[0, *byte]);
            }
        }
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// RFC 7292 Appendix B.2: derives `n` bytes of `purpose` material from the
/// BMPString `password` (already with its trailing zeros, see [`bmp_password`]; an
/// empty slice is the "absent" password), `salt` and `iterations`.
pub(crate) fn derive(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    purpose: Purpose,
    n: usize,
) -> Zeroizing<Vec<u8>> {
    match hash {
        Hash::Sha1 => derive_with::<sha1::Sha1>(64, password, salt, iterations, purpose, n),
        Hash::Sha224 => derive_with::<sha2::Sha224>(64, password, salt, iterations, purpose, n),
        Hash::Sha256 => derive_with::<sha2::Sha256>(64, password, salt, iterations, purpose, n),
        Hash::Sha384 => derive_with::<sha2::Sha384>(128, password, salt, iterations, purpose, n),
        Hash::Sha512 => derive_with::<sha2::Sha512>(128, password, salt, iterations, purpose, n),
    }
}

/// `s` repeated to fill a multiple of `v` bytes (`v * ceil(len/v)`; empty stays
/// empty), Appendix B.2 steps 2 and 3.
fn fill(v: usize, s: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = s.len().div_ceil(v) * v;
    Zeroizing::new(s.iter().copied().cycle().take(len).collect())
}

fn derive_with<D: Digest>(
    v: usize,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    purpose: Purpose,
    n: usize,
) -> Zeroizing<Vec<u8>> {
    // Step 1: D, the diversifier, is v copies of ID.
    let diversifier = vec![purpose as u8; v];
    // Steps 2-4: I = S || P.
    let mut i = fill(v, salt);
    i.extend_from_slice(&fill(v, password));
    let mut out = Zeroizing::new(Vec::with_capacity(n + 64));
    while out.len() < n {
        // Step 6a: A = H^r(D || I).
        let mut a = Zeroizing::new({
            let mut h = D::new();
            h.update(&diversifier);
            h.update(&*i);
            h.finalize().to_vec()
        });
        for _ in 1..iterations.max(1) {
            a = Zeroizing::new(D::digest(&*a).to_vec());
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            break;
        }
        // Step 6b: B = A repeated to v bytes; step 6c: each v-byte block I_j of I
        // becomes (I_j + B + 1) mod 2^(8v), a big-endian addition with carry.
        let b = fill(v, &a);
        for block in i.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().zip(b.iter()).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                // Low byte of the sum; the high bit carries on.
                *x = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        base16ct::mixed::decode_vec(s).unwrap()
    }

    // Published vectors for `PKCS12_key_gen_utf8` (OpenSSL), password "ge@äheim",
    // salt 01..08: the RustCrypto `pkcs12` crate's tests/kdf.rs, which states they
    // were checked against OpenSSL. The end-to-end tests (tests/pkcs12.rs) also
    // verify MACs and decrypt files that `openssl pkcs12 -export` wrote, which
    // exercises SHA-1 and SHA-256 with real salts and iteration counts.
    const PASS: &str = "ge@äheim";
    const SALT: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

    fn kdf(hash: Hash, iterations: u32, purpose: Purpose, n: usize) -> Vec<u8> {
        derive(
            hash,
            &bmp_password(PASS.as_bytes()),
            &SALT,
            iterations,
            purpose,
            n,
        )
        .to_vec()
    }

    #[test]
    fn sha256_vectors() {
        assert_eq!(
            kdf(Hash::Sha256, 100, Purpose::Key, 32),
            hex("fae4d4957a3cc781e1180b9d4fb79c1e0c8579b746a3177e5b0768a3118bf863")
        );
        assert_eq!(
            kdf(Hash::Sha256, 100, Purpose::Iv, 32),
            hex("e5ff813bc6547de5155b14d2fada85b3201a977349db6e26ccc998d9e8f83d6c")
        );
        assert_eq!(
            kdf(Hash::Sha256, 100, Purpose::Mac, 32),
            hex("136355ed9434516682534f46d63956db5ff06b844702c2c1f3b46321e2524a4d")
        );
        assert_eq!(
            kdf(Hash::Sha256, 100, Purpose::Key, 12),
            hex("fae4d4957a3cc781e1180b9d")
        );
        assert_eq!(
            kdf(Hash::Sha256, 1000, Purpose::Key, 32),
            hex("2b95a0569b63f641fae1efca32e84db3699ab74540628ba66283b58cf5400527")
        );
        assert_eq!(
            kdf(Hash::Sha256, 1000, Purpose::Mac, 32),
            hex("3f9113f05c30a996c4a516409bdac9d065f44296ccd52bb75de3fcfdbe2bf130")
        );
    }

    #[test]
    fn longer_than_one_hash_output() {
        // Two rounds of step 6: the first 32 bytes must equal the one-round result.
        let long = kdf(Hash::Sha256, 100, Purpose::Key, 100);
        assert_eq!(long.len(), 100);
        assert_eq!(&long[..32], &kdf(Hash::Sha256, 100, Purpose::Key, 32)[..]);
    }

    /// A salt for which `I_j + B + 1` (step 6C) has a zero first byte in the second
    /// block: an OpenSSL `-legacy` export that gpgsm 2.2 fails to import, because its
    /// KDF drops that byte. Expected value from a plain big-integer reading of RFC 7292
    /// Appendix B.2 (Python, independent of this code): SHA-1, "pw", 2048 iterations,
    /// 24 key bytes (3DES, two hash rounds).
    #[test]
    fn carry_block_with_a_leading_zero_keeps_its_width() {
        let key = derive(
            Hash::Sha1,
            &bmp_password(b"pw"),
            &hex("fa31ce9712b39801"),
            2048,
            Purpose::Key,
            24,
        );
        assert_eq!(
            key.to_vec(),
            hex("0041d02a3cb1479f42f684f21acff167dc51419d4fa3c258")
        );
    }

    #[test]
    fn bmp_encoding() {
        assert_eq!(&*bmp_password(b"ab"), &[0, b'a', 0, b'b', 0, 0]);
        assert_eq!(&*bmp_password("ä".as_bytes()), &[0, 0xe4, 0, 0]);
        // Not UTF-8: Latin-1.
        assert_eq!(&*bmp_password(&[0xe4]), &[0, 0xe4, 0, 0]);
        assert_eq!(&*bmp_password(b""), &[0, 0]);
    }
}
