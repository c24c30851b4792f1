//! Sign-then-encrypt (RFC 8551 §3.7) of a message that can be read twice, without a
//! spool, and with the envelope in DER (Python `cryptography` reads nothing else).
//!
//! DER needs the length of the multipart/signed entity before its first byte is
//! encrypted. When every signer's key makes signatures of one length (RSA, Ed25519)
//! that length is known up front: the first pass only counts the canonical body, and
//! the second hashes it and encrypts it at once, signing when it ends. Otherwise
//! (ECDSA, whose DER signature varies by a byte or two) the first pass hashes and
//! signs, and the second encrypts.
//!
//! [`sign_and_encrypt_message`](super::sign_and_encrypt_message) takes any input and
//! writes the signed message to a spool first.

use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom, Write};
use std::mem;
use std::time::SystemTime;

use crate::cert::{Certificate, Identity};
use crate::cms::digest::Hasher;
use crate::cms::{EnvelopeOptions, SignOptions, SignedDataBuilder};
use crate::error::Error;
use crate::mime::envelope::seal_content;
use crate::mime::header_protection::{HeaderProtection, HpScheme, protect};
use crate::mime::signed::{multipart_signed_type, new_boundary, preamble, signature_part};
use crate::mime::{
    CrlfReader, canonical_len, copy_buffered, inner_entity_headers, read_header_block,
    split_for_encryption,
};

/// Signs an RFC 5322 message (detached, multipart/signed) and encrypts the signed
/// entity for `recipients`, in one call and two passes over `input` (the first only
/// counts when the signer's key is RSA or Ed25519). The outer fields (From, To,
/// Subject, …) stay visible; the result is DER, as from
/// [`encrypt_message`](super::encrypt_message), and reads back like the output of
/// [`sign_and_encrypt_message`](super::sign_and_encrypt_message) with
/// [`SignFormat::Detached`](super::SignFormat::Detached). With `protection` on, the
/// signed entity carries the header section (`hp="cipher"`, RFC 9788 §4) and the
/// outside shows `hcp_baseline`, as from
/// [`sign_and_encrypt_message_protected`](super::sign_and_encrypt_message_protected).
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use std::io::Cursor;
/// use smime::cms::{EnvelopeOptions, SignOptions};
/// use smime::mime::HeaderProtection;
/// let (alice, bob) = (sample::alice()?, sample::bob()?);
/// let msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
/// let sealed = smime::mime::sign_and_encrypt_seekable(
///     Cursor::new(&msg[..]),
///     &alice,
///     &SignOptions::default(),
///     &[bob.certificate().clone()],
///     &EnvelopeOptions::default(),
///     HeaderProtection::off(),
///     Vec::new(),
/// )?;
/// assert!(sealed.starts_with(b"From: alice@example.org\r\n"));
/// # Ok::<(), smime::Error>(())
/// ```
pub fn sign_and_encrypt_seekable<R: BufRead + Seek, W: Write>(
    mut input: R,
    identity: &Identity,
    sign: &SignOptions,
    recipients: &[Certificate],
    envelope: &EnvelopeOptions,
    protection: HeaderProtection,
    out: W,
) -> Result<W, Error> {
    let block = read_header_block(&mut input)?;
    let body_start = input.stream_position()?;
    let (outer, entity_head) = if protection.enabled {
        let split = protect(&block, HpScheme::Cipher, protection.legacy_display);
        (split.outer, split.payload_start)
    } else {
        let (outer, inner) = split_for_encryption(&block);
        (outer, inner_entity_headers(&inner))
    };
    // One signing time, for the length learned up front and the signature made.
    let mut options = sign.clone();
    options.signing_time.get_or_insert_with(SystemTime::now);
    let builder = SignedDataBuilder::new(identity, options);
    let boundary = new_boundary();

    // RFC 8551 §3.1.1: the signature covers the entity's headers and canonical body.
    let mut hasher = builder.digest().hasher();
    hasher.update(&entity_head);
    let (body_len, tail) = match builder.detached_len()? {
        Some(signature_len) => {
            let body_len = canonical_len(&mut input)?;
            let tail_len = signature_part(&vec![0; signature_len], &boundary)?.len();
            (body_len, Tail::ToSign { hasher, tail_len })
        }
        None => {
            let body_len = copy_buffered(CrlfReader::new(&mut input), &mut hasher)?;
            let signature = builder.sign_detached_digest(&hasher.finish())?;
            let part = signature_part(&signature, &boundary)?;
            (body_len, Tail::Made(Cursor::new(part)))
        }
    };

    let mut head = format!(
        "{}\r\n\r\n{}",
        multipart_signed_type(&builder, &boundary),
        preamble(&boundary)
    )
    .into_bytes();
    head.extend_from_slice(&entity_head);
    let content_len = head.len() as u64 + body_len + tail.len() as u64;
    input.seek(SeekFrom::Start(body_start))?;
    let mut entity = SignedEntity {
        body: Some(CrlfReader::new(input)),
        tail,
        builder: &builder,
        boundary: &boundary,
        failure: None,
    };
    let sealed = seal_content(
        &outer,
        Cursor::new(head).chain(&mut entity),
        Some(content_len),
        recipients,
        envelope,
        out,
    );
    // A signing failure reached the encryptor as an I/O error; report the cause.
    match entity.failure.take() {
        Some(cause) => Err(cause),
        None => sealed,
    }
}

