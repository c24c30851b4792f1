//! Interoperability with NSS 3.87 (`cmsutil`), the CMS engine of Thunderbird, both
//! directions, with fresh keys (tests/common/pki.rs) and a throw-away NSS database per
//! test (tests/common/nss.rs says how NSS is driven and what it cannot do).
//!
//! Every decryption is checked against the exact inner entity; every NSS verdict on a
//! signature is its per-signer status word (`GoodSignature`), checked next to a control
//! that NSS really judged (a changed byte gives `DigestMismatch`, a missing chain
//! `SigningCertNotTrusted`), since `cmsutil -D` exits 0 for bad signatures.
//!
//! What NSS cannot do is asserted, not skipped: NSS must refuse cleanly (an exit code,
//! nothing on stdout, its reason on stderr) — AuthEnvelopedData (AES-GCM,
//! ChaCha20-Poly1305), RSA-OAEP, ECDH key agreement, Ed25519 signatures.

use crate::common;

use std::time::SystemTime;

use common::cli::{self, KeyFrom};
use common::nss::{Decoded, Nss, Signer};
use common::pki::{Pki, pki};
use common::{assert_bytes_eq, msg, openssl, read_file, temp_dir, write_file};
use serde_json::Value;
use smime::Certificate;
use smime::cms::{CipherChoice, CipherReason, ContentCipher};
use smime::directory::{InstalledStore, MemoryDirectory};
use smime::encryptor::{Encryptor, Recipients, SealOptions};
use smime::trust::{Policy, TrustStore};

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn cert(p: &Pki, who: &str) -> Certificate {
    Certificate::load(&read_file(&p.cert(who)))
        .expect("a certificate")
        .remove(0)
}

fn root(p: &Pki) -> Certificate {
    Certificate::load(&read_file(&p.root()))
        .expect("the root")
        .remove(0)
}

/// The test root as anchor, the intermediate known (as a mail app's store holds it).
fn trust(p: &Pki) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(root(p));
    t.add_intermediate(
        Certificate::load(&read_file(&p.intermediate()))
            .expect("the intermediate")
            .remove(0),
    );
    t
}

/// NSS's verdict for one good signer: the certificate's CN and `GoodSignature`.
fn good(cn: &str) -> Vec<Signer> {
    vec![Signer {
        id: cn.to_string(),
        status: "GoodSignature".to_string(),
    }]
}

fn signed_levels() -> Vec<String> {
    vec!["signedData".to_string(), "data".to_string()]
}

// ── ours → NSS: decryption ─────────────────────────────────────────────────────────

/// `smime encrypt` with AES-128-CBC and AES-256-CBC, RSA PKCS#1 v1.5, to three
/// recipients (RSA-2048, RSA-2048, RSA-3072), by issuer-and-serial and by
/// subjectKeyIdentifier: each recipient's NSS database opens it to the exact entity.
#[test]
fn ours_to_nss_aes_cbc_several_recipients_both_identifier_kinds() {
    let p = pki();
    let message = msg::multipart();
    let people = ["alice", "bob", "dave"];
    let dbs: Vec<Nss> = people.iter().map(|w| Nss::with_identity(p, w)).collect();
    for cipher in ["aes-128-cbc", "aes-256-cbc"] {
        for rid in ["issuer-serial", "ski"] {
            let what = format!("{cipher}, rid {rid}");
            let enc = cli::encrypt(
                p,
                &message,
                &people,
                &[
                    "--cipher",
                    cipher,
                    "--key-transport",
                    "rsa-pkcs1",
                    "--rid",
                    rid,
                ],
            );
            let der = msg::check_encrypted_shape(&enc, &message, "enveloped-data");
            // The flags were honoured (a CLI that ignored them would prove nothing).
            let dump = openssl::print_der(&der);
            assert!(
                dump.contains(&format!("algorithm: {cipher} (")),
                "{what}: {dump}"
            );
            let rid_tag = if rid == "ski" {
                "d.subjectKeyIdentifier:"
            } else {
                "d.issuerAndSerialNumber:"
            };
            assert_eq!(dump.matches(rid_tag).count(), 3, "{what}: {dump}");
            for (who, nss) in people.iter().zip(&dbs) {
                let run = nss.decode(&der);
                assert!(run.ok(), "{what}, {who}: {}", run.describe());
                assert_bytes_eq(
                    run.stdout(),
                    &msg::inner_entity(&message),
                    &format!("{what}: NSS as {who}"),
                );
            }
        }
    }
    // Someone who is not a recipient: NSS refuses.
    let carol = Nss::with_identity(p, "carol");
    let enc = cli::encrypt(p, &message, &people, &["--cipher", "aes-256-cbc"]);
    carol
        .decode(&msg::cms_der(&enc))
        .assert_refused("not a recipient");
}

