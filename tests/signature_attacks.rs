//! One test per attack row 7–19 of REQUIREMENTS.md §2, each named after its row.
//!
//! Messages are made with our own signer (fresh test PKI, tests/common/pki.rs) plus
//! byte surgery, or from scratch with a small DER writer below that signs attributes
//! with the `rsa` crate directly: that is how the malformed SignerInfos (no
//! signedAttrs, duplicate attributes, wrong contentType, MD5, a digest that disagrees
//! with the signature algorithm) are made with a signature that is otherwise correct,
//! so the check under test is the only thing that can reject them.

use crate::common;

use std::time::{Duration, SystemTime};

use crate::common::der::tlv;
use common::pki::{Pki, pki};
use common::{read_file, run_ok, temp_dir};
use der::Encode;
use der::asn1::ObjectIdentifier as Oid;
use rsa::Pkcs1v15Sign;
use sha2::Digest;
use smime::cms::{InvalidReason, SignOptions, SignedDataBuilder, Verification};
use smime::mime::SignFormat;
use smime::reader::{self, OpenedMessage, SignatureStatus, SignedScope, SignerReport};
use smime::trust::{Policy, Purpose, TrustStore, Use};
use smime::{Certificate, Identity, PrivateKey};

// ---------------------------------------------------------------------------------
// Helpers

const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");

fn identity(p: &Pki, who: &str) -> Identity {
    let mut pem = read_file(&p.cert(who));
    pem.extend_from_slice(&read_file(&p.intermediate()));
    Identity::from_pem(&pem, &read_file(&p.key(who)), None).expect("identity")
}

fn cert(path: &std::path::Path) -> Certificate {
    Certificate::load(&read_file(path)).unwrap().remove(0)
}

fn trust(p: &Pki) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(cert(&p.root()));
    t
}

fn now_policy() -> Policy {
    Policy::email()
}

fn open(p: &Pki, message: &[u8]) -> OpenedMessage {
    reader::open(message, &[], &trust(p), &now_policy(), SystemTime::now()).expect("open")
}

/// The verdicts for a bare CMS verification (no From to check), now.
fn judge(p: &Pki, v: &Verification) -> Vec<SignerReport> {
    reader::judge_signers(
        v,
        &trust(p),
        &now_policy(),
        &Use::at(Purpose::Verify, SystemTime::now()),
    )
}

/// What `Verification::is_valid` said: at least one signer, and every one valid.
fn all_valid(reports: &[SignerReport]) -> bool {
    !reports.is_empty() && reports.iter().all(|r| r.status().is_valid())
}

fn statuses(m: &OpenedMessage) -> Vec<SignatureStatus> {
    m.signatures().map(|s| s.status().clone()).collect()
}

/// The entity that gets signed.
fn entity(text: &str) -> Vec<u8> {
    format!("Content-Type: text/plain; charset=us-ascii\r\n\r\n{text}\r\n").into_bytes()
}

fn headers(from: &str) -> String {
    format!("From: {from}\r\nTo: bob@example.com\r\nSubject: attack test\r\nMIME-Version: 1.0\r\n")
}

/// A whole message `headers + entity`, signed by `who` in `format`.
fn signed_message(
    p: &Pki,
    who: &str,
    from_fields: &str,
    ent: &[u8],
    format: SignFormat,
) -> Vec<u8> {
    let mut m = from_fields.as_bytes().to_vec();
    m.extend_from_slice(ent);
    smime::mime::sign_message_bytes(&m, &identity(p, who), &SignOptions::default(), format)
        .expect("sign")
}

/// `application/pkcs7-mime; smime-type=signed-data` message around raw CMS.
fn wrap_opaque(from: &str, der: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: bob@example.com\r\nSubject: opaque\r\nMIME-Version: 1.0\r\n\
         Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    m.extend_from_slice(&common::msg::base64_lines(der));
    m
}

/// `multipart/signed` message with `content` as the signed part and raw CMS `der`.
fn wrap_detached(from: &str, content: &[u8], der: &[u8]) -> Vec<u8> {
    let b = "sig-boundary-19";
    let mut m = format!(
        "From: {from}\r\nTo: bob@example.com\r\nSubject: detached\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; \
         micalg=sha-256; boundary=\"{b}\"\r\n\r\n--{b}\r\n"
    )
    .into_bytes();
    m.extend_from_slice(content);
    m.extend_from_slice(
        format!(
            "\r\n--{b}\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        )
        .as_bytes(),
    );
    m.extend_from_slice(&common::msg::base64_lines(der));
    m.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    m
}

// Hand-made SignedData pieces (TLVs from common::der).

fn oid(o: Oid) -> Vec<u8> {
    o.to_der().unwrap()
}

fn alg(o: Oid, null: bool) -> Vec<u8> {
    let mut c = oid(o);
    if null {
        c.extend_from_slice(&[0x05, 0x00]);
    }
    tlv(0x30, &c)
}

fn attribute(o: Oid, values: &[Vec<u8>]) -> Vec<u8> {
    let mut c = oid(o);
    c.extend_from_slice(&tlv(0x31, &values.concat()));
    tlv(0x30, &c)
}

fn utc_time(t: SystemTime) -> Vec<u8> {
    der::asn1::UtcTime::from_system_time(t)
        .unwrap()
        .to_der()
        .unwrap()
}

/// The usual attributes: contentType id-data, messageDigest SHA-256(content), signingTime.
fn usual_attrs(content: &[u8]) -> Vec<Vec<u8>> {
    vec![
        attribute(ATTR_CONTENT_TYPE, &[oid(DATA)]),
        attribute(
            ATTR_MESSAGE_DIGEST,
            &[tlv(0x04, &sha2::Sha256::digest(content))],
        ),
        attribute(ATTR_SIGNING_TIME, &[utc_time(SystemTime::now())]),
    ]
}

/// DER SET OF the attributes (sorted, as DER requires).
fn attr_set(attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted = attrs.to_vec();
    sorted.sort();
    tlv(0x31, &sorted.concat())
}

fn rsa_key(id: &Identity) -> &rsa::PrivateKey {
    match id.private_key() {
        PrivateKey::Rsa(k) => k,
        other => panic!("not RSA: {other:?}"),
    }
}

/// RSA PKCS#1 v1.5 with SHA-256 over `data`.
fn rsa_sign_sha256(id: &Identity, data: &[u8]) -> Vec<u8> {
    rsa_key(id)
        .sign(
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            &sha2::Sha256::digest(data),
        )
        .unwrap()
}

struct HandSigner<'a> {
    id: &'a Identity,
    /// signedAttrs (the SET OF DER) or None.
    signed_attrs: Option<Vec<u8>>,
    digest_alg: Oid,
    sig_alg: Vec<u8>,
    signature: Vec<u8>,
}

