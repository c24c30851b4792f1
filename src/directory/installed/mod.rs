//! [`InstalledStore`]: the certificates the user installed, on disk, with the user's
//! trust decisions and each correspondent's latest S/MIME preferences.
//!
//! ## On-disk format, version 1
//!
//! The application chooses a folder; the store keeps everything in it:
//!
//! ```text
//! DIR/
//!   store            record "store": marks the folder as a version-1 store
//!   lock             empty; writers hold an exclusive advisory lock on it
//!   generation       record "generation": a counter every write increments
//!   certificates/
//!     <FP>.cert      record "certificate", one per installed certificate
//!   trust/
//!     <FP>.trust     record "trust", the user's trust decision for one certificate
//!   preferences/
//!     <AH>.prefs     record "preferences", one per correspondent address
//! ```
//!
//! `<FP>` is the certificate's SHA-256 fingerprint in upper-case hex; `<AH>` is the
//! SHA-256 (upper-case hex) of the correspondent's normalised address. Names starting
//! with `.` and ending in `.tmp` are files being written, ignored by readers.
//!
//! Every record is UTF-8 text: a header line `smime-store 1 KIND`, `key: value` lines,
//! and last a line `sha256: HEX` over all bytes before it, so a truncated or altered
//! file is recognised. Values are one line (`%`, CR and LF percent-encoded), times are
//! seconds since the Unix epoch, binary values standard base64. Fields:
//!
//! * `certificate`: `certificate` (base64 DER), `address` (repeated: the addresses it
//!   is installed for, each named by the certificate), `installed-at`, `origin`,
//!   optional `message-id`, optional `acquisition: collected` for a certificate
//!   collected from a verified message (absent: installed by the user, which is how
//!   entries written before collection existed read).
//! * `trust`: `cert-sha256` (hex), `address` (repeated), `purpose` (repeated: `verify`,
//!   `encrypt`), `created-at`, `spki-sha256` (hex; a decision without it applies to
//!   nothing).
//! * `preferences`: `address`, `signing-time`, optional `smime-capabilities` and
//!   `encryption-key-preference` (base64 of the attribute values' DER, RFC 8551
//!   §2.5.2, §2.5.3).
//! * `generation`: `value`. `store`: `created-at`.
//!
//! Unknown keys are ignored (a later minor version may add some); a record whose
//! version is not 1 is reported as damaged, and a `store` file with another version
//! makes [`InstalledStore::open`] fail with
//! [`DirectoryError::UnsupportedVersion`].
//!
//! ## Nothing is lost
//!
//! Each file is written whole to a temporary file in the same folder, fsynced, renamed
//! over its name and the folder fsynced: a reader or a crash sees the old file or the
//! new one, never half of one. Writers take the lock file first, so two processes
//! installing at once both succeed (one waits for the other's few milliseconds), and
//! a read-modify-write (installing a certificate again for another address) cannot
//! lose an address. A damaged file is reported by [`InstalledStore::damaged`] and
//! skipped; the rest load.
//!
//! Lookups use an index kept in memory; it is rebuilt only when the `generation`
//! counter shows another process wrote, so a lookup reads one small file, not every
//! entry.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::records::{
    FORMAT_VERSION, Record, TEMP_SUFFIX, hex_upper, io_error, read_limited, remove_durable,
    write_atomic,
};
use super::{
    Acquisition, CertificateDirectory, CertificateStoreWrite, InstallOptions, Lookup, Provenance,
    Source, SourceKind, install_addresses,
};
use crate::{address::EmailAddress, cert::Certificate, error::DirectoryError, error::Result};

mod decisions;

pub use decisions::{CorrespondentPreferences, TrustDecision, TrustPurpose};

const CERTIFICATES: &str = "certificates";
const TRUST: &str = "trust";
const PREFERENCES: &str = "preferences";

/// The certificates the user installed, in a folder on disk (format in the module
/// docs). Cheap to clone: clones share one index.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::directory::{CertificateDirectory, CertificateStoreWrite, InstalledStore};
/// use smime::Certificate;
///
/// let folder = tempfile::tempdir()?;
/// let store = InstalledStore::open(folder.path())?;
/// let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
/// store.install(&alice, &Default::default())?;
///
/// // Another process (here: another handle) sees it.
/// let again = InstalledStore::open(folder.path())?;
/// let found = again.lookup(alice.email_addresses());
/// assert_eq!(found[0].candidates()[0].certificate(), &alice);
/// assert!(again.remove(&alice.fingerprint_sha256())?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct InstalledStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    source: Source,
    index: RwLock<Index>,
}

