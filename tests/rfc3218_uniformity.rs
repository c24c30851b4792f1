//! REQUIREMENTS §2 row 1 (RFC 3218, MMA / Bleichenbacher) and issue 15 findings 2–4:
//! whatever an RSA key-transport block decrypts to — bad padding, a key of the wrong
//! length, a well-formed wrong key — decryption takes the same steps with the same
//! side effects and ends in the same error, on the matched path (a recipient info
//! names us) and on the fallback path (nothing names us, our key is tried). Observed
//! from outside: the error, the input bytes read, the output bytes and write calls.
//! No timing is measured.
//!
//! The identity is made fresh at test time (tests/common/pki.rs, openssl); the hostile
//! blocks are RSA-encrypted to it here with raw RSAEP around hand-made encodings.

use crate::common;

use std::io::{Read, Write};

use common::der::{children, tlv, value};
use common::pki::{pki, rsa_people};
use common::{envelope, text as content};
use rsa::BoxedUint;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use smime::cms::ContentCipher;
use smime::{CmsError, Error, Identity};

fn fresh_rsa_identity() -> Identity {
    pki().identity(rsa_people()[0])
}

fn public_key(who: &Identity) -> rsa::PublicKey {
    rsa::PublicKey::from_public_key_der(&who.certificate().public_key_info_der().unwrap()).unwrap()
}

/// RSAEP (RFC 8017 §5.1.1) of a full encoded message `em`, any padding, by
/// square-and-multiply: the `rsa` crate keeps raw encryption behind `hazmat`.
fn raw_rsa(em: &[u8], to: &Identity) -> Vec<u8> {
    let public = public_key(to);
    assert_eq!(em.len(), public.size());
    let n = public.n();
    let bits = n.as_ref().bits_precision();
    let m = BoxedUint::from_be_slice(em, bits).unwrap();
    let mut c = BoxedUint::one_with_precision(bits);
    for byte in public.e().to_be_bytes().iter() {
        for bit in (0..8).rev() {
            c = c.square_mod(n);
            if byte >> bit & 1 == 1 {
                c = c.mul_mod(&m, n);
            }
        }
    }
    let c = c.to_be_bytes();
    let mut out = vec![0u8; public.size()];
    out[public.size() - c.len().min(public.size())..]
        .copy_from_slice(&c[c.len().saturating_sub(public.size())..]);
    out
}

/// EME-PKCS1-v1_5 (RFC 8017 §7.2.1) around `m`, with a fixed non-zero PS.
fn pkcs1_v15(m: &[u8], k: usize) -> Vec<u8> {
    let mut em = vec![0x00, 0x02];
    em.extend(std::iter::repeat_n(0x5a, k - 3 - m.len()));
    em.push(0x00);
    em.extend_from_slice(m);
    em
}

/// The encoded messages row 1 names: a bad 0x00 0x02 header, no separator, keys of
/// 15 and 33 bytes, a key of a plausible length that is not the content's key.
fn bad_blocks(k: usize) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("block type 1", {
            let mut em = pkcs1_v15(&[7u8; 32], k);
            em[1] = 0x01;
            em
        }),
        ("zero block type", {
            let mut em = pkcs1_v15(&[7u8; 32], k);
            em[1] = 0x00;
            em
        }),
        ("no separator", {
            let mut em = vec![0x00, 0x02];
            em.extend(std::iter::repeat_n(0x33, k - 2));
            em
        }),
        ("15-byte key", pkcs1_v15(&[9u8; 15], k)),
        ("16-byte key", pkcs1_v15(&[9u8; 16], k)),
        ("33-byte key", pkcs1_v15(&[9u8; 33], k)),
        ("wrong 32-byte key", pkcs1_v15(&[9u8; 32], k)),
    ]
}

/// A subjectKeyIdentifier that names nobody.
const FOREIGN_SKI: [u8; 20] = [0x42; 20];

