//! Signing whole messages (RFC 8551 §3.5): detached `multipart/signed` (RFC 1847) or
//! opaque `application/pkcs7-mime; smime-type=signed-data`, and sign-then-encrypt.
//!
//! The signed entity is rendered once, in canonical CRLF form, and the exact bytes
//! that are hashed are the bytes embedded: in multipart/signed everything between
//! the boundary lines except the CRLF that belongs to the boundary (RFC 1847 §2.1).

use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};

use rand::RngExt;

use crate::cert::{Certificate, Identity};
use crate::cms::{EnvelopeOptions, SignOptions, SignedDataBuilder};
use crate::error::Error;
use crate::mime::CrlfReader;
use crate::mime::HeaderField;
use crate::mime::{
    Base64LineWriter, Base64WorkerWriter, encrypt_message, inner_entity_headers, read_header_block,
    split_for_encryption, write_smime_headers,
};
use crate::pipeline::{fill, pipelined};

/// Chunks of the signed entity hashed on the pipeline's worker (the size
/// `content_pump` uses too, for the same reason).
const HASH_CHUNK: usize = 512 * 1024;

/// The shape of a signed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SignFormat {
    /// `multipart/signed`: readable by clients without S/MIME (RFC 8551 §3.5.3).
    #[default]
    Detached,
    /// `application/pkcs7-mime; smime-type=signed-data`: survives mail gateways that
    /// rewrite text (RFC 8551 §3.5.2).
    Opaque,
}

/// Signs an RFC 5322 message: the outer fields (From, To, Subject, …) stay as they
/// are, the `Content-*` fields and body become the signed entity. One pass over the
/// input; the result is written to `out` and returned.
pub fn sign_message<R: BufRead, W: Write>(
    mut input: R,
    identity: &Identity,
    options: &SignOptions,
    format: SignFormat,
    out: W,
) -> Result<W, Error> {
    let block = read_header_block(&mut input)?;
    let (outer, inner) = split_for_encryption(&block);
    let inner_head = inner_entity_headers(&inner);
    let entity = Cursor::new(inner_head).chain(CrlfReader::new(input));
    sign_entity(&outer, entity, identity, options, format, out)
}

/// Signs `entity` (headers and canonical body, exactly the bytes to sign) under the
/// `outer` header fields; shared with header protection, which builds its own entity.
pub(crate) fn sign_entity<R: BufRead, W: Write>(
    outer: &[HeaderField],
    mut entity: R,
    identity: &Identity,
    options: &SignOptions,
    format: SignFormat,
    mut out: W,
) -> Result<W, Error> {
    let builder = SignedDataBuilder::new(identity, options.clone());
    match format {
        SignFormat::Opaque => {
            write_smime_headers(&mut out, outer, "signed-data")?;
            let b64 = builder.sign_opaque_stream(entity, Base64WorkerWriter::new(out))?;
            let mut out = b64.finish()?;
            out.flush()?;
            Ok(out)
        }
        SignFormat::Detached => {
            let boundary = new_boundary();
            for field in outer {
                let mut raw = crate::mime::to_crlf(field.raw());
                if !raw.ends_with(b"\r\n") {
                    raw.extend_from_slice(b"\r\n");
                }
                out.write_all(&raw)?;
            }
            write!(
                out,
                "MIME-Version: 1.0\r\n{}\r\n\r\n{}",
                multipart_signed_type(&builder, &boundary),
                preamble(&boundary)
            )?;
            // Hash exactly the bytes written between the boundaries, on a worker while
            // this thread reads the next chunk and writes the last.
            let mut hasher = builder.digest().hasher();
            pipelined(
                HASH_CHUNK,
                &mut hasher,
                |buf| fill(&mut entity, buf),
                |hasher, buf, n| {
                    hasher.update(buf.get(..n).unwrap_or_default());
                    Ok(n)
                },
                |data| Ok(out.write_all(data)?),
            )?;
            let digest = hasher.finish();
            let signature = builder.sign_detached_digest(&digest)?;
            out.write_all(&signature_part(&signature, &boundary)?)?;
            out.flush()?;
            Ok(out)
        }
    }
}

/// Signs a message held in memory; see [`sign_message`].
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::cms::SignOptions;
/// use smime::mime::SignFormat;
/// let alice = sample::alice()?;
/// let msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
/// let signed = smime::mime::sign_message_bytes(msg, &alice, &SignOptions::default(), SignFormat::Detached)?;
/// assert!(String::from_utf8_lossy(&signed).contains("multipart/signed"));
/// # Ok::<(), smime::Error>(())
/// ```
pub fn sign_message_bytes(
    message: &[u8],
    identity: &Identity,
    options: &SignOptions,
    format: SignFormat,
) -> Result<Vec<u8>, Error> {
    sign_message(
        message,
        identity,
        options,
        format,
        Vec::with_capacity(message.len() * 2 + 4096),
    )
}

