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

/// A scratch PKI for trust rule tests, made with the `openssl` CLI (EC P-256 keys
/// unless asked otherwise). Each call to [`Scratch::issue`] writes `NAME.pem` and
/// `NAME.key`.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, f: &str) -> String {
        self.dir.path().join(f).to_string_lossy().into_owned()
    }

    fn openssl(&self, args: &[&str]) {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("openssl runs (apt-get install openssl)");
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Issues `name` with subject `subj` and the extension lines `exts` (OpenSSL
    /// x509v3 config syntax), signed by `issuer` (None: self-signed). `key` is an
    /// OpenSSL -newkey argument ("ec" for P-256, or e.g. "rsa:2048"). `days` may be
    /// negative-free offsets: (start, end) relative to now in days.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_with(
        &self,
        name: &str,
        subj: &str,
        issuer: Option<&str>,
        exts: &[&str],
        key: &str,
        digest: &str,
        reuse_key: Option<&str>,
    ) -> Certificate {
        let ext_file = format!("{name}.ext");
        std::fs::write(self.path(&ext_file), format!("[v3]\n{}\n", exts.join("\n")))
            .expect("write ext");
        let keyfile = format!("{name}.key");
        match reuse_key {
            Some(k) => {
                std::fs::copy(self.path(&format!("{k}.key")), self.path(&keyfile))
                    .expect("copy key");
                self.openssl(&[
                    "req",
                    "-new",
                    "-key",
                    &keyfile,
                    "-out",
                    &format!("{name}.csr"),
                    "-subj",
                    subj,
                ]);
            }
            None => {
                let mut args = vec!["req", "-new", "-nodes", "-keyout", &keyfile, "-out"];
                let csr = format!("{name}.csr");
                args.push(&csr);
                args.extend(["-subj", subj]);
                if key == "ec" {
                    args.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
                } else {
                    args.extend(["-newkey", key]);
                }
                self.openssl(&args);
            }
        }
        let pem = format!("{name}.pem");
        let csr = format!("{name}.csr");
        let digest_arg = format!("-{digest}");
        match issuer {
            None => self.openssl(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-key",
                &keyfile,
                "-out",
                &pem,
                "-days",
                "30",
                "-extfile",
                &ext_file,
                "-extensions",
                "v3",
                &digest_arg,
                "-set_serial",
                "1",
            ]),
            Some(i) => {
                let (ica, ikey) = (format!("{i}.pem"), format!("{i}.key"));
                let serial = format!(
                    "{}",
                    1000 + name.len() * 7919 + name.bytes().map(u32::from).sum::<u32>() as usize
                );
                self.openssl(&[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    &ica,
                    "-CAkey",
                    &ikey,
                    "-out",
                    &pem,
                    "-days",
                    "30",
                    "-extfile",
                    &ext_file,
                    "-extensions",
                    "v3",
                    &digest_arg,
                    "-set_serial",
                    &serial,
                ]);
            }
        }
        self.cert(name)
    }

    /// [`Scratch::issue_with`] with a P-256 key and SHA-256.
    pub fn issue(
        &self,
        name: &str,
        subj: &str,
        issuer: Option<&str>,
        exts: &[&str],
    ) -> Certificate {
        self.issue_with(name, subj, issuer, exts, "ec", "sha256", None)
    }

    /// A CA (self-signed when `issuer` is None) with the usual CA extensions plus `extra`.
    pub fn ca(&self, name: &str, issuer: Option<&str>, extra: &[&str]) -> Certificate {
        let mut exts = vec![
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign",
            "subjectKeyIdentifier=hash",
        ];
        exts.extend_from_slice(extra);
        self.issue(name, &format!("/O=Trust Tests/CN={name}"), issuer, &exts)
    }

    /// An S/MIME end entity for `email`, signed by `issuer`, with `extra` extensions
    /// (defaults: KU digitalSignature+keyAgreement, EKU emailProtection).
    pub fn person(&self, name: &str, email: &str, issuer: &str, extra: &[&str]) -> Certificate {
        let san = format!("subjectAltName=email:{email}");
        let mut exts = vec![san.as_str()];
        if !extra.iter().any(|e| e.starts_with("keyUsage")) {
            exts.push("keyUsage=critical,digitalSignature,keyAgreement");
        }
        if !extra.iter().any(|e| e.starts_with("extendedKeyUsage")) {
            exts.push("extendedKeyUsage=emailProtection");
        }
        exts.extend_from_slice(extra);
        self.issue(
            name,
            &format!("/O=Trust Tests/CN={name}"),
            Some(issuer),
            &exts,
        )
    }

    pub fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&std::fs::read(self.path(&format!("{name}.pem"))).expect("pem"))
            .expect("certificate")
    }

    /// A CRL from CA `ca` revoking the certificates in `revoked` (by file name),
    /// made with `openssl ca -gencrl`.
    pub fn crl(&self, ca: &str, revoked: &[&str]) -> Crl {
        let db = format!("{ca}.index");
        std::fs::write(self.path(&db), "").expect("index");
        std::fs::write(self.path(&format!("{ca}.crlnumber")), "01\n").expect("crlnumber");
        let conf = format!(
            "[ca]\ndefault_ca=d\n[d]\ndatabase={db}\ncrlnumber={ca}.crlnumber\ndefault_md=sha256\n\
             default_crl_days=7\ncertificate={ca}.pem\nprivate_key={ca}.key\ncrl_extensions=crlext\n\
             [crlext]\nauthorityKeyIdentifier=keyid\n"
        );
        let conf_file = format!("{ca}.ca.cnf");
        std::fs::write(self.path(&conf_file), conf).expect("conf");
        for r in revoked {
            self.openssl(&[
                "ca",
                "-config",
                &conf_file,
                "-revoke",
                &format!("{r}.pem"),
                "-crl_reason",
                "keyCompromise",
            ]);
        }
        let out = format!("{ca}.crl");
        self.openssl(&["ca", "-config", &conf_file, "-gencrl", "-out", &out]);
        Crl::load(&std::fs::read(self.path(&out)).expect("crl"))
            .expect("CRL parses")
            .remove(0)
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}
