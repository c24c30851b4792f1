//! The quickstart: on the built-in sample identities, encrypt a message to two
//! recipients and decrypt it as each of them.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use smime::cms::{ContentCipher, EnvelopeOptions};
use smime::{Error, sample};

fn main() -> Result<(), Error> {
    // Once per account: the user's identity (normally `Identity::from_pkcs12`).
    let alice = sample::alice()?;
    let bob = sample::bob()?;
    println!(
        "Alice: {} <{}>, key {}",
        alice.certificate().subject(),
        alice.certificate().email_addresses()[0],
        alice.certificate().key_algorithm()
    );
    println!(
        "Bob:   {} <{}>, key {}",
        bob.certificate().subject(),
        bob.certificate().email_addresses()[0],
        bob.certificate().key_algorithm()
    );

    // A message as the mail app composed it.
    let message = b"From: Carol <carol@example.org>\r\n\
To: alice@example.org, bob@example.org\r\n\
Subject: Lunch plans\r\n\
Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
Message-ID: <quickstart@example.org>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Shall we meet at noon?\r\n";

    // Send: encrypt once for both recipients (AES-256-GCM, the S/MIME 4.0 default).
    let recipients = [alice.certificate().clone(), bob.certificate().clone()];
    let options = EnvelopeOptions::with_cipher(ContentCipher::Aes256Gcm);
    let sealed = smime::encrypt_message_bytes(message, &recipients, &options)?;
    let headers_end = sealed
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(0);
    println!(
        "\n--- encrypted message ({} bytes), its headers ---",
        sealed.len()
    );
    println!("{}", String::from_utf8_lossy(&sealed[..headers_end]));

    // Receive: each recipient opens it with their own key.
    for (name, me) in [("Alice", &alice), ("Bob", &bob)] {
        let opened = smime::decrypt_message_bytes(&sealed, me)?;
        println!(
            "\n--- {name} decrypted it (integrity verified: {}) ---\n{}",
            opened.info().authenticated(),
            String::from_utf8_lossy(opened.content()).trim_end()
        );
    }
    Ok(())
}
