//! Building EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083), streaming.
//!
//! The small structures (RecipientInfos, AlgorithmIdentifier) are made with the `cms`
//! types; the content octets are written here, so the message passes through once,
//! in fixed-size chunks, and is encrypted once however many recipients there are.
//! With the content length known up front the output is DER; otherwise it is BER
//! with indefinite lengths and a constructed OCTET STRING (RFC 5652 §6.1 permits
//! either).

use std::io::{Read, Write};

use cms::enveloped_data::RecipientInfo;
use der::Encode;
use rand::TryRng;
use zeroize::Zeroizing;

use crate::cert::{Certificate, KeyAlgorithm};
use crate::cms::aead::Aead;
use crate::cms::algorithms::{
    self, ContentCipher, GCM_NONCE_LEN, GCM_TAG_LEN, KeyTransport, RecipientIdKind,
};
use crate::cms::ber::{header_len, tlv, write_length};
use crate::cms::cbc_stream::CbcEncryptor;
use crate::cms::content_pump::{Cipher, pump, write_chunk};
use crate::error::{CmsError, Error};
use crate::oid;
use crate::pipeline::{Encoding, EncodingWriter, Raw};

/// How to encrypt: the content cipher, how the key reaches each recipient, and how
/// recipients are named. The default is AES-256-GCM, RSA PKCS#1 v1.5 key transport
/// (every client reads it) and issuerAndSerialNumber.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvelopeOptions {
    /// The content-encryption algorithm.
    pub cipher: ContentCipher,
    /// The RSA key-transport scheme.
    pub key_transport: KeyTransport,
    /// The RecipientIdentifier form.
    pub recipient_id: RecipientIdKind,
}

impl EnvelopeOptions {
    /// Options with the given cipher and the other defaults.
    pub fn with_cipher(cipher: ContentCipher) -> Self {
        EnvelopeOptions {
            cipher,
            ..Default::default()
        }
    }

    /// Sets the key-transport scheme.
    pub fn key_transport(mut self, kt: KeyTransport) -> Self {
        self.key_transport = kt;
        self
    }

    /// Sets the recipient identifier form.
    pub fn recipient_id(mut self, rid: RecipientIdKind) -> Self {
        self.recipient_id = rid;
        self
    }
}

/// An envelope ready to be written: a fresh key, IV/nonce and the recipient infos.
///
/// One `Envelope` encrypts one message (the key and nonce are never reused).
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::cms::{Envelope, EnvelopeOptions, ContentCipher};
/// let bob = sample::bob()?;
/// let env = Envelope::new(&[bob.certificate().clone()], EnvelopeOptions::with_cipher(ContentCipher::Aes128Cbc))?;
/// let mut out = Vec::new();
/// env.encrypt_stream(&b"hello"[..], Some(5), &mut out)?;
/// let opened = smime::cms::decrypt(&out, &bob)?;
/// assert_eq!(opened.content(), b"hello");
/// # Ok::<(), smime::Error>(())
/// ```
pub struct Envelope {
    cipher: ContentCipher,
    cek: Zeroizing<Vec<u8>>,
    iv: Vec<u8>,
    /// DER of the RecipientInfos SET.
    recipient_infos: Vec<u8>,
    version: u8,
}