impl HandSigner<'_> {
    fn der(&self) -> Vec<u8> {
        let c = self.id.certificate();
        let mut ias = c.issuer_name().to_der().unwrap();
        ias.extend_from_slice(&c.x509().tbs_certificate().serial_number().to_der().unwrap());
        let mut si = vec![0x02, 0x01, 0x01];
        si.extend_from_slice(&tlv(0x30, &ias));
        si.extend_from_slice(&alg(self.digest_alg, false));
        if let Some(a) = &self.signed_attrs {
            let mut implicit = a.clone();
            implicit[0] = 0xa0;
            si.extend_from_slice(&implicit);
        }
        si.extend_from_slice(&self.sig_alg);
        si.extend_from_slice(&tlv(0x04, &self.signature));
        tlv(0x30, &si)
    }
}

/// ContentInfo(SignedData) with `econtent` (None: detached), the signers' chains and
/// `signer_infos`.
fn signed_data(
    digest_algs: &[Oid],
    econtent: Option<&[u8]>,
    ids: &[&Identity],
    signer_infos: &[Vec<u8>],
) -> Vec<u8> {
    let mut sd = vec![0x02, 0x01, 0x01];
    let algs: Vec<u8> = digest_algs.iter().flat_map(|o| alg(*o, false)).collect();
    sd.extend_from_slice(&tlv(0x31, &algs));
    let mut eci = oid(DATA);
    if let Some(c) = econtent {
        eci.extend_from_slice(&tlv(0xa0, &tlv(0x04, c)));
    }
    sd.extend_from_slice(&tlv(0x30, &eci));
    let mut certs = Vec::new();
    for id in ids {
        certs.extend_from_slice(id.certificate().der());
        for c in id.chain() {
            certs.extend_from_slice(c.der());
        }
    }
    sd.extend_from_slice(&tlv(0xa0, &certs));
    sd.extend_from_slice(&tlv(0x31, &signer_infos.concat()));
    let mut ci = oid(SIGNED_DATA);
    ci.extend_from_slice(&tlv(0xa0, &tlv(0x30, &sd)));
    tlv(0x30, &ci)
}

/// A correct hand-made SignerInfo over `content` with `attrs` (SHA-256, RSA).
fn hand_signer<'a>(id: &'a Identity, attrs: &[Vec<u8>]) -> HandSigner<'a> {
    let set = attr_set(attrs);
    HandSigner {
        id,
        signature: rsa_sign_sha256(id, &set),
        signed_attrs: Some(set),
        digest_alg: SHA256,
        sig_alg: alg(RSA_ENCRYPTION, true),
    }
}

fn opaque_reason(p: &Pki, der: &[u8]) -> SignatureStatus {
    let m = open(p, &wrap_opaque("alice@example.com", der));
    let s = statuses(&m);
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(!m.is_signature_valid());
    s[0].clone()
}

