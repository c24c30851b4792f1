//! The `smime-type` parameter of `application/pkcs7-mime` (RFC 8551 §3.2.2).

/// What an `application/pkcs7-mime` part says it carries, from its `smime-type`
/// parameter (RFC 8551 §3.2.2; `compressed-data` from RFC 3274 §3).
///
/// The parameter is a hint, not a promise: some senders omit it and .NET labels
/// enveloped data `signed-data`. Whoever opens the CMS must check its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SmimeType {
    /// `enveloped-data`: encrypted with CMS EnvelopedData.
    EnvelopedData,
    /// `authEnveloped-data`: encrypted with CMS AuthEnvelopedData (RFC 5083).
    AuthEnvelopedData,
    /// `signed-data`: opaque-signed with CMS SignedData.
    SignedData,
    /// `certs-only`: a degenerate SignedData carrying only certificates.
    CertsOnly,
    /// `compressed-data`: CMS CompressedData (RFC 3274).
    CompressedData,
    /// The parameter is absent or has a value not listed above.
    Unknown,
}

impl SmimeType {
    /// Interprets an `smime-type` parameter value (case-insensitive, RFC 8551 §3.2.2);
    /// `None` (no parameter) and unknown values give [`SmimeType::Unknown`].
    pub fn from_param(value: Option<&str>) -> Self {
        let Some(value) = value else {
            return SmimeType::Unknown;
        };
        match value.trim().to_ascii_lowercase().as_str() {
            "enveloped-data" => SmimeType::EnvelopedData,
            "authenveloped-data" => SmimeType::AuthEnvelopedData,
            "signed-data" => SmimeType::SignedData,
            "certs-only" => SmimeType::CertsOnly,
            "compressed-data" => SmimeType::CompressedData,
            _ => SmimeType::Unknown,
        }
    }

    /// The parameter value to write for this type, as RFC 8551 §3.2.2 spells it;
    /// `None` for [`SmimeType::Unknown`].
    pub fn as_param(self) -> Option<&'static str> {
        match self {
            SmimeType::EnvelopedData => Some("enveloped-data"),
            SmimeType::AuthEnvelopedData => Some("authEnveloped-data"),
            SmimeType::SignedData => Some("signed-data"),
            SmimeType::CertsOnly => Some("certs-only"),
            SmimeType::CompressedData => Some("compressed-data"),
            SmimeType::Unknown => None,
        }
    }

    /// Whether the type announces encrypted content.
    pub fn is_encrypted(self) -> bool {
        matches!(
            self,
            SmimeType::EnvelopedData | SmimeType::AuthEnvelopedData
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_known_value() {
        for t in [
            SmimeType::EnvelopedData,
            SmimeType::AuthEnvelopedData,
            SmimeType::SignedData,
            SmimeType::CertsOnly,
            SmimeType::CompressedData,
        ] {
            let p = t.as_param().unwrap();
            assert_eq!(SmimeType::from_param(Some(p)), t);
            assert_eq!(SmimeType::from_param(Some(&p.to_ascii_uppercase())), t);
        }
        assert_eq!(SmimeType::from_param(None), SmimeType::Unknown);
        assert_eq!(SmimeType::from_param(Some("x-other")), SmimeType::Unknown);
        assert_eq!(SmimeType::Unknown.as_param(), None);
    }
}
