//! The real-client corpus table: every `decrypt` / `decrypt+verify` row of
//! `clients/*/expected.tsv` (RSA and EC keys alike) is decrypted with
//! `decrypt_message_bytes` and checked against the row's encrypted layer
//! (`env:ok(..)` / `env:FAIL`, see `clients/README.txt` for the notation).
//!
//! * Outer opaque signatures (`sig(opaque):.. > env:..`) are peeled first with a small
//!   BER reader (the signature is not verified: that is the signing layer's job).
//! * After `env:ok`, the content must contain `expected_plaintext`; when the next layer
//!   is an opaque SignedData, the content must be an `application/pkcs7-mime`
//!   signed-data entity whose eContent contains it.
//! * `env:FAIL` rows (no key in the corpus opens them) must give an error with the
//!   corpus's own RSA identity.
//! * Rows whose key is EC (ECDH KeyAgreeRecipientInfo, OpenSSL-made with SHA-1 to
//!   SHA-512 X9.63 KDFs) run like the others; any row that fails fails the test.

use crate::support_vectors;

use mail_parser::{MessageParser, MimeHeaders, PartType};
use smime::mime::SmimeType;
use smime::{Identity, PrivateKey};
use support_vectors::{contains, identity_from_files, peel_opaque_signature, read};

const CORPORA: [&str; 4] = [
    "thunderbird",
    "bouncycastle",
    "kde-mimetreeparser",
    "mimekit",
];

/// How many decrypt rows the table holds today (env:ok and env:FAIL rows of
/// Thunderbird incl. the OpenSSL-made OAEP and ECDH envelopes, Bouncy Castle and
/// KMail): the test cannot pass by filtering rows away.
const MIN_ROWS: usize = 80;
/// Of them, the ECDH rows (Fran-ec, P-384).
const MIN_EC_ROWS: usize = 7;

struct Row {
    corpus: &'static str,
    file: String,
    operation: String,
    credentials: String,
    layers: String,
    plaintext: String,
}

fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    for corpus in CORPORA {
        let tsv = String::from_utf8(read(&format!("clients/{corpus}/expected.tsv"))).unwrap();
        let mut lines = tsv.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .unwrap_or_else(|| panic!("{corpus}: no column {name}"))
        };
        let (f, op, cred, layers, plain) = (
            col("file"),
            col("operation"),
            col("credentials"),
            col("expected_layers"),
            col("expected_plaintext"),
        );
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let c: Vec<&str> = line.split('\t').collect();
            let get = |i: usize| c.get(i).copied().unwrap_or("").trim().to_owned();
            out.push(Row {
                corpus,
                file: get(f),
                operation: get(op),
                credentials: get(cred),
                layers: get(layers),
                plaintext: get(plain),
            });
        }
    }
    out
}

/// The key + certificate a credentials cell names, as paths relative to the corpus:
/// "X.p12 (password: P) = derived/K.key.pem + derived/K.cert.pem",
/// "key.pem + cert.pem", "gpg.key (...) = derived/u.key.pem + derived/u.cert.pem (...)".
/// `None` for "none ..." and certificate-only cells.
fn key_and_cert(credentials: &str) -> Option<(String, String)> {
    let pair = credentials
        .split_once(" = ")
        .map_or(credentials, |(_, rhs)| rhs);
    let (key, cert) = pair.split_once(" + ")?;
    let first_word = |s: &str| s.split_whitespace().next().map(str::to_owned);
    Some((first_word(key)?, first_word(cert)?))
}

/// The identity that opens a corpus's current messages, for `env:FAIL` rows that
/// name no key (messages to someone else or to an old key).
fn corpus_identity(corpus: &str) -> Option<(&'static str, &'static str)> {
    match corpus {
        "thunderbird" => Some(("derived/Bob.key.pem", "derived/Bob.cert.pem")),
        "kde-mimetreeparser" => Some(("derived/unittest.key.pem", "derived/unittest.cert.pem")),
        "bouncycastle" => Some(("mail-smime-test/key.pem", "mail-smime-test/cert.pem")),
        _ => None,
    }
}

fn load(corpus: &str, key: &str, cert: &str) -> Identity {
    identity_from_files(
        &format!("clients/{corpus}/{cert}"),
        &format!("clients/{corpus}/{key}"),
    )
}

