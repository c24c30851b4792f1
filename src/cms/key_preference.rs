//! Reading an SMIMEEncryptionKeyPreference attribute value (RFC 8551 §2.5.3): does it
//! name a given certificate?

use der::Decode;

use crate::cert::Certificate;

/// Whether an SMIMEEncryptionKeyPreference value (RFC 8551 §2.5.3) names `cert`:
/// issuerAndSerialNumber `[0]` or subjectAltKeyIdentifier `[2]`.
pub(crate) fn names_certificate(value: &[u8], cert: &Certificate) -> bool {
    let (Some(&tag), Ok(body)) = (value.first(), crate::cms::ber::content_of(value)) else {
        return false;
    };
    match tag {
        0xa0 => {
            // IssuerAndSerialNumber's contents, re-tagged as a SEQUENCE.
            let seq = crate::cms::ber::tlv(0x30, body);
            match cms::cert::IssuerAndSerialNumber::from_der(&seq) {
                Ok(ias) => {
                    &ias.issuer == cert.issuer_name()
                        && ias.serial_number.as_bytes() == cert.serial_number()
                }
                Err(_) => false,
            }
        }
        0x82 | 0xa2 => cert.subject_key_identifier() == Some(body),
        _ => false,
    }
}