#[derive(Debug, Default)]
struct Index {
    /// The generation this index reflects; `None` before the first load.
    generation: Option<u64>,
    entries: HashMap<[u8; 32], InstalledEntry>,
    by_address: HashMap<EmailAddress, Vec<[u8; 32]>>,
    damaged: Vec<Damaged>,
}

/// An installed certificate with the addresses it is installed for and where it came
/// from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledEntry {
    certificate: Certificate,
    addresses: Vec<EmailAddress>,
    provenance: Provenance,
}

impl InstalledEntry {
    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }
    /// The addresses it is installed for (each named by the certificate).
    pub fn addresses(&self) -> &[EmailAddress] {
        &self.addresses
    }
    /// Where and when it was installed.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }
}

/// A stored file that could not be read; it was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

fn secs(t: SystemTime) -> String {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string()
}

fn parse_secs(s: Option<String>, what: &str) -> Result<SystemTime, String> {
    s.as_deref()
        .and_then(|s| s.parse::<u64>().ok())
        .and_then(|n| UNIX_EPOCH.checked_add(Duration::from_secs(n)))
        .ok_or_else(|| format!("missing or invalid {what}"))
}

fn parse_fingerprint(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Parses a 64-digit hex SHA-256 fingerprint (colons and spaces allowed), as users
/// copy them.
pub fn fingerprint_from_hex(text: &str) -> Option<[u8; 32]> {
    let clean: String = text.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    parse_fingerprint(&clean)
}

impl InstalledStore {
    /// Opens the store in `dir`, creating the folder and an empty store when there is
    /// none. Damaged entries are skipped and listed by [`InstalledStore::damaged`].
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        for sub in [CERTIFICATES, TRUST, PREFERENCES] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).map_err(|e| io_error(&p, e))?;
        }
        let store = InstalledStore {
            inner: Arc::new(Inner {
                source: Source::new(SourceKind::Installed, dir.display().to_string()),
                dir,
                index: RwLock::new(Index::default()),
            }),
        };
        store.check_version()?;
        store.refresh()?;
        Ok(store)
    }

    /// The store's folder.
    pub fn path(&self) -> &Path {
        &self.inner.dir
    }

    /// The files skipped at the last load because they are damaged.
    pub fn damaged(&self) -> Vec<Damaged> {
        self.read_index().damaged.clone()
    }

    /// Every installed certificate (reloading first if another process wrote).
    pub fn list(&self) -> Result<Vec<InstalledEntry>> {
        self.refresh()?;
        let index = self.read_index();
        let mut entries: Vec<InstalledEntry> = index.entries.values().cloned().collect();
        entries.sort_by_key(|e| e.certificate.fingerprint_sha256());
        Ok(entries)
    }

    /// The installed entry with this fingerprint.
    pub fn get(&self, fingerprint_sha256: &[u8; 32]) -> Result<Option<InstalledEntry>> {
        self.refresh()?;
        Ok(self.read_index().entries.get(fingerprint_sha256).cloned())
    }

    fn read_index(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.inner
            .index
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn sub(&self, name: &str) -> PathBuf {
        self.inner.dir.join(name)
    }

    fn check_version(&self) -> Result<()> {
        let path = self.sub("store");
        match super::regular_file::open_regular_read(&path).and_then(|mut f| {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, 4096), &mut bytes)
                .map(|_| bytes)
        }) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let version = text.split(' ').nth(1).unwrap_or_default().to_owned();
                if version != FORMAT_VERSION.to_string() {
                    return Err(DirectoryError::UnsupportedVersion {
                        path: self.inner.dir.clone(),
                        found: version,
                        supported: FORMAT_VERSION,
                    }
                    .into());
                }
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let _lock = self.lock()?;
                if !path.exists() {
                    let mut r = Record::new("store");
                    r.push("created-at", secs(SystemTime::now()));
                    write_atomic(&self.inner.dir, "store", &r.encode())?;
                }
                Ok(())
            }
            Err(e) => Err(io_error(&path, e).into()),
        }
    }

    /// Takes the writers' lock (blocking until other writers are done).
    fn lock(&self) -> Result<File, DirectoryError> {
        let path = self.sub("lock");
        // Never through a planted symlink, never a FIFO (regular_file.rs).
        let file = super::regular_file::open_regular(
            &path,
            OpenOptions::new().create(true).truncate(false).write(true),
        )
        .map_err(|e| io_error(&path, e))?;
        file.lock().map_err(|e| io_error(&path, e))?;
        // We are the only writer: temporary files left now are from killed writers.
        for sub in [CERTIFICATES, TRUST, PREFERENCES] {
            if let Ok(entries) = fs::read_dir(self.sub(sub)) {
                for e in entries.flatten() {
                    if e.file_name().to_string_lossy().ends_with(TEMP_SUFFIX) {
                        let _ = fs::remove_file(e.path());
                    }
                }
            }
        }
        Ok(file)
    }

    fn read_generation(&self) -> Result<u64, DirectoryError> {
        let path = self.sub("generation");
        match read_limited(&path) {
            Ok(bytes) => Record::decode(&bytes, "generation")
                .ok()
                .and_then(|r| r.get("value"))
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| DirectoryError::Damaged {
                    path,
                    reason: "unreadable generation counter".into(),
                }),
            Err(_) if !path.exists() => {
                if self.inner.dir.is_dir() {
                    Ok(0)
                } else {
                    Err(DirectoryError::Io {
                        path: self.inner.dir.clone(),
                        reason: "the store folder is gone".into(),
                    })
                }
            }
            Err(reason) => Err(DirectoryError::Io { path, reason }),
        }
    }

    /// Under the lock: increments the generation and returns (old, new).
    fn bump_generation(&self) -> Result<(u64, u64), DirectoryError> {
        // A damaged counter restarts above anything a reader can have seen.
        let old = self.read_generation().unwrap_or(u64::MAX / 2);
        let new = old.wrapping_add(1);
        let mut r = Record::new("generation");
        r.push("value", new.to_string());
        write_atomic(&self.inner.dir, "generation", &r.encode())?;
        Ok((old, new))
    }

    /// Reloads the index when another writer changed the store.
    fn refresh(&self) -> Result<(), DirectoryError> {
        let generation = self.read_generation()?;
        if self.read_index().generation == Some(generation) {
            return Ok(());
        }
        let mut fresh = Index {
            generation: Some(generation),
            ..Index::default()
        };
        let dir = self.sub(CERTIFICATES);
        let listing = fs::read_dir(&dir).map_err(|e| io_error(&dir, e))?;
        for e in listing {
            let e = e.map_err(|e| io_error(&dir, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".cert") else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            match read_entry(&e.path(), stem) {
                Ok(entry) => insert(&mut fresh, entry),
                Err(reason) => fresh.damaged.push(Damaged {
                    path: e.path(),
                    reason,
                }),
            }
        }
        fresh.damaged.sort_by(|a, b| a.path.cmp(&b.path));
        *self
            .inner
            .index
            .write()
            .unwrap_or_else(PoisonError::into_inner) = fresh;
        Ok(())
    }

    /// Applies a change made under the lock to our own index when it was current, so
    /// our own writes need no reload.
    fn apply(&self, (old, new): (u64, u64), change: impl FnOnce(&mut Index)) {
        let mut index = self
            .inner
            .index
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if index.generation == Some(old) {
            change(&mut index);
            index.generation = Some(new);
        }
    }
}

