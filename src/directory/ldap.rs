//! [`LdapGal`]: the organisation's global address list over LDAP (feature `ldap`).
//!
//! One search per batch of at most 50 addresses: an OR filter over the mail
//! attributes, values escaped per RFC 4515 §3, with paged results (RFC 2696), a size
//! and a time limit. Certificates come from `userCertificate;binary` (RFC 4523 §2.1)
//! and `userSMIMECertificate` (a PKCS#7 certs-only SignedData, as Active Directory and
//! Exchange publish it). Each entry's own mail attributes are checked again against
//! the address asked for (a server's matching is not trusted), and each certificate
//! is offered only for addresses it names.
//!
//! With feature `ldap-tls`, `ldaps://` and StartTLS ([`LdapConfig::with_starttls`])
//! verify the server's certificate against the platform's roots plus
//! [`LdapConfig::tls_roots`] (the organisation's own CA); there is no way to skip the
//! check.
//!
//! A simple bind sends the password as it is, so over plain `ldap://` (no StartTLS)
//! it needs [`LdapConfig::allow_plaintext_bind`]. What the server may make us keep
//! and how long a lookup may take are bounded by the constants in
//! [`ldap_limits`](super::ldap_limits) and [`LdapConfig::lookup_deadline`].

use std::time::Duration;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::asn1::{PL, StructureTag};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchOptions};
use zeroize::Zeroizing;

use super::ldap_limits::{
    DEFAULT_LDAP_LOOKUP_DEADLINE, MAX_LDAP_BYTES_PER_SEARCH, MAX_LDAP_CANDIDATES_PER_ADDRESS,
    MAX_LDAP_CERTIFICATES_PER_ENTRY, MAX_LDAP_ENTRIES_PER_SEARCH, MAX_LDAP_VALUE_BYTES,
    MAX_LDAP_VALUES_PER_ENTRY,
};
use super::{CertificateDirectory, Lookup, Source, SourceKind};
use crate::{address::EmailAddress, cert::Certificate, error::DirectoryError, error::Result};

/// At most this many addresses go into one search filter (the contract: 100
/// recipients take two round trips).
pub(crate) const MAX_BATCH: usize = 50;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tls {
    /// As the URL says: `ldap://` in the clear, `ldaps://` with TLS.
    #[default]
    FromUrl,
    /// `ldap://` upgraded with StartTLS (RFC 4513 §3).
    StartTls,
}

/// How to reach and read the GAL.
#[derive(Clone)]
#[non_exhaustive]
pub struct LdapConfig {
    /// `ldap://host[:port]` or `ldaps://host[:port]` (TLS needs feature `ldap-tls`).
    pub url: String,
    /// Where to search (subtree), e.g. `ou=people,dc=corp,dc=example`.
    pub base_dn: String,
    /// Bind DN; anonymous when `None`.
    pub bind_dn: Option<String>,
    /// Bind password.
    pub password: Option<Zeroizing<String>>,
    /// StartTLS or as the URL says.
    pub tls: Tls,
    /// CA certificates the server's TLS certificate may chain to, besides the
    /// platform's roots: typically the organisation's own CA (feature `ldap-tls`).
    pub tls_roots: Vec<Certificate>,
    /// Limit for connecting and for each operation.
    pub timeout: Duration,
    /// Limit for the whole lookup (connect, bind, every search and page): a server
    /// that spaces its replies just under [`LdapConfig::timeout`] cannot extend it.
    pub lookup_deadline: Duration,
    /// Allow a simple bind over plain `ldap://` without StartTLS, which sends the
    /// password in clear (RFC 4513 §6.3.1). Off by default: [`LdapGal::new`] refuses
    /// such a configuration unless this is set.
    pub allow_plaintext_bind: bool,
    /// Addresses per search, 1 to 50.
    pub batch_size: usize,
    /// Entries per page (RFC 2696).
    pub page_size: i32,
    /// Server-side size limit per search (entries); exceeding it fails the batch.
    pub size_limit: i32,
    /// Server-side time limit per search, in seconds.
    pub time_limit: i32,
    /// Attributes holding the entry's addresses. `proxyAddresses` values are read
    /// only with an `smtp:` prefix (any case; `SMTP:` marks the primary one).
    pub mail_attributes: Vec<String>,
    /// Attributes holding DER certificates (RFC 4523).
    pub certificate_attributes: Vec<String>,
    /// Attributes holding PKCS#7 certs-only blobs (RFC 2798 userSMIMECertificate).
    pub pkcs7_attributes: Vec<String>,
}

