//! The streaming reader (`reader::open_stream`, issue 12): the same verdicts, From
//! check and content as the in-memory `reader::open` whatever the read sizes, and
//! bad input answered with a typed error, never a panic, never unbounded memory,
//! never content handed over as verified.

use std::io::{self, Read};
use std::time::SystemTime;

use smime::cms::{ContentCipher, EnvelopeOptions, SignOptions, SignedDataBuilder};
use smime::mime::SignFormat;
use smime::reader::{self, OpenedMessage, SignedScope};
use smime::trust::{Policy, TrustStore};
use smime::{CmsError, Error, MimeError};

use crate::sample;

const MSG: &[u8] = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob,\r\n\r\n-- \r\nAlice\r\n";

/// Hands out at most `n` bytes per read: boundaries, lines and BER headers then
/// straddle every buffer edge.
struct Trickle<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        let (head, rest) = self.data.split_at(k);
        buf.get_mut(..k).unwrap_or_default().copy_from_slice(head);
        self.data = rest;
        Ok(k)
    }
}

fn trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(sample::ca().expect("ca"));
    t
}

fn sign(format: SignFormat, msg: &[u8]) -> Vec<u8> {
    let alice = sample::alice().expect("alice");
    smime::mime::sign_message_bytes(msg, &alice, &SignOptions::default(), format).expect("sign")
}

fn encrypt(cipher: ContentCipher, msg: &[u8]) -> Vec<u8> {
    let bob = sample::bob().expect("bob");
    smime::mime::encrypt_message_bytes(
        msg,
        &[bob.certificate().clone()],
        &EnvelopeOptions::with_cipher(cipher),
    )
    .expect("encrypt")
}

/// Every shape the reader opens, made by our sealing.
fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let detached = sign(SignFormat::Detached, MSG);
    let opaque = sign(SignFormat::Opaque, MSG);
    let lf: Vec<u8> = detached
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect::<Vec<_>>()
        .join(&b"\n"[..]);
    vec![
        ("plain", MSG.to_vec()),
        ("detached", detached.clone()),
        ("detached stored with LF", lf),
        ("opaque", opaque.clone()),
        ("cbc", encrypt(ContentCipher::Aes128Cbc, MSG)),
        ("gcm", encrypt(ContentCipher::Aes256Gcm, MSG)),
        ("chacha", encrypt(ContentCipher::ChaCha20Poly1305, MSG)),
        (
            "detached then gcm",
            encrypt(ContentCipher::Aes256Gcm, &detached),
        ),
        (
            "opaque then cbc",
            encrypt(ContentCipher::Aes128Cbc, &opaque),
        ),
        (
            "signed, encrypted, signed",
            sign(
                SignFormat::Detached,
                &encrypt(ContentCipher::Aes128Cbc, &opaque),
            ),
        ),
    ]
}

/// What a caller sees of an opened message, for comparing the two forms.
fn seen(m: &OpenedMessage) -> String {
    let statuses: Vec<String> = m.signatures().map(|s| s.status().to_string()).collect();
    format!(
        "layers={} valid={} scope={:?} from={:?} mismatch={} auth={:?} signers={statuses:?} content={:?}",
        m.layers().len(),
        m.is_signature_valid(),
        m.signed_scope(),
        m.from().map(|f| f.to_string()),
        m.header_mismatch(),
        m.decryption_authenticated(),
        String::from_utf8_lossy(m.content()),
    )
}

fn open_both(raw: &[u8], read_size: usize) -> (Result<String, String>, Result<String, String>) {
    let bob = sample::bob().expect("bob");
    let trust = trust();
    let policy = Policy::email();
    let now = SystemTime::now();
    let in_memory = reader::open(raw, &[&bob], &trust, &policy, now)
        .map(|m| seen(&m))
        .map_err(|e| e.to_string());
    let streamed = reader::open_stream(
        Trickle {
            data: raw,
            n: read_size,
        },
        &[&bob],
        &trust,
        &policy,
        now,
    )
    .and_then(|m| m.into_in_memory())
    .map(|m| seen(&m))
    .map_err(|e| e.to_string());
    (in_memory, streamed)
}

#[test]
fn the_streaming_form_agrees_with_the_in_memory_form_at_every_read_size() {
    for (name, raw) in shapes() {
        for read_size in [1, 2, 3, 7, 64, 4096, usize::MAX] {
            let (in_memory, streamed) = open_both(&raw, read_size);
            assert_eq!(in_memory, streamed, "{name}, reads of {read_size}");
            let seen = in_memory.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(seen.contains("Hello Bob,"), "{name}: {seen}");
            let signed = name != "plain" && !matches!(name, "cbc" | "gcm" | "chacha");
            assert_eq!(seen.contains("valid=true"), signed, "{name}: {seen}");
        }
    }
}

