//! The content octets of an envelope being built: read, encrypted and written in fixed
//! chunks. Past the first chunk, encryption runs on a worker thread while the caller's
//! thread reads (and, upstream, canonicalises) the next chunk and writes the previous
//! one: AES-CBC is serial by nature and was a quarter of the caller's thread when
//! sealing (issue 12: sealing is a pipeline with bounded queues).
//!
//! Chunks come back in order. At most [`DEPTH`] are out at the worker and each
//! channel holds [`DEPTH`], so no send ever waits on the other thread and the two
//! cannot wait on each other; memory is fixed at about (`DEPTH` + 1) × [`CHUNK`]. Only
//! the cipher state crosses to the worker: the reader and writer stay on the caller's
//! thread and need not be `Send`. Content of one chunk or less never starts a thread.

use std::io::{Read, Write};
use std::mem;
use std::sync::mpsc::sync_channel;
use std::thread;

use crate::cms::aead::Aead;
use crate::cms::ber::write_length;
use crate::cms::cbc_stream::CbcEncryptor;
use crate::error::{CmsError, Error};

/// Size of the plaintext chunks read from the input: a multiple of every block size.
const CHUNK: usize = 128 * 1024;
/// Chunks out at the worker at once.
const DEPTH: usize = 4;

/// The content cipher of an envelope being built.
pub(super) enum Cipher {
    Cbc(CbcEncryptor),
    Aead(Aead),
}

/// A buffer and how many of its leading bytes hold data.
type Chunk = (Vec<u8>, usize);

/// Reads, encrypts and writes the content as OCTET STRING contents (`chunked`: each
/// chunk its own primitive OCTET STRING, for BER's constructed form); returns the
/// plaintext byte count. The final CBC block and the AEAD tag are left to the caller.
pub(super) fn pump<R: Read, W: Write>(
    content: &mut R,
    state: &mut Cipher,
    out: &mut W,
    chunked: bool,
) -> Result<u64, Error> {
    let mut first = vec![0u8; CHUNK];
    let n = fill(content, &mut first)?;
    if n < CHUNK {
        // All of it in one chunk: encrypted here.
        let len = encrypt_chunk(state, &mut first, n, &mut Vec::new())?;
        write_chunk(out, data(&first, len)?, chunked)?;
        return Ok(n as u64);
    }
    thread::scope(|scope| {
        // Made inside the scope so that leaving it early (an error) drops them, which
        // ends the worker before the scope joins it.
        let (jobs, job_rx) = sync_channel::<Chunk>(DEPTH);
        let (done_tx, done) = sync_channel::<Result<Chunk, CmsError>>(DEPTH);
        thread::Builder::new()
            .name("smime-cipher".into())
            .spawn_scoped(scope, move || {
                let mut spill = Vec::new();
                for (mut buf, n) in job_rx {
                    let result =
                        encrypt_chunk(state, &mut buf, n, &mut spill).map(|len| (buf, len));
                    let failed = result.is_err();
                    if done_tx.send(result).is_err() || failed {
                        return;
                    }
                }
            })?;
        let worker_gone = || Error::from(std::io::Error::other("the cipher thread stopped"));

        let mut total = n as u64;
        let mut next = Some((first, n));
        let mut spare: Vec<Vec<u8>> = Vec::with_capacity(DEPTH);
        let mut in_flight = 0;
        while let Some(job) = next.take() {
            jobs.send(job).map_err(|_| worker_gone())?;
            in_flight += 1;
            // The next chunk is read while the worker encrypts this one.
            let mut buf = spare.pop().unwrap_or_default();
            buf.resize(CHUNK, 0);
            let n = fill(content, &mut buf)?;
            if n > 0 {
                total += n as u64;
                next = Some((buf, n));
            }
            if in_flight == DEPTH || next.is_none() {
                let wanted = if next.is_none() { in_flight } else { 1 };
                for _ in 0..wanted {
                    let (buf, len) = done.recv().map_err(|_| worker_gone())??;
                    in_flight -= 1;
                    write_chunk(out, data(&buf, len)?, chunked)?;
                    spare.push(buf);
                }
            }
        }
        Ok(total)
    })
}

/// Encrypts the first `n` bytes of `buf` and returns how many bytes of `buf` are now
/// ciphertext: in place, or, for CBC input that is not whole blocks (only the last
/// chunk), through `spill`, which then trades places with `buf`.
fn encrypt_chunk(
    state: &mut Cipher,
    buf: &mut Vec<u8>,
    n: usize,
    spill: &mut Vec<u8>,
) -> Result<usize, CmsError> {
    let plain = buf
        .get_mut(..n)
        .ok_or_else(|| CmsError::malformed("content", "reader returned more than asked"))?;
    match state {
        Cipher::Cbc(c) => {
            if c.update_in_place(plain) {
                return Ok(n);
            }
            spill.clear();
            c.update(plain, spill);
            mem::swap(buf, spill);
            Ok(buf.len())
        }
        // A stream mode: encrypted in place.
        Cipher::Aead(a) => a.encrypt(plain).map(|()| n),
    }
}

