//! Encrypting to someone outside the organisation: their certificate arrives in a
//! signed message. View it, Trust it (their CA is unknown), Install it — and the
//! lock turns blue. Installing refuses what the rules refuse (a tampered message).
//!
//! ```text
//! cargo run --example outside_recipient
//! ```

#[allow(dead_code)]
#[path = "sample/mod.rs"]
mod sample;

use std::sync::Arc;
use std::time::SystemTime;

use smime::directory::InstalledStore;
use smime::encryptor::{Encryptor, Recipients};

use smime::trust::{Policy, Purpose, TrustStore};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = tempfile::tempdir()?;
    let store = InstalledStore::open(folder.path())?;
    let mut trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
    trust.add_anchor(sample::ca()?);
    let now = SystemTime::now();
    let carol = sample::carol()?;
    let signed = smime::mime::sign_message_bytes(
        b"From: carol@outside.example\r\nTo: alice@example.org\r\nSubject: my key\r\n\r\nHere is my certificate.\r\n",
        &carol,
        &Default::default(),
        Default::default(),
    )?;
    let policy = Policy::email();
    let encryptor = Encryptor::new(&store, &trust);
    let to_carol = Recipients::new().to("carol@outside.example".parse()?);
    println!(
        "before: carol@outside.example: {}",
        encryptor.check(&to_carol, now).recipients()[0].status()
    );

    // A tampered copy is never kept.
    let mut tampered = signed.clone();
    if let Some(i) = tampered.windows(4).position(|w| w == b"Here") {
        tampered[i] = b'h';
    }
    let opened = smime::reader::open(&tampered, &[], &trust, &policy, now)?;
    println!(
        "tampered copy: install refused: {}",
        smime::keep::install(&store, &opened)
            .err()
            .ok_or("installed!")?
    );

    let opened = smime::reader::open(&signed, &[], &trust, &policy, now)?;
    let sender = smime::keep::sender_certificate(&opened).ok_or("not signed")?;
    println!("signature: {}\n{}", sender.status(), sender.details());
    smime::keep::trust(&store, &sender, &[Purpose::Verify, Purpose::Encrypt])?;
    let opened = smime::reader::open(&signed, &[], &trust, &policy, now)?;
    let installed = smime::keep::install(&store, &opened)?;
    println!("installed for {}", installed.address);
    let report = encryptor.check(&to_carol, now);
    println!(
        "after: carol@outside.example: {}",
        report.recipients()[0].status()
    );
    if !report.all_encryptable() {
        return Err("Carol should be encryptable now".into());
    }
    Ok(())
}
