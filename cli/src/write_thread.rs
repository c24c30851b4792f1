//! Writing the output file on a thread of its own: the kernel's copy into the page
//! cache is about a quarter of sealing's work on one core (perf, issue 12), and the
//! other core is free while the main thread reads, hashes and encrypts. The thread
//! starts with the first full block: output smaller than that (a mail of a few KiB)
//! is written by the caller's thread at the end, without a thread's start-up and
//! hand-over, which cost more than the write.

use std::io::{self, Write};
use std::mem;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{self, JoinHandle};

/// Bytes collected before a block goes to the writer thread.
const BLOCK: usize = 256 << 10;
/// Blocks queued at once: memory stays near (DEPTH + 2) × BLOCK.
const DEPTH: usize = 4;

/// A [`Write`] that hands full blocks to a thread writing them into the inner writer.
/// A write error there is reported by a later `write`, or by `flush`.
pub struct WriteThread {
    buf: Vec<u8>,
    state: State,
}

/// Where the inner writer is.
enum State {
    /// No block is full yet: the inner writer waits here.
    Waiting(Box<dyn Write + Send>),
    /// The thread holds it.
    Running {
        blocks: SyncSender<Vec<u8>>,
        spare: Receiver<Vec<u8>>,
        thread: JoinHandle<io::Result<()>>,
    },
    /// Flushed, or the thread stopped.
    Finished,
}

impl WriteThread {
    pub fn new<W: Write + Send + 'static>(inner: W) -> Self {
        WriteThread {
            buf: Vec::new(),
            state: State::Waiting(Box::new(inner)),
        }
    }

    /// Starts the thread with the inner writer.
    fn start(mut inner: Box<dyn Write + Send>) -> io::Result<State> {
        let (blocks, rx) = sync_channel::<Vec<u8>>(DEPTH);
        // Emptied blocks go back for reuse; the channel is never full, so the writer
        // never waits on it.
        let (spare_tx, spare) = sync_channel::<Vec<u8>>(DEPTH + 2);
        let thread = thread::Builder::new().name("smime-write".into()).spawn(
            move || -> io::Result<()> {
                for mut block in rx {
                    inner.write_all(&block)?;
                    block.clear();
                    let _ = spare_tx.try_send(block);
                }
                inner.flush()
            },
        )?;
        Ok(State::Running {
            blocks,
            spare,
            thread,
        })
    }

    fn send(&mut self) -> io::Result<()> {
        self.state = match mem::replace(&mut self.state, State::Finished) {
            State::Waiting(inner) => Self::start(inner)?,
            other => other,
        };
        let State::Running { blocks, spare, .. } = &self.state else {
            return Err(io::Error::other("output already finished"));
        };
        let next = spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let full = mem::replace(&mut self.buf, next);
        match blocks.send(full) {
            Ok(()) => Ok(()),
            // The thread ended early: its error says why.
            Err(_) => self
                .join()
                .and(Err(io::Error::other("the writer thread stopped"))),
        }
    }

    /// Ends the thread (its queue closes) and returns how its writing went. Without a
    /// running thread there is nothing to end: the state stays as it is.
    fn join(&mut self) -> io::Result<()> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Running { blocks, thread, .. } => {
                drop(blocks);
                match thread.join() {
                    Ok(result) => result,
                    Err(_) => Err(io::Error::other("the writer thread panicked")),
                }
            }
            other => {
                self.state = other;
                Ok(())
            }
        }
    }
}

impl Write for WriteThread {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let State::Finished = self.state {
            return Err(io::Error::other("output already finished"));
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BLOCK {
            self.send()?;
        }
        Ok(data.len())
    }

    /// Writes what is left (on this thread if the writer thread never started) and
    /// waits until everything is written: after `flush` the output is complete (no
    /// more writes are taken).
    fn flush(&mut self) -> io::Result<()> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Waiting(mut inner) => {
                inner.write_all(&self.buf)?;
                self.buf = Vec::new();
                inner.flush()
            }
            running @ State::Running { .. } => {
                self.state = running;
                if !self.buf.is_empty() {
                    self.send()?;
                }
                self.join()
            }
            State::Finished => Ok(()),
        }
    }
}

/// A file whose written pages are handed to the kernel's writeback as the output
/// grows (`posix_fadvise(DONTNEED)` every [`WRITEBACK_STEP`] bytes): the block
/// allocation and I/O submission that ext4 otherwise does all at once when the
/// finished file is renamed over an older one (its replace-via-rename flush, 87 ms for
/// a 140 MiB output here) happen on the writer thread while the work goes on, and a
/// large output does not sit in memory as dirty pages.
pub struct EarlyWriteback {
    file: std::fs::File,
    written: u64,
    handed_over: u64,
}

/// Bytes written between two hand-overs to writeback.
const WRITEBACK_STEP: u64 = 8 << 20;

impl EarlyWriteback {
    pub fn new(file: std::fs::File) -> Self {
        EarlyWriteback {
            file,
            written: 0,
            handed_over: 0,
        }
    }
}

impl Write for EarlyWriteback {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.file.write(data)?;
        self.written += n as u64;
        if self.written - self.handed_over >= WRITEBACK_STEP {
            // Advice only: a file system that ignores it loses nothing.
            let _ = rustix::fs::fadvise(
                &self.file,
                self.handed_over,
                std::num::NonZeroU64::new(self.written - self.handed_over),
                rustix::fs::Advice::DontNeed,
            );
            self.handed_over = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer into a buffer the test keeps, failing after `fail_after` bytes.
    struct Shared {
        out: Arc<Mutex<Vec<u8>>>,
        fail_after: usize,
    }

    impl Write for Shared {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            let mut out = self.out.lock().expect("not poisoned");
            if out.len() + data.len() > self.fail_after {
                return Err(io::Error::other("disk full"));
            }
            out.extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn through(data: &[u8], piece: usize, fail_after: usize) -> (io::Result<()>, Vec<u8>) {
        let out = Arc::new(Mutex::new(Vec::new()));
        let mut w = WriteThread::new(Shared {
            out: out.clone(),
            fail_after,
        });
        let result = data
            .chunks(piece)
            .try_for_each(|c| w.write_all(c))
            .and_then(|()| w.flush());
        let written = out.lock().expect("not poisoned").clone();
        (result, written)
    }

    #[test]
    fn everything_arrives_in_order_whether_or_not_the_thread_starts() {
        let data: Vec<u8> = (0..BLOCK * 3 + 777).map(|i| (i * 31 % 251) as u8).collect();
        for len in [0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, data.len()] {
            for piece in [1000, 64 << 10, BLOCK + 5] {
                let (result, written) = through(&data[..len], piece, usize::MAX);
                assert!(result.is_ok(), "len {len} piece {piece}: {result:?}");
                assert!(written == data[..len], "len {len} piece {piece}");
            }
        }
    }

    #[test]
    fn a_failed_write_is_reported_before_and_after_the_thread_starts() {
        let data = vec![7u8; BLOCK * 3];
        for (len, fail_after) in [(100, 50), (BLOCK * 3, BLOCK + 10)] {
            let (result, _) = through(&data[..len], 4096, fail_after);
            let err = result.expect_err("the write fails");
            assert!(err.to_string().contains("disk full"), "{err}");
        }
    }

    #[test]
    fn nothing_is_taken_after_flush() {
        let mut w = WriteThread::new(io::sink());
        w.write_all(b"x").and_then(|()| w.flush()).expect("written");
        assert!(w.write(b"y").is_err());
    }
}