impl std::fmt::Debug for LdapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapConfig")
            .field("url", &self.url)
            .field("base_dn", &self.base_dn)
            .field("bind_dn", &self.bind_dn)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("tls", &self.tls)
            .field("tls_roots", &self.tls_roots.len())
            .field("timeout", &self.timeout)
            .field("lookup_deadline", &self.lookup_deadline)
            .field("allow_plaintext_bind", &self.allow_plaintext_bind)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl LdapConfig {
    /// Anonymous, as the URL says, 10 s timeout, 30 s for the whole lookup, batches of
    /// 50, pages of 500 entries, size limit 1000, time limit 10 s, the usual
    /// attributes.
    pub fn new(url: impl Into<String>, base_dn: impl Into<String>) -> Self {
        LdapConfig {
            url: url.into(),
            base_dn: base_dn.into(),
            bind_dn: None,
            password: None,
            tls: Tls::FromUrl,
            tls_roots: Vec::new(),
            timeout: Duration::from_secs(10),
            lookup_deadline: DEFAULT_LDAP_LOOKUP_DEADLINE,
            allow_plaintext_bind: false,
            batch_size: MAX_BATCH,
            page_size: 500,
            size_limit: 1000,
            time_limit: 10,
            mail_attributes: ["mail", "proxyAddresses", "otherMailbox"]
                .map(String::from)
                .to_vec(),
            certificate_attributes: vec!["userCertificate;binary".into()],
            pkcs7_attributes: vec!["userSMIMECertificate".into()],
        }
    }

    /// With a simple bind as `dn` with `password`. Over plain `ldap://` this also
    /// needs [`LdapConfig::with_plaintext_bind_allowed`] (or TLS).
    pub fn with_bind(mut self, dn: impl Into<String>, password: impl Into<String>) -> Self {
        self.bind_dn = Some(dn.into());
        self.password = Some(Zeroizing::new(password.into()));
        self
    }

    /// Upgrading `ldap://` with StartTLS (RFC 4513 §3), feature `ldap-tls`.
    pub fn with_starttls(mut self) -> Self {
        self.tls = Tls::StartTls;
        self
    }

    /// Trusting `roots` (besides the platform's) for the server's TLS certificate.
    pub fn with_tls_roots(mut self, roots: impl IntoIterator<Item = Certificate>) -> Self {
        self.tls_roots.extend(roots);
        self
    }

    /// With another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// With another limit for the whole lookup.
    pub fn with_lookup_deadline(mut self, deadline: Duration) -> Self {
        self.lookup_deadline = deadline;
        self
    }

    /// Allowing a simple bind over plain `ldap://`, which sends the password in
    /// clear (see [`LdapConfig::allow_plaintext_bind`]).
    pub fn with_plaintext_bind_allowed(mut self) -> Self {
        self.allow_plaintext_bind = true;
        self
    }
}

/// The global address list of an LDAP server (Active Directory, OpenLDAP, ...).
///
/// Each [`lookup`](CertificateDirectory::lookup) opens one connection, binds, sends
/// ⌈n/[`LdapConfig::batch_size`]⌉ searches and closes it. If the server cannot be
/// reached, every address gets [`LookupFailed`](super::LookupFailed); if one batch
/// fails, its addresses do.
#[derive(Debug)]
pub struct LdapGal {
    config: LdapConfig,
    source: Source,
}