#[test]
fn the_content_is_spooled_and_can_be_read_again() {
    let raw = sign(SignFormat::Opaque, MSG);
    let mut opened =
        reader::open_stream(&raw[..], &[], &trust(), &Policy::email(), SystemTime::now())
            .expect("opens");
    assert_eq!(opened.signed_scope(), SignedScope::WholeMessage);
    let mut first = Vec::new();
    opened.content_mut().read_to_end(&mut first).expect("read");
    let mut again = Vec::new();
    opened.content_mut().copy_to(&mut again).expect("copy");
    assert_eq!(first, again);
    assert_eq!(opened.content_mut().len(), first.len() as u64);
    assert!(
        !opened.content_mut().is_on_disk(),
        "a small content stays in memory"
    );
    assert!(first.ends_with(b"Alice\r\n"));
}

fn open_stream_err<R: Read>(input: R) -> Error {
    let bob = sample::bob().expect("bob");
    match reader::open_stream(
        input,
        &[&bob],
        &trust(),
        &Policy::email(),
        SystemTime::now(),
    ) {
        Ok(m) => panic!("opened: {} layers", m.layers().len()),
        Err(e) => e,
    }
}

/// Every cut of an authenticated or signed message is an error: no content at all.
#[test]
fn a_truncated_stream_is_an_error_wherever_it_is_cut() {
    let cases = [
        ("gcm", encrypt(ContentCipher::Aes256Gcm, MSG)),
        ("opaque", sign(SignFormat::Opaque, MSG)),
        ("cbc", encrypt(ContentCipher::Aes128Cbc, MSG)),
    ];
    for (name, raw) in cases {
        // The base64 body starts after the header block; cut anywhere inside it
        // (the last line break is not content).
        let body_start = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header block")
            + 4;
        let end = raw.trim_ascii_end().len() - 4;
        for cut in (body_start..end).step_by(7) {
            let err = open_stream_err(&raw[..cut]);
            assert!(
                matches!(err, Error::Cms(_) | Error::Mime(_)),
                "{name} cut at {cut}: {err:?}"
            );
        }
    }
    // A detached signature whose signature part is cut off.
    let detached = sign(SignFormat::Detached, MSG);
    let second = detached
        .windows(2)
        .rposition(|w| w == b"--")
        .expect("the close delimiter");
    let sig_start = detached
        .windows(27)
        .position(|w| w == b"application/pkcs7-signature")
        .expect("signature part");
    for cut in (sig_start + 60..second - 8).step_by(11) {
        let err = open_stream_err(&detached[..cut]);
        assert!(
            matches!(err, Error::Cms(_) | Error::Mime(_)),
            "detached cut at {cut}: {err:?}"
        );
    }
}

/// An endless header block: refused at the header cap, having read about 1 MiB.
#[test]
fn an_endless_header_block_is_refused() {
    let err = open_stream_err(io::Cursor::new(&b"X-Long: "[..]).chain(io::repeat(b'a')));
    assert!(
        matches!(err, Error::Mime(MimeError::LimitExceeded { .. })),
        "{err:?}"
    );
    let many: Vec<u8> = b"X: y\r\n".repeat(2000);
    let err = open_stream_err(&many[..]);
    assert!(
        matches!(err, Error::Mime(MimeError::LimitExceeded { .. })),
        "{err:?}"
    );
}

