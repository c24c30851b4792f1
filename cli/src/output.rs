//! `--out FILE` or stdout, written only when the operation succeeds.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::failure::Failure;
use crate::write_thread::WriteThread;

/// Output that appears only on success: a temporary file renamed over `--out`, or
/// a spool copied to stdout or to a special file (a failed decryption writes nothing).
pub enum Output {
    File {
        temp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    /// An existing `--out` that is not a regular file (`/dev/null`, a FIFO, a
    /// terminal): renaming over it would replace the device with a regular file, so
    /// the output is spooled and written into it on success.
    Special(PathBuf),
    Stdout,
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Self, Failure> {
        let Some(path) = path else {
            return Ok(Output::Stdout);
        };
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            return Ok(Output::Special(path.to_owned()));
        }
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

    pub fn writer(&self) -> Box<dyn Write> {
        match self {
            // Written on a thread of its own (crate::write_thread says why).
            Output::File { temp, .. } => match temp.reopen().and_then(WriteThread::new) {
                Ok(w) => Box::new(w),
                Err(_) => Box::new(io::sink()),
            },
            Output::Special(path) => Box::new(Spool::to(Some(path.clone()))),
            Output::Stdout => Box::new(Spool::to(None)),
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
            Output::Special(_) | Output::Stdout => Ok(()),
        }
    }
}

/// Collects output in a temporary spool and copies it to its destination (stdout, or
/// a special file) on flush, so that a failure part-way writes nothing.
pub struct Spool {
    spool: Option<tempfile::SpooledTempFile>,
    /// `None`: stdout.
    destination: Option<PathBuf>,
}

impl Spool {
    fn to(destination: Option<PathBuf>) -> Self {
        Spool {
            spool: None,
            destination,
        }
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.spool
            .get_or_insert_with(|| tempfile::SpooledTempFile::new(16 << 20))
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        use std::io::Seek;
        if let Some(mut spool) = self.spool.take() {
            spool.seek(io::SeekFrom::Start(0))?;
            match &self.destination {
                Some(path) => {
                    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
                    io::copy(&mut spool, &mut f)?;
                    f.flush()?;
                }
                None => {
                    let stdout = io::stdout();
                    let mut lock = stdout.lock();
                    io::copy(&mut spool, &mut lock)?;
                    lock.flush()?;
                }
            }
        }
        Ok(())
    }
}
