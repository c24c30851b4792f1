//! Helpers for the trust tests: the certificates and CRLs a signed S/MIME message
//! carries (PKITS), and fixed reference times.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cms::content_info::ContentInfo;
use cms::signed_data::SignerIdentifier;
use der::{Decode, Encode};
use smime::Certificate;
use smime::trust::Crl;

/// The certificates, CRLs and the signer's certificate of a multipart/signed message.
pub struct MessageMaterial {
    pub signer: Certificate,
    pub certs: Vec<Certificate>,
    pub crls: Vec<Crl>,
}

/// The DER of the `application/pkcs7-signature` part of a multipart/signed message.
pub fn p7s_of(eml: &str) -> Vec<u8> {
    let start = eml
        .find("Content-Type: application/pkcs7-signature")
        .expect("message has an application/pkcs7-signature part");
    let body = &eml[start..];
    let blank = body
        .find("\n\n")
        .or_else(|| body.find("\r\n\r\n"))
        .expect("part headers end");
    let b64: String = body[blank..]
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with("--"))
        .collect();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("valid base64 signature part")
}

/// Reads the SignedData of a message and returns what it carries — each certificate
/// and CRL as its original bytes, never a re-encoding — or why it cannot be read.
pub fn material(eml: &str) -> Result<MessageMaterial, String> {
    let der = p7s_of(eml);
    let ci = ContentInfo::from_der(&der).map_err(|e| format!("ContentInfo: {e}"))?;
    let sd_der = ci.content.to_der().map_err(|e| format!("content: {e}"))?;
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo,
    //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos }
    let elements = children(&sd_der).ok_or("SignedData is not a SEQUENCE")?;
    let mut certs = Vec::new();
    let mut crls = Vec::new();
    let mut signer_infos = None;
    for (tag, raw) in &elements {
        match tag {
            0xA0 => {
                for (_, c) in children(raw).ok_or("certificates")? {
                    certs.push(Certificate::from_der(c).map_err(|e| format!("certificate: {e}"))?);
                }
            }
            0xA1 => {
                for (_, c) in children(raw).ok_or("crls")? {
                    crls.push(Crl::from_der(c).map_err(|e| format!("CRL: {e}"))?);
                }
            }
            0x31 => signer_infos = Some(*raw),
            _ => {}
        }
    }
    let infos = children(signer_infos.ok_or("no signerInfos")?).ok_or("signerInfos")?;
    let (_, first) = infos.first().ok_or("no SignerInfo")?;
    let si =
        cms::signed_data::SignerInfo::from_der(first).map_err(|e| format!("SignerInfo: {e}"))?;
    let signer = match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => certs
            .iter()
            .find(|c| {
                c.serial_number() == isn.serial_number.as_bytes() && c.issuer_name() == &isn.issuer
            })
            .cloned(),
        SignerIdentifier::SubjectKeyIdentifier(ski) => certs
            .iter()
            .find(|c| c.subject_key_identifier() == Some(ski.0.as_bytes()))
            .cloned(),
    }
    .ok_or("signer certificate not in the message")?;
    Ok(MessageMaterial {
        signer,
        certs,
        crls,
    })
}

/// The TLVs inside a constructed TLV, each as (tag byte, whole encoding).
fn children(tlv: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let (_, content) = split_tlv(tlv)?;
    let mut rest = content;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (total, _) = split_tlv(rest)?;
        let (this, next) = rest.split_at(total);
        out.push((*this.first()?, this));
        rest = next;
    }
    Some(out)
}

/// (length of the whole TLV, its content) for definite-length DER.
fn split_tlv(b: &[u8]) -> Option<(usize, &[u8])> {
    let len0 = *b.get(1)? as usize;
    let (hdr, len) = if len0 < 0x80 {
        (2, len0)
    } else {
        let n = len0 & 0x7f;
        let mut l = 0usize;
        for i in 0..n {
            l = (l << 8) | *b.get(2 + i)? as usize;
        }
        (2 + n, l)
    };
    let content = b.get(hdr..hdr + len)?;
    Some((hdr + len, content))
}

/// Seconds since the epoch as a `SystemTime`.
pub fn at(unix: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix)
}
