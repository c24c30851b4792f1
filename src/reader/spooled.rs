//! Where the streaming reader keeps what it unwrapped: in memory while small, then
//! in an anonymous temporary file, so that memory does not grow with the message.
//!
//! Each layer writes its output (the decrypted content, the signed part, the opaque
//! signed content) to a fresh spool, which the next layer reads from the start; the
//! innermost one is the content handed to the caller, and only once every layer's
//! check has run (RFC 5083 §2 for the AEAD tag, RFC 5652 §5.6 for the digest).

use std::io::{self, Read, Seek, SeekFrom, Write};

use tempfile::SpooledTempFile;

/// Output of one layer up to this size stays in memory; beyond it the spool moves to
/// a temporary file. Two spools are alive at once (the layer read and the layer
/// written), beside the AEAD ciphertext spool of `cms` (8 MiB): the sum stays under
/// the 24 MiB the memory test allows.
pub(crate) const SPOOL_IN_MEMORY: usize = 4 << 20;

/// The content of an opened message: in memory up to a few MiB, in an anonymous
/// temporary file beyond (deleted when this is dropped). Read it from the start with
/// [`Read`]; [`SpooledContent::rewind`] starts again.
pub struct SpooledContent {
    file: SpooledTempFile,
    len: u64,
}

impl std::fmt::Debug for SpooledContent {
    /// Shows the size and where the bytes are, not the bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpooledContent")
            .field("len", &self.len)
            .field("on_disk", &self.file.is_rolled())
            .finish()
    }
}

impl SpooledContent {
    /// A spool whose first byte is at position 0 and which holds `len` bytes.
    pub(crate) fn from_spool(mut file: SpooledTempFile) -> io::Result<Self> {
        let len = file.seek(SeekFrom::End(0))?;
        file.seek(SeekFrom::Start(0))?;
        Ok(SpooledContent { file, len })
    }

    /// The content's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the content is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the content was moved to a temporary file (it outgrew memory).
    pub fn is_on_disk(&self) -> bool {
        self.file.is_rolled()
    }

    /// Reads from the first byte again.
    pub fn rewind(&mut self) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0)).map(|_| ())
    }

    /// The whole content in memory (from the start, whatever was read before).
    pub fn to_vec(&mut self) -> io::Result<Vec<u8>> {
        self.rewind()?;
        let mut out = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        self.file.read_to_end(&mut out)?;
        self.rewind()?;
        Ok(out)
    }

    /// Copies the whole content (from the start) to `out`.
    pub fn copy_to<W: Write>(&mut self, mut out: W) -> io::Result<u64> {
        self.rewind()?;
        let n = io::copy(&mut self.file, &mut out)?;
        self.rewind()?;
        Ok(n)
    }
}

impl Read for SpooledContent {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

/// A new, empty spool for one layer's output.
pub(crate) fn new_spool() -> SpooledTempFile {
    SpooledTempFile::new(SPOOL_IN_MEMORY)
}