impl Envelope {
    /// Prepares an envelope for `recipients` (at least one).
    pub fn new(recipients: &[Certificate], options: EnvelopeOptions) -> Result<Self, Error> {
        if recipients.is_empty() {
            return Err(CmsError::NoRecipients.into());
        }
        let cipher = options.cipher;
        let mut cek = Zeroizing::new(vec![0u8; cipher.key_len()]);
        let mut iv = vec![
            0u8;
            if cipher.is_authenticated() {
                GCM_NONCE_LEN
            } else {
                16
            }
        ];
        // Key and IV straight from the operating system (RFC 8551 §2.7: fresh per message).
        let mut os = rand::rngs::SysRng;
        os.try_fill_bytes(&mut cek).map_err(|_| CmsError::Random)?;
        os.try_fill_bytes(&mut iv).map_err(|_| CmsError::Random)?;

        let mut infos: Vec<Vec<u8>> = Vec::with_capacity(recipients.len());
        let mut any_v2 = false;
        for cert in recipients {
            // The recipient kind follows the certificate's key: RSA key transport
            // (RFC 5652 §6.2.1) or ECDH ES key agreement (§6.2.2, RFC 5753, RFC 8418).
            let ri = match cert.key_algorithm() {
                KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384 | KeyAlgorithm::X25519 => {
                    crate::cms::kari::key_agree_recipient(cert, &cek, cipher, options.recipient_id)?
                }
                _ => crate::cms::recipient::key_trans_recipient(
                    cert,
                    &cek,
                    options.key_transport,
                    options.recipient_id,
                )?,
            };
            match &ri {
                RecipientInfo::Ktri(k) => {
                    any_v2 |= k.version != cms::content_info::CmsVersion::V0;
                }
                // KARI is version 3 (RFC 5652 §6.1: EnvelopedData version 2).
                _ => any_v2 = true,
            }
            infos.push(
                ri.to_der()
                    .map_err(|e| CmsError::malformed("RecipientInfo", e))?,
            );
        }
        // DER SET OF: elements in ascending order of their encodings (X.690 §11.6).
        infos.sort();
        let recipient_infos = tlv(0x31, &infos.concat());
        // RFC 5652 §6.1: version 2 when any RecipientInfo is not v0; AuthEnvelopedData
        // is always version 0 (RFC 5083 §2.1).
        let version = if cipher.is_authenticated() || !any_v2 {
            0
        } else {
            2
        };
        Ok(Envelope {
            cipher,
            cek,
            iv,
            recipient_infos,
            version,
        })
    }

    /// Encrypts `content` into a CMS ContentInfo written to `out`.
    ///
    /// With `content_len` given, the output is DER and the reader must yield exactly
    /// that many bytes; with `None`, the output is indefinite-length BER. Memory use
    /// does not depend on the content's size.
    pub fn encrypt_stream<R: Read, W: Write>(
        self,
        content: R,
        content_len: Option<u64>,
        out: W,
    ) -> Result<W, Error> {
        let mut out = self.encrypt_stream_encoded(content, content_len, out, Raw)?;
        out.flush()?;
        Ok(out)
    }

    /// [`encrypt_stream`](Self::encrypt_stream) with the output passed through
    /// `encoding`, for the content on the encrypting worker thread; `out` is not
    /// flushed.
    pub(crate) fn encrypt_stream_encoded<R: Read, W: Write, E: Encoding>(
        self,
        mut content: R,
        content_len: Option<u64>,
        out: W,
        encoding: E,
    ) -> Result<W, Error> {
        let mut out = EncodingWriter::new(out, encoding);
        let authenticated = self.cipher.is_authenticated();
        let outer_type = if authenticated {
            oid::AUTH_ENVELOPED_DATA
        } else {
            oid::ENVELOPED_DATA
        };
        let der =
            |o: der::asn1::ObjectIdentifier| o.to_der().map_err(|e| CmsError::malformed("OID", e));
        let outer_oid = der(outer_type)?;
        let eci_prefix = [
            der(oid::DATA)?,
            algorithms::content_identifier(self.cipher, &self.iv)?,
        ]
        .concat();
        let version = [0x02, 0x01, self.version];
        let mac_len = if authenticated {
            2 + GCM_TAG_LEN as u64
        } else {
            0
        };

        let mut state = match self.cipher {
            ContentCipher::ChaCha20Poly1305 => {
                Cipher::Aead(Aead::chacha(&self.cek, &nonce(&self.iv)?)?)
            }
            c if c.is_authenticated() => Cipher::Aead(Aead::gcm(&self.cek, &nonce(&self.iv)?)?),
            _ => Cipher::Cbc(CbcEncryptor::new(&self.cek, &self.iv)?),
        };

        let mut head = Vec::with_capacity(self.recipient_infos.len() + 128);
        match content_len {
            Some(len) => {
                let ct_len = if authenticated {
                    len
                } else {
                    CbcEncryptor::ciphertext_len(len)
                };
                let enc_content = header_len(ct_len) + ct_len;
                let eci = eci_prefix.len() as u64 + enc_content;
                let env = version.len() as u64
                    + self.recipient_infos.len() as u64
                    + header_len(eci)
                    + eci
                    + mac_len;
                let explicit = header_len(env) + env;
                let ci = outer_oid.len() as u64 + header_len(explicit) + explicit;
                push_header(&mut head, 0x30, Some(ci));
                head.extend_from_slice(&outer_oid);
                push_header(&mut head, 0xa0, Some(explicit));
                push_header(&mut head, 0x30, Some(env));
                head.extend_from_slice(&version);
                head.extend_from_slice(&self.recipient_infos);
                push_header(&mut head, 0x30, Some(eci));
                head.extend_from_slice(&eci_prefix);
                // encryptedContent [0] IMPLICIT OCTET STRING, primitive.
                push_header(&mut head, 0x80, Some(ct_len));
                out.write_all(&head)?;
                let (raw_out, encoding) = out.parts();
                let written = pump(&mut content, &mut state, encoding, raw_out, false)?;
                if written != len {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("content was {written} bytes, {len} announced"),
                    )
                    .into());
                }
                finish(state, &mut out, false)?;
            }
            None => {
                push_header(&mut head, 0x30, None);
                head.extend_from_slice(&outer_oid);
                push_header(&mut head, 0xa0, None);
                push_header(&mut head, 0x30, None);
                head.extend_from_slice(&version);
                head.extend_from_slice(&self.recipient_infos);
                push_header(&mut head, 0x30, None);
                head.extend_from_slice(&eci_prefix);
                // encryptedContent [0] IMPLICIT, constructed: a series of OCTET STRINGs.
                push_header(&mut head, 0xa0, None);
                out.write_all(&head)?;
                let (raw_out, encoding) = out.parts();
                pump(&mut content, &mut state, encoding, raw_out, true)?;
                finish(state, &mut out, true)?;
            }
        }
        if content_len.is_none() {
            // Close: ContentInfo, [0], EnvelopedData (after the mac for GCM).
            out.write_all(&[0, 0, 0, 0, 0, 0])?;
        }
        Ok(out.finish()?)
    }
}

