//! Object identifiers this crate recognises, each with the RFC that assigns it.
//!
//! `ObjectIdentifier::new_unwrap` runs at compile time here: a typo fails the build,
//! never a running program.

use der::asn1::ObjectIdentifier as Oid;

// --- CMS content types (RFC 5652 §4–§9, RFC 5083 §1) ---
/// id-data
pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// id-signedData
pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// id-envelopedData
pub const ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.3");
/// id-ct-authEnvelopedData (RFC 5083 §1)
pub const AUTH_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.23");

// --- Content encryption (RFC 3565, RFC 5084, RFC 3370) ---
/// id-aes128-CBC
pub const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
/// id-aes192-CBC
pub const AES192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
/// id-aes256-CBC
pub const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
/// id-aes128-GCM (RFC 5084 §3.2)
pub const AES128_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.6");
/// id-aes192-GCM
pub const AES192_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.26");
/// id-aes256-GCM
pub const AES256_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.46");
/// des-ede3-cbc (RFC 3370 §5.1), decrypt only
pub const DES_EDE3_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.7");
/// rc2-cbc (RFC 3370 §5.2), decrypt only
pub const RC2_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.2");

// --- Key transport (RFC 3370 §4.2, RFC 3560) ---
/// rsaEncryption: the SPKI algorithm and PKCS#1 v1.5 key transport
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// id-RSAES-OAEP (RFC 3560 §2.2)
pub const RSAES_OAEP: Oid = Oid::new_unwrap("1.2.840.113549.1.1.7");
/// id-mgf1 (RFC 4055 §2.2)
pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
/// id-pSpecified (RFC 4055 §4.1)
pub const P_SPECIFIED: Oid = Oid::new_unwrap("1.2.840.113549.1.1.9");

// --- Digests ---
/// id-sha1
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// id-sha224
pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
/// id-sha256
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha384
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// id-sha512
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

// --- Public key algorithms and curves ---
/// id-ecPublicKey (RFC 5480)
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// secp256r1
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
/// secp521r1
pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
/// id-Ed25519 (RFC 8410)
pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
/// id-Ed448 (RFC 8410)
pub const ED448: Oid = Oid::new_unwrap("1.3.101.113");
/// id-X25519 (RFC 8410)
pub const X25519: Oid = Oid::new_unwrap("1.3.101.110");
/// id-X448 (RFC 8410)
pub const X448: Oid = Oid::new_unwrap("1.3.101.111");
/// id-dsa
pub const DSA: Oid = Oid::new_unwrap("1.2.840.10040.4.1");
/// id-RSASSA-PSS (RFC 4055)
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");

// --- Certificate content ---
/// pkcs-9 emailAddress (RFC 5280 §4.1.2.6)
pub const EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
/// id-on-SmtpUTF8Mailbox (RFC 9598 §3)
pub const SMTP_UTF8_MAILBOX: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.8.9");
/// id-kp-emailProtection (RFC 5280 §4.2.1.12)
pub const KP_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12)
pub const ANY_EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37.0");
