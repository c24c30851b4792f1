//! The quickstart: the whole mail-app story on the built-in sample data, in one run.
//!
//! Alice's mail app has three places to find certificates — the organisation's global
//! address list (GAL), her contacts and the certificates she installed. She writes to
//! Bob (in the GAL), Dave (in her contacts) and Carol (nowhere yet): two blue locks,
//! one red, "Unable to Encrypt". She removes Carol: "Encrypted"; she sends; Bob opens
//! it with a blue check; the Subject travelled encrypted (outside it reads "[...]").
//! Bob's app learns Alice's certificate from her verified message, so his reply is
//! encrypted without an Install. Then Carol sends Alice a signed message: her CA is unknown,
//! so Alice views the certificate, taps Trust and Install — and now she can encrypt
//! to Carol. Finally she removes Carol's certificate again.
//!
//! ```text
//! cargo run --example quickstart
//! cargo run --example quickstart --features ldap -- --ldap ldap://localhost:389 dc=corp,dc=example
//! ```

use std::io::{IsTerminal, Write};
use std::time::SystemTime;

use base64::Engine;
use smime::EmailAddress;
use smime::compose::{Composition, Lock};
use smime::directory::{
    Cached, CertificateDirectory, Contacts, InstalledStore, Layered, MemoryDirectory,
};
use smime::encryptor::{Encryptor, RecipientStatus, SealOptions};
use smime::trust::{Policy, Purpose, TrustStore};

#[allow(dead_code)]
#[path = "sample/mod.rs"]
mod sample;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Out {
    color: bool,
}

impl Out {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn blue(&self, t: &str) -> String {
        self.paint("1;34", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn step(&self, t: &str) {
        println!("\n{}", self.paint("1", &format!("▸ {t}")));
    }
}

fn addr(s: &str) -> Result<EmailAddress> {
    Ok(s.parse()?)
}

fn gal(args: &[String]) -> Result<Box<dyn CertificateDirectory>> {
    if let [flag, url, base] = args
        && flag == "--ldap"
    {
        return ldap(url, base);
    }
    let bob = sample::bob()?.certificate().clone();
    let alice = sample::alice()?.certificate().clone();
    Ok(Box::new(Cached::new(MemoryDirectory::from_certificates(
        "Global Address List",
        [alice, bob],
    ))))
}

#[cfg(feature = "ldap")]
fn ldap(url: &str, base: &str) -> Result<Box<dyn CertificateDirectory>> {
    use smime::directory::{LdapConfig, LdapGal};
    Ok(Box::new(Cached::new(LdapGal::new(LdapConfig::new(
        url, base,
    ))?)))
}

#[cfg(not(feature = "ldap"))]
fn ldap(_url: &str, _base: &str) -> Result<Box<dyn CertificateDirectory>> {
    Err("--ldap needs --features ldap".into())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Out {
        color: std::io::stdout().is_terminal(),
    };
    let now = SystemTime::now();
    // The account's trust rules, built once; the time is an argument of each call.
    let policy = Policy::email();

    // ── Once per account ────────────────────────────────────────────────────────
    let folder = tempfile::tempdir()?;
    let store = InstalledStore::open(folder.path())?; // install / remove / trust
    let dave = sample::dave()?;
    let vcard = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dave\r\nEMAIL:dave@partner.example\r\n\
         KEY:data:application/pkix-cert;base64,{}\r\nEND:VCARD\r\n",
        base64::engine::general_purpose::STANDARD.encode(dave.certificate().der())
    );
    let contacts = Contacts::from_vcf("Contacts", vcard.as_bytes());
    let directory = Layered::new(vec![
        Box::new(store.clone()),
        Box::new(contacts),
        gal(&args)?,
    ]);
    let mut trust = TrustStore::new().with_user_trust(std::sync::Arc::new(store.clone()));
    trust.add_anchor(sample::ca()?);
    trust.add_anchor(sample::partner_ca()?);
    let me = sample::alice()?;
    let encryptor = Encryptor::new(&directory, &trust)
        .encrypt_to_self(&me)
        .with_preferences(&store);

