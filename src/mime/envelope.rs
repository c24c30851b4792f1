//! Encrypting and decrypting whole messages: the MIME layer around the CMS envelope
//! (RFC 8551 §3.3).
//!
//! Outgoing, in one pass over the body with fixed buffers: the header block is split
//! (outer fields stay visible, `Content-*` go inside), the inner entity is
//! canonicalised to CRLF (RFC 8551 §3.1.1), encrypted, and written as base64 lines
//! under `application/pkcs7-mime`. Incoming, an S/MIME root body is decoded while it
//! is read; any other shape (a `.p7m` attachment inside a multipart) is found in
//! memory by [`find_enveloped`](crate::mime::find_enveloped).

use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom, Write};

use crate::cert::{Certificate, Identity};
use crate::cms::{self, DecryptInfo, Decrypted, Envelope, EnvelopeOptions};
use crate::error::{Error, MimeError};
use crate::mime::{
    Base64Lines, CrlfReader, RootStream, canonical_len, find_enveloped, inner_entity_headers,
    open_root_stream, read_header_block, split_for_encryption, write_smime_headers,
};

/// The largest message [`decrypt_message`] reads into memory when the S/MIME part is
/// not the root entity (and so cannot be streamed).
pub const MAX_IN_MEMORY_MESSAGE: u64 = 1 << 30;

/// Encrypts an RFC 5322 message (or a bare MIME entity) for `recipients`.
///
/// The outer From/To/Cc/Subject/Date/Message-ID (every field that is not `Content-*`)
/// stay on the outside; the `Content-*` fields and the body, in canonical CRLF form,
/// are encrypted. The input is read twice (to learn the canonical length, then to
/// encrypt), so the CMS is DER, which every peer reads; memory does not grow with the
/// message. The result is written to `out` and returned.
pub fn encrypt_message<R: BufRead + Seek, W: Write>(
    mut input: R,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    out: W,
) -> Result<W, Error> {
    let block = read_header_block(&mut input)?;
    let body_start = input.stream_position()?;
    let body_len = canonical_len(&mut input)?;
    input.seek(SeekFrom::Start(body_start))?;
    seal_entity(&block, input, Some(body_len), recipients, options, out)
}

/// Like [`encrypt_message`] for input that cannot be read twice (a pipe): one pass,
/// and the CMS is indefinite-length BER (OpenSSL, gpgsm and Thunderbird read it;
/// Python `cryptography` does not).
pub fn encrypt_message_stream<R: BufRead, W: Write>(
    mut input: R,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    out: W,
) -> Result<W, Error> {
    let block = read_header_block(&mut input)?;
    seal_entity(&block, input, None, recipients, options, out)
}

/// Writes the outer fields and the S/MIME header, then the encrypted inner entity
/// (its `Content-*` fields and the canonical body read from `body`) as base64.
/// `body_len` is the canonical body length when known (DER), else BER is written.
fn seal_entity<R: BufRead, W: Write>(
    block: &crate::mime::HeaderBlock,
    body: R,
    body_len: Option<u64>,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    out: W,
) -> Result<W, Error> {
    let (outer, inner) = split_for_encryption(block);
    let inner_head = inner_entity_headers(&inner);
    seal_split(
        &outer,
        &inner_head,
        body,
        body_len,
        recipients,
        options,
        out,
    )
}

/// Writes the `outer` fields and the S/MIME header, then the encrypted entity:
/// `inner_head` followed by the canonical body read from `body` (whose canonical
/// length is `body_len` when known). Shared with header protection, which builds
/// its own `inner_head`.
pub(crate) fn seal_split<R: BufRead, W: Write>(
    outer: &[crate::mime::HeaderField],
    inner_head: &[u8],
    body: R,
    body_len: Option<u64>,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    out: W,
) -> Result<W, Error> {
    let content_len = body_len.map(|l| inner_head.len() as u64 + l);
    let content = Cursor::new(inner_head).chain(CrlfReader::new(body));
    seal_content(outer, content, content_len, recipients, options, out)
}

/// Writes the `outer` fields and the S/MIME header, then `content` (a whole inner
/// entity in canonical form, `content_len` bytes when known) encrypted, as base64
/// lines encoded on the encrypting worker thread.
pub(crate) fn seal_content<R: Read, W: Write>(
    outer: &[crate::mime::HeaderField],
    content: R,
    content_len: Option<u64>,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    mut out: W,
) -> Result<W, Error> {
    let envelope = Envelope::new(recipients, *options)?;
    let smime_type = if options.cipher.is_authenticated() {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    };
    write_smime_headers(&mut out, outer, smime_type)?;
    let mut out =
        envelope.encrypt_stream_encoded(content, content_len, out, Base64Lines::default())?;
    out.flush()?;
    Ok(out)
}

