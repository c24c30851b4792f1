//! The [`Encryptor`]: which recipients can be encrypted to, and why not; then sealing
//! the message for all of them (DESIGN.md "encryptor", REQUIREMENTS.md §1 B #9–10,
//! G #39–41).
//!
//! * [`Encryptor::check`] asks the directory once for every address (To, Cc, Bcc)
//!   and gives each recipient one [`RecipientStatus`]: a usable certificate and its
//!   source, no certificate, a certificate that cannot be used and why, or a lookup
//!   that failed. The sender's own certificate joins as a recipient when
//!   encrypt-to-self is on (it is on as soon as an identity is given).
//! * Among several candidates, the one the correspondent named in its
//!   SMIMEEncryptionKeyPreference wins, then the latest valid one (RFC 8551
//!   §2.5.3.1); the others are reported.
//! * [`Encryptor::seal`] refuses, naming every recipient that is not encryptable;
//!   it never drops one and never sends plaintext. Bcc recipients get copies of
//!   their own, so the copy for To and Cc names none of them.
//! * The content cipher follows the recipients' stored SMIMECapabilities (RFC 8551
//!   §2.7.1) by [`CipherPolicy::choose`]: an authenticated cipher when every recipient
//!   announced one, AES-256-CBC when any recipient's capabilities are unknown (unless
//!   the app's policy says otherwise); [`EncryptionReport::cipher`] says which and why.

mod recipients;
mod report;
mod seal;

pub use recipients::{Recipients, Role};
pub use report::{
    Alternative, Designation, EncryptionReport, RecipientReport, RecipientStatus, UnusableReason,
};
use seal::seal;
pub use seal::{SealError, SealOptions, Sealed, SealedCopy};

use std::fmt;
use std::time::SystemTime;

use crate::address::EmailAddress;
use crate::cert::{Certificate, Identity};
use crate::cms::OWN_CAPABILITIES;
pub use crate::cms::{CipherChoice, CipherPolicy, CipherReason};
use crate::directory::{CertificateDirectory, InstalledStore, Source, SourceKind};
use crate::trust::{Policy, TrustStore, Use};

/// Answers "can I encrypt to these recipients?" and seals messages.
pub struct Encryptor<'a> {
    directory: &'a dyn CertificateDirectory,
    trust: &'a TrustStore,
    policy: Policy,
    me: Option<&'a Identity>,
    to_self: bool,
    preferences: Option<&'a InstalledStore>,
    ciphers: CipherPolicy,
}

impl fmt::Debug for Encryptor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encryptor")
            .field("directory", &self.directory.source())
            .field("encrypt_to_self", &(self.to_self && self.me.is_some()))
            .finish_non_exhaustive()
    }
}

impl<'a> Encryptor<'a> {
    /// An encryptor that looks recipients up in `directory` and evaluates their
    /// certificates against `trust`.
    pub fn new(directory: &'a dyn CertificateDirectory, trust: &'a TrustStore) -> Self {
        Encryptor {
            directory,
            trust,
            policy: Policy::email(),
            me: None,
            to_self: true,
            preferences: None,
            ciphers: CipherPolicy::default(),
        }
    }

    /// The sender's identity: its certificate joins every check as [`Role::Sender`]
    /// (encrypt-to-self, on by default).
    pub fn encrypt_to_self(mut self, me: &'a Identity) -> Self {
        self.me = Some(me);
        self
    }

    /// The account's trust rules (default [`Policy::email`]).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Turns encrypt-to-self off (or on again).
    pub fn with_encrypt_to_self(mut self, on: bool) -> Self {
        self.to_self = on;
        self
    }

    /// Where the correspondents' SMIMECapabilities and key preferences are stored
    /// (kept by [`keep::record_preferences`](crate::keep::record_preferences)).
    pub fn with_preferences(mut self, store: &'a InstalledStore) -> Self {
        self.preferences = Some(store);
        self
    }

    /// The content-cipher policy (default [`CipherPolicy::default`]: an authenticated
    /// cipher only when every recipient announced one, else AES-256-CBC;
    /// [`CipherPolicy::authenticated_only`] never sends CBC).
    pub fn with_ciphers(mut self, ciphers: CipherPolicy) -> Self {
        self.ciphers = ciphers;
        self
    }

    /// The content-cipher policy ([`with_ciphers`](Self::with_ciphers)).
    pub fn cipher_policy(&self) -> &CipherPolicy {
        &self.ciphers
    }

