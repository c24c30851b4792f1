//! The tokens of WBXML code page 10, ResolveRecipients (MS-ASWBXML §2.1.2.1.11), the
//! only page this client writes or reads.

/// Code page 10.
pub(crate) const PAGE: u8 = 10;

/// The `ResolveRecipients:` tag tokens this client writes or reads (MS-ASWBXML
/// §2.1.2.1.11; the others appear in [`tag_name`] only).
pub(crate) mod tag {
    pub const RESOLVE_RECIPIENTS: u8 = 0x05;
    pub const RESPONSE: u8 = 0x06;
    pub const STATUS: u8 = 0x07;
    pub const RECIPIENT: u8 = 0x09;
    pub const CERTIFICATES: u8 = 0x0C;
    pub const CERTIFICATE: u8 = 0x0D;
    pub const OPTIONS: u8 = 0x0F;
    pub const TO: u8 = 0x10;
    pub const CERTIFICATE_RETRIEVAL: u8 = 0x11;
    pub const MAX_CERTIFICATES: u8 = 0x13;
    pub const MAX_AMBIGUOUS_RECIPIENTS: u8 = 0x14;
}

/// Tag names of page 10 by token, 0x05 first.
const NAMES: [&str; 25] = [
    "ResolveRecipients",
    "Response",
    "Status",
    "Type",
    "Recipient",
    "DisplayName",
    "EmailAddress",
    "Certificates",
    "Certificate",
    "MiniCertificate",
    "Options",
    "To",
    "CertificateRetrieval",
    "RecipientCount",
    "MaxCertificates",
    "MaxAmbiguousRecipients",
    "CertificateCount",
    "Availability",
    "StartTime",
    "EndTime",
    "MergedFreeBusy",
    "Picture",
    "MaxSize",
    "Data",
    "MaxPictures",
];

/// (namespace, tag name) of a token, when this crate knows it.
pub(crate) fn tag_name(page: u8, token: u8) -> Option<(&'static str, &'static str)> {
    if page != PAGE {
        return None;
    }
    let name = NAMES.get(usize::from(token.checked_sub(0x05)?))?;
    Some(("ResolveRecipients", name))
}
