//! How to reach an Exchange ActiveSync server: [`ActiveSyncConfig`] and [`EasAuth`].

use std::time::Duration;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{cert::Certificate, error::DirectoryError};

/// Most `To` elements one ResolveRecipients request may carry (MS-ASCMD §6.31, the
/// request schema: `maxOccurs="100"`), so 100 recipients take one request.
pub const MAX_BATCH: usize = 100;

/// How the client proves who it is (MS-ASHTTP §2.2.1.1.2.2).
#[derive(Clone)]
#[non_exhaustive]
pub enum EasAuth {
    /// HTTP Basic: the user's logon name (`user@corp.example` or `DOMAIN\user`) and
    /// password.
    Basic {
        /// The logon name.
        user: String,
        /// The password.
        password: Zeroizing<String>,
    },
    /// An OAuth 2.0 bearer token (Exchange Online's modern authentication). Getting
    /// and refreshing the token is the application's job; `user` is still sent as the
    /// `User` query parameter.
    Bearer {
        /// The mailbox user (`User=`).
        user: String,
        /// The access token.
        token: Zeroizing<String>,
    },
}

impl EasAuth {
    /// The logon name sent as `User=`.
    pub fn user(&self) -> &str {
        match self {
            EasAuth::Basic { user, .. } | EasAuth::Bearer { user, .. } => user,
        }
    }
}

impl std::fmt::Debug for EasAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EasAuth::Basic { user, .. } => write!(f, "Basic({user:?}, <hidden>)"),
            EasAuth::Bearer { user, .. } => write!(f, "Bearer({user:?}, <hidden>)"),
        }
    }
}

/// An ActiveSync protocol version this client can speak (MS-ASHTTP §2.2.1.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// 12.0 (Exchange 2007).
    V12_0,
    /// 12.1 (Exchange 2007 SP1).
    V12_1,
    /// 14.0 (Exchange 2010).
    V14_0,
    /// 14.1 (Exchange 2010 SP1).
    V14_1,
    /// 16.0 (Exchange 2016).
    V16_0,
    /// 16.1 (Exchange 2016 CU and later, Exchange Online).
    V16_1,
}

impl ProtocolVersion {
    /// Most preferred first: the order 16.1, 16.0, 14.1, 14.0, then 12.x, which
    /// also has ResolveRecipients with certificates (MS-ASCMD §2.2.3.22).
    pub(crate) const PREFERENCE: [ProtocolVersion; 6] = [
        ProtocolVersion::V16_1,
        ProtocolVersion::V16_0,
        ProtocolVersion::V14_1,
        ProtocolVersion::V14_0,
        ProtocolVersion::V12_1,
        ProtocolVersion::V12_0,
    ];

    /// As written in `MS-ASProtocolVersion`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::V12_0 => "12.0",
            ProtocolVersion::V12_1 => "12.1",
            ProtocolVersion::V14_0 => "14.0",
            ProtocolVersion::V14_1 => "14.1",
            ProtocolVersion::V16_0 => "16.0",
            ProtocolVersion::V16_1 => "16.1",
        }
    }

    /// The most preferred version in a server's `MS-ASProtocolVersions` list
    /// (comma-separated, MS-ASHTTP §2.2.2.1.1.2).
    pub(crate) fn choose(offered: &str) -> Option<ProtocolVersion> {
        let offered: Vec<&str> = offered.split(',').map(str::trim).collect();
        Self::PREFERENCE
            .into_iter()
            .find(|v| offered.contains(&v.as_str()))
    }
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to reach and ask the server.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ActiveSyncConfig {
    /// The endpoint, `https://mail.corp.example/Microsoft-Server-ActiveSync`.
    pub url: String,
    /// Credentials.
    pub auth: EasAuth,
    /// CA certificates the server's TLS certificate may chain to, besides the
    /// platform's roots: typically the organisation's own CA.
    pub tls_roots: Vec<Certificate>,
    /// Allow an `http://` URL (credentials and answers in the clear). Off by default;
    /// for test servers on loopback.
    pub allow_insecure_http: bool,
    /// `DeviceId` (MS-ASHTTP §2.2.1.1.1.1.3): up to 32 letters and digits. Exchange
    /// keeps one device partnership per id, so it should stay the same across runs;
    /// the default is derived from the URL and user.
    pub device_id: String,
    /// `DeviceType`, letters and digits.
    pub device_type: String,
    /// A fixed protocol version instead of asking the server (`OPTIONS`).
    pub protocol_version: Option<ProtocolVersion>,
    /// Limit for each HTTP exchange, connecting included.
    pub timeout: Duration,
    /// Addresses per request, 1 to [`MAX_BATCH`].
    pub batch_size: usize,
    /// `MaxCertificates`: total certificates the server may return per request
    /// (0 to 9999, MS-ASCMD §2.2.3.101). A recipient whose certificates did not fit
    /// gets a failure, not "no certificate".
    pub max_certificates: u16,
    /// `MaxAmbiguousRecipients`: suggestions per ambiguous name (0 to 9999).
    pub max_ambiguous: u16,
    /// Largest response body read, in bytes.
    pub max_response: usize,
}

