//! Opening a 64 MiB message of every shape keeps the live heap under a fixed bound
//! (issue 12): a counting global allocator records the peak of live heap bytes while
//! `reader::open_stream` reads the message from a file. Nothing here measures time.
//!
//! The messages are made at test time, with our own sealing and with `openssl cms`
//! (a peer: its BER and its MIME framing are not ours).
//!
//! The allocator is a few lines of our own over `System` (a crate such as `peak_alloc`
//! would add a dependency for this one test); it needs `unsafe` to implement
//! `GlobalAlloc`, which is why it lives in its own test binary, not in the library.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use smime::cms::{ContentCipher, EnvelopeOptions, SignOptions};
use smime::mime::SignFormat;
use smime::reader::{self, Layer};
use smime::trust::{Policy, TrustStore};

/// The DER writer the suite's hostile tests use.
#[allow(dead_code)]
#[path = "common/der.rs"]
mod der;
use der::tlv;

#[allow(dead_code)] // the sample module offers more identities than this test uses
mod sample {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sample/mod.rs"
    ));
}

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on to `System`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as both blocks live for the moment of the copy.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The bound on live heap growth while a message is opened.
const BOUND: usize = 24 << 20;
/// The size of each message's body.
const BODY: usize = 64 << 20;

/// One test at a time: the counters are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the peak of live heap bytes above what was
/// live when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    (out, peak)
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("smime-mem-")
        .tempdir()
        .expect("temporary directory")
}

/// A 64 MiB plain message (CRLF lines of varied text), written to `dir/plain.eml`,
/// and its last line.
fn plain_message(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("plain.eml");
    let mut w = BufWriter::new(File::create(&path).expect("create"));
    w.write_all(
        b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: big\r\n\
          Content-Type: text/plain; charset=us-ascii\r\n\r\n",
    )
    .expect("write");
    let mut written = 0;
    let mut n = 0u64;
    let mut line = String::new();
    while written < BODY {
        line = format!("line {n:010} of a large message, {:x}\r\n", n * 2654435761);
        w.write_all(line.as_bytes()).expect("write");
        written += line.len();
        n += 1;
    }
    w.flush().expect("flush");
    (path, line)
}

fn reader(path: &Path) -> BufReader<File> {
    BufReader::new(File::open(path).expect("open"))
}

fn ours_signed(dir: &Path, plain: &Path, format: SignFormat, name: &str) -> PathBuf {
    let out = dir.join(name);
    let alice = sample::alice().expect("alice");
    smime::mime::sign_message(
        reader(plain),
        &alice,
        &SignOptions::default(),
        format,
        BufWriter::new(File::create(&out).expect("create")),
    )
    .expect("sign")
    .flush()
    .expect("flush");
    out
}

fn ours_encrypted(dir: &Path, plain: &Path, cipher: ContentCipher, name: &str) -> PathBuf {
    let out = dir.join(name);
    let bob = sample::bob().expect("bob");
    smime::mime::encrypt_message(
        reader(plain),
        &[bob.certificate().clone()],
        &EnvelopeOptions::with_cipher(cipher),
        BufWriter::new(File::create(&out).expect("create")),
    )
    .expect("encrypt")
    .flush()
    .expect("flush");
    out
}

fn ours_signed_then_encrypted(dir: &Path, plain: &Path) -> PathBuf {
    let out = dir.join("signed-encrypted.eml");
    let alice = sample::alice().expect("alice");
    let bob = sample::bob().expect("bob");
    smime::mime::sign_and_encrypt_message(
        reader(plain),
        &alice,
        &SignOptions::default(),
        SignFormat::Detached,
        &[bob.certificate().clone()],
        &EnvelopeOptions::with_cipher(ContentCipher::Aes256Gcm),
        BufWriter::new(File::create(&out).expect("create")),
    )
    .expect("sign and encrypt")
    .flush()
    .expect("flush");
    out
}

/// `openssl ARGS` in `dir`, panicking with its stderr on failure.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("cannot start `openssl` (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The sample identities as files for OpenSSL.
fn write_sample_files(dir: &Path) {
    for (name, pem) in [
        ("alice.pem", sample::ALICE_CERT_PEM),
        ("alice.key", sample::ALICE_KEY_PEM),
        ("bob.pem", sample::BOB_CERT_PEM),
    ] {
        std::fs::write(dir.join(name), pem).expect("write sample");
    }
}

