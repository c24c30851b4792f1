//! HTTP for ActiveSync (MS-ASHTTP): `OPTIONS` to learn the protocol versions, `POST`
//! of a WBXML command, and what each HTTP status means for a lookup. The client is
//! `ureq` (blocking, rustls with the ring provider, no bundled roots).

use std::sync::Arc;

use base64::Engine as _;
use ureq::http::StatusCode;
use zeroize::Zeroizing;

use super::config::{ActiveSyncConfig, EasAuth, ProtocolVersion};
use crate::error::DirectoryError;

/// MS-ASHTTP §2.2.1.1.1.2.1: the WBXML body type.
const WBXML: &str = "application/vnd.ms-sync.wbxml";

/// What a POST gave.
pub(crate) enum Posted {
    /// 200 with this body.
    Body(Vec<u8>),
    /// 451: the mailbox is served elsewhere; use this URL (`X-MS-Location`,
    /// MS-ASHTTP §3.1.5.2).
    Moved(String),
}

pub(crate) struct Transport {
    agent: ureq::Agent,
    source_name: String,
    authorization: Zeroizing<String>,
    user: String,
    device_id: String,
    device_type: String,
    max_response: u64,
    allow_insecure_http: bool,
}

impl Transport {
    pub(crate) fn new(config: &ActiveSyncConfig, source_name: &str) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(ureq::tls::RootCerts::new_with_certs(
                &super::super::tls_roots::roots(&config.tls_roots)
                    .into_iter()
                    .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
                    .collect::<Vec<_>>(),
            ))
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            // A redirect is reported, not followed: a POST must not turn into a GET
            // against a login page, and credentials must not follow it.
            .max_redirects(0)
            .https_only(!config.allow_insecure_http)
            .user_agent(concat!("smime-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let authorization = Zeroizing::new(match &config.auth {
            EasAuth::Basic { user, password } => {
                let pair = Zeroizing::new(format!("{user}:{}", password.as_str()));
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
                )
            }
            EasAuth::Bearer { token, .. } => format!("Bearer {}", token.as_str()),
        });
        Transport {
            agent,
            source_name: source_name.to_owned(),
            authorization,
            user: config.auth.user().to_owned(),
            device_id: config.device_id.clone(),
            device_type: config.device_type.clone(),
            max_response: config.max_response as u64,
            allow_insecure_http: config.allow_insecure_http,
        }
    }

    /// Asks `url` which protocol versions it speaks (`OPTIONS`, MS-ASHTTP §2.2.3) and
    /// picks the most preferred one this client speaks.
    pub(crate) fn negotiate(&self, url: &str) -> Result<ProtocolVersion, DirectoryError> {
        let response = self
            .agent
            .options(url)
            .header("Authorization", self.authorization.as_str())
            .call()
            .map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if status != StatusCode::OK {
            return Err(self.http_failure(status.as_u16(), None));
        }
        let offered = response
            .headers()
            .get("MS-ASProtocolVersions")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.refused("the OPTIONS answer lists no MS-ASProtocolVersions"))?;
        ProtocolVersion::choose(offered).ok_or_else(|| {
            self.refused(format!(
                "the server speaks ActiveSync {offered}; this client needs 12.0 or later"
            ))
        })
    }

    /// POSTs the ResolveRecipients `body` to `url` with `version`.
    pub(crate) fn resolve_recipients(
        &self,
        url: &str,
        version: ProtocolVersion,
        body: &[u8],
    ) -> Result<Posted, DirectoryError> {
        let mut response = self
            .agent
            .post(url)
            .query("Cmd", "ResolveRecipients")
            .query("User", &self.user)
            .query("DeviceId", &self.device_id)
            .query("DeviceType", &self.device_type)
            .header("Authorization", self.authorization.as_str())
            .header("Content-Type", WBXML)
            .header("MS-ASProtocolVersion", version.as_str())
            .send(body)
            .map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        if status == 451 {
            let location = response
                .headers()
                .get("X-MS-Location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return match location {
                Some(l) if self.acceptable_location(&l) => Ok(Posted::Moved(l)),
                Some(l) => Err(self.refused(format!(
                    "the server sent this mailbox to {l:?} (HTTP 451), which is not an \
                     https:// URL"
                ))),
                None => Err(self.refused(
                    "the server says the mailbox is served elsewhere (HTTP 451) but gave no \
                     X-MS-Location",
                )),
            };
        }
        if status != 200 {
            let location = response
                .headers()
                .get("Location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Err(self.http_failure(status, location));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_response)
            .read_to_vec()
            .map_err(|e| self.transport_error(e))?;
        Ok(Posted::Body(body))
    }

    /// A 451 target keeps the protection of the configured URL: https, or http only
    /// when plain http was allowed.
    fn acceptable_location(&self, location: &str) -> bool {
        let lower = location.to_ascii_lowercase();
        lower.starts_with("https://") || (self.allow_insecure_http && lower.starts_with("http://"))
    }

    /// What an HTTP status other than 200 means (MS-ASHTTP §3.1.5.2).
    fn http_failure(&self, status: u16, location: Option<String>) -> DirectoryError {
        let reason = match status {
            401 => "the server refused the credentials (HTTP 401): check the user name and \
                    password or token"
                .to_owned(),
            403 => "the server denied access (HTTP 403): the account may not use \
                    ActiveSync, or this device is blocked"
                .to_owned(),
            449 => "the server requires this device to be provisioned first (HTTP 449, \
                    MS-ASPROV); this client does not accept device policies"
                .to_owned(),
            300..=399 => format!(
                "the server redirected the request (HTTP {status}{}); configure the final \
                 ActiveSync URL",
                location.map(|l| format!(" to {l}")).unwrap_or_default()
            ),
            500..=599 => {
                return DirectoryError::Unreachable {
                    source_name: self.source_name.clone(),
                    reason: format!("the server failed to answer (HTTP {status})"),
                };
            }
            _ => format!("the server answered HTTP {status}"),
        };
        self.refused(reason)
    }

    fn refused(&self, reason: impl Into<String>) -> DirectoryError {
        DirectoryError::Refused {
            source_name: self.source_name.clone(),
            reason: reason.into(),
        }
    }

    fn transport_error(&self, error: ureq::Error) -> DirectoryError {
        let reason = match error {
            ureq::Error::BodyExceedsLimit(limit) => {
                return DirectoryError::LimitExceeded {
                    source_name: self.source_name.clone(),
                    what: "response size in bytes",
                    limit,
                };
            }
            ureq::Error::Timeout(which) => format!("no answer in time ({which})"),
            ureq::Error::Rustls(e) => format!("TLS failed: {e}"),
            ureq::Error::Tls(e) => format!("TLS failed: {e}"),
            ureq::Error::RequireHttpsOnly(url) => {
                format!("refusing plain http for {url}")
            }
            ureq::Error::HostNotFound => "the host name does not resolve".to_owned(),
            ureq::Error::ConnectionFailed => "cannot connect".to_owned(),
            // rustls reports a refused server certificate through the I/O error.
            ureq::Error::Io(e) if e.get_ref().is_some_and(|i| i.is::<rustls::Error>()) => {
                format!("TLS failed: {e}")
            }
            ureq::Error::Io(e) => format!("connection failed: {e}"),
            other => other.to_string(),
        };
        DirectoryError::Unreachable {
            source_name: self.source_name.clone(),
            reason,
        }
    }
}
