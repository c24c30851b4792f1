//! Opening EnvelopedData and AuthEnvelopedData with an [`Identity`] or a KEK, streaming.
//! (Over 600 lines: one streaming walk — recipient infos, key recovery, content —
//! whose uniform-failure rules (RFC 3218) must be read together.)
//!
//! Rules this file implements:
//! * RFC 3218 §2.3.2: when the RSA unwrap fails or yields a key of the wrong length,
//!   go on with a random key, so every failure is the same
//!   [`CmsError::DecryptionFailed`] at the same point.
//! * RFC 5083 §2: with AES-GCM no plaintext byte leaves before the tag verifies. The
//!   ciphertext is spooled (memory up to [`SPOOL_IN_MEMORY`], then a temporary file)
//!   and hashed on the way in; only after the tag matches is it decrypted.
//! * CBC streams in one pass and says `authenticated: false` (RFC 8551 §6, EFAIL).
//! * A recipient identifier that does not match (Outlook 2010 computes some SKIs
//!   its own way) is not the end: our key is tried against every RSA recipient and
//!   the content check decides, still ending in one uniform error.

use std::io::{Read, Seek, SeekFrom, Write};

use cms::enveloped_data::RecipientInfo;
use der::Decode;
use der::asn1::ObjectIdentifier;
use rand::TryRng;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::cert::{Identity, PrivateKey};
use crate::cms::algorithms::{CbcKind, ContentAlgorithm};
use crate::cms::ber::{BerReader, Header};
use crate::cms::cbc_stream::CbcDecryptor;
use crate::cms::{kari, recipient};
use crate::error::{CmsError, Error};
use crate::oid;

/// Ciphertext up to this size is spooled in memory; beyond it, in a temporary file.
const SPOOL_IN_MEMORY: usize = 8 << 20;
/// Caps on the structures read whole (real ones are a few KiB): RecipientInfos for
/// thousands of recipients, originatorInfo with certificate chains.
const MAX_RECIPIENT_INFOS: usize = 16 << 20;
const MAX_SMALL: usize = 1 << 20;
const CHUNK: usize = 64 * 1024;

/// What decryption found out besides the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptInfo {
    authenticated: bool,
    content_type: ObjectIdentifier,
    algorithm: ObjectIdentifier,
}

impl DecryptInfo {
    /// True for AuthEnvelopedData (AES-GCM): the content's integrity was verified
    /// before any of it was released. False for CBC: the content may have been
    /// altered in transit (EFAIL); only a valid inner signature protects it. Neither
    /// says who sent it (RFC 8551 §6).
    pub fn authenticated(&self) -> bool {
        self.authenticated
    }

    /// The inner content type (normally id-data).
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The content-encryption algorithm OID.
    pub fn algorithm(&self) -> ObjectIdentifier {
        self.algorithm
    }
}

/// A decrypted message held in memory.
#[derive(Debug, Clone)]
pub struct Decrypted {
    content: Zeroizing<Vec<u8>>,
    info: DecryptInfo,
}

impl Decrypted {
    pub(crate) fn new(content: Vec<u8>, info: DecryptInfo) -> Self {
        Decrypted {
            content: Zeroizing::new(content),
            info,
        }
    }

    /// The decrypted content.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// Takes the content.
    pub fn into_content(self) -> Vec<u8> {
        let mut c = self.content;
        std::mem::take(&mut *c)
    }

    /// Details about the decryption.
    pub fn info(&self) -> &DecryptInfo {
        &self.info
    }
}

/// Decrypts a CMS EnvelopedData/AuthEnvelopedData (DER or BER) held in memory.
///
/// On failure nothing is returned. See [`decrypt_stream`] for the rules.
pub fn decrypt(input: &[u8], identity: &Identity) -> Result<Decrypted, Error> {
    let mut out = Vec::new();
    let info = decrypt_stream(input, identity, &mut out)?;
    Ok(Decrypted {
        content: Zeroizing::new(out),
        info,
    })
}

