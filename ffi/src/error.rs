//! The one error type every binding call raises (Python) or throws (Kotlin, Swift),
//! and the guard that turns a Rust panic into one of its variants.
//!
//! The error is "flat": each variant crosses the boundary as its kind plus the
//! sentence a person reads (`str(e)` in Python, `e.message` in Kotlin,
//! `localizedDescription` in Swift). The variants carry one unnamed string rather
//! than a field called `message`, which would clash with Kotlin's `Throwable.message`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use smime::{CmsError, Error};

/// What went wrong, in words a person understands.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
#[non_exhaustive]
pub enum SmimeError {
    /// An email address could not be parsed.
    #[error("{0}")]
    InvalidAddress(String),
    /// Certificate bytes are not a usable X.509 certificate.
    #[error("{0}")]
    InvalidCertificate(String),
    /// A PKCS#12 file or private key could not be opened (wrong password, damaged,
    /// unsupported).
    #[error("{0}")]
    InvalidIdentity(String),
    /// A message could not be read: not MIME, not S/MIME, damaged, too deeply nested.
    #[error("{0}")]
    InvalidMessage(String),
    /// The message is encrypted, but not to this account's identity, or decryption
    /// failed (deliberately not detailed: RFC 3218 §2.3).
    #[error("{0}")]
    CannotDecrypt(String),
    /// Sealing refused: some recipients cannot be encrypted to, or there are none.
    #[error("{0}")]
    NotEncryptable(String),
    /// A certificate was not trusted or installed (bad signature, key change,
    /// address mismatch, …).
    #[error("{0}")]
    Refused(String),
    /// A certificate is not trusted.
    #[error("{0}")]
    Untrusted(String),
    /// The installed-certificate store or a directory could not be opened, asked or
    /// changed.
    #[error("{0}")]
    Directory(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
    /// An argument is out of range or malformed (a signer index, a fingerprint).
    #[error("{0}")]
    InvalidArgument(String),
    /// A bug: the Rust code panicked. The call was abandoned; the client stays usable.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

impl From<Error> for SmimeError {
    fn from(e: Error) -> Self {
        let text = e.to_string();
        match e {
            Error::Address(_) => SmimeError::InvalidAddress(text),
            Error::Certificate(_) => SmimeError::InvalidCertificate(text),
            Error::Key(_) | Error::Pkcs12(_) => SmimeError::InvalidIdentity(text),
            Error::Cms(CmsError::NotARecipient | CmsError::DecryptionFailed) => {
                SmimeError::CannotDecrypt(text)
            }
            Error::Cms(_) | Error::Mime(_) => SmimeError::InvalidMessage(text),
            Error::Directory(_) => SmimeError::Directory(text),
            Error::Io(_) => SmimeError::Io(text),
            // A variant added to the library later: still an error, still in words.
            _ => SmimeError::InvalidMessage(text),
        }
    }
}

impl From<smime::SealError> for SmimeError {
    fn from(e: smime::SealError) -> Self {
        match e {
            smime::SealError::Failed(e) => e.into(),
            refused => SmimeError::NotEncryptable(refused.to_string()),
        }
    }
}

impl From<smime::KeepError> for SmimeError {
    fn from(e: smime::KeepError) -> Self {
        match e {
            smime::KeepError::Store(e) => e.into(),
            refused => SmimeError::Refused(refused.to_string()),
        }
    }
}

impl From<smime::TrustError> for SmimeError {
    fn from(e: smime::TrustError) -> Self {
        SmimeError::Untrusted(e.to_string())
    }
}

impl From<smime::AddressError> for SmimeError {
    fn from(e: smime::AddressError) -> Self {
        SmimeError::InvalidAddress(e.to_string())
    }
}

impl From<smime::CertificateError> for SmimeError {
    fn from(e: smime::CertificateError) -> Self {
        SmimeError::InvalidCertificate(e.to_string())
    }
}

/// Runs one binding call; a panic inside becomes [`SmimeError::Internal`] instead of
/// unwinding into the foreign caller. (UniFFI would catch it too, but as its own
/// untyped "unexpected error"; this keeps every failure one typed error.)
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T, SmimeError>) -> Result<T, SmimeError> {
    // The state a panicking call may leave behind is behind mutexes whose poisoning
    // the callers ignore deliberately (see `client::State`): every call re-derives
    // what it needs from the store on disk and the account's settings.
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_string());
            Err(SmimeError::Internal(what))
        }
    }
}

/// Panics inside the crate's panic guard, deliberately: proves to the binding test suites that a
/// Rust panic reaches them as `SmimeError.Internal` (Python), `SmimeException.Internal`
/// (Kotlin), `SmimeError.Internal` (Swift), and that the library stays usable after.
#[uniffi::export]
#[allow(clippy::panic)] // Panicking is the point of this function.
pub fn check_panic_boundary() -> Result<(), SmimeError> {
    guard(|| panic!("deliberate panic from check_panic_boundary"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_with_its_text() {
        let err = check_panic_boundary().unwrap_err();
        assert!(matches!(err, SmimeError::Internal(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "internal error (please report it): deliberate panic from check_panic_boundary"
        );
        let formatted = guard::<()>(|| panic!("index {} out of range", 7)).unwrap_err();
        assert_eq!(
            formatted.to_string(),
            "internal error (please report it): index 7 out of range"
        );
    }

    #[test]
    fn library_errors_keep_their_sentence() {
        let err: SmimeError = smime::Certificate::from_der(b"not a certificate")
            .map_err(smime::Error::from)
            .unwrap_err()
            .into();
        assert!(matches!(err, SmimeError::InvalidCertificate(_)), "{err:?}");
        assert!(!err.to_string().is_empty());
    }
}
