//! The crate's one error type and the domain enums it wraps.
//!
//! Hostile input never panics: every parse, decode and decryption failure becomes a
//! variant here with enough context for a person to understand it. Decryption
//! failures are deliberately *not* detailed (RFC 3218 §2.3): a wrong key, a bad RSA
//! padding, a bad CBC padding and a bad GCM tag all become
//! [`CmsError::DecryptionFailed`].

use std::fmt;

use der::asn1::ObjectIdentifier;

/// What can go wrong below the mail-app layers: parsing, CMS, MIME, directories, I/O.
/// The layers above have their own errors that carry this one: a certificate judged
/// unusable is a [`TrustError`](crate::trust::TrustError) (in the verdicts and
/// reports), sealing fails with a [`SealError`](crate::encryptor::SealError), keeping
/// a certificate with a [`KeepError`](crate::keep::KeepError).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// An email address could not be parsed.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// A certificate could not be parsed or lacks something we need.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// A private key or identity could not be loaded.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A PKCS#12 file could not be opened.
    #[error(transparent)]
    Pkcs12(#[from] Pkcs12Error),
    /// A CMS structure could not be built or opened.
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// A MIME message could not be wrapped or unwrapped.
    #[error(transparent)]
    Mime(#[from] MimeError),
    /// A certificate directory could not be opened, asked or changed.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
}

/// Why an email address was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// There is no `@` separating local part and domain.
    #[error("email address {input:?} has no '@'")]
    MissingAt {
        /// What was given.
        input: String,
    },
    /// The local part (before the last `@`) is empty or malformed.
    #[error("email address {input:?} has an invalid local part")]
    InvalidLocalPart {
        /// What was given.
        input: String,
    },
    /// The domain is empty or not a valid (internationalised) domain name.
    #[error("email address {input:?} has an invalid domain")]
    InvalidDomain {
        /// What was given.
        input: String,
    },
}

/// Why a certificate could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not a valid X.509 certificate: {0}")]
    Malformed(der::Error),
    /// PEM armour was found but could not be decoded.
    #[error("invalid PEM certificate: {0}")]
    Pem(der::Error),
    /// The input holds no certificate at all.
    #[error("no certificate found in the input")]
    NoCertificate,
    /// An extension we read is present but cannot be decoded.
    #[error("certificate extension {oid} is malformed: {error}")]
    BadExtension {
        /// The extension's OID.
        oid: ObjectIdentifier,
        /// The decoding error.
        error: der::Error,
    },
    /// The subject public key uses an algorithm this operation cannot use.
    #[error("certificate key algorithm {oid} is not supported for {operation}")]
    UnsupportedKey {
        /// The SubjectPublicKeyInfo algorithm OID.
        oid: ObjectIdentifier,
        /// What we tried to do with it.
        operation: &'static str,
    },
    /// The certificate has no subjectKeyIdentifier but one was required.
    #[error("certificate has no subjectKeyIdentifier extension")]
    NoSubjectKeyIdentifier,
}

/// Why a private key could not be loaded or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is encrypted and the password is wrong.
    #[error("wrong password for the private key")]
    WrongPassword,
    /// The key is encrypted but no password was given.
    #[error("the private key is encrypted and needs a password")]
    PasswordRequired,
    /// The bytes are not a private key in any format we know.
    #[error("not a private key in PKCS#8, PKCS#1 or SEC1 form: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// The key algorithm (or curve) is not supported.
    #[error("unsupported private key algorithm {oid}")]
    Unsupported {
        /// The algorithm or curve OID.
        oid: ObjectIdentifier,
    },
    /// The private key does not belong to the certificate's public key.
    #[error("the private key does not match the certificate's public key")]
    Mismatch,
}

/// Why a PKCS#12 (`.p12`/`.pfx`) file could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The MAC or the decryption shows the password is wrong.
    #[error("wrong password for the PKCS#12 file")]
    WrongPassword,
    /// The file is damaged or not PKCS#12.
    #[error("damaged or invalid PKCS#12 file: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// An encryption, MAC or key-derivation algorithm we do not implement.
    #[error("PKCS#12 uses unsupported algorithm {oid}")]
    UnsupportedAlgorithm {
        /// The algorithm OID.
        oid: ObjectIdentifier,
    },
    /// The file holds no private key.
    #[error("the PKCS#12 file holds no private key")]
    NoPrivateKey,
    /// The file holds no certificate matching the private key.
    #[error("the PKCS#12 file holds no certificate for its private key")]
    NoCertificate,
}

