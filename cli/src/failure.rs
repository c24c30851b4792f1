//! Errors with the exit status they map to (DESIGN.md: 0 ok, 1 negative result,
//! 2 bad usage or unreadable input).

use std::path::Path;

use smime::{CmsError, Error};

/// A failure with the exit status it maps to.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        // Operation failures (1) versus unreadable input (2).
        let code = match &e {
            Error::Cms(
                CmsError::NotARecipient
                | CmsError::DecryptionFailed
                | CmsError::UnusableRecipient { .. },
            ) => 1,
            _ => 2,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

/// Reads a file named on the command line; failure is a usage error (2).
pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} {}: {e}", path.display())))
}

/// Reads `--in FILE` or standard input whole; failure is a usage error (2).
pub fn read_input(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    match path {
        Some(p) => read_file(p, "input"),
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
            Ok(buf)
        }
    }
}

/// Writes `data` to `--out FILE` or standard output.
pub fn write_output(path: Option<&Path>, data: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    match path {
        Some(p) => std::fs::write(p, data)
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", p.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(data)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::usage(format!("cannot write output: {e}")))
        }
    }
}
