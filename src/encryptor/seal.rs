//! Sealing: sign (optionally), then encrypt once for To, Cc and the sender and once
//! more for each Bcc recipient (RFC 8551 §3.7; the Bcc copies name nobody else).

use super::recipients::Role;
use super::report::{EncryptionReport, RecipientReport, RecipientStatus};
use crate::address::EmailAddress;
use crate::cert::{Certificate, Identity};
use crate::cms::{CipherChoice, CipherPolicy, ContentCipher, EnvelopeOptions, SignOptions};
use crate::error::Error;
use crate::mime::{self, HeaderProtection, SignFormat};

/// How [`Encryptor::seal`](super::Encryptor::seal) signs and encrypts.
#[derive(Debug, Clone)]
pub struct SealOptions<'a> {
    sign: Option<&'a Identity>,
    sign_options: SignOptions,
    format: SignFormat,
    ciphers: Option<CipherPolicy>,
    envelope: EnvelopeOptions,
    header_protection: HeaderProtection,
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
            header_protection: HeaderProtection::default(),
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

    /// Header protection (RFC 9788): on by default, with `hcp_baseline` outside
    /// (the outer Subject is `[...]`) and a Legacy Display Element; see
    /// [`HeaderProtection`].
    pub fn header_protection(mut self, protection: HeaderProtection) -> Self {
        self.header_protection = protection;
        self
    }

    /// Key transport and recipient identifier settings (the cipher is chosen by
    /// the cipher policy).
    pub fn envelope(mut self, options: EnvelopeOptions) -> Self {
        self.envelope = options;
        self
    }
}

/// Why [`Encryptor::seal`](super::Encryptor::seal) refused.
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

/// The result of [`Encryptor::seal`](super::Encryptor::seal): the copy for To and Cc, and one per Bcc.
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

pub(super) fn seal(
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
    let message = mime::strip_bcc(message);
    let sender: Vec<Certificate> = report
        .recipients()
        .iter()
        .filter(|r| r.role == Role::Sender)
        .filter_map(cert_of)
        .collect();
    let seal_for = |certs: &[Certificate]| -> Result<Vec<u8>, Error> {
        match options.sign {
            Some(id) => crate::mime::sign_and_encrypt_message_protected(
                message.as_slice(),
                id,
                &options.sign_options,
                options.format,
                certs,
                &envelope,
                options.header_protection,
                Vec::with_capacity(message.len() * 2 + 4096),
            ),
            None => crate::mime::encrypt_message_protected(
                std::io::Cursor::new(message.as_slice()),
                certs,
                &envelope,
                options.header_protection,
                Vec::with_capacity(message.len() * 4 / 3 + 4096),
            ),
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