#[track_caller]
fn assert_invalid(status: &SignatureStatus, want: impl Fn(&InvalidReason) -> bool, what: &str) {
    match status {
        SignatureStatus::Invalid { reason } if want(reason) => {}
        other => panic!("{what}: expected a specific Invalid reason, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Control: the hand-made signer is correct, so each rejection below is the check.

#[test]
fn hand_made_signed_data_control_is_valid() {
    let p = pki();
    let alice = identity(p, "alice");
    let content = entity("control");
    let si = hand_signer(&alice, &usual_attrs(&content)).der();
    let der = signed_data(&[SHA256], Some(&content), &[&alice], &[si]);
    let m = open(p, &wrap_opaque("alice@example.com", &der));
    assert_eq!(statuses(&m), [SignatureStatus::Valid]);
    assert!(m.is_signature_valid());
    assert_eq!(m.content(), content.as_slice());
}

// ---------------------------------------------------------------------------------

/// C1: a detached multipart/signed whose SignedData also carries eContent "A" while
/// the body shows "B" → invalid (a body identical to "A" is valid); and opaque
/// signed-data without eContent → invalid.
#[test]
fn row_07_econtent_in_multipart_signed_is_invalid() {
    let p = pki();
    let alice = identity(p, "alice");
    let a = entity("A: pay 10 EUR");
    let b = entity("B: pay 10000 EUR");
    let opaque_a = SignedDataBuilder::new(&alice, SignOptions::default())
        .sign_opaque_bytes(&a)
        .unwrap();
    // Control: the opaque one is valid on its own and returns exactly A.
    let m = open(p, &wrap_opaque("alice@example.com", &opaque_a));
    assert!(m.is_signature_valid());
    assert_eq!(m.content(), a.as_slice());
    // The confusion: body B beside a signature carrying A.
    let m = open(p, &wrap_detached("alice@example.com", &b, &opaque_a));
    assert!(!m.is_signature_valid());
    assert_invalid(
        &statuses(&m)[0],
        |r| matches!(r, InvalidReason::ContentPlacement(_)),
        "eContent in multipart/signed",
    );
    // A body byte-identical to the eContent confuses nothing (Python cryptography's
    // S/MIME output, issue 15 finding 11): valid, and the content is A.
    let m = open(p, &wrap_detached("alice@example.com", &a, &opaque_a));
    assert!(m.is_signature_valid());
    assert_eq!(m.content(), a.as_slice());
    // One line more in the body than in the eContent is the confusion again.
    let mut a_plus = a.clone();
    a_plus.extend_from_slice(b"and 9990 EUR more\r\n");
    let m = open(p, &wrap_detached("alice@example.com", &a_plus, &opaque_a));
    assert!(!m.is_signature_valid());
    assert_invalid(
        &statuses(&m)[0],
        |r| matches!(r, InvalidReason::ContentPlacement(_)),
        "eContent a prefix of the body",
    );
    // The other direction: a detached signature sent as opaque signed-data.
    let detached_a = SignedDataBuilder::new(&alice, SignOptions::default())
        .sign_detached(&a[..])
        .unwrap();
    let m = open(p, &wrap_opaque("alice@example.com", &detached_a));
    assert!(!m.is_signature_valid());
    assert_invalid(
        &statuses(&m)[0],
        |r| matches!(r, InvalidReason::ContentPlacement(_)),
        "opaque without eContent",
    );
    // Library level: verify_opaque streams exactly the eContent it verified.
    let mut out = Vec::new();
    let v = smime::cms::verify_opaque(&opaque_a[..], &mut out, &trust(p), &now_policy()).unwrap();
    assert!(all_valid(&judge(p, &v)));
    assert_eq!(out, a);
}

/// C2: a valid signer next to a bad one → the message is not valid, the bad signer is
/// Invalid and is not named (no certificate attached to its report).
#[test]
fn row_08_two_signers_one_bad_is_not_valid() {
    let p = pki();
    let alice = identity(p, "alice");
    let bob = identity(p, "bob");
    let content = entity("two signers");
    let der = SignedDataBuilder::new(&alice, SignOptions::default())
        .add_signer(&bob)
        .sign_opaque_bytes(&content)
        .unwrap();
    // Break bob's signature: find its bytes (decoded with the cms crate) and flip one.
    let v = smime::cms::verify_opaque(&der[..], &mut Vec::new(), &trust(p), &now_policy()).unwrap();
    assert!(all_valid(&judge(p, &v)), "control: both signers valid");
    let ci = <cms::content_info::ContentInfo as der::Decode>::from_der(&der).unwrap();
    let sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    let bob_serial = bob.certificate().serial_number().to_vec();
    let bob_sig = sd
        .signer_infos
        .0
        .iter()
        .find(|si| match &si.sid {
            cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(i) => {
                i.serial_number.as_bytes() == bob_serial.as_slice()
            }
            _ => false,
        })
        .expect("bob's SignerInfo")
        .signature
        .as_bytes()
        .to_vec();
    let at = der
        .windows(bob_sig.len())
        .position(|w| w == bob_sig.as_slice())
        .unwrap();
    let mut bad = der.clone();
    bad[at + 10] ^= 0xff;
    let mut out = Vec::new();
    let v = smime::cms::verify_opaque(&bad[..], &mut out, &trust(p), &now_policy()).unwrap();
    assert!(v.is_signed());
    let reports = judge(p, &v);
    assert!(
        !all_valid(&reports),
        "one bad signer makes the whole verdict not valid"
    );
    let (good, badr): (Vec<_>, Vec<_>) = reports.iter().partition(|s| s.status().is_valid());
    assert_eq!(good.len(), 1);
    assert_eq!(badr.len(), 1);
    assert_eq!(
        badr[0].status(),
        &SignatureStatus::Invalid {
            reason: InvalidReason::BadSignature
        }
    );
    assert!(
        badr[0].certificate().is_none(),
        "the unverified signer must not be named"
    );
    assert_eq!(good[0].certificate().unwrap(), alice.certificate());
    // The reader: not valid.
    let m = open(p, &wrap_opaque("alice@example.com", &bad));
    assert!(!m.is_signature_valid());
    assert_eq!(m.signed_scope(), SignedScope::WholeMessage);
}

/// C3: zero SignerInfos (degenerate / certs-only) → not signed.
#[test]
fn row_09_zero_signer_infos_is_not_signed() {
    let p = pki();
    let alice = identity(p, "alice");
    // With content and no SignerInfo at all.
    let content = entity("nobody signed this");
    let der = signed_data(&[SHA256], Some(&content), &[&alice], &[]);
    let v = smime::cms::verify_opaque(&der[..], &mut Vec::new(), &trust(p), &now_policy()).unwrap();
    assert!(!v.is_signed());
    assert!(!all_valid(&judge(p, &v)));
    let m = open(p, &wrap_opaque("alice@example.com", &der));
    assert_eq!(m.signed_scope(), SignedScope::NotSigned);
    assert!(!m.is_signature_valid());
    assert_eq!(m.signatures().count(), 0);
    // A certs-only message.
    let certs = smime::cms::certs_only(&[alice.certificate().clone()]).unwrap();
    let m = open(p, &wrap_opaque("alice@example.com", &certs));
    assert_eq!(m.signed_scope(), SignedScope::NotSigned);
    assert!(!m.is_signature_valid());
    assert!(matches!(
        m.layers()[0],
        smime::reader::Layer::CertificatesOnly { .. }
    ));
    // The same through the CLI: exit 1, "not-signed".
    let dir = temp_dir();
    let f = common::write_file(dir.path(), "m.eml", &wrap_opaque("alice@example.com", &der));
    let root = p.root();
    let out = common::cli::smime(
        &[
            "verify",
            "--trust-anchor",
            root.to_str().unwrap(),
            "--in",
            f.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["signed_scope"], "not-signed");
    assert_eq!(json["valid"], false);
}

/// C4: a self-signed signer → signature valid but UntrustedIssuer, never Valid.
#[test]
fn row_10_self_signed_signer_is_untrusted_issuer() {
    let p = pki();
    let dir = temp_dir();
    let d = dir.path();
    let (key, crt) = (d.join("eve.key"), d.join("eve.pem"));
    run_ok(
        std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            ])
            .args(["-subj", "/CN=Alice/O=smime tests"])
            .args(["-addext", "subjectAltName=email:alice@example.com"])
            .args([
                "-addext",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
            .args(["-addext", "extendedKeyUsage=emailProtection"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&crt),
        b"",
    );
    let eve = Identity::from_pem(&read_file(&crt), &read_file(&key), None).unwrap();
    let mut msg = headers("alice@example.com").into_bytes();
    msg.extend_from_slice(&entity("self-signed"));
    for format in [SignFormat::Detached, SignFormat::Opaque] {
        let signed =
            smime::mime::sign_message_bytes(&msg, &eve, &SignOptions::default(), format).unwrap();
        let m = open(p, &signed);
        let s = statuses(&m);
        assert!(
            matches!(s[0], SignatureStatus::UntrustedIssuer { .. }),
            "{s:?}"
        );
        assert!(s[0].signature_ok());
        assert!(!m.is_signature_valid());
        // Trusting it explicitly (as an anchor) is what makes it valid.
        let mut t = trust(p);
        t.add_anchor(eve.certificate().clone());
        let m = reader::open(&signed, &[], &t, &now_policy(), SystemTime::now()).unwrap();
        assert!(m.is_signature_valid());
    }
}

/// M1–M4: a signed part inside an unsigned multipart/mixed → Partial, never the blue
/// check, whatever the signed part says.
#[test]
fn row_11_signed_part_inside_unsigned_multipart_is_partial() {
    let p = pki();
    // A validly signed entity (its own headers: no From).
    let signed_entity = signed_message(
        p,
        "alice",
        "",
        &entity("the signed part"),
        SignFormat::Detached,
    );
    let layouts: [(&str, Vec<Vec<u8>>); 3] = [
        // M1: attacker HTML first, then the signed part.
        (
            "html before",
            vec![
                b"Content-Type: text/html\r\n\r\n<p>Wire the money to X</p><div style=\"display:none\">\r\n"
                    .to_vec(),
                signed_entity.clone(),
            ],
        ),
        // Signed first, unsigned footer after.
        (
            "footer after",
            vec![
                signed_entity.clone(),
                b"Content-Type: text/plain\r\n\r\nunsigned footer\r\n".to_vec(),
            ],
        ),
        // M4: the signed part as an attachment.
        (
            "as attachment",
            vec![
                b"Content-Type: text/plain\r\n\r\nsee attachment\r\n".to_vec(),
                {
                    let mut a = b"Content-Disposition: attachment\r\n".to_vec();
                    a.extend_from_slice(&signed_entity);
                    a
                },
            ],
        ),
    ];
    for (what, parts) in layouts {
        let mut m = b"From: alice@example.com\r\nTo: bob@example.com\r\nSubject: mixed\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer-b\"\r\n\r\n"
            .to_vec();
        for part in parts {
            m.extend_from_slice(b"--outer-b\r\n");
            m.extend_from_slice(&part);
            m.extend_from_slice(b"\r\n");
        }
        m.extend_from_slice(b"--outer-b--\r\n");
        let opened = open(p, &m);
        assert_eq!(opened.signed_scope(), SignedScope::Partial, "{what}");
        assert!(!opened.is_signature_valid(), "{what}");
        // The signature itself is fine (the part is signed by alice): only the scope is.
        assert_eq!(statuses(&opened), [SignatureStatus::Valid], "{what}");
    }
    // Control: the same signed entity as the whole message is WholeMessage.
    let whole = signed_message(
        p,
        "alice",
        &headers("alice@example.com"),
        &entity("the signed part"),
        SignFormat::Detached,
    );
    let opened = open(p, &whole);
    assert_eq!(opened.signed_scope(), SignedScope::WholeMessage);
    assert!(opened.is_signature_valid());
}

/// I1: From names someone else than the signer certificate → AddressMismatch.
#[test]
fn row_12_from_not_signer_is_address_mismatch() {
    let p = pki();
    for format in [SignFormat::Detached, SignFormat::Opaque] {
        let m = signed_message(
            p,
            "alice",
            &headers("Manager <manager@example.com>"),
            &entity("I am the manager"),
            format,
        );
        let opened = open(p, &m);
        match &statuses(&opened)[0] {
            SignatureStatus::AddressMismatch {
                from,
                certificate_addresses,
            } => {
                assert_eq!(
                    from.as_ref().map(|a| a.as_str()),
                    Some("manager@example.com")
                );
                let named: Vec<&str> = certificate_addresses.iter().map(|a| a.as_str()).collect();
                assert_eq!(named, ["alice@example.com"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(!opened.is_signature_valid());
        // Control: the signer's own address is Valid.
        let m = signed_message(
            p,
            "alice",
            &headers("alice@example.com"),
            &entity("x"),
            format,
        );
        assert!(open(p, &m).is_signature_valid());
    }
}

/// I2: a display name that looks like an address; only the addr-spec counts.
#[test]
fn row_13_display_name_confusion_compares_addr_spec() {
    let p = pki();
    // Signed by alice, display name "manager@example.com", addr-spec eve: mismatch.
    for from in [
        "\"manager@example.com\" <eve@evil.example>",
        "manager@example.com <eve@evil.example>",
        "=?utf-8?q?alice=40example=2Ecom?= <eve@evil.example>",
        "\"alice@example.com\" <eve@evil.example>",
    ] {
        let m = signed_message(
            p,
            "alice",
            &headers(from),
            &entity("hi"),
            SignFormat::Detached,
        );
        let opened = open(p, &m);
        assert_eq!(
            opened.from().map(|a| a.to_string()).as_deref(),
            Some("eve@evil.example"),
            "{from}"
        );
        assert!(
            matches!(
                statuses(&opened)[0],
                SignatureStatus::AddressMismatch { .. }
            ),
            "{from}: {:?}",
            statuses(&opened)
        );
        assert!(!opened.is_signature_valid(), "{from}");
    }
    // The display name never helps or hurts: alice's addr-spec with an odd name is Valid.
    let m = signed_message(
        p,
        "alice",
        &headers("\"eve@evil.example\" <alice@example.com>"),
        &entity("hi"),
        SignFormat::Detached,
    );
    let opened = open(p, &m);
    assert_eq!(opened.from().unwrap().to_string(), "alice@example.com");
    assert!(opened.is_signature_valid());
}

/// I3: several From fields, several mailboxes, or Sender ≠ From → never Valid.
#[test]
fn row_14_several_from_or_mailboxes_is_ambiguous() {
    let p = pki();
    for (what, fields) in [
        (
            "two From fields",
            "From: alice@example.com\r\nFrom: eve@evil.example\r\nTo: bob@example.com\r\nMIME-Version: 1.0\r\n",
        ),
        (
            "two From fields, signer second",
            "From: eve@evil.example\r\nFrom: alice@example.com\r\nTo: bob@example.com\r\nMIME-Version: 1.0\r\n",
        ),
        (
            "two mailboxes",
            "From: alice@example.com, eve@evil.example\r\nTo: bob@example.com\r\nMIME-Version: 1.0\r\n",
        ),
        (
            "group syntax",
            "From: team: alice@example.com, eve@evil.example;\r\nTo: bob@example.com\r\nMIME-Version: 1.0\r\n",
        ),
        (
            "Sender is the signer, From is not",
            "From: eve@evil.example\r\nSender: alice@example.com\r\nTo: bob@example.com\r\nMIME-Version: 1.0\r\n",
        ),
        ("no From", "To: bob@example.com\r\nMIME-Version: 1.0\r\n"),
    ] {
        let m = signed_message(p, "alice", fields, &entity("hi"), SignFormat::Detached);
        let opened = open(p, &m);
        assert!(!opened.is_signature_valid(), "{what}");
        assert!(
            matches!(
                statuses(&opened)[0],
                SignatureStatus::AddressMismatch { .. }
            ),
            "{what}: {:?}",
            statuses(&opened)
        );
        if what != "Sender is the signer, From is not" {
            assert_eq!(opened.from(), None, "{what}");
        }
    }
}

/// Header protection: the signed inner message/rfc822 (or RFC 9788 inner header
/// fields) names another From than the outer header → header_mismatch.
#[test]
fn row_15_inner_from_differs_from_outer_is_header_mismatch() {
    let p = pki();
    let rfc822 =
        b"Content-Type: message/rfc822\r\n\r\nFrom: eve@evil.example\r\nTo: bob@example.com\r\n\
Subject: inner\r\nContent-Type: text/plain\r\n\r\ninner body\r\n";
    let hp =
        b"Content-Type: text/plain; charset=us-ascii; hp=\"clear\"\r\nFrom: eve@evil.example\r\n\
Subject: inner\r\n\r\ninner body\r\n";
    let alice = identity(p, "alice");
    // The signed entity carries the inner header fields, so it is signed here as is.
    let sign = |inner: &[u8]| {
        let der = SignedDataBuilder::new(&alice, SignOptions::default())
            .sign_detached(inner)
            .unwrap();
        wrap_detached("alice@example.com", inner, &der)
    };
    for (what, inner) in [("message/rfc822", &rfc822[..]), ("hp=clear", &hp[..])] {
        let opened = open(p, &sign(inner));
        assert_eq!(opened.content(), inner, "{what}");
        assert!(opened.header_mismatch(), "{what}");
        let inner_from = opened
            .inner_headers()
            .and_then(|h| h.get("From"))
            .map(|f| f.value().to_owned());
        assert_eq!(inner_from.as_deref(), Some("eve@evil.example"), "{what}");
        // The inner From wins for display, and the signer (alice) does not match it.
        assert_eq!(
            opened.from().unwrap().to_string(),
            "eve@evil.example",
            "{what}"
        );
        assert!(!opened.is_signature_valid(), "{what}");
        // Control: the same with a matching inner From has no mismatch and is valid.
        let same = String::from_utf8_lossy(inner).replace("eve@evil.example", "alice@example.com");
        let opened = open(p, &sign(same.as_bytes()));
        assert!(!opened.header_mismatch(), "{what} control");
        assert!(opened.is_signature_valid(), "{what} control");
    }
}

/// U1 UI redressing is the application's job (REQUIREMENTS.md §2 row 16 says "n/a
/// (API review)"). What the library can promise, reviewed here: statuses are typed
/// enums (the app renders them itself), and status texts that carry no certificate
/// data do not echo attacker-chosen certificate strings. A signer certificate whose
/// CN is HTML gives Valid / Invalid / AddressMismatch texts without that HTML.
///
/// API review note: `UntrustedIssuer`, `Expired` and `Revoked` carry a `TrustError`
/// whose Display names the certificate subject (attacker-controlled); apps must escape
/// it or use the typed fields. That is reported, not asserted here.
#[test]
fn row_16_status_texts_carry_no_attacker_html() {
    let p = pki();
    let dir = temp_dir();
    let d = dir.path();
    let (key, crt) = (d.join("h.key"), d.join("h.pem"));
    let cn = "<b>Your Bank</b><img src=x onerror=alert(1)>";
    run_ok(
        std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            ])
            .args(["-subj", &format!("/CN={cn}")])
            .args(["-addext", "subjectAltName=email:alice@example.com"])
            .args(["-addext", "extendedKeyUsage=emailProtection"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&crt),
        b"",
    );
    let html = Identity::from_pem(&read_file(&crt), &read_file(&key), None).unwrap();
    let subject = html.certificate().subject();
    assert!(
        subject.contains("Your Bank"),
        "the CN carries HTML: {subject}"
    );
    let mut t = trust(p);
    t.add_anchor(html.certificate().clone());
    let mk = |from: &str| {
        let mut m = headers(from).into_bytes();
        m.extend_from_slice(&entity("html cn"));
        smime::mime::sign_message_bytes(&m, &html, &SignOptions::default(), SignFormat::Detached)
            .unwrap()
    };
    let valid = reader::open(
        &mk("alice@example.com"),
        &[],
        &t,
        &now_policy(),
        SystemTime::now(),
    )
    .unwrap();
    let mismatch = reader::open(
        &mk("manager@example.com"),
        &[],
        &t,
        &now_policy(),
        SystemTime::now(),
    )
    .unwrap();
    let mut tampered = mk("alice@example.com");
    let at = tampered.windows(7).position(|w| w == b"html cn").unwrap();
    tampered[at] = b'H';
    let invalid = reader::open(&tampered, &[], &t, &now_policy(), SystemTime::now()).unwrap();
    // The same signer with nothing trusted: UntrustedIssuer, whose error names the
    // certificate — but not in the status text a UI shows.
    let untrusted = reader::open(
        &mk("alice@example.com"),
        &[],
        &TrustStore::new(),
        &now_policy(),
        SystemTime::now(),
    )
    .unwrap();
    let mut seen = Vec::new();
    for m in [&valid, &mismatch, &invalid, &untrusted] {
        for s in m.signatures() {
            let text = s.status().to_string();
            seen.push(s.status().clone());
            assert!(!text.contains('<') && !text.contains("Bank"), "{text}");
        }
    }
    assert!(matches!(seen[0], SignatureStatus::Valid));
    assert!(matches!(seen[1], SignatureStatus::AddressMismatch { .. }));
    assert!(matches!(seen[2], SignatureStatus::Invalid { .. }));
    assert!(matches!(seen[3], SignatureStatus::UntrustedIssuer { .. }));
}

/// EUF-CMA: signedAttrs are required. (a) The content re-signed directly without
/// signedAttrs; (b) the attack itself: a valid signature's DER attributes moved into
/// eContent and signedAttrs dropped (the old signature verifies over that content).
/// In generic CMS mode (`require_signed_attributes` off, RFC 5652 §5.4) (a) verifies,
/// (b) is still refused because the content is shaped like signed attributes, and a
/// non-id-data eContentType still needs signedAttrs (RFC 5652 §5.3).
#[test]
fn row_17_signer_info_without_signed_attrs_is_rejected() {
    let p = pki();
    let alice = identity(p, "alice");
    let content = entity("no signed attributes");
    let mut generic = now_policy();
    generic.require_signed_attributes = false;
    let generic_status = |der: &[u8]| {
        let m = reader::open(
            &wrap_opaque("alice@example.com", der),
            &[],
            &trust(p),
            &generic,
            SystemTime::now(),
        )
        .expect("open");
        statuses(&m)[0].clone()
    };
    // (a)
    let si = HandSigner {
        id: &alice,
        signed_attrs: None,
        digest_alg: SHA256,
        sig_alg: alg(RSA_ENCRYPTION, true),
        signature: rsa_sign_sha256(&alice, &content),
    };
    let der = signed_data(&[SHA256], Some(&content), &[&alice], &[si.der()]);
    assert_invalid(
        &opaque_reason(p, &der),
        |r| *r == InvalidReason::MissingSignedAttributes,
        "re-signed without signedAttrs",
    );
    assert_eq!(generic_status(&der), SignatureStatus::Valid, "generic CMS");
    // The signature is over the content itself: another content fails it.
    let other = entity("no signed attributez");
    let der_other = signed_data(&[SHA256], Some(&other), &[&alice], &[si.der()]);
    assert_invalid(
        &generic_status(&der_other),
        |r| *r == InvalidReason::BadSignature,
        "generic CMS, content changed",
    );
    // (b)
    let good = hand_signer(&alice, &usual_attrs(&content));
    let attrs = good.signed_attrs.clone().unwrap();
    // The signature really is valid over the attribute bytes.
    assert!(
        rsa_key(&alice)
            .to_public_key()
            .verify(
                Pkcs1v15Sign::new::<sha2::Sha256>(),
                &sha2::Sha256::digest(&attrs),
                &good.signature
            )
            .is_ok()
    );
    let forged = HandSigner {
        signed_attrs: None,
        ..good
    };
    let der = signed_data(&[SHA256], Some(&attrs), &[&alice], &[forged.der()]);
    assert_invalid(
        &opaque_reason(p, &der),
        |r| *r == InvalidReason::MissingSignedAttributes,
        "attributes moved into eContent",
    );
    assert_invalid(
        &generic_status(&der),
        |r| *r == InvalidReason::ContentMimicsAttributes,
        "generic CMS, attributes moved into eContent",
    );
    // (c) An eContentType other than id-data (here id-digestedData) with a correct
    // direct signature: still refused in generic mode.
    let digested_data = Oid::new_unwrap("1.2.840.113549.1.7.5");
    let der = replace_all(
        &der_with_direct_signature(&alice, &content),
        &oid(DATA),
        &oid(digested_data),
    );
    assert_invalid(
        &generic_status(&der),
        |r| *r == InvalidReason::MissingSignedAttributes,
        "generic CMS, eContentType not id-data",
    );
}

/// A SignedData over `content` signed directly (no signedAttrs) by `who`.
fn der_with_direct_signature(who: &Identity, content: &[u8]) -> Vec<u8> {
    let si = HandSigner {
        id: who,
        signed_attrs: None,
        digest_alg: SHA256,
        sig_alg: alg(RSA_ENCRYPTION, true),
        signature: rsa_sign_sha256(who, content),
    };
    signed_data(&[SHA256], Some(content), &[who], &[si.der()])
}

/// Digest / attribute mismatches, each correctly signed otherwise.
#[test]
fn row_18_digest_and_attribute_mismatches_are_rejected() {
    let p = pki();
    let alice = identity(p, "alice");
    let content = entity("attributes");
    let usual = usual_attrs(&content);
    let check = |what: &str, attrs: Vec<Vec<u8>>, want: &dyn Fn(&InvalidReason) -> bool| {
        let si = hand_signer(&alice, &attrs).der();
        let der = signed_data(&[SHA256], Some(&content), &[&alice], &[si]);
        assert_invalid(&opaque_reason(p, &der), want, what);
    };
    // messageDigest of other content.
    let mut a = usual.clone();
    a[1] = attribute(
        ATTR_MESSAGE_DIGEST,
        &[tlv(0x04, &sha2::Sha256::digest(b"other"))],
    );
    check("messageDigest mutated", a, &|r| {
        *r == InvalidReason::DigestMismatch
    });
    // contentType = signedData while eContentType = data.
    let mut a = usual.clone();
    a[0] = attribute(ATTR_CONTENT_TYPE, &[oid(SIGNED_DATA)]);
    check("contentType mismatch", a, &|r| {
        *r == InvalidReason::ContentTypeMismatch
    });
    // contentType missing, messageDigest missing.
    check("no contentType", usual[1..].to_vec(), &|r| {
        matches!(r, InvalidReason::BadAttributes(_))
    });
    check(
        "no messageDigest",
        vec![usual[0].clone(), usual[2].clone()],
        &|r| matches!(r, InvalidReason::BadAttributes(_)),
    );
    // Duplicate attribute (a second signingTime), and a two-valued messageDigest.
    let mut a = usual.clone();
    a.push(attribute(
        ATTR_SIGNING_TIME,
        &[utc_time(SystemTime::now() - Duration::from_secs(86_400))],
    ));
    check("duplicate signingTime", a, &|r| {
        matches!(r, InvalidReason::BadAttributes(_))
    });
    let mut a = usual.clone();
    a.push(attribute(
        ATTR_MESSAGE_DIGEST,
        &[tlv(0x04, &sha2::Sha256::digest(b"other"))],
    ));
    check("two messageDigest attributes", a, &|r| {
        matches!(r, InvalidReason::BadAttributes(_))
    });
    let mut a = usual.clone();
    let mut two = vec![
        tlv(0x04, &sha2::Sha256::digest(&content)),
        tlv(0x04, &sha2::Sha256::digest(b"other")),
    ];
    two.sort();
    a[1] = attribute(ATTR_MESSAGE_DIGEST, &two);
    check("messageDigest with two values", a, &|r| {
        matches!(r, InvalidReason::BadAttributes(_))
    });
    // Digest algorithm MD5 (the messageDigest is a real MD5-sized value; whatever
    // the signature, the algorithm must be refused).
    let md5_digest = [0x11u8; 16];
    let attrs = vec![
        usual[0].clone(),
        attribute(ATTR_MESSAGE_DIGEST, &[tlv(0x04, &md5_digest)]),
        usual[2].clone(),
    ];
    let mut si = hand_signer(&alice, &attrs);
    si.digest_alg = MD5;
    let der = signed_data(&[MD5], Some(&content), &[&alice], &[si.der()]);
    assert_invalid(
        &opaque_reason(p, &der),
        |r| matches!(r, InvalidReason::Algorithm(_)),
        "MD5",
    );
    // SHA-1 with the default policy (historic mode only).
    let attrs = vec![
        usual[0].clone(),
        attribute(
            ATTR_MESSAGE_DIGEST,
            &[tlv(0x04, &sha1::Sha1::digest(&content))],
        ),
        usual[2].clone(),
    ];
    let set = attr_set(&attrs);
    let sig = rsa_key(&alice)
        .sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(&set))
        .unwrap();
    let si = HandSigner {
        id: &alice,
        signed_attrs: Some(set),
        digest_alg: SHA1,
        sig_alg: alg(RSA_ENCRYPTION, true),
        signature: sig,
    };
    let der = signed_data(&[SHA1], Some(&content), &[&alice], &[si.der()]);
    assert_invalid(
        &opaque_reason(p, &der),
        |r| matches!(r, InvalidReason::Algorithm(_)),
        "SHA-1 by default",
    );
    let historic = Policy::historic();
    let m = reader::open(
        &wrap_opaque("alice@example.com", &der),
        &[],
        &trust(p),
        &historic,
        SystemTime::now(),
    )
    .unwrap();
    assert!(
        m.is_signature_valid(),
        "SHA-1 in historic mode: {:?}",
        statuses(&m)
    );
    // digestAlgorithm SHA-256 but signatureAlgorithm sha384WithRSAEncryption.
    let mut si = hand_signer(&alice, &usual);
    si.sig_alg = alg(SHA384_WITH_RSA, true);
    let der = signed_data(&[SHA256], Some(&content), &[&alice], &[si.der()]);
    assert_invalid(
        &opaque_reason(p, &der),
        |r| matches!(r, InvalidReason::Algorithm(_)),
        "digest/signature algorithm disagree",
    );
    // Control: sha256WithRSAEncryption as signatureAlgorithm is accepted.
    let mut si = hand_signer(&alice, &usual);
    si.sig_alg = alg(SHA256_WITH_RSA, true);
    let der = signed_data(&[SHA256], Some(&content), &[&alice], &[si.der()]);
    assert_eq!(opaque_reason_ok(p, &der), SignatureStatus::Valid);
    // A PSS signature whose parameters name SH-512 over a SHA-256 digest: made by our
    // signer with SHA-512 PSS, then the digestAlgorithm relabelled to SHA-256.
    let pss = SignedDataBuilder::new(
        &alice,
        SignOptions::default()
            .digest(smime::cms::DigestAlgorithm::Sha512)
            .rsa_padding(smime::cms::RsaSignaturePadding::Pss),
    )
    .sign_opaque_bytes(&content)
    .unwrap();
    let m = open(p, &wrap_opaque("alice@example.com", &pss));
    assert!(m.is_signature_valid(), "control: PSS SHA-512 is valid");
    let sha512_alg = alg(Oid::new_unwrap("2.16.840.1.101.3.4.2.3"), false);
    let sha256_alg = alg(SHA256, false);
    let relabelled = replace_all(&pss, &sha512_alg, &sha256_alg);
    let m = open(p, &wrap_opaque("alice@example.com", &relabelled));
    assert!(!m.is_signature_valid());
    assert!(
        matches!(statuses(&m)[0], SignatureStatus::Invalid { .. }),
        "{:?}",
        statuses(&m)
    );
}

fn opaque_reason_ok(p: &Pki, der: &[u8]) -> SignatureStatus {
    let m = open(p, &wrap_opaque("alice@example.com", der));
    statuses(&m)[0].clone()
}

/// Replaces every occurrence of `from` by `to` (same length).
fn replace_all(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = hay.to_vec();
    let mut i = 0;
    let mut n = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
            n += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(n > 0, "nothing replaced");
    out
}

/// Backdating: a signer certificate that has expired at the reference time, with a
/// signingTime inside its validity → Expired, never Valid (RFC 8550 §6).
#[test]
fn row_19_expired_signer_with_backdated_signing_time_is_expired() {
    let p = pki();
    let alice = identity(p, "alice");
    let not_after = alice.certificate().not_after();
    let not_before = alice.certificate().not_before();
    // signingTime one hour after notBefore: inside the validity.
    let claimed = not_before + Duration::from_secs(3600);
    let mut msg = headers("alice@example.com").into_bytes();
    msg.extend_from_slice(&entity("backdated"));
    for format in [SignFormat::Detached, SignFormat::Opaque] {
        let signed = smime::mime::sign_message_bytes(
            &msg,
            &alice,
            &SignOptions::default().signing_time(claimed),
            format,
        )
        .unwrap();
        // The reference time is a day after the certificate expired.
        let later = not_after + Duration::from_secs(86_400);
        let m = reader::open(&signed, &[], &trust(p), &Policy::email(), later).unwrap();
        let s = statuses(&m);
        assert!(matches!(s[0], SignatureStatus::Expired { .. }), "{s:?}");
        assert!(!m.is_signature_valid());
        assert_eq!(
            m.signatures().next().unwrap().signing_time(),
            Some(
                SystemTime::UNIX_EPOCH
                    + Duration::from_secs(
                        claimed
                            .duration_since(SystemTime::UNIX_EPOCH)
                            .unwrap()
                            .as_secs()
                    )
            )
        );
        // Control: at a time inside the validity it is Valid.
        let m = reader::open(&signed, &[], &trust(p), &now_policy(), SystemTime::now()).unwrap();
        assert!(m.is_signature_valid());
    }
}
