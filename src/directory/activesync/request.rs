//! The ResolveRecipients request body (MS-ASCMD §2.2.1.15.1): every address of the
//! batch as a `To`, then `Options` asking for full certificates (`CertificateRetrieval`
//! 2, §2.2.3.22), a total certificate limit (`MaxCertificates`, §2.2.3.101) and a limit
//! on suggestions for ambiguous names (`MaxAmbiguousRecipients`, §2.2.3.102). No
//! `Availability` or `Picture`: free/busy data and photos are not ours to fetch.

use super::codepage::{PAGE, tag};
use super::wbxml::{self, Element, WbxmlError};
use crate::address::EmailAddress;

/// `CertificateRetrieval` value 2: the full certificate of each resolved recipient.
const FULL_CERTIFICATES: &str = "2";

/// The request document for `batch`.
pub(crate) fn document(
    batch: &[EmailAddress],
    max_certificates: u16,
    max_ambiguous: u16,
) -> Element {
    let mut root = Element::new(PAGE, tag::RESOLVE_RECIPIENTS);
    for address in batch {
        root = root.child(Element::new(PAGE, tag::TO).text(address.as_str()));
    }
    let options = Element::new(PAGE, tag::OPTIONS)
        .child(Element::new(PAGE, tag::CERTIFICATE_RETRIEVAL).text(FULL_CERTIFICATES))
        .child(Element::new(PAGE, tag::MAX_CERTIFICATES).text(max_certificates.to_string()))
        .child(Element::new(PAGE, tag::MAX_AMBIGUOUS_RECIPIENTS).text(max_ambiguous.to_string()));
    root.child(options)
}

/// The request body (WBXML) for `batch`.
pub(crate) fn body(
    batch: &[EmailAddress],
    max_certificates: u16,
    max_ambiguous: u16,
) -> Result<Vec<u8>, WbxmlError> {
    wbxml::encode(&document(batch, max_certificates, max_ambiguous))
}
