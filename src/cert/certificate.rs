//! [`Certificate`]: a parsed X.509 certificate that keeps its original DER.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use der::asn1::{Ia5StringRef, ObjectIdentifier, Utf8StringRef};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints as X509BasicConstraints, ExtendedKeyUsage,
    KeyUsage as X509KeyUsage, SubjectAltName, SubjectKeyIdentifier, name::GeneralName,
};

use crate::address::EmailAddress;
use crate::cert::hex_upper;
use crate::error::CertificateError;
use crate::oid;

/// RFC 5280 §4.1.2.6 / RFC 8550 §3: a subject emailAddress is an IA5String of at most
/// 255 characters.
const MAX_DN_EMAIL: usize = 255;

/// An X.509 certificate, parsed once and cheap to clone (the data is shared).
///
/// The original DER is kept byte for byte ([`Certificate::der`]): fingerprints, CMS
/// recipient identifiers and signatures are computed over it, never a re-encoding.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// # let pem = sample::ALICE_CERT_PEM;
/// use smime::Certificate;
/// let cert = Certificate::from_pem(pem.as_bytes())?;
/// println!("{} <{:?}>", cert.subject(), cert.email_addresses());
/// assert!(cert.names_address(&"alice@example.org".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    der: Vec<u8>,
    parsed: x509_cert::Certificate,
    emails: Vec<EmailAddress>,
    key_usage: Option<KeyUsage>,
    extended_key_usage: Option<Vec<ObjectIdentifier>>,
    basic_constraints: Option<BasicConstraints>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    key_algorithm: KeyAlgorithm,
    /// The SHA-1 key identifiers senders compute ([`Certificate::is_key_identifier`]),
    /// made once on first use: a message may hold thousands of identifiers to compare.
    computed_key_ids: OnceLock<Vec<[u8; 20]>>,
}

/// The key usage bits of a certificate (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsage(u16);

impl KeyUsage {
    fn bit(self, n: u16) -> bool {
        self.0 & (1 << n) != 0
    }
    /// digitalSignature
    pub fn digital_signature(self) -> bool {
        self.bit(0)
    }
    /// nonRepudiation (contentCommitment)
    pub fn non_repudiation(self) -> bool {
        self.bit(1)
    }
    /// keyEncipherment: needed for RSA key transport (RFC 8550 §4.4.2).
    pub fn key_encipherment(self) -> bool {
        self.bit(2)
    }
    /// dataEncipherment
    pub fn data_encipherment(self) -> bool {
        self.bit(3)
    }
    /// keyAgreement: needed for ECDH (RFC 8550 §4.4.2).
    pub fn key_agreement(self) -> bool {
        self.bit(4)
    }
    /// keyCertSign
    pub fn key_cert_sign(self) -> bool {
        self.bit(5)
    }
    /// cRLSign
    pub fn crl_sign(self) -> bool {
        self.bit(6)
    }
    /// encipherOnly
    pub fn encipher_only(self) -> bool {
        self.bit(7)
    }
    /// decipherOnly
    pub fn decipher_only(self) -> bool {
        self.bit(8)
    }
}

/// The basicConstraints extension (RFC 5280 §4.2.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// Whether the subject is a CA.
    pub ca: bool,
    /// The maximum number of non-self-issued intermediates below this CA.
    pub path_len: Option<u8>,
}

/// The algorithm (and size) of a certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA with the modulus size in bits.
    Rsa {
        /// Modulus length in bits.
        bits: usize,
    },
    /// RSASSA-PSS-restricted RSA key (RFC 4055) with the modulus size in bits.
    RsaPss {
        /// Modulus length in bits.
        bits: usize,
    },
    /// ECDSA/ECDH on NIST P-256.
    EcP256,
    /// ECDSA/ECDH on NIST P-384.
    EcP384,
    /// ECDSA/ECDH on NIST P-521.
    EcP521,
    /// An elliptic curve we do not name.
    EcOther {
        /// The curve OID.
        curve: ObjectIdentifier,
    },
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// Ed448 (RFC 8410).
    Ed448,
    /// X25519 (RFC 8410).
    X25519,
    /// X448 (RFC 8410).
    X448,
    /// DSA.
    Dsa,
    /// Anything else.
    Other {
        /// The SPKI algorithm OID.
        oid: ObjectIdentifier,
    },
}

