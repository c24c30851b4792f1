//! The record files of the installed store, and durable writes.
//!
//! A record is UTF-8 text: a header line `smime-store 1 KIND`, then `key: value`
//! lines, then `sha256: HEX` over every byte before that line. Values are one line:
//! `%`, CR and LF are percent-encoded; binary values are base64. A file that is
//! truncated, altered or not a record fails [`Record::decode`] with a reason.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

pub(crate) use crate::cert::hex_upper;
use crate::error::DirectoryError;

/// The on-disk format version this crate writes and reads.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// The first word of every record.
const MAGIC: &str = "smime-store";
/// Largest record accepted when reading (a certificate with a long chain of
/// addresses fits easily; a 1 GiB "entry" is damage, not data).
pub(crate) const MAX_RECORD: u64 = 1 << 20;

/// One record: its kind and its fields in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub kind: String,
    pub fields: Vec<(String, String)>,
}

impl Record {
    pub fn new(kind: &str) -> Self {
        Record {
            kind: kind.to_owned(),
            fields: Vec::new(),
        }
    }

    pub fn push(&mut self, key: &str, value: impl AsRef<str>) {
        self.fields.push((key.to_owned(), escape(value.as_ref())));
    }

    /// The first value of `key`, unescaped.
    pub fn get(&self, key: &str) -> Option<String> {
        self.all(key).next()
    }

    /// Every value of `key`, unescaped.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = String> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| unescape(v))
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut text = format!("{MAGIC} {FORMAT_VERSION} {}\n", self.kind);
        for (k, v) in &self.fields {
            text.push_str(k);
            text.push_str(": ");
            text.push_str(v);
            text.push('\n');
        }
        let sum = hex_upper(&Sha256::digest(text.as_bytes()));
        text.push_str("sha256: ");
        text.push_str(&sum);
        text.push('\n');
        text.into_bytes()
    }

    /// Parses a record of `kind`, checking its checksum.
    pub fn decode(bytes: &[u8], kind: &str) -> Result<Record, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
        let body_end = text
            .trim_end_matches('\n')
            .rfind('\n')
            .map(|i| i + 1)
            .ok_or_else(|| "truncated: no checksum line".to_owned())?;
        let (body, trailer) = text.split_at(body_end);
        let sum = trailer
            .strip_prefix("sha256: ")
            .and_then(|s| s.strip_suffix('\n'))
            .ok_or_else(|| "truncated: no checksum line".to_owned())?;
        if !sum.eq_ignore_ascii_case(&hex_upper(&Sha256::digest(body.as_bytes()))) {
            return Err("checksum mismatch".to_owned());
        }
        let mut lines = body.lines();
        let header = lines.next().unwrap_or_default();
        let mut words = header.split(' ');
        if words.next() != Some(MAGIC) {
            return Err("not an smime store record".to_owned());
        }
        let version = words.next().unwrap_or_default();
        if version != FORMAT_VERSION.to_string() {
            return Err(format!(
                "record format version {version:?} is not supported"
            ));
        }
        let found_kind = words.next().unwrap_or_default();
        if found_kind != kind {
            return Err(format!(
                "a {found_kind:?} record where a {kind:?} was expected"
            ));
        }
        let mut record = Record::new(kind);
        for line in lines {
            let (k, v) = line
                .split_once(": ")
                .ok_or_else(|| format!("malformed line {line:?}"))?;
            record.fields.push((k.to_owned(), v.to_owned()));
        }
        Ok(record)
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> String {
    value
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

pub(crate) fn io_error(path: &Path, e: std::io::Error) -> DirectoryError {
    DirectoryError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Makes the entries of `dir` durable (fsync of the folder itself, so a rename or
/// unlink in it survives a crash).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), DirectoryError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, e))
}

/// Suffix of temporary files; readers ignore them, writers holding the store lock
/// remove leftovers of killed writers.
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `dir/name` atomically and durably: a temporary file in the same
/// folder, fsync, rename over the target, fsync of the folder.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), DirectoryError> {
    let nonce: u64 = rand::random();
    let temp = dir.join(format!(
        ".{name}.{}.{nonce:016x}{TEMP_SUFFIX}",
        std::process::id()
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| io_error(&temp, e))?;
        file.write_all(bytes).map_err(|e| io_error(&temp, e))?;
        file.sync_all().map_err(|e| io_error(&temp, e))?;
        let target = dir.join(name);
        fs::rename(&temp, &target).map_err(|e| io_error(&target, e))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Removes `dir/name` durably. Returns whether it existed.
pub(crate) fn remove_durable(dir: &Path, name: &str) -> Result<bool, DirectoryError> {
    let path = dir.join(name);
    match fs::remove_file(&path) {
        Ok(()) => {
            sync_dir(dir)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(&path, e)),
    }
}

/// Reads a regular file (not through a symlink, never a FIFO) of at most
/// [`MAX_RECORD`] bytes.
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = super::regular_file::open_regular_read(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_RECORD + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_RECORD {
        return Err(format!("larger than {MAX_RECORD} bytes"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let mut r = Record::new("certificate");
        r.push("address", "a@example.com");
        r.push("note", "two\nlines 100%");
        let bytes = r.encode();
        let back = Record::decode(&bytes, "certificate").unwrap();
        assert_eq!(back.get("note").as_deref(), Some("two\nlines 100%"));
        assert_eq!(back.get("address").as_deref(), Some("a@example.com"));
        for cut in [0, 5, bytes.len() / 2, bytes.len() - 2] {
            assert!(
                Record::decode(&bytes[..cut], "certificate").is_err(),
                "cut {cut}"
            );
        }
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert!(Record::decode(&flipped, "certificate").is_err());
        assert!(Record::decode(&bytes, "trust").is_err());
        assert!(Record::decode(b"\xff\xfe", "certificate").is_err());
    }
}
