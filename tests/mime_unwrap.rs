//! `find_enveloped` and `open_root_stream` over real messages written by other
//! implementations (Thunderbird/NSS, KMail/gpgsm, Outlook, .NET, Bouncy Castle,
//! OpenSSL, the protected-headers vectors), and over hostile input.
//!
//! For each message we check that the part found decodes to CMS whose outer
//! `ContentInfo.contentType` is the layer the corpus says comes first: EnvelopedData /
//! AuthEnvelopedData for an encrypted layer, SignedData for an opaque signature.

use std::fs;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cms::content_info::ContentInfo;
use der::Decode;
use der::asn1::ObjectIdentifier;
use smime::MimeError;
use smime::mime::{RootStream, SmimeType, find_enveloped, open_root_stream};

const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata");

const ENVELOPED: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const AUTH_ENVELOPED: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.23");
const SIGNED: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

fn path(rel: &str) -> PathBuf {
    Path::new(TESTDATA).join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    fs::read(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The outer content type of a CMS ContentInfo: decoded with the `cms` crate when it
/// is DER, otherwise read from the BER header (indefinite length is common).
fn content_type(cms: &[u8]) -> ObjectIdentifier {
    if let Ok(ci) = ContentInfo::from_der(cms) {
        return ci.content_type;
    }
    assert_eq!(cms.first(), Some(&0x30), "CMS must start with a SEQUENCE");
    let len_byte = cms[1];
    let oid_at = match len_byte {
        0x80 => 2,
        0x00..=0x7f => 2,
        n => 2 + usize::from(n & 0x7f),
    };
    assert_eq!(
        cms[oid_at], 0x06,
        "contentType OID must follow the SEQUENCE header"
    );
    let oid_len = usize::from(cms[oid_at + 1]);
    ObjectIdentifier::from_bytes(&cms[oid_at + 2..oid_at + 2 + oid_len]).expect("valid OID")
}

/// What `expected_layers` says the first CMS layer is: `Some(true)` for an encrypted
/// layer, `Some(false)` for an opaque signature, `None` when there is no
/// `application/pkcs7-mime` layer at all.
fn first_cms_layer(layers: &str) -> Option<bool> {
    let env = layers
        .match_indices("env")
        .find(|(i, _)| *i == 0 || b" {|]".contains(&layers.as_bytes()[i - 1]))
        .map(|(i, _)| i);
    // An opaque signature, or bare DER SignedData (`sig(DER)`, `sig(DER,detached)`).
    let opaque = ["sig(opaque)", "sig(DER"]
        .iter()
        .filter_map(|p| layers.find(p))
        .min();
    match (env, opaque) {
        (Some(e), Some(o)) => Some(e < o),
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    }
}

/// Counters for the summary printed by the corpus test (`--nocapture` shows it).
static DER_DECODED: AtomicUsize = AtomicUsize::new(0);
static STREAMED: AtomicUsize = AtomicUsize::new(0);
static NESTED: AtomicUsize = AtomicUsize::new(0);

fn check(rel: &str, encrypted: bool) -> Result<(SmimeType, Vec<usize>), String> {
    let raw = read(rel);
    let part = find_enveloped(&raw).map_err(|e| format!("{rel}: {e}"))?;
    let oid = content_type(part.cms());
    if ContentInfo::from_der(part.cms()).is_ok() {
        DER_DECODED.fetch_add(1, Ordering::Relaxed);
    }
    if !part.path().is_empty() {
        NESTED.fetch_add(1, Ordering::Relaxed);
    }
    let ok = if encrypted {
        oid == ENVELOPED || oid == AUTH_ENVELOPED
    } else {
        oid == SIGNED
    };
    if !ok {
        return Err(format!(
            "{rel}: content type {oid}, expected encrypted={encrypted}"
        ));
    }
    // The streaming path must agree whenever it takes the message.
    match open_root_stream(BufReader::with_capacity(100, raw.as_slice())) {
        Ok(RootStream::Smime(mut s)) => {
            let mut streamed = Vec::new();
            s.read_to_end(&mut streamed)
                .map_err(|e| format!("{rel}: streaming: {e}"))?;
            if streamed != part.cms() {
                return Err(format!("{rel}: streamed CMS differs from find_enveloped"));
            }
            if !part.path().is_empty() {
                return Err(format!("{rel}: streamed, but the part is not the root"));
            }
            STREAMED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(RootStream::NotRootSmime(n)) => {
            let mut all = Vec::new();
            n.into_reader().read_to_end(&mut all).unwrap();
            if all != raw {
                return Err(format!("{rel}: fallback reader lost bytes"));
            }
        }
        Err(e) => return Err(format!("{rel}: open_root_stream: {e}")),
    }
    Ok((part.smime_type(), part.path().to_vec()))
}

#[test]
fn client_corpora_expected_tsv() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for corpus in [
        "thunderbird",
        "bouncycastle",
        "kde-mimetreeparser",
        "mimekit",
    ] {
        let tsv = fs::read_to_string(path(&format!("clients/{corpus}/expected.tsv"))).unwrap();
        for row in tsv.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            let (file, operation, layers) = (cols[0], cols[1], cols[6]);
            if !operation.contains("decrypt") && !operation.contains("verify") {
                continue;
            }
            let rel = format!("clients/{corpus}/{file}");
            if !path(&rel).is_file() {
                continue;
            }
            match first_cms_layer(layers) {
                Some(encrypted) => {
                    checked += 1;
                    if let Err(e) = check(&rel, encrypted) {
                        failures.push(e);
                    }
                }
                None => {
                    // Detached signatures only: no application/pkcs7-mime part.
                    let mut raw = read(&rel);
                    if layers.contains("[http-request-line-stripped]") {
                        // AS2 over HTTP: the message starts after the request line.
                        let eol = raw.iter().position(|&b| b == b'\n').unwrap();
                        raw.drain(..=eol);
                    }
                    match find_enveloped(&raw) {
                        Err(MimeError::NoSmimePart { .. }) => {}
                        other => {
                            failures.push(format!("{rel}: expected NoSmimePart, got {other:?}"))
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 80, "only {checked} messages checked");
    eprintln!(
        "{checked} messages: {} streamed, {} inside a multipart, {} DER (rest BER)",
        STREAMED.load(Ordering::Relaxed),
        NESTED.load(Ordering::Relaxed),
        DER_DECODED.load(Ordering::Relaxed)
    );
}

#[test]
fn named_real_messages() {
    let cases: &[(&str, bool, SmimeType, &[usize])] = &[
        (
            "protected-headers/smime-enc+legacy-disp.eml",
            true,
            SmimeType::EnvelopedData,
            &[],
        ),
        (
            "protected-headers/smime-sign+enc.eml",
            true,
            SmimeType::EnvelopedData,
            &[],
        ),
        (
            "protected-headers/smime-sign+enc+legacy-disp.eml",
            true,
            SmimeType::EnvelopedData,
            &[],
        ),
        (
            "protected-headers/smime-onepart-signed.eml",
            false,
            SmimeType::SignedData,
            &[],
        ),
        // KMail sends the encrypted part as application/octet-stream named smime.p7m.
        (
            "clients/kde-mimetreeparser/testdata/smime-encrypted-octet-stream.mbox",
            true,
            SmimeType::Unknown,
            &[],
        ),
        // The encrypted part is the second child of a multipart/mixed.
        (
            "clients/kde-mimetreeparser/testdata/smime-encrypted-ambiguous-mime.mbox",
            true,
            SmimeType::Unknown,
            &[1],
        ),
        (
            "clients/kde-mimetreeparser/testdata/smime-encrypted-not-so-ambiguous-mime.mbox",
            true,
            SmimeType::Unknown,
            &[1],
        ),
        // Bare DER written by gpgsm.
        (
            "clients/kde-mimetreeparser/testdata/smime.p7m",
            true,
            SmimeType::Unknown,
            &[],
        ),
        // .NET labels its EnvelopedData "signed-data".
        (
            "bouncycastle/smime/dotnet_encrypted_mail.eml",
            true,
            SmimeType::SignedData,
            &[],
        ),
        (
            "bouncycastle/smime/outlook_2010_beta_sime_msg.eml",
            true,
            SmimeType::EnvelopedData,
            &[],
        ),
        (
            "bouncycastle/smime/test128.message",
            true,
            SmimeType::EnvelopedData,
            &[],
        ),
        (
            "bouncycastle/smime/test256.message",
            true,
            SmimeType::EnvelopedData,
            &[],
        ),
        ("rfc4134/4.9.eml", false, SmimeType::SignedData, &[]),
        ("rfc4134/5.3.eml", true, SmimeType::EnvelopedData, &[]),
    ];
    for &(rel, encrypted, smime_type, part_path) in cases {
        let (t, p) = check(rel, encrypted).unwrap();
        assert_eq!(t, smime_type, "{rel}");
        assert_eq!(p, part_path, "{rel}");
    }
    let part = find_enveloped(&read("protected-headers/smime-sign+enc.eml")).unwrap();
    let subject = part.outer_headers().get("subject").unwrap().value();
    assert!(!subject.is_empty());
}

#[test]
fn detached_only_messages_have_no_smime_part() {
    for rel in [
        "openssl/smime-eml/SignedInvalidMappingFromanyPolicyTest7.eml",
        "openssl/smime-eml/pkcs7-empty-digest-set.eml",
        "protected-headers/smime-multipart-signed.eml",
        "rfc4134/4.8.eml",
        "bouncycastle/smime/3nnn_smime.eml",
        "bouncycastle/smime/qp-soft-break.eml",
    ] {
        match find_enveloped(&read(rel)) {
            Err(MimeError::NoSmimePart { expected }) => {
                assert_eq!(expected, "application/pkcs7-mime")
            }
            other => panic!("{rel}: {other:?}"),
        }
    }
}

fn lcg_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

#[test]
fn hostile_input_gives_typed_errors() {
    assert!(matches!(
        find_enveloped(b""),
        Err(MimeError::Malformed { .. })
    ));
    assert!(matches!(
        open_root_stream(&b""[..]),
        Err(MimeError::Malformed { .. })
    ));

    // 50 MB of garbage: refused quickly, whichever way it starts.
    let mut garbage = lcg_bytes(50 << 20, 1);
    garbage[0] = b'x';
    let err = find_enveloped(&garbage).unwrap_err();
    assert!(
        matches!(
            err,
            MimeError::Malformed { .. } | MimeError::LimitExceeded { .. }
        ),
        "{err:?}"
    );
    let err = match open_root_stream(garbage.as_slice()) {
        Err(e) => e,
        Ok(_) => panic!("garbage accepted as S/MIME"),
    };
    assert!(
        matches!(
            err,
            MimeError::Malformed { .. } | MimeError::LimitExceeded { .. }
        ),
        "{err:?}"
    );
    // One endless header line.
    let mut long = b"Subject: ".to_vec();
    long.resize(50 << 20, b'a');
    assert!(matches!(
        find_enveloped(&long),
        Err(MimeError::LimitExceeded { .. })
    ));
    drop((garbage, long));

    // Truncated base64: cut so that one digit of a group is left.
    let raw = read("protected-headers/smime-enc+legacy-disp.eml");
    let body_start = raw.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
    let mut cut = raw.len() / 2;
    let digits = |end: usize| {
        raw[body_start..end]
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/')
            .count()
    };
    while digits(cut) % 4 != 1 {
        cut += 1;
    }
    assert!(matches!(
        find_enveloped(&raw[..cut]),
        Err(MimeError::Base64)
    ));
    let RootStream::Smime(mut s) = open_root_stream(&raw[..cut]).unwrap() else {
        panic!("root S/MIME expected");
    };
    let err = s.read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

    // A bad character in the middle of the body.
    let mut bad = raw.clone();
    bad[body_start + 10] = b'*';
    assert!(matches!(find_enveloped(&bad), Err(MimeError::Base64)));

    // Deeply nested multiparts (10 000 levels): refused, no stack overflow.
    let depth = 10_000;
    let mut msg = String::from("Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
    for i in 1..depth {
        msg.push_str(&format!(
            "--b{}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n",
            i - 1
        ));
    }
    msg.push_str("--x\r\nContent-Type: application/pkcs7-mime\r\n\r\n0\r\n");
    let err = find_enveloped(msg.as_bytes()).unwrap_err();
    assert!(
        matches!(err, MimeError::LimitExceeded { limit: 32, .. }),
        "{err:?}"
    );

    // Random short inputs and mutations of a real message never panic.
    for seed in 0..2000u64 {
        let len = (seed as usize * 37) % 3000;
        let junk = lcg_bytes(len, seed);
        let _ = find_enveloped(&junk);
        let mut mutated = raw.clone();
        for (i, b) in lcg_bytes(8, seed ^ 0xabcdef).iter().enumerate() {
            let at = (usize::from(*b) * 997 + i * 131 + seed as usize * 7919) % mutated.len();
            mutated[at] = *b;
        }
        let _ = find_enveloped(&mutated);
        if let Ok(RootStream::Smime(mut s)) = open_root_stream(mutated.as_slice()) {
            let _ = s.read_to_end(&mut Vec::new());
        }
    }
}

#[test]
fn errors_read_as_sentences() {
    let cases = [
        MimeError::Malformed {
            reason: "the message is empty".into(),
        },
        MimeError::NoSmimePart {
            expected: "application/pkcs7-mime",
        },
        MimeError::Base64,
        MimeError::LimitExceeded {
            what: "multipart nesting depth",
            limit: 32,
        },
        MimeError::Io(std::io::Error::other("disk gone")),
    ];
    for e in cases {
        let text = e.to_string();
        assert!(text.len() > 10 && !text.contains("{"), "{text}");
        let wrapped: smime::Error = e.into();
        assert!(!wrapped.to_string().is_empty());
    }
}