fn data(buf: &[u8], len: usize) -> Result<&[u8], CmsError> {
    buf.get(..len)
        .ok_or_else(|| CmsError::malformed("content", "reader returned more than asked"))
}

/// Reads until `buf` is full or the input ends (a short read is not the end), so that
/// every buffer but the last is whole cipher blocks. Returns how many bytes were read.
fn fill<R: Read>(content: &mut R, buf: &mut [u8]) -> Result<usize, Error> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match content.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

/// Writes `data` as OCTET STRING contents, or with `chunked` as one primitive OCTET
/// STRING of the constructed form.
pub(super) fn write_chunk<W: Write>(out: &mut W, data: &[u8], chunked: bool) -> Result<(), Error> {
    if data.is_empty() {
        return Ok(());
    }
    if chunked {
        let mut h = Vec::with_capacity(10);
        h.push(0x04);
        write_length(&mut h, data.len() as u64);
        out.write_all(&h)?;
    }
    out.write_all(data)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            let (now, rest) = self.data.split_at(n);
            buf[..n].copy_from_slice(now);
            self.data = rest;
            Ok(n)
        }
    }

    fn sealed(cipher: impl Fn() -> Cipher, plain: &[u8], step: usize, chunked: bool) -> Vec<u8> {
        let mut state = cipher();
        let mut out = Vec::new();
        let n = pump(
            &mut Trickle { data: plain, step },
            &mut state,
            &mut out,
            chunked,
        )
        .unwrap();
        assert_eq!(n, plain.len() as u64);
        match state {
            Cipher::Cbc(c) => c.finish(&mut out),
            Cipher::Aead(a) => out.extend_from_slice(&a.tag()),
        }
        out
    }

    #[test]
    fn the_worker_writes_what_one_thread_writes_at_every_size() {
        let key = [7u8; 32];
        let iv = [9u8; 16];
        let nonce = [5u8; 12];
        let data: Vec<u8> = (0..CHUNK * (DEPTH + 3) + 1234)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        type MakeCipher<'a> = Box<dyn Fn() -> Cipher + 'a>;
        let ciphers: [(&str, MakeCipher); 2] = [
            (
                "cbc",
                Box::new(|| Cipher::Cbc(CbcEncryptor::new(&key, &iv).unwrap())),
            ),
            (
                "gcm",
                Box::new(|| Cipher::Aead(Aead::gcm(&key, &nonce).unwrap())),
            ),
        ];
        for (name, cipher) in &ciphers {
            for len in [
                0,
                1,
                15,
                16,
                CHUNK - 1,
                CHUNK,
                CHUNK + 1,
                CHUNK * DEPTH,
                data.len(),
            ] {
                let plain = &data[..len];
                // One thread, one call: the reference.
                let mut state = cipher();
                let mut expected = Vec::new();
                match &mut state {
                    Cipher::Cbc(c) => c.update(plain, &mut expected),
                    Cipher::Aead(a) => {
                        expected.extend_from_slice(plain);
                        a.encrypt(&mut expected).unwrap();
                    }
                }
                match state {
                    Cipher::Cbc(c) => c.finish(&mut expected),
                    Cipher::Aead(a) => expected.extend_from_slice(&a.tag()),
                }
                for step in [CHUNK, 1000] {
                    assert_eq!(
                        sealed(cipher, plain, step, false),
                        expected,
                        "{name} {len} {step}"
                    );
                }
            }
        }
    }

    #[test]
    fn chunked_output_is_one_octet_string_per_chunk() {
        let key = [1u8; 16];
        let plain = vec![0x41u8; CHUNK * 2 + 10];
        let out = sealed(
            || Cipher::Cbc(CbcEncryptor::new(&key, &[0u8; 16]).unwrap()),
            &plain,
            CHUNK,
            true,
        );
        // Two full chunks, each behind a 5-byte header; the last 10 bytes are no whole
        // block, so they wait for `finish` (16 bytes, unframed by this test).
        let header = [0x04, 0x83, 0x02, 0x00, 0x00];
        assert_eq!(out[..5], header);
        assert_eq!(out[5 + CHUNK..5 + CHUNK + 5], header);
        assert_eq!(out.len(), 2 * (5 + CHUNK) + 16);
    }

    #[test]
    fn a_failing_reader_stops_the_worker_and_says_why() {
        struct FailsLater(usize);
        impl Read for FailsLater {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk gone"));
                }
                let n = buf.len().min(self.0);
                buf[..n].fill(1);
                self.0 -= n;
                Ok(n)
            }
        }
        let mut state = Cipher::Cbc(CbcEncryptor::new(&[2u8; 16], &[0u8; 16]).unwrap());
        let err = pump(
            &mut FailsLater(CHUNK * 3),
            &mut state,
            &mut Vec::new(),
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("disk gone"), "{err}");
    }
}