/// `smime encrypt` without `--cipher`, nothing known about the recipient: AES-256-CBC
/// (RFC 8551 §2.7.1.2, second sentence), which NSS opens. The old default, AES-256-GCM,
/// was unreadable in Thunderbird.
#[test]
fn ours_default_cipher_opens_in_nss() {
    let p = pki();
    let message = msg::plain();
    let enc = cli::encrypt(p, &message, &["bob"], &[]);
    let der = msg::check_encrypted_shape(&enc, &message, "enveloped-data");
    assert!(
        openssl::print_der(&der).contains("algorithm: aes-256-cbc ("),
        "the default cipher is AES-256-CBC"
    );
    let run = Nss::with_identity(p, "bob").decode(&der);
    assert!(run.ok(), "{}", run.describe());
    assert_bytes_eq(run.stdout(), &msg::inner_entity(&message), "NSS as bob");
}

/// NSS 3.87 has no AuthEnvelopedData (RFC 5083): AES-128-GCM, AES-256-GCM and
/// ChaCha20-Poly1305 fail with "Unrecognized Object Identifier"; it has no RSA-OAEP
/// (RFC 3560) either. It must refuse cleanly, releasing nothing.
#[test]
fn nss_refuses_authenticated_ciphers_and_oaep_cleanly() {
    let p = pki();
    let message = msg::plain();
    let nss = Nss::with_identity(p, "bob");
    for cipher in ["aes-128-gcm", "aes-256-gcm", "chacha20-poly1305"] {
        let enc = cli::encrypt(p, &message, &["bob"], &["--cipher", cipher]);
        let der = msg::check_encrypted_shape(&enc, &message, "authEnveloped-data");
        let err = nss.decode(&der).assert_refused(cipher);
        assert!(
            err.contains("SEC_ERROR_UNRECOGNIZED_OID"),
            "{cipher}: {err}"
        );
        // Ours opens what NSS cannot.
        assert_bytes_eq(
            &cli::decrypt(p, &enc, "bob", KeyFrom::P12),
            &msg::inner_entity(&message),
            cipher,
        );
    }
    let enc = cli::encrypt(
        p,
        &message,
        &["bob"],
        &["--cipher", "aes-256-cbc", "--key-transport", "rsa-oaep"],
    );
    let err = nss.decode(&msg::cms_der(&enc)).assert_refused("RSA-OAEP");
    assert!(err.contains("SEC_ERROR_UNSUPPORTED_KEYALG"), "OAEP: {err}");
}

/// NSS 3.87 has no ECDH key agreement (RFC 5753) either way: what we encrypt to a P-256
/// or P-384 certificate fails to decode, and `cmsutil -E` to an EC certificate fails.
#[test]
fn nss_has_no_ecdh_either_way() {
    let p = pki();
    let message = msg::plain();
    for who in ["frank", "grace"] {
        // NSS imports the EC identity (measured), so the failure is the key agreement.
        let nss = Nss::with_identity(p, who);
        let enc = cli::encrypt(p, &message, &[who], &["--cipher", "aes-256-cbc"]);
        let der = msg::check_encrypted_shape(&enc, &message, "enveloped-data");
        nss.decode(&der).assert_refused(&format!("ECDH to {who}"));
        let run = nss.encrypt_run(&msg::entity(), &[who]);
        run.assert_refused(&format!("NSS encrypting to {who}"));
    }
}

// ── NSS → ours: decryption ─────────────────────────────────────────────────────────