/// The body of the plain message as a MIME entity for OpenSSL to sign.
fn plain_entity(dir: &Path, plain: &Path) -> PathBuf {
    let mut r = reader(plain);
    let _ = smime_skip_outer_fields(&mut r);
    let path = dir.join("entity.txt");
    let mut w = BufWriter::new(File::create(&path).expect("create"));
    w.write_all(b"Content-Type: text/plain; charset=us-ascii\r\n\r\n")
        .expect("write");
    std::io::copy(&mut r, &mut w).expect("copy");
    w.flush().expect("flush");
    path
}

/// Reads up to and including the empty line that ends the header block.
fn smime_skip_outer_fields(r: &mut BufReader<File>) -> usize {
    use std::io::BufRead;
    let mut n = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        n += r.read_until(b'\n', &mut line).expect("read");
        if line == b"\r\n" || line.is_empty() {
            return n;
        }
    }
}

fn trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(sample::ca().expect("ca"));
    t
}

/// Opens `path` streaming, with `bob` as the identity; returns the peak heap growth,
/// the layers' kinds, whether the signature is valid, and the content's size.
fn open_measured(path: &Path, last: &str) -> (usize, Vec<&'static str>, bool, u64) {
    let bob = sample::bob().expect("bob");
    let trust = trust();
    let policy = Policy::email();
    let file = File::open(path).expect("open");
    let (opened, peak) = peak_during(|| {
        reader::open_stream(file, &[&bob], &trust, &policy, SystemTime::now())
            .expect("the message opens")
    });
    let kinds = opened
        .layers()
        .iter()
        .map(|l| match l {
            Layer::Encrypted { .. } => "encrypted",
            Layer::Signed { detached: true, .. } => "detached",
            Layer::Signed { .. } => "opaque",
            _ => "other",
        })
        .collect();
    let valid = opened.is_signature_valid();
    let mut content = opened.into_content();
    let len = content.len();
    let mut all = Vec::new();
    content.read_to_end(&mut all).expect("read content");
    assert!(
        all.trim_ascii_end().ends_with(last.trim_end().as_bytes()),
        "the content ends with the message's last lines"
    );
    (peak, kinds, valid, len)
}

fn check(path: &Path, last: &str, expect_kinds: &[&str], expect_valid: bool) {
    let (peak, kinds, valid, len) = open_measured(path, last);
    eprintln!(
        "{}: peak live heap {:.1} MiB, content {} MiB",
        path.display(),
        peak as f64 / (1 << 20) as f64,
        len >> 20
    );
    assert_eq!(kinds, expect_kinds, "{}", path.display());
    assert_eq!(valid, expect_valid, "{}", path.display());
    assert!(len >= BODY as u64, "the whole content came back");
    assert!(
        peak < BOUND,
        "{}: peak live heap {peak} bytes, bound {BOUND}",
        path.display()
    );
}

#[test]
fn our_signed_messages_open_in_bounded_memory() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp_dir();
    let (plain, last) = plain_message(dir.path());
    let detached = ours_signed(dir.path(), &plain, SignFormat::Detached, "detached.eml");
    check(&detached, &last, &["detached"], true);
    let opaque = ours_signed(dir.path(), &plain, SignFormat::Opaque, "opaque.eml");
    check(&opaque, &last, &["opaque"], true);
}

#[test]
fn our_encrypted_messages_open_in_bounded_memory() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp_dir();
    let (plain, last) = plain_message(dir.path());
    let cbc = ours_encrypted(dir.path(), &plain, ContentCipher::Aes128Cbc, "cbc.eml");
    check(&cbc, &last, &["encrypted"], false);
    let gcm = ours_encrypted(dir.path(), &plain, ContentCipher::Aes256Gcm, "gcm.eml");
    check(&gcm, &last, &["encrypted"], false);
    let both = ours_signed_then_encrypted(dir.path(), &plain);
    check(&both, &last, &["encrypted", "detached"], true);
}