impl LdapGal {
    /// Checks the configuration (no connection is made yet).
    pub fn new(config: LdapConfig) -> Result<Self> {
        let invalid = |reason: String| DirectoryError::InvalidConfig { reason };
        let scheme = config
            .url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase())
            .ok_or_else(|| invalid(format!("{:?} is not an LDAP URL", config.url)))?;
        let tls = scheme == "ldaps" || config.tls == Tls::StartTls;
        if scheme != "ldap" && scheme != "ldaps" {
            return Err(invalid(format!("unsupported URL scheme {scheme:?}")).into());
        }
        if tls && !cfg!(feature = "ldap-tls") {
            return Err(invalid(
                "TLS (ldaps:// or StartTLS) needs the crate feature \"ldap-tls\"".into(),
            )
            .into());
        }
        if config.batch_size == 0 || config.batch_size > MAX_BATCH {
            return Err(invalid(format!("batch size must be 1 to {MAX_BATCH}")).into());
        }
        if config.page_size <= 0 || config.timeout.is_zero() || config.lookup_deadline.is_zero() {
            return Err(
                invalid("page size, timeout and lookup deadline must be positive".into()).into(),
            );
        }
        if config.bind_dn.is_some() && !tls && !config.allow_plaintext_bind {
            return Err(invalid(format!(
                "a simple bind over plain {} would send the password in clear; use \
                 ldaps:// or StartTLS, or allow it explicitly (allow_plaintext_bind)",
                config.url
            ))
            .into());
        }
        let source = Source::new(SourceKind::Ldap, config.url.clone());
        Ok(LdapGal { config, source })
    }

    /// The configuration.
    pub fn config(&self) -> &LdapConfig {
        &self.config
    }

    fn failure(&self, reason: impl std::fmt::Display) -> DirectoryError {
        DirectoryError::Unreachable {
            source_name: self.source.name().to_owned(),
            reason: reason.to_string(),
        }
    }

    /// Connects and binds. The runtime's timer bounds each step.
    async fn connect(&self) -> Result<Ldap, DirectoryError> {
        let settings = LdapConnSettings::new().set_conn_timeout(self.config.timeout);
        #[cfg(feature = "ldap-tls")]
        let settings = settings
            .set_starttls(self.config.tls == Tls::StartTls)
            .set_config(
                super::ldap_tls::client_config(&self.config.tls_roots)
                    .map_err(|e| self.failure(e))?,
            );
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.config.url)
            .await
            .map_err(|e| self.failure(e))?;
        ldap3::drive!(conn);
        if let Some(dn) = &self.config.bind_dn {
            let password = self.config.password.as_deref().map_or("", String::as_str);
            ldap.with_timeout(self.config.timeout)
                .simple_bind(dn, password)
                .await
                .and_then(|r| r.success())
                .map_err(|e| self.refused(e))?;
        }
        Ok(ldap)
    }

    /// Connects, binds and runs one search per batch, pushing each batch's result to
    /// `results` as it completes (so that what finished before the deadline stays).
    async fn run(
        &self,
        batches: &[&[EmailAddress]],
        results: &mut Vec<Result<Vec<Entry>, DirectoryError>>,
    ) -> Result<(), DirectoryError> {
        let mut ldap = self.connect().await?;
        for batch in batches {
            let result = self.search(&mut ldap, batch).await;
            results.push(result);
        }
        let _ = ldap.unbind().await;
        Ok(())
    }

    fn over_limit(&self, what: &'static str, limit: usize) -> DirectoryError {
        DirectoryError::LimitExceeded {
            source_name: self.source.name().to_owned(),
            what,
            limit: limit as u64,
        }
    }

    fn refused(&self, e: LdapError) -> DirectoryError {
        match e {
            LdapError::LdapResult { result } if result.rc == 3 || result.rc == 4 => {
                DirectoryError::LimitExceeded {
                    source_name: self.source.name().to_owned(),
                    what: if result.rc == 3 {
                        "search time"
                    } else {
                        "result size"
                    },
                    limit: if result.rc == 3 {
                        self.config.time_limit as u64
                    } else {
                        self.config.size_limit as u64
                    },
                }
            }
            LdapError::LdapResult { result } => DirectoryError::Refused {
                source_name: self.source.name().to_owned(),
                reason: format!("result code {}: {}", result.rc, result.text),
            },
            other => self.failure(other),
        }
    }

    /// One search for a batch: the entries' addresses and certificates, within the
    /// limits of [`ldap_limits`](super::ldap_limits).
    async fn search(
        &self,
        ldap: &mut Ldap,
        batch: &[EmailAddress],
    ) -> Result<Vec<Entry>, DirectoryError> {
        let filter = filter(batch, &self.config.mail_attributes);
        let mut attrs: Vec<String> = self.config.mail_attributes.clone();
        attrs.extend(self.config.certificate_attributes.iter().cloned());
        attrs.extend(self.config.pkcs7_attributes.iter().cloned());
        let adapters: Vec<Box<dyn Adapter<'_, String, Vec<String>>>> = vec![
            Box::new(EntriesOnly::new()),
            Box::new(PagedResults::new(self.config.page_size)),
        ];
        let options = SearchOptions::new()
            .sizelimit(self.config.size_limit)
            .timelimit(self.config.time_limit);
        let mut stream = ldap
            .with_search_options(options)
            .with_timeout(self.config.timeout)
            .streaming_search_with(
                adapters,
                &self.config.base_dn,
                Scope::Subtree,
                &filter,
                attrs,
            )
            .await
            .map_err(|e| self.refused(e))?;
        let mut entries = Vec::new();
        let mut bytes = 0usize;
        loop {
            match stream.next().await {
                Ok(Some(raw)) => {
                    if entries.len() == MAX_LDAP_ENTRIES_PER_SEARCH {
                        return Err(
                            self.over_limit("entries per search", MAX_LDAP_ENTRIES_PER_SEARCH)
                        );
                    }
                    let entry =
                        parse_entry(raw.0).map_err(|(what, limit)| self.over_limit(what, limit))?;
                    bytes = bytes.saturating_add(entry.bytes());
                    if bytes > MAX_LDAP_BYTES_PER_SEARCH {
                        return Err(self.over_limit("bytes per search", MAX_LDAP_BYTES_PER_SEARCH));
                    }
                    entries.push(entry);
                }
                Ok(None) => break,
                Err(e) => return Err(self.refused(e)),
            }
        }
        stream
            .finish()
            .await
            .success()
            .map_err(|e| self.refused(e))?;
        Ok(entries)
    }

    fn entry_offers(&self, entry: &Entry, answer: &mut Lookup) {
        let named_here = entry
            .addresses(&self.config.mail_attributes)
            .contains(answer.address());
        if !named_here {
            return;
        }
        let mut taken = 0usize;
        let mut offer = |c: Certificate, answer: &mut Lookup| {
            // Each candidate costs a path validation: at most so many per entry and
            // per address, and the answer says when more were offered.
            if answer.candidates().len() >= MAX_LDAP_CANDIDATES_PER_ADDRESS {
                if !answer.notes().iter().any(|n| n.starts_with(TOO_MANY)) {
                    answer.push_note(format!(
                        "{TOO_MANY} ({MAX_LDAP_CANDIDATES_PER_ADDRESS}) from {}; the rest \
                         were not considered",
                        self.source
                    ));
                }
            } else if taken < MAX_LDAP_CERTIFICATES_PER_ENTRY {
                taken += 1;
                answer.offer(c, &self.source);
            }
        };
        for (attr, values) in &entry.attrs {
            let is_cert = self
                .config
                .certificate_attributes
                .iter()
                .any(|a| same_attr(a, attr));
            let is_pkcs7 = self
                .config
                .pkcs7_attributes
                .iter()
                .any(|a| same_attr(a, attr));
            for value in values {
                if is_cert {
                    if let Ok(c) = Certificate::from_der(value) {
                        offer(c, answer);
                    }
                } else if is_pkcs7 {
                    for c in certs_only(value)
                        .into_iter()
                        .take(MAX_LDAP_CERTIFICATES_PER_ENTRY)
                    {
                        offer(c, answer);
                    }
                }
            }
        }
    }
}

