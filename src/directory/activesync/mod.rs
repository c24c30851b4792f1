//! [`ActiveSyncGal`]: the organisation's global address list as an Exchange client
//! asks for it, with the ActiveSync `ResolveRecipients` command and
//! `CertificateRetrieval` 2 (MS-ASCMD §2.2.1.15, §2.2.3.22), feature `activesync`.
//!
//! A phone or desktop mail client with an Exchange account does not speak LDAP to the
//! domain controller; it asks the Exchange server. This source does the same:
//!
//! * one `POST …?Cmd=ResolveRecipients&User=…&DeviceId=…&DeviceType=…` per batch of
//!   up to [`MAX_BATCH`] (100) addresses, with a WBXML body written by this crate;
//! * the protocol version from the server's `OPTIONS` answer, preferring 16.1, 16.0,
//!   14.1, 14.0 (then 12.1, 12.0), asked once and remembered by the source;
//! * Basic authentication or an OAuth 2.0 bearer token ([`EasAuth`]);
//! * HTTPS verified against the platform's roots plus
//!   [`ActiveSyncConfig::tls_roots`]; plain `http://` only when
//!   [`ActiveSyncConfig::allow_insecure_http`] says so;
//! * HTTP 451 followed once to `X-MS-Location`, which the source then keeps using.
//!
//! What the answers mean for a lookup: `Response/Status` 1 with
//! `Certificates/Status` 1 gives the certificates, each offered only for an address it
//! names (as for every source, [`Lookup::offer`]); `Certificates/Status` 7 means the
//! recipient is in the GAL without a certificate (no candidate; [`Lookup::notes`] says
//! so); `Response/Status` 2 or 3 (ambiguous)
//! gives the suggestions' certificates, which the same rule keeps only when one names
//! the address exactly; 4 means not found. Everything that is not an answer — a
//! command status other than 1, `Certificates/Status` 8 (the request's certificate
//! limit was reached before this recipient), HTTP 401/403/449/5xx, a second 451, a
//! timeout, TLS failure, a body that is not valid WBXML — is a
//! [`LookupFailed`] with the reason, never "no certificate".
//! `MiniCertificate` is ignored (MS-ASCMD does not specify its format).

mod codepage;
mod config;
mod request;
mod response;
mod transport;
// Public only for the fuzz target and the interop tests (tests/directory_activesync.rs).
#[doc(hidden)]
pub mod wbxml;

use std::sync::Mutex;

pub use config::{ActiveSyncConfig, EasAuth, MAX_BATCH, ProtocolVersion};

use super::{CertificateDirectory, Lookup, LookupFailed, Source, SourceKind};
use crate::{address::EmailAddress, cert::Certificate, error::DirectoryError, error::Result};
use response::{Answer, Response};
use transport::{Posted, Transport};

/// The GAL of an Exchange (or other ActiveSync) server.
///
/// ```no_run
/// use smime::directory::{ActiveSyncConfig, ActiveSyncGal, CertificateDirectory};
///
/// let config = ActiveSyncConfig::basic(
///     "https://mail.corp.example/Microsoft-Server-ActiveSync",
///     "me@corp.example",
///     "password",
/// );
/// let gal = ActiveSyncGal::new(config)?;
/// let answers = gal.lookup(&["ann@corp.example".parse()?]);
/// for candidate in answers[0].candidates() {
///     println!("{}", candidate.certificate().subject());
/// }
/// # Ok::<(), smime::Error>(())
/// ```
#[derive(Debug)]
pub struct ActiveSyncGal {
    config: ActiveSyncConfig,
    source: Source,
    transport: Transport,
    /// Where to send requests and in which version: learnt once, kept.
    session: Mutex<Session>,
}

#[derive(Debug, Clone)]
struct Session {
    url: String,
    version: Option<ProtocolVersion>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transport")
    }
}

