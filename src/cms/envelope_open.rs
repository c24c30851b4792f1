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
//!   A random stand-in key writes the same (garbage) output a wrong key does before
//!   the same error: the side effects do not tell them apart either.
//! * A recipient identifier names us by issuer and serial, by the certificate's
//!   subjectKeyIdentifier or by a key identifier computed from our key the way
//!   senders without the extension do (Outlook 2010: SHA-1 over the
//!   SubjectPublicKeyInfo). When none names us, our key is tried on the first
//!   [`MAX_FALLBACK_TRIALS`] recipients for authenticated content only, every trial
//!   taking the same steps (RFC 3218); CBC content is never opened by trial.

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
/// thousands of recipients, originatorInfo with certificate chains. Every header is
/// charged to the cap, not only the content octets (issue 15 finding 5).
const MAX_RECIPIENT_INFOS_BYTES: usize = 8 << 20;
const MAX_SMALL: usize = 1 << 20;
/// When no recipient identifier names us, how many recipients our keys are tried on
/// (each a private-key operation, each key then checked against the whole content):
/// the first ones in the message, whatever the unwraps give (RFC 3218).
pub const MAX_FALLBACK_TRIALS: usize = 16;
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
/// Errors: [`CmsError::NotARecipient`] when no recipient info names us and (for
/// authenticated content) our key opens none of the first [`MAX_FALLBACK_TRIALS`];
/// [`CmsError::DecryptionFailed`] for every cryptographic failure, whatever the RSA
/// unwrap gave (RFC 3218). With AES-GCM and ChaCha20-Poly1305 nothing is written
/// unless the tag verifies. With CBC, plaintext is written as it is decrypted, and a
/// failure at the very end follows output already written (the same amount for
/// every failure): collect it somewhere you can discard.
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
    /// Nothing names us: one key per recipient info our key was tried on, each
    /// either what the unwrap gave or a random stand-in (see [`fallback_keys`]).
    Fallback(Vec<Zeroizing<Vec<u8>>>),
}

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
    fallback_keys(infos, identities, alg).map(Choice::Fallback)
}

/// No recipient identifier names us (a sender that computed our key identifier its
/// own way): our keys are tried on the first [`MAX_FALLBACK_TRIALS`] recipients and
/// the content's authentication tag decides.
///
/// RFC 3218 holds here too: every tried recipient yields one key whatever its unwrap
/// gave (a failed or implausible unwrap becomes a random key of the right length),
/// and every key is checked against the whole content, so the steps and the outcome
/// of a message meant for others depend only on its structure. CBC content is never
/// opened this way: it has no tag, and a padding check would take another
/// recipient's implicitly rejected RSA block for ours about once in 20,000 tries and
/// release garbage as a decryption (issue 15 finding 4).
fn fallback_keys(
    infos: &[RecipientInfo],
    identities: &[&Identity],
    alg: &ContentAlgorithm,
) -> Result<Vec<Zeroizing<Vec<u8>>>, CmsError> {
    if !alg.is_aead() {
        return Err(CmsError::NotARecipient);
    }
    let mut keys = Vec::new();
    for identity in identities {
        let key = identity.private_key();
        let rsa = matches!(key, PrivateKey::Rsa(_));
        for ri in infos {
            let room = MAX_FALLBACK_TRIALS.saturating_sub(keys.len());
            if room == 0 {
                return Ok(keys);
            }
            match ri {
                RecipientInfo::Ktri(k) if rsa => {
                    keys.push(plausible_or_random(recipient::unwrap_ktri(k, key), alg)?);
                }
                RecipientInfo::Kari(k) if !rsa => {
                    for unwrapped in kari::unwrap_each(k, key, room) {
                        keys.push(plausible_or_random(unwrapped, alg)?);
                    }
                }
                _ => {}
            }
        }
    }
    if keys.is_empty() {
        return Err(CmsError::NotARecipient);
    }
    Ok(keys)
}

