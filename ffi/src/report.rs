//! What `Client.check` answers: the designation and one record per recipient.

use std::sync::Arc;

use smime::encryptor::{self, EncryptionReport, RecipientReport, RecipientStatus};

use crate::certificate::Certificate;

/// The message's state, as the mail app shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Designation {
    /// Encryption is on and every recipient can be encrypted to.
    Encrypted,
    /// Encryption is off.
    NotEncrypted,
    /// Encryption is on and at least one recipient cannot be encrypted to.
    UnableToEncrypt,
}

/// Which header field a recipient is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Role {
    /// To.
    To,
    /// Cc.
    Cc,
    /// Bcc: gets a copy of its own, never seen by the others.
    Bcc,
    /// The sender: the Sent copy is encrypted to the sender too.
    Sender,
}

/// One recipient: a blue lock (`encryptable`) or a red one, and why.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Recipient {
    /// The address, normalised.
    pub address: String,
    /// The header field it is in.
    pub role: Role,
    /// Whether the message can be encrypted to it.
    pub encryptable: bool,
    /// Why not, as a sentence; `None` when encryptable.
    pub reason: Option<String>,
    /// Where the certificate was found (installed store, contacts, the GAL); `None`
    /// when no source had a usable one.
    pub source: Option<String>,
    /// The certificate chosen (or the best unusable one), for "View Certificate".
    pub certificate: Option<Arc<Certificate>>,
}

/// The answer to "can I encrypt to these recipients?".
#[derive(Debug, Clone, uniffi::Record)]
pub struct Report {
    /// Encrypted, Not Encrypted or Unable to Encrypt.
    pub designation: Designation,
    /// Every recipient in the order given, the sender last.
    pub recipients: Vec<Recipient>,
}

impl Report {
    pub(crate) fn of(report: &EncryptionReport, encrypt: bool) -> Report {
        Report {
            designation: match report.designation(encrypt) {
                encryptor::Designation::Encrypted => Designation::Encrypted,
                encryptor::Designation::NotEncrypted => Designation::NotEncrypted,
                _ => Designation::UnableToEncrypt,
            },
            recipients: report.recipients().iter().map(recipient).collect(),
        }
    }
}

fn recipient(r: &RecipientReport) -> Recipient {
    let status = r.status();
    let (reason, source) = match status {
        RecipientStatus::Encryptable { source, .. } => (None, Some(source.to_string())),
        RecipientStatus::LookupFailed { source, .. } => {
            (Some(status.to_string()), Some(source.to_string()))
        }
        other => (Some(other.to_string()), None),
    };
    Recipient {
        address: r.address().to_string(),
        role: match r.role() {
            encryptor::Role::To => Role::To,
            encryptor::Role::Cc => Role::Cc,
            encryptor::Role::Bcc => Role::Bcc,
            _ => Role::Sender,
        },
        encryptable: status.is_encryptable(),
        reason,
        source,
        certificate: status.certificate().map(Certificate::shared),
    }
}

/// One sealed copy and who it is delivered to (`Client.seal_copies`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct SealedCopy {
    /// The envelope recipients (RCPT TO) of this copy; the first copy also goes to
    /// the sender's Sent folder.
    pub recipients: Vec<String>,
    /// The sealed RFC 5322 message.
    pub message: Vec<u8>,
}
