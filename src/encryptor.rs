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

use std::fmt;
use std::time::SystemTime;

use der::Decode;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;

use crate::address::EmailAddress;
use crate::cert::{Certificate, Identity};
pub use crate::cms::{CipherChoice, CipherPolicy, CipherReason};
use crate::cms::{ContentCipher, EnvelopeOptions, OWN_CAPABILITIES, SignOptions};
use crate::directory::{CertificateDirectory, InstalledStore, Source, SourceKind};
use crate::error::Error;
use crate::mime::SignFormat;
use crate::trust::{Policy, TrustError, TrustStore, Use};

/// Which header field a recipient is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// To.
    To,
    /// Cc.
    Cc,
    /// Bcc: never revealed to the other recipients.
    Bcc,
    /// The sender (encrypt-to-self, so the Sent copy stays readable).
    Sender,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::To => "to",
            Role::Cc => "cc",
            Role::Bcc => "bcc",
            Role::Sender => "self",
        })
    }
}

/// The recipients of a message by role, in the order they were added; an address
/// appears once (the first role it was added with).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    entries: Vec<(EmailAddress, Role)>,
}

impl Recipients {
    /// No recipients.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `address` as `role` (ignored if already present). Returns whether it was
    /// added.
    pub fn add(&mut self, address: EmailAddress, role: Role) -> bool {
        if self.contains(&address) {
            return false;
        }
        self.entries.push((address, role));
        true
    }

    /// Builder form of [`add`](Self::add) for To.
    pub fn to(mut self, address: EmailAddress) -> Self {
        self.add(address, Role::To);
        self
    }

    /// Builder form of [`add`](Self::add) for Cc.
    pub fn cc(mut self, address: EmailAddress) -> Self {
        self.add(address, Role::Cc);
        self
    }

    /// Builder form of [`add`](Self::add) for Bcc.
    pub fn bcc(mut self, address: EmailAddress) -> Self {
        self.add(address, Role::Bcc);
        self
    }

    /// Removes `address`; returns whether it was there.
    pub fn remove(&mut self, address: &EmailAddress) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(a, _)| a != address);
        before != self.entries.len()
    }

    /// Whether `address` is a recipient.
    pub fn contains(&self, address: &EmailAddress) -> bool {
        self.entries.iter().any(|(a, _)| a == address)
    }

    /// Every recipient with its role.
    pub fn iter(&self) -> impl Iterator<Item = (&EmailAddress, Role)> {
        self.entries.iter().map(|(a, r)| (a, *r))
    }

    /// The number of recipients.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Why a certificate cannot be encrypted to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnusableReason {
    /// Its validity period ended.
    Expired {
        /// When it ended (the certificate's, or its path's, notAfter).
        not_after: SystemTime,
    },
    /// Its validity period has not started.
    NotYetValid {
        /// When it starts.
        not_before: SystemTime,
    },
    /// It (or a certificate on its path) is revoked.
    Revoked,
    /// No path to a trusted CA, and the user did not trust it for this address.
    UntrustedIssuer,
    /// Its keyUsage forbids encryption (RSA needs keyEncipherment, ECDH keyAgreement;
    /// RFC 8550 §4.4.2, RFC 5280 §4.2.1.3).
    KeyUsage,
    /// Its extendedKeyUsage does not allow email protection (RFC 8550 §4.4.4).
    ExtendedKeyUsage,
    /// Its key is smaller than the policy allows.
    WeakKey,
    /// Its key algorithm cannot receive encrypted mail (a signing-only key such as
    /// Ed25519, an unknown curve) or a signature algorithm on its path is refused.
    AlgorithmNotAllowed,
    /// Another problem with the certificate or its path.
    Invalid(TrustError),
}

impl fmt::Display for UnusableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnusableReason::Expired { .. } => f.write_str("the certificate has expired"),
            UnusableReason::NotYetValid { .. } => f.write_str("the certificate is not valid yet"),
            UnusableReason::Revoked => f.write_str("the certificate has been revoked"),
            UnusableReason::UntrustedIssuer => {
                f.write_str("the certificate's issuer is not trusted")
            }
            UnusableReason::KeyUsage => {
                f.write_str("the certificate's key usage forbids encryption")
            }
            UnusableReason::ExtendedKeyUsage => {
                f.write_str("the certificate is not meant for email protection")
            }
            UnusableReason::WeakKey => f.write_str("the certificate's key is too weak"),
            UnusableReason::AlgorithmNotAllowed => {
                f.write_str("the certificate's algorithm cannot be used for encryption")
            }
            UnusableReason::Invalid(s) => write!(f, "the certificate is not acceptable: {s}"),
        }
    }
}

