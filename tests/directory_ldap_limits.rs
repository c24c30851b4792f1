//! What a hostile or broken GAL server can make the LDAP source keep, wait for, or
//! leak (issue 15, finding 6): the limits of `directory::ldap_limits` against a real
//! slapd holding oversized entries, the overall lookup deadline against a small
//! server in this file that drips replies for ever, and the explicit opt-in a simple
//! bind over plain `ldap://` needs (library and CLI).
#![cfg(feature = "ldap")]

use crate::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::dir_pki::{addr, ldap_users};
use common::slapd::{BASE, ROOT_DN, ROOT_PW, Slapd, User};
use smime::DirectoryError;
use smime::directory::ldap_limits::{
    MAX_LDAP_ENTRIES_PER_SEARCH, MAX_LDAP_VALUE_BYTES, MAX_LDAP_VALUES_PER_ENTRY,
};
use smime::directory::{CertificateDirectory, LdapConfig, LdapGal, Lookup};

/// The `what` of the one LimitExceeded failure in `answer`.
#[track_caller]
fn limit_hit(answer: &Lookup) -> &'static str {
    assert!(answer.candidates().is_empty(), "{answer:?}");
    match answer.failures() {
        [f] => match &f.error {
            DirectoryError::LimitExceeded { what, .. } => what,
            other => panic!("not a limit: {other:?}"),
        },
        other => panic!("expected one failure: {other:?}"),
    }
}

fn user(uid: &str, lines: Vec<String>) -> User {
    User {
        uid: uid.into(),
        lines,
    }
}

/// Root DN: slapd's own size limit (500 for others) does not apply, so only ours does.
fn as_root(slapd: &Slapd) -> LdapGal {
    LdapGal::new(
        LdapConfig::new(slapd.url(), BASE)
            .with_bind(ROOT_DN, ROOT_PW)
            .with_plaintext_bind_allowed(),
    )
    .unwrap()
}

#[test]
fn entries_values_and_value_sizes_are_capped() {
    let crowd = MAX_LDAP_ENTRIES_PER_SEARCH + 1;
    let slapd = Slapd::start_with(|files| {
        let mut users = ldap_users(files, 0);
        // One address carried by more entries than one search may return.
        for i in 0..crowd {
            users.push(user(
                &format!("crowd{i}"),
                vec!["mail: crowd@corp.example".into()],
            ));
        }
        // Just at the cap: still read.
        users.push(user(
            "full",
            (0..MAX_LDAP_ENTRIES_PER_SEARCH.min(MAX_LDAP_VALUES_PER_ENTRY))
                .map(|i| format!("mail: full{i}@corp.example"))
                .collect(),
        ));
        // One value more than an entry may carry.
        users.push(user(
            "many",
            (0..=MAX_LDAP_VALUES_PER_ENTRY)
                .map(|i| format!("mail: many{i}@corp.example"))
                .collect(),
        ));
        // A value over the size cap (slapd checks certificate syntax, so the big
        // value is an address alias).
        users.push(user(
            "big",
            vec![
                "mail: big@corp.example".into(),
                format!("proxyAddresses: x500:{}", "x".repeat(MAX_LDAP_VALUE_BYTES)),
            ],
        ));
        users
    });
    let gal = as_root(&slapd);
    let ask = |a: &str| gal.lookup(&[addr(a)]).remove(0);

    assert_eq!(limit_hit(&ask("crowd@corp.example")), "entries per search");
    assert_eq!(limit_hit(&ask("many0@corp.example")), "values per entry");
    assert_eq!(limit_hit(&ask("big@corp.example")), "bytes per value");
    // Within the caps nothing changes: an ordinary entry, and one at the value cap.
    let ann = ask("ann@corp.example");
    assert_eq!(ann.candidates().len(), 1, "{ann:?}");
    let full = ask("full0@corp.example");
    assert!(
        full.failures().is_empty() && full.candidates().is_empty(),
        "{full:?}"
    );
    // The failure is the batch's: a good address in the same batch fails with it
    // rather than being answered from a truncated result.
    let both = gal.lookup(&[addr("ann@corp.example"), addr("many0@corp.example")]);
    assert!(both.iter().all(Lookup::is_failed), "{both:?}");
}

