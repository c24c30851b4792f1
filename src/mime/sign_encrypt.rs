//! Sign-then-encrypt (RFC 8551 §3.7) of a message that can be read twice, without a
//! spool: the first pass hashes the canonical entity and signs it, so the length of the
//! multipart/signed entity is known and the second pass encrypts it straight to DER.
//!
//! [`sign_and_encrypt_message`](super::sign_and_encrypt_message) takes any input and
//! writes the signed message to a spool first; this one reads the input file twice
//! instead of writing and reading back a copy of the message larger than it.

use std::io::{BufRead, Cursor, Read, Seek, SeekFrom, Write};

use crate::cert::{Certificate, Identity};
use crate::cms::{EnvelopeOptions, SignOptions, SignedDataBuilder};
use crate::error::Error;
use crate::mime::envelope::seal_content;
use crate::mime::header_protection::{HeaderProtection, HpScheme, protect};
use crate::mime::signed::{multipart_signed_type, new_boundary, preamble, signature_part};
use crate::mime::{
    CrlfReader, copy_buffered, inner_entity_headers, read_header_block, split_for_encryption,
};

/// Signs an RFC 5322 message (detached, multipart/signed) and encrypts the signed
/// entity for `recipients`, in one call and two passes over `input`. The outer fields
/// (From, To, Subject, …) stay visible; the result is DER, as from
/// [`encrypt_message`](super::encrypt_message), and reads back like the output of
/// [`sign_and_encrypt_message`](super::sign_and_encrypt_message) with
/// [`SignFormat::Detached`](super::SignFormat::Detached). With `protection` on, the
/// signed entity carries the header section (`hp="cipher"`, RFC 9788 §4) and the
/// outside shows `hcp_baseline`, as from
/// [`sign_and_encrypt_message_protected`](super::sign_and_encrypt_message_protected).
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
    let builder = SignedDataBuilder::new(identity, sign.clone());

    // Pass 1: the digest and length of the signed entity (RFC 8551 §3.1.1 canonical).
    let mut hasher = builder.digest().hasher();
    hasher.update(&entity_head);
    let body_len = copy_buffered(CrlfReader::new(&mut input), &mut hasher)?;
    let signature = builder.sign_detached_digest(&hasher.finish())?;

    // Pass 2: the multipart/signed entity, encrypted.
    let boundary = new_boundary();
    let mut head = format!(
        "{}\r\n\r\n{}",
        multipart_signed_type(&builder, &boundary),
        preamble(&boundary)
    )
    .into_bytes();
    head.extend_from_slice(&entity_head);
    let tail = signature_part(&signature, &boundary)?;
    let content_len = head.len() as u64 + body_len + tail.len() as u64;
    input.seek(SeekFrom::Start(body_start))?;
    let content = Cursor::new(head)
        .chain(CrlfReader::new(input))
        .chain(Cursor::new(tail));
    seal_content(
        &outer,
        content,
        Some(content_len),
        recipients,
        envelope,
        out,
    )
}