impl From<&TrustError> for UnusableReason {
    fn from(e: &TrustError) -> Self {
        match e {
            TrustError::Expired { not_after, .. } => UnusableReason::Expired {
                not_after: *not_after,
            },
            TrustError::NotYetValid { not_before, .. } => UnusableReason::NotYetValid {
                not_before: *not_before,
            },
            TrustError::Revoked { .. } => UnusableReason::Revoked,
            TrustError::UnknownIssuer { .. } | TrustError::UserTrustMismatch { .. } => {
                UnusableReason::UntrustedIssuer
            }
            TrustError::KeyUsage { .. } => UnusableReason::KeyUsage,
            TrustError::ExtendedKeyUsage { .. } => UnusableReason::ExtendedKeyUsage,
            TrustError::WeakKey { .. } | TrustError::KeyTooLarge { .. } => UnusableReason::WeakKey,
            TrustError::WeakAlgorithm { .. }
            | TrustError::UnsupportedAlgorithm { .. }
            | TrustError::KeyAlgorithm { .. } => UnusableReason::AlgorithmNotAllowed,
            other => UnusableReason::Invalid(other.clone()),
        }
    }
}

/// One recipient's answer: a blue lock or a red one, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientStatus {
    /// A usable certificate was found.
    Encryptable {
        /// The certificate to encrypt to.
        certificate: Certificate,
        /// Where it came from.
        source: Source,
    },
    /// No source has a certificate for the address.
    NoCertificate,
    /// Certificates exist but none can be used; this is the best of them.
    CertificateUnusable {
        /// The certificate (the latest one when there are several).
        certificate: Certificate,
        /// Why it cannot be used.
        reason: UnusableReason,
    },
    /// A source could not be asked and none offered a usable certificate: the
    /// recipient may have one, so this is not "no certificate".
    LookupFailed {
        /// The source that failed.
        source: Source,
        /// What went wrong.
        error: crate::error::DirectoryError,
    },
}

impl RecipientStatus {
    /// Whether the recipient can be encrypted to (the blue lock).
    pub fn is_encryptable(&self) -> bool {
        matches!(self, RecipientStatus::Encryptable { .. })
    }

    /// A short machine-readable name: `encryptable`, `no-certificate`,
    /// `certificate-unusable`, `lookup-failed`.
    pub fn kind(&self) -> &'static str {
        match self {
            RecipientStatus::Encryptable { .. } => "encryptable",
            RecipientStatus::NoCertificate => "no-certificate",
            RecipientStatus::CertificateUnusable { .. } => "certificate-unusable",
            RecipientStatus::LookupFailed { .. } => "lookup-failed",
        }
    }

    /// The certificate the status is about, if any.
    pub fn certificate(&self) -> Option<&Certificate> {
        match self {
            RecipientStatus::Encryptable { certificate, .. }
            | RecipientStatus::CertificateUnusable { certificate, .. } => Some(certificate),
            _ => None,
        }
    }
}

impl fmt::Display for RecipientStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipientStatus::Encryptable { source, .. } => {
                write!(f, "can be encrypted to (certificate from {source})")
            }
            RecipientStatus::NoCertificate => f.write_str("no certificate found"),
            RecipientStatus::CertificateUnusable { reason, .. } => write!(f, "{reason}"),
            RecipientStatus::LookupFailed { source, error } => {
                write!(f, "could not ask {source}: {error}")
            }
        }
    }
}

/// A candidate that was not chosen, and why not.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// The certificate.
    pub certificate: Certificate,
    /// Where it came from.
    pub source: Source,
    /// `None` when it is usable but another was preferred.
    pub unusable: Option<UnusableReason>,
}

/// One recipient in an [`EncryptionReport`].
#[derive(Debug, Clone)]
pub struct RecipientReport {
    address: EmailAddress,
    role: Role,
    status: RecipientStatus,
    alternatives: Vec<Alternative>,
    preferred_by_correspondent: bool,
    capabilities: Option<Vec<ContentCipher>>,
}

