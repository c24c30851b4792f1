//! `Client`: one mail account — its installed-certificate store, identity, trust
//! anchors and directories — and the story's calls: check, seal, open, trust,
//! install, remove.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use smime::EmailAddress;
use smime::directory::{
    ActiveSyncConfig, ActiveSyncGal, Cached, CertificateDirectory, Contacts, InstalledStore,
    Layered, LdapConfig, LdapGal,
};
use smime::encryptor::{Encryptor, Recipients, SealOptions};
use smime::keep;
use smime::reader::OpenedMessage;
use smime::reader::SignatureStatus;
use smime::trust::{Policy, Purpose, TrustStore};

use crate::certificate::{Certificate, Identity};
use crate::error::{SmimeError, guard};
use crate::opened::Opened;
use crate::report::{Report, Role, SealedCopy};

/// What a successful `install` or `trust_and_install` kept.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Installed {
    /// The installed certificate's SHA-256 fingerprint (64 upper-case hex digits).
    pub fingerprint: String,
    /// The address it was installed for.
    pub address: String,
    /// The certificate.
    pub certificate: Arc<Certificate>,
}

/// The account's settings that calls change.
struct State {
    /// Contacts and GALs, in the order added; the installed store comes first.
    sources: Vec<Arc<dyn CertificateDirectory>>,
    encrypt_by_default: bool,
    /// RFC 9788 header protection when sealing (on by default).
    header_protection: smime::mime::HeaderProtection,
}

