//! [`EmailAddress`]: the one way this crate parses, normalises and compares mailboxes.
//!
//! Rules (REQUIREMENTS.md §1 #4, RFC 8550 §3):
//! * the domain is compared case-insensitively; an internationalised domain is
//!   converted to its ASCII (A-label) form first (RFC 9598 §3, UTS #46), so
//!   `Bücher.example` and `xn--bcher-kva.example` are the same domain;
//! * the local part *should* be compared case-insensitively for identity matching, and
//!   is: `Ann@corp.example` names the same mailbox as `ann@corp.example`. (RFC 5280
//!   §7.5 wants an exact local part for name constraints; the trust layer applies that
//!   rule itself and does not use this comparison for permitted subtrees.)

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::AddressError;

/// RFC 5321 §4.5.3.1.1: a local part is at most 64 octets.
const MAX_LOCAL_PART: usize = 64;
/// RFC 5321 §4.5.3.1.2: a domain is at most 255 octets.
const MAX_DOMAIN: usize = 255;

/// An email address (RFC 5322 addr-spec), normalised for comparison.
///
/// Equality and hashing use the normalised form (case-folded local part, lower-case
/// ASCII domain); [`Display`](fmt::Display) shows the address as it was written.
///
/// ```
/// use smime::EmailAddress;
/// let a: EmailAddress = "Ann.Lee@Corp.Example".parse()?;
/// let b: EmailAddress = "ann.lee@corp.example".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.domain(), "corp.example");
/// assert_eq!(a.to_string(), "Ann.Lee@Corp.Example");
/// # Ok::<(), smime::AddressError>(())
/// ```
#[derive(Clone)]
pub struct EmailAddress {
    original: String,
    /// The local part with Unicode case folding applied (lower-casing).
    local_folded: String,
    /// The domain in lower-case ASCII (A-labels).
    domain_ascii: String,
}

impl EmailAddress {
    /// Parses an addr-spec such as `ann@corp.example`.
    ///
    /// Surrounding whitespace and one pair of angle brackets are removed. Quoted local
    /// parts (`"a b"@example.com`) are accepted as written.
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let trimmed = input.trim();
        let trimmed = trimmed
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(trimmed);
        // The domain follows the *last* '@': a quoted local part may contain '@'.
        let Some(at) = trimmed.rfind('@') else {
            return Err(AddressError::MissingAt {
                input: input.to_owned(),
            });
        };
        let (local, domain) = (&trimmed[..at], &trimmed[at + 1..]);
        if !valid_local_part(local) {
            return Err(AddressError::InvalidLocalPart {
                input: input.to_owned(),
            });
        }
        let domain_ascii = normalise_domain(domain).ok_or_else(|| AddressError::InvalidDomain {
            input: input.to_owned(),
        })?;
        Ok(EmailAddress {
            original: trimmed.to_owned(),
            local_folded: local.to_lowercase(),
            domain_ascii,
        })
    }

    /// The local part as written (before the last `@`).
    pub fn local_part(&self) -> &str {
        match self.original.rfind('@') {
            Some(at) => &self.original[..at],
            None => &self.original,
        }
    }

    /// The domain in normalised form: lower-case ASCII, IDNA A-labels.
    pub fn domain(&self) -> &str {
        &self.domain_ascii
    }

    /// The address as it was written (without surrounding whitespace or brackets).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The normalised form used for comparison: `local@domain`, both case-folded.
    pub fn normalized(&self) -> String {
        format!("{}@{}", self.local_folded, self.domain_ascii)
    }

    /// True when the local part is plain ASCII (can appear in an rfc822Name rather
    /// than needing SmtpUTF8Mailbox, RFC 9598 §3).
    pub fn is_ascii(&self) -> bool {
        self.local_part().is_ascii()
    }

    /// Exact comparison of the local part (RFC 5280 §7.5, for name constraints) with
    /// the domain still compared case-insensitively.
    pub fn eq_exact_local(&self, other: &EmailAddress) -> bool {
        self.local_part() == other.local_part() && self.domain_ascii == other.domain_ascii
    }
}

fn valid_local_part(local: &str) -> bool {
    if local.is_empty() || local.len() > MAX_LOCAL_PART {
        return false;
    }
    if local.starts_with('"') {
        return local.len() >= 2 && local.ends_with('"');
    }
    // Dot-atom (RFC 5322 §3.4.1) extended to UTF-8 (RFC 6531 §3.3).
    !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            !c.is_ascii()
                || c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
        })
}

fn normalise_domain(domain: &str) -> Option<String> {
    if domain.is_empty() || domain.len() > MAX_DOMAIN {
        return None;
    }
    // Address literals (`[192.0.2.1]`) are compared as written, lower-cased.
    if domain.starts_with('[') && domain.ends_with(']') {
        return Some(domain.to_ascii_lowercase());
    }
    let ascii = idna::domain_to_ascii(domain).ok()?;
    if ascii.is_empty() || ascii.starts_with('.') || ascii.ends_with('.') || ascii.contains("..")
    {
        return None;
    }
    Some(ascii)
}

impl PartialEq for EmailAddress {
    fn eq(&self, other: &Self) -> bool {
        self.local_folded == other.local_folded && self.domain_ascii == other.domain_ascii
    }
}

impl Eq for EmailAddress {}

impl Hash for EmailAddress {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.local_folded.hash(state);
        self.domain_ascii.hash(state);
    }
}

impl PartialOrd for EmailAddress {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EmailAddress {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.domain_ascii, &self.local_folded).cmp(&(&other.domain_ascii, &other.local_folded))
    }
}

impl FromStr for EmailAddress {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EmailAddress::parse(s)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({:?})", self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_and_local_part_fold_case() {
        let a = EmailAddress::parse("Alice@EXAMPLE.com").unwrap();
        assert_eq!(a, EmailAddress::parse("alice@example.COM").unwrap());
        assert_eq!(a.normalized(), "alice@example.com");
        assert!(!a.eq_exact_local(&EmailAddress::parse("alice@example.com").unwrap()));
    }

    #[test]
    fn idn_domains_compare_by_a_label() {
        let u = EmailAddress::parse("info@Bücher.example").unwrap();
        let a = EmailAddress::parse("info@xn--bcher-kva.example").unwrap();
        assert_eq!(u, a);
        assert_eq!(u.domain(), "xn--bcher-kva.example");
    }

    #[test]
    fn utf8_local_part() {
        let a = EmailAddress::parse("Дмитрий@example.com").unwrap();
        assert_eq!(a, EmailAddress::parse("дмитрий@example.com").unwrap());
        assert!(!a.is_ascii());
    }

    #[test]
    fn rejects_bad_input() {
        for bad in ["", "no-at", "@example.com", "a@", "a..b@example.com", "a@exa mple.com", ".a@b.c"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn brackets_and_quoted_local_parts() {
        let a = EmailAddress::parse(" <bob@example.org> ").unwrap();
        assert_eq!(a.as_str(), "bob@example.org");
        let q = EmailAddress::parse("\"a@b\"@example.org").unwrap();
        assert_eq!(q.local_part(), "\"a@b\"");
        assert_eq!(q.domain(), "example.org");
    }
}