/// Signs, then encrypts the signed message for `recipients` (RFC 8551 §3.7), in one
/// call. The signed message is spooled (memory up to 8 MiB, then a temporary file).
pub fn sign_and_encrypt_message<R: BufRead, W: Write>(
    input: R,
    identity: &Identity,
    sign: &SignOptions,
    format: SignFormat,
    recipients: &[Certificate],
    envelope: &EnvelopeOptions,
    out: W,
) -> Result<W, Error> {
    let mut spool = tempfile::SpooledTempFile::new(8 << 20);
    sign_message(input, identity, sign, format, &mut spool)?;
    spool.seek(SeekFrom::Start(0))?;
    encrypt_message(BufReader::new(spool), recipients, envelope, out)
}

/// The triple wrap (RFC 2634 §1.1, RFC 8551 §3.7): sign, encrypt the signed message,
/// and sign the encrypted one again, in one call. The inner signature proves the
/// content, the outer one the envelope (e.g. for a mail list agent).
#[allow(clippy::too_many_arguments)]
pub fn triple_wrap_message<R: BufRead, W: Write>(
    input: R,
    identity: &Identity,
    sign: &SignOptions,
    format: SignFormat,
    recipients: &[Certificate],
    envelope: &EnvelopeOptions,
    out: W,
) -> Result<W, Error> {
    let mut spool = tempfile::SpooledTempFile::new(8 << 20);
    sign_and_encrypt_message(
        input, identity, sign, format, recipients, envelope, &mut spool,
    )?;
    spool.seek(SeekFrom::Start(0))?;
    sign_message(BufReader::new(spool), identity, sign, format, out)
}

/// A certs-only message (RFC 8551 §3.6.2.2): `application/pkcs7-mime;
/// smime-type=certs-only` carrying `certs` (e.g. the user's chain to import), under
/// the given outer header fields (`From`, `To`, `Subject`, … as raw lines).
pub fn certs_only_message(outer_fields: &[u8], certs: &[Certificate]) -> Result<Vec<u8>, Error> {
    let der = crate::cms::certs_only(certs)?;
    let block = read_header_block(&mut &outer_fields[..])?;
    let mut out = Vec::with_capacity(der.len() * 4 / 3 + 512);
    write_smime_headers(&mut out, block.fields(), "certs-only")?;
    let mut b64 = Base64LineWriter::new(&mut out);
    b64.write_all(&der)?;
    b64.finish()?;
    Ok(out)
}

/// A boundary that cannot occur in base64 or in our own text: `=_` is not base64 and
/// 24 random alphanumerics make a collision with the content negligible.
/// The `Content-Type` field (without its line end) of a multipart/signed entity
/// signed by `builder` (RFC 8551 §3.5.3).
pub(crate) fn multipart_signed_type(builder: &SignedDataBuilder<'_>, boundary: &str) -> String {
    format!(
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; \
         micalg={}; boundary=\"{boundary}\"",
        builder.digest().micalg()
    )
}

/// The multipart/signed body up to the signed entity: a preamble for readers without
/// MIME and the first boundary line.
pub(crate) fn preamble(boundary: &str) -> String {
    format!("This is a cryptographically signed message in MIME format.\r\n\r\n--{boundary}\r\n")
}

/// The multipart/signed body after the signed entity: the signature part and the
/// closing boundary.
pub(crate) fn signature_part(signature: &[u8], boundary: &str) -> io::Result<Vec<u8>> {
    // The CRLF before the boundary belongs to the boundary (RFC 2046 §5.1.1), so it is
    // written after, and outside, the hashed entity.
    let mut out = format!(
        "\r\n--{boundary}\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n\
         Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\
         Content-Description: S/MIME Cryptographic Signature\r\n\r\n"
    )
    .into_bytes();
    let mut b64 = Base64LineWriter::new(&mut out);
    b64.write_all(signature)?;
    b64.finish()?;
    write!(out, "\r\n--{boundary}--\r\n")?;
    Ok(out)
}

pub(crate) fn new_boundary() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..24)
        .filter_map(|_| {
            ALPHABET
                .get(rng.random_range(0..ALPHABET.len()))
                .map(|&b| char::from(b))
        })
        .collect();
    format!("=_smime_{tail}")
}
