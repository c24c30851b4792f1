//! The MIME layer: canonical form, transfer encodings, header blocks, and finding the
//! S/MIME part of a message.
//!
//! Outgoing, a message is split into the fields that stay outside and the entity that
//! gets encrypted (`split_for_encryption`, `inner_entity_headers`), canonicalised
//! to CRLF ([`CrlfWriter`], RFC 8551 §3.1.1), encrypted by the CMS layer and written
//! as base64 lines ([`Base64LineWriter`], RFC 2045 §6.8) after the S/MIME header
//! fields (`write_smime_headers`, RFC 8551 §3.3).
//!
//! Incoming, [`open_root_stream`] reads only a message's header block and decodes an
//! S/MIME root body while it is read ([`Base64Reader`]); anything else goes through
//! [`find_enveloped`], which searches the whole message in memory.
//!
//! All of it treats input as hostile: sizes and nesting are bounded
//! ([`MAX_HEADER_BYTES`], [`MAX_HEADER_FIELDS`], [`MAX_MIME_DEPTH`]) and bad input is
//! a [`MimeError`](crate::MimeError), never a panic.

mod base64;
mod base64_worker;
mod bcc;
mod canonical;
mod canonical_len;
mod content_type;
mod copy;
mod decode;
mod envelope;
mod header_protection;
mod headers;
mod parse_guard;
mod sign_encrypt;
mod signed;
// The in-memory split, kept as the oracle the reader's streaming split is tested against.
#[cfg(test)]
pub(crate) mod signed_split;
mod smime_type;
mod unwrap;
mod wrap;

pub(crate) use parse_guard::parse_message;

pub(crate) use self::base64::Base64Lines;
pub use self::base64::{Base64LineWriter, Base64Reader};
pub(crate) use base64_worker::Base64WorkerWriter;
pub(crate) use bcc::strip_bcc;
pub(crate) use canonical::CrlfReader;
pub use canonical::{CrlfWriter, to_crlf};
pub(crate) use canonical_len::canonical_len;
pub use content_type::{ContentType, TransferEncoding};
pub(crate) use copy::copy_buffered;
pub(crate) use decode::smime_body;
pub use envelope::{
    MAX_IN_MEMORY_MESSAGE, decrypt_message, decrypt_message_bytes, encrypt_builder,
    encrypt_message, encrypt_message_bytes, encrypt_message_stream,
};
pub use header_protection::{
    HeaderProtection, HpScheme, OBSCURED_SUBJECT, ProtectedHeaders, encrypt_message_protected,
    sign_and_encrypt_message_protected, sign_message_protected,
};
pub(crate) use headers::read_header_block;
pub use headers::{HeaderBlock, HeaderField, MAX_HEADER_BYTES, MAX_HEADER_FIELDS};
pub use sign_encrypt::sign_and_encrypt_seekable;
pub use signed::{
    SignFormat, certs_only_message, sign_and_encrypt_message, sign_message, sign_message_bytes,
    triple_wrap_message,
};
pub use smime_type::SmimeType;
pub(crate) use unwrap::smime_kind;
pub use unwrap::{
    MAX_MIME_DEPTH, NotRootSmime, RootStream, SmimePart, StreamedPart, find_enveloped,
    open_root_stream,
};
pub(crate) use wrap::{inner_entity_headers, split_for_encryption, write_smime_headers};