/// `cmsutil -E` (AES-128-CBC, RSA PKCS#1 v1.5) to three recipients: each opens it here.
#[test]
fn nss_to_ours_several_recipients() {
    let p = pki();
    let nss = Nss::with_identity(p, "alice");
    for who in ["bob", "dave"] {
        nss.add_certificate(who, &p.cert(who), ",,");
    }
    let entity = msg::entity();
    let der = nss.encrypt(&entity, &["alice", "bob", "dave"]);
    let dump = openssl::print_der(&der);
    assert!(dump.contains("algorithm: aes-128-cbc ("), "{dump}");
    assert_eq!(dump.matches("d.ktri:").count(), 3, "{dump}");
    let wrapped = msg::wrap_enveloped(&der);
    for who in ["alice", "bob", "dave"] {
        for key in [KeyFrom::P12, KeyFrom::CertKey] {
            assert_bytes_eq(
                &cli::decrypt(p, &wrapped, who, key),
                &entity,
                &format!("NSS -> ours as {who} {key:?}"),
            );
        }
    }
    // And the library says the content was not authenticated (CBC).
    let bob = smime::Identity::from_pkcs12(&read_file(&p.p12("bob")), common::pki::PASSWORD)
        .expect("bob's identity");
    let opened = smime::mime::decrypt_message_bytes(&wrapped, &bob).expect("decrypt");
    assert!(!opened.info().authenticated());
}

// ── ours → NSS: signatures ─────────────────────────────────────────────────────────

/// `smime sign` with `args` of `msg::plain()`: the signed message.
fn our_signature(p: &Pki, who: &str, key: KeyFrom, args: &[&str]) -> Vec<u8> {
    // The pre-RFC 9788 shape the checks below expect (header protection: its own tests).
    let mut full = vec!["sign".to_string(), "--no-header-protection".to_string()];
    full.extend(cli::key_args(p, who, key));
    full.extend(args.iter().map(|a| a.to_string()));
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    cli::smime_ok(&refs, &msg::plain())
}

/// NSS's verdict on our signed message (opaque or multipart/signed), with the entity
/// NSS returns for an opaque one.
fn nss_verdict(nss: &Nss, signed: &[u8]) -> (Decoded, Option<Vec<u8>>) {
    let ct = msg::header(signed, "Content-Type").unwrap_or_default();
    if ct.to_ascii_lowercase().contains("multipart/signed") {
        let (content, sig) = msg::split_signed(signed);
        assert_bytes_eq(&content, &msg::inner_entity(&msg::plain()), "signed part");
        (nss.describe(&sig, Some(&content)), None)
    } else {
        let der = msg::cms_der(signed);
        let decoded = nss.describe(&der, None);
        // Without `-h`, NSS releases an opaque signature's content only when the
        // signature verifies (exit 1 otherwise, measured).
        let content = decoded
            .signers
            .iter()
            .all(|s| s.status == "GoodSignature")
            .then(|| {
                let run = nss.decode(&der);
                assert!(run.ok(), "{}", run.describe());
                run.stdout().to_vec()
            });
        (decoded, content)
    }
}

/// Our opaque and detached signatures, SHA-256/384/512, RSA PKCS#1 v1.5 and PSS, ECDSA
/// P-256 and P-384, with the chain, verify in an NSS database that trusts only the root.
#[test]
fn our_signatures_verify_in_nss() {
    let p = pki();
    let nss = Nss::new(p);
    let chain = p.intermediate();
    let cases: &[(&str, &str, &[&str])] = &[
        ("alice", "Alice", &[]),
        ("alice", "Alice", &["--rsa-padding", "pss"]),
        ("dave", "Dave", &[]),
        ("frank", "Frank", &[]),
        ("grace", "Grace", &[]),
    ];
    for (who, cn, extra) in cases {
        for digest in ["sha256", "sha384", "sha512"] {
            for opaque in [false, true] {
                let mut args = vec!["--digest", digest, "--chain", s(&chain)];
                args.extend_from_slice(extra);
                if opaque {
                    args.push("--opaque");
                }
                let what = format!("{who} {digest} {extra:?} opaque={opaque}");
                let signed = our_signature(p, who, KeyFrom::CertKey, &args);
                let (decoded, content) = nss_verdict(&nss, &signed);
                assert_eq!(decoded.signers, good(cn), "{what}");
                assert_eq!(decoded.types, signed_levels(), "{what}");
                if let Some(content) = content {
                    assert_bytes_eq(&content, &msg::inner_entity(&msg::plain()), &what);
                }
            }
        }
    }
}