#[test]
fn simple_bind_over_plain_ldap_needs_an_opt_in() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let refused = LdapGal::new(LdapConfig::new(slapd.url(), BASE).with_bind(ROOT_DN, ROOT_PW));
    let error = refused.unwrap_err().to_string();
    assert!(error.contains("in clear"), "{error}");
    // Anonymous needs nothing; with the opt-in the bind happens and works.
    let anonymous = LdapGal::new(LdapConfig::new(slapd.url(), BASE)).unwrap();
    assert_eq!(
        anonymous.lookup(&[addr("ann@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    assert_eq!(
        as_root(&slapd).lookup(&[addr("ann@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    // Over TLS no opt-in is needed (the configuration is accepted; the TLS tests
    // in directory_ldap.rs connect).
    #[cfg(feature = "ldap-tls")]
    {
        assert!(
            LdapGal::new(LdapConfig::new("ldaps://127.0.0.1:1", BASE).with_bind(ROOT_DN, "x"))
                .is_ok()
        );
        assert!(
            LdapGal::new(
                LdapConfig::new("ldap://127.0.0.1:1", BASE)
                    .with_starttls()
                    .with_bind(ROOT_DN, "x")
            )
            .is_ok()
        );
    }

    // The CLI: refused (usage, exit 2) without --ldap-allow-plaintext-bind.
    let run = |extra: &[&str]| {
        let url = slapd.url();
        let mut args = vec![
            "lookup",
            "--to",
            "ann@corp.example",
            "--ldap",
            &url,
            "--ldap-base",
            BASE,
            "--ldap-bind-dn",
            ROOT_DN,
            "--ldap-password-env",
            "SMIME_TEST_LDAP_PW",
        ];
        args.extend_from_slice(extra);
        let mut cmd = Command::new(common::cli::bin());
        cmd.args(&args).env("SMIME_TEST_LDAP_PW", ROOT_PW);
        common::run(&mut cmd, b"")
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in clear"),
        "{out:?}"
    );
    let out = run(&["--ldap-allow-plaintext-bind"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.to_string().contains("ann@corp.example"), "{json}");
}

/// BER length octets (short or long form).
fn ber_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(ber_len(content.len()));
    out.extend_from_slice(content);
    out
}

/// Reads one LDAPMessage and returns its messageID (RFC 4511 §4.1.1).
fn read_message_id(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).ok()?;
    let len = if head[1] < 0x80 {
        head[1] as usize
    } else {
        let mut l = vec![0u8; (head[1] & 0x7f) as usize];
        stream.read_exact(&mut l).ok()?;
        l.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize)
    };
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    // INTEGER messageID first.
    (body.first() == Some(&0x02)).then(|| body[2..2 + body[1] as usize].to_vec())
}

/// A SearchResultEntry for `mail` under `id` (RFC 4511 §4.5.2).
fn entry(id: &[u8], n: usize, mail: &str) -> Vec<u8> {
    let vals = tlv(0x31, &tlv(0x04, mail.as_bytes()));
    let attr = tlv(0x30, &[tlv(0x04, b"mail"), vals].concat());
    let op = tlv(
        0x64,
        &[
            tlv(0x04, format!("uid=drip{n},{BASE}").as_bytes()),
            tlv(0x30, &attr),
        ]
        .concat(),
    );
    tlv(0x30, &[tlv(0x02, id), op].concat())
}

/// Answers the first request on each connection with one entry every 50 ms, for
/// ever: every reply comes well within the per-operation timeout.
fn dripping_server(sent: Arc<AtomicUsize>, stop: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ldap://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let sent = sent.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let Some(id) = read_message_id(&mut conn) else {
                    return;
                };
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    if conn.write_all(&entry(&id, n, "drip@corp.example")).is_err() {
                        return; // the client hung up
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
        }
    });
    url
}

#[test]
fn a_dripping_server_cannot_extend_the_lookup() {
    let sent = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let url = dripping_server(sent.clone(), stop.clone());
    // A per-operation timeout the drip never reaches, and a short overall deadline.
    let gal = LdapGal::new(
        LdapConfig::new(url, BASE)
            .with_timeout(Duration::from_secs(30))
            .with_lookup_deadline(Duration::from_millis(800)),
    )
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(gal.lookup(&[addr("drip@corp.example")]));
    });
    // Without the deadline the lookup would never return; this only guards the test.
    let answers = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the lookup ended");
    stop.store(true, Ordering::Relaxed);
    assert_eq!(limit_hit(&answers[0]), "lookup time (ms)");
    assert!(sent.load(Ordering::Relaxed) >= 1, "the server answered");
}