impl KeyAlgorithm {
    /// Key size in bits (modulus length for RSA, field size for curves), when known.
    pub fn bits(&self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa { bits } | KeyAlgorithm::RsaPss { bits } => Some(*bits),
            KeyAlgorithm::EcP256 | KeyAlgorithm::X25519 | KeyAlgorithm::Ed25519 => Some(256),
            KeyAlgorithm::EcP384 => Some(384),
            KeyAlgorithm::EcP521 => Some(521),
            KeyAlgorithm::Ed448 | KeyAlgorithm::X448 => Some(448),
            _ => None,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA-{bits}"),
            KeyAlgorithm::RsaPss { bits } => write!(f, "RSA-PSS-{bits}"),
            KeyAlgorithm::EcP256 => f.write_str("EC P-256"),
            KeyAlgorithm::EcP384 => f.write_str("EC P-384"),
            KeyAlgorithm::EcP521 => f.write_str("EC P-521"),
            KeyAlgorithm::EcOther { curve } => write!(f, "EC curve {curve}"),
            KeyAlgorithm::Ed25519 => f.write_str("Ed25519"),
            KeyAlgorithm::Ed448 => f.write_str("Ed448"),
            KeyAlgorithm::X25519 => f.write_str("X25519"),
            KeyAlgorithm::X448 => f.write_str("X448"),
            KeyAlgorithm::Dsa => f.write_str("DSA"),
            KeyAlgorithm::Other { oid } => write!(f, "algorithm {oid}"),
        }
    }
}