    // ── While Alice types ───────────────────────────────────────────────────────
    out.step("Alice writes to Bob, Dave and Carol (Encrypt by Default is on)");
    let mut draft = Composition::new(true);
    draft.add_to(addr("bob@example.org")?);
    draft.add_cc(addr("dave@partner.example")?);
    draft.add_to(addr("carol@outside.example")?);
    let report = draft.refresh(&encryptor, now);
    for r in report.recipients() {
        let lock = match draft.lock(r.address()) {
            Some(Lock::Locked) => out.blue("🔒"),
            None if r.status().is_encryptable() => out.blue("🔒"),
            _ => out.red("🔓"),
        };
        let why = match r.status() {
            RecipientStatus::Encryptable { source, .. } => format!("certificate from {source}"),
            other => other.to_string(),
        };
        println!(
            "  {lock} {:<24} {:<5} {why}",
            r.address().to_string(),
            r.role().to_string()
        );
    }
    println!(
        "  Designation: {}",
        out.red(&draft.designation().to_string())
    );

    out.step("Alice removes Carol");
    draft.remove(&addr("carol@outside.example")?);
    let report = draft.refresh(&encryptor, now);
    println!(
        "  Designation: {}",
        out.blue(&draft.designation().to_string())
    );
    show_cipher(&report);

    // ── Send ────────────────────────────────────────────────────────────────────
    let message = b"From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nCc: dave@partner.example\r\n\
Subject: Quarterly numbers\r\nMessage-ID: <q1@example.org>\r\nContent-Type: text/plain\r\n\r\nThe numbers are in.\r\n";
    let sealed = encryptor.seal(message, &report, &SealOptions::sign_and_encrypt(&me))?;
    println!(
        "  Sent: signed and encrypted with {} ({} copy, {} bytes)",
        sealed.cipher(),
        sealed.copies().len(),
        sealed.copies()[0].message().len()
    );

    // ── Bob receives ────────────────────────────────────────────────────────────
    out.step("Bob opens it");
    let bob = sample::bob()?;
    let mut bob_trust = TrustStore::new();
    bob_trust.add_anchor(sample::ca()?);
    let opened = smime::reader::open(
        sealed.copies()[0].message(),
        &[&bob],
        &bob_trust,
        &policy,
        now,
    )?;
    let badge = if opened.is_signature_valid() {
        out.blue("✔ signed by alice@example.org")
    } else {
        out.red("? not verified")
    };
    println!(
        "  {badge}, decrypted (integrity verified: {})",
        opened.decryption_authenticated().unwrap_or(false)
    );
    if !opened.is_signature_valid() {
        return Err("Bob could not verify Alice's signature".into());
    }
    // Header protection (RFC 9788): the servers saw "[...]"; Bob sees the real one.
    let outside = opened
        .outer_headers()
        .get("Subject")
        .map(|f| f.value().to_string());
    println!("  Subject outside: {}", outside.as_deref().unwrap_or("-"));
    println!(
        "  Subject inside:  {} (protected: {})",
        opened.subject().as_deref().unwrap_or("-"),
        opened.protected_fields().join(", ")
    );

    // ── Bob replies: his app learnt Alice's certificate from her signed message ──
    out.step("Bob replies (his app learns from verified mail; no Install tapped)");
    let bob_folder = tempfile::tempdir()?;
    let bob_store = InstalledStore::open(bob_folder.path())?;
    let learnt = smime::keep::learn(&bob_store, &opened, now)?;
    println!(
        "  Learnt {} certificate(s) for {} (capabilities updated: {})",
        learnt.collected.len(),
        learnt
            .address
            .as_ref()
            .map_or("-".into(), |a| a.to_string()),
        learnt.preferences_updated
    );
    let bob_directory = Layered::new(vec![Box::new(bob_store.clone())]);
    let bob_encryptor = Encryptor::new(&bob_directory, &bob_trust)
        .encrypt_to_self(&bob)
        .with_preferences(&bob_store);
    let mut reply = Composition::new(true);
    reply.add_to(addr("alice@example.org")?);
    let reply_report = reply.refresh(&bob_encryptor, now);
    let alice_status = reply_report
        .get(&addr("alice@example.org")?)
        .ok_or("alice missing")?
        .status();
    let why = match alice_status {
        RecipientStatus::Encryptable { source, .. } => format!("certificate from {source}"),
        other => other.to_string(),
    };
    println!("  {} alice@example.org: {why}", out.blue("🔒"));
    let re = b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\n\
Subject: Re: Quarterly numbers\r\nMessage-ID: <b2@example.org>\r\nContent-Type: text/plain\r\n\r\nThanks!\r\n";
    let sealed_reply =
        bob_encryptor.seal(re, &reply_report, &SealOptions::sign_and_encrypt(&bob))?;
    let got = smime::reader::open(
        sealed_reply.copies()[0].message(),
        &[&me],
        &trust,
        &policy,
        now,
    )?;
    println!(
        "  Alice opens the reply: {} \"{}\"",
        if got.is_signature_valid() {
            out.blue("✔ signed by bob@example.org")
        } else {
            out.red("? not verified")
        },
        got.subject().as_deref().unwrap_or("-")
    );

