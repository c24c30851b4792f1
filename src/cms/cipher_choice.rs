//! Which content cipher a message to several recipients uses, and why (RFC 8551 §2.7.1).
//!
//! The rule, in one function ([`CipherPolicy::choose`]):
//!
//! * every recipient announced its capabilities (a stored SMIMECapabilities attribute,
//!   RFC 8551 §2.5.2) and they share an allowed cipher: the strongest one they share
//!   ([`CipherReason::AnnouncedByAll`], §2.7.1.1 and §2.7.1.3). An authenticated cipher
//!   (AES-GCM, ChaCha20-Poly1305) is used only this way, or by the app's policy;
//! * some recipient's capabilities are unknown: AES-256-CBC
//!   ([`CipherReason::UnknownForSome`]). RFC 8551 §2.7.1.2 prefers AES-256-GCM here and
//!   allows AES-256-CBC in its second sentence; deployed clients cannot all read
//!   AuthEnvelopedData (Thunderbird's NSS 3.87 cannot, measured in
//!   `tests/interop_nss.rs`), and a message the recipient cannot open is the worst
//!   outcome a mail app can have;
//! * the recipients announced ciphers but share none that is allowed: AES-256-CBC too
//!   ([`CipherReason::NoneInCommon`]);
//! * the app's policy replaces that fallback (e.g. [`CipherPolicy::authenticated_only`]
//!   sends AES-256-GCM to recipients whose capabilities are unknown):
//!   [`CipherReason::Policy`].
//!
//! The trade-off: CBC gives confidentiality only; a modified CBC message decrypts
//! without complaint (EFAIL, RFC 8551 §6). The defence is on the receiving side: our
//! reader says `authenticated: false` for it
//! ([`DecryptInfo::authenticated`](crate::cms::DecryptInfo::authenticated)) and keeps
//! the decrypted entity a separate origin from anything unprotected around it
//! ([`reader`](crate::reader)), as modern clients do; a valid inner signature is what
//! protects its integrity.

use std::fmt;

use der::Decode;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;

use super::algorithms::ContentCipher;

/// The ciphers this library announces in its own signatures (SMIMECapabilities, RFC
/// 8551 §2.5.2), strongest first. The sender's own copy is read by this library, so a
/// sender without stored capabilities counts as having announced these.
pub const OWN_CAPABILITIES: [ContentCipher; 5] = [
    ContentCipher::Aes256Gcm,
    ContentCipher::Aes128Gcm,
    ContentCipher::Aes256Cbc,
    ContentCipher::Aes192Cbc,
    ContentCipher::Aes128Cbc,
];

/// Which content ciphers the sender accepts, and which it falls back to when the
/// recipients' capabilities do not decide (RFC 8551 §2.7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherPolicy {
    /// Used when some recipient's capabilities are unknown, or the recipients share
    /// no allowed cipher. Default AES-256-CBC (RFC 8551 §2.7.1.2, second sentence).
    /// When it is not in `allowed`, the first allowed cipher is used instead.
    pub default: ContentCipher,
    /// The ciphers allowed, strongest first; nothing outside this list is ever
    /// used, whatever the recipients announce.
    pub allowed: Vec<ContentCipher>,
}

impl Default for CipherPolicy {
    fn default() -> Self {
        CipherPolicy {
            default: ContentCipher::Aes256Cbc,
            allowed: vec![
                ContentCipher::Aes256Gcm,
                ContentCipher::ChaCha20Poly1305,
                ContentCipher::Aes128Gcm,
                ContentCipher::Aes256Cbc,
                ContentCipher::Aes192Cbc,
                ContentCipher::Aes128Cbc,
            ],
        }
    }
}

impl CipherPolicy {
    /// Authenticated ciphers only (no CBC), AES-256-GCM when the recipients'
    /// capabilities do not decide. Recipients whose clients cannot read
    /// AuthEnvelopedData cannot open what this sends.
    pub fn authenticated_only() -> Self {
        let mut p = CipherPolicy::default();
        p.allowed.retain(|c| c.is_authenticated());
        p.default = ContentCipher::Aes256Gcm;
        p
    }

    /// The same as [`CipherPolicy::default`] (AES-256-CBC unless every recipient
    /// announced better), kept for callers that asked for it by name.
    pub fn compatible() -> Self {
        CipherPolicy::default()
    }