impl Certificate {
    /// Parses one DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let parsed = parse_x509(der)?;
        Self::from_parsed(der.to_vec(), parsed)
    }

    /// Parses the first `CERTIFICATE` block of PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertificateError> {
        Self::all_from_pem(pem)?
            .into_iter()
            .next()
            .ok_or(CertificateError::NoCertificate)
    }

    /// Parses every `CERTIFICATE` block of PEM text (other blocks, such as keys, are
    /// skipped). Returns [`CertificateError::NoCertificate`] when there is none.
    pub fn all_from_pem(pem: &[u8]) -> Result<Vec<Self>, CertificateError> {
        let mut out = Vec::new();
        for block in crate::cert::pem::blocks(pem) {
            if block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" {
                let parsed = parse_x509(&block.der)?;
                out.push(Self::from_parsed(block.der, parsed)?);
            }
        }
        if out.is_empty() {
            return Err(CertificateError::NoCertificate);
        }
        Ok(out)
    }

    /// Parses PEM (one or many certificates) or, when the input is not PEM, one DER
    /// certificate. Convenient for files whose encoding is unknown.
    pub fn load(bytes: &[u8]) -> Result<Vec<Self>, CertificateError> {
        if crate::cert::pem::looks_like_pem(bytes) {
            Self::all_from_pem(bytes)
        } else {
            Ok(vec![Self::from_der(bytes)?])
        }
    }

    fn from_parsed(der: Vec<u8>, parsed: x509_cert::Certificate) -> Result<Self, CertificateError> {
        let tbs = parsed.tbs_certificate();
        let ext =
            |oid: ObjectIdentifier, e: der::Error| CertificateError::BadExtension { oid, error: e };

        let san = tbs
            .get_extension::<SubjectAltName>()
            .map_err(|e| ext(oid_of::<SubjectAltName>(), e))?
            .map(|(_, san)| san);
        let key_usage = tbs
            .get_extension::<X509KeyUsage>()
            .map_err(|e| ext(oid_of::<X509KeyUsage>(), e))?
            .map(|(_, ku)| KeyUsage(ku.0.bits()));
        let extended_key_usage = tbs
            .get_extension::<ExtendedKeyUsage>()
            .map_err(|e| ext(oid_of::<ExtendedKeyUsage>(), e))?
            .map(|(_, eku)| eku.0);
        let basic_constraints = tbs
            .get_extension::<X509BasicConstraints>()
            .map_err(|e| ext(oid_of::<X509BasicConstraints>(), e))?
            .map(|(_, bc)| BasicConstraints {
                ca: bc.ca,
                path_len: bc.path_len_constraint,
            });
        let subject_key_id = tbs
            .get_extension::<SubjectKeyIdentifier>()
            .map_err(|e| ext(oid_of::<SubjectKeyIdentifier>(), e))?
            .map(|(_, ski)| ski.0.as_bytes().to_vec());
        let authority_key_id = tbs
            .get_extension::<AuthorityKeyIdentifier>()
            .map_err(|e| ext(oid_of::<AuthorityKeyIdentifier>(), e))?
            .and_then(|(_, aki)| aki.key_identifier.map(|k| k.as_bytes().to_vec()));

        let emails = collect_emails(tbs.subject(), san.as_ref());
        let key_algorithm = key_algorithm(tbs.subject_public_key_info());

        Ok(Certificate {
            inner: Arc::new(Inner {
                der,
                parsed,
                emails,
                key_usage,
                extended_key_usage,
                basic_constraints,
                subject_key_id,
                computed_key_ids: OnceLock::new(),
                authority_key_id,
                key_algorithm,
            }),
        })
    }

    /// The certificate exactly as it was read.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The certificate as PEM text.
    pub fn to_pem(&self) -> String {
        crate::cert::pem::encode("CERTIFICATE", self.der())
    }

    /// The parsed structure, for what the accessors here do not cover.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner.parsed
    }

    /// The subject distinguished name (RFC 4514 string form).
    pub fn subject(&self) -> String {
        self.inner.parsed.tbs_certificate().subject().to_string()
    }

    /// The issuer distinguished name (RFC 4514 string form).
    pub fn issuer(&self) -> String {
        self.inner.parsed.tbs_certificate().issuer().to_string()
    }

    /// The subject name as a structure.
    pub fn subject_name(&self) -> &x509_cert::name::Name {
        self.inner.parsed.tbs_certificate().subject()
    }

    /// The issuer name as a structure.
    pub fn issuer_name(&self) -> &x509_cert::name::Name {
        self.inner.parsed.tbs_certificate().issuer()
    }

    /// The serial number's content octets (big-endian, two's complement).
    pub fn serial_number(&self) -> &[u8] {
        self.inner
            .parsed
            .tbs_certificate()
            .serial_number()
            .as_bytes()
    }

    /// The serial number as upper-case hex, as `openssl x509 -serial` prints it.
    pub fn serial_hex(&self) -> String {
        hex_upper(self.serial_number())
    }

    /// Start of the validity period. A start before 1970 (RFC 5280 allows UTCTime
    /// from 1950) reads as 1970-01-01T00:00:00Z, which is the same for every check.
    pub fn not_before(&self) -> SystemTime {
        self.inner
            .parsed
            .tbs_certificate()
            .validity()
            .not_before
            .to_system_time()
    }

    /// End of the validity period (an end before 1970 reads as 1970-01-01T00:00:00Z:
    /// expired for every reference time).
    pub fn not_after(&self) -> SystemTime {
        self.inner
            .parsed
            .tbs_certificate()
            .validity()
            .not_after
            .to_system_time()
    }

    /// Whether `time` lies within the validity period (both ends inclusive,
    /// RFC 5280 §4.1.2.5).
    pub fn is_valid_at(&self, time: SystemTime) -> bool {
        self.not_before() <= time && time <= self.not_after()
    }

    /// The email addresses this certificate names (RFC 8550 §3): every SAN rfc822Name
    /// and SmtpUTF8Mailbox; the subject's emailAddress attributes only when the
    /// certificate has no SAN address at all. Values that are not valid addresses are
    /// skipped.
    pub fn email_addresses(&self) -> &[EmailAddress] {
        &self.inner.emails
    }

    /// Whether the certificate names `address` (compared by [`EmailAddress`]'s rules).
    pub fn names_address(&self, address: &EmailAddress) -> bool {
        self.inner.emails.iter().any(|a| a == address)
    }

    /// The keyUsage extension, if present. Absent means "any usage" for the key
    /// (RFC 8550 §4.4.2).
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.inner.key_usage
    }

    /// The extendedKeyUsage purposes, if the extension is present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.inner.extended_key_usage.as_deref()
    }

    /// Whether the EKU allows S/MIME: absent, or containing emailProtection or
    /// anyExtendedKeyUsage (RFC 8550 §4.4.4).
    pub fn eku_allows_email(&self) -> bool {
        match self.extended_key_usage() {
            None => true,
            Some(ekus) => ekus
                .iter()
                .any(|o| *o == oid::KP_EMAIL_PROTECTION || *o == oid::ANY_EXTENDED_KEY_USAGE),
        }
    }

    /// The basicConstraints extension, if present.
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.inner.basic_constraints
    }

    /// The subjectKeyIdentifier, if present.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        self.inner.subject_key_id.as_deref()
    }

    /// Whether an issuerAndSerialNumber (RFC 5652 §10.2.4) names this certificate:
    /// the issuer compared by its DER encoding (what every client does), the serial
    /// by its content octets.
    pub(crate) fn is_issuer_and_serial(
        &self,
        issuer: &x509_cert::name::Name,
        serial: &[u8],
    ) -> bool {
        let same_issuer = match (issuer.to_der(), self.issuer_name().to_der()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        same_issuer && serial == self.serial_number()
    }

    /// Whether a subjectKeyIdentifier in a CMS recipient or signer identifier names
    /// this certificate's key: its subjectKeyIdentifier extension, or one of the
    /// SHA-1 key identifiers senders compute themselves (when the extension is absent
    /// or not looked at):
    /// RFC 5280 §4.2.1.2 method (1) (over the subjectPublicKey bits) and Outlook
    /// 2010's (over the whole SubjectPublicKeyInfo: the Bouncy Castle
    /// `outlook_2010_beta_sime_msg.eml` sample). All are public facts about our own
    /// key: matching them decides nothing secret, unlike trying our key on other
    /// recipients (RFC 3218).
    pub(crate) fn is_key_identifier(&self, id: &[u8]) -> bool {
        if self.subject_key_identifier() == Some(id) {
            return true;
        }
        let computed = self.inner.computed_key_ids.get_or_init(|| {
            let spki = self.x509().tbs_certificate().subject_public_key_info();
            let mut ids: Vec<[u8; 20]> =
                vec![sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).into()];
            ids.extend(
                spki.to_der()
                    .ok()
                    .map(|der| -> [u8; 20] { sha1::Sha1::digest(der).into() }),
            );
            ids
        });
        computed.iter().any(|c| c.as_slice() == id)
    }

    /// The keyIdentifier of the authorityKeyIdentifier extension, if present.
    pub fn authority_key_identifier(&self) -> Option<&[u8]> {
        self.inner.authority_key_id.as_deref()
    }

    /// SHA-256 over the DER: the fingerprint users compare out of band.
    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        Sha256::digest(self.der()).into()
    }

    /// The SHA-256 fingerprint as upper-case hex without separators.
    pub fn fingerprint_hex(&self) -> String {
        hex_upper(&self.fingerprint_sha256())
    }

    /// The public key's algorithm and size.
    pub fn key_algorithm(&self) -> &KeyAlgorithm {
        &self.inner.key_algorithm
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_info_der(&self) -> Result<Vec<u8>, CertificateError> {
        self.inner
            .parsed
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(CertificateError::Malformed)
    }

    /// Whether subject and issuer names are identical (a self-issued certificate).
    pub fn is_self_issued(&self) -> bool {
        self.subject_name() == self.issuer_name()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der() == other.der()
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.der().hash(state)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial", &self.serial_hex())
            .field("emails", &self.inner.emails)
            .finish()
    }
}