/// A multipart/signed whose boundary never comes, and one with no second part.
#[test]
fn a_boundary_that_never_comes_is_an_error() {
    let head = b"From: alice@example.org\r\nContent-Type: multipart/signed; \
protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b\"\r\n\r\n";
    // 8 MiB of body without a delimiter line: the signed part goes to the spool.
    let body = io::repeat(b'z').take(8 << 20);
    let err = open_stream_err(io::Cursor::new(&head[..]).chain(body));
    assert!(
        matches!(err, Error::Mime(MimeError::Malformed { .. })),
        "{err:?}"
    );
    let mut one_part = head.to_vec();
    one_part.extend_from_slice(b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n");
    let err = open_stream_err(&one_part[..]);
    assert!(
        matches!(err, Error::Mime(MimeError::Malformed { .. })),
        "{err:?}"
    );
    let mut no_boundary = head.to_vec();
    let at = no_boundary
        .windows(14)
        .position(|w| w == b"; boundary=\"b\"")
        .expect("boundary parameter");
    no_boundary.drain(at..at + 14);
    let err = open_stream_err(&no_boundary[..]);
    assert!(
        matches!(err, Error::Mime(MimeError::Malformed { .. })),
        "{err:?}"
    );
}

/// BER lengths near 2^62 in the outer structures and in the content: a typed error,
/// nothing allocated to match.
#[test]
fn a_ber_length_of_two_to_the_62_is_an_error() {
    let huge = [0x88, 0x40, 0, 0, 0, 0, 0, 0, 0];
    // id-signedData and id-envelopedData.
    let signed_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let enveloped_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
    ];
    let mut cases: Vec<Vec<u8>> = Vec::new();
    // ContentInfo itself.
    let mut ci = vec![0x30];
    ci.extend_from_slice(&huge);
    ci.extend_from_slice(&signed_oid);
    cases.push(ci);
    for oid in [signed_oid, enveloped_oid] {
        // [0] EXPLICIT content with the huge length.
        let mut c = vec![0x30, 0x80];
        c.extend_from_slice(&oid);
        c.push(0xa0);
        c.extend_from_slice(&huge);
        c.extend_from_slice(&[0x30, 0x80, 0x02, 0x01, 0x01]);
        cases.push(c.clone());
        // The first inner SET / SEQUENCE with the huge length.
        let mut d = vec![0x30, 0x80];
        d.extend_from_slice(&oid);
        d.extend_from_slice(&[0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x31]);
        d.extend_from_slice(&huge);
        d.extend_from_slice(&[0x30, 0x03, 0x02, 0x01, 0x00]);
        cases.push(d);
    }
    // eContent: a primitive OCTET STRING of 2^62 bytes that ends after ten.
    let mut e = vec![0x30, 0x80];
    e.extend_from_slice(&signed_oid);
    e.extend_from_slice(&[
        0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x80,
    ]);
    e.extend_from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x80, 0x04,
    ]);
    e.extend_from_slice(&huge);
    e.extend_from_slice(b"0123456789");
    cases.push(e);
    for (i, der) in cases.iter().enumerate() {
        let err = open_stream_err(&der[..]);
        assert!(matches!(err, Error::Cms(_)), "case {i}: {err:?}");
    }
}

/// Opaque signed-data nested one level deeper than the reader opens.
#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let alice = sample::alice().expect("alice");
    let mut der = MSG.to_vec();
    for _ in 0..reader::MAX_LAYERS {
        der = SignedDataBuilder::new(&alice, SignOptions::default())
            .sign_opaque_bytes(&der)
            .expect("sign");
    }
    let err = open_stream_err(&der[..]);
    assert!(
        matches!(
            err,
            Error::Cms(CmsError::LimitExceeded {
                what: "S/MIME nesting",
                ..
            })
        ),
        "{err:?}"
    );
    // One level less opens, every layer signed.
    let alice = sample::alice().expect("alice");
    let mut der = MSG.to_vec();
    for _ in 0..reader::MAX_LAYERS - 1 {
        der = SignedDataBuilder::new(&alice, SignOptions::default())
            .sign_opaque_bytes(&der)
            .expect("sign");
    }
    let opened = reader::open_stream(&der[..], &[], &trust(), &Policy::email(), SystemTime::now())
        .expect("opens");
    assert_eq!(opened.layers().len(), reader::MAX_LAYERS - 1);
}

/// A changed byte: under AES-GCM no content at all; under a signature the content
/// comes back with an invalid verdict, never as verified.
#[test]
fn altered_content_is_never_handed_over_as_verified() {
    let gcm = encrypt(ContentCipher::Aes256Gcm, MSG);
    let body_start = gcm
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers")
        + 4;
    // Flip a base64 digit near the end of the body (inside the ciphertext or tag).
    let mut altered = gcm.clone();
    let at = altered.trim_ascii_end().len() - 30;
    assert!(at > body_start);
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let err = open_stream_err(&altered[..]);
    assert!(matches!(err, Error::Cms(_)), "{err:?}");

    let detached = sign(SignFormat::Detached, MSG);
    let mut altered = detached.clone();
    let at = altered
        .windows(5)
        .position(|w| w == b"Hello")
        .expect("the text");
    altered[at] = b'J';
    let opened = reader::open_stream(
        &altered[..],
        &[],
        &trust(),
        &Policy::email(),
        SystemTime::now(),
    )
    .expect("opens");
    assert!(!opened.is_signature_valid());
    assert!(opened.signatures().all(|s| !s.status().is_valid()));
}