/// Decrypts a CMS EnvelopedData/AuthEnvelopedData read from `input`, writing the
/// content to `out`. Memory stays bounded whatever the message size.
///
/// Errors: [`CmsError::NotARecipient`] when no recipient info is ours and our key
/// opens none; [`CmsError::DecryptionFailed`] for every cryptographic failure. With
/// AES-GCM nothing is written unless the tag verifies. With CBC, plaintext is
/// written as it is decrypted, and a padding failure at the very end may follow
/// output already written: collect it somewhere you can discard.
pub fn decrypt_stream<R: Read, W: Write>(
    input: R,
    identity: &Identity,
    out: W,
) -> Result<DecryptInfo, Error> {
    open_stream(input, Opener::Identity(identity), out)
}

/// Decrypts with whichever of `identities` the message is for, in one pass over
/// `input` (the reader's streaming path): the first identity a RecipientInfo names,
/// else every identity's key tried on every recipient. Same rules as
/// [`decrypt_stream`]; no identities is [`CmsError::NotARecipient`].
pub(crate) fn decrypt_stream_any<R: Read, W: Write>(
    input: R,
    identities: &[&Identity],
    out: W,
) -> Result<DecryptInfo, Error> {
    open_stream(input, Opener::Identities(identities), out)
}

/// Who opens the envelope: an identity or several (KeyTransRecipientInfo and
/// KeyAgreeRecipientInfo) or a caller's key-encryption key (KEKRecipientInfo).
pub(crate) enum Opener<'a> {
    Identity(&'a Identity),
    Identities(&'a [&'a Identity]),
    Kek { id: &'a [u8], key: &'a [u8] },
}

/// How the content-encryption key was found.
enum Choice {
    /// A RecipientInfo names us. `doomed`: its unwrap failed and `cek` is random
    /// (RFC 3218 §2.3.2): the content is still processed, then
    /// [`CmsError::DecryptionFailed`] comes at the same point as any other failure.
    Matched {
        cek: Zeroizing<Vec<u8>>,
        doomed: bool,
    },
    /// Nothing names us; these keys came out of some RecipientInfo with our key.
    Fallback(Vec<Zeroizing<Vec<u8>>>),
}

/// How many KeyAgreeRecipientInfos the fallback tries our EC key on (each costs
/// one scalar multiplication).
const MAX_FALLBACK_KARI: usize = 64;

fn matched(cek: Option<Zeroizing<Vec<u8>>>, alg: &ContentAlgorithm) -> Result<Choice, CmsError> {
    let doomed = cek
        .as_ref()
        .is_none_or(|k| !key_len_plausible(k.len(), alg));
    Ok(Choice::Matched {
        cek: plausible_or_random(cek, alg)?,
        doomed,
    })
}

fn choose_key(
    infos: &[RecipientInfo],
    opener: &Opener<'_>,
    alg: &ContentAlgorithm,
) -> Result<Choice, CmsError> {
    let identities: &[&Identity] = match opener {
        Opener::Identity(identity) => std::slice::from_ref(identity),
        Opener::Identities(identities) => identities,
        Opener::Kek { id, key } => {
            let kekri = infos
                .iter()
                .find_map(|ri| match ri {
                    RecipientInfo::Kekri(k) if k.kek_id.kek_identifier.as_bytes() == *id => Some(k),
                    _ => None,
                })
                .ok_or(CmsError::NotARecipient)?;
            return matched(crate::cms::kekri::unwrap(kekri, key)?, alg);
        }
    };
    for identity in identities {
        let cert = identity.certificate();
        let key = identity.private_key();
        for ri in infos {
            match ri {
                RecipientInfo::Ktri(k) if recipient::names(&k.rid, cert) => {
                    return matched(recipient::unwrap_ktri(k, key), alg);
                }
                RecipientInfo::Kari(k)
                    if k.recipient_enc_keys
                        .iter()
                        .any(|rek| kari::names(&rek.rid, cert)) =>
                {
                    return matched(kari::unwrap_for(k, cert, key)?, alg);
                }
                _ => {}
            }
        }
    }
    // No recipient identifier names us: try our keys on every recipient.
    let mut candidates = Vec::new();
    let mut karis = 0usize;
    for identity in identities {
        let key = identity.private_key();
        for ri in infos {
            match ri {
                RecipientInfo::Ktri(k) => candidates.extend(recipient::unwrap_ktri(k, key)),
                RecipientInfo::Kari(k)
                    if !matches!(key, PrivateKey::Rsa(_)) && karis < MAX_FALLBACK_KARI =>
                {
                    karis += 1;
                    candidates.extend(kari::unwrap_any(k, key));
                }
                _ => {}
            }
        }
    }
    candidates.retain(|cek| key_len_plausible(cek.len(), alg));
    if candidates.is_empty() {
        return Err(CmsError::NotARecipient);
    }
    Ok(Choice::Fallback(candidates))
}