fn oid_of<T: der::oid::AssociatedOid>() -> ObjectIdentifier {
    T::OID
}

fn collect_emails(
    subject: &x509_cert::name::Name,
    san: Option<&SubjectAltName>,
) -> Vec<EmailAddress> {
    let mut out: Vec<EmailAddress> = Vec::new();
    let mut push = |s: &str| {
        if let Ok(a) = EmailAddress::parse(s)
            && !out.contains(&a)
        {
            out.push(a);
        }
    };
    let mut san_had_address = false;
    if let Some(san) = san {
        for name in san.0.iter() {
            match name {
                GeneralName::Rfc822Name(s) => {
                    san_had_address = true;
                    push(s.as_str());
                }
                GeneralName::OtherName(other) if other.type_id == oid::SMTP_UTF8_MAILBOX => {
                    san_had_address = true;
                    // RFC 9598 §3: SmtpUTF8Mailbox ::= UTF8String, inside the [0] EXPLICIT value.
                    if let Ok(s) = other.value.decode_as::<Utf8StringRef<'_>>() {
                        push(s.as_str());
                    }
                }
                _ => {}
            }
        }
    }
    // RFC 8550 §3: the DN emailAddress is consulted when the SAN carries no address.
    if !san_had_address {
        for atv in subject.iter() {
            if atv.oid == oid::EMAIL_ADDRESS
                && let Ok(s) = atv.value.decode_as::<Ia5StringRef<'_>>()
                && s.as_str().len() <= MAX_DN_EMAIL
            {
                push(s.as_str());
            }
        }
    }
    out
}