/// Encrypts a message held in memory; see [`encrypt_message`].
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::cms::EnvelopeOptions;
/// let bob = sample::bob()?;
/// let msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello Bob\r\n";
/// let sealed = smime::mime::encrypt_message_bytes(msg, &[bob.certificate().clone()], &EnvelopeOptions::default())?;
/// assert!(sealed.starts_with(b"From: alice@example.org\r\n"));
/// let opened = smime::mime::decrypt_message_bytes(&sealed, &bob)?;
/// assert_eq!(opened.content(), b"Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob\r\n");
/// # Ok::<(), smime::Error>(())
/// ```
pub fn encrypt_message_bytes(
    message: &[u8],
    recipients: &[Certificate],
    options: &EnvelopeOptions,
) -> Result<Vec<u8>, Error> {
    let out = Vec::with_capacity(message.len() * 4 / 3 + 1024);
    encrypt_message(Cursor::new(message), recipients, options, out)
}

/// Encrypts a message built with `mail-builder`; see [`encrypt_message`].
pub fn encrypt_builder(
    message: mail_builder::MessageBuilder<'_>,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
) -> Result<Vec<u8>, Error> {
    let raw = message.write_to_vec()?;
    encrypt_message_bytes(&raw, recipients, options)
}

/// Decrypts an S/MIME message read from `input` with `identity`, writing the inner
/// MIME entity to `out`; returns `out` and what decryption found out.
///
/// The message may be an RFC 5322 message whose body is `application/pkcs7-mime`
/// (streamed, memory bounded), one with a `.p7m` attachment (read into memory, at
/// most [`MAX_IN_MEMORY_MESSAGE`] bytes), or bare CMS (DER, BER or PEM). The rules of
/// [`cms::decrypt_stream`] apply: with CBC, output may precede a failure.
pub fn decrypt_message<R: BufRead, W: Write>(
    input: R,
    identity: &Identity,
    mut out: W,
) -> Result<(W, DecryptInfo), Error> {
    let info = match open_root_stream(input)? {
        RootStream::Smime(part) => {
            let mut tap = ErrorTap::new(part);
            match cms::decrypt_stream(&mut tap, identity, &mut out) {
                Ok(info) => info,
                // The CMS parser reports any read failure as malformed CMS; when the
                // body decoder failed (bad base64, I/O), that is the error to show, as
                // find_enveloped shows it for a part it decodes in memory.
                Err(e) => {
                    return Err(tap
                        .take_error()
                        .map_or(e, |io| MimeError::from_io(io).into()));
                }
            }
        }
        RootStream::NotRootSmime(other) => {
            let mut raw = Vec::new();
            other
                .into_reader()
                .take(MAX_IN_MEMORY_MESSAGE + 1)
                .read_to_end(&mut raw)?;
            if raw.len() as u64 > MAX_IN_MEMORY_MESSAGE {
                return Err(MimeError::LimitExceeded {
                    what: "message size",
                    limit: MAX_IN_MEMORY_MESSAGE as usize,
                }
                .into());
            }
            let part = find_enveloped(&raw)?;
            cms::decrypt_stream(part.cms(), identity, &mut out)?
        }
    };
    Ok((out, info))
}

/// Decrypts a message held in memory; see [`decrypt_message`]. Nothing is returned
/// on failure.
pub fn decrypt_message_bytes(message: &[u8], identity: &Identity) -> Result<Decrypted, Error> {
    let (content, info) = decrypt_message(message, identity, Vec::new())?;
    Ok(Decrypted::new(content, info))
}

/// Passes reads through and keeps the first read error, so that a failure of the
/// transfer decoder below the CMS parser can be reported as itself.
struct ErrorTap<R> {
    inner: R,
    error: Option<io::Error>,
}

impl<R: Read> ErrorTap<R> {
    fn new(inner: R) -> Self {
        ErrorTap { inner, error: None }
    }

    fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }
}

impl<R: Read> Read for ErrorTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => {
                // io::Error is not Clone: the parser gets a copy with the same kind
                // and message, the original (with its MimeError inside) stays here.
                let copy = io::Error::new(e.kind(), e.to_string());
                if self.error.is_none() {
                    self.error = Some(e);
                }
                Err(copy)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_base64_is_a_mime_error_whether_streamed_or_not() {
        let bob = crate::sample::bob().unwrap();
        let sealed = encrypt_message_bytes(
            b"Subject: x\r\n\r\nHello\r\n",
            &[bob.certificate().clone()],
            &EnvelopeOptions::default(),
        )
        .unwrap();
        let body = sealed.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut bad = sealed.clone();
        bad[body + 100] = b'*';
        // Root entity: streamed through Base64Reader into the CMS parser.
        let err = decrypt_message_bytes(&bad, &bob).unwrap_err();
        assert!(matches!(err, Error::Mime(MimeError::Base64)), "{err:?}");
        // The same part inside a multipart: decoded in memory by find_enveloped.
        let mut multi = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n".to_vec();
        multi.extend_from_slice(
            &bad[bad.windows(13).position(|w| w == b"Content-Type:").unwrap()..],
        );
        multi.extend_from_slice(b"\r\n--b--\r\n");
        let err = decrypt_message_bytes(&multi, &bob).unwrap_err();
        assert!(matches!(err, Error::Mime(MimeError::Base64)), "{err:?}");
        // A good message is unaffected.
        assert!(decrypt_message_bytes(&sealed, &bob).is_ok());
    }
}