    /// Checks every recipient at time `at`: one directory lookup for all of them, then
    /// each candidate certificate judged by the trust store for encryption to that
    /// recipient at that time ([`Use::encrypt_to`]).
    ///
    /// ```
    /// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
    /// use smime::directory::MemoryDirectory;
    /// use smime::encryptor::{Encryptor, Recipients, RecipientStatus, UnusableReason};
    /// use smime::trust::{Policy, Purpose, TrustStore};
    /// use smime::Certificate;
    ///
    /// let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
    /// let carol = Certificate::from_pem(sample::CAROL_CERT_PEM.as_bytes())?;
    /// let gal = MemoryDirectory::from_certificates("gal", [alice, carol]);
    /// let mut trust = TrustStore::new();
    /// trust.add_anchor(sample::ca()?); // Carol's CA is not trusted
    ///
    /// let encryptor = Encryptor::new(&gal, &trust);
    /// let recipients = Recipients::new()
    ///     .to("alice@example.org".parse()?)
    ///     .cc("carol@outside.example".parse()?)
    ///     .bcc("nobody@example.org".parse()?);
    /// let report = encryptor.check(&recipients, std::time::SystemTime::now());
    ///
    /// let status = |a: &str| -> Result<RecipientStatus, Box<dyn std::error::Error>> {
    ///     Ok(report.get(&a.parse()?).ok_or("not in the report")?.status().clone())
    /// };
    /// assert!(status("alice@example.org")?.is_encryptable());
    /// assert!(matches!(status("carol@outside.example")?,
    ///     RecipientStatus::CertificateUnusable { reason: UnusableReason::UntrustedIssuer, .. }));
    /// assert!(matches!(status("nobody@example.org")?, RecipientStatus::NoCertificate));
    /// assert_eq!(report.designation(true).to_string(), "Unable to Encrypt");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, recipients: &Recipients, at: SystemTime) -> EncryptionReport {
        let addresses: Vec<EmailAddress> = recipients.iter().map(|(a, _)| a.clone()).collect();
        let lookups = self.directory.lookup(&addresses);
        let mut out = Vec::with_capacity(addresses.len() + 1);
        for (address, role) in recipients.iter() {
            let lookup = lookups.iter().find(|l| l.address() == address);
            let candidates: Vec<(Certificate, Source)> = lookup
                .map(|l| {
                    l.candidates()
                        .iter()
                        .map(|c| (c.certificate().clone(), c.source().clone()))
                        .collect()
                })
                .unwrap_or_default();
            let failure = lookup.and_then(|l| l.failures().first().cloned());
            out.push(self.judge(address, role, candidates, failure, at));
        }
        if self.to_self
            && let Some(me) = self.me
        {
            let cert = me.certificate();
            if let Some(address) = cert.email_addresses().first().cloned()
                && !recipients.contains(&address)
            {
                let source = Source::new(SourceKind::Memory, "your identity");
                out.push(self.judge(
                    &address,
                    Role::Sender,
                    vec![(cert.clone(), source)],
                    None,
                    at,
                ));
            }
        }
        EncryptionReport::from_parts(out, Some(at)).with_ciphers(self.ciphers.clone())
    }

    fn judge(
        &self,
        address: &EmailAddress,
        role: Role,
        candidates: Vec<(Certificate, Source)>,
        failure: Option<crate::directory::LookupFailed>,
        at: SystemTime,
    ) -> RecipientReport {
        let use_ = Use::encrypt_to(address.clone(), at);
        let prefs = self
            .preferences
            .and_then(|s| s.preferences(address).ok().flatten());
        let capabilities = prefs
            .as_ref()
            .and_then(|p| p.smime_capabilities.as_deref())
            .and_then(crate::cms::parse_capabilities)
            .or_else(|| (role == Role::Sender).then(|| OWN_CAPABILITIES.to_vec()));
        let key_pref = prefs
            .as_ref()
            .and_then(|p| p.encryption_key_preference.clone());

        let judged: Vec<(Certificate, Source, Option<UnusableReason>)> = candidates
            .into_iter()
            .map(|(c, s)| {
                let why = self
                    .trust
                    .evaluate(&c, &self.policy, &use_, &[])
                    .err()
                    .map(|e| UnusableReason::from(&e));
                (c, s, why)
            })
            .collect();
        // A certificate collected from a verified message never outranks a usable
        // one from any other source (the user installed it, or a directory holds it).
        let collected = |s: &Source| s.kind() == SourceKind::Collected;
        let other_usable = judged
            .iter()
            .any(|(_, s, why)| why.is_none() && !collected(s));
        let eligible = |s: &Source, why: &Option<UnusableReason>| {
            why.is_none() && !(other_usable && collected(s))
        };
        // RFC 8551 §2.5.3.1: the correspondent's preferred certificate first, then
        // the latest valid one.
        let preferred = key_pref.as_deref().and_then(|k| {
            judged.iter().position(|(c, s, why)| {
                eligible(s, why) && crate::cms::key_preference::names_certificate(k, c)
            })
        });
        let latest_usable = judged
            .iter()
            .enumerate()
            .filter(|(_, (_, s, why))| eligible(s, why))
            .max_by_key(|(_, (c, _, _))| c.not_before())
            .map(|(i, _)| i);
        let chosen = preferred.or(latest_usable);
        // Every candidate but the one reported (`shown`), with why it is unusable.
        let others = |shown: Option<usize>| -> Vec<Alternative> {
            judged
                .iter()
                .enumerate()
                .filter(|(j, _)| Some(*j) != shown)
                .map(|(_, (c, s, why))| Alternative {
                    certificate: c.clone(),
                    source: s.clone(),
                    unusable: why.clone(),
                })
                .collect()
        };
        let mut alternatives = Vec::new();
        let status = match chosen {
            Some(i) => {
                alternatives = others(Some(i));
                // `i` is an index into `judged` (from `enumerate` above).
                let (c, s, _) = judged[i].clone();
                RecipientStatus::Encryptable {
                    certificate: c,
                    source: s,
                }
            }
            None => {
                if let Some(f) = failure {
                    alternatives = others(None);
                    RecipientStatus::LookupFailed {
                        source: f.source,
                        error: f.error,
                    }
                } else {
                    let best = judged
                        .iter()
                        .enumerate()
                        .max_by_key(|(_, (c, _, _))| c.not_before())
                        .map(|(i, _)| i);
                    match best {
                        None => RecipientStatus::NoCertificate,
                        Some(i) => {
                            alternatives = others(Some(i));
                            // `i` is an index into `judged` (`position` above).
                            let (c, _, why) = judged[i].clone();
                            RecipientStatus::CertificateUnusable {
                                certificate: c,
                                reason: why.unwrap_or(UnusableReason::UntrustedIssuer),
                            }
                        }
                    }
                }
            }
        };
        RecipientReport {
            address: address.clone(),
            role,
            status,
            alternatives,
            preferred_by_correspondent: preferred.is_some() && preferred == chosen,
            capabilities,
        }
    }

    /// Seals `message` (RFC 5322) for every recipient of `report`: optionally signs
    /// it, then encrypts it once for To, Cc and the sender, and once more for each
    /// Bcc recipient (with the sender), so no copy names a Bcc recipient to anyone
    /// else. A `Bcc:` header field is removed from every copy.
    ///
    /// Refuses with [`SealError::NotEncryptable`], naming every recipient that is
    /// not encryptable; nothing is sent in plaintext and no recipient is dropped.
    ///
    /// ```
    /// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
    /// use smime::cms::ContentCipher;
    /// use smime::directory::MemoryDirectory;
    /// use smime::encryptor::{CipherReason, Encryptor, Recipients, SealOptions};
    /// use smime::trust::{Policy, Purpose, TrustStore};
    ///
    /// let me = sample::alice()?;
    /// let bob = sample::bob()?;
    /// let gal = MemoryDirectory::from_certificates("gal", [bob.certificate().clone()]);
    /// let mut trust = TrustStore::new();
    /// trust.add_anchor(sample::ca()?);
    /// let encryptor = Encryptor::new(&gal, &trust).encrypt_to_self(&me);
    ///
    /// let recipients = Recipients::new().to("bob@example.org".parse()?);
    /// let report = encryptor.check(&recipients, std::time::SystemTime::now());
    /// let message = b"From: alice@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
    /// let sealed = encryptor.seal(message, &report, &SealOptions::sign_and_encrypt(&me))?;
    ///
    /// // Nothing is known about Bob's client: AES-256-CBC, which every client reads.
    /// assert_eq!(report.cipher().cipher(), ContentCipher::Aes256Cbc);
    /// assert_eq!(report.cipher().reason(), CipherReason::UnknownForSome);
    /// assert_eq!(sealed.cipher(), ContentCipher::Aes256Cbc);
    /// let copy = sealed.copy_for(&"bob@example.org".parse()?).ok_or("no copy for Bob")?;
    /// let opened = smime::mime::decrypt_message_bytes(copy.message(), &bob)?;
    /// assert!(!opened.info().authenticated()); // CBC: the inner signature protects it
    ///
    /// // A recipient without a certificate: refused, and named.
    /// let recipients = Recipients::new().to("bob@example.org".parse()?).cc("eve@example.org".parse()?);
    /// let report = encryptor.check(&recipients, std::time::SystemTime::now());
    /// let err = encryptor.seal(message, &report, &SealOptions::encrypt()).unwrap_err();
    /// assert!(err.to_string().contains("eve@example.org"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seal(
        &self,
        message: &[u8],
        report: &EncryptionReport,
        options: &SealOptions<'_>,
    ) -> Result<Sealed, SealError> {
        seal(message, report, options)
    }
}