impl RecipientReport {
    /// The address.
    pub fn address(&self) -> &EmailAddress {
        &self.address
    }
    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// The status.
    pub fn status(&self) -> &RecipientStatus {
        &self.status
    }
    /// The candidates not chosen.
    pub fn alternatives(&self) -> &[Alternative] {
        &self.alternatives
    }
    /// Whether the chosen certificate is the one the correspondent named in its
    /// SMIMEEncryptionKeyPreference (RFC 8551 §2.5.3.1).
    pub fn preferred_by_correspondent(&self) -> bool {
        self.preferred_by_correspondent
    }
    /// The content ciphers the correspondent announced (known ones, in its order),
    /// when its capabilities are stored. For the sender ([`Role::Sender`]) without
    /// stored capabilities, the ones this library announces ([`OWN_CAPABILITIES`]):
    /// the Sent copy is read here.
    pub fn capabilities(&self) -> Option<&[ContentCipher]> {
        self.capabilities.as_deref()
    }
}

/// The message's state as the seed's three designations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Designation {
    /// The toggle is on and every recipient is encryptable.
    Encrypted,
    /// The toggle is off.
    NotEncrypted,
    /// The toggle is on and at least one recipient is not encryptable.
    UnableToEncrypt,
}

impl fmt::Display for Designation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Designation::Encrypted => "Encrypted",
            Designation::NotEncrypted => "Not Encrypted",
            Designation::UnableToEncrypt => "Unable to Encrypt",
        })
    }
}

/// Per-recipient answers of [`Encryptor::check`].
#[derive(Debug, Clone, Default)]
pub struct EncryptionReport {
    recipients: Vec<RecipientReport>,
    checked_at: Option<SystemTime>,
    ciphers: CipherPolicy,
}

impl EncryptionReport {
    /// Every recipient, in the order given, the sender last.
    pub fn recipients(&self) -> &[RecipientReport] {
        &self.recipients
    }

    /// The report for `address`.
    pub fn get(&self, address: &EmailAddress) -> Option<&RecipientReport> {
        self.recipients.iter().find(|r| &r.address == address)
    }

    /// Whether every recipient is encryptable (and there is at least one).
    pub fn all_encryptable(&self) -> bool {
        !self.recipients.is_empty() && self.recipients.iter().all(|r| r.status.is_encryptable())
    }

    /// The recipients that are not encryptable.
    pub fn not_encryptable(&self) -> impl Iterator<Item = &RecipientReport> {
        self.recipients
            .iter()
            .filter(|r| !r.status.is_encryptable())
    }

    /// The designation for the per-message toggle `encrypt`.
    pub fn designation(&self, encrypt: bool) -> Designation {
        if !encrypt {
            Designation::NotEncrypted
        } else if self.all_encryptable() {
            Designation::Encrypted
        } else {
            Designation::UnableToEncrypt
        }
    }

    /// When the check ran (the policy's time).
    pub fn checked_at(&self) -> Option<SystemTime> {
        self.checked_at
    }

    /// The content cipher [`Encryptor::seal`] will use for these recipients, and why
    /// ([`CipherPolicy::choose`] over every recipient's stored capabilities and the
    /// encryptor's [`CipherPolicy`]).
    pub fn cipher(&self) -> CipherChoice {
        self.ciphers
            .choose(self.recipients.iter().map(|r| r.capabilities()))
    }

    pub(crate) fn from_parts(recipients: Vec<RecipientReport>, at: Option<SystemTime>) -> Self {
        EncryptionReport {
            recipients,
            checked_at: at,
            ciphers: CipherPolicy::default(),
        }
    }

    /// The same report with the cipher policy `ciphers`.
    pub(crate) fn with_ciphers(mut self, ciphers: CipherPolicy) -> Self {
        self.ciphers = ciphers;
        self
    }
}

/// Parses an SMIMECapabilities attribute value (RFC 8551 §2.5.2) into the content
/// ciphers we know, in the announced order. Unknown entries (RC2, DES, anything
/// new) are skipped; a value that does not parse gives `None` (treated as unknown).
pub fn parse_capabilities(der: &[u8]) -> Option<Vec<ContentCipher>> {
    let caps = Vec::<AlgorithmIdentifierOwned>::from_der(der).ok()?;
    let mut out = Vec::new();
    for cap in caps {
        // RFC 8551 §2.5.2: AES and ChaCha capabilities carry no parameters.
        if cap.parameters.is_some() {
            continue;
        }
        if let Some(c) = cipher_for(cap.oid)
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    Some(out)
}

fn cipher_for(o: ObjectIdentifier) -> Option<ContentCipher> {
    ContentCipher::ALL.into_iter().find(|c| c.oid() == o)
}

/// How [`Encryptor::seal`] signs and encrypts.
#[derive(Debug, Clone)]
pub struct SealOptions<'a> {
    sign: Option<&'a Identity>,
    sign_options: SignOptions,
    format: SignFormat,
    ciphers: Option<CipherPolicy>,
    envelope: EnvelopeOptions,
}

