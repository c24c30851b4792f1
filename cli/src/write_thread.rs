//! Writing the output file on a thread of its own: the kernel's copy into the page
//! cache is about a quarter of sealing's work on one core (perf, issue 12), and the
//! other core is free while the main thread reads, hashes and encrypts.

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
    blocks: Option<SyncSender<Vec<u8>>>,
    spare: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl WriteThread {
    pub fn new<W: Write + Send + 'static>(mut inner: W) -> io::Result<Self> {
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
        Ok(WriteThread {
            buf: Vec::with_capacity(BLOCK),
            blocks: Some(blocks),
            spare,
            thread: Some(thread),
        })
    }

    fn send(&mut self) -> io::Result<()> {
        let next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let full = mem::replace(&mut self.buf, next);
        let sent = self.blocks.as_ref().map(|b| b.send(full));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread ended early: its error says why.
            _ => self
                .join()
                .and(Err(io::Error::other("the writer thread stopped"))),
        }
    }

    fn join(&mut self) -> io::Result<()> {
        self.blocks = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writer thread panicked")),
            None => Ok(()),
        }
    }
}

impl Write for WriteThread {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.thread.is_none() {
            return Err(io::Error::other("output already finished"));
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BLOCK {
            self.send()?;
        }
        Ok(data.len())
    }

    /// Sends what is left and waits until the thread has written everything: after
    /// `flush` the output is complete (no more writes are taken).
    fn flush(&mut self) -> io::Result<()> {
        if self.thread.is_none() {
            return Ok(());
        }
        if !self.buf.is_empty() {
            self.send()?;
        }
        self.join()
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
