//! Composing in an Exchange-style organisation: recipients are looked up in the GAL
//! (an in-memory stand-in here; `--ldap URL BASE` with `--features ldap` for a real
//! one) and the user's contacts, in one batched lookup; each gets a blue or red lock
//! with the reason; adding a recipient asks only for the new address.
//!
//! ```text
//! cargo run --example compose_exchange
//! ```

#[allow(dead_code)]
#[path = "sample/mod.rs"]
mod sample;

use std::time::SystemTime;

use base64::Engine;
use smime::compose::{Composition, Lock};
use smime::directory::{Cached, CertificateDirectory, Contacts, Layered, MemoryDirectory};
use smime::encryptor::Encryptor;

use smime::trust::TrustStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gal: Box<dyn CertificateDirectory> = match args.as_slice() {
        #[cfg(feature = "ldap")]
        [flag, url, base] if flag == "--ldap" => Box::new(Cached::new(
            smime::directory::LdapGal::new(smime::directory::LdapConfig::new(url, base))?,
        )),
        _ => Box::new(Cached::new(MemoryDirectory::from_certificates(
            "GAL",
            [sample::bob()?.certificate().clone()],
        ))),
    };
    let dave = sample::dave()?;
    let vcard = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dave\r\nEMAIL:dave@partner.example\r\n\
         KEY;ENCODING=b;TYPE=X509:{}\r\nEND:VCARD\r\n",
        base64::engine::general_purpose::STANDARD.encode(dave.certificate().der())
    );
    let directory = Layered::new(vec![
        gal,
        Box::new(Contacts::from_vcf("Contacts", vcard.as_bytes())),
    ]);
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca()?);
    trust.add_anchor(sample::partner_ca()?);
    let encryptor = Encryptor::new(&directory, &trust);

    let mut draft = Composition::new(true);
    for (i, to) in [
        "bob@example.org",
        "dave@partner.example",
        "intern@example.org",
    ]
    .into_iter()
    .enumerate()
    {
        draft.add_to(to.parse()?);
        draft.refresh(&encryptor, SystemTime::now());
        println!("after adding {to} (lookups so far: {}):", draft.lookups());
        for (a, _) in draft.recipients().iter() {
            let lock = if draft.lock(a) == Some(Lock::Locked) {
                "🔒"
            } else {
                "🔓"
            };
            let answer = draft.answer(a).ok_or("unanswered")?;
            println!("  {lock} {a}: {}", answer.status());
        }
        println!("  designation: {}", draft.designation());
        assert_eq!(
            draft.lookups(),
            i + 1,
            "each refresh asks only for the new address"
        );
    }
    Ok(())
}