impl ActiveSyncGal {
    /// Checks the configuration and prepares the HTTP client (no connection yet).
    pub fn new(config: ActiveSyncConfig) -> Result<Self> {
        config.validate()?;
        let source = Source::new(SourceKind::ActiveSync, config.url.clone());
        let transport = Transport::new(&config, source.name());
        let session = Mutex::new(Session {
            url: config.url.clone(),
            version: config.protocol_version,
        });
        Ok(ActiveSyncGal {
            config,
            source,
            transport,
            session,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ActiveSyncConfig {
        &self.config
    }

    /// The protocol version in use, once the server was asked (or as configured).
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.session().version
    }

    /// The URL requests go to: the configured one, or where a 451 sent them.
    pub fn current_url(&self) -> String {
        self.session().url
    }

    fn session(&self) -> Session {
        match self.session.lock() {
            Ok(s) => s.clone(),
            // A panic elsewhere while holding the lock left a consistent value.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn remember(&self, session: Session) {
        match self.session.lock() {
            Ok(mut s) => *s = session,
            Err(poisoned) => *poisoned.into_inner() = session,
        }
    }

    /// One request for `batch`: negotiate if needed, POST, follow one 451, decode.
    fn resolve(&self, batch: &[EmailAddress]) -> Result<Answer, DirectoryError> {
        let body = request::body(
            batch,
            self.config.max_certificates,
            self.config.max_ambiguous,
        )
        .map_err(|e| DirectoryError::InvalidConfig {
            reason: e.to_string(),
        })?;
        let mut session = self.session();
        let mut moved = false;
        loop {
            let version = match session.version {
                Some(v) => v,
                None => {
                    let v = self.transport.negotiate(&session.url)?;
                    session.version = Some(v);
                    self.remember(session.clone());
                    v
                }
            };
            match self
                .transport
                .resolve_recipients(&session.url, version, &body)?
            {
                Posted::Body(bytes) => return self.read(&bytes),
                Posted::Moved(location) if !moved => {
                    moved = true;
                    session = Session {
                        url: location,
                        version: self.config.protocol_version,
                    };
                    self.remember(session.clone());
                }
                Posted::Moved(location) => {
                    return Err(DirectoryError::Refused {
                        source_name: self.source.name().to_owned(),
                        reason: format!(
                            "the server redirected twice (HTTP 451, now to {location}); \
                             not following further"
                        ),
                    });
                }
            }
        }
    }

    fn read(&self, bytes: &[u8]) -> Result<Answer, DirectoryError> {
        let bad = |reason: String| DirectoryError::BadAnswer {
            source_name: self.source.name().to_owned(),
            reason,
        };
        let limits = wbxml::Limits {
            max_bytes: self.config.max_response,
            ..Default::default()
        };
        let root = wbxml::decode(bytes, &limits).map_err(|e| bad(e.to_string()))?;
        response::read(&root).map_err(bad)
    }

    /// Fills `answer` from the responses for its address.
    fn fill(&self, answer: &mut Lookup, responses: &[Response]) {
        let source = &self.source;
        let fail = |answer: &mut Lookup, error: DirectoryError| {
            answer.push_failure(LookupFailed {
                source: source.clone(),
                error,
            })
        };
        let refused = |reason: String| DirectoryError::Refused {
            source_name: source.name().to_owned(),
            reason,
        };
        let mine: Vec<&Response> = responses
            .iter()
            .filter(|r| same_address(&r.to, answer.address()))
            .collect();
        if mine.is_empty() {
            let error = DirectoryError::BadAnswer {
                source_name: source.name().to_owned(),
                reason: format!("no Response for {}", answer.address()),
            };
            return fail(answer, error);
        }
        for r in mine {
            match r.status {
                // Resolved, or ambiguous with suggestions (a full or partial list): the
                // certificates are offered, and `offer` keeps only those naming the
                // address asked for.
                1..=3 => {
                    for recipient in &r.recipients {
                        let Some(certs) = &recipient.certificates else {
                            if r.status == 1 {
                                fail(
                                    answer,
                                    refused("the server sent no certificate information".into()),
                                );
                            }
                            continue;
                        };
                        match certs.status {
                            1 => {
                                for der in certs.certificates.iter().flatten() {
                                    if let Ok(c) = Certificate::from_der(der) {
                                        answer.offer(c, source);
                                    }
                                }
                            }
                            // In the GAL, no valid certificate published.
                            7 => answer.push_note(format!(
                                "{source}: in the directory, but without a valid certificate"
                            )),
                            8 => fail(
                                answer,
                                DirectoryError::LimitExceeded {
                                    source_name: source.name().to_owned(),
                                    what: "certificates per request (MaxCertificates)",
                                    limit: u64::from(self.config.max_certificates),
                                },
                            ),
                            other => fail(answer, refused(format!("Certificates status {other}"))),
                        }
                    }
                }
                4 => {}
                5 => fail(answer, refused("Response status 5: protocol error".into())),
                6 => fail(answer, refused("Response status 6: server error".into())),
                other => fail(answer, refused(format!("Response status {other}"))),
            }
        }
    }
}

/// Whether the `To` the server echoed is `address` (compared as addresses).
fn same_address(to: &str, address: &EmailAddress) -> bool {
    match EmailAddress::parse(to.trim()) {
        Ok(a) => &a == address,
        Err(_) => to.trim().eq_ignore_ascii_case(address.as_str()),
    }
}

impl CertificateDirectory for ActiveSyncGal {
    fn source(&self) -> Source {
        self.source.clone()
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        let mut answers: Vec<Lookup> = addresses.iter().cloned().map(Lookup::new).collect();
        // Distinct addresses only; duplicates get the same answer.
        let unique = super::distinct(addresses);
        for batch in unique.chunks(self.config.batch_size) {
            let result = self.resolve(batch).and_then(|answer| {
                if answer.status == 1 {
                    Ok(answer)
                } else {
                    Err(DirectoryError::Refused {
                        source_name: self.source.name().to_owned(),
                        reason: response::command_status_reason(answer.status),
                    })
                }
            });
            for answer in answers.iter_mut().filter(|a| batch.contains(a.address())) {
                match &result {
                    Ok(reply) => self.fill(answer, &reply.responses),
                    Err(error) => answer.push_failure(LookupFailed {
                        source: self.source.clone(),
                        error: error.clone(),
                    }),
                }
            }
        }
        answers
    }
}
