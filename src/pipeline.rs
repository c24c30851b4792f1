//! Two-stage pipelines for streaming work that is serial by nature (AES-CBC, a hash):
//! the caller's thread reads the next chunk and writes the previous one while a worker
//! thread does the work on the current one (issue 12: sealing and signing run at the
//! speed of the slowest stage, not of their sum).
//!
//! Chunks come back in order. At most [`DEPTH`] are out at the worker and each channel
//! holds [`DEPTH`], so no send ever waits on the other thread and the two cannot wait on
//! each other; memory is fixed at about (`DEPTH` + 1) × the chunk size. Only the worker's
//! state crosses threads: the reader and the writer stay on the caller's thread and
//! need not be `Send`. Input of one chunk or less never starts a thread.

use std::sync::mpsc::sync_channel;
use std::thread;

use crate::error::Error;

/// Chunks out at the worker at once.
const DEPTH: usize = 4;

/// A buffer and how many of its leading bytes hold data.
type Chunk = (Vec<u8>, usize);

/// Streams chunks of `chunk` bytes: `fill` reads the next one into a buffer of that
/// length and returns how many bytes it holds (fewer only at the end, 0 when there is
/// nothing left); `work` (on the worker) transforms the first `n` bytes of a buffer in
/// place and returns how many bytes of it are now output (it may replace the buffer);
/// `sink` takes the outputs in order. Returns the number of input bytes.
pub(crate) fn pipelined<S, F, K, O>(
    chunk: usize,
    state: &mut S,
    mut fill: F,
    work: K,
    mut sink: O,
) -> Result<u64, Error>
where
    S: Send,
    F: FnMut(&mut [u8]) -> Result<usize, Error>,
    K: Fn(&mut S, &mut Vec<u8>, usize) -> Result<usize, Error> + Send,
    O: FnMut(&[u8]) -> Result<(), Error>,
{
    let mut first = vec![0u8; chunk];
    let n = fill(&mut first)?;
    if n < chunk {
        // All of it in one chunk: done here.
        let len = work(state, &mut first, n)?;
        sink(first.get(..len).unwrap_or_default())?;
        return Ok(n as u64);
    }
    thread::scope(|scope| {
        // Made inside the scope so that leaving it early (an error) drops them, which
        // ends the worker before the scope joins it.
        let (jobs, job_rx) = sync_channel::<Chunk>(DEPTH);
        let (done_tx, done) = sync_channel::<Result<Chunk, Error>>(DEPTH);
        thread::Builder::new()
            .name("smime-pipeline".into())
            .spawn_scoped(scope, move || {
                for (mut buf, n) in job_rx {
                    let result = work(state, &mut buf, n).map(|len| (buf, len));
                    let failed = result.is_err();
                    if done_tx.send(result).is_err() || failed {
                        return;
                    }
                }
            })?;
        let worker_gone = || Error::from(std::io::Error::other("the pipeline's worker stopped"));

        let mut total = n as u64;
        let mut next = Some((first, n));
        let mut spare: Vec<Vec<u8>> = Vec::with_capacity(DEPTH);
        let mut in_flight = 0;
        while let Some(job) = next.take() {
            if jobs.send(job).is_err() {
                // The worker stopped on an error: it is in the results still queued.
                return Err(done
                    .iter()
                    .find_map(Result::err)
                    .unwrap_or_else(worker_gone));
            }
            in_flight += 1;
            // The next chunk is read while the worker works on this one.
            let mut buf = spare.pop().unwrap_or_default();
            buf.resize(chunk, 0);
            let n = fill(&mut buf)?;
            if n > 0 {
                total += n as u64;
                next = Some((buf, n));
            }
            let ready = match next {
                None => in_flight,
                Some(_) if in_flight == DEPTH => 1,
                Some(_) => 0,
            };
            for _ in 0..ready {
                let (buf, len) = done.recv().map_err(|_| worker_gone())??;
                in_flight -= 1;
                sink(buf.get(..len).unwrap_or_default())?;
                spare.push(buf);
            }
        }
        Ok(total)
    })
}

/// What a pipeline's output passes through on its worker, in order, before the
/// caller's thread writes it: MIME's base64 lines for a sealed message, so that the
/// caller's thread only reads and writes (issue 12).
pub(crate) trait Encoding: Send {
    /// Appends the encoding of `data` to `out`; a partial group may be held back.
    fn encode(&mut self, data: &[u8], out: &mut Vec<u8>);
    /// Appends what [`encode`](Encoding::encode) held back, ending the encoding.
    fn finish(&mut self, out: &mut Vec<u8>);
}

/// No encoding: the bytes as they are.
pub(crate) struct Raw;

impl Encoding for Raw {
    fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(data);
    }

    fn finish(&mut self, _: &mut Vec<u8>) {}
}

/// A [`Write`](std::io::Write) that passes what is written through an [`Encoding`]
/// into `out`, on the caller's thread: for the bytes around a pipeline's run, which
/// takes the encoding to its worker in between ([`parts`](EncodingWriter::parts)).
pub(crate) struct EncodingWriter<W, E> {
    out: W,
    encoding: E,
    encoded: Vec<u8>,
}