impl CertificateDirectory for LdapGal {
    fn source(&self) -> Source {
        self.source.clone()
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        let mut answers: Vec<Lookup> = addresses.iter().cloned().map(Lookup::new).collect();
        if addresses.is_empty() {
            return answers;
        }
        // Distinct addresses only; the answers for duplicates are filled alike.
        let unique = super::distinct(addresses);
        let batches: Vec<&[EmailAddress]> = unique.chunks(self.config.batch_size).collect();
        let mut results: Vec<Result<Vec<Entry>, DirectoryError>> = Vec::new();
        // Our own runtime and one timer over the whole lookup: ldap3's per-operation
        // timeout restarts with every reply, so alone it would let a dripping server
        // stall the lookup for ever.
        let outcome = match ldap3::tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime
                // The timer is made inside the runtime (it needs its clock).
                .block_on(async {
                    ldap3::tokio::time::timeout(
                        self.config.lookup_deadline,
                        self.run(&batches, &mut results),
                    )
                    .await
                })
                .unwrap_or_else(|_| {
                    Err(self.over_limit(
                        "lookup time (ms)",
                        usize::try_from(self.config.lookup_deadline.as_millis())
                            .unwrap_or(usize::MAX),
                    ))
                }),
            Err(e) => Err(self.failure(e)),
        };
        for (i, batch) in batches.iter().enumerate() {
            let result = match results.get(i) {
                Some(r) => r.as_ref(),
                // Not reached: the connection failed or the deadline passed first.
                None => match &outcome {
                    Err(error) => Err(error),
                    Ok(()) => continue,
                },
            };
            for answer in answers.iter_mut().filter(|a| batch.contains(a.address())) {
                match result {
                    Ok(entries) => {
                        for entry in entries {
                            self.entry_offers(entry, answer);
                        }
                    }
                    Err(error) => answer.push_failure(super::LookupFailed {
                        source: self.source.clone(),
                        error: error.clone(),
                    }),
                }
            }
        }
        answers
    }
}

