//! [`Contacts`]: certificates in the user's address book (vCard KEY, RFC 6350 §6.8.1).

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::installed::Damaged;
use super::records::io_error;
use super::{CertificateDirectory, Lookup, Source, SourceKind, vcard};
use crate::{address::EmailAddress, cert::Certificate, error::Result};

/// Largest `.vcf` file read (an address book of thousands of contacts with
/// certificates is a few MiB).
const MAX_VCF: u64 = 64 << 20;

/// Certificates from vCard files: a `.vcf` file (one or many cards) or a folder of
/// them (`*.vcf`, `*.vcard`; not recursive). Read once, when made; lookups are a
/// hash-map probe.
///
/// A card's certificates (KEY as inline base64: `KEY;TYPE=X509;ENCODING=b:` in vCard
/// 3.0, `KEY:data:application/pkix-cert;base64,` in 4.0) are offered for the card's
/// EMAIL addresses, and only for those the certificate itself names.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::directory::{CertificateDirectory, Contacts};
/// use smime::Certificate;
///
/// let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
/// let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, alice.der());
/// let vcf = format!(
///     "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Alice\r\nEMAIL:{}\r\n\
///      KEY:data:application/pkix-cert;base64,{b64}\r\nEND:VCARD\r\n",
///     alice.email_addresses()[0]
/// );
/// let contacts = Contacts::from_vcf("address book", vcf.as_bytes());
/// let found = contacts.lookup(alice.email_addresses());
/// assert_eq!(found[0].candidates()[0].certificate(), &alice);
/// # Ok::<(), smime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Contacts {
    source: Source,
    by_address: HashMap<EmailAddress, Vec<Certificate>>,
    skipped: Vec<Damaged>,
}

impl Contacts {
    /// Reads a `.vcf` file or every `*.vcf`/`*.vcard` file in a folder. Fails only
    /// when `path` cannot be read; unreadable cards, properties and certificates are
    /// skipped and listed by [`Contacts::skipped`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut contacts = Contacts::empty(path.display().to_string());
        let meta = fs::metadata(path).map_err(|e| io_error(path, e))?;
        let files: Vec<PathBuf> = if meta.is_dir() {
            let mut files: Vec<PathBuf> = fs::read_dir(path)
                .map_err(|e| io_error(path, e))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                        x.eq_ignore_ascii_case("vcf") || x.eq_ignore_ascii_case("vcard")
                    })
                })
                .collect();
            files.sort();
            files
        } else {
            vec![path.to_owned()]
        };
        for file in files {
            let mut bytes = Vec::new();
            let read =
                fs::File::open(&file).and_then(|f| f.take(MAX_VCF + 1).read_to_end(&mut bytes));
            match read {
                Ok(n) if n as u64 > MAX_VCF => {
                    contacts.skip(&file, format!("larger than {MAX_VCF} bytes"))
                }
                Ok(_) => contacts.add_vcf(&file, &bytes),
                // A folder read must not fail for one unreadable file.
                Err(e) if meta.is_dir() => contacts.skip(&file, e.to_string()),
                Err(e) => return Err(io_error(&file, e).into()),
            }
        }
        Ok(contacts)
    }

    /// Reads vCards from bytes (one `.vcf` worth), naming the source `name`.
    pub fn from_vcf(name: impl Into<String>, vcf: &[u8]) -> Self {
        let name = name.into();
        let mut contacts = Contacts::empty(name.clone());
        contacts.add_vcf(Path::new(&name), vcf);
        contacts
    }

    /// The cards, properties and certificates skipped, with why.
    pub fn skipped(&self) -> &[Damaged] {
        &self.skipped
    }

    fn empty(name: String) -> Self {
        Contacts {
            source: Source::new(SourceKind::Contacts, name),
            by_address: HashMap::new(),
            skipped: Vec::new(),
        }
    }

    fn skip(&mut self, path: &Path, reason: String) {
        self.skipped.push(Damaged {
            path: path.to_owned(),
            reason,
        });
    }

    fn add_vcf(&mut self, path: &Path, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let mut problems = Vec::new();
        for card in vcard::parse(&text, &mut problems) {
            let certificates: Vec<Certificate> = card
                .keys
                .iter()
                .filter_map(|der| match Certificate::from_der(der) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        problems.push(format!("KEY is not a certificate: {e}"));
                        None
                    }
                })
                .collect();
            for address in &card.emails {
                for certificate in &certificates {
                    // The trait's rule, applied once here: a certificate is indexed
                    // for an address only when it names it.
                    if certificate.names_address(address) {
                        let list = self.by_address.entry(address.clone()).or_default();
                        if !list.contains(certificate) {
                            list.push(certificate.clone());
                        }
                    }
                }
            }
        }
        for reason in problems {
            self.skip(path, reason);
        }
    }
}

impl CertificateDirectory for Contacts {
    fn source(&self) -> Source {
        self.source.clone()
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        addresses
            .iter()
            .map(|address| {
                let mut answer = Lookup::new(address.clone());
                for certificate in self.by_address.get(address).into_iter().flatten() {
                    answer.offer(certificate.clone(), &self.source);
                }
                answer
            })
            .collect()
    }
}