fn key_algorithm(spki: &spki::SubjectPublicKeyInfoOwned) -> KeyAlgorithm {
    let alg = spki.algorithm.oid;
    let rsa_bits = || {
        pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(spki.subject_public_key.raw_bytes())
            .map(|k| {
                let m = k.modulus.as_bytes();
                let lead = m.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
                (m.len().saturating_sub(1)) * 8 + lead
            })
            .unwrap_or(0)
    };
    match alg {
        a if a == oid::RSA_ENCRYPTION => KeyAlgorithm::Rsa { bits: rsa_bits() },
        a if a == oid::RSASSA_PSS => KeyAlgorithm::RsaPss { bits: rsa_bits() },
        a if a == oid::EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(c) if c == oid::SECP256R1 => KeyAlgorithm::EcP256,
                Some(c) if c == oid::SECP384R1 => KeyAlgorithm::EcP384,
                Some(c) if c == oid::SECP521R1 => KeyAlgorithm::EcP521,
                Some(curve) => KeyAlgorithm::EcOther { curve },
                None => KeyAlgorithm::Other { oid: alg },
            }
        }
        a if a == oid::ED25519 => KeyAlgorithm::Ed25519,
        a if a == oid::ED448 => KeyAlgorithm::Ed448,
        a if a == oid::X25519 => KeyAlgorithm::X25519,
        a if a == oid::X448 => KeyAlgorithm::X448,
        a if a == oid::DSA => KeyAlgorithm::Dsa,
        oid => KeyAlgorithm::Other { oid },
    }
}

/// Decodes `der` with `x509-cert`; a certificate it refuses only for a validity bound
/// before 1970 is decoded with that bound at the epoch (see `early_time`).
fn parse_x509(der: &[u8]) -> Result<x509_cert::Certificate, CertificateError> {
    x509_cert::Certificate::from_der(der).or_else(|e| {
        crate::cert::early_time::clamp_validity(der)
            .and_then(|clamped| x509_cert::Certificate::from_der(&clamped).ok())
            .ok_or(CertificateError::Malformed(e))
    })
}
