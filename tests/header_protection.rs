//! Header protection (RFC 9788) against real peers and the public vectors:
//!
//! * what `smime encrypt` seals decrypts with `openssl cms -decrypt`; the inner part
//!   carries the original Subject with `hp="cipher"`, the outer Subject is `[...]`,
//!   and Python's `email` package parses the inner part's header fields;
//! * the five protected-headers vectors open with the expected inner Subject and
//!   From;
//! * what the encryptor sends has the structure of those vectors, compared field by
//!   field, layer by layer;
//! * reading presents the protected fields and keeps flagging a From mismatch.

use crate::common;
use crate::sample;
use crate::support_vectors;

use std::io::Cursor;
use std::process::Command;
use std::time::{Duration, SystemTime};

use common::cli;
use common::pki::pki;
use common::{openssl, run_checked, temp_dir, write_file};
use smime::cms::{EnvelopeOptions, SignOptions};
use smime::mime::{HeaderProtection, HpScheme, SignFormat};
use smime::reader;
use smime::trust::{Policy, TrustStore};
use smime::{Certificate, Identity};
use support_vectors::{identity_from_p12, read};

const SUBJECT: &str = "Quarterly numbers: do not forward";

fn message() -> Vec<u8> {
    format!(
        "From: Alice <alice@example.com>\r\n\
To: Bob <bob@example.com>\r\n\
Subject: {SUBJECT}\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <hp-1@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello Bob,\r\nthe numbers are in.\r\n"
    )
    .into_bytes()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// (name, raw value) of each field of the header block at the start of `entity`.
fn fields(entity: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(entity).replace("\r\n", "\n");
    let head = text.split("\n\n").next().unwrap_or_default().to_owned();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            out.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn structural(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("content-") || n == "mime-version"
}

#[test]
fn openssl_decrypts_what_we_seal_and_the_subject_is_only_inside() {
    let p = pki();
    let message = message();
    for legacy in ["on", "off"] {
        let enc = cli::encrypt(
            p,
            &message,
            &["bob"],
            &["--cipher", "aes-256-cbc", "--legacy-display", legacy],
        );
        let outer = fields(&enc);
        assert_eq!(get(&outer, "Subject"), Some("[...]"), "outer Subject");
        assert_eq!(get(&outer, "From"), Some("Alice <alice@example.com>"));
        assert!(!contains(&enc, SUBJECT), "the Subject leaks outside");
        let dec = openssl::decrypt(&enc, &p.cert("bob"), &p.key("bob"))
            .unwrap_or_else(|e| panic!("openssl cms -decrypt: {e}"));
        let inner = fields(&dec);
        assert_eq!(get(&inner, "Subject"), Some(SUBJECT), "inner Subject");
        let ct = get(&inner, "Content-Type").expect("inner Content-Type");
        assert!(ct.contains("hp=\"cipher\""), "{ct}");
        assert_eq!(
            ct.contains("hp-legacy-display=\"1\""),
            legacy == "on",
            "{ct}"
        );
        let hp_outer: Vec<&str> = inner
            .iter()
            .filter(|(n, _)| n == "HP-Outer")
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(hp_outer.contains(&"Subject: [...]"), "{hp_outer:?}");
        // The body starts with the Legacy Display Element exactly when asked for.
        let text = String::from_utf8_lossy(&dec).into_owned();
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or_default();
        assert_eq!(
            body.starts_with(&format!("Subject: {SUBJECT}\r\n\r\n")),
            legacy == "on",
            "{body}"
        );
        python_email_reads(&dec);
    }
    // Off: sealed as before RFC 9788, the Subject stays outside, nothing is added.
    let enc = cli::encrypt(p, &message, &["bob"], &["--no-header-protection"]);
    assert_eq!(get(&fields(&enc), "Subject"), Some(SUBJECT));
    let dec = openssl::decrypt(&enc, &p.cert("bob"), &p.key("bob")).unwrap();
    assert!(!contains(&dec, "hp="), "no hp parameter when off");
    assert!(get(&fields(&dec), "Subject").is_none());
}

/// Python's standard `email` package parses the decrypted part's header section:
/// Subject, the `hp` parameter, the HP-Outer record.
fn python_email_reads(decrypted: &[u8]) {
    const SCRIPT: &str = r#"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m["Subject"])
print(m["From"].addresses[0].addr_spec)
print(m.get_param("hp"))
print("|".join(str(v) for v in m.get_all("HP-Outer")))
print(m.get_content_type())
"#;
    let dir = temp_dir();
    let path = write_file(dir.path(), "inner.eml", decrypted);
    let mut cmd = Command::new("python3");
    cmd.args(["-c", SCRIPT]).arg(&path);
    let out = run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("python email: {e}"));
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], SUBJECT);
    assert_eq!(lines[1], "alice@example.com");
    assert_eq!(lines[2], "cipher");
    assert!(lines[3].split('|').any(|v| v == "Subject: [...]"), "{out}");
    assert_eq!(lines[4], "text/plain");
}

