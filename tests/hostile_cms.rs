//! Issue 15: hostile CMS structures cost what a legitimate message needs, not what the
//! attacker asks for. Counts are asserted, never times.

use crate::common::der::tlv;
use smime::cms::{self, MAX_SIGNER_INFOS};
use smime::trust::{Policy, TrustStore};
use smime::{CmsError, Error};

/// An opaque SignedData (RFC 5652 §5.1) holding "hi" and `n` empty SignerInfos
/// (`30 00`), the shape of finding 1.
fn signed_data_with_empty_signers(n: usize) -> Vec<u8> {
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let signed_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let encap = tlv(
        0x30,
        &[data_oid.to_vec(), tlv(0xa0, &tlv(0x04, b"hi"))].concat(),
    );
    let signers = tlv(0x31, &[0x30, 0x00].repeat(n));
    let sd = tlv(
        0x30,
        &[vec![0x02, 0x01, 0x01], tlv(0x31, &[]), encap, signers].concat(),
    );
    tlv(0x30, &[signed_oid.to_vec(), tlv(0xa0, &sd)].concat())
}

fn open(der: &[u8]) -> Result<cms::Verification, Error> {
    cms::verify_opaque(der, Vec::new(), &TrustStore::new(), &Policy::email())
}

#[test]
fn signer_infos_beyond_the_cap_are_refused_before_any_is_parsed() {
    // Two million empty SignerInfos: 4 MB of input, refused with the limit named.
    for n in [MAX_SIGNER_INFOS + 1, 2_000_000] {
        match open(&signed_data_with_empty_signers(n)) {
            Err(Error::Cms(CmsError::LimitExceeded { what, limit })) => {
                assert_eq!(limit, MAX_SIGNER_INFOS);
                assert!(what.contains("SignerInfos"), "{what}");
            }
            other => panic!("{n} SignerInfos: {:?}", other.map(|v| v.signers().len())),
        }
    }
}

#[test]
fn signer_infos_up_to_the_cap_are_each_reported() {
    // Empty SignerInfos are malformed: each is reported (or the structure refused as
    // malformed), never a limit error.
    match open(&signed_data_with_empty_signers(MAX_SIGNER_INFOS)) {
        Ok(v) => assert_eq!(v.signers().len(), MAX_SIGNER_INFOS),
        Err(Error::Cms(CmsError::LimitExceeded { .. })) => {
            panic!("{MAX_SIGNER_INFOS} SignerInfos hit the limit")
        }
        Err(_) => {}
    }
}

// ---------------------------------------------------------------------------------
// Envelopes: recipient infos, KARI encrypted keys, headers (findings 2 and 5)
// ---------------------------------------------------------------------------------

fn fresh_identity() -> smime::Identity {
    crate::common::pki::pki().identity(crate::common::pki::rsa_people()[0])
}

/// An AES-256-GCM envelope for `who` holding "hi", with `extra` recipient infos (whole
/// TLVs) after its own, or instead of it when `drop_ours`.
fn envelope_with(who: &smime::Identity, extra: &[u8], drop_ours: bool) -> Vec<u8> {
    use crate::common::der::{children, value};
    let env = cms::encrypt(
        b"hi",
        &[who.certificate().clone()],
        &cms::EnvelopeOptions::with_cipher(cms::ContentCipher::Aes256Gcm),
    )
    .unwrap();
    let ci = children(value(&env));
    let fields = children(value(value(ci[1])));
    let set_at = fields.iter().position(|f| f[0] == 0x31).unwrap();
    let ours = if drop_ours {
        Vec::new()
    } else {
        value(fields[set_at]).to_vec()
    };
    let mut rebuilt: Vec<Vec<u8>> = fields.iter().map(|f| f.to_vec()).collect();
    rebuilt[set_at] = tlv(0x31, &[ours, extra.to_vec()].concat());
    tlv(
        0x30,
        &[ci[0].to_vec(), tlv(0xa0, &tlv(0x30, &rebuilt.concat()))].concat(),
    )
}

/// A KeyTransRecipientInfo naming nobody, with a random-looking 256-byte block.
fn foreign_ktri(i: usize) -> Vec<u8> {
    let block: Vec<u8> = (0..256).map(|j| (i * 31 + j * 7 + 1) as u8).collect();
    tlv(
        0x30,
        &[
            vec![0x02, 0x01, 0x02],
            tlv(0x80, &[(i % 251) as u8; 20]),
            // rsaEncryption, NULL parameters
            vec![
                0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
                0x00,
            ],
            tlv(0x04, &block),
        ]
        .concat(),
    )
}

