//! Base64 on the second core: [`Base64LineWriter`] work handed to a worker thread while
//! the caller's thread goes on reading, canonicalising and encrypting (issue 12: sealing
//! is a pipeline, and base64 is a quarter of its work on one core).
//!
//! The caller's writer stays on the caller's thread (it need not be `Send`): full
//! blocks of input go to the worker, encoded blocks come back in order and are written
//! there. At most [`DEPTH`] blocks are out at once, and each channel holds [`DEPTH`], so
//! no send ever waits and the two threads cannot wait on each other; memory is fixed
//! (about 2 × `DEPTH` × [`BLOCK`]). Input below one block never starts a thread.

use std::io::{self, Write};
use std::mem;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use super::{Base64LineWriter, Base64Lines};
use crate::pipeline::Encoding;

/// Input bytes per block handed to the worker: a multiple of 57 (one line), so every
/// block but the last encodes to whole lines.
const BLOCK: usize = 57 * 4096;
/// Blocks out at the worker at once.
const DEPTH: usize = 4;

enum Job {
    /// Input to encode, and an empty buffer to encode it into.
    Data(Vec<u8>, Vec<u8>),
    /// The end: encode the tail and end the last line.
    Finish(Vec<u8>),
}

/// What the worker sends back: the input buffer (to reuse) and the encoded lines.
type Done = (Vec<u8>, Vec<u8>);

struct Worker {
    jobs: SyncSender<Job>,
    done: Receiver<Done>,
    in_flight: usize,
}

/// Like [`Base64LineWriter`], with the encoding done on a worker thread once the input
/// passes one block; the output is the same bytes.
pub(crate) struct Base64WorkerWriter<W: Write> {
    out: W,
    /// Input collected for the next block.
    pending: Vec<u8>,
    /// Buffers back from the worker, for the next blocks.
    spare: Vec<Vec<u8>>,
    worker: Option<Worker>,
}

fn worker_gone() -> io::Error {
    io::Error::other("the base64 worker thread stopped")
}

impl<W: Write> Base64WorkerWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        Base64WorkerWriter {
            out,
            pending: Vec::with_capacity(BLOCK),
            spare: Vec::new(),
            worker: None,
        }
    }

    /// Sends the pending block to the worker (starting it the first time) and, when
    /// `DEPTH` blocks are out, writes the oldest result.
    fn dispatch(&mut self) -> io::Result<()> {
        let worker = match &mut self.worker {
            Some(w) => w,
            None => self.worker.insert(spawn()?),
        };
        let fresh = self.spare.pop().unwrap_or_default();
        let input = mem::replace(&mut self.pending, self.spare.pop().unwrap_or_default());
        worker
            .jobs
            .send(Job::Data(input, fresh))
            .map_err(|_| worker_gone())?;
        worker.in_flight += 1;
        if worker.in_flight >= DEPTH {
            self.collect_one()?;
        }
        Ok(())
    }

    /// Writes the oldest result out and keeps its buffers.
    fn collect_one(&mut self) -> io::Result<()> {
        let Some(worker) = &mut self.worker else {
            return Ok(());
        };
        let (mut input, mut encoded) = worker.done.recv().map_err(|_| worker_gone())?;
        worker.in_flight -= 1;
        self.out.write_all(&encoded)?;
        input.clear();
        encoded.clear();
        self.spare.push(input);
        self.spare.push(encoded);
        Ok(())
    }

    /// Encodes the rest, ends the last line, writes everything and returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        let Some(worker) = self.worker.take() else {
            // Never started: one small input, encoded here.
            let mut b64 = Base64LineWriter::new(self.out);
            b64.write_all(&self.pending)?;
            return b64.finish();
        };
        let tail = mem::take(&mut self.pending);
        worker
            .jobs
            .send(Job::Finish(tail))
            .map_err(|_| worker_gone())?;
        // The Data jobs still out, then the Finish.
        for _ in 0..=worker.in_flight {
            let (_, encoded) = worker.done.recv().map_err(|_| worker_gone())?;
            self.out.write_all(&encoded)?;
        }
        Ok(self.out)
    }
}

impl<W: Write> Write for Base64WorkerWriter<W> {
    fn write(&mut self, mut input: &[u8]) -> io::Result<usize> {
        let total = input.len();
        while !input.is_empty() {
            let room = BLOCK - self.pending.len();
            let (now, later) = input.split_at(room.min(input.len()));
            self.pending.extend_from_slice(now);
            input = later;
            if self.pending.len() == BLOCK {
                self.dispatch()?;
            }
        }
        Ok(total)
    }

    /// Passes nothing on: a block goes out when full, the rest at
    /// [`finish`](Base64WorkerWriter::finish).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn spawn() -> io::Result<Worker> {
    let (jobs, job_rx) = sync_channel::<Job>(DEPTH);
    let (done_tx, done) = sync_channel::<Done>(DEPTH + 1);
    thread::Builder::new()
        .name("smime-base64".into())
        .spawn(move || encode_jobs(job_rx, done_tx))?;
    Ok(Worker {
        jobs,
        done,
        in_flight: 0,
    })
}

/// The worker: one result per job, in order, until Finish or the caller hangs up.
fn encode_jobs(jobs: Receiver<Job>, done: SyncSender<Done>) {
    let mut lines = Base64Lines::default();
    for job in jobs {
        match job {
            Job::Data(input, mut out) => {
                lines.encode(&input, &mut out);
                if done.send((input, out)).is_err() {
                    return;
                }
            }
            Job::Finish(tail) => {
                let mut out = Vec::new();
                lines.encode(&tail, &mut out);
                lines.finish(&mut out);
                let _ = done.send((tail, out));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_as_the_line_writer_at_every_size() {
        let data: Vec<u8> = (0..BLOCK * (DEPTH + 3) + 123)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in [
            0,
            1,
            56,
            57,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            BLOCK * DEPTH,
            data.len(),
        ] {
            let input = &data[..len];
            let mut expected = Base64LineWriter::new(Vec::new());
            expected.write_all(input).unwrap();
            let expected = expected.finish().unwrap();
            for step in [1000, 57 * 1000 + 3, usize::MAX] {
                let mut w = Base64WorkerWriter::new(Vec::new());
                for chunk in input.chunks(step.min(len.max(1))) {
                    w.write_all(chunk).unwrap();
                }
                assert_eq!(
                    w.finish().unwrap(),
                    expected,
                    "{len} bytes in writes of {step}"
                );
            }
        }
    }
}
