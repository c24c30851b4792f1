//! The user's trust decisions and each correspondent's latest S/MIME preferences:
//! their records in the store (format in the parent module's docs) and the store as
//! the trust layer's source of user decisions.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::{Damaged, InstalledStore, PREFERENCES, TRUST, parse_fingerprint, parse_secs, secs};
use crate::directory::records::{
    Record, hex_upper, io_error, read_limited, remove_durable, write_atomic,
};
use crate::{address::EmailAddress, cert::Certificate, error::DirectoryError, error::Result};

/// What the user trusted a certificate for (REQUIREMENTS.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrustPurpose {
    /// Accept its signatures although its issuer is unknown.
    Verify,
    /// Encrypt to it although its issuer is unknown.
    Encrypt,
}

impl TrustPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TrustPurpose::Verify => "verify",
            TrustPurpose::Encrypt => "encrypt",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "verify" => Some(TrustPurpose::Verify),
            "encrypt" => Some(TrustPurpose::Encrypt),
            _ => None,
        }
    }
}

/// The user's decision to trust one certificate (the leaf only, never its issuer) for
/// some addresses and purposes. The store keeps it; the trust layer reads it and
/// still enforces everything else (validity, key usage, address binding).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrustDecision {
    /// SHA-256 fingerprint of the trusted certificate.
    pub cert_sha256: [u8; 32],
    /// The addresses the user trusted it for (normalised by [`EmailAddress`]).
    pub addresses: Vec<EmailAddress>,
    /// What for.
    pub purposes: Vec<TrustPurpose>,
    /// When the user decided.
    pub created_at: SystemTime,
    /// SHA-256 of the certificate's SubjectPublicKeyInfo, when recorded (decisions
    /// written before this field have none and apply to no certificate).
    pub spki_sha256: Option<[u8; 32]>,
}

impl TrustDecision {
    /// Trust `certificate` for every address it names, for `purposes`, now.
    pub fn new(certificate: &Certificate, purposes: &[TrustPurpose]) -> Self {
        TrustDecision {
            cert_sha256: certificate.fingerprint_sha256(),
            addresses: certificate.email_addresses().to_vec(),
            purposes: purposes.to_vec(),
            created_at: SystemTime::now(),
            spki_sha256: Some(crate::trust::spki_sha256(certificate)),
        }
    }
}

/// A correspondent's latest S/MIME preferences, from the newest verified signed
/// message (RFC 8551 §2.7.1): its SMIMECapabilities and SMIMEEncryptionKeyPreference
/// attribute values as DER, with that message's signing time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CorrespondentPreferences {
    /// The correspondent.
    pub address: EmailAddress,
    /// The signing time of the message they came from.
    pub signing_time: SystemTime,
    /// The SMIMECapabilities attribute value (DER), opaque here.
    pub smime_capabilities: Option<Vec<u8>>,
    /// The SMIMEEncryptionKeyPreference attribute value (DER), opaque here.
    pub encryption_key_preference: Option<Vec<u8>>,
}

impl CorrespondentPreferences {
    /// Preferences of `address` from a message signed at `signing_time`.
    pub fn new(address: EmailAddress, signing_time: SystemTime) -> Self {
        CorrespondentPreferences {
            address,
            signing_time,
            smime_capabilities: None,
            encryption_key_preference: None,
        }
    }
}

impl InstalledStore {
    /// Stores the user's trust decision (replacing an earlier one for the same
    /// certificate).
    pub fn record_trust(&self, decision: &TrustDecision) -> Result<()> {
        let mut r = Record::new("trust");
        r.push("cert-sha256", hex_upper(&decision.cert_sha256));
        for a in &decision.addresses {
            r.push("address", a.as_str());
        }
        for p in &decision.purposes {
            r.push("purpose", p.as_str());
        }
        r.push("created-at", secs(decision.created_at));
        if let Some(spki) = &decision.spki_sha256 {
            r.push("spki-sha256", hex_upper(spki));
        }
        let _lock = self.lock()?;
        let name = format!("{}.trust", hex_upper(&decision.cert_sha256));
        write_atomic(&self.sub(TRUST), &name, &r.encode())?;
        Ok(())
    }

    /// Withdraws the trust decision for a certificate. Returns whether there was one.
    pub fn revoke_trust(&self, cert_sha256: &[u8; 32]) -> Result<bool> {
        let _lock = self.lock()?;
        Ok(remove_durable(
            &self.sub(TRUST),
            &format!("{}.trust", hex_upper(cert_sha256)),
        )?)
    }

    /// The trust decision for a certificate, if the user made one. A damaged file is
    /// an error ([`DirectoryError::Damaged`]), never "no decision".
    pub fn trust_decision(&self, cert_sha256: &[u8; 32]) -> Result<Option<TrustDecision>> {
        let path = self
            .sub(TRUST)
            .join(format!("{}.trust", hex_upper(cert_sha256)));
        if !path.exists() {
            return Ok(None);
        }
        read_trust(&path)
            .map(Some)
            .map_err(|reason| DirectoryError::Damaged { path, reason }.into())
    }

