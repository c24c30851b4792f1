//! Which CMS structure an S/MIME body holds: the ContentInfo contentType (RFC 5652
//! §3), read from its first bytes, before anything decides to decrypt or verify it.

use std::io::Read;

use der::Decode;
use der::asn1::ObjectIdentifier;

use crate::error::{CmsError, Error};
use crate::mime::{self, Base64Reader, TransferEncoding};

/// The ContentInfo header and contentType OID fit in this many bytes.
pub(super) const CONTENT_TYPE_PEEK: u64 = 128;

/// The contentType of the ContentInfo that `cms_bytes` starts with.
pub(super) fn cms_content_type(cms_bytes: &[u8]) -> Result<ObjectIdentifier, Error> {
    let mut r = crate::cms::ber::BerReader::new(cms_bytes);
    r.expect_tag(0x30, "ContentInfo")?;
    let der = r.tlv_der(64, "ContentInfo contentType")?;
    Ok(ObjectIdentifier::from_der(&der).map_err(|e| CmsError::malformed("ContentInfo", e))?)
}

/// The contentType of the CMS inside an S/MIME part's `body` (held in memory) in
/// `encoding`; `None` when the body is not CMS we can read. Base64 (what every client
/// sends) is decoded only as far as the contentType.
pub(super) fn part_content_type(
    body: &[u8],
    encoding: &TransferEncoding,
) -> Option<ObjectIdentifier> {
    let mut prefix = Vec::new();
    if *encoding == TransferEncoding::Base64 {
        Base64Reader::new(body)
            .take(CONTENT_TYPE_PEEK)
            .read_to_end(&mut prefix)
            .ok()?;
    } else {
        let cms = mime::smime_body(body, encoding).ok()?;
        prefix = cms
            .get(..CONTENT_TYPE_PEEK as usize)
            .unwrap_or(&cms)
            .to_vec();
    }
    cms_content_type(&prefix).ok()
}
