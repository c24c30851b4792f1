//! [`TrustStore`]: trust anchors, known intermediates, CRLs and the user's decisions,
//! and [`TrustStore::evaluate`].

use std::path::Path;
use std::sync::Arc;

use super::crl::{Crl, CrlFetcher};
use super::error::TrustError;
use super::path::{Evaluation, Role};
use super::policy::Policy;
use super::single::check_leaf;
use super::usage::{Use, check_party};
use super::user_trust::UserTrustSource;
use super::verified::{TrustAnchor, TrustWarning, VerifiedPath};
use crate::cert::Certificate;
use crate::error::{CertificateError, Error};

/// Well-known locations of the platform's PEM bundle of trusted CAs.
const PLATFORM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// What a mail app trusts: anchors, intermediates it knows, CRLs, and the user's own
/// decisions. Certificates that arrive in a message are passed to
/// [`evaluate`](TrustStore::evaluate) as untrusted intermediates only, never as
/// anchors (RFC 8550 §2.3).
#[derive(Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
    crls: Vec<Crl>,
    user: Option<Arc<dyn UserTrustSource>>,
    fetcher: Option<Arc<dyn CrlFetcher>>,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .field("user_decisions", &self.user.is_some())
            .field("crl_fetcher", &self.fetcher.is_some())
            .finish()
    }
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store whose anchors are the certificates of a PEM (or DER) file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let mut s = Self::new();
        s.add_anchors_from_file(path)?;
        Ok(s)
    }

    /// Adds a trust anchor.
    pub fn add_anchor(&mut self, cert: Certificate) {
        if !self.anchors.contains(&cert) {
            self.anchors.push(cert);
        }
    }

    /// Adds every certificate of a PEM or DER file as an anchor; returns how many.
    pub fn add_anchors_from_file(&mut self, path: impl AsRef<Path>) -> Result<usize, Error> {
        let certs = Certificate::load(&std::fs::read(path)?)?;
        let n = certs.len();
        certs.into_iter().for_each(|c| self.add_anchor(c));
        Ok(n)
    }

    /// Adds the certificates of every readable certificate file in `dir` (PEM or
    /// DER) as anchors; files that hold no certificate are skipped. Returns how many.
    pub fn add_anchors_from_dir(&mut self, dir: impl AsRef<Path>) -> Result<usize, Error> {
        let mut n = 0;
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            match Certificate::load(&std::fs::read(e.path())?) {
                Ok(certs) => {
                    n += certs.len();
                    certs.into_iter().for_each(|c| self.add_anchor(c));
                }
                Err(CertificateError::NoCertificate | CertificateError::Malformed(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(n)
    }

    /// Adds the platform's bundle of trusted CAs (the first of the usual PEM bundle
    /// locations that exists). Returns how many anchors were added.
    pub fn add_platform_anchors(&mut self) -> Result<usize, Error> {
        for p in PLATFORM_BUNDLES {
            if Path::new(p).is_file() {
                return self.add_anchors_from_file(p);
            }
        }
        Ok(0)
    }

    /// Adds a known intermediate CA certificate (untrusted: it must chain to an anchor).
    pub fn add_intermediate(&mut self, cert: Certificate) {
        if !self.intermediates.contains(&cert) {
            self.intermediates.push(cert);
        }
    }

    /// Adds a CRL. The newest CRL per issuer and scope is used, wherever it came from.
    pub fn add_crl(&mut self, crl: Crl) {
        if !self.crls.contains(&crl) {
            self.crls.push(crl);
        }
    }

    /// Consults `source` for the user's trust decisions.
    pub fn with_user_trust(mut self, source: Arc<dyn UserTrustSource>) -> Self {
        self.user = Some(source);
        self
    }

    /// Lets revocation checking fetch CRLs through `fetcher` (only for paths that
    /// reached an anchor).
    pub fn with_crl_fetcher(mut self, fetcher: Arc<dyn CrlFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// The known intermediates.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// The CRLs.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// The judge: may `cert` be used as `use_` says — for this purpose, this party,
    /// at this time — under the account's `policy`? Builds a path through the store's
    /// intermediates and `extra_certs` (e.g. those of a SignedData, untrusted) to a
    /// trust anchor and validates it (RFC 5280 §6.1), or applies the user's decision
    /// for exactly this certificate when no path exists; then the address rule
    /// (RFC 8550 §3). Every decision of the crate about a certificate's use is this
    /// call.
    ///
    /// ```
    /// use smime::trust::{Policy, Purpose, TrustError, TrustStore, Use};
    /// use smime::Certificate;
    ///
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/alice.pem"))?;
    /// let alice = Certificate::from_pem(&pem)?;
    /// let at = alice.not_before() + std::time::Duration::from_secs(86_400);
    /// let policy = Policy::email();
    ///
    /// // Nothing trusted yet: no path.
    /// let store = TrustStore::new();
    /// let err = store.evaluate(&alice, &policy, &Use::at(Purpose::Encrypt, at), &[]).unwrap_err();
    /// assert!(matches!(err, TrustError::UnknownIssuer { .. }));
    ///
    /// // Alice's self-signed sample certificate as the anchor: trusted for her address.
    /// let mut store = TrustStore::new();
    /// store.add_anchor(alice.clone());
    /// let to_alice = Use::encrypt_to("alice@example.org".parse()?, at);
    /// let path = store.evaluate(&alice, &policy, &to_alice, &[])?;
    /// assert!(path.intermediates().is_empty());
    /// assert_eq!(path.used_for(), &to_alice);
    ///
    /// // ... and not for someone else's.
    /// let to_bob = Use::encrypt_to("bob@example.org".parse()?, at);
    /// let err = store.evaluate(&alice, &policy, &to_bob, &[]).unwrap_err();
    /// assert!(matches!(err, TrustError::AddressMismatch { .. }));
    ///
    /// // Time is an argument: after notAfter the same certificate is expired.
    /// let later = alice.not_after() + std::time::Duration::from_secs(1);
    /// let err = store.evaluate(&alice, &policy, &Use::at(Purpose::Encrypt, later), &[]).unwrap_err();
    /// assert!(matches!(err, TrustError::Expired { .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(
        &self,
        cert: &Certificate,
        policy: &Policy,
        use_: &Use,
        extra_certs: &[Certificate],
    ) -> Result<VerifiedPath, TrustError> {
        self.evaluate_with_crls(cert, policy, use_, extra_certs, &[])
    }

    /// Like [`evaluate`](TrustStore::evaluate), with CRLs that came with the message
    /// too (RFC 8550 §2.1). They compete with the store's CRLs: the newest wins.
    pub fn evaluate_with_crls(
        &self,
        cert: &Certificate,
        policy: &Policy,
        use_: &Use,
        extra_certs: &[Certificate],
        extra_crls: &[Crl],
    ) -> Result<VerifiedPath, TrustError> {
        let path = self.path(cert, policy, use_, extra_certs, extra_crls)?;
        // RFC 8550 §3, judged last: a mismatched address on a certificate that is
        // otherwise untrusted is reported as untrusted.
        check_party(cert, &use_.party)?;
        Ok(path)
    }

    /// Path validation, or the user's decision, for `use_` (without the address rule).
    fn path(
        &self,
        cert: &Certificate,
        policy: &Policy,
        use_: &Use,
        extra_certs: &[Certificate],
        extra_crls: &[Crl],
    ) -> Result<VerifiedPath, TrustError> {
        let mut warnings = Vec::new();
        // Issuer-independent checks first: "expired" is more useful than "unknown
        // issuer" (TrustError::rank).
        check_leaf(cert, policy, use_, &mut warnings)?;

        let mut crls = self.crls.clone();
        for c in extra_crls {
            if !crls.contains(c) {
                crls.push(c.clone());
            }
        }
        let others = self.intermediates.iter().chain(extra_certs.iter());
        let mut eval = Evaluation::new(
            policy,
            use_.time,
            &self.anchors,
            others,
            crls,
            self.fetcher.as_deref(),
        );
        let leaf = eval.index_of(cert);
        match eval.build(leaf, Role::EndEntity, None) {
            Ok(built) => {
                let anchor = eval.cert(built.anchor)?.clone();
                let mut intermediates = Vec::new();
                // `chain` is top-down and ends with the leaf.
                for &i in built.chain.iter().rev().skip(1) {
                    intermediates.push(eval.cert(i)?.clone());
                }
                warnings.extend(built.warnings);
                Ok(VerifiedPath {
                    leaf: cert.clone(),
                    intermediates,
                    anchor: TrustAnchor::Store(anchor),
                    policies: built.policies,
                    warnings,
                    used_for: use_.clone(),
                })
            }
            Err(e) if e.is_unknown_issuer() => {
                self.user_decision(cert, use_, e, &mut eval, warnings)
            }
            Err(e) => Err(e),
        }
    }

    /// REQUIREMENTS.md §3: the user's decision for exactly this certificate replaces
    /// the missing path; every other check still applies (the leaf checks ran
    /// already; revocation is checked when a CRL from its issuer can be verified).
    fn user_decision(
        &self,
        cert: &Certificate,
        use_: &Use,
        no_path: TrustError,
        eval: &mut Evaluation<'_>,
        mut warnings: Vec<TrustWarning>,
    ) -> Result<VerifiedPath, TrustError> {
        let Some(decision) = self
            .user
            .as_ref()
            .and_then(|u| u.decision_for(&cert.fingerprint_sha256()))
        else {
            return Err(no_path);
        };
        if let Some(reason) = decision.mismatch(cert, use_.purpose, use_.address()) {
            return Err(TrustError::UserTrustMismatch {
                subject: cert.subject(),
                reason,
            });
        }
        eval.user_trust_revocation(cert, &mut warnings)?;
        Ok(VerifiedPath {
            leaf: cert.clone(),
            intermediates: Vec::new(),
            anchor: TrustAnchor::User(decision),
            policies: Vec::new(),
            warnings,
            used_for: use_.clone(),
        })
    }
}