/// Fuzzing entry point, not API: reads `ber` as one SearchResultEntry the way a
/// search does (ldap3's BER reader, then [`parse_entry`] with its limits) and offers
/// its certificates for each address it names. Returns the number of candidates.
#[doc(hidden)]
pub fn fuzz_search_entry(ber: &[u8]) -> usize {
    let Ok((_, tag)) = ldap3::asn1::parse_tag(ber) else {
        return 0;
    };
    let Ok(entry) = parse_entry(tag) else {
        return 0;
    };
    let Ok(gal) = LdapGal::new(LdapConfig::new("ldap://fuzz.invalid", "")) else {
        return 0;
    };
    let mut candidates = 0;
    for address in entry.addresses(&gal.config.mail_attributes) {
        let mut answer = Lookup::new(address);
        gal.entry_offers(&entry, &mut answer);
        candidates += answer.candidates().len();
    }
    candidates
}

/// An entry as read: attribute descriptions and raw values.
#[derive(Debug, Default)]
struct Entry {
    attrs: Vec<(String, Vec<Vec<u8>>)>,
}

impl Entry {
    /// The bytes of all its values (what it costs to keep).
    fn bytes(&self) -> usize {
        self.attrs
            .iter()
            .flat_map(|(_, values)| values)
            .map(Vec::len)
            .sum()
    }

    /// The addresses the entry's own mail attributes give.
    fn addresses(&self, mail_attributes: &[String]) -> Vec<EmailAddress> {
        let mut out = Vec::new();
        for (attr, values) in &self.attrs {
            if !mail_attributes.iter().any(|m| same_attr(m, attr)) {
                continue;
            }
            let proxy = attr.eq_ignore_ascii_case("proxyAddresses");
            for v in values {
                let Ok(text) = std::str::from_utf8(v) else {
                    continue;
                };
                let text = if proxy {
                    // Only SMTP addresses; X500:, SIP: and the rest are not mailboxes.
                    match text.split_once(':') {
                        Some((kind, addr)) if kind.eq_ignore_ascii_case("smtp") => addr,
                        _ => continue,
                    }
                } else {
                    text
                };
                if let Ok(a) = EmailAddress::parse(text) {
                    out.push(a);
                }
            }
        }
        out
    }
}

/// Attribute descriptions compare case-insensitively, and a request for
/// `userCertificate;binary` may be answered as `userCertificate` or the reverse.
fn same_attr(wanted: &str, got: &str) -> bool {
    let base = |s: &str| s.split(';').next().unwrap_or(s).to_ascii_lowercase();
    base(wanted) == base(got)
}

/// How the note about a capped candidate list starts.
const TOO_MANY: &str = "more certificates than the limit";

