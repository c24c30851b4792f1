//! The Encryptor: every status and reason, candidate choice (RFC 8551 §2.5.3.1), the
//! designation, sealing (refusal, Bcc copies, cipher choice by RFC 8551 §2.7.1) and
//! decryption of what was sealed by `openssl cms` for recipients found in a real
//! slapd GAL, contacts and the installed store.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::enc_pki::{EncPki, addr, address_of, enc_pki};
use smime::DirectoryError;
use smime::cms::parse_capabilities;
use smime::cms::{ContentCipher, SignOptions};
use smime::directory::{
    CertificateDirectory, CorrespondentPreferences, InstalledStore, Lookup, MemoryDirectory,
    Source, SourceKind,
};
use smime::encryptor::{
    CipherChoice, CipherPolicy, CipherReason, Designation, EncryptionReport, Encryptor,
    RecipientStatus, Recipients, Role, SealOptions, UnusableReason,
};
use smime::mime::SignFormat;
use smime::trust::{MemoryUserTrust, Policy, Purpose, UserTrust};

fn now() -> SystemTime {
    SystemTime::now()
}

fn gal_with_all() -> MemoryDirectory {
    let pki = enc_pki();
    MemoryDirectory::from_certificates("gal", EncPki::names().map(|n| pki.cert(n)))
}

fn check_one(dir: &dyn CertificateDirectory, name: &str) -> RecipientStatus {
    let trust = enc_pki().trust();
    let enc = Encryptor::new(dir, &trust);
    let r = Recipients::new().to(address_of(name));
    let report = enc.check(&r, now());
    assert_eq!(report.recipients().len(), 1);
    report.recipients()[0].status().clone()
}

fn reason(status: &RecipientStatus) -> Option<UnusableReason> {
    match status {
        RecipientStatus::CertificateUnusable { reason, .. } => Some(reason.clone()),
        _ => None,
    }
}

#[test]
fn every_reason_is_reached() {
    let gal = gal_with_all();
    let cases = [
        (
            "expired",
            UnusableReason::Expired {
                not_after: enc_pki().cert("expired").not_after(),
            },
        ),
        (
            "future",
            UnusableReason::NotYetValid {
                not_before: enc_pki().cert("future").not_before(),
            },
        ),
        ("revoked", UnusableReason::Revoked),
        ("stranger", UnusableReason::UntrustedIssuer),
        ("kusign", UnusableReason::KeyUsage),
        ("ekuserver", UnusableReason::ExtendedKeyUsage),
        ("weak", UnusableReason::WeakKey),
        ("ed", UnusableReason::AlgorithmNotAllowed),
    ];
    for (name, want) in cases {
        let status = check_one(&gal, name);
        assert_eq!(reason(&status), Some(want.clone()), "{name}: {status:?}");
        assert_eq!(status.kind(), "certificate-unusable");
        assert!(!status.to_string().is_empty());
        assert_eq!(
            status.certificate().map(|c| c.fingerprint_sha256()),
            Some(enc_pki().cert(name).fingerprint_sha256()),
            "{name}"
        );
    }
}