impl ActiveSyncConfig {
    /// For `url` with `auth`: platform roots only, HTTPS only, a device id derived from
    /// URL and user, device type `SmimeRs`, the version chosen by `OPTIONS`, 30 s
    /// timeout, batches of 100, at most 1000 certificates and 20 suggestions per
    /// request, responses up to 16 MiB.
    pub fn new(url: impl Into<String>, auth: EasAuth) -> Self {
        let url = url.into();
        let device_id = derived_device_id(&url, auth.user());
        ActiveSyncConfig {
            url,
            auth,
            tls_roots: Vec::new(),
            allow_insecure_http: false,
            device_id,
            device_type: "SmimeRs".into(),
            protocol_version: None,
            timeout: Duration::from_secs(30),
            batch_size: MAX_BATCH,
            max_certificates: 1000,
            max_ambiguous: 20,
            max_response: 16 << 20,
        }
    }

    /// Basic authentication as `user` with `password`.
    pub fn basic(
        url: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self::new(
            url,
            EasAuth::Basic {
                user: user.into(),
                password: Zeroizing::new(password.into()),
            },
        )
    }

    /// A bearer token for mailbox `user`.
    pub fn bearer(
        url: impl Into<String>,
        user: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        Self::new(
            url,
            EasAuth::Bearer {
                user: user.into(),
                token: Zeroizing::new(token.into()),
            },
        )
    }

    /// Trusting `roots` (besides the platform's) for the server's TLS certificate.
    pub fn with_tls_roots(mut self, roots: impl IntoIterator<Item = Certificate>) -> Self {
        self.tls_roots.extend(roots);
        self
    }

    /// Allowing an `http://` URL.
    pub fn with_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// With another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// With another device id.
    pub fn with_device_id(mut self, device_id: impl Into<String>) -> Self {
        self.device_id = device_id.into();
        self
    }

    /// Checks what can be checked without a connection.
    pub(crate) fn validate(&self) -> Result<(), DirectoryError> {
        let invalid = |reason: String| DirectoryError::InvalidConfig { reason };
        let scheme = self
            .url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase())
            .ok_or_else(|| invalid(format!("{:?} is not an https:// URL", self.url)))?;
        match scheme.as_str() {
            "https" => {}
            "http" if self.allow_insecure_http => {}
            "http" => {
                return Err(invalid(format!(
                    "{} is plain http: credentials and certificates would travel \
                     unprotected; use https:// or allow insecure http explicitly",
                    self.url
                )));
            }
            other => return Err(invalid(format!("unsupported URL scheme {other:?}"))),
        }
        if self.url.contains(['?', '#']) {
            return Err(invalid(
                "the URL must be the endpoint without a query (…/Microsoft-Server-ActiveSync)"
                    .into(),
            ));
        }
        if self.auth.user().is_empty() {
            return Err(invalid("the user name is empty".into()));
        }
        let alnum = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        if !alnum(&self.device_id, 32) {
            return Err(invalid(
                "DeviceId must be 1 to 32 letters and digits".into(),
            ));
        }
        if !alnum(&self.device_type, 32) {
            return Err(invalid(
                "DeviceType must be 1 to 32 letters and digits".into(),
            ));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH {
            return Err(invalid(format!("batch size must be 1 to {MAX_BATCH}")));
        }
        if self.max_certificates > 9999 || self.max_ambiguous > 9999 {
            return Err(invalid(
                "MaxCertificates and MaxAmbiguousRecipients are 0 to 9999".into(),
            ));
        }
        if self.timeout.is_zero() || self.max_response == 0 {
            return Err(invalid(
                "timeout and response limit must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// A stable device id for this account on this server: 32 hex digits of
/// SHA-256(url, user), so the same app on the same account keeps one partnership.
fn derived_device_id(url: &str, user: &str) -> String {
    let digest = Sha256::new()
        .chain_update(url.as_bytes())
        .chain_update([0])
        .chain_update(user.as_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02X}")).collect()
}
