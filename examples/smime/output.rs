//! `--out FILE` or stdout, written only when the operation succeeds.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// Output that appears only on success: a temporary file renamed over `--out`, or
/// a buffer copied to stdout (a failed decryption writes nothing).
pub enum Output {
    File {
        temp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    Stdout,
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Self, Failure> {
        match path {
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let temp = tempfile::NamedTempFile::new_in(dir)
                    .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
                Ok(Output::File {
                    temp,
                    path: path.to_owned(),
                })
            }
            None => Ok(Output::Stdout),
        }
    }

    pub fn writer(&self) -> Box<dyn Write> {
        match self {
            Output::File { temp, .. } => match temp.reopen() {
                Ok(f) => Box::new(io::BufWriter::new(f)),
                Err(_) => Box::new(io::sink()),
            },
            Output::Stdout => Box::new(SpoolToStdout::default()),
        }
    }

    pub fn commit(self, mut written: Box<dyn Write>) -> Result<(), Failure> {
        written
            .flush()
            .map_err(|e| Failure::usage(format!("cannot write output: {e}")))?;
        drop(written);
        match self {
            Output::File { temp, path } => temp
                .persist(&path)
                .map(drop)
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display()))),
            Output::Stdout => Ok(()),
        }
    }
}

/// Collects output in a temporary spool and copies it to stdout on flush, so that a
/// failure part-way leaves stdout empty.
#[derive(Default)]
pub struct SpoolToStdout {
    spool: Option<tempfile::SpooledTempFile>,
}

impl Write for SpoolToStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.spool
            .get_or_insert_with(|| tempfile::SpooledTempFile::new(16 << 20))
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        use std::io::Seek;
        if let Some(mut spool) = self.spool.take() {
            spool.seek(io::SeekFrom::Start(0))?;
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            io::copy(&mut spool, &mut lock)?;
            lock.flush()?;
        }
        Ok(())
    }
}
