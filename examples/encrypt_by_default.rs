//! The account setting "Encrypt by Default" and the per-message lock toggle, with the
//! designation a mail app shows for each combination.
//!
//! ```text
//! cargo run --example encrypt_by_default
//! ```

#[allow(dead_code)]
#[path = "sample/mod.rs"]
mod sample;

use std::time::SystemTime;

use smime::compose::Composition;
use smime::directory::MemoryDirectory;
use smime::encryptor::Encryptor;

use smime::trust::TrustStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gal = MemoryDirectory::from_certificates("GAL", [sample::bob()?.certificate().clone()]);
    let mut trust = TrustStore::new();
    trust.add_anchor(sample::ca()?);
    let encryptor = Encryptor::new(&gal, &trust);
    println!(
        "{:<20} {:<28} {:<8} designation",
        "Encrypt by Default", "recipients", "toggle"
    );
    for setting in [true, false] {
        for recipients in [
            &["bob@example.org"][..],
            &["bob@example.org", "nobody@example.org"][..],
        ] {
            let mut draft = Composition::new(setting);
            for r in recipients {
                draft.add_to(r.parse()?);
            }
            draft.refresh(&encryptor, SystemTime::now());
            for _ in 0..2 {
                println!(
                    "{:<20} {:<28} {:<8} {}",
                    if setting { "on" } else { "off" },
                    recipients.join(", "),
                    if draft.encrypt() { "🔒 on" } else { "off" },
                    draft.designation()
                );
                draft.toggle();
            }
        }
    }
    Ok(())
}