/// One mail account.
#[derive(uniffi::Object)]
pub struct Client {
    store: InstalledStore,
    identity: Arc<Identity>,
    trust: TrustStore,
    state: Mutex<State>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Client {
    /// The account: the installed-certificate store in the folder `store_dir`
    /// (created if missing), the user's `identity` and the CA certificates the
    /// account trusts. The user's Trust decisions live in the store.
    #[uniffi::constructor]
    pub fn new(
        store_dir: String,
        identity: Arc<Identity>,
        trust_anchors: Vec<Arc<Certificate>>,
    ) -> Result<Arc<Self>, SmimeError> {
        guard(|| {
            let store = InstalledStore::open(&store_dir)?;
            let mut trust = TrustStore::new().with_user_trust(Arc::new(store.clone()));
            for anchor in &trust_anchors {
                trust.add_anchor(anchor.0.clone());
            }
            Ok(Arc::new(Client {
                store,
                identity,
                trust,
                state: Mutex::new(State {
                    sources: Vec::new(),
                    encrypt_by_default: false,
                    header_protection: smime::mime::HeaderProtection::default(),
                }),
            }))
        })
    }

    /// Adds the certificates of a vCard file (one or more cards; `KEY` properties)
    /// as a directory source. Damaged cards are skipped; returns how many.
    pub fn add_contacts_vcf(&self, data: Vec<u8>) -> Result<u32, SmimeError> {
        guard(|| {
            let contacts = Contacts::from_vcf("Contacts", &data);
            let skipped = u32::try_from(contacts.skipped().len()).unwrap_or(u32::MAX);
            self.state().sources.push(Arc::new(contacts));
            Ok(skipped)
        })
    }

    /// Adds an LDAP global address list (`ldap://` or `ldaps://` URL, search base
    /// DN) as a directory source, with a cache in front. It is asked at `check`.
    pub fn add_ldap_gal(&self, url: String, base_dn: String) -> Result<(), SmimeError> {
        guard(|| {
            let gal = LdapGal::new(LdapConfig::new(url, base_dn))?;
            self.state().sources.push(Arc::new(Cached::new(gal)));
            Ok(())
        })
    }

    /// Adds the organisation's GAL as an Exchange client asks it: Exchange ActiveSync
    /// `ResolveRecipients` at `url` (the `…/Microsoft-Server-ActiveSync` endpoint) with
    /// Basic authentication, trusting the platform's roots and `ca_certificates` for
    /// HTTPS. A plain `http://` URL is refused unless `allow_insecure_http` is true.
    /// Cached; asked at `check`, all recipients in one request.
    pub fn add_activesync_gal(
        &self,
        url: String,
        user: String,
        password: String,
        ca_certificates: Vec<Arc<Certificate>>,
        allow_insecure_http: bool,
    ) -> Result<(), SmimeError> {
        guard(|| {
            let config = ActiveSyncConfig::basic(url, user, password);
            self.add_activesync(config, ca_certificates, allow_insecure_http)
        })
    }

    /// Like [`add_activesync_gal`](Self::add_activesync_gal) with an OAuth 2.0 bearer
    /// token the app obtained (Exchange Online's modern authentication).
    pub fn add_activesync_gal_with_token(
        &self,
        url: String,
        user: String,
        token: String,
        ca_certificates: Vec<Arc<Certificate>>,
        allow_insecure_http: bool,
    ) -> Result<(), SmimeError> {
        guard(|| {
            let config = ActiveSyncConfig::bearer(url, user, token);
            self.add_activesync(config, ca_certificates, allow_insecure_http)
        })
    }

    /// Encrypt by Default: whether new messages are to be encrypted (the
    /// designation `check` reports). Off until set.
    pub fn set_encrypt_by_default(&self, on: bool) {
        self.state().encrypt_by_default = on;
    }

    /// Header protection (RFC 9788) for the messages `seal` makes: on by default,
    /// with the Subject shown as `[...]` outside an encrypted message, and a Legacy
    /// Display Element (the Subject repeated at the top of a plain-text body) for
    /// clients that do not understand it.
    pub fn set_header_protection(&self, on: bool, legacy_display: bool) {
        self.state().header_protection = if on {
            smime::mime::HeaderProtection::default().with_legacy_display(legacy_display)
        } else {
            smime::mime::HeaderProtection::off()
        };
    }

    /// Learning from verified mail (opt-in): keeps the certificate and capabilities
    /// of every Valid signer of `opened` for its From address, marked "collected",
    /// so a reply can be encrypted without Install. Returns the fingerprints newly
    /// collected; nothing is learnt from a signer that is not Valid.
    pub fn learn(&self, opened: Opened) -> Result<Vec<String>, SmimeError> {
        guard(|| {
            let message = self.reopen(&opened.raw)?;
            let learnt = keep::learn(&self.store, &message, SystemTime::now())?;
            Ok(learnt
                .collected
                .iter()
                .map(smime::Certificate::fingerprint_hex)
                .collect())
        })
    }

    /// Looks every recipient up (installed store, then contacts and GALs in the
    /// order added) and says whether the message can be encrypted to each; the
    /// sender (encrypt-to-self) is the last entry.
    pub fn check(
        &self,
        to: Vec<String>,
        cc: Vec<String>,
        bcc: Vec<String>,
    ) -> Result<Report, SmimeError> {
        guard(|| {
            let mut recipients = Recipients::new();
            for (list, role) in [(&to, Role::To), (&cc, Role::Cc), (&bcc, Role::Bcc)] {
                for a in list {
                    recipients.add(parse_address(a)?, role.into());
                }
            }
            let encrypt = self.state().encrypt_by_default;
            Ok(Report::of(&self.check_recipients(&recipients), encrypt))
        })
    }

    /// Seals an RFC 5322 `message` for the recipients of `report`: signed with the
    /// identity (`sign`) and/or encrypted to every recipient and the sender
    /// (`encrypt`); neither returns it unchanged. The recipients are checked again
    /// now (a certificate may have been removed or expired since). With Bcc
    /// recipients each needs a copy of its own: use `seal_copies`.
    pub fn seal(
        &self,
        message: Vec<u8>,
        report: Report,
        sign: bool,
        encrypt: bool,
    ) -> Result<Vec<u8>, SmimeError> {
        guard(|| {
            if encrypt && report.recipients.iter().any(|r| r.role == Role::Bcc) {
                return Err(SmimeError::InvalidArgument(
                    "the message has Bcc recipients, who each need their own copy: use seal_copies"
                        .into(),
                ));
            }
            let mut copies = self.seal_all(&message, &report, sign, encrypt)?;
            Ok(copies.swap_remove(0).message)
        })
    }

    /// Like `seal`, but returns every copy: the first for To and Cc (and the Sent
    /// folder), then one per Bcc recipient, each encrypted only to that recipient
    /// and the sender. Without `encrypt` there is one copy for everyone.
    pub fn seal_copies(
        &self,
        message: Vec<u8>,
        report: Report,
        sign: bool,
        encrypt: bool,
    ) -> Result<Vec<SealedCopy>, SmimeError> {
        guard(|| self.seal_all(&message, &report, sign, encrypt))
    }

    /// Opens a received message: decrypts it with the identity, verifies every
    /// signature against the anchors and the user's Trust decisions, and checks the
    /// signer against From.
    pub fn open(&self, raw: Vec<u8>) -> Result<Opened, SmimeError> {
        guard(|| {
            let opened = self.reopen(&raw)?;
            Ok(Opened::of(&opened, raw))
        })
    }

    /// Trust and Install: the user trusts the certificate of signer `signer` (the
    /// sender, index 0) of `opened` for its From address — only for a good
    /// signature from an issuer not yet trusted, by a certificate that names From —
    /// then installs it, so the next message to that address can be encrypted. A
    /// signer already valid is just installed.
    pub fn trust_and_install(&self, opened: Opened, signer: u32) -> Result<Installed, SmimeError> {
        guard(|| {
            let message = self.reopen_for_signer(&opened, signer)?;
            // A bad signature is refused whatever the user decides.
            if let Some(status) = message.signatures().next().map(|s| s.status())
                && matches!(status, SignatureStatus::Invalid { .. })
            {
                return Err(SmimeError::Refused(format!(
                    "the signature is not valid: {status}"
                )));
            }
            let sender = keep::sender_certificate(&message).ok_or_else(not_signed)?;
            if matches!(sender.status(), SignatureStatus::UntrustedIssuer { .. }) {
                keep::trust(&self.store, &sender, &[Purpose::Verify, Purpose::Encrypt])?;
                let message = self.reopen(&opened.raw)?;
                return self.install_from(&message);
            }
            // Valid: nothing to trust. Anything else: install refuses, saying why.
            self.install_from(&message)
        })
    }

    /// Install: keeps the certificate of signer `signer` (the sender, index 0) of
    /// `opened` for its From address, when its signature is valid (a trusted
    /// issuer, or one the user trusted).
    pub fn install(&self, opened: Opened, signer: u32) -> Result<Installed, SmimeError> {
        guard(|| {
            let message = self.reopen_for_signer(&opened, signer)?;
            self.install_from(&message)
        })
    }

    /// Removes an installed certificate (and the user's Trust decision for it) by its
    /// SHA-256 fingerprint (64 hex digits; colons allowed). Returns whether it was
    /// installed.
    pub fn remove(&self, fingerprint: String) -> Result<bool, SmimeError> {
        guard(|| {
            Ok(keep::remove(
                &self.store,
                &parse_fingerprint(&fingerprint)?,
            )?)
        })
    }

    /// The certificates installed in the store.
    pub fn installed(&self) -> Result<Vec<Arc<Certificate>>, SmimeError> {
        guard(|| {
            Ok(self
                .store
                .list()?
                .iter()
                .map(|e| Certificate::shared(e.certificate()))
                .collect())
        })
    }
}

impl Client {
    /// The settings; a call that panicked while holding them left nothing half-done
    /// (each change is one push or one assignment), so poisoning is ignored.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn directory(&self) -> Layered {
        let mut sources: Vec<Box<dyn CertificateDirectory>> = vec![Box::new(self.store.clone())];
        sources.extend(
            self.state()
                .sources
                .iter()
                .map(|s| Box::new(Arc::clone(s)) as Box<dyn CertificateDirectory>),
        );
        Layered::new(sources)
    }

