//! What `Client.open` answers: the content, how it was protected, and each signer.

use std::sync::Arc;

use smime::reader::{Layer, OpenedMessage};
use smime::reader::{SignatureStatus, SignerReport};

use crate::certificate::Certificate;

/// A signer's verdict: the blue check is `Valid`; everything else is a red mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SignerStatus {
    /// Signature, certificate chain and sender address are all good.
    Valid,
    /// Tampered, wrong key, bad attributes, or a chain that cannot be accepted.
    Invalid,
    /// The signature is good but the issuer is not trusted: the user may Trust it.
    UntrustedIssuer,
    /// The signature is good but the certificate is expired or not yet valid.
    Expired,
    /// The signature is good but a certificate on its path is revoked.
    Revoked,
    /// The signature is good but the certificate does not name the From address.
    AddressMismatch,
}

/// One signer of the message.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Signer {
    /// The verdict.
    pub status: SignerStatus,
    /// The signer's address: the From address when the certificate names it, else
    /// the certificate's first address.
    pub address: Option<String>,
    /// The signer's certificate; `None` when the message did not carry it (the
    /// status is then `Invalid`).
    pub certificate: Option<Arc<Certificate>>,
    /// Why the status is not `Valid`, as a sentence; `None` when valid.
    pub reason: Option<String>,
}

/// An encrypted part found inside a message and left encrypted (EFAIL, RFC 8551 §6):
/// open `entity` with `Client.open` as a message of its own, only when the user asks,
/// and show it apart from the message it came in.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NestedEncryptedPart {
    /// Child indices from the message's root entity (an opened S/MIME layer has one
    /// child, 0: its content).
    pub path: Vec<u32>,
    /// The part's header fields and body, as received.
    pub entity: Vec<u8>,
}

/// A received message, opened.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Opened {
    /// The innermost entity (headers and body): the protected content.
    pub content: Vec<u8>,
    /// Whether a layer was decrypted.
    pub decrypted: bool,
    /// Whether every decryption was authenticated (AES-GCM, ChaCha20-Poly1305);
    /// `None` when nothing was encrypted.
    pub authenticated: Option<bool>,
    /// Every signer of every signed layer, outermost first.
    pub signers: Vec<Signer>,
    /// The blue check: the whole message is signed and every signer is valid.
    pub signature_valid: bool,
    /// The From address, when the message has exactly one.
    pub from_address: Option<String>,
    /// The Subject to show: the protected one when the message carries its header
    /// section inside the signature or encryption (RFC 9788), else the outer one.
    pub subject: Option<String>,
    /// Which of Subject, From, To, Cc, Date, Reply-To came from the protected header
    /// section; empty without header protection.
    pub protected_fields: Vec<String>,
    /// Encrypted parts inside the message that were not decrypted (an encrypted part
    /// of a multipart is never shown as the message's content); empty for most mail.
    pub nested_encrypted_parts: Vec<NestedEncryptedPart>,
    /// The message as received: `Client.trust_and_install` and `Client.install`
    /// open it again to act on its signer.
    pub raw: Vec<u8>,
}

impl Opened {
    pub(crate) fn of(opened: &OpenedMessage, raw: Vec<u8>) -> Opened {
        Opened {
            content: opened.content().to_vec(),
            decrypted: opened
                .layers()
                .iter()
                .any(|l| matches!(l, Layer::Encrypted { .. })),
            authenticated: opened.decryption_authenticated(),
            signers: opened
                .signatures()
                .map(|s| signer(s, opened.from()))
                .collect(),
            signature_valid: opened.is_signature_valid(),
            from_address: opened.from().map(ToString::to_string),
            subject: opened.subject(),
            protected_fields: opened
                .protected_fields()
                .into_iter()
                .map(String::from)
                .collect(),
            nested_encrypted_parts: opened
                .nested_encrypted_parts()
                .iter()
                .map(|n| NestedEncryptedPart {
                    path: n
                        .path()
                        .iter()
                        .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
                        .collect(),
                    entity: n.entity().to_vec(),
                })
                .collect(),
            raw,
        }
    }
}

fn signer(report: &SignerReport, from: Option<&smime::EmailAddress>) -> Signer {
    let status = report.status();
    let cert = report.certificate();
    let address = cert.and_then(|c| {
        from.filter(|f| c.names_address(f))
            .or_else(|| c.email_addresses().first())
            .map(ToString::to_string)
    });
    Signer {
        status: match status {
            SignatureStatus::Valid => SignerStatus::Valid,
            SignatureStatus::UntrustedIssuer { .. } => SignerStatus::UntrustedIssuer,
            SignatureStatus::Expired { .. } => SignerStatus::Expired,
            SignatureStatus::Revoked { .. } => SignerStatus::Revoked,
            SignatureStatus::AddressMismatch { .. } => SignerStatus::AddressMismatch,
            // Invalid, and any verdict added later: not a blue check.
            _ => SignerStatus::Invalid,
        },
        address,
        certificate: cert.map(Certificate::shared),
        reason: (!status.is_valid()).then(|| status.to_string()),
    }
}