fn limit_error(result: Result<cms::Decrypted, Error>) -> (&'static str, usize) {
    match result {
        Err(Error::Cms(CmsError::LimitExceeded { what, limit })) => (what, limit),
        other => panic!(
            "expected LimitExceeded, got {:?}",
            other.map(|d| d.content().len())
        ),
    }
}

#[test]
fn recipient_infos_up_to_the_cap_open_and_beyond_it_are_refused() {
    let who = fresh_identity();
    let foreign: Vec<u8> = (0..cms::MAX_RECIPIENT_INFOS - 1)
        .flat_map(foreign_ktri)
        .collect();
    // Ours plus 4,095 others: opens (ours is named, no other is tried).
    let env = envelope_with(&who, &foreign, false);
    assert_eq!(cms::decrypt(&env, &who).unwrap().content(), b"hi");
    // One more: refused before any is decoded, with the limit named.
    let env = envelope_with(&who, &[foreign, foreign_ktri(7)].concat(), false);
    let (what, limit) = limit_error(cms::decrypt(&env, &who));
    assert_eq!(limit, cms::MAX_RECIPIENT_INFOS);
    assert!(what.contains("RecipientInfos"), "{what}");
}

#[test]
fn millions_of_empty_recipient_infos_are_refused() {
    // Finding 5: 19 MB of `30 00` used to cost 171 MiB; the headers now count
    // against the size cap and the elements against the count cap.
    let who = fresh_identity();
    for n in [cms::MAX_RECIPIENT_INFOS + 1, 9_500_000] {
        let env = envelope_with(&who, &[0x30, 0x00].repeat(n), true);
        let (what, _) = limit_error(cms::decrypt(&env, &who));
        assert!(
            what.contains("RecipientInfos") || what.contains("structure size"),
            "{n}: {what}"
        );
    }
}

#[test]
fn kari_encrypted_keys_beyond_the_cap_are_refused() {
    let who = fresh_identity();
    // RecipientEncryptedKey ::= SEQUENCE { issuerAndSerialNumber, encryptedKey }
    let rek = tlv(
        0x30,
        &[
            tlv(0x30, &[tlv(0x30, &[]), vec![0x02, 0x01, 0x01]].concat()),
            tlv(0x04, &[1; 40]),
        ]
        .concat(),
    );
    let kari = |n: usize| {
        tlv(
            0xa1,
            &[
                vec![0x02, 0x01, 0x03],
                // originator [0] { [1] OriginatorPublicKey { algorithm, publicKey } }
                tlv(
                    0xa0,
                    &tlv(
                        0xa1,
                        &[tlv(0x30, &[0x06, 0x01, 0x2a]), tlv(0x03, &[0, 4])].concat(),
                    ),
                ),
                // keyEncryptionAlgorithm: dhSinglePass-stdDH-sha256kdf-scheme, aes256-wrap
                tlv(0x30, &[0x06, 0x06, 0x2b, 0x81, 0x04, 0x01, 0x0b, 0x01]),
                tlv(0x30, &rek.repeat(n)),
            ]
            .concat(),
        )
    };
    let env = envelope_with(&who, &kari(cms::MAX_KARI_ENCRYPTED_KEYS + 1), false);
    let (what, limit) = limit_error(cms::decrypt(&env, &who));
    assert_eq!(limit, cms::MAX_KARI_ENCRYPTED_KEYS);
    assert!(what.contains("RecipientEncryptedKeys"), "{what}");
    // At the cap it is decoded (and, naming nobody, skipped: ours opens).
    let env = envelope_with(&who, &kari(cms::MAX_KARI_ENCRYPTED_KEYS), false);
    assert_eq!(cms::decrypt(&env, &who).unwrap().content(), b"hi");
}

#[test]
fn thousands_of_foreign_recipients_are_not_a_recipient() {
    // Finding 2: nothing names us among 4,096 RSA recipients. Our key is tried on
    // the first MAX_FALLBACK_TRIALS only (counted in envelope_open's unit tests); the
    // answer is the one every stranger gets.
    let who = fresh_identity();
    let foreign: Vec<u8> = (0..cms::MAX_RECIPIENT_INFOS)
        .flat_map(foreign_ktri)
        .collect();
    let env = envelope_with(&who, &foreign, true);
    assert!(matches!(
        cms::decrypt(&env, &who),
        Err(Error::Cms(CmsError::NotARecipient))
    ));
}