/// The walk behind [`decrypt_stream`] and [`crate::cms::decrypt_stream_with_kek`].
pub(crate) fn open_stream<R: Read, W: Write>(
    input: R,
    opener: Opener<'_>,
    mut out: W,
) -> Result<DecryptInfo, Error> {
    let mut r = BerReader::new(input);
    // ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }
    let ci = r.expect_tag(0x30, "ContentInfo")?;
    let type_der = r.tlv_der(64, "ContentInfo contentType")?;
    let content_type =
        ObjectIdentifier::from_der(&type_der).map_err(|e| CmsError::malformed("ContentInfo", e))?;
    let authenticated = if content_type == oid::ENVELOPED_DATA {
        false
    } else if content_type == oid::AUTH_ENVELOPED_DATA {
        true
    } else {
        return Err(CmsError::UnexpectedContentType {
            oid: content_type,
            expected: "enveloped-data or authEnveloped-data",
        }
        .into());
    };
    let _ = ci;
    r.expect_tag(0xa0, "ContentInfo content")?;
    r.expect_tag(0x30, "EnvelopedData")?;
    let _version = r.tlv_der(16, "EnvelopedData version")?;
    let mut h = r.header("EnvelopedData")?;
    if h.ident == 0xa0 {
        // originatorInfo [0] IMPLICIT: certificates/CRLs; not needed for KTRI.
        r.skip_after(h, MAX_RECIPIENT_INFOS, "originatorInfo")?;
        h = r.header("EnvelopedData")?;
    }
    if h.ident != 0x31 {
        return Err(CmsError::malformed("EnvelopedData", "recipientInfos missing").into());
    }
    let ri_der = r.tlv_der_after(h, MAX_RECIPIENT_INFOS, "recipientInfos")?;
    let infos = recipient::parse_recipient_infos(&ri_der)?;

    // EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm,
    //                                     encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }
    let eci = r.expect_tag(0x30, "EncryptedContentInfo")?;
    let eci_end = r.end_of(eci, "EncryptedContentInfo")?;
    let inner_type_der = r.tlv_der(64, "EncryptedContentInfo contentType")?;
    let inner_type = ObjectIdentifier::from_der(&inner_type_der)
        .map_err(|e| CmsError::malformed("EncryptedContentInfo", e))?;
    let alg_der = r.tlv_der(MAX_SMALL, "contentEncryptionAlgorithm")?;
    let alg_id = AlgorithmIdentifierOwned::from_der(&alg_der)
        .map_err(|e| CmsError::malformed("contentEncryptionAlgorithm", e))?;
    let alg = ContentAlgorithm::from_identifier(&alg_id)?;
    if alg.is_aead() != authenticated {
        return Err(CmsError::InvalidParameters {
            algorithm: "content encryption",
            reason: "algorithm does not fit the content type (AES-GCM and ChaCha20-Poly1305 \
                     need AuthEnvelopedData, CBC needs EnvelopedData)"
                .into(),
        }
        .into());
    }
    let info = DecryptInfo {
        authenticated,
        content_type: inner_type,
        algorithm: alg_id.oid,
    };

    if eci_end == Some(r.position()) {
        return Err(CmsError::malformed(
            "EncryptedContentInfo",
            "encryptedContent is absent (detached)",
        )
        .into());
    }
    let content_header = r.header("encryptedContent")?;
    if content_header.is_eoc() {
        return Err(CmsError::malformed(
            "EncryptedContentInfo",
            "encryptedContent is absent (detached)",
        )
        .into());
    }
    if content_header.ident != 0x80 && content_header.ident != 0xa0 {
        return Err(
            CmsError::malformed("encryptedContent", "not [0] IMPLICIT OCTET STRING").into(),
        );
    }

    let candidates = match choose_key(&infos, &opener, &alg)? {
        Choice::Fallback(candidates) => candidates,
        Choice::Matched { cek, doomed } => {
            match &alg {
                ContentAlgorithm::Cbc { kind, iv } => {
                    let mut dec = CbcDecryptor::new(*kind, &cek, iv)?;
                    let mut buf = Vec::with_capacity(CHUNK + 16);
                    let mut write_err = None;
                    stream_content(&mut r, content_header, &mut |chunk| {
                        buf.clear();
                        dec.update(chunk, &mut buf);
                        // A doomed key decrypts to garbage: never release it.
                        if !doomed
                            && write_err.is_none()
                            && let Err(e) = out.write_all(&buf)
                        {
                            write_err = Some(e);
                        }
                        Ok(())
                    })?;
                    if let Some(e) = write_err {
                        return Err(e.into());
                    }
                    buf.clear();
                    let finished = dec.finish(&mut buf);
                    if doomed {
                        return Err(CmsError::DecryptionFailed.into());
                    }
                    finished?;
                    out.write_all(&buf)?;
                }
                aead_alg => {
                    let Some(made) = aead_alg.aead(&cek) else {
                        return Err(CmsError::DecryptionFailed.into());
                    };
                    let (mut aead, tag_len) = made?;
                    let mut spool = Spool::new();
                    stream_content(&mut r, content_header, &mut |chunk| {
                        aead.absorb(chunk);
                        spool.write(chunk)
                    })?;
                    let (aad, mac) = read_auth_tail(&mut r, eci_end, tag_len)?;
                    if let Some(aad) = aad {
                        // AAD must precede the ciphertext in the MAC: hash again from the spool.
                        aead.reset_hash();
                        aead.aad(&aad);
                        spool.for_each(&mut |chunk| {
                            aead.absorb(chunk);
                            Ok(())
                        })?;
                    }
                    if !aead.verify(&mac) || doomed {
                        return Err(CmsError::DecryptionFailed.into());
                    }
                    release_verified(&mut spool, &mut aead, &mut out)?;
                }
            }
            out.flush()?;
            return Ok(info);
        }
    };

    let mut spool = Spool::new();
    let mut tail = TailBlocks::default();
    stream_content(&mut r, content_header, &mut |chunk| {
        tail.push(chunk);
        spool.write(chunk)
    })?;
    match &alg {
        ContentAlgorithm::Cbc { kind, iv } => {
            let (prev, last) = tail.last_two(kind.block_len(), iv);
            let Some(cek) = candidates
                .iter()
                .find(|cek| CbcDecryptor::padding_ok(*kind, cek, &prev, &last))
            else {
                return Err(CmsError::NotARecipient.into());
            };
            let mut dec = CbcDecryptor::new(*kind, cek, iv)?;
            let mut buf = Vec::with_capacity(CHUNK + 16);
            spool.for_each(&mut |chunk| {
                buf.clear();
                dec.update(chunk, &mut buf);
                out.write_all(&buf).map_err(Error::from)
            })?;
            buf.clear();
            dec.finish(&mut buf)?;
            out.write_all(&buf)?;
        }
        aead_alg => {
            let tag_len = match aead_alg {
                ContentAlgorithm::Gcm { tag_len, .. } => *tag_len,
                _ => crate::cms::chacha::CHACHA_TAG_LEN,
            };
            let (aad, mac) = read_auth_tail(&mut r, eci_end, tag_len)?;
            let mut winner = None;
            for cek in &candidates {
                let Some(Ok((mut aead, _))) = aead_alg.aead(cek) else {
                    continue;
                };
                if let Some(aad) = &aad {
                    aead.aad(aad);
                }
                spool.for_each(&mut |chunk| {
                    aead.absorb(chunk);
                    Ok(())
                })?;
                if aead.verify(&mac) {
                    winner = Some(aead);
                    break;
                }
            }
            let Some(mut aead) = winner else {
                return Err(CmsError::NotARecipient.into());
            };
            release_verified(&mut spool, &mut aead, &mut out)?;
        }
    }
    out.flush()?;
    Ok(info)
}

