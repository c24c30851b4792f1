//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3(b)–(c), §6.1.4(g)), for the name forms
//! S/MIME meets — rfc822Name (mailbox, host and `.domain`, also applied to
//! SmtpUTF8Mailbox per RFC 9598 §6 and to the subject emailAddress), directoryName —
//! and dNSName, iPAddress and URI, which other certificates on a path may carry.
//!
//! Fail closed (the rustls-webpki rule): a constraint we cannot process, of a form the
//! certificate also uses, rejects the certificate; malformed names under a constraint
//! of their form reject it; there is no catch-all arm that accepts.
//!
//! Each CA's constraints are kept separately and a name must satisfy all of them:
//! that is the intersection of permitted subtrees of RFC 5280 §6.1.4(g)(1) without
//! building it. Excluded mailboxes compare their local part case-insensitively
//! (REQUIREMENTS.md §1 #4: a case difference must fail closed, not slip past an
//! exclusion), while permitted mailboxes follow RFC 5280 §7.5 (exact local part).

use der::asn1::{Ia5StringRef, Utf8StringRef};
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};
use x509_cert::name::Name;

use super::budget::Budget;
use super::error::TrustError;
use super::names::name_within;
use crate::cert::Certificate;
use crate::oid;

/// The constraints one CA imposes.
pub(crate) struct Constraints {
    permitted: Option<Vec<GeneralSubtree>>,
    excluded: Vec<GeneralSubtree>,
}

/// Reads the nameConstraints of a CA certificate (or trust anchor, RFC 5937).
///
/// `require_critical` refuses a non-critical extension (RFC 5280 §4.2.1.10: conforming
/// CAs MUST mark it critical); without it a non-critical one is enforced all the same,
/// as the CA/B Forum S/MIME BR allow it on sub-CAs (REQUIREMENTS.md §1 #18).
pub(crate) fn read(
    cert: &Certificate,
    require_critical: bool,
) -> Result<Option<Constraints>, TrustError> {
    let bad = |reason: String| TrustError::NameConstraint {
        subject: cert.subject(),
        name: reason,
    };
    let Some((critical, nc)) = cert
        .x509()
        .tbs_certificate()
        .get_extension::<NameConstraints>()
        .map_err(|e| bad(format!("unreadable nameConstraints ({e})")))?
    else {
        return Ok(None);
    };
    if require_critical && !critical {
        return Err(bad("nameConstraints not marked critical".into()));
    }
    // RFC 5280 §4.2.1.10: "either the permittedSubtrees field or the excludedSubtrees
    // MUST be present", and GeneralSubtrees is SIZE (1..MAX).
    let empty = |s: &Option<Vec<GeneralSubtree>>| s.as_ref().is_none_or(Vec::is_empty);
    if empty(&nc.permitted_subtrees) && empty(&nc.excluded_subtrees) {
        return Err(bad("empty nameConstraints".into()));
    }
    if nc.permitted_subtrees.as_ref().is_some_and(Vec::is_empty)
        || nc.excluded_subtrees.as_ref().is_some_and(Vec::is_empty)
    {
        return Err(bad("empty GeneralSubtrees in nameConstraints".into()));
    }
    // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent.
    let all = nc
        .permitted_subtrees
        .iter()
        .flatten()
        .chain(nc.excluded_subtrees.iter().flatten());
    for s in all {
        if s.minimum != 0 || s.maximum.is_some() {
            return Err(bad("nameConstraints with minimum/maximum".into()));
        }
    }
    Ok(Some(Constraints {
        permitted: nc.permitted_subtrees,
        excluded: nc.excluded_subtrees.unwrap_or_default(),
    }))
}