    fn check_recipients(&self, recipients: &Recipients) -> smime::encryptor::EncryptionReport {
        let directory = self.directory();
        let encryptor = Encryptor::new(&directory, &self.trust)
            .encrypt_to_self(&self.identity.0)
            .with_preferences(&self.store);
        encryptor.check(recipients, SystemTime::now())
    }

    fn seal_all(
        &self,
        message: &[u8],
        report: &Report,
        sign: bool,
        encrypt: bool,
    ) -> Result<Vec<SealedCopy>, SmimeError> {
        let me = &self.identity.0;
        let everyone = || {
            report
                .recipients
                .iter()
                .filter(|r| r.role != Role::Sender)
                .map(|r| r.address.clone())
                .collect()
        };
        if !encrypt {
            let message = if sign {
                smime::mime::sign_message_protected(
                    message,
                    me,
                    &Default::default(),
                    Default::default(),
                    self.state().header_protection,
                    Vec::with_capacity(message.len() * 2 + 4096),
                )?
            } else {
                message.to_vec()
            };
            return Ok(vec![SealedCopy {
                recipients: everyone(),
                message,
            }]);
        }
        let mut recipients = Recipients::new();
        for r in report.recipients.iter().filter(|r| r.role != Role::Sender) {
            recipients.add(parse_address(&r.address)?, r.role.into());
        }
        let fresh = self.check_recipients(&recipients);
        let options = if sign {
            SealOptions::sign_and_encrypt(me)
        } else {
            SealOptions::encrypt()
        }
        .header_protection(self.state().header_protection);
        let directory = self.directory();
        let sealed = Encryptor::new(&directory, &self.trust).seal(message, &fresh, &options)?;
        Ok(sealed
            .copies()
            .iter()
            .map(|c| SealedCopy {
                recipients: c.recipients().iter().map(ToString::to_string).collect(),
                message: c.message().to_vec(),
            })
            .collect())
    }

