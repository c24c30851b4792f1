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
/// id-prime-field (RFC 3279 §2.3.5), in explicit EC parameters
pub const PRIME_FIELD: Oid = Oid::new_unwrap("1.2.840.10045.1.1");
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

// --- PKCS#12 (RFC 7292) ---
/// id-encryptedData (RFC 5652 §8, used by RFC 7292 §4.1 for password privacy)
pub const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
/// keyBag (RFC 7292 §4.2.1)
pub const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag (RFC 7292 §4.2.2)
pub const PKCS8_SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// certBag (RFC 7292 §4.2.3)
pub const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// safeContentsBag (RFC 7292 §4.2.6): a nested SafeContents
pub const SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// x509Certificate cert type (RFC 7292 §4.2.3, PKCS #9 certTypes)
pub const X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
/// localKeyId attribute (RFC 2985 §5.5.2, used by RFC 7292 §4.2)
pub const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
/// pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C)
pub const PBE_SHA_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
/// pbeWithSHAAnd2-KeyTripleDES-CBC (RFC 7292 Appendix C)
pub const PBE_SHA_2DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.4");
/// pbeWithSHAAnd128BitRC2-CBC (RFC 7292 Appendix C)
pub const PBE_SHA_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
/// pbeWithSHAAnd40BitRC2-CBC (RFC 7292 Appendix C)
pub const PBE_SHA_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");

// --- Password-based cryptography (RFC 8018, RFC 9579) ---
/// id-PBKDF2 (RFC 8018 Appendix A.2)
pub const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
/// id-PBES2 (RFC 8018 Appendix A.4)
pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
/// id-PBMAC1 (RFC 8018 Appendix A.5, for PKCS#12 MACs RFC 9579)
pub const PBMAC1: Oid = Oid::new_unwrap("1.2.840.113549.1.5.14");
/// id-scrypt (RFC 7914 §7), a PBES2 KDF
pub const SCRYPT: Oid = Oid::new_unwrap("1.3.6.1.4.1.11591.4.11");
/// desCBC (RFC 8018 Appendix B.2.1), a PBES2 cipher (decrypt only)
pub const DES_CBC: Oid = Oid::new_unwrap("1.3.14.3.2.7");
/// id-hmacWithSHA1 (RFC 8018 Appendix B.1.1)
pub const HMAC_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
/// id-hmacWithSHA224 (RFC 8018 Appendix B.1.2)
pub const HMAC_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.113549.2.8");
/// id-hmacWithSHA256 (RFC 8018 Appendix B.1.2)
pub const HMAC_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
/// id-hmacWithSHA384 (RFC 8018 Appendix B.1.2)
pub const HMAC_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.2.10");
/// id-hmacWithSHA512 (RFC 8018 Appendix B.1.2)
pub const HMAC_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.2.11");

// --- Signatures (RFC 5758 §3.2, RFC 4055) ---
/// ecdsa-with-SHA256
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512
pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");

// --- CMS attributes (RFC 5652 §11, RFC 8551 §2.5) ---
/// id-contentType
pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest
pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime
pub const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// smimeCapabilities (RFC 8551 §2.5.2)
pub const ATTR_SMIME_CAPABILITIES: Oid = Oid::new_unwrap("1.2.840.113549.1.9.15");
/// id-aa-encrypKeyPref (RFC 8551 §2.5.3)
pub const ATTR_ENCRYPTION_KEY_PREFERENCE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.11");
/// id-aa-signingCertificateV2 (RFC 5035)
pub const ATTR_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-signingCertificate (RFC 2634)
pub const ATTR_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
// --- Key agreement (RFC 5753 §7.1.4, RFC 8418 §5, SEC 1 v2 §A) ---
/// dhSinglePass-stdDH-sha1kdf-scheme (RFC 5753 §7.1.4)
pub const DH_STD_SHA1_KDF: Oid = Oid::new_unwrap("1.3.133.16.840.63.0.2");
/// dhSinglePass-cofactorDH-sha1kdf-scheme (RFC 5753 §7.1.4)
pub const DH_COFACTOR_SHA1_KDF: Oid = Oid::new_unwrap("1.3.133.16.840.63.0.3");
/// dhSinglePass-stdDH-sha224kdf-scheme (RFC 5753 §7.1.4)
pub const DH_STD_SHA224_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.0");
/// dhSinglePass-stdDH-sha256kdf-scheme (RFC 5753 §7.1.4)
pub const DH_STD_SHA256_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.1");
/// dhSinglePass-stdDH-sha384kdf-scheme (RFC 5753 §7.1.4)
pub const DH_STD_SHA384_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.2");
/// dhSinglePass-stdDH-sha512kdf-scheme (RFC 5753 §7.1.4)
pub const DH_STD_SHA512_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.3");
/// dhSinglePass-cofactorDH-sha224kdf-scheme (RFC 5753 §7.1.4)
pub const DH_COFACTOR_SHA224_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.0");
/// dhSinglePass-cofactorDH-sha256kdf-scheme (RFC 5753 §7.1.4)
pub const DH_COFACTOR_SHA256_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.1");
/// dhSinglePass-cofactorDH-sha384kdf-scheme (RFC 5753 §7.1.4)
pub const DH_COFACTOR_SHA384_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.2");
/// dhSinglePass-cofactorDH-sha512kdf-scheme (RFC 5753 §7.1.4)
pub const DH_COFACTOR_SHA512_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.3");
/// dhSinglePass-stdDH-hkdf-sha256-scheme (RFC 8418 §5)
pub const DH_STD_HKDF_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.19");
/// dhSinglePass-stdDH-hkdf-sha384-scheme (RFC 8418 §5)
pub const DH_STD_HKDF_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.20");
/// dhSinglePass-stdDH-hkdf-sha512-scheme (RFC 8418 §5)
pub const DH_STD_HKDF_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.21");