fn read_entry(path: &Path, stem: &str) -> Result<InstalledEntry, String> {
    let r = Record::decode(&read_limited(path)?, "certificate")?;
    let der = r
        .get("certificate")
        .and_then(|b| BASE64.decode(b).ok())
        .ok_or("missing or invalid certificate")?;
    let certificate = Certificate::from_der(&der).map_err(|e| e.to_string())?;
    if !certificate.fingerprint_hex().eq_ignore_ascii_case(stem) {
        return Err("the file name is not the certificate's fingerprint".into());
    }
    let mut addresses = Vec::new();
    for a in r.all("address") {
        let address: EmailAddress = a.parse().map_err(|_| format!("invalid address {a:?}"))?;
        // The rule holds for what is read back too: an edited file cannot bind the
        // certificate to an address it does not name.
        if !certificate.names_address(&address) {
            return Err(format!("the certificate does not name {address}"));
        }
        addresses.push(address);
    }
    if addresses.is_empty() {
        return Err("no address".into());
    }
    Ok(InstalledEntry {
        certificate,
        addresses,
        provenance: Provenance {
            installed_at: parse_secs(r.get("installed-at"), "installed-at")?,
            message_id: r.get("message-id"),
            origin: r.get("origin").unwrap_or_default(),
            acquisition: match r.get("acquisition").as_deref() {
                Some("collected") => Acquisition::CollectedFromVerifiedMessage,
                _ => Acquisition::InstalledByUser,
            },
        },
    })
}