/// The envelope with its only KeyTransRecipientInfo rebuilt: `enc_key` as its
/// encryptedKey and, when `ski` is given, that subjectKeyIdentifier as its recipient
/// identifier (RFC 5652 §6.2.1: version 2 with the [0] SKI choice).
fn rebuild_ktri(env: &[u8], enc_key: Option<&[u8]>, ski: Option<&[u8]>) -> Vec<u8> {
    let ci = children(value(env));
    let ed = value(ci[1]);
    let ed_fields = children(value(ed));
    let set_at = ed_fields.iter().position(|f| f[0] == 0x31).unwrap();
    let ktris = children(value(ed_fields[set_at]));
    assert_eq!(ktris.len(), 1, "one recipient");
    let f = children(value(ktris[0]));
    let (mut version, mut rid) = (f[0].to_vec(), f[1].to_vec());
    if let Some(ski) = ski {
        version = vec![0x02, 0x01, 0x02];
        rid = tlv(0x80, ski);
    }
    let key = match enc_key {
        Some(k) => tlv(0x04, k),
        None => f[3].to_vec(),
    };
    let ktri = tlv(0x30, &[version, rid, f[2].to_vec(), key].concat());
    let mut fields: Vec<Vec<u8>> = ed_fields.iter().map(|f| f.to_vec()).collect();
    fields[set_at] = tlv(0x31, &ktri);
    let ed = tlv(0x30, &fields.concat());
    tlv(0x30, &[ci[0].to_vec(), tlv(0xa0, &ed)].concat())
}

/// What decryption did, as seen from outside.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Observed {
    outcome: String,
    read: usize,
    written: usize,
    writes: usize,
}

struct CountingReader<'a> {
    inner: &'a [u8],
    read: usize,
}

impl Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