/// The sample CA of the vectors' certificates, Bob's identity from bob.p12, and a time
/// inside the certificates' validity.
fn vectors_setup() -> (TrustStore, Identity, SystemTime) {
    let mut trust = TrustStore::new();
    for c in Certificate::load(&read("protected-headers/sample-ca.pem")).unwrap() {
        trust.add_anchor(c);
    }
    let bob = identity_from_p12(&read("protected-headers/bob.p12"), "bob");
    let time = bob.certificate().not_before() + Duration::from_secs(86_400);
    (trust, bob, time)
}

#[test]
fn the_five_vectors_open_with_their_inner_subject_and_from() {
    let (trust, bob, time) = vectors_setup();
    let from = "Alice Lovelace <alice@smime.example>";
    for (file, subject, encrypted) in [
        ("smime-multipart-signed.eml", "The FooCorp contract", false),
        ("smime-onepart-signed.eml", "The FooCorp contract", false),
        (
            "smime-sign+enc.eml",
            "BarCorp contract signed, let's go!",
            true,
        ),
        (
            "smime-sign+enc+legacy-disp.eml",
            "BarCorp contract signed, let's go!",
            true,
        ),
        (
            "smime-enc+legacy-disp.eml",
            "BarCorp contract signed, let's go!",
            true,
        ),
    ] {
        let raw = read(&format!("protected-headers/{file}"));
        let opened = reader::open(&raw, &[&bob], &trust, &Policy::email(), time)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let hp = opened
            .header_protection()
            .unwrap_or_else(|| panic!("{file}: no protected header section"));
        assert_eq!(hp.scheme(), HpScheme::LegacyV1, "{file}");
        assert_eq!(opened.subject().as_deref(), Some(subject), "{file}");
        assert_eq!(opened.header("From").as_deref(), Some(from), "{file}");
        assert!(opened.protected_fields().contains(&"Subject"), "{file}");
        assert!(!opened.header_mismatch(), "{file}");
        let outer = opened.outer_headers().get("Subject").map(|f| f.value());
        if encrypted {
            assert_eq!(outer, Some("..."), "{file}: the vector's obscured Subject");
        } else {
            assert_eq!(outer, Some(subject), "{file}");
        }
    }
}