/// OpenSSL's framing and BER (`-stream`: indefinite lengths, chunked OCTET STRINGs):
/// a detached signature, and that signed message encrypted with AES-256-GCM.
#[test]
fn openssl_messages_open_in_bounded_memory() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp_dir();
    let (plain, last) = plain_message(dir.path());
    write_sample_files(dir.path());
    let entity = plain_entity(dir.path(), &plain);
    let entity = entity.to_str().expect("utf-8 path");
    openssl(
        dir.path(),
        &[
            "cms",
            "-sign",
            "-stream",
            "-binary",
            "-in",
            entity,
            "-signer",
            "alice.pem",
            "-inkey",
            "alice.key",
            "-from",
            "alice@example.org",
            "-to",
            "bob@example.org",
            "-subject",
            "big",
            "-out",
            "ossl-signed.eml",
        ],
    );
    check(
        &dir.path().join("ossl-signed.eml"),
        &last,
        &["detached"],
        true,
    );
    openssl(
        dir.path(),
        &[
            "cms",
            "-encrypt",
            "-stream",
            "-binary",
            "-aes-256-gcm",
            "-in",
            "ossl-signed.eml",
            "-recip",
            "bob.pem",
            "-from",
            "alice@example.org",
            "-to",
            "bob@example.org",
            "-subject",
            "big",
            "-out",
            "ossl-signed-encrypted.eml",
        ],
    );
    check(
        &dir.path().join("ossl-signed-encrypted.eml"),
        &last,
        &["encrypted", "detached"],
        true,
    );
}

/// Issue 15 finding 5: an EnvelopedData whose recipientInfos are 19 MB of empty
/// elements (`30 00`) used to take 171 MiB to refuse; a KARI with a million
/// RecipientEncryptedKeys was decoded whole. Both are refused under the same bound as
/// a legitimate 64 MiB message, as a stream and held in memory.
#[test]
fn hostile_recipient_infos_are_refused_in_bounded_memory() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bob = sample::bob().expect("sample bob");
    let enveloped_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
    ];
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    // aes256-CBC with a 16-byte IV, 32 bytes of ciphertext.
    let mut aes256_cbc = vec![
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a,
    ];
    aes256_cbc.extend(tlv(0x04, &[0; 16]));
    let eci = tlv(
        0x30,
        &[
            data_oid.to_vec(),
            tlv(0x30, &aes256_cbc),
            tlv(0x80, &[0; 32]),
        ]
        .concat(),
    );
    let envelope = |infos: Vec<u8>| {
        let ed = tlv(
            0x30,
            &[vec![0x02, 0x01, 0x00], tlv(0x31, &infos), eci.clone()].concat(),
        );
        tlv(0x30, &[enveloped_oid.to_vec(), tlv(0xa0, &ed)].concat())
    };
    let empty = envelope([0x30, 0x00].repeat(9_500_000));
    // RecipientEncryptedKey ::= SEQUENCE { issuerAndSerialNumber, encryptedKey }
    let rek = tlv(
        0x30,
        &[tlv(0x30, &[0x30, 0x00, 0x02, 0x01, 0x01]), tlv(0x04, &[])].concat(),
    );
    let kari = tlv(
        0xa1,
        &[
            vec![0x02, 0x01, 0x03],
            tlv(0xa0, &tlv(0x80, &[0; 20])),
            tlv(0x30, &[0x06, 0x01, 0x2a]),
            tlv(0x30, &rek.repeat(1_000_000)),
        ]
        .concat(),
    );
    let many_keys = envelope(kari);
    for (what, der) in [("empty elements", &empty), ("KARI keys", &many_keys)] {
        for streamed in [true, false] {
            let (result, peak) = peak_during(|| {
                if streamed {
                    smime::cms::decrypt_stream(&der[..], &bob, std::io::sink()).map(drop)
                } else {
                    smime::cms::decrypt(der, &bob).map(drop)
                }
            });
            eprintln!(
                "{what} (streamed {streamed}): peak live heap {:.1} MiB",
                peak as f64 / (1 << 20) as f64
            );
            assert!(
                matches!(
                    result,
                    Err(smime::Error::Cms(smime::CmsError::LimitExceeded { .. }))
                ),
                "{what}: {result:?}"
            );
            assert!(
                peak < BOUND,
                "{what}: peak live heap {peak} bytes, bound {BOUND}"
            );
        }
    }
}