    fn add_activesync(
        &self,
        config: ActiveSyncConfig,
        ca_certificates: Vec<Arc<Certificate>>,
        allow_insecure_http: bool,
    ) -> Result<(), SmimeError> {
        let mut config = config.with_tls_roots(ca_certificates.iter().map(|c| c.0.clone()));
        if allow_insecure_http {
            config = config.with_insecure_http();
        }
        let gal = ActiveSyncGal::new(config)?;
        self.state().sources.push(Arc::new(Cached::new(gal)));
        Ok(())
    }

    fn reopen(&self, raw: &[u8]) -> Result<OpenedMessage, SmimeError> {
        Ok(smime::reader::open(
            raw,
            &[&self.identity.0],
            &self.trust,
            &Policy::email(),
            SystemTime::now(),
        )?)
    }

    /// Opens `opened.raw` again (with the current trust) and checks that `signer`
    /// is the sender: the signer whose certificate can be trusted and installed for
    /// the From address.
    fn reopen_for_signer(&self, opened: &Opened, signer: u32) -> Result<OpenedMessage, SmimeError> {
        let message = self.reopen(&opened.raw)?;
        let count = message.signatures().count();
        let index = usize::try_from(signer).unwrap_or(usize::MAX);
        if index >= count {
            return Err(SmimeError::InvalidArgument(format!(
                "signer {signer} does not exist: the message has {count} signer(s)"
            )));
        }
        let first = message.signatures().next().and_then(|s| s.certificate());
        let chosen = message
            .signatures()
            .nth(index)
            .and_then(|s| s.certificate());
        if index != 0 && chosen != first {
            return Err(SmimeError::InvalidArgument(format!(
                "signer {signer} is not the sender: only the first signer's certificate can be kept for the From address"
            )));
        }
        Ok(message)
    }

    fn install_from(&self, message: &OpenedMessage) -> Result<Installed, SmimeError> {
        let installed = keep::install(&self.store, message)?;
        Ok(Installed {
            fingerprint: installed.certificate.fingerprint_hex(),
            address: installed.address.to_string(),
            certificate: Certificate::shared(&installed.certificate),
        })
    }
}

impl From<Role> for smime::encryptor::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::To => smime::encryptor::Role::To,
            Role::Cc => smime::encryptor::Role::Cc,
            Role::Bcc => smime::encryptor::Role::Bcc,
            Role::Sender => smime::encryptor::Role::Sender,
        }
    }
}

fn parse_address(text: &str) -> Result<EmailAddress, SmimeError> {
    Ok(text.parse::<EmailAddress>()?)
}

fn not_signed() -> SmimeError {
    SmimeError::Refused(keep::KeepError::NotSigned.to_string())
}

fn parse_fingerprint(text: &str) -> Result<[u8; 32], SmimeError> {
    let digits: Vec<u8> = text.bytes().filter(|b| *b != b':').collect();
    let bad = || {
        SmimeError::InvalidArgument(format!(
            "{text:?} is not a SHA-256 fingerprint (64 hexadecimal digits)"
        ))
    };
    // Hex digits only: `from_str_radix` alone would also take a sign ("+1").
    if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_fingerprint;

    #[test]
    fn fingerprints_parse_in_either_case_with_or_without_colons() {
        let upper = "00".repeat(31) + "AB";
        assert_eq!(parse_fingerprint(&upper).unwrap()[31], 0xab);
        assert_eq!(parse_fingerprint(&upper.to_lowercase()).unwrap()[31], 0xab);
        let colons = vec!["0F"; 32].join(":");
        assert_eq!(parse_fingerprint(&colons).unwrap(), [0x0f; 32]);
        for bad in [
            "",
            "AB",
            &"G0".repeat(32),
            &"+1".repeat(32),
            &"00".repeat(33),
        ] {
            let err = parse_fingerprint(bad).unwrap_err();
            assert!(err.to_string().contains("SHA-256 fingerprint"), "{err}");
        }
    }
}
