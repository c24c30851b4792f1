//! The header fields a reader shows (RFC 9788 §3, §4.3): the protected header
//! section when the message has one that its signature or encryption covers, the
//! outer fields otherwise.
//!
//! With `hp="cipher"` or `hp="clear"` the protected section is the message's header
//! section and outer fields are ignored (RFC 9788 §4.3: they may have been changed
//! in transit, or obscured by the sender's policy); with the older
//! `protected-headers="v1"` the protected fields win and the outer ones fill in.

use super::{OpenedMessage, SignedScope};
use crate::mime::{HpScheme, ProtectedHeaders, read_header_block};

/// The fields of RFC 9788 §1.1.2 that a mail app shows the user.
pub const USER_FACING_FIELDS: [&str; 6] = ["Subject", "From", "To", "Cc", "Date", "Reply-To"];

/// The protected header section of `content`, when the cryptographic protection
/// covers it: some layer was decrypted, or the whole message is signed.
pub(super) fn covered(
    content: &[u8],
    encrypted: bool,
    scope: SignedScope,
) -> Option<ProtectedHeaders> {
    if !encrypted && scope != SignedScope::WholeMessage {
        return None;
    }
    let block = read_header_block(&mut &content[..]).ok()?;
    ProtectedHeaders::from_payload(&block)
}

impl<C> OpenedMessage<C> {
    /// The protected header section (RFC 9788), when the message has one covered by
    /// its signature or encryption: which fields were protected, what the outside
    /// showed (`HP-Outer`), which were confidential. Read from the content's header
    /// block on each call (the message keeps only whether there is one).
    pub fn header_protection(&self) -> Option<ProtectedHeaders> {
        if !self.header_protected {
            return None;
        }
        self.inner_headers
            .as_ref()
            .and_then(ProtectedHeaders::from_payload)
    }

    /// The value of the header field `name` as the user should see it: from the
    /// protected header section when there is one (see the module documentation),
    /// else from the outer header section.
    pub fn header(&self, name: &str) -> Option<String> {
        let outer = || self.outer_headers.get(name).map(|f| f.value().to_owned());
        match self.header_protection() {
            None => outer(),
            Some(hp) => {
                let inner = hp.get(name).map(|f| f.value().to_owned());
                match hp.scheme() {
                    HpScheme::LegacyV1 => inner.or_else(outer),
                    _ => inner,
                }
            }
        }
    }

    /// The Subject the user should see ([`OpenedMessage::header`]).
    pub fn subject(&self) -> Option<String> {
        self.header("Subject")
    }

    /// Which of the user-facing fields (Subject, From, To, Cc, Date, Reply-To) the
    /// user sees from the protected header section; empty without header protection.
    pub fn protected_fields(&self) -> Vec<&'static str> {
        match self.header_protection() {
            None => Vec::new(),
            Some(hp) => USER_FACING_FIELDS
                .into_iter()
                .filter(|n| hp.get(n).is_some())
                .collect(),
        }
    }
}