fn encode_entry(entry: &InstalledEntry) -> Vec<u8> {
    let mut r = Record::new("certificate");
    r.push("certificate", BASE64.encode(entry.certificate.der()));
    for a in &entry.addresses {
        r.push("address", a.as_str());
    }
    r.push("installed-at", secs(entry.provenance.installed_at));
    r.push("origin", &entry.provenance.origin);
    if let Some(id) = &entry.provenance.message_id {
        r.push("message-id", id);
    }
    // Written only for collected entries: an entry without it (every entry of an
    // older store) is one the user installed.
    if entry.provenance.acquisition == Acquisition::CollectedFromVerifiedMessage {
        r.push("acquisition", "collected");
    }
    r.encode()
}

fn insert(index: &mut Index, entry: InstalledEntry) {
    let fp = entry.certificate.fingerprint_sha256();
    unindex(index, &fp);
    for a in &entry.addresses {
        index.by_address.entry(a.clone()).or_default().push(fp);
    }
    index.entries.insert(fp, entry);
}

fn unindex(index: &mut Index, fp: &[u8; 32]) {
    if let Some(old) = index.entries.remove(fp) {
        for a in &old.addresses {
            if let Some(list) = index.by_address.get_mut(a) {
                list.retain(|f| f != fp);
                if list.is_empty() {
                    index.by_address.remove(a);
                }
            }
        }
    }
}

fn is_collected(entry: &InstalledEntry) -> bool {
    entry.provenance.acquisition == Acquisition::CollectedFromVerifiedMessage
}

impl CertificateDirectory for InstalledStore {
    fn source(&self) -> Source {
        self.inner.source.clone()
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        let source = &self.inner.source;
        if let Err(error) = self.refresh() {
            return addresses
                .iter()
                .map(|a| Lookup::failed(a.clone(), source.clone(), error.clone()))
                .collect();
        }
        let index = self.read_index();
        addresses
            .iter()
            .map(|address| {
                let mut answer = Lookup::new(address.clone());
                let collected = Source::new(SourceKind::Collected, source.name());
                let entries: Vec<&InstalledEntry> = index
                    .by_address
                    .get(address)
                    .into_iter()
                    .flatten()
                    .filter_map(|fp| index.entries.get(fp))
                    .collect();
                // What the user installed first; collected ones under their own source.
                for entry in entries.iter().filter(|e| !is_collected(e)) {
                    answer.offer(entry.certificate.clone(), source);
                }
                for entry in entries.iter().filter(|e| is_collected(e)) {
                    answer.offer(entry.certificate.clone(), &collected);
                }
                answer
            })
            .collect()
    }
}

impl CertificateStoreWrite for InstalledStore {
    fn install(&self, certificate: &Certificate, options: &InstallOptions) -> Result<()> {
        let mut addresses = install_addresses(certificate, options)?;
        let fp = certificate.fingerprint_sha256();
        let name = format!("{}.cert", hex_upper(&fp));
        let dir = self.sub(CERTIFICATES);
        let _lock = self.lock()?;
        // Installing again for another address keeps the earlier ones (read under
        // the lock, so a concurrent install cannot be lost). A damaged earlier file
        // is replaced.
        let mut provenance = options.provenance.clone();
        if let Ok(previous) = read_entry(&dir.join(&name), &hex_upper(&fp)) {
            // Collecting never turns what the user installed into a collected entry.
            if provenance.acquisition == Acquisition::CollectedFromVerifiedMessage
                && previous.provenance.acquisition == Acquisition::InstalledByUser
            {
                provenance = previous.provenance.clone();
            }
            for a in previous.addresses {
                if !addresses.contains(&a) {
                    addresses.push(a);
                }
            }
        }
        let entry = InstalledEntry {
            certificate: certificate.clone(),
            addresses,
            provenance,
        };
        write_atomic(&dir, &name, &encode_entry(&entry))?;
        let generations = self.bump_generation()?;
        self.apply(generations, |index| insert(index, entry));
        Ok(())
    }

    /// Removes the certificate and the user's trust decision for it.
    fn remove(&self, fingerprint_sha256: &[u8; 32]) -> Result<bool> {
        let hex = hex_upper(fingerprint_sha256);
        let _lock = self.lock()?;
        let removed = remove_durable(&self.sub(CERTIFICATES), &format!("{hex}.cert"))?;
        remove_durable(&self.sub(TRUST), &format!("{hex}.trust"))?;
        if removed {
            let generations = self.bump_generation()?;
            self.apply(generations, |index| unindex(index, fingerprint_sha256));
        }
        Ok(removed)
    }
}