/// A name of the certificate, in the forms constraints apply to.
enum Subject<'a> {
    Dn(&'a Name),
    /// rfc822Name, SmtpUTF8Mailbox or subject emailAddress (raw text).
    Email(String),
    Dns(&'a str),
    Ip(&'a [u8]),
    Uri(&'a str),
    /// A name form we do not interpret, with its GeneralName tag number.
    Other(u8),
}

fn form(name: &Subject<'_>) -> u8 {
    match name {
        Subject::Email(_) => 1,
        Subject::Dns(_) => 2,
        Subject::Dn(_) => 4,
        Subject::Uri(_) => 6,
        Subject::Ip(_) => 7,
        Subject::Other(t) => *t,
    }
}

fn general_form(g: &GeneralName) -> u8 {
    match g {
        GeneralName::OtherName(_) => 0,
        GeneralName::Rfc822Name(_) => 1,
        GeneralName::DnsName(_) => 2,
        GeneralName::DirectoryName(_) => 4,
        GeneralName::EdiPartyName(_) => 5,
        GeneralName::UniformResourceIdentifier(_) => 6,
        GeneralName::IpAddress(_) => 7,
        GeneralName::RegisteredId(_) => 8,
    }
}

/// Checks every name of `cert` against every CA's constraints.
pub(crate) fn check(
    cert: &Certificate,
    constraints: &[Constraints],
    budget: &mut Budget,
) -> Result<(), TrustError> {
    if constraints.is_empty() {
        return Ok(());
    }
    let tbs = cert.x509().tbs_certificate();
    let violation = |name: String| TrustError::NameConstraint {
        subject: cert.subject(),
        name,
    };
    let san = tbs
        .get_extension::<SubjectAltName>()
        .map_err(|e| violation(format!("unreadable subjectAltName ({e})")))?
        .map(|(_, s)| s.0)
        .unwrap_or_default();
    let mut names: Vec<Subject<'_>> = Vec::new();
    if !tbs.subject().is_empty() {
        names.push(Subject::Dn(tbs.subject()));
    }
    for g in &san {
        names.push(match g {
            GeneralName::Rfc822Name(s) => Subject::Email(s.as_str().to_owned()),
            GeneralName::DnsName(s) => Subject::Dns(s.as_str()),
            GeneralName::DirectoryName(n) => Subject::Dn(n),
            GeneralName::IpAddress(o) => Subject::Ip(o.as_bytes()),
            GeneralName::UniformResourceIdentifier(u) => Subject::Uri(u.as_str()),
            GeneralName::OtherName(o) if o.type_id == oid::SMTP_UTF8_MAILBOX => {
                match o.value.decode_as::<Utf8StringRef<'_>>() {
                    Ok(s) => Subject::Email(s.as_str().to_owned()),
                    // An unreadable mailbox under rfc822 constraints fails below.
                    Err(_) => Subject::Email(String::new()),
                }
            }
            other => Subject::Other(general_form(other)),
        });
    }
    // RFC 5280 §4.2.1.10 applies rfc822 constraints to the subject's emailAddress
    // when there is no SAN; we apply them always (stricter, fail closed).
    for atv in tbs.subject().iter() {
        if atv.oid == oid::EMAIL_ADDRESS {
            let text = atv
                .value
                .decode_as::<Ia5StringRef<'_>>()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            names.push(Subject::Email(text));
        }
    }

    for c in constraints {
        for name in &names {
            let f = form(name);
            // Excluded: any match rejects.
            for sub in c.excluded.iter().filter(|s| general_form(&s.base) == f) {
                budget.name_comparison()?;
                match matches(name, &sub.base, true) {
                    Match::Yes => return Err(violation(describe(name))),
                    Match::No => {}
                    Match::Unprocessable => {
                        return Err(violation(format!(
                            "{} (constraint cannot be processed)",
                            describe(name)
                        )));
                    }
                }
            }
            // Permitted: when this CA constrains the form, one subtree must match.
            if let Some(permitted) = &c.permitted {
                let mut of_form = permitted
                    .iter()
                    .filter(|s| general_form(&s.base) == f)
                    .peekable();
                if of_form.peek().is_none() {
                    continue;
                }
                let mut ok = false;
                for sub in of_form {
                    budget.name_comparison()?;
                    match matches(name, &sub.base, false) {
                        Match::Yes => {
                            ok = true;
                            break;
                        }
                        Match::No => {}
                        Match::Unprocessable => {
                            return Err(violation(format!(
                                "{} (constraint cannot be processed)",
                                describe(name)
                            )));
                        }
                    }
                }
                if !ok {
                    return Err(violation(describe(name)));
                }
            }
        }
    }
    Ok(())
}

fn describe(name: &Subject<'_>) -> String {
    match name {
        Subject::Dn(n) => format!("directoryName {n}"),
        Subject::Email(e) => format!("email {e:?}"),
        Subject::Dns(d) => format!("dNSName {d:?}"),
        Subject::Ip(ip) => format!("iPAddress {ip:?}"),
        Subject::Uri(u) => format!("URI {u:?}"),
        Subject::Other(t) => format!("name of form [{t}]"),
    }
}

enum Match {
    Yes,
    No,
    /// The name or the constraint is malformed, or of a form we do not interpret.
    Unprocessable,
}

fn yes(b: bool) -> Match {
    if b { Match::Yes } else { Match::No }
}

fn matches(name: &Subject<'_>, base: &GeneralName, excluded: bool) -> Match {
    match (name, base) {
        (Subject::Dn(n), GeneralName::DirectoryName(b)) => yes(name_within(n, b)),
        (Subject::Email(e), GeneralName::Rfc822Name(c)) => email_matches(e, c.as_str(), excluded),
        (Subject::Dns(d), GeneralName::DnsName(c)) => match dns_matches(d, c.as_str()) {
            // A wildcard SAN that could stand for a name inside an excluded subtree is
            // excluded (defensive reading of RFC 5280 with RFC 9525, CVE-2025-61727).
            Match::No if excluded => yes(d.strip_prefix("*.").is_some_and(|rest| {
                ends_with_label(c.as_str(), rest) && c.as_str().len() > rest.len()
            })),
            m => m,
        },
        (Subject::Ip(ip), GeneralName::IpAddress(c)) => ip_matches(ip, c.as_bytes()),
        (Subject::Uri(u), GeneralName::UniformResourceIdentifier(c)) => match uri_host(u) {
            Some(host) => host_matches(host, c.as_str()),
            None => Match::Unprocessable,
        },
        // Same form, but one we do not interpret (otherName, x400, EDI, registeredID):
        // fail closed.
        _ => Match::Unprocessable,
    }
}

/// Splits a mailbox at its last '@' (a quoted local part may hold '@').
fn split_mailbox(e: &str) -> Option<(&str, &str)> {
    let at = e.rfind('@')?;
    let (local, domain) = (e.get(..at)?, e.get(at + 1..)?);
    if local.is_empty() || !valid_host(domain) {
        return None;
    }
    // An unquoted local part must not hold another '@' (RFC 5321 §4.1.2).
    if local.contains('@') && !(local.starts_with('"') && local.ends_with('"')) {
        return None;
    }
    Some((local, domain))
}

/// RFC 5280 §4.2.1.10 rfc822Name forms: `local@host` (one mailbox), `host` (all
/// mailboxes at that host), `.domain` (all mailboxes in subdomains).
fn email_matches(email: &str, constraint: &str, excluded: bool) -> Match {
    let Some((local, domain)) = split_mailbox(email) else {
        return Match::Unprocessable;
    };
    if let Some(at) = constraint.rfind('@') {
        let (Some(c_local), Some(c_domain)) = (constraint.get(..at), constraint.get(at + 1..))
        else {
            return Match::Unprocessable;
        };
        let local_eq = if excluded {
            c_local.to_lowercase() == local.to_lowercase()
        } else {
            c_local == local
        };
        yes(local_eq && c_domain.eq_ignore_ascii_case(domain))
    } else if let Some(suffix) = constraint.strip_prefix('.') {
        if !valid_host(suffix) {
            return Match::Unprocessable;
        }
        yes(ends_with_label(domain, suffix) && domain.len() > suffix.len())
    } else {
        if !constraint.is_empty() && !valid_host(constraint) {
            return Match::Unprocessable;
        }
        yes(constraint.is_empty() || domain.eq_ignore_ascii_case(constraint))
    }
}

/// Whether `name` equals `suffix` or ends with `.suffix` (ASCII case-insensitive).
fn ends_with_label(name: &str, suffix: &str) -> bool {
    if name.len() < suffix.len() {
        return false;
    }
    let cut = name.len() - suffix.len();
    let (Some(head), Some(tail)) = (name.get(..cut), name.get(cut..)) else {
        return false;
    };
    tail.eq_ignore_ascii_case(suffix) && (head.is_empty() || head.ends_with('.'))
}

/// Preferred name syntax (RFC 1034 §3.5 as relaxed by RFC 1123): non-empty labels of
/// letters, digits and hyphens. A-labels of IDNs are ASCII, so they pass.
fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// dNSName: the constraint is a host; any name formed by adding labels on the left
/// matches (RFC 5280 §4.2.1.10). A wildcard SAN label is allowed on the left only.
fn dns_matches(name: &str, constraint: &str) -> Match {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    if !valid_host(bare) {
        return Match::Unprocessable;
    }
    if constraint.is_empty() {
        return Match::Yes;
    }
    if !valid_host(constraint) {
        return Match::Unprocessable;
    }
    yes(ends_with_label(name, constraint))
}

/// iPAddress: the constraint is address followed by mask (8 or 32 octets).
fn ip_matches(ip: &[u8], constraint: &[u8]) -> Match {
    if ip.len() != 4 && ip.len() != 16 {
        return Match::Unprocessable;
    }
    if constraint.len() != 2 * 4 && constraint.len() != 2 * 16 {
        return Match::Unprocessable;
    }
    let (addr, mask) = constraint.split_at(constraint.len() / 2);
    // A mask must be contiguous ones followed by zeros.
    let bits: Vec<bool> = mask
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| b & (1 << i) != 0))
        .collect();
    if bits
        .windows(2)
        .any(|w| !w.first().copied().unwrap_or(false) && w.get(1).copied().unwrap_or(false))
    {
        return Match::Unprocessable;
    }
    if ip.len() != addr.len() {
        return Match::No;
    }
    yes(ip
        .iter()
        .zip(addr)
        .zip(mask)
        .all(|((i, a), m)| i & m == a & m))
}

