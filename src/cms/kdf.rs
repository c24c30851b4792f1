//! Key derivation for ECDH key agreement in CMS: the ANSI X9.63 KDF (RFC 5753
//! §7.2, SEC 1 v2 §3.6.1) and HKDF (RFC 8418 §2.2, RFC 5869), both over the DER
//! ECC-CMS-SharedInfo (RFC 5753 §7.2):
//!
//! ```text
//! ECC-CMS-SharedInfo ::= SEQUENCE {
//!   keyInfo         AlgorithmIdentifier,          -- the key-wrap algorithm
//!   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL, -- the ukm
//!   suppPubInfo [2] EXPLICIT OCTET STRING   }     -- KEK length in bits, 32-bit big-endian
//! ```

use ansi_x963_kdf::derive_key_into;
use der::Encode;
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::cms::ber::tlv;
use crate::cms::key_wrap::KeyWrap;
use crate::error::CmsError;

/// The hash a key-agreement scheme names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KdfHash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

/// The key-derivation function of a key-agreement scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kdf {
    /// ANSI X9.63 (RFC 5753 §7.2).
    X963(KdfHash),
    /// HKDF (RFC 8418 §2.2): no salt, the SharedInfo as `info`.
    Hkdf(KdfHash),
}

/// DER ECC-CMS-SharedInfo for a KEK of `wrap`'s size, with the wrap
/// AlgorithmIdentifier we send (RFC 3565 §2.3.2: parameters absent).
pub(crate) fn shared_info(wrap: KeyWrap, ukm: Option<&[u8]>) -> Result<Vec<u8>, CmsError> {
    let oid = wrap
        .oid()
        .to_der()
        .map_err(|e| CmsError::malformed("ECC-CMS-SharedInfo", e))?;
    shared_info_with(&tlv(0x30, &oid), wrap, ukm)
}

/// DER ECC-CMS-SharedInfo whose keyInfo is `key_info_der` exactly as the sender
/// encoded it: RFC 5753 §7.2 has keyInfo carry the key-wrap algorithm "and
/// associated parameters", and Bouncy Castle sends (and derives with) NULL ones.
pub(crate) fn shared_info_with(
    key_info_der: &[u8],
    wrap: KeyWrap,
    ukm: Option<&[u8]>,
) -> Result<Vec<u8>, CmsError> {
    let mut body = key_info_der.to_vec();
    if let Some(ukm) = ukm {
        body.extend_from_slice(&tlv(0xa0, &tlv(0x04, ukm)));
    }
    let bits = u32::try_from(wrap.kek_len() * 8).unwrap_or(256);
    body.extend_from_slice(&tlv(0xa2, &tlv(0x04, &bits.to_be_bytes())));
    Ok(tlv(0x30, &body))
}

impl Kdf {
    /// Derives `len` bytes of KEK from the shared secret `z`.
    pub fn derive(
        self,
        z: &[u8],
        shared_info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        match self {
            Kdf::X963(h) => {
                let mut out = Zeroizing::new(vec![0u8; len]);
                let r = match h {
                    KdfHash::Sha1 => derive_key_into::<Sha1>(z, shared_info, &mut out),
                    KdfHash::Sha224 => derive_key_into::<Sha224>(z, shared_info, &mut out),
                    KdfHash::Sha256 => derive_key_into::<Sha256>(z, shared_info, &mut out),
                    KdfHash::Sha384 => derive_key_into::<Sha384>(z, shared_info, &mut out),
                    KdfHash::Sha512 => derive_key_into::<Sha512>(z, shared_info, &mut out),
                };
                r.map_err(|e| CmsError::malformed("ANSI X9.63 KDF", e))?;
                Ok(out)
            }
            Kdf::Hkdf(h) => {
                let mut out = Zeroizing::new(vec![0u8; len]);
                let r = match h {
                    KdfHash::Sha256 => {
                        hkdf::Hkdf::<Sha256>::new(None, z).expand(shared_info, &mut out)
                    }
                    KdfHash::Sha384 => {
                        hkdf::Hkdf::<Sha384>::new(None, z).expand(shared_info, &mut out)
                    }
                    KdfHash::Sha512 => {
                        hkdf::Hkdf::<Sha512>::new(None, z).expand(shared_info, &mut out)
                    }
                    KdfHash::Sha1 | KdfHash::Sha224 => {
                        return Err(CmsError::InvalidParameters {
                            algorithm: "HKDF",
                            reason: "only SHA-256/384/512 are defined (RFC 8418 §2.2)".into(),
                        });
                    }
                };
                r.map_err(|e| CmsError::malformed("HKDF", e))?;
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        base16ct::mixed::decode_vec(s).unwrap()
    }

    /// SEC 1 / ANSI X9.63 KDF test vector (NIST CAVS "ansx963_2001", SHA-256, no
    /// shared info, 128-bit output).
    #[test]
    fn x963_known_answer() {
        let z = hex("96c05619d56c328ab95fe84b18264b08725b85e33fd34f08");
        let k = Kdf::X963(KdfHash::Sha256).derive(&z, &[], 16).unwrap();
        assert_eq!(k.as_slice(), hex("443024c3dae66b95e6f5670601558f71"));
    }

    /// RFC 5869 Appendix A.3 (SHA-256, zero-length salt and info).
    #[test]
    fn hkdf_known_answer() {
        let ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        let k = Kdf::Hkdf(KdfHash::Sha256).derive(&ikm, &[], 42).unwrap();
        assert_eq!(
            k.as_slice(),
            hex(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
            )
        );
    }

    #[test]
    fn shared_info_encoding() {
        // RFC 5753 §7.2 with aes128-wrap, no ukm: SEQUENCE { SEQUENCE { OID }, [2] { OCTET STRING 00000080 } }
        let si = shared_info(KeyWrap::Aes128, None).unwrap();
        assert_eq!(si, hex("3015300b0609608648016503040105a206040400000080"));
        let with_ukm = shared_info(KeyWrap::Aes256, Some(b"ukm")).unwrap();
        assert!(
            with_ukm
                .windows(7)
                .any(|w| w == [0xa0, 0x05, 0x04, 0x03, b'u', b'k', b'm'])
        );
        assert!(with_ukm.ends_with(&[0xa2, 0x06, 0x04, 0x04, 0, 0, 1, 0]));
    }
}