/// What an entry broke: a limit's name and value.
type EntryLimit = (&'static str, usize);

/// Reads a SearchResultEntry (RFC 4511 §4.5.2) without panicking on a malformed one
/// (ldap3's `SearchEntry::construct` panics): `[APPLICATION 4] SEQUENCE { objectName,
/// attributes SEQUENCE OF SEQUENCE { type, vals SET OF value } }`. Malformed parts
/// are skipped; an entry over [`MAX_LDAP_VALUES_PER_ENTRY`] or with a value over
/// [`MAX_LDAP_VALUE_BYTES`] is an error.
fn parse_entry(tag: StructureTag) -> Result<Entry, EntryLimit> {
    let mut entry = Entry::default();
    let mut values_seen = 0usize;
    let PL::C(parts) = tag.payload else {
        return Ok(entry);
    };
    let Some(StructureTag {
        payload: PL::C(attributes),
        ..
    }) = parts.into_iter().nth(1)
    else {
        return Ok(entry);
    };
    for attribute in attributes {
        let PL::C(pair) = attribute.payload else {
            continue;
        };
        let mut pair = pair.into_iter();
        let (
            Some(StructureTag {
                payload: PL::P(name),
                ..
            }),
            Some(StructureTag {
                payload: PL::C(vals),
                ..
            }),
        ) = (pair.next(), pair.next())
        else {
            continue;
        };
        let Ok(name) = String::from_utf8(name) else {
            continue;
        };
        let mut values = Vec::new();
        for v in vals {
            values_seen += 1;
            if values_seen > MAX_LDAP_VALUES_PER_ENTRY {
                return Err(("values per entry", MAX_LDAP_VALUES_PER_ENTRY));
            }
            if let PL::P(bytes) = v.payload {
                if bytes.len() > MAX_LDAP_VALUE_BYTES {
                    return Err(("bytes per value", MAX_LDAP_VALUE_BYTES));
                }
                values.push(bytes);
            }
        }
        entry.attrs.push((name, values));
    }
    Ok(entry)
}

/// `(|(mail=a)(proxyAddresses=smtp:a)(otherMailbox=a)(mail=b)...)`, each value
/// escaped per RFC 4515 §3. `proxyAddresses` matches case-insensitively in Active
/// Directory, so `smtp:` also finds the primary `SMTP:` value.
pub(crate) fn filter(addresses: &[EmailAddress], mail_attributes: &[String]) -> String {
    let mut f = String::from("(|");
    for address in addresses {
        let mut forms = vec![address.as_str().to_owned()];
        let normalized = address.normalized();
        if !forms.contains(&normalized) {
            forms.push(normalized);
        }
        for form in &forms {
            // RFC 4515 §3: `*`, `(`, `)`, backslash and NUL become `\XX` hex escapes.
            let value = ldap3::ldap_escape(form.as_str());
            for attr in mail_attributes {
                let prefix = if attr.eq_ignore_ascii_case("proxyAddresses") {
                    "smtp:"
                } else {
                    ""
                };
                f.push_str(&format!("({attr}={prefix}{value})"));
            }
        }
    }
    f.push(')');
    f
}

/// The certificates of a PKCS#7/CMS certs-only SignedData (RFC 8551 §3.6.2), BER or
/// DER; nothing when it is not one. The cms reader bounds the work.
pub(crate) fn certs_only(blob: &[u8]) -> Vec<Certificate> {
    crate::cms::certificates_in(blob).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4515_escaping() {
        assert_eq!(
            ldap3::ldap_escape("a*b(c)d\\e\0"),
            "a\\2ab\\28c\\29d\\5ce\\00"
        );
        let a: EmailAddress = "x(y)*@example.com"
            .parse()
            .unwrap_or_else(|_| "xy@example.com".parse().expect("valid"));
        let f = filter(&[a], &["mail".into(), "proxyAddresses".into()]);
        assert!(f.starts_with("(|(mail=") && f.ends_with(")"));
        assert!(!f.contains("*"), "{f}");
    }

    #[test]
    fn proxy_addresses_need_smtp_prefix() {
        let entry = Entry {
            attrs: vec![(
                "proxyAddresses".into(),
                vec![
                    b"SMTP:Ann@corp.example".to_vec(),
                    b"X500:/o=x@y.example".to_vec(),
                    b"smtp:a2@corp.example".to_vec(),
                ],
            )],
        };
        let got = entry.addresses(&["proxyAddresses".into()]);
        let want: Vec<EmailAddress> = vec![
            "ann@corp.example".parse().unwrap(),
            "a2@corp.example".parse().unwrap(),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn certs_only_rejects_garbage() {
        assert!(certs_only(b"").is_empty());
        assert!(certs_only(&[0x30, 0x80, 0x06]).is_empty());
    }
}
