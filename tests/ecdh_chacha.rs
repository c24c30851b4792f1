//! ECDH key agreement, ChaCha20-Poly1305 and KEKRecipientInfo against data we did not
//! write (Bouncy Castle's ECDH KARI set, RFC 9216 / draft-ireland-examples-cms), our
//! own round trips compared field by field with RFC 9216's objects, the key-usage rule
//! for senders, and hostile variations (RFC 3218 spirit: one uniform error where a
//! distinction would depend on our key).

use crate::support_vectors;

use cms::authenveloped_data::AuthEnvelopedData;
use cms::content_info::ContentInfo;
use cms::enveloped_data::{
    EnvelopedData, KeyAgreeRecipientInfo, OriginatorIdentifierOrKey, RecipientInfo, RecipientInfos,
};
use der::asn1::{BitString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use smime::cms::{ContentCipher, EnvelopeOptions, RecipientIdKind};
use smime::{Certificate, CmsError, Error, Identity};
use support_vectors::{cms_error, identity_from_files, read};

const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const HKDF_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.19");
const SHA256_KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.1.11.1");
const SHA384_KDF: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.1.11.2");
const CHACHA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.3.18");
const AES256_WRAP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.45");

fn dana() -> Identity {
    identity_from_files(
        "rfc9216/certs-and-keys/lamps-dana.encrypt.crt",
        "rfc9216/certs-and-keys/lamps-dana.decrypt.p8.pem",
    )
}

fn bob() -> Identity {
    identity_from_files(
        "rfc9216/certs-and-keys/lamps-bob.encrypt.crt",
        "rfc9216/certs-and-keys/lamps-bob.decrypt.p8.pem",
    )
}

/// Bouncy Castle's P-256 identity (no keyUsage extension).
fn bc_ecc() -> Identity {
    identity_from_files(
        "bouncycastle/cms/ecdh/ecc.crt",
        "bouncycastle/cms/ecdh/ecc.key",
    )
}

fn pem_body(rel: &str) -> Vec<u8> {
    let text = String::from_utf8(read(rel)).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap()
}

#[test]
fn bouncy_castle_ecdh_kari_set() {
    // 16 messages to one P-256 key: SHA-1/224/256/384/512 X9.63 KDFs with AES-128/192/256
    // key wrap (and CBC content of the same size), and four with the legacy CMS3DESwrap
    // (RFC 3217) around a 3DES content key: all decrypt to the session text.
    let id = bc_ecc();
    let expected = read("bouncycastle/cms/ecdh/sess.txt");
    let expected = expected.trim_ascii_end();
    let mut opened = 0;
    for name in "12345678ABCDEFGH".chars() {
        let der = pem_body(&format!("bouncycastle/cms/ecdh/encSess{name}.asc"));
        let d = smime::cms::decrypt(&der, &id).unwrap_or_else(|e| panic!("encSess{name}: {e:?}"));
        assert_eq!(d.content().trim_ascii_end(), expected, "encSess{name}");
        opened += 1;
    }
    assert_eq!(opened, 16);
}

fn parse_auth_enveloped(der: &[u8]) -> AuthEnvelopedData {
    let ci = ContentInfo::from_der(der).expect("ContentInfo");
    ci.content.decode_as().expect("AuthEnvelopedData")
}

fn only_kari(infos: &RecipientInfos) -> KeyAgreeRecipientInfo {
    let kari: Vec<_> = infos
        .0
        .iter()
        .filter_map(|ri| match ri {
            RecipientInfo::Kari(k) => Some(k.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(kari.len(), 1);
    kari.into_iter().next().unwrap()
}

#[test]
fn x25519_and_chacha20_round_trip_match_rfc9216_structure() {
    // No peer on this machine produces X25519 KARI or ChaCha20-Poly1305 (OpenSSL 3.0,
    // Python cryptography and gpgsm cannot): the judges are RFC 9216's example objects,
    // which we open (vectors_decrypt.rs), and their structure, which ours must match.
    let dana = dana();
    let content = b"This is some sample content.";
    let der = smime::cms::encrypt(
        content,
        &[dana.certificate().clone()],
        &EnvelopeOptions::with_cipher(ContentCipher::ChaCha20Poly1305),
    )
    .unwrap();
    let opened = smime::cms::decrypt(&der, &dana).unwrap();
    assert_eq!(opened.content(), content);
    assert!(opened.info().authenticated());
    assert_eq!(opened.info().algorithm(), CHACHA);

    let ours = parse_auth_enveloped(&der);
    let theirs_x = parse_auth_enveloped(&read(
        "rfc9216/binary-files/authEnvelopedForDanaX25519HKDF.p7m",
    ));
    let theirs_c = parse_auth_enveloped(&read(
        "rfc9216/binary-files/authEnvelopedForBobChaCha20Poly1305.p7m",
    ));
    assert_eq!(ours.version, theirs_x.version);
    let (k, t) = (
        only_kari(&ours.recip_infos),
        only_kari(&theirs_x.recip_infos),
    );
    assert_eq!(k.version, t.version);
    let (
        OriginatorIdentifierOrKey::OriginatorKey(ko),
        OriginatorIdentifierOrKey::OriginatorKey(to),
    ) = (&k.originator, &t.originator)
    else {
        panic!("originatorKey expected");
    };
    assert_eq!(ko.algorithm, to.algorithm);
    assert_eq!(ko.algorithm.oid, X25519);
    assert_eq!(ko.algorithm.parameters, None);
    assert_eq!(
        ko.public_key.raw_bytes().len(),
        to.public_key.raw_bytes().len()
    );
    assert_ne!(ko.public_key, to.public_key, "a fresh ephemeral key");
    assert_eq!(k.ukm, t.ukm);
    // Same scheme (HKDF-SHA256) and the same KeyWrapAlgorithm encoding; RFC 9216 wraps
    // with AES-256, as we do for a 256-bit content key (RFC 8551 §2.3).
    assert_eq!(k.key_enc_alg.oid, HKDF_SHA256);
    assert_eq!(k.key_enc_alg, t.key_enc_alg);
    assert_eq!(k.recipient_enc_keys.len(), 1);
    assert_eq!(k.recipient_enc_keys[0].rid, t.recipient_enc_keys[0].rid);
    assert_eq!(
        k.recipient_enc_keys[0].enc_key.as_bytes().len(),
        40,
        "32-byte CEK + 8"
    );
    // The content side matches the ChaCha20-Poly1305 example.
    let (ce, te) = (
        &ours.auth_encrypted_content_info,
        &theirs_c.auth_encrypted_content_info,
    );
    assert_eq!(ce.content_type, te.content_type);
    assert_eq!(ce.content_enc_alg.oid, te.content_enc_alg.oid);
    let nonce = |p: &Option<der::Any>| p.as_ref().unwrap().decode_as::<OctetString>().unwrap();
    assert_eq!(nonce(&ce.content_enc_alg.parameters).as_bytes().len(), 12);
    assert_eq!(
        nonce(&te.content_enc_alg.parameters).as_bytes().len(),
        nonce(&ce.content_enc_alg.parameters).as_bytes().len()
    );
    assert_eq!(ours.mac.as_bytes().len(), theirs_c.mac.as_bytes().len());
    assert_eq!(ours.auth_attrs.is_some(), theirs_c.auth_attrs.is_some());

    // X25519 with every cipher, and SKI identifiers.
    for cipher in ContentCipher::ALL {
        for rid in [
            RecipientIdKind::IssuerAndSerial,
            RecipientIdKind::SubjectKeyId,
        ] {
            let der = smime::cms::encrypt(
                b"x",
                &[dana.certificate().clone()],
                &EnvelopeOptions::with_cipher(cipher).recipient_id(rid),
            )
            .unwrap();
            assert_eq!(
                smime::cms::decrypt(&der, &dana).unwrap().content(),
                b"x",
                "{cipher}"
            );
        }
    }
}

#[test]
fn mixed_rsa_x25519_p256_recipients_and_key_wrap_strength() {
    let (bob, dana, ecc) = (bob(), dana(), bc_ecc());
    let recipients = [
        bob.certificate().clone(),
        dana.certificate().clone(),
        ecc.certificate().clone(),
    ];
    for cipher in ContentCipher::ALL {
        let der = smime::cms::encrypt(
            b"for all",
            &recipients,
            &EnvelopeOptions::with_cipher(cipher),
        )
        .unwrap();
        for who in [&bob, &dana, &ecc] {
            let d = smime::cms::decrypt(&der, who).unwrap_or_else(|e| panic!("{cipher}: {e:?}"));
            assert_eq!(d.content(), b"for all");
        }
        // RFC 8551 §2.3: the key wrap has the content's strength.
        let wrap = match cipher.key_len() {
            16 => "2.16.840.1.101.3.4.1.5",
            24 => "2.16.840.1.101.3.4.1.25",
            _ => "2.16.840.1.101.3.4.1.45",
        };
        let infos = if cipher.is_authenticated() {
            parse_auth_enveloped(&der).recip_infos
        } else {
            let ci = ContentInfo::from_der(&der).unwrap();
            ci.content.decode_as::<EnvelopedData>().unwrap().recip_infos
        };
        let mut karis = 0;
        for ri in infos.0.iter() {
            if let RecipientInfo::Kari(k) = ri {
                karis += 1;
                let w = k
                    .key_enc_alg
                    .parameters
                    .as_ref()
                    .unwrap()
                    .decode_as::<spki::AlgorithmIdentifierOwned>()
                    .unwrap();
                assert_eq!(w.oid.to_string(), wrap, "{cipher}");
                assert!(w.parameters.is_none());
            }
        }
        assert_eq!(karis, 2);
    }
}

#[test]
fn p384_sends_the_sha384_kdf() {
    let fran = identity_from_files(
        "clients/thunderbird/derived/Fran-ec.cert.pem",
        "clients/thunderbird/derived/Fran-ec.key.pem",
    );
    let der = smime::cms::encrypt(
        b"p384",
        &[fran.certificate().clone()],
        &EnvelopeOptions::default(),
    )
    .unwrap();
    let k = only_kari(&parse_auth_enveloped(&der).recip_infos);
    assert_eq!(k.key_enc_alg.oid, SHA384_KDF);
    assert_eq!(smime::cms::decrypt(&der, &fran).unwrap().content(), b"p384");
    let der = smime::cms::encrypt(
        b"p256",
        &[bc_ecc().certificate().clone()],
        &EnvelopeOptions::default(),
    )
    .unwrap();
    assert_eq!(
        only_kari(&parse_auth_enveloped(&der).recip_infos)
            .key_enc_alg
            .oid,
        SHA256_KDF
    );
}

#[test]
fn certificate_without_key_agreement_is_refused_for_ecdh() {
    // OpenSSL's smec3: P-256 with keyUsage digitalSignature, nonRepudiation,
    // keyEncipherment and no keyAgreement (RFC 8550 §4.4.4, REQUIREMENTS §1 #9).
    let smec3 = Certificate::load(&read("openssl/smime-certs/smec3.pem"))
        .unwrap()
        .remove(0);
    let err = smime::cms::encrypt(b"no", &[smec3], &EnvelopeOptions::default()).unwrap_err();
    match err {
        Error::Cms(CmsError::UnusableRecipient { subject, reason }) => {
            assert!(reason.contains("keyAgreement"), "{reason}");
            assert!(!subject.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // An Ed25519 (signing-only) certificate cannot be encrypted to either.
    let carlos = Certificate::load(&read("rfc9216/certs-and-keys/lamps-carlos.crt"))
        .unwrap()
        .remove(0);
    let err = smime::cms::encrypt(b"no", &[carlos], &EnvelopeOptions::default()).unwrap_err();
    assert!(
        matches!(err, Error::Cms(CmsError::UnusableRecipient { .. })),
        "{err:?}"
    );
}

/// Re-encodes an EnvelopedData after `f` changed its (only) KARI.
fn tamper_kari(der: &[u8], f: impl Fn(&mut KeyAgreeRecipientInfo)) -> Vec<u8> {
    let ci = ContentInfo::from_der(der).unwrap();
    let mut ed: EnvelopedData = ci.content.decode_as().unwrap();
    let mut infos: Vec<RecipientInfo> = ed.recip_infos.0.iter().cloned().collect();
    for ri in &mut infos {
        if let RecipientInfo::Kari(k) = ri {
            f(k);
        }
    }
    ed.recip_infos = RecipientInfos(SetOfVec::try_from(infos).unwrap());
    ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&ed).unwrap(),
    }
    .to_der()
    .unwrap()
}

#[test]
fn hostile_key_agreement_inputs_are_typed_and_uniform() {
    let ecc = bc_ecc();
    let dana = dana();
    let opts = EnvelopeOptions::with_cipher(ContentCipher::Aes128Cbc);
    let der = smime::cms::encrypt(b"secret", &[ecc.certificate().clone()], &opts).unwrap();
    assert_eq!(
        smime::cms::decrypt(&der, &ecc).unwrap().content(),
        b"secret"
    );
    let set_point = |bytes: Vec<u8>| {
        move |k: &mut KeyAgreeRecipientInfo| {
            if let OriginatorIdentifierOrKey::OriginatorKey(o) = &mut k.originator {
                o.public_key = BitString::from_bytes(&bytes).unwrap();
            }
        }
    };
    let ephemeral = |der: &[u8]| -> Vec<u8> {
        let ci = ContentInfo::from_der(der).unwrap();
        let ed: EnvelopedData = ci.content.decode_as().unwrap();
        let k = only_kari(&ed.recip_infos);
        match k.originator {
            OriginatorIdentifierOrKey::OriginatorKey(o) => o.public_key.raw_bytes().to_vec(),
            _ => unreachable!(),
        }
    };
    let mut off_curve = ephemeral(&der);
    *off_curve.last_mut().unwrap() ^= 1;
    let uniform: Vec<(&str, Vec<u8>)> = vec![
        ("off-curve point", tamper_kari(&der, set_point(off_curve))),
        ("identity point", tamper_kari(&der, set_point(vec![0x00]))),
        (
            "truncated point",
            tamper_kari(&der, set_point(ephemeral(&der)[..33].to_vec())),
        ),
        (
            "wrapped key too short",
            tamper_kari(&der, |k| {
                let b = k.recipient_enc_keys[0].enc_key.as_bytes()[..16].to_vec();
                k.recipient_enc_keys[0].enc_key = OctetString::new(b).unwrap();
            }),
        ),
        (
            "wrapped key too long",
            tamper_kari(&der, |k| {
                let mut b = k.recipient_enc_keys[0].enc_key.as_bytes().to_vec();
                b.extend_from_slice(&[0u8; 8]);
                k.recipient_enc_keys[0].enc_key = OctetString::new(b).unwrap();
            }),
        ),
        (
            "wrapped key altered",
            tamper_kari(&der, |k| {
                let mut b = k.recipient_enc_keys[0].enc_key.as_bytes().to_vec();
                b[5] ^= 0x40;
                k.recipient_enc_keys[0].enc_key = OctetString::new(b).unwrap();
            }),
        ),
        // A KDF that is valid but not the one the sender used derives another KEK.
        (
            "KDF mismatch",
            tamper_kari(&der, |k| k.key_enc_alg.oid = SHA384_KDF),
        ),
        (
            "ukm added",
            tamper_kari(&der, |k| {
                k.ukm = Some(OctetString::new(vec![1u8; 8]).unwrap())
            }),
        ),
        (
            "wrap algorithm mismatch",
            tamper_kari(&der, |k| {
                let w = spki::AlgorithmIdentifierOwned {
                    oid: AES256_WRAP,
                    parameters: None,
                };
                k.key_enc_alg.parameters = Some(der::Any::encode_from(&w).unwrap());
            }),
        ),
    ];
    for (what, bad) in &uniform {
        let err = smime::cms::decrypt(bad, &ecc).unwrap_err();
        assert!(
            matches!(cms_error(err), CmsError::DecryptionFailed),
            "{what}"
        );
    }
    // Structural problems that do not involve our key say what they are.
    let unknown = tamper_kari(&der, |k| {
        k.key_enc_alg.oid = ObjectIdentifier::new_unwrap("1.2.3.4")
    });
    assert!(matches!(
        cms_error(smime::cms::decrypt(&unknown, &ecc).unwrap_err()),
        CmsError::UnsupportedAlgorithm {
            kind: "key agreement",
            ..
        }
    ));
    let no_wrap = tamper_kari(&der, |k| k.key_enc_alg.parameters = None);
    assert!(matches!(
        cms_error(smime::cms::decrypt(&no_wrap, &ecc).unwrap_err()),
        CmsError::InvalidParameters { .. }
    ));

    // X25519: the all-zero (low-order) ephemeral key gives an all-zero secret.
    let der = smime::cms::encrypt(b"secret", &[dana.certificate().clone()], &opts).unwrap();
    let zero = tamper_kari(&der, set_point(vec![0u8; 32]));
    assert!(matches!(
        cms_error(smime::cms::decrypt(&zero, &dana).unwrap_err()),
        CmsError::DecryptionFailed
    ));
    let short = tamper_kari(&der, set_point(vec![9u8; 31]));
    assert!(matches!(
        cms_error(smime::cms::decrypt(&short, &dana).unwrap_err()),
        CmsError::DecryptionFailed
    ));
}

#[test]
fn tampered_tags_fail_and_release_nothing() {
    let (dana, ecc) = (dana(), bc_ecc());
    for (who, cipher) in [
        (&dana, ContentCipher::ChaCha20Poly1305),
        (&ecc, ContentCipher::ChaCha20Poly1305),
        (&ecc, ContentCipher::Aes128Gcm),
        (&dana, ContentCipher::Aes256Gcm),
    ] {
        let der = smime::cms::encrypt(
            b"authenticated content",
            &[who.certificate().clone()],
            &EnvelopeOptions::with_cipher(cipher),
        )
        .unwrap();
        // The mac is the last element of our DER AuthEnvelopedData; the ciphertext
        // ends just before its 18-byte TLV.
        for pos in [der.len() - 1, der.len() - 16, der.len() - 19] {
            let mut bad = der.clone();
            bad[pos] ^= 0x01;
            let mut out = Vec::new();
            let err = smime::cms::decrypt_stream(&bad[..], who, &mut out).unwrap_err();
            assert!(
                matches!(cms_error(err), CmsError::DecryptionFailed),
                "{cipher} at {pos}"
            );
            assert!(
                out.is_empty(),
                "{cipher}: plaintext released before the tag"
            );
        }
    }
}

#[test]
fn kekri_round_trip_through_openssl_object_and_wrong_keys() {
    // OpenSSL's 80-test_cms_data KEKRI AuthEnvelopedData (AES-128 key wrap, AES-128-GCM,
    // authenticated attributes), key and id from its 80-test_cms.t.
    let der = pem_body("openssl/80-test_cms_data/authenveloped_attrs.pem");
    let kek: Vec<u8> = (0u8..16).collect();
    let id = [0xc0, 0xfe, 0xe0];
    let opened = smime::cms::decrypt_with_kek(&der, &id, &kek).unwrap();
    assert!(opened.info().authenticated());
    let mut wrong = kek.clone();
    wrong[0] ^= 1;
    let mut out = Vec::new();
    let err = smime::cms::decrypt_stream_with_kek(&der[..], &id, &wrong, &mut out).unwrap_err();
    assert!(matches!(cms_error(err), CmsError::DecryptionFailed));
    assert!(out.is_empty());
    let err = smime::cms::decrypt_with_kek(&der, b"nope", &kek).unwrap_err();
    assert!(matches!(cms_error(err), CmsError::NotARecipient));
}
