//! Undoing a transfer encoding on a body held in memory: base64, quoted-printable,
//! and PEM armour around CMS.
//!
//! The S/MIME body inside `application/pkcs7-mime` is binary CMS; RFC 8551 §3.1.3
//! requires base64 for 7-bit transport, but quoted-printable, `8bit` and `binary`
//! bodies are all allowed by MIME and occur. Tools such as `openssl cms -outform PEM`
//! and `gpgsm --armor` write CMS as PEM (`-----BEGIN PKCS7-----` or `CMS`, RFC 7468
//! §3), which people paste into mail.

use std::io::Read;

use crate::error::MimeError;
use crate::mime::base64::Base64Reader;
use crate::mime::content_type::TransferEncoding;

/// PEM labels that carry CMS (RFC 7468 §3 and §9: `PKCS7` is the legacy form).
const PEM_LABELS: &[&[u8]] = &[b"PKCS7", b"CMS", b"PKCS #7 SIGNED DATA"];

/// Decodes a whole base64 body, mapping bad input to [`MimeError::Base64`].
pub(crate) fn base64(body: &[u8]) -> Result<Vec<u8>, MimeError> {
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    Base64Reader::new(body)
        .read_to_end(&mut out)
        .map_err(MimeError::from_io)?;
    Ok(out)
}

/// Decodes a quoted-printable body (RFC 2045 §6.7) with the `quoted_printable`
/// crate's robust mode: literal line breaks become CRLF, trailing white space on a
/// line is transport padding and dropped, `=` at the end of a line is a soft break,
/// `=XX` is a byte, an `=` not followed by two hex digits is kept literally (§6.7
/// note (2)), and octets QP may not carry are left out (note (4)).
pub(crate) fn quoted_printable(body: &[u8]) -> Result<Vec<u8>, MimeError> {
    ::quoted_printable::decode(body, ::quoted_printable::ParseMode::Robust).map_err(|e| {
        MimeError::Malformed {
            reason: format!("quoted-printable: {e}"),
        }
    })
}

/// Whether `data` starts (after white space) with PEM armour of a CMS label.
pub(crate) fn is_pem_cms(data: &[u8]) -> bool {
    let data = data.trim_ascii_start();
    let Some(rest) = data.strip_prefix(b"-----BEGIN ") else {
        return false;
    };
    PEM_LABELS.iter().any(|label| {
        rest.strip_prefix(*label)
            .is_some_and(|r| r.starts_with(b"-----"))
    })
}

/// Decodes PEM-armoured CMS: the base64 between the BEGIN line and the END line.
/// The caller has checked [`is_pem_cms`].
pub(crate) fn pem_cms(data: &[u8]) -> Result<Vec<u8>, MimeError> {
    let data = data.trim_ascii_start();
    let body = match data.iter().position(|&b| b == b'\n') {
        Some(i) => data.get(i + 1..).unwrap_or_default(),
        None => &[],
    };
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    let mut reader = Base64Reader::with_boundary(body, b"-----END");
    reader.read_to_end(&mut out).map_err(MimeError::from_io)?;
    if !reader.found_boundary() {
        return Err(MimeError::Malformed {
            reason: "PEM armour has no END line".into(),
        });
    }
    Ok(out)
}

/// Undoes `encoding` on an S/MIME body; a `7bit`/`8bit`/`binary` body that is PEM
/// armour is unwrapped too. The result must not be empty.
pub(crate) fn smime_body(body: &[u8], encoding: &TransferEncoding) -> Result<Vec<u8>, MimeError> {
    let cms = match encoding {
        TransferEncoding::Base64 => base64(body)?,
        TransferEncoding::QuotedPrintable => quoted_printable(body)?,
        TransferEncoding::SevenBit | TransferEncoding::EightBit | TransferEncoding::Binary => {
            if is_pem_cms(body) {
                pem_cms(body)?
            } else {
                body.to_vec()
            }
        }
        TransferEncoding::Other(name) => {
            return Err(MimeError::Malformed {
                reason: format!("unsupported Content-Transfer-Encoding {name:?}"),
            });
        }
    };
    if cms.is_empty() {
        return Err(MimeError::Malformed {
            reason: "the S/MIME body is empty".into(),
        });
    }
    Ok(cms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_rules() {
        let qp = |s: &[u8]| quoted_printable(s).unwrap();
        assert_eq!(qp(b"a=3D=0D=0Ab"), b"a=\r\nb");
        assert_eq!(
            qp(b"soft=\r\nbreak\r\nline  \r\nend"),
            b"softbreak\r\nline\r\nend"
        );
        assert_eq!(qp(b"x\n"), b"x\r\n");
        assert_eq!(qp(b"=zz=4"), b"=zz=4");
        assert_eq!(qp(b"=c3=A9"), "é".as_bytes());
        assert_eq!(qp(b""), b"");
    }

    #[test]
    fn pem_armour() {
        let pem = b"\n-----BEGIN PKCS7-----\nMIAG\nCSqG\n-----END PKCS7-----\n";
        assert!(is_pem_cms(pem));
        assert_eq!(pem_cms(pem).unwrap(), [0x30, 0x80, 0x06, 0x09, 0x2a, 0x86]);
        assert!(is_pem_cms(b"-----BEGIN CMS-----\r\n"));
        assert!(!is_pem_cms(b"-----BEGIN CERTIFICATE-----\n"));
        assert!(!is_pem_cms(b"-----BEGIN PKCS7X-----\n"));
        assert!(matches!(
            pem_cms(b"-----BEGIN CMS-----\nMIAG\n"),
            Err(MimeError::Malformed { .. })
        ));
        assert!(matches!(
            pem_cms(b"-----BEGIN CMS-----\nMI*G\n-----END CMS-----"),
            Err(MimeError::Base64)
        ));
    }

    #[test]
    fn smime_body_by_encoding() {
        assert_eq!(
            smime_body(b"MIAG\r\n", &TransferEncoding::Base64).unwrap(),
            [0x30, 0x80, 0x06]
        );
        assert_eq!(
            smime_body(b"\x30\x80", &TransferEncoding::Binary).unwrap(),
            [0x30, 0x80]
        );
        assert!(matches!(
            smime_body(b"", &TransferEncoding::Base64),
            Err(MimeError::Malformed { .. })
        ));
        assert!(matches!(
            smime_body(b"M*AG", &TransferEncoding::Base64),
            Err(MimeError::Base64)
        ));
        assert!(smime_body(b"x", &TransferEncoding::Other("x-uuencode".into())).is_err());
    }
}