#[test]
fn encryptable_rsa_and_ec_with_their_source() {
    let gal = gal_with_all();
    for name in ["good", "ec"] {
        match check_one(&gal, name) {
            RecipientStatus::Encryptable {
                certificate,
                source,
            } => {
                assert_eq!(certificate, enc_pki().cert(name));
                assert_eq!(source.name(), "gal");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn no_certificate() {
    let gal = gal_with_all();
    assert!(matches!(
        check_one(&gal, "nobody"),
        RecipientStatus::NoCertificate
    ));
}

/// A directory that cannot be reached.
struct Down;
impl CertificateDirectory for Down {
    fn source(&self) -> Source {
        Source::new(SourceKind::Ldap, "ldap://down.example")
    }
    fn lookup(&self, addresses: &[smime::EmailAddress]) -> Vec<Lookup> {
        addresses
            .iter()
            .map(|a| {
                Lookup::failed(
                    a.clone(),
                    self.source(),
                    DirectoryError::Unreachable {
                        source_name: "ldap://down.example".into(),
                        reason: "connection refused".into(),
                    },
                )
            })
            .collect()
    }
}

#[test]
fn lookup_failed_is_not_no_certificate_and_seal_refuses() {
    let status = check_one(&Down, "good");
    match &status {
        RecipientStatus::LookupFailed { source, .. } => {
            assert_eq!(source.name(), "ldap://down.example")
        }
        other => panic!("{other:?}"),
    }
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&Down, &trust);
    let report = enc.check(&Recipients::new().to(address_of("good")), now());
    let err = enc
        .seal(
            b"To: good@t.example\r\n\r\nhi\r\n",
            &report,
            &SealOptions::encrypt(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("good@t.example"), "{err}");
}

/// Counts lookups, to prove one batched call.
struct Counting(MemoryDirectory, std::sync::atomic::AtomicUsize);
impl CertificateDirectory for Counting {
    fn source(&self) -> Source {
        self.0.source()
    }
    fn lookup(&self, addresses: &[smime::EmailAddress]) -> Vec<Lookup> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.lookup(addresses)
    }
}

#[test]
fn one_batched_lookup_for_every_recipient() {
    let dir = Counting(gal_with_all(), Default::default());
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&dir, &trust);
    let mut r = Recipients::new();
    for n in EncPki::names() {
        r = r.cc(address_of(n));
    }
    let report = enc.check(&r, now());
    assert_eq!(dir.1.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(report.recipients().len(), r.len());
}

#[test]
fn latest_valid_candidate_wins_and_others_are_reported() {
    let gal = gal_with_all();
    match check_one(&gal, "multi2") {
        RecipientStatus::Encryptable { certificate, .. } => {
            assert_eq!(certificate, enc_pki().cert("multi2"))
        }
        other => panic!("{other:?}"),
    }
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&gal, &trust);
    let report = enc.check(&Recipients::new().to(addr("multi@t.example")), now());
    let r = &report.recipients()[0];
    assert_eq!(r.alternatives().len(), 1);
    assert_eq!(r.alternatives()[0].certificate, enc_pki().cert("multi1"));
    assert!(r.alternatives()[0].unusable.is_none());
    assert!(!r.preferred_by_correspondent());
}

/// A message from multi@ signed by multi1 (whose SMIMEEncryptionKeyPreference names
/// multi1 itself), opened and verified.
fn signed_by_multi1() -> smime::reader::OpenedMessage {
    let pki = enc_pki();
    let msg = b"From: multi@t.example\r\nTo: x@t.example\r\nSubject: k\r\n\r\nkey\r\n";
    let signed = smime::mime::sign_message_bytes(
        msg,
        &pki.identity("multi1"),
        &SignOptions::default(),
        SignFormat::Detached,
    )
    .unwrap();
    smime::reader::open(&signed, &[], &pki.trust(), &Policy::email(), now()).unwrap()
}

#[test]
fn key_preference_from_a_verified_message_wins() {
    let pki = enc_pki();
    let folder = common::temp_dir();
    let store = InstalledStore::open(folder.path()).unwrap();
    // multi1 signs a message announcing itself as the encryption key.
    let opened = signed_by_multi1();
    assert!(opened.is_signature_valid());
    assert!(smime::keep::record_preferences(&store, &opened, now()).unwrap());

    let gal = gal_with_all();
    let trust = pki.trust();
    let enc = Encryptor::new(&gal, &trust).with_preferences(&store);
    let report = enc.check(&Recipients::new().to(addr("multi@t.example")), now());
    let r = &report.recipients()[0];
    assert_eq!(r.status().certificate(), Some(&pki.cert("multi1")));
    assert!(r.preferred_by_correspondent());
    // And the announced capabilities are known.
    assert_eq!(
        r.capabilities().map(|c| c[0]),
        Some(ContentCipher::Aes256Gcm)
    );
}

#[test]
fn key_preference_naming_another_persons_certificate_is_ignored() {
    // good@ announces multi1 as its key: multi1 is not a candidate for good@.
    let pki = enc_pki();
    let folder = common::temp_dir();
    let store = InstalledStore::open(folder.path()).unwrap();
    let opened = signed_by_multi1();
    let signer = opened.signatures().next().unwrap();
    let mut prefs = CorrespondentPreferences::new(address_of("good"), now());
    prefs.encryption_key_preference = signer.encryption_key_preference_der().map(<[u8]>::to_vec);
    assert!(prefs.encryption_key_preference.is_some());
    store.record_preferences(&prefs).unwrap();
    let gal = gal_with_all();
    let trust = pki.trust();
    let enc = Encryptor::new(&gal, &trust).with_preferences(&store);
    let report = enc.check(&Recipients::new().to(address_of("good")), now());
    assert_eq!(
        report.recipients()[0].status().certificate(),
        Some(&pki.cert("good"))
    );
    assert!(!report.recipients()[0].preferred_by_correspondent());
}

fn report_for(names: &[&str]) -> EncryptionReport {
    let gal = gal_with_all();
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&gal, &trust);
    let mut r = Recipients::new();
    for n in names {
        r = r.to(address_of(n));
    }
    enc.check(&r, now())
}

#[test]
fn designation_for_every_combination() {
    let all_ok = report_for(&["good", "ec"]);
    let one_bad = report_for(&["good", "expired"]);
    let all_bad = report_for(&["expired", "nobody"]);
    let empty = report_for(&[]);
    let table = [
        (&all_ok, true, Designation::Encrypted),
        (&all_ok, false, Designation::NotEncrypted),
        (&one_bad, true, Designation::UnableToEncrypt),
        (&one_bad, false, Designation::NotEncrypted),
        (&all_bad, true, Designation::UnableToEncrypt),
        (&all_bad, false, Designation::NotEncrypted),
        (&empty, true, Designation::UnableToEncrypt),
        (&empty, false, Designation::NotEncrypted),
    ];
    for (i, (report, toggle, want)) in table.iter().enumerate() {
        assert_eq!(report.designation(*toggle), *want, "row {i}");
    }
}

#[test]
fn seal_refuses_naming_every_unencryptable_recipient() {
    let gal = gal_with_all();
    let trust = enc_pki().trust();
    let enc = Encryptor::new(&gal, &trust);
    let r = Recipients::new()
        .to(address_of("good"))
        .cc(address_of("expired"))
        .bcc(address_of("nobody"))
        .to(address_of("kusign"));
    let report = enc.check(&r, now());
    let err = enc
        .seal(b"Subject: x\r\n\r\nx\r\n", &report, &SealOptions::encrypt())
        .unwrap_err();
    let smime::encryptor::SealError::NotEncryptable(list) = &err else {
        panic!("{err:?}")
    };
    let named: Vec<String> = list.iter().map(|(a, _)| a.to_string()).collect();
    assert_eq!(
        named,
        ["expired@t.example", "nobody@t.example", "kusign@t.example"]
    );
    let text = err.to_string();
    assert!(
        text.contains("expired") && text.contains("no certificate") && text.contains("key usage"),
        "{text}"
    );
}

#[test]
fn bcc_recipients_get_their_own_copies() {
    let pki = enc_pki();
    let gal = gal_with_all();
    let trust = pki.trust();
    let me = pki.identity("multi2");
    let enc = Encryptor::new(&gal, &trust).encrypt_to_self(&me);
    let r = Recipients::new()
        .to(address_of("good"))
        .bcc(address_of("ec"));
    let report = enc.check(&r, now());
    assert!(report.all_encryptable(), "{report:?}");
    let message = b"From: multi@t.example\r\nTo: good@t.example\r\nBcc: ec@t.example\r\nSubject: s\r\n\r\nsecret\r\n";
    let sealed = enc
        .seal(message, &report, &SealOptions::sign_and_encrypt(&me))
        .unwrap();
    assert_eq!(sealed.copies().len(), 2);
    let main = &sealed.copies()[0];
    assert_eq!(main.recipients(), &[address_of("good")]);
    // No copy carries the Bcc field.
    for c in sealed.copies() {
        assert!(
            !String::from_utf8_lossy(c.message())
                .to_ascii_lowercase()
                .contains("\nbcc:")
        );
    }
    let bcc_copy = sealed.copy_for(&address_of("ec")).unwrap();
    assert_eq!(bcc_copy.recipients(), &[address_of("ec")]);
    // To decrypts the main copy and not the Bcc one; the Bcc recipient the reverse.
    let to = pki.identity("good");
    assert!(smime::mime::decrypt_message_bytes(main.message(), &to).is_ok());
    assert!(smime::mime::decrypt_message_bytes(bcc_copy.message(), &to).is_err());
    let bcc_id = pki.identity("ec");
    assert!(smime::mime::decrypt_message_bytes(main.message(), &bcc_id).is_err());
    assert!(smime::mime::decrypt_message_bytes(bcc_copy.message(), &bcc_id).is_ok());
    // The sender reads both (encrypt-to-self).
    assert!(smime::mime::decrypt_message_bytes(main.message(), &me).is_ok());
    assert!(smime::mime::decrypt_message_bytes(bcc_copy.message(), &me).is_ok());
    // RecipientInfos: the main copy names good (RSA) and the sender, no ECDH (the
    // Bcc recipient); the Bcc copy names the Bcc recipient (ECDH) and the sender.
    let printed = common::openssl::print_der(&common::msg::cms_der(main.message()));
    assert_eq!(
        (
            printed.matches("d.ktri:").count(),
            printed.matches("d.kari:").count()
        ),
        (2, 0),
        "{printed}"
    );
    let printed = common::openssl::print_der(&common::msg::cms_der(bcc_copy.message()));
    assert_eq!(
        (
            printed.matches("d.ktri:").count(),
            printed.matches("d.kari:").count()
        ),
        (1, 1),
        "{printed}"
    );
}

#[test]
fn encrypt_to_self_adds_the_sender() {
    let pki = enc_pki();
    let gal = gal_with_all();
    let trust = pki.trust();
    let me = pki.identity("multi2");
    let with = Encryptor::new(&gal, &trust).encrypt_to_self(&me);
    let report = with.check(&Recipients::new().to(address_of("good")), now());
    assert_eq!(report.recipients().len(), 2);
    assert_eq!(
        report.recipients()[1].role(),
        smime::encryptor::Role::Sender
    );
    let without = Encryptor::new(&gal, &trust)
        .encrypt_to_self(&me)
        .with_encrypt_to_self(false);
    assert_eq!(
        without
            .check(&Recipients::new().to(address_of("good")), now())
            .recipients()
            .len(),
        1
    );
}

fn caps_der(oids: &[&str]) -> Vec<u8> {
    use der::Encode;
    let algs: Vec<spki::AlgorithmIdentifierOwned> = oids
        .iter()
        .map(|o| spki::AlgorithmIdentifierOwned {
            oid: o.parse().unwrap(),
            parameters: None,
        })
        .collect();
    algs.to_der().unwrap()
}

const DES_EDE3: &str = "1.2.840.113549.3.7";
const RC2: &str = "1.2.840.113549.3.2";
const AES128_CBC: &str = "2.16.840.1.101.3.4.1.2";
const AES128_GCM: &str = "2.16.840.1.101.3.4.1.6";
const AES256_GCM: &str = "2.16.840.1.101.3.4.1.46";

#[test]
fn capabilities_parse_and_choose_by_rfc8551_rules() {
    assert_eq!(
        parse_capabilities(&caps_der(&[RC2, AES128_GCM, DES_EDE3])),
        Some(vec![ContentCipher::Aes128Gcm])
    );
    assert_eq!(parse_capabilities(b"\x30\x03garbage"), None);
    let p = CipherPolicy::default();
    let choice = |c: ContentCipher, r: CipherReason| CipherChoice::new(c, r);
    // Nothing known: AES-256-CBC, which every deployed client reads (RFC 8551 §2.7.1.2,
    // second sentence).
    assert_eq!(
        p.choose([None, None]),
        choice(ContentCipher::Aes256Cbc, CipherReason::UnknownForSome)
    );
    // Rule 1/3: strongest shared, when every recipient announced.
    let a = [
        ContentCipher::Aes256Gcm,
        ContentCipher::Aes128Gcm,
        ContentCipher::Aes128Cbc,
    ];
    let b = [ContentCipher::Aes128Gcm, ContentCipher::Aes128Cbc];
    assert_eq!(
        p.choose([Some(&a[..]), Some(&b[..])]),
        choice(ContentCipher::Aes128Gcm, CipherReason::AnnouncedByAll)
    );
    // The same two plus one recipient whose capabilities are unknown: no authenticated
    // cipher, AES-256-CBC (not the AES-128-CBC the two share).
    assert_eq!(
        p.choose([Some(&a[..]), Some(&b[..]), None]),
        choice(ContentCipher::Aes256Cbc, CipherReason::UnknownForSome)
    );
    // Only historic algorithms announced: never below policy, AES-256-CBC.
    assert_eq!(
        p.choose([Some(&[][..])]),
        choice(ContentCipher::Aes256Cbc, CipherReason::NoneInCommon)
    );
    // CBC only announced, but policy is authenticated-only: stays GCM, by policy.
    let cbc = [ContentCipher::Aes128Cbc];
    assert_eq!(
        CipherPolicy::authenticated_only().choose([Some(&cbc[..])]),
        choice(ContentCipher::Aes256Gcm, CipherReason::Policy)
    );
    assert_eq!(
        CipherPolicy::authenticated_only().choose([Some(&a[..]), None]),
        choice(ContentCipher::Aes256Gcm, CipherReason::Policy)
    );
    // ... and what all announced when it is authenticated.
    assert_eq!(
        CipherPolicy::authenticated_only().choose([Some(&a[..]), Some(&b[..])]),
        choice(ContentCipher::Aes128Gcm, CipherReason::AnnouncedByAll)
    );
    assert_eq!(
        p.choose([Some(&cbc[..])]),
        choice(ContentCipher::Aes128Cbc, CipherReason::AnnouncedByAll)
    );
    assert_eq!(CipherPolicy::compatible(), CipherPolicy::default());
    // An app that keeps the old GCM default gets it, and the report says so.
    let gcm_first = CipherPolicy {
        default: ContentCipher::Aes256Gcm,
        ..CipherPolicy::default()
    };
    assert_eq!(
        gcm_first.choose([None]),
        choice(ContentCipher::Aes256Gcm, CipherReason::Policy)
    );
}

#[test]
fn seal_uses_the_stored_capabilities_never_below_policy() {
    let pki = enc_pki();
    let folder = common::temp_dir();
    let store = InstalledStore::open(folder.path()).unwrap();
    let gal = gal_with_all();
    let trust = pki.trust();
    let enc = Encryptor::new(&gal, &trust).with_preferences(&store);
    let r = Recipients::new()
        .to(address_of("good"))
        .to(address_of("ec"));
    let msg = b"Subject: c\r\n\r\nc\r\n";
    let id = pki.identity("good");
    // Nothing known: AES-256-CBC (RFC 8551 §2.7.1.2, second sentence), and the report
    // says so before sealing.
    let report = enc.check(&r, now());
    let expected = CipherChoice::new(ContentCipher::Aes256Cbc, CipherReason::UnknownForSome);
    assert_eq!(report.cipher(), expected);
    let sealed = enc.seal(msg, &report, &SealOptions::encrypt()).unwrap();
    assert_eq!(sealed.cipher_choice(), expected);
    let opened = smime::mime::decrypt_message_bytes(sealed.copies()[0].message(), &id).unwrap();
    assert!(!opened.info().authenticated());
    // good@ announced AES-128-CBC and AES-128-GCM, ec@ AES-128-GCM and 256: 128-GCM.
    for (n, caps) in [
        ("good", vec![AES128_CBC, AES128_GCM]),
        ("ec", vec![AES256_GCM, AES128_GCM]),
    ] {
        let mut p = CorrespondentPreferences::new(address_of(n), now());
        p.smime_capabilities = Some(caps_der(&caps));
        store.record_preferences(&p).unwrap();
    }
    let report = enc.check(&r, now());
    let expected = CipherChoice::new(ContentCipher::Aes128Gcm, CipherReason::AnnouncedByAll);
    assert_eq!(report.cipher(), expected);
    let sealed = enc.seal(msg, &report, &SealOptions::encrypt()).unwrap();
    assert_eq!(sealed.cipher_choice(), expected);
    assert!(
        smime::mime::decrypt_message_bytes(sealed.copies()[0].message(), &id)
            .unwrap()
            .info()
            .authenticated()
    );
    // A third recipient whose capabilities are unknown: back to AES-256-CBC.
    let three = Recipients::new()
        .to(address_of("good"))
        .to(address_of("ec"))
        .cc(addr("multi@t.example"));
    let report = enc.check(&three, now());
    assert!(report.all_encryptable());
    assert_eq!(
        report.cipher(),
        CipherChoice::new(ContentCipher::Aes256Cbc, CipherReason::UnknownForSome)
    );
    // ... unless the app asks for authenticated encryption only (a setting on the
    // encryptor): AES-256-GCM, by policy.
    let strict = Encryptor::new(&gal, &trust)
        .with_preferences(&store)
        .with_ciphers(CipherPolicy::authenticated_only());
    let report = strict.check(&three, now());
    let expected = CipherChoice::new(ContentCipher::Aes256Gcm, CipherReason::Policy);
    assert_eq!(report.cipher(), expected);
    let sealed = strict.seal(msg, &report, &SealOptions::encrypt()).unwrap();
    assert_eq!(sealed.cipher_choice(), expected);
    // A policy given to one seal replaces the encryptor's, by the same rule.
    let report = enc.check(&three, now());
    let sealed = enc
        .seal(
            msg,
            &report,
            &SealOptions::encrypt().ciphers(CipherPolicy::authenticated_only()),
        )
        .unwrap();
    assert_eq!(sealed.cipher_choice(), expected);
    // good@ now says DES/RC2 only (newer): never below policy, AES-256-CBC.
    let mut p = CorrespondentPreferences::new(address_of("good"), now() + Duration::from_secs(5));
    p.smime_capabilities = Some(caps_der(&[DES_EDE3, RC2]));
    store.record_preferences(&p).unwrap();
    let report = enc.check(&r, now());
    let expected = CipherChoice::new(ContentCipher::Aes256Cbc, CipherReason::NoneInCommon);
    assert_eq!(report.cipher(), expected);
    let sealed = enc.seal(msg, &report, &SealOptions::encrypt()).unwrap();
    assert_eq!(sealed.cipher_choice(), expected);
}

#[test]
fn the_senders_own_copy_counts_as_read_by_this_library() {
    // Encrypt-to-self: the sender has no stored capabilities, but its copy is read by
    // this library, which announces AES-256-GCM first; it does not force CBC.
    let pki = enc_pki();
    let folder = common::temp_dir();
    let store = InstalledStore::open(folder.path()).unwrap();
    let mut p = CorrespondentPreferences::new(address_of("good"), now());
    p.smime_capabilities = Some(caps_der(&[AES256_GCM, AES128_CBC]));
    store.record_preferences(&p).unwrap();
    let gal = gal_with_all();
    let trust = pki.trust();
    let me = pki.identity("multi1");
    let enc = Encryptor::new(&gal, &trust)
        .with_preferences(&store)
        .encrypt_to_self(&me);
    let report = enc.check(&Recipients::new().to(address_of("good")), now());
    let sender = report
        .recipients()
        .iter()
        .find(|r| r.role() == Role::Sender)
        .expect("the sender joins the report");
    assert_eq!(
        sender.capabilities(),
        Some(&smime::cms::OWN_CAPABILITIES[..])
    );
    assert_eq!(
        report.cipher(),
        CipherChoice::new(ContentCipher::Aes256Gcm, CipherReason::AnnouncedByAll)
    );
    let sealed = enc
        .seal(b"Subject: s\r\n\r\ns\r\n", &report, &SealOptions::encrypt())
        .unwrap();
    assert_eq!(sealed.cipher(), ContentCipher::Aes256Gcm);
    // The recipient forgotten (capabilities unknown): CBC, the sender notwithstanding.
    let other_folder = common::temp_dir();
    let other = InstalledStore::open(other_folder.path()).unwrap();
    let enc = Encryptor::new(&gal, &trust)
        .with_preferences(&other)
        .encrypt_to_self(&me);
    let report = enc.check(&Recipients::new().to(address_of("good")), now());
    assert_eq!(
        report.cipher(),
        CipherChoice::new(ContentCipher::Aes256Cbc, CipherReason::UnknownForSome)
    );
}

#[test]
fn user_trust_abuse_row_27() {
    let pki = enc_pki();
    let stranger = pki.cert("stranger");
    let gal = MemoryDirectory::from_certificates("gal", [stranger.clone(), pki.cert("kusign")]);
    let decisions = Arc::new(MemoryUserTrust::new());
    decisions.insert(UserTrust::new(&stranger, &[Purpose::Encrypt], now()));
    let trust = pki.trust().with_user_trust(decisions.clone());
    let enc = Encryptor::new(&gal, &trust);
    let r = Recipients::new().to(address_of("stranger"));
    // Trusted by the user: encryptable.
    assert!(enc.check(&r, now()).all_encryptable());
    // Later expired: not trusted any more.
    let later = stranger.not_after() + Duration::from_secs(1);
    let st = enc.check(&r, later);
    assert_eq!(
        reason(st.recipients()[0].status()),
        Some(UnusableReason::Expired {
            not_after: stranger.not_after()
        })
    );
    // A decision for Verify only does not cover Encrypt.
    decisions.insert(UserTrust::new(&stranger, &[Purpose::Verify], now()));
    let st = enc.check(&r, now());
    assert_eq!(
        reason(st.recipients()[0].status()),
        Some(UnusableReason::UntrustedIssuer)
    );
    // A decision bound to another address does not cover this one.
    decisions.insert(UserTrust::for_addresses(
        &stranger,
        &[addr("other@t.example")],
        &[Purpose::Encrypt],
        now(),
    ));
    let st = enc.check(&r, now());
    assert_eq!(
        reason(st.recipients()[0].status()),
        Some(UnusableReason::UntrustedIssuer)
    );
    // A signature-only certificate stays unusable even when the user trusts it.
    let kusign = pki.cert("kusign");
    decisions.insert(UserTrust::new(&kusign, &[Purpose::Encrypt], now()));
    let st = enc.check(&Recipients::new().to(address_of("kusign")), now());
    assert_eq!(
        reason(st.recipients()[0].status()),
        Some(UnusableReason::KeyUsage)
    );
    // Trusting the stranger never lets it vouch for anything else: its key signs nothing here,
    // and another self-signed certificate for the same address is untrusted.
}

#[cfg(feature = "ldap")]
#[test]
fn sealed_to_gal_contacts_and_store_decrypts_in_openssl() {
    use common::dir_pki::{dir_pki, ldap_users, vcard};
    use common::slapd::{BASE, Slapd};
    use smime::directory::{Cached, CertificateStoreWrite, Contacts, Layered, LdapConfig, LdapGal};

    let dp = dir_pki();
    let slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let folder = common::temp_dir();
    let store = InstalledStore::open(folder.path()).unwrap();
    // The store holds ben1 for ben@ (also in the GAL); contacts hold cat.
    store
        .install(&dp.cert("ben1"), &Default::default())
        .unwrap();
    let contacts = Contacts::from_vcf(
        "contacts",
        vcard("cat@corp.example", &["cat"], true).as_bytes(),
    );
    let gal = Cached::new(LdapGal::new(LdapConfig::new(slapd.url(), BASE)).unwrap());
    let directory = Layered::new(vec![
        Box::new(store.clone()),
        Box::new(contacts),
        Box::new(gal),
    ]);
    let mut trust = smime::trust::TrustStore::new();
    for n in ["ann", "ben1", "ben2", "cat"] {
        trust.add_anchor(dp.cert(n));
    }
    let enc = Encryptor::new(&directory, &trust);
    let r = Recipients::new()
        .to(addr("ann@corp.example"))
        .cc(addr("cat@corp.example"))
        .bcc(addr("ben@corp.example"));
    let report = enc.check(&r, now());
    let kinds: Vec<(String, SourceKind)> = report
        .recipients()
        .iter()
        .map(|x| match x.status() {
            RecipientStatus::Encryptable { source, .. } => (x.address().to_string(), source.kind()),
            other => panic!("{}: {other:?}", x.address()),
        })
        .collect();
    assert_eq!(kinds[0].1, SourceKind::Ldap);
    assert_eq!(kinds[1].1, SourceKind::Contacts);
    let sealed = enc
        .seal(
            b"From: me@corp.example\r\nTo: ann@corp.example\r\nSubject: s\r\n\r\nsecret text\r\n",
            &report,
            &SealOptions::encrypt(),
        )
        .unwrap();
    let key = dp.dir().join("key.pem");
    for (who, cert) in [
        ("ann@corp.example", "ann"),
        ("cat@corp.example", "cat"),
        ("ben@corp.example", ""),
    ] {
        let copy = sealed.copy_for(&addr(who)).unwrap();
        let chosen = report
            .get(&addr(who))
            .unwrap()
            .status()
            .certificate()
            .unwrap()
            .clone();
        let cert_path = if cert.is_empty() {
            let p = folder.path().join("chosen.pem");
            std::fs::write(&p, chosen.to_pem()).unwrap();
            p
        } else {
            dp.pem_path(cert)
        };
        let plain = common::openssl::decrypt(copy.message(), &cert_path, &key)
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        assert!(
            String::from_utf8_lossy(&plain).contains("secret text"),
            "{who}"
        );
    }
}
