//! `--out FILE` or stdout, written only when the operation succeeds.
//!
//! Plaintext never goes anywhere the caller did not name (issue 15, finding 8): `--out
//! FILE` is written through a temporary file beside FILE (the folder the caller
//! chose) and renamed over it; stdout and special files (`/dev/null`, a FIFO) are
//! held in memory, up to [`MAX_SPOOL_BYTES`], never spilled to `$TMPDIR`. Every
//! failure to write, including reopening the temporary file, is an error.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::failure::Failure;
use crate::write_thread::{EarlyWriteback, WriteThread};

/// The most output held in memory for stdout or a special file. Larger output needs
/// `--out FILE`: spilling it to a temporary file would leave plaintext in `$TMPDIR`.
pub const MAX_SPOOL_BYTES: usize = 64 << 20;

/// Output that appears only on success: a temporary file renamed over `--out`, or
/// a spool in memory written to stdout or to a special file by [`Output::commit`]
/// (a failed or refused operation writes nothing).
pub enum Output {
    File {
        temp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    /// An existing `--out` that is not a regular file (`/dev/null`, a FIFO, a
    /// terminal): renaming over it would replace the device with a regular file, so
    /// the output is spooled and written into it on success.
    Special {
        path: PathBuf,
        spool: Spooled,
    },
    Stdout {
        spool: Spooled,
    },
}

/// The bytes a [`Spool`] collected, shared with the [`Output`] that writes them on
/// commit (a writer's `flush` does not release them: the library flushes when it
/// finishes, before the command has decided).
type Spooled = Rc<RefCell<Vec<u8>>>;

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Self, Failure> {
        let Some(path) = path else {
            return Ok(Output::Stdout {
                spool: Spooled::default(),
            });
        };
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            return Ok(Output::Special {
                path: path.to_owned(),
                spool: Spooled::default(),
            });
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
            Output::File { temp, path } => match temp
                .reopen()
                .map(|file| WriteThread::new(EarlyWriteback::new(file)))
            {
                Ok(w) => Box::new(w),
                // Every write (and the final flush) fails with why: the operation
                // then reports it instead of succeeding with nothing written.
                Err(e) => Box::new(Failing(Some(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot reopen the temporary file for {}: {e}",
                        path.display()
                    ),
                )))),
            },
            Output::Special { spool, .. } | Output::Stdout { spool } => Box::new(Spool {
                spool: spool.clone(),
            }),
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
            Output::Special { path, spool } => std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|mut f| {
                    f.write_all(&spool.borrow())?;
                    f.flush()
                })
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display()))),
            Output::Stdout { spool } => {
                let stdout = io::stdout();
                let mut lock = stdout.lock();
                lock.write_all(&spool.borrow())
                    .and_then(|()| lock.flush())
                    .map_err(|e| Failure::usage(format!("cannot write output: {e}")))
            }
        }
    }
}

/// A writer whose every write and flush fails with the error it was made with.
struct Failing(Option<io::Error>);

impl Failing {
    fn error(&mut self) -> io::Error {
        match self.0.take() {
            Some(e) => e,
            None => io::Error::other("the output could not be opened"),
        }
    }
}

impl Write for Failing {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(self.error())
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(self.error())
    }
}

/// Collects output in memory, at most [`MAX_SPOOL_BYTES`]; [`Output::commit`] writes
/// it to its destination. Nothing is spilled to a temporary file.
pub struct Spool {
    spool: Spooled,
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut spool = self.spool.borrow_mut();
        if spool.len().saturating_add(buf.len()) > MAX_SPOOL_BYTES {
            return Err(io::Error::other(format!(
                "the output is larger than {} MiB, the most held in memory until the \
                 operation succeeds; write it to a file with --out FILE",
                MAX_SPOOL_BYTES >> 20
            )));
        }
        spool.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