fn key_len_plausible(len: usize, alg: &ContentAlgorithm) -> bool {
    match alg {
        // Bouncy Castle's test128/test256 messages name aes-128-cbc but carry a
        // 24-byte key, and BC and OpenSSL's EVP by key length open them: so do we.
        ContentAlgorithm::Cbc {
            kind: CbcKind::Aes(_),
            ..
        }
        | ContentAlgorithm::Gcm { .. } => {
            matches!(len, 16 | 24 | 32)
        }
        ContentAlgorithm::ChaCha { .. } => len == 32,
        ContentAlgorithm::Cbc {
            kind: CbcKind::TripleDes,
            ..
        } => len == 24,
        ContentAlgorithm::Cbc {
            kind: CbcKind::Rc2 { .. },
            ..
        } => (1..=128).contains(&len),
    }
}

/// RFC 3218 §2.3.2 random filling: an unwrap failure or an implausible key length
/// continues with a random key of the expected length.
fn plausible_or_random(
    cek: Option<Zeroizing<Vec<u8>>>,
    alg: &ContentAlgorithm,
) -> Result<Zeroizing<Vec<u8>>, CmsError> {
    if let Some(k) = cek
        && key_len_plausible(k.len(), alg)
    {
        return Ok(k);
    }
    let mut random = Zeroizing::new(vec![0u8; alg.key_len().unwrap_or(16)]);
    rand::rngs::SysRng
        .try_fill_bytes(&mut random)
        .map_err(|_| CmsError::Random)?;
    Ok(random)
}

