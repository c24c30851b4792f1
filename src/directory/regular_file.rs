//! Opening the installed store's files: regular files only, never through a symlink,
//! never blocking on a FIFO (issue 15, finding 9).
//!
//! Someone who can write into the store's folder (another local user on a shared
//! folder, a synced folder, a bug) could plant `certificates/<FP>.cert` as a symlink
//! to a file the user can read, or as a FIFO that hangs every refresh, or make `lock`
//! a symlink so that creating it truncates nothing but creates a file elsewhere.
//! On Unix the final path component is opened with `O_NOFOLLOW` (a symlink fails
//! with `ELOOP`) and `O_NONBLOCK` (a FIFO opens at once instead of waiting for a
//! writer), and what was opened is then checked by handle (`fstat`) to be a regular
//! file. Elsewhere the path is checked with `symlink_metadata` first and the handle
//! after opening.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` with `options` if it is a regular file and not a symlink; anything
/// else is an error of kind [`io::ErrorKind::InvalidInput`] naming what it is.
pub(crate) fn open_regular(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    {
        let meta = std::fs::symlink_metadata(path)?;
        if !meta.file_type().is_file() {
            return Err(not_regular(&meta.file_type()));
        }
    }
    let file = options.open(path).map_err(|e| {
        // ELOOP: the last component is a symlink (O_NOFOLLOW).
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a symbolic link, which the store never follows",
            );
        }
        e
    })?;
    let file_type = file.metadata()?.file_type();
    if !file_type.is_file() {
        return Err(not_regular(&file_type));
    }
    Ok(file)
}

/// Opens `path` for reading (see [`open_regular`]).
pub(crate) fn open_regular_read(path: &Path) -> io::Result<File> {
    open_regular(path, OpenOptions::new().read(true))
}

fn not_regular(file_type: &std::fs::FileType) -> io::Error {
    let what = if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file (a FIFO, socket or device)"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("is {what}; the store opens only regular files"),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn temp() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "smime-regular-{}-{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn regular_files_open_symlinks_fifos_and_folders_do_not() {
        let d = temp();
        let target = d.join("target");
        std::fs::write(&target, b"secret").unwrap();
        assert!(open_regular_read(&target).is_ok());
        let link = d.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = open_regular_read(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let fifo = d.join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // Returns at once (O_NONBLOCK) with an error instead of waiting for a writer.
        let err = open_regular_read(&fifo).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let err = open_regular_read(&d).unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