fn nonce(iv: &[u8]) -> Result<[u8; GCM_NONCE_LEN], CmsError> {
    iv.try_into()
        .map_err(|_| CmsError::malformed("nonce", "wrong length"))
}

fn push_header(out: &mut Vec<u8>, ident: u8, len: Option<u64>) {
    out.push(ident);
    match len {
        Some(l) => write_length(out, l),
        None => out.push(0x80),
    }
}

/// Writes the final ciphertext, closes encryptedContent and EncryptedContentInfo,
/// and for GCM appends the mac.
fn finish<W: Write>(state: Cipher, out: &mut W, chunked: bool) -> Result<(), Error> {
    let mut tail = Vec::new();
    let tag = match state {
        Cipher::Cbc(c) => {
            c.finish(&mut tail);
            None
        }
        Cipher::Aead(a) => Some(a.tag()),
    };
    write_chunk(out, &tail, chunked)?;
    if chunked {
        // End of encryptedContent [0] and of EncryptedContentInfo.
        out.write_all(&[0, 0, 0, 0])?;
    }
    if let Some(tag) = tag {
        // mac MessageAuthenticationCode (RFC 5083 §2.1), 16 bytes (RFC 5084 §3.2, RFC 8103 §3).
        out.write_all(&tlv(0x04, &tag))?;
    }
    Ok(())
}

/// Encrypts `content` for `recipients` and returns the DER ContentInfo.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::cms::{encrypt, decrypt, EnvelopeOptions};
/// let (alice, bob) = (sample::alice()?, sample::bob()?);
/// let recipients = [alice.certificate().clone(), bob.certificate().clone()];
/// let der = encrypt(b"Hi both", &recipients, &EnvelopeOptions::default())?;
/// for me in [&alice, &bob] {
///     let opened = decrypt(&der, me)?;
///     assert_eq!(opened.content(), b"Hi both");
///     assert!(opened.info().authenticated()); // AES-256-GCM by default
/// }
/// # Ok::<(), smime::Error>(())
/// ```
pub fn encrypt(
    content: &[u8],
    recipients: &[Certificate],
    options: &EnvelopeOptions,
) -> Result<Vec<u8>, Error> {
    let env = Envelope::new(recipients, *options)?;
    let mut out = Vec::with_capacity(content.len() + 512 * recipients.len() + 256);
    env.encrypt_stream(content, Some(content.len() as u64), &mut out)?;
    Ok(out)
}
