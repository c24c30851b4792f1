//! [`Crl`]: a parsed certificate revocation list (RFC 5280 §5) that keeps its DER.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use der::Decode;
use der::asn1::ObjectIdentifier;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BaseCrlNumber, CrlNumber};
use x509_cert::name::Name;

use crate::cert::Certificate;
use crate::error::CertificateError;
use crate::oid;

/// A certificate revocation list, v1 or v2 (RFC 5280 §5), parsed once and cheap to
/// clone. CRLs come from the [`TrustStore`](super::TrustStore) or from a message
/// (RFC 8550 §2.1); which one is newest decides, not where it came from.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use smime::trust::Crl;
/// // A CRL read from a file: DER or PEM ("X509 CRL").
/// assert!(Crl::load(b"not a CRL").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Crl {
    inner: Arc<Inner>,
}

struct Inner {
    der: Vec<u8>,
    parsed: CertificateList,
    number: Option<Vec<u8>>,
    base_number: Option<Vec<u8>>,
    idp: Option<IssuingDistributionPoint>,
    authority_key_id: Option<Vec<u8>>,
    /// A critical CRL extension we do not process: the CRL cannot be used
    /// (RFC 5280 §5.2).
    unknown_critical: Option<ObjectIdentifier>,
}

impl Crl {
    /// Parses a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let parsed = CertificateList::from_der(der).map_err(CertificateError::Malformed)?;
        let mut number = None;
        let mut base_number = None;
        let mut idp = None;
        let mut authority_key_id = None;
        let mut unknown_critical = None;
        for ext in parsed.tbs_cert_list.crl_extensions.iter().flatten() {
            let bytes = ext.extn_value.as_bytes();
            let bad = |e| CertificateError::BadExtension {
                oid: ext.extn_id,
                error: e,
            };
            match ext.extn_id {
                o if o == oid::CE_CRL_NUMBER => {
                    // RFC 5280 §5.2.3: cRLNumber is non-critical.
                    if ext.critical {
                        unknown_critical = Some(o);
                    }
                    number = Some(
                        CrlNumber::from_der(bytes)
                            .map_err(bad)?
                            .0
                            .as_bytes()
                            .to_vec(),
                    );
                }
                o if o == oid::CE_DELTA_CRL_INDICATOR => {
                    base_number = Some(
                        BaseCrlNumber::from_der(bytes)
                            .map_err(bad)?
                            .0
                            .as_bytes()
                            .to_vec(),
                    );
                }
                o if o == oid::CE_ISSUING_DISTRIBUTION_POINT => {
                    idp = Some(IssuingDistributionPoint::from_der(bytes).map_err(bad)?);
                }
                o if o == oid::CE_AUTHORITY_KEY_IDENTIFIER => {
                    authority_key_id = AuthorityKeyIdentifier::from_der(bytes)
                        .map_err(bad)?
                        .key_identifier
                        .map(|k| k.as_bytes().to_vec());
                }
                o if o == oid::CE_FRESHEST_CRL || o == oid::CE_ISSUER_ALT_NAME => {}
                o if ext.critical => unknown_critical = Some(o),
                _ => {}
            }
        }
        Ok(Crl {
            inner: Arc::new(Inner {
                der: der.to_vec(),
                parsed,
                number,
                base_number,
                idp,
                authority_key_id,
                unknown_critical,
            }),
        })
    }

    /// Parses PEM (`X509 CRL` blocks, all of them) or, when the input is not PEM, one
    /// DER CRL.
    pub fn load(bytes: &[u8]) -> Result<Vec<Self>, CertificateError> {
        if crate::cert::pem::looks_like_pem(bytes) {
            let out: Vec<Crl> = crate::cert::pem::blocks(bytes)
                .into_iter()
                .filter(|b| b.label == "X509 CRL")
                .map(|b| Crl::from_der(&b.der))
                .collect::<Result<_, _>>()?;
            if out.is_empty() {
                return Err(CertificateError::NoCertificate);
            }
            Ok(out)
        } else {
            Ok(vec![Crl::from_der(bytes)?])
        }
    }

    /// The CRL exactly as it was read.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The parsed structure.
    pub fn x509(&self) -> &CertificateList {
        &self.inner.parsed
    }

    /// The issuer name.
    pub fn issuer_name(&self) -> &Name {
        &self.inner.parsed.tbs_cert_list.issuer
    }

    /// thisUpdate.
    pub fn this_update(&self) -> SystemTime {
        self.inner.parsed.tbs_cert_list.this_update.to_system_time()
    }

    /// nextUpdate, when present.
    pub fn next_update(&self) -> Option<SystemTime> {
        self.inner
            .parsed
            .tbs_cert_list
            .next_update
            .map(|t| t.to_system_time())
    }

    /// The cRLNumber content octets (big-endian), when present.
    pub fn number(&self) -> Option<&[u8]> {
        self.inner.number.as_deref()
    }

    /// Whether this is a delta CRL (RFC 5280 §5.2.4), and its BaseCRLNumber.
    pub fn delta_base(&self) -> Option<&[u8]> {
        self.inner.base_number.as_deref()
    }

    pub(crate) fn idp(&self) -> Option<&IssuingDistributionPoint> {
        self.inner.idp.as_ref()
    }

    pub(crate) fn authority_key_id(&self) -> Option<&[u8]> {
        self.inner.authority_key_id.as_deref()
    }

    pub(crate) fn unknown_critical(&self) -> Option<ObjectIdentifier> {
        self.inner.unknown_critical
    }

    pub(crate) fn is_v2(&self) -> bool {
        self.inner.parsed.tbs_cert_list.version == x509_cert::Version::V2
    }
}

impl PartialEq for Crl {
    fn eq(&self, other: &Self) -> bool {
        self.der() == other.der()
    }
}

impl Eq for Crl {}

impl fmt::Debug for Crl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.issuer_name().to_string())
            .field("this_update", &self.this_update())
            .field("delta", &self.delta_base().is_some())
            .finish()
    }
}

/// Compares two unsigned big-endian integers (CRL numbers).
pub(crate) fn cmp_uint(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |x: &[u8]| -> Vec<u8> { x.iter().copied().skip_while(|b| *b == 0).collect() };
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// Fetches CRLs from the network (or anywhere else) for a certificate whose path
/// already reached a trust anchor. Nothing is fetched unless the application plugs
/// one in ([`TrustStore::with_crl_fetcher`](super::TrustStore::with_crl_fetcher)); RFC 8550 §6 warns that fetching for
/// untrusted certificates is a denial-of-service vector and a read receipt.
pub trait CrlFetcher: Send + Sync {
    /// CRLs for `cert`, given the URIs of its cRLDistributionPoints. At most one call
    /// is made per evaluation. Return an empty vector when nothing could be fetched.
    fn fetch(&self, cert: &Certificate, urls: &[String]) -> Vec<Crl>;
}
