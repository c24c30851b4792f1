//! Learning correspondents' certificates from verified mail: what mail clients do
//! so that a reply to a signed message can be encrypted without an explicit
//! Install (RFC 8551 §2.5.3: receiving agents SHOULD store the sender's
//! capabilities with the signing time, and the certificate with them).
//!
//! Only a signer whose status is `Valid` teaches anything: the signature verifies,
//! the chain is trusted, and the certificate names the From address. Invalid,
//! untrusted, expired, revoked or address-mismatched signers go through the
//! Trust → Install flow instead. A collected certificate is stored with
//! [`Acquisition::CollectedFromVerifiedMessage`]; the encryptor reports it under
//! [`SourceKind::Collected`](crate::directory::SourceKind::Collected) and never
//! prefers it over a usable certificate from elsewhere. [`remove`](super::remove)
//! removes collected certificates like installed ones.

use std::time::SystemTime;

use crate::address::EmailAddress;
use crate::cert::Certificate;
use crate::directory::{
    Acquisition, CertificateDirectory, CertificateStoreWrite, InstallOptions, InstalledStore,
    Provenance,
};
use crate::error::Error;
use crate::oid;
use crate::reader::{OpenedMessage, SignedScope};
use crate::trust::{self, Use};

/// What [`learn`] recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Learnt {
    /// The From address learnt for, when something could be learnt.
    pub address: Option<EmailAddress>,
    /// The certificates newly collected for it.
    pub collected: Vec<Certificate>,
    /// Valid signers whose certificate the store already held for the address.
    pub already_known: usize,
    /// Signers nothing was learnt from: not `Valid`, or a certificate that does not
    /// allow encryption.
    pub refused: usize,
    /// Whether the stored capabilities and key preference changed (only a newer
    /// signing time replaces them; see [`record_preferences`](super::record_preferences)).
    pub preferences_updated: bool,
}

/// Records what `opened` teaches about its sender (see the module documentation):
/// each `Valid` signer's certificate becomes a collected candidate for the From
/// address, and the capabilities are stored with the signing time. `now` is the
/// reader's clock. Call it after [`reader::open`](crate::reader::open), when the app
/// has opted in.
pub fn learn<C>(
    store: &InstalledStore,
    opened: &OpenedMessage<C>,
    now: SystemTime,
) -> Result<Learnt, Error> {
    let mut learnt = Learnt::default();
    // A partially signed message says nothing about its sender (row 11).
    if opened.signed_scope() != SignedScope::WholeMessage {
        learnt.refused = opened.signatures().count();
        return Ok(learnt);
    }
    let Some(from) = opened.from().cloned() else {
        learnt.refused = opened.signatures().count();
        return Ok(learnt);
    };
    let known: Vec<[u8; 32]> = store
        .lookup(std::slice::from_ref(&from))
        .iter()
        .flat_map(|l| l.candidates())
        .map(|c| c.certificate().fingerprint_sha256())
        .collect();
    let message_id = opened.header("Message-ID").map(|v| v.trim().to_owned());
    for signer in opened.signatures() {
        let Some(cert) = signer.certificate() else {
            learnt.refused += 1;
            continue;
        };
        // Valid: signature, trusted chain and From all good (the reader's verdict).
        if !signer.status().is_valid() || !cert.names_address(&from) {
            learnt.refused += 1;
            continue;
        }
        // Kept to encrypt to: the trust layer's rule for that use (its path was
        // judged with the signature).
        let encrypt_to = Use::encrypt_to(from.clone(), now);
        if trust::check_without_path(cert, &encrypt_to, oid::KP_EMAIL_PROTECTION).is_err() {
            learnt.refused += 1;
            continue;
        }
        let fp = cert.fingerprint_sha256();
        if known.contains(&fp) || learnt.collected.contains(cert) {
            learnt.already_known += 1;
            continue;
        }
        let options = InstallOptions {
            addresses: vec![from.clone()],
            provenance: Provenance {
                installed_at: now,
                message_id: message_id.clone(),
                origin: "verified message".into(),
                acquisition: Acquisition::CollectedFromVerifiedMessage,
            },
        };
        store.install(cert, &options)?;
        learnt.collected.push(cert.clone());
    }
    learnt.preferences_updated = super::record_preferences(store, opened, now)?;
    learnt.address = Some(from);
    Ok(learnt)
}
