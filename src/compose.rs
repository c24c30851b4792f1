//! [`Composition`]: the state of a message being written — the account's "Encrypt by
//! Default" setting, the per-message lock toggle, the recipients, and what the UI
//! shows for each of them and for the message (the seed's three designations).
//!
//! Adding or removing a recipient re-checks only addresses not answered yet: the
//! directories are not asked again for addresses they already answered.
//!
//! ```
//! # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
//! use smime::compose::{Composition, Lock};
//! use smime::directory::MemoryDirectory;
//! use smime::encryptor::{Designation, Encryptor};
//! use smime::trust::TrustStore;
//!
//! let bob = smime::Certificate::from_pem(sample::BOB_CERT_PEM.as_bytes())?;
//! let gal = MemoryDirectory::from_certificates("gal", [bob]);
//! let mut trust = TrustStore::new();
//! trust.add_anchor(sample::ca()?);
//! let encryptor = Encryptor::new(&gal, &trust);
//! let now = std::time::SystemTime::now();
//!
//! let mut draft = Composition::new(true); // the account encrypts by default
//! draft.add_to("bob@example.org".parse()?);
//! draft.add_cc("nobody@example.org".parse()?);
//! draft.refresh(&encryptor, now);
//! assert_eq!(draft.designation(), Designation::UnableToEncrypt);
//! assert_eq!(draft.lock(&"nobody@example.org".parse()?), Some(Lock::Unlocked));
//!
//! draft.remove(&"nobody@example.org".parse()?);
//! draft.refresh(&encryptor, now);
//! assert_eq!(draft.designation(), Designation::Encrypted);
//! draft.set_encrypt(false);
//! assert_eq!(draft.designation(), Designation::NotEncrypted);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::time::SystemTime;

use crate::address::EmailAddress;
use crate::encryptor::{
    CipherPolicy, Designation, EncryptionReport, Encryptor, RecipientReport, Recipients, Role,
};

/// What the UI draws next to a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lock {
    /// Not checked yet.
    Pending,
    /// A blue lock: a usable certificate.
    Locked,
    /// A red open lock: no usable certificate (the reason is in the report).
    Unlocked,
}

/// A message being composed.
#[derive(Debug, Clone)]
pub struct Composition {
    encrypt: bool,
    recipients: Recipients,
    answered: HashMap<EmailAddress, RecipientReport>,
    sender: Option<RecipientReport>,
    lookups: usize,
    /// The encryptor's cipher policy, from the last refresh (the report's cipher).
    ciphers: CipherPolicy,
}

impl Composition {
    /// A new draft; `encrypt_by_default` is the account setting and the initial
    /// state of the per-message toggle.
    pub fn new(encrypt_by_default: bool) -> Self {
        Composition {
            encrypt: encrypt_by_default,
            recipients: Recipients::new(),
            answered: HashMap::new(),
            sender: None,
            lookups: 0,
            ciphers: CipherPolicy::default(),
        }
    }

    /// The per-message lock toggle.
    pub fn encrypt(&self) -> bool {
        self.encrypt
    }

    /// Sets the per-message toggle.
    pub fn set_encrypt(&mut self, on: bool) {
        self.encrypt = on;
    }

    /// Flips the per-message toggle; returns the new state.
    pub fn toggle(&mut self) -> bool {
        self.encrypt = !self.encrypt;
        self.encrypt
    }

    /// Adds a To recipient.
    pub fn add_to(&mut self, address: EmailAddress) -> bool {
        self.recipients.add(address, Role::To)
    }

    /// Adds a Cc recipient.
    pub fn add_cc(&mut self, address: EmailAddress) -> bool {
        self.recipients.add(address, Role::Cc)
    }

    /// Adds a Bcc recipient.
    pub fn add_bcc(&mut self, address: EmailAddress) -> bool {
        self.recipients.add(address, Role::Bcc)
    }

    /// Removes a recipient; its answer is forgotten too.
    pub fn remove(&mut self, address: &EmailAddress) -> bool {
        self.answered.remove(address);
        self.recipients.remove(address)
    }

    /// The recipients.
    pub fn recipients(&self) -> &Recipients {
        &self.recipients
    }

    /// Checks the recipients not answered yet (one batched lookup for all of them) at
    /// time `at` and returns the report for every recipient.
    pub fn refresh(&mut self, encryptor: &Encryptor<'_>, at: SystemTime) -> EncryptionReport {
        self.ciphers = encryptor.cipher_policy().clone();
        let mut pending = Recipients::new();
        for (a, role) in self.recipients.iter() {
            let answered_with_role = self.answered.get(a).is_some_and(|r| r.role() == role);
            if !answered_with_role {
                pending.add(a.clone(), role);
            }
        }
        if !pending.is_empty() || self.sender.is_none() {
            self.lookups += usize::from(!pending.is_empty());
            let fresh = encryptor.check(&pending, at);
            for r in fresh.recipients() {
                if r.role() == Role::Sender {
                    self.sender = Some(r.clone());
                } else {
                    self.answered.insert(r.address().clone(), r.clone());
                }
            }
        }
        self.report()
    }

    /// Forgets every answer (e.g. after the user installed a certificate), so the
    /// next [`refresh`](Self::refresh) asks again.
    pub fn invalidate(&mut self) {
        self.answered.clear();
        self.sender = None;
    }

    /// The report from the answers so far (recipients not checked yet are left out;
    /// see [`lock`](Self::lock)).
    pub fn report(&self) -> EncryptionReport {
        let mut out: Vec<RecipientReport> = self
            .recipients
            .iter()
            .filter_map(|(a, _)| self.answered.get(a).cloned())
            .collect();
        out.extend(self.sender.clone());
        EncryptionReport::from_parts(out, None).with_ciphers(self.ciphers.clone())
    }

    /// The lock to draw next to `address`, or `None` if it is not a recipient.
    pub fn lock(&self, address: &EmailAddress) -> Option<Lock> {
        if !self.recipients.contains(address) {
            return None;
        }
        Some(match self.answered.get(address) {
            None => Lock::Pending,
            Some(r) if r.status().is_encryptable() => Lock::Locked,
            Some(_) => Lock::Unlocked,
        })
    }

    /// The report for one recipient (the reason behind a red lock).
    pub fn answer(&self, address: &EmailAddress) -> Option<&RecipientReport> {
        self.answered.get(address)
    }

    /// The message's designation: `NotEncrypted` when the toggle is off, else
    /// `Encrypted` only when every recipient (and the sender, with encrypt-to-self)
    /// was checked and is encryptable.
    pub fn designation(&self) -> Designation {
        if !self.encrypt {
            return Designation::NotEncrypted;
        }
        let all_answered = self
            .recipients
            .iter()
            .all(|(a, _)| self.answered.contains_key(a));
        if all_answered && !self.recipients.is_empty() {
            self.report().designation(true)
        } else {
            Designation::UnableToEncrypt
        }
    }

    /// How many batched directory lookups this draft made (each covers every
    /// address not answered before).
    pub fn lookups(&self) -> usize {
        self.lookups
    }
}