/// The controls: NSS really judges. A changed byte of the signed entity gives
/// `DigestMismatch`; without the intermediate in the message (and not in NSS's
/// database) the signer is `SigningCertNotTrusted`.
#[test]
fn nss_judges_our_signatures_for_real() {
    let p = pki();
    let nss = Nss::new(p);
    let signed = our_signature(p, "alice", KeyFrom::P12, &[]);
    let (content, sig) = msg::split_signed(&signed);
    assert_eq!(nss.describe(&sig, Some(&content)).signers, good("Alice"));
    let mut changed = content.clone();
    let at = changed.len() - 3;
    changed[at] ^= 0x01;
    let verdict = nss.describe(&sig, Some(&changed));
    assert_eq!(verdict.signers[0].status, "DigestMismatch", "{verdict:?}");
    // --cert/--key without --chain: only the signer's certificate travels.
    let bare = our_signature(p, "alice", KeyFrom::CertKey, &["--opaque"]);
    let (verdict, _) = nss_verdict(&nss, &bare);
    assert_eq!(
        verdict.signers[0].status, "SigningCertNotTrusted",
        "{verdict:?}"
    );
}

/// Ed25519 (RFC 8419): NSS 3.87 cannot verify it. It reports the signer as
/// `ProcessingError` (measured) and, asked for the content, refuses cleanly; our reader
/// says Valid for the same message.
#[test]
fn nss_cannot_verify_ed25519_and_says_so() {
    let enc = common::enc_pki::enc_pki();
    let folder = temp_dir();
    let ca = write_file(folder.path(), "ca.pem", enc.ca().to_pem().as_bytes());
    let nss = Nss::trusting(&ca);
    let ed = enc.identity("ed");
    let message = b"From: ed@t.example\r\nTo: x@t.example\r\nSubject: ed\r\n\r\nEd25519\r\n";
    let signed = smime::mime::sign_message_bytes(
        message,
        &ed,
        &smime::cms::SignOptions::default(),
        smime::mime::SignFormat::Opaque,
    )
    .expect("we sign with Ed25519");
    let der = msg::cms_der(&signed);
    let verdict = nss.describe(&der, None);
    assert_eq!(verdict.signers.len(), 1, "{verdict:?}");
    assert_eq!(verdict.signers[0].status, "ProcessingError", "{verdict:?}");
    let err = nss.decode(&der).assert_refused("Ed25519 content");
    assert!(err.contains("SEC_ERROR_PKCS7_BAD_SIGNATURE"), "{err}");
    let opened = smime::reader::open(
        &signed,
        &[],
        &enc.trust(),
        &Policy::email(),
        SystemTime::now(),
    )
    .expect("we open it");
    assert!(opened.is_signature_valid());
}

// ── NSS → ours: signatures ─────────────────────────────────────────────────────────

/// The outer header fields naming `who` as the sender.
fn outer(p: &Pki, who: &str) -> Vec<u8> {
    format!(
        "From: {who} <{}>\r\nTo: Bob <bob@example.com>\r\nSubject: signed by NSS\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n",
        p.email(who)
    )
    .into_bytes()
}

/// `smime verify` with the test root: (JSON report, exit code, `--content-out`).
fn verify_cli(p: &Pki, message: &[u8]) -> (Value, Option<i32>, Vec<u8>) {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", message);
    let content = dir.path().join("content");
    let root = p.root();
    let args = [
        "verify",
        "--trust-anchor",
        s(&root),
        "--in",
        s(&inp),
        "--content-out",
        s(&content),
    ];
    let out = cli::smime(&args, b"");
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e})", cli::describe(&args, &out)));
    (
        json,
        out.status.code(),
        std::fs::read(&content).unwrap_or_default(),
    )
}

/// `cmsutil -S` opaque and detached (`-T`), SHA-256/384/512, RSA and ECDSA (NSS signs
/// RSA with PKCS#1 v1.5 only; it has no PSS option): Valid here, with the exact entity.
#[test]
fn nss_signatures_are_valid_here() {
    let p = pki();
    let entity = msg::inner_entity(&msg::plain());
    for who in ["alice", "frank"] {
        let nss = Nss::with_identity(p, who);
        for (hash, micalg) in [
            ("SHA256", "sha-256"),
            ("SHA384", "sha-384"),
            ("SHA512", "sha-512"),
        ] {
            for detached in [false, true] {
                let what = format!("NSS {who} {hash} detached={detached}");
                let der = nss.sign(&entity, who, hash, detached);
                let message = if detached {
                    msg::wrap_signed_detached(&outer(p, who), &entity, &der, micalg)
                } else {
                    msg::wrap_signed_opaque(&outer(p, who), &der)
                };
                let (report, code, content) = verify_cli(p, &message);
                assert_eq!(code, Some(0), "{what}: {report:#}");
                assert_eq!(report["valid"], Value::Bool(true), "{what}: {report:#}");
                assert_eq!(report["signers"][0]["status"], "valid", "{what}");
                assert_eq!(report["signers"][0]["detached"], Value::Bool(detached));
                assert_eq!(report["from"], p.email(who).as_str(), "{what}");
                assert_bytes_eq(&content, &entity, &what);
                // A changed byte: invalid here too.
                if detached {
                    let mut bad = entity.clone();
                    let at = bad.len() - 3;
                    bad[at] ^= 0x01;
                    let message = msg::wrap_signed_detached(&outer(p, who), &bad, &der, micalg);
                    let (report, code, _) = verify_cli(p, &message);
                    assert_eq!(code, Some(1), "{what} changed: {report:#}");
                    assert_eq!(report["signers"][0]["status"], "invalid", "{what}");
                }
            }
        }
    }
}