impl<W: std::io::Write, E: Encoding> EncodingWriter<W, E> {
    pub(crate) fn new(out: W, encoding: E) -> Self {
        EncodingWriter {
            out,
            encoding,
            encoded: Vec::new(),
        }
    }

    /// The writer and the encoding, for a pipeline that encodes on its worker and
    /// writes the results into the writer.
    pub(crate) fn parts(&mut self) -> (&mut W, &mut E) {
        (&mut self.out, &mut self.encoding)
    }

    /// Ends the encoding, writes its last bytes and returns the writer.
    pub(crate) fn finish(mut self) -> std::io::Result<W> {
        self.encoded.clear();
        self.encoding.finish(&mut self.encoded);
        self.out.write_all(&self.encoded)?;
        Ok(self.out)
    }
}

impl<W: std::io::Write, E: Encoding> std::io::Write for EncodingWriter<W, E> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.encoded.clear();
        self.encoding.encode(data, &mut self.encoded);
        self.out.write_all(&self.encoded)?;
        Ok(data.len())
    }

    /// Passes on what is encoded so far; a group the encoding holds back stays there.
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Reads until `buf` is full or the input ends (a short read is not the end), so that
/// every chunk but the last is full. Returns how many bytes were read.
pub(crate) fn fill<R: std::io::Read>(input: &mut R, buf: &mut [u8]) -> Result<usize, Error> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match input.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

/// A reader that hands out at most `step` bytes per call (tests: short reads are not
/// the end).
#[cfg(test)]
pub(crate) struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
}

#[cfg(test)]
impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        let (now, rest) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = rest;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A running sum on the worker, every byte doubled on its way through.
    fn run(data: &[u8], chunk: usize, step: usize) -> (u64, Vec<u8>, u64) {
        let mut input = Trickle { data, step };
        let mut sum = 0u64;
        let mut out = Vec::new();
        let total = pipelined(
            chunk,
            &mut sum,
            |buf| fill(&mut input, buf),
            |sum, buf, n| {
                for b in &mut buf[..n] {
                    *sum += u64::from(*b);
                    *b = b.wrapping_mul(2);
                }
                Ok(n)
            },
            |data| {
                out.extend_from_slice(data);
                Ok(())
            },
        )
        .unwrap();
        (total, out, sum)
    }

    #[test]
    fn the_worker_sees_every_byte_once_and_the_output_stays_in_order() {
        let chunk = 4096;
        let data: Vec<u8> = (0..chunk * (DEPTH + 3) + 77)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 9) as u8)
            .collect();
        for len in [0, 1, chunk - 1, chunk, chunk + 1, chunk * DEPTH, data.len()] {
            let part = &data[..len];
            let (total, out, sum) = run(part, chunk, 1000);
            assert_eq!(total, len as u64);
            assert_eq!(sum, part.iter().map(|&b| u64::from(b)).sum::<u64>());
            let doubled: Vec<u8> = part.iter().map(|b| b.wrapping_mul(2)).collect();
            assert_eq!(out, doubled, "{len} bytes");
        }
    }

    /// Swaps each pair of bytes; an odd byte waits for its partner or the end.
    #[derive(Default)]
    struct SwapPairs(Option<u8>);

    impl Encoding for SwapPairs {
        fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) {
            for &b in data {
                match self.0.take() {
                    Some(first) => out.extend_from_slice(&[b, first]),
                    None => self.0 = Some(b),
                }
            }
        }

        fn finish(&mut self, out: &mut Vec<u8>) {
            out.extend(self.0.take());
        }
    }

    #[test]
    fn an_encoding_writer_gives_what_one_encoding_of_everything_gives() {
        use std::io::Write;
        let data = b"abcdefghijk";
        let mut expected = Vec::new();
        let mut once = SwapPairs::default();
        once.encode(data, &mut expected);
        once.finish(&mut expected);
        assert_eq!(expected, b"badcfehgjik");
        for split in 0..=data.len() {
            let mut w = EncodingWriter::new(Vec::new(), SwapPairs::default());
            w.write_all(&data[..split]).unwrap();
            w.write_all(b"").unwrap();
            w.write_all(&data[split..]).unwrap();
            assert_eq!(w.finish().unwrap(), expected, "split at {split}");
        }
    }

    #[test]
    fn an_error_on_either_side_ends_the_run_with_it() {
        let chunk = 1024;
        let mut calls = 0;
        let mut state = ();
        let reader_fails = pipelined(
            chunk,
            &mut state,
            |buf| {
                calls += 1;
                if calls == 3 {
                    return Err(std::io::Error::other("disk gone").into());
                }
                Ok(buf.len())
            },
            |_, _, n| Ok(n),
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(reader_fails.to_string().contains("disk gone"));

        let mut seen = 0;
        let worker_fails = pipelined(
            chunk,
            &mut seen,
            |buf| Ok(buf.len()),
            |seen, _, n| {
                *seen += 1;
                if *seen == 5 {
                    return Err(std::io::Error::other("keystream spent").into());
                }
                Ok(n)
            },
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(worker_fails.to_string().contains("keystream spent"));
    }
}