/// Why a CMS object could not be built or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The input is not well-formed BER/DER for the expected structure.
    #[error("malformed CMS {context}: {reason}")]
    Malformed {
        /// Which structure was being read.
        context: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The input ended before the structure was complete.
    #[error("CMS input is truncated while reading {context}")]
    Truncated {
        /// Which structure was being read.
        context: &'static str,
    },
    /// The outer content type is not one this operation handles.
    #[error("CMS content type {oid} is not {expected}")]
    UnexpectedContentType {
        /// The content type found.
        oid: ObjectIdentifier,
        /// What was expected.
        expected: &'static str,
    },
    /// An algorithm we do not implement (or refuse).
    #[error("unsupported {kind} algorithm {oid}")]
    UnsupportedAlgorithm {
        /// Content encryption, key transport, …
        kind: &'static str,
        /// The algorithm OID.
        oid: ObjectIdentifier,
    },
    /// Algorithm parameters outside what the RFCs allow (e.g. GCM ICV length).
    #[error("invalid {algorithm} parameters: {reason}")]
    InvalidParameters {
        /// The algorithm.
        algorithm: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// No RecipientInfo names the given identity and no key could open it.
    #[error("this message is not encrypted to the given identity")]
    NotARecipient,
    /// Decryption failed. Deliberately uniform: wrong key, bad padding, bad tag
    /// (RFC 3218 §2.3).
    #[error("decryption failed")]
    DecryptionFailed,
    /// A recipient certificate cannot be encrypted to.
    #[error("cannot encrypt to recipient {subject}: {reason}")]
    UnusableRecipient {
        /// The recipient certificate's subject.
        subject: String,
        /// Why not.
        reason: String,
    },
    /// Encryption was asked for zero recipients.
    #[error("no recipients given")]
    NoRecipients,
    /// A structure exceeds a safety limit (nesting depth, size).
    #[error("CMS {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too big.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// Why a MIME message could not be wrapped or unwrapped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MimeError {
    /// The header block is malformed or absent.
    #[error("malformed MIME message: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// The message has no S/MIME part of the requested kind.
    #[error("the message contains no {expected} part")]
    NoSmimePart {
        /// What was looked for.
        expected: &'static str,
    },
    /// A base64 body could not be decoded.
    #[error("invalid base64 in the S/MIME body")]
    Base64,
    /// The message exceeds a safety limit.
    #[error("MIME {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too big.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Reading the message from its source failed.
    #[error("reading the message failed: {0}")]
    Io(#[source] std::io::Error),
}

/// Why a certificate directory (installed store, contacts, LDAP GAL) could not be
/// opened, asked or changed. Cheap to clone: a failed batch lookup hands one copy to
/// every address it affected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The source could not be reached (connection refused, timed out, TLS failed).
    #[error("{source_name} is unreachable: {reason}")]
    Unreachable {
        /// The source, e.g. `ldap://gal.corp.example`.
        source_name: String,
        /// What went wrong.
        reason: String,
    },
    /// The source answered with an error (LDAP result code, refused bind, ...).
    #[error("{source_name} refused the request: {reason}")]
    Refused {
        /// The source.
        source_name: String,
        /// The server's answer.
        reason: String,
    },
    /// The source answered with something that cannot be read (not WBXML, not the
    /// command asked for, a required element missing).
    #[error("{source_name} sent an answer that cannot be read: {reason}")]
    BadAnswer {
        /// The source.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The answer exceeded a configured limit (size limit, time limit); rather than
    /// return part of it as if it were all, the lookup fails.
    #[error("{source_name}: {what} exceeded the limit of {limit}")]
    LimitExceeded {
        /// The source.
        source_name: String,
        /// What was too big or too slow.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// Reading or writing a file or folder failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The operating system's message.
        reason: String,
    },
    /// A stored file is damaged (truncated, bad checksum, not our format).
    #[error("damaged entry {path}: {reason}")]
    Damaged {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store was written by a newer version of this crate.
    #[error("{path}: store format version {found} is not supported (this crate reads {supported})")]
    UnsupportedVersion {
        /// The store's folder.
        path: std::path::PathBuf,
        /// The version found.
        found: String,
        /// The version this crate reads and writes.
        supported: u32,
    },
    /// A certificate was to be installed for an address it does not name
    /// (REQUIREMENTS.md §1 A: a directory never binds a certificate to another address).
    #[error("certificate {fingerprint} does not name {address}")]
    AddressNotNamed {
        /// The address asked for.
        address: String,
        /// SHA-256 fingerprint of the certificate (hex).
        fingerprint: String,
    },
    /// A certificate was to be installed but names no address and none was given.
    #[error("certificate {fingerprint} names no email address")]
    NoAddress {
        /// SHA-256 fingerprint of the certificate (hex).
        fingerprint: String,
    },
    /// The source's configuration is unusable (bad URL, batch size out of range, ...).
    #[error("invalid directory configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
}

impl MimeError {
    /// Turns an I/O error from a MIME reader back into the [`MimeError`] it carries
    /// (e.g. [`MimeError::Base64`] from the base64 decoder), or wraps it as
    /// [`MimeError::Io`].
    pub(crate) fn from_io(error: std::io::Error) -> Self {
        if error.get_ref().is_none() {
            return MimeError::Io(error);
        }
        let kind = error.kind();
        match error
            .into_inner()
            .map(|inner| inner.downcast::<MimeError>())
        {
            Some(Ok(mime)) => *mime,
            Some(Err(other)) => MimeError::Io(std::io::Error::new(kind, other)),
            None => MimeError::Io(kind.into()),
        }
    }
}

impl CmsError {
    pub(crate) fn malformed(context: &'static str, reason: impl fmt::Display) -> Self {
        CmsError::Malformed {
            context,
            reason: reason.to_string(),
        }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant reads as a sentence a person understands: no empty text, no
    /// Debug braces, and the context it carries appears in it.
    #[test]
    fn every_variant_formats_with_its_context() {
        let oid = crate::oid::AES256_GCM;
        let der_err = der::Error::from(der::ErrorKind::Failed);
        let cases: Vec<(Error, &str)> = vec![
            (std::io::Error::other("disk full").into(), "disk full"),
            (
                AddressError::MissingAt { input: "x".into() }.into(),
                "no '@'",
            ),
            (
                AddressError::InvalidLocalPart {
                    input: "a..b@c".into(),
                }
                .into(),
                "a..b@c",
            ),
            (
                AddressError::InvalidDomain {
                    input: "a@-".into(),
                }
                .into(),
                "invalid domain",
            ),
            (
                CertificateError::Malformed(der_err).into(),
                "not a valid X.509",
            ),
            (CertificateError::Pem(der_err).into(), "PEM"),
            (CertificateError::NoCertificate.into(), "no certificate"),
            (
                CertificateError::BadExtension {
                    oid,
                    error: der_err,
                }
                .into(),
                "2.16.840.1.101.3.4.1.46",
            ),
            (
                CertificateError::UnsupportedKey {
                    oid,
                    operation: "key transport",
                }
                .into(),
                "key transport",
            ),
            (
                CertificateError::NoSubjectKeyIdentifier.into(),
                "subjectKeyIdentifier",
            ),
            (KeyError::WrongPassword.into(), "wrong password"),
            (KeyError::PasswordRequired.into(), "needs a password"),
            (
                KeyError::Malformed {
                    reason: "bad tag".into(),
                }
                .into(),
                "bad tag",
            ),
            (KeyError::Unsupported { oid }.into(), "unsupported"),
            (KeyError::Mismatch.into(), "does not match"),
            (Pkcs12Error::WrongPassword.into(), "wrong password"),
            (
                Pkcs12Error::Malformed {
                    reason: "cut".into(),
                }
                .into(),
                "cut",
            ),
            (
                Pkcs12Error::UnsupportedAlgorithm { oid }.into(),
                "unsupported",
            ),
            (Pkcs12Error::NoPrivateKey.into(), "no private key"),
            (Pkcs12Error::NoCertificate.into(), "no certificate"),
            (
                CmsError::Malformed {
                    context: "RecipientInfo",
                    reason: "short".into(),
                }
                .into(),
                "RecipientInfo",
            ),
            (CmsError::Truncated { context: "mac" }.into(), "truncated"),
            (
                CmsError::UnexpectedContentType {
                    oid,
                    expected: "enveloped-data",
                }
                .into(),
                "enveloped-data",
            ),
            (
                CmsError::UnsupportedAlgorithm {
                    kind: "content encryption",
                    oid,
                }
                .into(),
                "content encryption",
            ),
            (
                CmsError::InvalidParameters {
                    algorithm: "AES-GCM",
                    reason: "ICV 4".into(),
                }
                .into(),
                "ICV 4",
            ),
            (CmsError::NotARecipient.into(), "not encrypted to"),
            (CmsError::DecryptionFailed.into(), "decryption failed"),
            (
                CmsError::UnusableRecipient {
                    subject: "CN=Bob".into(),
                    reason: "EC key".into(),
                }
                .into(),
                "CN=Bob",
            ),
            (CmsError::NoRecipients.into(), "no recipients"),
            (
                CmsError::LimitExceeded {
                    what: "nesting depth",
                    limit: 64,
                }
                .into(),
                "64",
            ),
            (CmsError::Random.into(), "random"),
        ];
        for (err, needle) in cases {
            let text = err.to_string();
            assert!(text.contains(needle), "{text:?} lacks {needle:?}");
            assert!(!text.contains('{') && !text.trim().is_empty(), "{text:?}");
        }
    }
}