/// The walk behind [`decrypt_stream`] and [`crate::cms::decrypt_stream_with_kek`].
pub(crate) fn open_stream<R: Read, W: Write>(
    input: R,
    opener: Opener<'_>,
    mut out: W,
) -> Result<DecryptInfo, Error> {
    let mut r = BerReader::new(input);
    // ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }
    r.expect_tag(0x30, "ContentInfo")?;
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
    r.expect_tag(0xa0, "ContentInfo content")?;
    r.expect_tag(0x30, "EnvelopedData")?;
    let _version = r.tlv_der(16, "EnvelopedData version")?;
    let mut h = r.header("EnvelopedData")?;
    if h.ident == 0xa0 {
        // originatorInfo [0] IMPLICIT: certificates/CRLs; not needed for KTRI.
        r.skip_after(h, MAX_RECIPIENT_INFOS_BYTES, "originatorInfo")?;
        h = r.header("EnvelopedData")?;
    }
    if h.ident != 0x31 {
        return Err(CmsError::malformed("EnvelopedData", "recipientInfos missing").into());
    }
    let ri_der = r.tlv_der_after(h, MAX_RECIPIENT_INFOS_BYTES, "recipientInfos")?;
    let infos = recipient::parse_recipient_infos(&ri_der)?;
    drop(ri_der);

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

    let choice = choose_key(&infos, &opener, &alg)?;
    drop(infos);
    let content = EncryptedContent {
        header: content_header,
        eci_end,
    };
    match (choice, &alg) {
        (Choice::Matched { cek, doomed }, ContentAlgorithm::Cbc { kind, iv }) => {
            // RFC 3218 §2.3.2: a doomed (random) key takes exactly the path of a
            // well-formed wrong one: the same decryption, the same bytes written to
            // `out`, then the same error once the padding is checked.
            let mut dec = CbcDecryptor::new(*kind, &cek, iv)?;
            let mut buf = Vec::with_capacity(CHUNK + 16);
            stream_content(&mut r, content.header, &mut |chunk| {
                buf.clear();
                dec.update(chunk, &mut buf);
                out.write_all(&buf).map_err(Error::from)
            })?;
            buf.clear();
            let padded = dec.finish(&mut buf);
            if doomed || padded.is_err() {
                return Err(CmsError::DecryptionFailed.into());
            }
            out.write_all(&buf)?;
        }
        (Choice::Matched { cek, doomed }, aead_alg) => {
            let keys = [cek];
            match authenticate(&mut r, content, aead_alg, &keys)? {
                Some((mut aead, mut spool)) if !doomed => {
                    release_verified(&mut spool, &mut aead, &mut out)?;
                }
                _ => return Err(CmsError::DecryptionFailed.into()),
            }
        }
        (Choice::Fallback(keys), aead_alg) => {
            let Some((mut aead, mut spool)) = authenticate(&mut r, content, aead_alg, &keys)?
            else {
                return Err(CmsError::NotARecipient.into());
            };
            release_verified(&mut spool, &mut aead, &mut out)?;
        }
    }
    out.flush()?;
    Ok(info)
}

/// Where the encryptedContent starts (its header was read) and where the
/// EncryptedContentInfo ends (`None` when indefinite).
#[derive(Clone, Copy)]
struct EncryptedContent {
    header: Header,
    eci_end: Option<u64>,
}

/// Authenticated content (RFC 5083 §2): the ciphertext is spooled, not released, and
/// every one of `keys` authenticates it in the same single pass; every tag is checked.
/// The first key whose tag verifies comes back with the spool, ready to decrypt it;
/// `None` when none verifies (nothing was written anywhere).
fn authenticate<R: Read>(
    r: &mut BerReader<R>,
    content: EncryptedContent,
    alg: &ContentAlgorithm,
    keys: &[Zeroizing<Vec<u8>>],
) -> Result<Option<(crate::cms::aead::Aead, Spool)>, Error> {
    let mut trials = Vec::with_capacity(keys.len());
    let mut tag_len = 0;
    for key in keys {
        let Some(made) = alg.aead(key) else {
            return Err(CmsError::DecryptionFailed.into());
        };
        let (aead, len) = made?;
        tag_len = len;
        trials.push(aead);
    }
    let mut spool = Spool::new();
    stream_content(r, content.header, &mut |chunk| {
        for aead in trials.iter_mut() {
            aead.absorb(chunk);
        }
        spool.write(chunk)
    })?;
    let (aad, mac) = read_auth_tail(r, content.eci_end, tag_len)?;
    if let Some(aad) = aad {
        // AAD must precede the ciphertext in the MAC: hash again from the spool.
        for aead in trials.iter_mut() {
            aead.reset_hash();
            aead.aad(&aad);
        }
        spool.for_each(&mut |chunk| {
            for aead in trials.iter_mut() {
                aead.absorb(chunk);
            }
            Ok(())
        })?;
    }
    let verified: Vec<bool> = trials.iter().map(|aead| aead.verify(&mac)).collect();
    let winner = verified.iter().position(|ok| *ok);
    Ok(winner.map(|i| (trials.swap_remove(i), spool)))
}