/// The host of an absolute URI with an authority (`scheme://[user@]host[:port]/...`).
fn uri_host(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return None;
    }
    let host = host_port.split(':').next()?;
    valid_host(host).then_some(host)
}

/// URI constraints: a host matches itself; `.domain` matches subdomains only.
fn host_matches(host: &str, constraint: &str) -> Match {
    if let Some(suffix) = constraint.strip_prefix('.') {
        yes(ends_with_label(host, suffix) && host.len() > suffix.len())
    } else {
        yes(host.eq_ignore_ascii_case(constraint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(m: Match) -> Option<bool> {
        match m {
            Match::Yes => Some(true),
            Match::No => Some(false),
            Match::Unprocessable => None,
        }
    }

    #[test]
    fn rfc822_forms() {
        assert_eq!(
            is(email_matches("ann@corp.example", "ann@corp.example", false)),
            Some(true)
        );
        assert_eq!(
            is(email_matches("Ann@corp.example", "ann@corp.example", false)),
            Some(false)
        );
        assert_eq!(
            is(email_matches("Ann@corp.example", "ann@corp.example", true)),
            Some(true)
        );
        assert_eq!(
            is(email_matches("ann@CORP.example", "corp.example", false)),
            Some(true)
        );
        assert_eq!(
            is(email_matches(
                "ann@mail.corp.example",
                "corp.example",
                false
            )),
            Some(false)
        );
        assert_eq!(
            is(email_matches(
                "ann@mail.corp.example",
                ".corp.example",
                false
            )),
            Some(true)
        );
        assert_eq!(
            is(email_matches("ann@corp.example", ".corp.example", false)),
            Some(false)
        );
        assert_eq!(
            is(email_matches("ann@xcorp.example", ".corp.example", false)),
            Some(false)
        );
        assert_eq!(is(email_matches("no-at-sign", "corp.example", false)), None);
        assert_eq!(
            is(email_matches("a@b@corp.example", "corp.example", false)),
            None
        );
    }

    #[test]
    fn dns_and_ip() {
        assert_eq!(
            is(dns_matches("foo.example.com", "example.com")),
            Some(true)
        );
        assert_eq!(
            is(dns_matches("fooexample.com", "example.com")),
            Some(false)
        );
        assert_eq!(is(dns_matches("foo..example.com", "example.com")), None);
        assert_eq!(
            is(ip_matches(
                &[192, 0, 2, 1],
                &[192, 0, 2, 0, 255, 255, 255, 0]
            )),
            Some(true)
        );
        assert_eq!(
            is(ip_matches(
                &[192, 0, 3, 1],
                &[192, 0, 2, 0, 255, 255, 255, 0]
            )),
            Some(false)
        );
        assert_eq!(
            is(ip_matches(&[192, 0, 2, 1], &[192, 0, 2, 0, 255, 0, 255, 0])),
            None
        );
    }

    #[test]
    fn uri_hosts() {
        assert_eq!(
            uri_host("http://user@host.example:80/x"),
            Some("host.example")
        );
        assert_eq!(uri_host("mailto:a@b"), None);
    }
}