    /// The rule: what every recipient announced (`None` where its capabilities are
    /// unknown; the known ciphers of an SMIMECapabilities value otherwise) decides the
    /// cipher, as the module docs say. Never a cipher outside `allowed` (unless the
    /// list is empty, which allows nothing: then the rule's AES-256-CBC).
    ///
    /// ```
    /// use smime::cms::{CipherPolicy, CipherReason, ContentCipher};
    ///
    /// let modern = [ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc];
    /// let policy = CipherPolicy::default();
    /// // Every recipient announced AES-256-GCM: it is used.
    /// let c = policy.choose([Some(&modern[..]), Some(&modern[..])]);
    /// assert_eq!((c.cipher(), c.reason()), (ContentCipher::Aes256Gcm, CipherReason::AnnouncedByAll));
    /// // One recipient unknown: AES-256-CBC, which every deployed client reads.
    /// let c = policy.choose([Some(&modern[..]), None]);
    /// assert_eq!((c.cipher(), c.reason()), (ContentCipher::Aes256Cbc, CipherReason::UnknownForSome));
    /// // Unless the app asks for authenticated encryption only.
    /// let c = CipherPolicy::authenticated_only().choose([Some(&modern[..]), None]);
    /// assert_eq!((c.cipher(), c.reason()), (ContentCipher::Aes256Gcm, CipherReason::Policy));
    /// ```
    pub fn choose<'a>(
        &self,
        announced: impl IntoIterator<Item = Option<&'a [ContentCipher]>>,
    ) -> CipherChoice {
        // The allowed ciphers every recipient announced, in the policy's order; `None`
        // as soon as one recipient's capabilities are unknown (or there is none).
        let mut common: Option<Vec<ContentCipher>> = None;
        let mut unknown = false;
        for caps in announced {
            let Some(caps) = caps else {
                unknown = true;
                continue;
            };
            let shared: Vec<ContentCipher> = common
                .take()
                .unwrap_or_else(|| self.allowed.clone())
                .into_iter()
                .filter(|c| caps.contains(c))
                .collect();
            common = Some(shared);
        }
        if !unknown && let Some(best) = common.as_ref().and_then(|c| c.first().copied()) {
            return CipherChoice::new(best, CipherReason::AnnouncedByAll);
        }
        let fallback = if self.allowed.contains(&self.default) {
            self.default
        } else {
            // An empty `allowed` list allows nothing better than the rule's own answer.
            self.allowed
                .first()
                .copied()
                .unwrap_or(ContentCipher::Aes256Cbc)
        };
        let reason = if fallback != ContentCipher::Aes256Cbc {
            CipherReason::Policy
        } else if unknown || common.is_none() {
            CipherReason::UnknownForSome
        } else {
            CipherReason::NoneInCommon
        };
        CipherChoice::new(fallback, reason)
    }
}

/// Why a content cipher was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CipherReason {
    /// Every recipient announced it (stored SMIMECapabilities) and it is the strongest
    /// allowed cipher they share (RFC 8551 §2.7.1.1, §2.7.1.3).
    AnnouncedByAll,
    /// Some recipient's capabilities are unknown: AES-256-CBC, which every deployed
    /// client reads (RFC 8551 §2.7.1.2, second sentence).
    UnknownForSome,
    /// Every recipient announced capabilities but they share no allowed cipher:
    /// AES-256-CBC, the most widely read one.
    NoneInCommon,
    /// The app's [`CipherPolicy`] replaced the rule's fallback (e.g.
    /// [`CipherPolicy::authenticated_only`]), or the caller named the cipher.
    Policy,
}

impl CipherReason {
    /// A short machine-readable name: `announced-by-all`, `unknown-for-some`,
    /// `none-in-common`, `policy` (the CLI's `check` JSON).
    pub fn name(self) -> &'static str {
        match self {
            CipherReason::AnnouncedByAll => "announced-by-all",
            CipherReason::UnknownForSome => "unknown-for-some",
            CipherReason::NoneInCommon => "none-in-common",
            CipherReason::Policy => "policy",
        }
    }
}

impl fmt::Display for CipherReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CipherReason::AnnouncedByAll => "every recipient announced it",
            CipherReason::UnknownForSome => {
                "some recipients' capabilities are unknown, so the cipher every client reads"
            }
            CipherReason::NoneInCommon => {
                "the recipients share no allowed cipher, so the cipher every client reads"
            }
            CipherReason::Policy => "the sender's cipher policy",
        })
    }
}

/// The content cipher a message will use, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CipherChoice {
    cipher: ContentCipher,
    reason: CipherReason,
}

impl CipherChoice {
    /// A choice of `cipher` for `reason`.
    pub fn new(cipher: ContentCipher, reason: CipherReason) -> Self {
        CipherChoice { cipher, reason }
    }
    /// The cipher.
    pub fn cipher(&self) -> ContentCipher {
        self.cipher
    }
    /// Why it was chosen.
    pub fn reason(&self) -> CipherReason {
        self.reason
    }
}

impl fmt::Display for CipherChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.cipher, self.reason)
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

#[cfg(test)]
mod tests {
    use super::*;
    use ContentCipher::*;

    #[test]
    fn no_recipients_is_nothing_known() {
        let c = CipherPolicy::default().choose([]);
        assert_eq!(
            c,
            CipherChoice::new(Aes256Cbc, CipherReason::UnknownForSome)
        );
    }

    #[test]
    fn empty_allowed_list_falls_back_to_the_rule() {
        let p = CipherPolicy {
            default: Aes256Gcm,
            allowed: vec![],
        };
        let all = [Aes256Gcm];
        assert_eq!(
            p.choose([Some(&all[..])]),
            CipherChoice::new(Aes256Cbc, CipherReason::NoneInCommon)
        );
    }

    #[test]
    fn a_default_outside_allowed_gives_the_first_allowed() {
        let p = CipherPolicy {
            default: Aes256Cbc,
            allowed: vec![ChaCha20Poly1305],
        };
        assert_eq!(
            p.choose([None]),
            CipherChoice::new(ChaCha20Poly1305, CipherReason::Policy)
        );
    }
}