/// The signature part that ends the multipart/signed entity.
enum Tail {
    /// Still to be made from the hash of the body, `tail_len` bytes long.
    ToSign { hasher: Hasher, tail_len: usize },
    /// Made.
    Made(Cursor<Vec<u8>>),
}

impl Tail {
    fn len(&self) -> usize {
        match self {
            Tail::ToSign { tail_len, .. } => *tail_len,
            Tail::Made(part) => part.get_ref().len(),
        }
    }
}

/// The multipart/signed entity after its head, as a reader: the canonical body (into
/// the hash when the signature is still to be made), then the signature part.
struct SignedEntity<'a, 'b, R> {
    /// `None` once the body has ended.
    body: Option<CrlfReader<R>>,
    tail: Tail,
    builder: &'a SignedDataBuilder<'b>,
    boundary: &'a str,
    failure: Option<Error>,
}

impl<R: BufRead> SignedEntity<'_, '_, R> {
    /// Signs the hashed body; the part must have the length announced.
    fn sign(&mut self) -> Result<(), Error> {
        let (hasher, tail_len) = match mem::replace(&mut self.tail, Tail::Made(Cursor::default())) {
            Tail::ToSign { hasher, tail_len } => (hasher, tail_len),
            made => {
                self.tail = made;
                return Ok(());
            }
        };
        let signature = self.builder.sign_detached_digest(&hasher.finish())?;
        let part = signature_part(&signature, self.boundary)?;
        if part.len() != tail_len {
            return Err(io::Error::other(format!(
                "the signature part is {} bytes, {tail_len} were announced",
                part.len()
            ))
            .into());
        }
        self.tail = Tail::Made(Cursor::new(part));
        Ok(())
    }
}

impl<R: BufRead> Read for SignedEntity<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(body) = &mut self.body {
            let n = body.read(buf)?;
            if let Some(read) = buf.get(..n).filter(|r| !r.is_empty()) {
                if let Tail::ToSign { hasher, .. } = &mut self.tail {
                    hasher.update(read);
                }
                return Ok(n);
            }
            self.body = None;
            if let Err(cause) = self.sign() {
                let message = cause.to_string();
                self.failure = Some(cause);
                return Err(io::Error::other(message));
            }
        }
        match &mut self.tail {
            Tail::Made(part) => part.read(buf),
            Tail::ToSign { .. } => Ok(0),
        }
    }
}