// ── sign, then encrypt ─────────────────────────────────────────────────────────────

/// The mail app's path: the Encryptor seals (signs, then encrypts) for Bob, whose
/// client is unknown: the report says AES-256-CBC and why before sending, and NSS opens
/// both levels — the envelope, then the signature inside (detached and opaque).
#[test]
fn sign_then_encrypt_from_us_opens_in_nss_at_both_levels() {
    let p = pki();
    let alice = smime::Identity::from_pkcs12(&read_file(&p.p12("alice")), common::pki::PASSWORD)
        .expect("alice");
    let gal = MemoryDirectory::from_certificates("gal", [cert(p, "bob")]);
    let trust = trust(p);
    let encryptor = Encryptor::new(&gal, &trust).encrypt_to_self(&alice);
    let recipients = Recipients::new().to(p.email("bob").parse().expect("address"));
    let report = encryptor.check(&recipients, SystemTime::now());
    assert!(report.all_encryptable());
    assert_eq!(
        report.cipher(),
        CipherChoice::new(ContentCipher::Aes256Cbc, CipherReason::UnknownForSome)
    );
    let message = msg::plain();
    let bob = Nss::with_identity(p, "bob");
    let verifier = Nss::new(p);
    for format in [
        smime::mime::SignFormat::Detached,
        smime::mime::SignFormat::Opaque,
    ] {
        let what = format!("{format:?}");
        // The pre-RFC 9788 shape checked below (header protection: its own tests).
        let options = SealOptions::sign_and_encrypt(&alice)
            .header_protection(smime::HeaderProtection::off())
            .sign_options(smime::cms::SignOptions::default(), format);
        let sealed = encryptor.seal(&message, &report, &options).expect("sealed");
        assert_eq!(sealed.cipher(), ContentCipher::Aes256Cbc);
        let envelope = msg::cms_der(sealed.copies()[0].message());
        // Level 1: the envelope.
        let run = bob.decode(&envelope);
        assert!(run.ok(), "{what}: {}", run.describe());
        let signed_entity = run.stdout().to_vec();
        // Level 2: the signature inside, judged by a database that trusts only the root.
        let (decoded, content) = nss_verdict(&verifier, &signed_entity);
        assert_eq!(decoded.signers, good("Alice"), "{what}");
        if let Some(content) = content {
            assert_bytes_eq(&content, &msg::inner_entity(&message), &what);
        }
    }
}

