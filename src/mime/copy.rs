//! Copying from a buffered reader without a bounce buffer: `io::copy` reads a generic
//! reader through an 8 KiB stack buffer (one more copy of every byte); a `BufRead`'s own
//! buffer can be written straight out.

use std::io::{self, BufRead, Write};

/// Writes everything `from` yields into `to`; returns the number of bytes.
pub(crate) fn copy_buffered<R: BufRead, W: Write>(mut from: R, to: &mut W) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        let block = match from.fill_buf() {
            Ok([]) => return Ok(total),
            Ok(block) => block,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(block)?;
        let n = block.len();
        total += n as u64;
        from.consume(n);
    }
}