/// Positions of the encrypted layers (`env:ok(..)`, `env(DER):ok(..)`,
/// `env[..]:FAIL(..)`) in an expected_layers cell, with whether each is ok.
fn env_layers(layers: &str) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    let bytes = layers.as_bytes();
    let mut i = 0;
    while let Some(off) = layers[i..].find("env") {
        let at = i + off;
        let word_start = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let rest = &layers[at + 3..];
        // Optional "(...)" or "[...]" qualifier, then ":ok" / ":FAIL".
        let rest = match rest.chars().next() {
            Some('(') => rest.split_once(')').map_or("", |(_, r)| r),
            Some('[') => rest.split_once(']').map_or("", |(_, r)| r),
            _ => rest,
        };
        if word_start && rest.starts_with(":ok") {
            out.push((at, true));
        } else if word_start && rest.starts_with(":FAIL") {
            out.push((at, false));
        }
        i = at + 3;
    }
    out
}

/// Every leaf `application/(x-)pkcs7-mime` part of a multipart message, as raw
/// entity bytes (headers + body), for rows with several encrypted parts.
fn pkcs7_parts(raw: &[u8]) -> Vec<Vec<u8>> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for part in &message.parts {
        if matches!(part.body, PartType::Multipart(_) | PartType::Message(_)) {
            continue;
        }
        let is_pkcs7 = part
            .content_type()
            .and_then(|ct| ct.subtype())
            .is_some_and(|s| {
                s.eq_ignore_ascii_case("pkcs7-mime") || s.eq_ignore_ascii_case("x-pkcs7-mime")
            });
        if is_pkcs7 {
            out.push(raw[part.offset_header as usize..part.offset_end as usize].to_vec());
        }
    }
    out
}

/// Checks one row; `Err` describes what went wrong.
fn check_row(row: &Row, id: &Identity) -> Result<(), String> {
    let envs = env_layers(&row.layers);
    let Some(&(first_env, _)) = envs.first() else {
        return Err(format!("no env layer in {:?}", row.layers));
    };
    let mut message = read(&format!("clients/{}/{}", row.corpus, row.file));
    // Opaque signatures outside the encryption.
    let peels = row.layers[..first_env].matches("sig(opaque)").count();
    for n in 0..peels {
        message = peel_opaque_signature(&message)
            .ok_or_else(|| format!("outer opaque signature {n} does not unwrap"))?;
    }
    let oks = envs.iter().filter(|(_, ok)| *ok).count();
    let plaintext = row.plaintext.as_bytes();
    if oks == 0 {
        return match smime::mime::decrypt_message_bytes(&message, id) {
            Err(_) => Ok(()),
            Ok(d) => Err(format!(
                "env:FAIL but decrypted {} bytes",
                d.content().len()
            )),
        };
    }
    if oks > 1 {
        // Several encrypted parts side by side (multipart/alternative): each must open.
        let parts = pkcs7_parts(&message);
        if parts.len() < oks {
            return Err(format!(
                "{} encrypted parts found, {oks} expected",
                parts.len()
            ));
        }
        let mut found = false;
        for (i, part) in parts.iter().enumerate() {
            let d = smime::mime::decrypt_message_bytes(part, id)
                .map_err(|e| format!("part {i}: {e:?}"))?;
            found |= contains(d.content(), plaintext);
        }
        return if found {
            Ok(())
        } else {
            Err("plaintext in no part".into())
        };
    }
    let opened = smime::mime::decrypt_message_bytes(&message, id).map_err(|e| format!("{e:?}"))?;
    // In a multipart whose other parts are not encrypted, the row's plaintext may be
    // in one of those (KMail's "not so ambiguous" message): then it must be there.
    let in_multipart = row.layers[..first_env].contains('{');
    let plaintext: &[u8] = if in_multipart && contains(&message, plaintext) {
        b""
    } else {
        plaintext
    };
    let after = row.layers[first_env..]
        .split_once(" > ")
        .map_or("", |(_, next)| next);
    if after.starts_with("sig(opaque)") {
        let part = smime::mime::find_enveloped(opened.content())
            .map_err(|e| format!("inner signed entity: {e:?}"))?;
        if part.smime_type() != SmimeType::SignedData {
            return Err(format!(
                "inner layer is {:?}, not signed-data",
                part.smime_type()
            ));
        }
        let inner = peel_opaque_signature(opened.content())
            .ok_or("inner opaque signature does not unwrap")?;
        if !contains(&inner, plaintext) {
            return Err("plaintext not in the signed content".into());
        }
    } else if !contains(opened.content(), plaintext) {
        return Err(format!(
            "plaintext {:?} not in the decrypted content ({} bytes)",
            row.plaintext,
            opened.content().len()
        ));
    }
    Ok(())
}