/// Streams the octets of encryptedContent: primitive `[0]`, or constructed `[0]`
/// holding OCTET STRING chunks (possibly nested once more).
fn stream_content<R: Read>(
    r: &mut BerReader<R>,
    header: Header,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    crate::cms::ber::stream_octets(r, header, "encryptedContent", sink)
}

/// After the ciphertext of AuthEnvelopedData: close EncryptedContentInfo, read the
/// optional authAttrs (returned as AAD: their DER with the SET OF tag, RFC 5083
/// §2.2) and the mac, whose length must equal aes-ICVlen (RFC 5084 §3.2).
fn read_auth_tail<R: Read>(
    r: &mut BerReader<R>,
    eci_end: Option<u64>,
    tag_len: usize,
) -> Result<(Option<Vec<u8>>, Vec<u8>), Error> {
    match eci_end {
        Some(end) if r.position() != end => {
            return Err(
                CmsError::malformed("EncryptedContentInfo", "data after encryptedContent").into(),
            );
        }
        Some(_) => {}
        None => r.expect_eoc("EncryptedContentInfo")?,
    }
    let mut h = r.header("AuthEnvelopedData")?;
    let mut aad = None;
    if h.ident == 0xa1 {
        let mut der = r.tlv_der_after(h, MAX_SMALL, "authAttrs")?;
        if let Some(first) = der.first_mut() {
            *first = 0x31;
        }
        aad = Some(der);
        h = r.header("AuthEnvelopedData")?;
    }
    if h.ident != 0x04 {
        return Err(CmsError::malformed("AuthEnvelopedData", "mac missing").into());
    }
    let mac_der = r.tlv_der_after(h, 64, "mac")?;
    let mac = crate::cms::ber::content_of(&mac_der)?.to_vec();
    if mac.len() != tag_len {
        return Err(CmsError::InvalidParameters {
            algorithm: "AuthEnvelopedData",
            reason: format!("mac of {} bytes, {tag_len} expected", mac.len()),
        }
        .into());
    }
    Ok((aad, mac))
}