#[derive(Default)]
struct CountingWriter {
    written: usize,
    writes: usize,
    bytes: Vec<u8>,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        self.written += buf.len();
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decrypts `env` with `who`, observing; `Ok` outcomes also return the output.
fn observe(env: &[u8], who: &Identity) -> (Observed, Option<Vec<u8>>) {
    let mut input = CountingReader {
        inner: env,
        read: 0,
    };
    let mut out = CountingWriter::default();
    let result = smime::cms::decrypt_stream(&mut input, who, &mut out);
    let outcome = match &result {
        Ok(_) => "Ok".to_owned(),
        Err(Error::Cms(e)) => format!("{e:?}"),
        Err(e) => panic!("not a CMS error: {e:?}"),
    };
    let observed = Observed {
        outcome,
        read: input.read,
        written: out.written,
        writes: out.writes,
    };
    let output = result.is_ok().then_some(out.bytes);
    (observed, output)
}

/// Every bad block on one path: each observation (after retrying the rare CBC case
/// where a wrong key happens to leave valid padding) must equal the first.
fn assert_uniform(cipher: ContentCipher, foreign_rid: bool, expected: &CmsError) {
    let who = fresh_rsa_identity();
    let k = public_key(&who).size();
    let plain = content(100_000);
    let mut first: Option<Observed> = None;
    for (what, em) in bad_blocks(k) {
        let mut seen = None;
        for _ in 0..8 {
            let env = rebuild_ktri(
                &envelope(&plain, cipher, &who),
                Some(&raw_rsa(&em, &who)),
                foreign_rid.then_some(&FOREIGN_SKI[..]),
            );
            let (observed, output) = observe(&env, &who);
            if let Some(output) = output {
                // Only a matched CBC key can do this (about 1 in 256): never the content.
                assert!(!cipher.is_authenticated() && !foreign_rid, "{what}: opened");
                assert_ne!(output, plain, "{what}: the real content from a bad key");
                continue;
            }
            assert_eq!(
                observed.outcome,
                format!("{expected:?}"),
                "{cipher:?} {what}"
            );
            if !foreign_rid {
                assert_eq!(
                    observed.read,
                    env.len(),
                    "{cipher:?} {what}: input not all read"
                );
            }
            seen = Some(observed);
            break;
        }
        let seen = seen.unwrap_or_else(|| panic!("{cipher:?} {what}: never failed"));
        match &first {
            None => first = Some(seen),
            Some(f) => assert_eq!(&seen, f, "{cipher:?} {what} differs from the first case"),
        }
    }
}

#[test]
fn matched_gcm_failures_are_uniform_and_release_nothing() {
    assert_uniform(ContentCipher::Aes256Gcm, false, &CmsError::DecryptionFailed);
    assert_uniform(ContentCipher::Aes128Gcm, false, &CmsError::DecryptionFailed);
}

#[test]
fn matched_cbc_failures_are_uniform() {
    // Finding 3: a key whose unwrap failed used to skip writing the output while a
    // well-formed wrong key wrote all of it: now both write the same bytes.
    assert_uniform(ContentCipher::Aes256Cbc, false, &CmsError::DecryptionFailed);
}

#[test]
fn fallback_failures_are_uniform() {
    // Finding 3: an implausible key used to answer before the content was read, a
    // plausible one after authenticating all of it.
    assert_uniform(ContentCipher::Aes256Gcm, true, &CmsError::NotARecipient);
    assert_uniform(ContentCipher::Aes256Cbc, true, &CmsError::NotARecipient);
}

#[test]
fn matched_observations_equal_a_good_key_up_to_the_end() {
    // The same input read and, for CBC, every block but the last written, as a good
    // key does: the failure differs from success only in its final step.
    let who = fresh_rsa_identity();
    let plain = content(100_000);
    let env = envelope(&plain, ContentCipher::Aes256Cbc, &who);
    let (good, output) = observe(&env, &who);
    assert_eq!(output.as_deref(), Some(&plain[..]));
    let k = public_key(&who).size();
    let bad = rebuild_ktri(&env, Some(&raw_rsa(&bad_blocks(k)[0].1, &who)), None);
    let (observed, _) = observe(&bad, &who);
    assert_eq!(observed.read, good.read);
    // The good key also writes the final block's plaintext (100,000 = 6,250 blocks:
    // a whole padding block, nothing of the content, is held back).
    assert_eq!(observed.written, good.written);
}

#[test]
fn fallback_opens_authenticated_content_only() {
    let who = fresh_rsa_identity();
    let plain = content(5000);
    // A sender that named us in a way we do not recognise: AES-GCM's tag tells our
    // key, the content opens.
    let env = rebuild_ktri(
        &envelope(&plain, ContentCipher::Aes256Gcm, &who),
        None,
        Some(&FOREIGN_SKI),
    );
    let (observed, output) = observe(&env, &who);
    assert_eq!(observed.outcome, "Ok");
    assert_eq!(output.as_deref(), Some(&plain[..]));
    // Finding 4: CBC has no tag; a trial by padding would sometimes release another
    // recipient's garbage as a decryption. Even our own key is not tried.
    let env = rebuild_ktri(
        &envelope(&plain, ContentCipher::Aes256Cbc, &who),
        None,
        Some(&FOREIGN_SKI),
    );
    let (observed, _) = observe(&env, &who);
    assert_eq!(observed.outcome, format!("{:?}", CmsError::NotARecipient));
    assert_eq!(observed.written, 0);
}

#[test]
fn computed_key_identifiers_name_us() {
    // Outlook 2010's case (the Bouncy Castle outlook_2010_beta_sime_msg.eml sample):
    // the recipient identifier is SHA-1 over the whole SubjectPublicKeyInfo rather
    // than the certificate's subjectKeyIdentifier. That names us: even CBC opens, no
    // trial decryption involved.
    use sha1::Digest;
    let who = fresh_rsa_identity();
    let plain = content(5000);
    let spki = who.certificate().public_key_info_der().unwrap();
    let outlook = sha1::Sha1::digest(&spki).to_vec();
    assert_ne!(
        who.certificate().subject_key_identifier(),
        Some(&outlook[..])
    );
    let env = rebuild_ktri(
        &envelope(&plain, ContentCipher::Aes256Cbc, &who),
        None,
        Some(&outlook),
    );
    let (observed, output) = observe(&env, &who);
    assert_eq!(observed.outcome, "Ok");
    assert_eq!(output.as_deref(), Some(&plain[..]));
}