#[test]
fn clients_table_decrypt_rows() {
    let mut passed = Vec::new();
    let mut ec_rows = 0usize;
    let mut failed = Vec::new();
    for row in rows() {
        if row.operation != "decrypt" && row.operation != "decrypt+verify" {
            continue;
        }
        let name = format!("{}/{}", row.corpus, row.file);
        let id = match key_and_cert(&row.credentials) {
            Some((key, cert)) => load(row.corpus, &key, &cert),
            None => {
                // No key named: only env:FAIL rows make sense, with the corpus's own key.
                let all_fail = env_layers(&row.layers).iter().all(|(_, ok)| !ok);
                match corpus_identity(row.corpus) {
                    Some((key, cert)) if all_fail => load(row.corpus, key, cert),
                    _ => {
                        failed.push(format!(
                            "{name}: no usable credentials for {:?}",
                            row.layers
                        ));
                        continue;
                    }
                }
            }
        };
        if !matches!(id.private_key(), PrivateKey::Rsa(_)) {
            ec_rows += 1;
        }
        match check_row(&row, &id) {
            Ok(()) => passed.push(name),
            Err(why) => failed.push(format!("{name}: {why}")),
        }
    }
    println!(
        "clients table: {} rows passed ({ec_rows} of them ECDH), {} failed",
        passed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failed rows:\n{}", failed.join("\n"));
    assert!(passed.len() >= MIN_ROWS, "only {} rows ran", passed.len());
    assert!(ec_rows >= MIN_EC_ROWS, "only {ec_rows} ECDH rows ran");
    // The cases the brief singles out are among them.
    for must in [
        "bouncycastle/mail-smime-test/test128.message",
        "bouncycastle/mail-smime-test/test192.message",
        "bouncycastle/mail-smime-test/test256.message",
        "bouncycastle/mail-smime-test/outlook_2010_beta_sime_msg.eml",
        "kde-mimetreeparser/testdata/smime-encrypted-octet-stream.mbox",
        "thunderbird/smime-interop/fran-ec_ossl-aes256-sha512.env",
        "thunderbird/nss-interop-openssl/fran-ec_ossl-aes128-sha1.env",
    ] {
        assert!(passed.iter().any(|p| p == must), "{must} did not run");
    }
}

#[test]
fn env_layer_notation_is_parsed() {
    assert_eq!(env_layers("env:ok(Bob) > text/plain"), [(0, true)]);
    assert_eq!(
        env_layers("sig(opaque):ok(Dave) > env:ok(Bob) > x").len(),
        1
    );
    assert_eq!(
        env_layers("[octet-stream .p7m] env(DER):ok(u) > text/plain"),
        [(20, true)]
    );
    assert_eq!(
        env_layers("env[smime-type=signed-data]:FAIL(*)"),
        [(0, false)]
    );
    assert_eq!(
        env_layers("multipart/alternative{env:ok(Bob) > a | env:ok(Bob) > b | *}").len(),
        2
    );
    assert!(env_layers("sig(detached):ok(Alice) > text/plain").is_empty());
    assert_eq!(
        key_and_cert("smime/Bob.p12 (password: nss) = derived/Bob.key.pem + derived/Bob.cert.pem"),
        Some(("derived/Bob.key.pem".into(), "derived/Bob.cert.pem".into()))
    );
    assert_eq!(
        key_and_cert("mail-smime-test/key.pem + mail-smime-test/cert.pem"),
        Some((
            "mail-smime-test/key.pem".into(),
            "mail-smime-test/cert.pem".into()
        ))
    );
    assert_eq!(
        key_and_cert("none (signer certificate embedded in the message)"),
        None
    );
    assert_eq!(key_and_cert("dotnet_enc_cert.pem (certificate only)"), None);
}