    /// Every trust decision, and the files skipped because they are damaged.
    pub fn trust_decisions(&self) -> Result<(Vec<TrustDecision>, Vec<Damaged>)> {
        let dir = self.sub(TRUST);
        let mut decisions = Vec::new();
        let mut damaged = Vec::new();
        for e in fs::read_dir(&dir).map_err(|e| io_error(&dir, e))?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(".trust") {
                continue;
            }
            match read_trust(&e.path()) {
                Ok(d) => decisions.push(d),
                Err(reason) => damaged.push(Damaged {
                    path: e.path(),
                    reason,
                }),
            }
        }
        decisions.sort_by_key(|d| d.cert_sha256);
        Ok((decisions, damaged))
    }

    /// Stores a correspondent's preferences if they are newer (by signing time) than
    /// those stored (RFC 8551 §2.7.1). Returns whether they were stored.
    ///
    /// The caller passes only attributes from a message whose signature, certificate
    /// and From address were verified, and refuses signing times in the future beyond
    /// its clock-skew allowance (REQUIREMENTS.md §2 row 5); the store only keeps the
    /// newest.
    pub fn record_preferences(&self, preferences: &CorrespondentPreferences) -> Result<bool> {
        let _lock = self.lock()?;
        if let Some(current) = self.preferences(&preferences.address)?
            && current.signing_time >= preferences.signing_time
        {
            return Ok(false);
        }
        let mut r = Record::new("preferences");
        r.push("address", preferences.address.as_str());
        r.push("signing-time", secs(preferences.signing_time));
        if let Some(der) = &preferences.smime_capabilities {
            r.push("smime-capabilities", BASE64.encode(der));
        }
        if let Some(der) = &preferences.encryption_key_preference {
            r.push("encryption-key-preference", BASE64.encode(der));
        }
        write_atomic(
            &self.sub(PREFERENCES),
            &preferences_name(&preferences.address),
            &r.encode(),
        )?;
        Ok(true)
    }

    /// A correspondent's latest stored preferences. A damaged file is an error.
    pub fn preferences(&self, address: &EmailAddress) -> Result<Option<CorrespondentPreferences>> {
        let path = self.sub(PREFERENCES).join(preferences_name(address));
        if !path.exists() {
            return Ok(None);
        }
        let damaged = |reason: String| DirectoryError::Damaged {
            path: path.clone(),
            reason,
        };
        let bytes = read_limited(&path).map_err(damaged)?;
        let r = Record::decode(&bytes, "preferences").map_err(damaged)?;
        let stored: EmailAddress = r
            .get("address")
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| damaged("missing or invalid address".into()))?;
        if &stored != address {
            return Err(damaged(format!("holds the preferences of {stored}")).into());
        }
        let blob = |key: &str| -> Result<Option<Vec<u8>>, DirectoryError> {
            r.get(key)
                .map(|v| {
                    BASE64
                        .decode(v)
                        .map_err(|_| damaged(format!("invalid {key}")))
                })
                .transpose()
        };
        Ok(Some(CorrespondentPreferences {
            address: stored,
            signing_time: parse_secs(r.get("signing-time"), "signing-time").map_err(damaged)?,
            smime_capabilities: blob("smime-capabilities")?,
            encryption_key_preference: blob("encryption-key-preference")?,
        }))
    }
}

fn preferences_name(address: &EmailAddress) -> String {
    format!(
        "{}.prefs",
        hex_upper(&Sha256::digest(address.normalized().as_bytes()))
    )
}

fn read_trust(path: &Path) -> Result<TrustDecision, String> {
    let r = Record::decode(&read_limited(path)?, "trust")?;
    let cert_sha256 = r
        .get("cert-sha256")
        .and_then(|h| parse_fingerprint(&h))
        .ok_or("missing or invalid cert-sha256")?;
    let addresses = r
        .all("address")
        .map(|a| a.parse().map_err(|_| format!("invalid address {a:?}")))
        .collect::<Result<Vec<EmailAddress>, String>>()?;
    let purposes = r
        .all("purpose")
        .map(|p| TrustPurpose::parse(&p).ok_or_else(|| format!("unknown purpose {p:?}")))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(TrustDecision {
        cert_sha256,
        addresses,
        purposes,
        created_at: parse_secs(r.get("created-at"), "created-at")?,
        spki_sha256: r.get("spki-sha256").and_then(|h| parse_fingerprint(&h)),
    })
}

/// The store's decisions feed trust evaluation (REQUIREMENTS.md §3): a decision
/// applies to exactly the certificate it names; a damaged or incomplete record is no
/// decision (fail closed).
impl crate::trust::UserTrustSource for InstalledStore {
    fn decision_for(&self, cert_sha256: &[u8; 32]) -> Option<crate::trust::UserTrust> {
        let d = self.trust_decision(cert_sha256).ok().flatten()?;
        let spki = d.spki_sha256?;
        let purposes = d
            .purposes
            .iter()
            .map(|p| match p {
                TrustPurpose::Verify => crate::trust::Purpose::Verify,
                TrustPurpose::Encrypt => crate::trust::Purpose::Encrypt,
            })
            .collect();
        Some(crate::trust::UserTrust::from_parts(
            d.cert_sha256,
            spki,
            d.addresses,
            purposes,
            d.created_at,
            None,
        ))
    }
}