// --- Key wrap (RFC 3565 §2.3.2, RFC 3394) ---
/// id-aes128-wrap
pub const AES128_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.5");
/// id-aes192-wrap
pub const AES192_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.25");
/// id-aes256-wrap
pub const AES256_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.45");
/// id-alg-CMS3DESwrap (RFC 3217 §3), decrypt only
pub const TRIPLE_DES_WRAP: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.6");

// --- ChaCha20-Poly1305 (RFC 8103 §4) ---
/// id-alg-AEADChaCha20Poly1305
pub const CHACHA20_POLY1305: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.3.18");

// --- Trust evaluation: signature algorithms (RFC 3279 §2.2, RFC 4055, RFC 5758, RFC 8410) ---
/// sha1WithRSAEncryption (RFC 3279 §2.2.1), historic
pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
/// sha224WithRSAEncryption (RFC 4055 §5)
pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
/// sha256WithRSAEncryption (RFC 4055 §5)
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption (RFC 4055 §5)
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption (RFC 4055 §5)
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// ecdsa-with-SHA1 (RFC 3279 §2.2.3), historic
pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
/// id-dsa-with-sha1 (RFC 3279 §2.2.2), historic
pub const DSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10040.4.3");
/// id-dsa-with-sha256 (RFC 5758 §3.1)
pub const DSA_WITH_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.2");

// --- Trust evaluation: certificate and CRL extensions (RFC 5280 §4.2, §5.2, §5.3) ---
/// id-ce-subjectKeyIdentifier (RFC 5280 §4.2.1.2)
pub const CE_SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// id-ce-keyUsage (RFC 5280 §4.2.1.3)
pub const CE_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// id-ce-subjectAltName (RFC 5280 §4.2.1.6)
pub const CE_SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");
/// id-ce-issuerAltName (RFC 5280 §4.2.1.7)
pub const CE_ISSUER_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.18");
/// id-ce-basicConstraints (RFC 5280 §4.2.1.9)
pub const CE_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// id-ce-cRLNumber (RFC 5280 §5.2.3)
pub const CE_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
/// id-ce-cRLReasons (RFC 5280 §5.3.1)
pub const CE_CRL_REASONS: Oid = Oid::new_unwrap("2.5.29.21");
/// id-ce-holdInstructionCode (RFC 5280 §5.3.2)
pub const CE_HOLD_INSTRUCTION_CODE: Oid = Oid::new_unwrap("2.5.29.23");
/// id-ce-invalidityDate (RFC 5280 §5.3.2)
pub const CE_INVALIDITY_DATE: Oid = Oid::new_unwrap("2.5.29.24");
/// id-ce-deltaCRLIndicator (RFC 5280 §5.2.4)
pub const CE_DELTA_CRL_INDICATOR: Oid = Oid::new_unwrap("2.5.29.27");
/// id-ce-issuingDistributionPoint (RFC 5280 §5.2.5)
pub const CE_ISSUING_DISTRIBUTION_POINT: Oid = Oid::new_unwrap("2.5.29.28");
/// id-ce-certificateIssuer (RFC 5280 §5.3.3)
pub const CE_CERTIFICATE_ISSUER: Oid = Oid::new_unwrap("2.5.29.29");
/// id-ce-nameConstraints (RFC 5280 §4.2.1.10)
pub const CE_NAME_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.30");
/// id-ce-cRLDistributionPoints (RFC 5280 §4.2.1.13)
pub const CE_CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
/// id-ce-certificatePolicies (RFC 5280 §4.2.1.4)
pub const CE_CERTIFICATE_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
/// anyPolicy (RFC 5280 §4.2.1.4)
pub const ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.32.0");
/// id-ce-policyMappings (RFC 5280 §4.2.1.5)
pub const CE_POLICY_MAPPINGS: Oid = Oid::new_unwrap("2.5.29.33");
/// id-ce-authorityKeyIdentifier (RFC 5280 §4.2.1.1)
pub const CE_AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
/// id-ce-policyConstraints (RFC 5280 §4.2.1.11)
pub const CE_POLICY_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.36");
/// id-ce-extKeyUsage (RFC 5280 §4.2.1.12)
pub const CE_EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// id-ce-freshestCRL (RFC 5280 §4.2.1.15, §5.2.6)
pub const CE_FRESHEST_CRL: Oid = Oid::new_unwrap("2.5.29.46");
/// id-ce-inhibitAnyPolicy (RFC 5280 §4.2.1.14)
pub const CE_INHIBIT_ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.54");
/// id-pe-authorityInfoAccess (RFC 5280 §4.2.2.1)
pub const PE_AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
/// id-pe-subjectInfoAccess (RFC 5280 §4.2.2.2)
pub const PE_SUBJECT_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.11");

// --- Historic (read old mail only) ---
/// md5WithRSAEncryption (RFC 3279 §2.2.1)
pub const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