/// Ciphertext kept for a second pass: in memory while small, then in a temporary file.
struct Spool {
    file: tempfile::SpooledTempFile,
}

impl Spool {
    fn new() -> Self {
        Spool {
            file: tempfile::SpooledTempFile::new(SPOOL_IN_MEMORY),
        }
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.file.write_all(chunk)?;
        Ok(())
    }

    /// Reads the spool from the start in chunks; the callback may transform each
    /// chunk in place (decryption needs no copy).
    fn for_each(&mut self, f: &mut dyn FnMut(&mut [u8]) -> Result<(), Error>) -> Result<(), Error> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = self.file.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            f(buf.get_mut(..n).unwrap_or_default())?;
        }
    }
}

/// After the tag verified: decrypt the spooled ciphertext in place and write it out.
fn release_verified<W: Write>(
    spool: &mut Spool,
    aead: &mut crate::cms::aead::Aead,
    out: &mut W,
) -> Result<(), Error> {
    spool.for_each(&mut |chunk| {
        aead.apply_keystream(chunk)?;
        out.write_all(chunk).map_err(Error::from)
    })
}

/// The last two cipher blocks seen, for a cheap CBC padding test of candidate keys.
#[derive(Default)]
struct TailBlocks {
    last: Vec<u8>,
}

impl TailBlocks {
    fn push(&mut self, chunk: &[u8]) {
        self.last.extend_from_slice(chunk);
        if self.last.len() > 64 {
            let cut = self.last.len() - 64;
            self.last.drain(..cut);
        }
    }

    /// (previous block or IV, final block).
    fn last_two(&self, bl: usize, iv: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let n = self.last.len();
        if n < bl || !n.is_multiple_of(bl) {
            return (iv.to_vec(), Vec::new());
        }
        let last = self.last.get(n - bl..).unwrap_or_default().to_vec();
        let prev = if n >= 2 * bl {
            self.last
                .get(n - 2 * bl..n - bl)
                .unwrap_or_default()
                .to_vec()
        } else {
            iv.to_vec()
        };
        (prev, last)
    }
}

/// Decrypts an EnvelopedData/AuthEnvelopedData held in memory whose
/// KEKRecipientInfo has the key identifier `kek_id`, with the symmetric
/// key-encryption key `kek` (16, 24 or 32 bytes for AES-128/192/256 key wrap).
///
/// Errors: [`CmsError::NotARecipient`] when no KEKRecipientInfo carries `kek_id`;
/// [`CmsError::DecryptionFailed`] for a wrong key or damaged content;
/// [`CmsError::InvalidParameters`] when `kek` has the wrong length for the
/// message's key-wrap algorithm.
///
/// ```
/// use smime::cms::decrypt_with_kek;
/// // RFC 9216 / draft-ireland-examples-cms "encryptedKekri" names its KEK "keyid".
/// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/rfc9216/binary-files/encryptedKekri.p7m"));
/// # if let Ok(der) = der {
/// let err = decrypt_with_kek(&der, b"another id", &[0u8; 32]).unwrap_err();
/// assert!(matches!(err, smime::Error::Cms(smime::CmsError::NotARecipient)));
/// # }
/// ```
pub fn decrypt_with_kek(input: &[u8], kek_id: &[u8], kek: &[u8]) -> Result<Decrypted, Error> {
    let mut out = Vec::new();
    let info = decrypt_stream_with_kek(input, kek_id, kek, &mut out)?;
    Ok(Decrypted::new(out, info))
}

/// Streaming form of [`decrypt_with_kek`]: reads the CMS from `input` and writes
/// the content to `out`, with the same rules as
/// [`decrypt_stream`](crate::cms::decrypt_stream) (bounded memory; AEAD content
/// released only after its tag verifies).
pub fn decrypt_stream_with_kek<R: Read, W: Write>(
    input: R,
    kek_id: &[u8],
    kek: &[u8],
    out: W,
) -> Result<DecryptInfo, Error> {
    open_stream(
        input,
        Opener::Kek {
            id: kek_id,
            key: kek,
        },
        out,
    )
}
