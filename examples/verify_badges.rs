//! Prints a received message's signers the way a mail app badges them: ✔ (blue
//! check) for a valid signature, ? (red question mark) otherwise, with the reason
//! and, for an unknown issuer, the offer to trust the certificate.
//!
//! ```text
//! cargo run --example verify_badges                       # built-in sample message
//! cargo run --example verify_badges -- MESSAGE.eml CA.pem # your own
//! ```

use std::time::SystemTime;

use smime::cms::SignOptions;
use smime::mime::SignFormat;
use smime::reader::SignatureStatus;
use smime::reader::{self, SignedScope};
use smime::trust::{Policy, TrustStore};
use smime::{Certificate, Error};

#[allow(dead_code)]
#[path = "sample/mod.rs"]
mod sample;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (raw, anchors) = match args.as_slice() {
        [message, ca] => (
            std::fs::read(message)?,
            Certificate::load(&std::fs::read(ca)?)?,
        ),
        _ => demo()?,
    };
    let mut trust = TrustStore::new();
    for a in anchors {
        trust.add_anchor(a);
    }
    let opened = reader::open(&raw, &[], &trust, &Policy::email(), SystemTime::now())?;
    println!(
        "From: {}",
        opened
            .from()
            .map_or("(no single From address)".to_owned(), |f| f.to_string())
    );
    if opened.signed_scope() == SignedScope::Partial {
        println!("?  only part of this message is signed");
    }
    let mut any = false;
    for s in opened.signatures() {
        any = true;
        let who = s
            .certificate()
            .map_or("unknown signer".to_owned(), |c| c.subject());
        match s.status() {
            SignatureStatus::Valid => println!("✔  {who}: signature valid"),
            SignatureStatus::UntrustedIssuer { .. } => {
                println!(
                    "?  {who}: {} — tap Trust to accept this certificate",
                    s.status()
                )
            }
            other => println!("?  {who}: {other}"),
        }
    }
    if !any {
        println!("   (not signed)");
    }
    Ok(())
}

/// Two messages from the sample identities: one signed correctly, one altered after
/// signing, so both badges show.
fn demo() -> Result<(Vec<u8>, Vec<Certificate>), Error> {
    let alice = sample::alice()?;
    let msg = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: Badges\r\n\r\nSigned by Alice.\r\n";
    let signed = smime::mime::sign_message_bytes(
        msg,
        &alice,
        &SignOptions::default(),
        SignFormat::Detached,
    )?;
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca()?);
    let policy = Policy::email();
    // The altered copy: "Alice" becomes "Alicf" in the signed body.
    let mut altered = signed.clone();
    if let Some(at) = altered.windows(16).position(|w| w == b"Signed by Alice.") {
        altered[at + 14] = b'f';
    }
    let opened = reader::open(&altered, &[], &trust, &policy, SystemTime::now())?;
    for s in opened.signatures() {
        println!("(altered copy) ?  {}", s.status());
    }
    Ok((signed, vec![sample::ca()?]))
}