    // ── A signed message from an outside sender ─────────────────────────────────
    out.step("Carol (outside, unknown CA) sends Alice a signed message");
    let carol = sample::carol()?;
    let from_carol = smime::mime::sign_message_bytes(
        b"From: Carol <carol@outside.example>\r\nTo: alice@example.org\r\nSubject: Hello\r\nMessage-ID: <c1@outside.example>\r\n\r\nHi Alice!\r\n",
        &carol,
        &Default::default(),
        Default::default(),
    )?;
    let opened = smime::reader::open(&from_carol, &[&me], &trust, &policy, now)?;
    let sender = smime::keep::sender_certificate(&opened).ok_or("no sender certificate")?;
    println!("  {} {}", out.red("?"), sender.status());
    println!("  View Certificate:");
    for line in sender.details().to_string().lines() {
        println!("    {line}");
    }
    if !sender.can_trust() {
        return Err("Carol's certificate should be offered for Trust".into());
    }
    smime::keep::trust(&store, &sender, &[Purpose::Verify, Purpose::Encrypt])?;
    println!("  Alice taps Trust");
    let opened = smime::reader::open(&from_carol, &[&me], &trust, &policy, now)?;
    let installed = smime::keep::install(&store, &opened)?;
    println!(
        "  {} and Install: {} for {}",
        out.blue("✔ now trusted"),
        &installed.certificate.fingerprint_hex()[..16],
        installed.address
    );

    out.step("Alice writes to Carol alone");
    draft.invalidate();
    draft.remove(&addr("bob@example.org")?);
    draft.remove(&addr("dave@partner.example")?);
    draft.add_to(addr("carol@outside.example")?);
    let report = draft.refresh(&encryptor, now);
    let carol_status = report
        .get(&addr("carol@outside.example")?)
        .ok_or("carol missing")?
        .status();
    println!("  {} carol@outside.example: {carol_status}", out.blue("🔒"));
    println!(
        "  Designation: {}",
        out.blue(&draft.designation().to_string())
    );
    show_cipher(&report);
    let to_carol = b"From: Alice <alice@example.org>\r\nTo: carol@outside.example\r\n\
Subject: Re: Hello\r\nMessage-ID: <a2@example.org>\r\nContent-Type: text/plain\r\n\r\nHi Carol!\r\n";
    let sealed = encryptor.seal(to_carol, &report, &SealOptions::encrypt())?;
    let opened = smime::mime::decrypt_message_bytes(sealed.copies()[0].message(), &carol)?;
    println!(
        "  Carol decrypts it ({} bytes of content)",
        opened.content().len()
    );

    out.step("Alice removes Carol's certificate");
    smime::keep::remove(&store, &installed.fingerprint)?;
    draft.invalidate();
    draft.refresh(&encryptor, now);
    let status = draft
        .answer(&addr("carol@outside.example")?)
        .ok_or("carol missing")?
        .status()
        .to_string();
    println!("  {} carol@outside.example: {status}", out.red("🔓"));
    println!(
        "  Designation: {}",
        out.red(&draft.designation().to_string())
    );
    std::io::stdout().flush()?;
    Ok(())
}

/// The content cipher the message will use and why (RFC 8551 §2.7.1): an authenticated
/// one only when every recipient announced it, AES-256-CBC when anyone is unknown.
fn show_cipher(report: &smime::encryptor::EncryptionReport) {
    let choice = report.cipher();
    let unknown: Vec<String> = report
        .recipients()
        .iter()
        .filter(|r| r.capabilities().is_none())
        .map(|r| r.address().to_string())
        .collect();
    let who = if unknown.is_empty() {
        String::new()
    } else {
        format!(" [unknown: {}]", unknown.join(", "))
    };
    println!("  Cipher: {} ({}){who}", choice.cipher(), choice.reason());
}