fn key_len_plausible(len: usize, alg: &ContentAlgorithm) -> bool {
    match alg {
        // Bouncy Castle's test128/test256 messages name aes-128-cbc but carry a
        // 24-byte key, and BC and OpenSSL's EVP by key length open them: so do we.
        ContentAlgorithm::Cbc {
            kind: CbcKind::Aes(_),
            ..
        } => matches!(len, 16 | 24 | 32),
        ContentAlgorithm::Gcm { key_len, .. } => len == *key_len,
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

#[cfg(test)]
mod tests {
    use super::*;
    use cms::enveloped_data::{KeyTransRecipientInfo, RecipientIdentifier};
    use der::asn1::OctetString;
    use x509_cert::ext::pkix::SubjectKeyIdentifier;

    fn bob() -> Identity {
        Identity::from_pem(
            include_bytes!("../../examples/sample/bob.pem"),
            include_bytes!("../../examples/sample/bob.key"),
            None,
        )
        .unwrap()
    }

    /// A KeyTransRecipientInfo that names nobody we know, carrying `enc_key`.
    fn foreign_ktri(enc_key: Vec<u8>) -> RecipientInfo {
        RecipientInfo::Ktri(KeyTransRecipientInfo {
            version: cms::content_info::CmsVersion::V2,
            rid: RecipientIdentifier::SubjectKeyIdentifier(SubjectKeyIdentifier(
                OctetString::new(vec![0x42; 20]).unwrap(),
            )),
            key_enc_alg: AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: None,
            },
            enc_key: OctetString::new(enc_key).unwrap(),
        })
    }

    /// PKCS#1 v1.5 encryption of `cek` to bob's key.
    fn to_bob(bob: &Identity, cek: &[u8]) -> Vec<u8> {
        let spki = bob.certificate().public_key_info_der().unwrap();
        let public =
            <rsa::PublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(&spki).unwrap();
        public
            .encrypt(&mut rand::rng(), rsa::Pkcs1v15Encrypt, cek)
            .unwrap()
    }

    fn gcm256() -> ContentAlgorithm {
        ContentAlgorithm::Gcm {
            key_len: 32,
            nonce: [7; 12],
            tag_len: 16,
        }
    }

    /// Issue 15 findings 2 and 3, REQUIREMENTS §2 row 1 on the fallback path: the
    /// number of keys (each checked against the whole content) depends only on how
    /// many recipients there are, capped, never on what an unwrap yields.
    #[test]
    fn fallback_tries_a_fixed_number_of_keys_whatever_the_unwraps_give() {
        let bob = bob();
        let mut random = vec![0u8; 256];
        rand::rngs::SysRng.try_fill_bytes(&mut random).unwrap();
        let kinds: [(&str, Vec<u8>); 5] = [
            ("random block", random),
            ("right-length key", to_bob(&bob, &[9; 32])),
            ("15-byte key", to_bob(&bob, &[9; 15])),
            ("33-byte key", to_bob(&bob, &[9; 33])),
            ("short block", vec![1; 100]),
        ];
        for (what, block) in &kinds {
            for count in [1, 3, MAX_FALLBACK_TRIALS, MAX_FALLBACK_TRIALS + 40] {
                let infos: Vec<_> = (0..count).map(|_| foreign_ktri(block.clone())).collect();
                let keys = fallback_keys(&infos, &[&bob], &gcm256()).unwrap();
                assert_eq!(
                    keys.len(),
                    count.min(MAX_FALLBACK_TRIALS),
                    "{what} x{count}"
                );
                assert!(keys.iter().all(|k| k.len() == 32), "{what} x{count}");
            }
        }
        // A mixture gives the same count as any single kind.
        let mixed: Vec<_> = kinds.iter().map(|(_, b)| foreign_ktri(b.clone())).collect();
        assert_eq!(
            fallback_keys(&mixed, &[&bob], &gcm256()).unwrap().len(),
            kinds.len()
        );
    }

    /// Issue 15 finding 4: CBC content is never opened by trying our key, whatever
    /// the recipient infos hold; no private-key operation decides it.
    #[test]
    fn fallback_never_opens_cbc() {
        let bob = bob();
        let cbc = ContentAlgorithm::Cbc {
            kind: CbcKind::Aes(32),
            iv: vec![0; 16],
        };
        let infos = vec![foreign_ktri(to_bob(&bob, &[9; 32]))];
        assert!(matches!(
            fallback_keys(&infos, &[&bob], &cbc),
            Err(CmsError::NotARecipient)
        ));
    }

    /// RFC 3218 §2.3.2 on the matched path: a failed or implausible unwrap becomes a
    /// random key of exactly the length a good one has.
    #[test]
    fn implausible_keys_become_random_keys_of_the_right_length() {
        let alg = gcm256();
        for cek in [
            None,
            Some(vec![1u8; 15]),
            Some(vec![1u8; 16]),
            Some(vec![1u8; 33]),
        ] {
            let Choice::Matched { cek: key, doomed } =
                matched(cek.map(Zeroizing::new), &alg).unwrap()
            else {
                panic!("matched")
            };
            assert!(doomed);
            assert_eq!(key.len(), 32);
        }
        let Choice::Matched { cek: key, doomed } =
            matched(Some(Zeroizing::new(vec![5u8; 32])), &alg).unwrap()
        else {
            panic!("matched")
        };
        assert!(!doomed);
        assert_eq!(key.as_slice(), [5u8; 32]);
    }
}