/// Ours: sign (opaque, as the vectors) and encrypt to the vectors' Bob with the
/// encryptor's defaults; the vector: smime-sign+enc.eml. Layer by layer the same
/// fields, with the same values where the message is the same.
#[test]
fn what_we_send_has_the_vectors_structure() {
    let (_, bob, _) = vectors_setup();
    let vector = read("protected-headers/smime-sign+enc.eml");
    let vector_inner = smime::mime::decrypt_message_bytes(&vector, &bob).unwrap();
    let vector_payload = read("protected-headers/smime-sign+enc.inner.inner");
    // The same message as the vector's payload, sealed by us.
    let payload_fields = fields(&vector_payload);
    let mut ours_in = String::new();
    for (n, v) in &payload_fields {
        if n == "Content-Type" {
            ours_in.push_str("Content-Type: text/plain; charset=\"us-ascii\"\r\n");
        } else {
            ours_in.push_str(&format!("{n}: {v}\r\n"));
        }
    }
    ours_in.push_str("MIME-Version: 1.0\r\n\r\nHi Bob!\r\n");
    let alice = sample::alice().unwrap();
    let mut sealed = Vec::new();
    smime::mime::sign_and_encrypt_message_protected(
        ours_in.as_bytes(),
        &alice,
        &SignOptions::default(),
        SignFormat::Opaque,
        std::slice::from_ref(bob.certificate()),
        &EnvelopeOptions::default(),
        HeaderProtection::default(),
        Cursor::new(&mut sealed),
    )
    .unwrap();

    // Layer 1, outside: the same non-structural fields (the vector's Received was
    // added in transit), Subject obscured in both, the rest equal.
    let outer_names = |f: &[(String, String)]| -> Vec<String> {
        let mut v: Vec<String> = f
            .iter()
            .filter(|(n, _)| !structural(n) && n != "Received")
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        v.sort();
        v
    };
    let (theirs, ours) = (fields(&vector), fields(&sealed));
    assert_eq!(
        outer_names(&ours),
        outer_names(&theirs),
        "outer field names"
    );
    for (n, v) in theirs
        .iter()
        .filter(|(n, _)| !structural(n) && n != "Received")
    {
        if n == "Subject" {
            assert_ne!(
                get(&ours, n),
                get(&payload_fields, n),
                "outer Subject obscured"
            );
            assert_eq!(get(&ours, n), Some("[...]"));
            assert_ne!(v, get(&payload_fields, n).unwrap(), "vector obscures too");
        } else {
            assert_eq!(get(&ours, n), Some(v.as_str()), "outer {n}");
        }
    }
    for f in [&theirs, &ours] {
        let ct = get(f, "Content-Type").unwrap().to_ascii_lowercase();
        assert!(ct.starts_with("application/pkcs7-mime"), "{ct}");
        assert!(ct.contains("enveloped-data"), "{ct}");
        assert_eq!(get(f, "Content-Transfer-Encoding"), Some("base64"));
    }

    // Layer 2, decrypted: an opaque signed-data entity, MIME fields only.
    let ours_inner = smime::mime::decrypt_message_bytes(&sealed, &bob).unwrap();
    for (who, entity) in [
        ("vector", vector_inner.content()),
        ("ours", ours_inner.content()),
    ] {
        let f = fields(entity);
        assert!(f.iter().all(|(n, _)| structural(n)), "{who}: {f:?}");
        let ct = get(&f, "Content-Type").unwrap().to_ascii_lowercase();
        assert!(ct.contains("signed-data"), "{who}: {ct}");
    }

    // Layer 3, the Cryptographic Payload: every field of the message, the same
    // values, and the Content-Type marks the protection (the vector predates
    // RFC 9788: protected-headers="v1"; ours hp="cipher" plus the HP-Outer record).
    let ours_opened = reader::open(
        &sealed,
        &[&bob],
        &TrustStore::new(),
        &Policy::email(),
        SystemTime::now(),
    )
    .unwrap();
    let ours_payload = fields(ours_opened.content());
    for (n, v) in payload_fields.iter().filter(|(n, _)| !structural(n)) {
        assert_eq!(get(&ours_payload, n), Some(v.as_str()), "payload {n}");
    }
    let names = |f: &[(String, String)]| -> Vec<String> {
        let mut v: Vec<String> = f
            .iter()
            .filter(|(n, _)| !structural(n) && n != "HP-Outer")
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&ours_payload),
        names(&payload_fields),
        "payload field names"
    );
    assert!(
        get(&payload_fields, "Content-Type")
            .unwrap()
            .contains("protected-headers=\"v1\"")
    );
    assert!(
        get(&ours_payload, "Content-Type")
            .unwrap()
            .contains("hp=\"cipher\"")
    );
    let recorded: Vec<&str> = ours_payload
        .iter()
        .filter(|(n, _)| n == "HP-Outer")
        .map(|(_, v)| v.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        recorded.len(),
        outer_names(&ours).len(),
        "one HP-Outer per outer field"
    );
    // And our reader presents it as the vectors' is presented.
    assert_eq!(
        ours_opened.subject().as_deref(),
        get(&payload_fields, "Subject")
    );
    assert_eq!(
        ours_opened.header_protection().unwrap().scheme(),
        HpScheme::Cipher
    );
    assert_eq!(
        ours_opened.header_protection().unwrap().confidential(),
        ["Subject"]
    );
}

/// A protected From that differs from the outer one is still flagged; outer fields
/// are ignored when the payload says hp="cipher".
#[test]
fn reading_prefers_protected_fields_and_flags_a_from_mismatch() {
    let (_, bob, _) = vectors_setup();
    let message = b"From: Alice <alice@example.com>\r\nSubject: inside\r\n\r\nhi\r\n";
    let mut sealed = smime::mime::encrypt_message_protected(
        Cursor::new(&message[..]),
        std::slice::from_ref(bob.certificate()),
        &EnvelopeOptions::default(),
        HeaderProtection::default(),
        Vec::new(),
    )
    .unwrap();
    // Swap the outer From and Subject as a server might.
    let text = String::from_utf8(sealed.clone())
        .unwrap()
        .replacen(
            "From: Alice <alice@example.com>",
            "From: mallory@example.net",
            1,
        )
        .replacen("Subject: [...]", "Subject: outside", 1);
    sealed = text.into_bytes();
    let opened = reader::open(
        &sealed,
        &[&bob],
        &TrustStore::new(),
        &Policy::email(),
        SystemTime::now(),
    )
    .unwrap();
    assert!(opened.header_mismatch());
    assert_eq!(opened.subject().as_deref(), Some("inside"));
    assert_eq!(
        opened.header("From").as_deref(),
        Some("Alice <alice@example.com>")
    );
    // Not in the payload: not shown, whatever the outside says.
    assert_eq!(opened.header("Cc"), None);
    // Without header protection the outer fields are shown as today.
    let plain = smime::mime::encrypt_message_bytes(
        b"From: a@example.com\r\nSubject: open\r\n\r\nhi\r\n",
        std::slice::from_ref(bob.certificate()),
        &EnvelopeOptions::default(),
    )
    .unwrap();
    let opened = reader::open(
        &plain,
        &[&bob],
        &TrustStore::new(),
        &Policy::email(),
        SystemTime::now(),
    )
    .unwrap();
    assert!(opened.header_protection().is_none());
    assert_eq!(opened.subject().as_deref(), Some("open"));
    assert!(opened.protected_fields().is_empty());
}