/// The rule with NSS's own announcement: Bob signs with NSS (`-P`: SMIMECapabilities
/// AES-256-CBC, AES-128-CBC, 3DES, RC2); we record it; with Alice's own copy read here,
/// every recipient announced, and the best shared allowed cipher is AES-256-CBC — which
/// NSS opens.
#[test]
fn capabilities_nss_announced_choose_a_cipher_nss_reads() {
    let p = pki();
    let bob_nss = Nss::with_identity(p, "bob");
    let entity = msg::inner_entity(&msg::plain());
    let signed = msg::wrap_signed_opaque(
        &outer(p, "bob"),
        &bob_nss.sign(&entity, "bob", "SHA256", false),
    );
    let trust = trust(p);
    let opened = smime::reader::open(&signed, &[], &trust, &Policy::email(), SystemTime::now())
        .expect("open NSS's signed message");
    assert!(opened.is_signature_valid());
    let folder = temp_dir();
    let store = InstalledStore::open(folder.path()).expect("store");
    assert!(smime::keep::record_preferences(&store, &opened, SystemTime::now()).expect("record"));

    let alice = smime::Identity::from_pkcs12(&read_file(&p.p12("alice")), common::pki::PASSWORD)
        .expect("alice");
    let gal = MemoryDirectory::from_certificates("gal", [cert(p, "bob")]);
    let encryptor = Encryptor::new(&gal, &trust)
        .encrypt_to_self(&alice)
        .with_preferences(&store);
    let report = encryptor.check(
        &Recipients::new().to(p.email("bob").parse().expect("address")),
        SystemTime::now(),
    );
    let bob_report = report
        .get(&p.email("bob").parse().expect("address"))
        .expect("bob");
    assert_eq!(
        bob_report.capabilities(),
        Some(&[ContentCipher::Aes256Cbc, ContentCipher::Aes128Cbc][..]),
        "what NSS announced, as we understood it"
    );
    assert_eq!(
        report.cipher(),
        CipherChoice::new(ContentCipher::Aes256Cbc, CipherReason::AnnouncedByAll)
    );
    let sealed = encryptor
        .seal(
            &msg::plain(),
            &report,
            // The pre-RFC 9788 shape checked below (header protection: its own tests).
            &SealOptions::encrypt().header_protection(smime::HeaderProtection::off()),
        )
        .expect("sealed");
    let run = bob_nss.decode(&msg::cms_der(sealed.copies()[0].message()));
    assert!(run.ok(), "{}", run.describe());
    assert_bytes_eq(
        run.stdout(),
        &msg::inner_entity(&msg::plain()),
        "NSS as bob",
    );
}

// ── certs-only ──────────────────────────────────────────────────────────────────────

/// Our certs-only message (RFC 8551 §3.6) carrying Alice's certificate: NSS verifies
/// it for email use and keeps it; without the intermediate it refuses (so it judged).
#[test]
fn our_certs_only_imports_into_nss() {
    let p = pki();
    let alice = cert(p, "alice");
    let message = smime::mime::certs_only_message(
        b"From: alice@example.com\r\nSubject: my certificate\r\n",
        std::slice::from_ref(&alice),
    )
    .expect("certs-only");
    assert!(
        msg::header(&message, "Content-Type")
            .unwrap_or_default()
            .contains("certs-only")
    );
    let der = msg::cms_der(&message);
    // No intermediate known: NSS cannot verify the certificate (it still prints its
    // `-h` header block, so only the exit status and the reason are checked).
    let run = Nss::new(p).import_certs_only(&der);
    assert!(
        run.output.status.code().is_some_and(|c| c != 0)
            && run.stderr().contains("SEC_ERROR_UNKNOWN_ISSUER"),
        "certs-only without the intermediate: {}",
        run.describe()
    );
    let nss = Nss::new(p);
    nss.add_certificate("intermediate", &p.intermediate(), ",,");
    let run = nss.import_certs_only(&der);
    assert!(run.ok(), "{}", run.describe());
    assert!(
        String::from_utf8_lossy(run.stdout()).contains("nsigners=0"),
        "{}",
        run.describe()
    );
    assert_eq!(
        nss.certificate(&p.email("alice")).as_deref(),
        Some(alice.der()),
        "NSS kept Alice's certificate"
    );
}

/// NSS's certs-only message (`cmsutil -O`, which adds the chain): `smime certs` finds
/// Alice's certificate and the intermediate.
#[test]
fn nss_certs_only_reads_here() {
    let p = pki();
    let nss = Nss::with_identity(p, "alice");
    let der = nss.certs_only(&["alice"]);
    let dir = temp_dir();
    let mut message = b"From: alice@example.com\r\nSubject: certificates\r\nMIME-Version: 1.0\r\n\
Content-Type: application/pkcs7-mime; smime-type=certs-only; name=\"smime.p7c\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    message.extend_from_slice(
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &der).as_bytes(),
    );
    message.extend_from_slice(b"\r\n");
    let inp = write_file(dir.path(), "certs.eml", &message);
    let pem = cli::smime_ok(&["certs", "--in", s(&inp)], b"");
    let found = Certificate::load(&pem).expect("PEM certificates");
    let fingerprints: Vec<String> = found.iter().map(|c| c.fingerprint_hex()).collect();
    for who in [
        cert(p, "alice"),
        Certificate::load(&read_file(&p.intermediate()))
            .expect("intermediate")
            .remove(0),
    ] {
        assert!(
            fingerprints.contains(&who.fingerprint_hex()),
            "{} missing from {fingerprints:?}",
            who.fingerprint_hex()
        );
    }
}