impl<'a> SealOptions<'a> {
    /// Encrypt only.
    pub fn encrypt() -> Self {
        SealOptions {
            sign: None,
            sign_options: SignOptions::default(),
            format: SignFormat::Detached,
            ciphers: None,
            envelope: EnvelopeOptions::default(),
        }
    }

    /// Sign with `identity` (multipart/signed), then encrypt (RFC 8551 §3.7).
    pub fn sign_and_encrypt(identity: &'a Identity) -> Self {
        SealOptions {
            sign: Some(identity),
            ..SealOptions::encrypt()
        }
    }

    /// A cipher policy for this seal instead of the encryptor's (by default the
    /// report's [`cipher`](EncryptionReport::cipher) is used); the same rule,
    /// [`CipherPolicy::choose`], applies.
    pub fn ciphers(mut self, ciphers: CipherPolicy) -> Self {
        self.ciphers = Some(ciphers);
        self
    }

    /// Signing options (digest, signing time, …).
    pub fn sign_options(mut self, options: SignOptions, format: SignFormat) -> Self {
        self.sign_options = options;
        self.format = format;
        self
    }

    /// Key transport and recipient identifier settings (the cipher is chosen by
    /// the cipher policy).
    pub fn envelope(mut self, options: EnvelopeOptions) -> Self {
        self.envelope = options;
        self
    }
}

/// Why [`Encryptor::seal`] refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// Some recipients cannot be encrypted to; nothing was sealed.
    #[error("cannot encrypt to {}", .0.iter().map(|(a, why)| format!("{a} ({why})")).collect::<Vec<_>>().join(", "))]
    NotEncryptable(Vec<(EmailAddress, RecipientStatus)>),
    /// The report has no recipients.
    #[error("the message has no recipients")]
    NoRecipients,
    /// Signing, encrypting or wrapping the message failed.
    #[error(transparent)]
    Failed(#[from] Error),
}

/// One encrypted copy and who it goes to.
#[derive(Debug, Clone)]
pub struct SealedCopy {
    recipients: Vec<EmailAddress>,
    message: Vec<u8>,
}

impl SealedCopy {
    /// The addresses this copy is delivered to (the envelope RCPT TO), not
    /// counting the sender's own Sent copy.
    pub fn recipients(&self) -> &[EmailAddress] {
        &self.recipients
    }
    /// The sealed RFC 5322 message.
    pub fn message(&self) -> &[u8] {
        &self.message
    }
}

/// The result of [`Encryptor::seal`]: the copy for To and Cc, and one per Bcc.
#[derive(Debug, Clone)]
pub struct Sealed {
    copies: Vec<SealedCopy>,
    cipher: CipherChoice,
}

impl Sealed {
    /// Every copy. The first is for To and Cc (and the sender's Sent folder).
    pub fn copies(&self) -> &[SealedCopy] {
        &self.copies
    }
    /// The copy delivered to `address`.
    pub fn copy_for(&self, address: &EmailAddress) -> Option<&SealedCopy> {
        self.copies.iter().find(|c| c.recipients.contains(address))
    }
    /// The content cipher used.
    pub fn cipher(&self) -> ContentCipher {
        self.cipher.cipher()
    }
    /// The content cipher used, and why.
    pub fn cipher_choice(&self) -> CipherChoice {
        self.cipher
    }
}

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
            .and_then(parse_capabilities)
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
        // RFC 8551 §2.5.3.1: the correspondent's preferred certificate first, then
        // the latest valid one.
        let preferred = key_pref.as_deref().and_then(|k| {
            judged
                .iter()
                .position(|(c, _, why)| why.is_none() && key_preference_names(k, c))
        });
        let latest_usable = judged
            .iter()
            .enumerate()
            .filter(|(_, (_, _, why))| why.is_none())
            .max_by_key(|(_, (c, _, _))| c.not_before())
            .map(|(i, _)| i);
        let chosen = preferred.or(latest_usable);
        let mut alternatives = Vec::new();
        let status = match chosen {
            Some(i) => {
                for (j, (c, s, why)) in judged.iter().enumerate() {
                    if j != i {
                        alternatives.push(Alternative {
                            certificate: c.clone(),
                            source: s.clone(),
                            unusable: why.clone(),
                        });
                    }
                }
                // `i` is an index into `judged` (from `enumerate` above).
                let (c, s, _) = judged[i].clone();
                RecipientStatus::Encryptable {
                    certificate: c,
                    source: s,
                }
            }
            None => {
                if let Some(f) = failure {
                    for (c, s, why) in &judged {
                        alternatives.push(Alternative {
                            certificate: c.clone(),
                            source: s.clone(),
                            unusable: why.clone(),
                        });
                    }
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
                            for (j, (c, s, why)) in judged.iter().enumerate() {
                                if j != i {
                                    alternatives.push(Alternative {
                                        certificate: c.clone(),
                                        source: s.clone(),
                                        unusable: why.clone(),
                                    });
                                }
                            }
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

/// Whether an SMIMEEncryptionKeyPreference value (RFC 8551 §2.5.3) names `cert`:
/// issuerAndSerialNumber `[0]` or subjectAltKeyIdentifier `[2]`.
fn key_preference_names(value: &[u8], cert: &Certificate) -> bool {
    let (Some(&tag), Ok(body)) = (value.first(), crate::cms::ber::content_of(value)) else {
        return false;
    };
    match tag {
        0xa0 => {
            // IssuerAndSerialNumber's contents, re-tagged as a SEQUENCE.
            let seq = crate::cms::ber::tlv(0x30, body);
            match cms::cert::IssuerAndSerialNumber::from_der(&seq) {
                Ok(ias) => {
                    &ias.issuer == cert.issuer_name()
                        && ias.serial_number.as_bytes() == cert.serial_number()
                }
                Err(_) => false,
            }
        }
        0x82 | 0xa2 => cert.subject_key_identifier() == Some(body),
        _ => false,
    }
}

/// Removes every `Bcc` field (with its continuation lines) from the header block.
fn strip_bcc(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut rest = message;
    let mut skipping = false;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|b| *b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        if line == b"\r\n" || line == b"\n" {
            out.extend_from_slice(rest);
            return out;
        }
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation {
            skipping = line
                .get(..4)
                .is_some_and(|f| f.eq_ignore_ascii_case(b"bcc:"));
        }
        if !skipping {
            out.extend_from_slice(line);
        }
        rest = tail;
    }
    out
}

fn seal(
    message: &[u8],
    report: &EncryptionReport,
    options: &SealOptions<'_>,
) -> Result<Sealed, SealError> {
    if report.recipients().is_empty() {
        return Err(SealError::NoRecipients);
    }
    let refused: Vec<(EmailAddress, RecipientStatus)> = report
        .not_encryptable()
        .map(|r| (r.address.clone(), r.status.clone()))
        .collect();
    if !refused.is_empty() {
        return Err(SealError::NotEncryptable(refused));
    }
    let cert_of = |r: &RecipientReport| r.status.certificate().cloned();
    let cipher = match &options.ciphers {
        Some(policy) => policy.choose(report.recipients().iter().map(|r| r.capabilities())),
        None => report.cipher(),
    };
    let envelope = EnvelopeOptions {
        cipher: cipher.cipher(),
        ..options.envelope
    };
    let message = strip_bcc(message);
    let sender: Vec<Certificate> = report
        .recipients()
        .iter()
        .filter(|r| r.role == Role::Sender)
        .filter_map(cert_of)
        .collect();
    let seal_for = |certs: &[Certificate]| -> Result<Vec<u8>, Error> {
        match options.sign {
            Some(id) => crate::mime::sign_and_encrypt_message(
                message.as_slice(),
                id,
                &options.sign_options,
                options.format,
                certs,
                &envelope,
                Vec::with_capacity(message.len() * 2 + 4096),
            ),
            None => crate::mime::encrypt_message_bytes(&message, certs, &envelope),
        }
    };
    let mut copies = Vec::new();
    let main: Vec<&RecipientReport> = report
        .recipients()
        .iter()
        .filter(|r| matches!(r.role, Role::To | Role::Cc))
        .collect();
    if !main.is_empty() || !sender.is_empty() {
        let mut certs: Vec<Certificate> = main.iter().filter_map(|r| cert_of(r)).collect();
        certs.extend(sender.iter().cloned());
        copies.push(SealedCopy {
            recipients: main.iter().map(|r| r.address.clone()).collect(),
            message: seal_for(&certs)?,
        });
    }
    for bcc in report.recipients().iter().filter(|r| r.role == Role::Bcc) {
        let mut certs: Vec<Certificate> = cert_of(bcc).into_iter().collect();
        certs.extend(sender.iter().cloned());
        copies.push(SealedCopy {
            recipients: vec![bcc.address.clone()],
            message: seal_for(&certs)?,
        });
    }
    Ok(Sealed { copies, cipher })
}
