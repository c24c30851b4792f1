//! Certificates for the directory tests, made with `openssl ca` when first asked for:
//! self-signed (a directory does not judge chains) with one EC P-256 key, in the
//! shapes a directory must handle.
//!
//! ```text
//! ann      ann@corp.example
//! ben1     ben@corp.example        } two certificates for one person
//! ben2     ben@corp.example        }
//! cat      cat@corp.example and cat.alias@corp.example
//! noaddr   no address at all
//! other    other@corp.example      (published under dan@corp.example: must not be offered)
//! old      old@corp.example, expired in 2021 (still a candidate: usability is decided later)
//! eve      eve@corp.example        (in LDAP only as userSMIMECertificate, PKCS#7 certs-only)
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use smime::{Certificate, EmailAddress};

/// Every fixture certificate: (name, SAN addresses, expired?).
pub const CERTS: &[(&str, &[&str], bool)] = &[
    ("ann", &["ann@corp.example"], false),
    ("ben1", &["ben@corp.example"], false),
    ("ben2", &["ben@corp.example"], false),
    (
        "cat",
        &["cat@corp.example", "cat.alias@corp.example"],
        false,
    ),
    ("noaddr", &[], false),
    ("other", &["other@corp.example"], false),
    ("old", &["old@corp.example"], true),
    ("eve", &["eve@corp.example"], false),
];

/// What every source of the conformance suite publishes: (address, certificates).
pub const PUBLISHED: &[(&str, &[&str])] = &[
    ("ann@corp.example", &["ann"]),
    ("ben@corp.example", &["ben1", "ben2"]),
    ("cat@corp.example", &["cat"]),
    ("cat.alias@corp.example", &["cat"]),
    ("nocert@corp.example", &[]),
    ("dan@corp.example", &["other"]),
    ("noaddr@corp.example", &["noaddr"]),
    ("old@corp.example", &["old"]),
    ("eve@corp.example", &["eve"]),
];

pub struct DirPki {
    dir: tempfile::TempDir,
}

pub fn dir_pki() -> &'static DirPki {
    static PKI: OnceLock<DirPki> = OnceLock::new();
    PKI.get_or_init(DirPki::generate)
}

pub fn addr(s: &str) -> EmailAddress {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

impl DirPki {
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    /// `name.pem`.
    pub fn pem_path(&self, name: &str) -> PathBuf {
        self.dir().join(format!("{name}.pem"))
    }
    pub fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&super::read_file(&self.pem_path(name)))
            .unwrap_or_else(|e| panic!("{name}.pem: {e}"))
    }
    pub fn der(&self, name: &str) -> Vec<u8> {
        self.cert(name).der().to_vec()
    }
    /// `name` as a PKCS#7 certs-only SignedData (DER), as `userSMIMECertificate`.
    pub fn pkcs7(&self, name: &str) -> Vec<u8> {
        super::read_file(&self.dir().join(format!("{name}.p7c")))
    }
    /// Every fixture certificate by name.
    pub fn all(&self) -> Vec<(&'static str, Certificate)> {
        CERTS.iter().map(|(n, _, _)| (*n, self.cert(n))).collect()
    }

    fn generate() -> DirPki {
        let dir = tempfile::Builder::new()
            .prefix("smime-dir-pki-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        std::fs::write(
            d.join("ca.cnf"),
            "[myca]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\n\
             policy=pol\ncopy_extensions=copy\nunique_subject=no\n[pol]\ncommonName=supplied\n\
             [req]\ndistinguished_name=dn\n[dn]\n",
        )
        .expect("ca.cnf");
        std::fs::write(d.join("index.txt"), "").expect("index.txt");
        std::fs::write(d.join("serial"), "1000\n").expect("serial");
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "key.pem",
            ],
        );
        for (name, addresses, expired) in CERTS {
            let mut req = vec![
                "req".to_string(),
                "-new".into(),
                "-config".into(),
                "ca.cnf".into(),
                "-key".into(),
                "key.pem".into(),
                "-subj".into(),
                format!("/CN={name}"),
                "-out".into(),
                format!("{name}.csr"),
            ];
            if !addresses.is_empty() {
                let san: Vec<String> = addresses.iter().map(|a| format!("email:{a}")).collect();
                req.push("-addext".into());
                req.push(format!("subjectAltName={}", san.join(",")));
            }
            openssl(d, &req.iter().map(String::as_str).collect::<Vec<_>>());
            let (start, end) = if *expired {
                ("20200101000000Z", "20210101000000Z")
            } else {
                ("20240101000000Z", "20490101000000Z")
            };
            openssl(
                d,
                &[
                    "ca",
                    "-batch",
                    "-config",
                    "ca.cnf",
                    "-name",
                    "myca",
                    "-selfsign",
                    "-keyfile",
                    "key.pem",
                    "-in",
                    &format!("{name}.csr"),
                    "-startdate",
                    start,
                    "-enddate",
                    end,
                    "-notext",
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
            openssl(
                d,
                &[
                    "crl2pkcs7",
                    "-nocrl",
                    "-certfile",
                    &format!("{name}.pem"),
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{name}.p7c"),
                ],
            );
        }
        DirPki { dir }
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    super::openssl_in(dir, args);
}

/// The GAL users publishing [`PUBLISHED`], plus `bulk` users `uNNN@corp.example` with
/// no certificate (for counting round trips).
pub fn ldap_users(files: &Path, bulk: usize) -> Vec<super::slapd::User> {
    use super::slapd::{User, binary_line};
    let pki = dir_pki();
    let cert = |n: &str| {
        binary_line(
            files,
            &format!("{n}.der"),
            "userCertificate;binary",
            &pki.der(n),
        )
    };
    let user = |uid: &str, lines: Vec<String>| User {
        uid: uid.into(),
        lines,
    };
    let mut users = vec![
        user("ann", vec!["mail: ann@corp.example".into(), cert("ann")]),
        // Exchange style: only proxyAddresses, primary in upper case, a non-SMTP one.
        user(
            "ben",
            vec![
                "proxyAddresses: SMTP:ben@corp.example".into(),
                "proxyAddresses: X500:/o=corp/cn=ben".into(),
                cert("ben1"),
                cert("ben2"),
            ],
        ),
        user(
            "cat",
            vec![
                "mail: cat@corp.example".into(),
                "mail: cat.alias@corp.example".into(),
                cert("cat"),
            ],
        ),
        user("nocert", vec!["mail: nocert@corp.example".into()]),
        user("dan", vec!["mail: dan@corp.example".into(), cert("other")]),
        user(
            "noaddr",
            vec!["mail: noaddr@corp.example".into(), cert("noaddr")],
        ),
        user("old", vec!["mail: old@corp.example".into(), cert("old")]),
        user(
            "eve",
            vec![
                "mail: eve@corp.example".into(),
                binary_line(files, "eve.p7c", "userSMIMECertificate", &pki.pkcs7("eve")),
            ],
        ),
    ];
    for i in 0..bulk {
        users.push(user(
            &format!("u{i:03}"),
            vec![format!("mail: u{i:03}@corp.example")],
        ));
    }
    users
}

/// A vCard publishing `certs` for `address`, in vCard 3.0 or 4.0 form.
pub fn vcard(address: &str, certs: &[&str], v4: bool) -> String {
    use base64::Engine;
    let pki = dir_pki();
    let mut s = format!(
        "BEGIN:VCARD\r\nVERSION:{}\r\nFN:{address}\r\nEMAIL:{address}\r\n",
        if v4 { "4.0" } else { "3.0" }
    );
    for c in certs {
        let b64 = base64::engine::general_purpose::STANDARD.encode(pki.der(c));
        let line = if v4 {
            format!("KEY:data:application/pkix-cert;base64,{b64}")
        } else {
            format!("KEY;TYPE=X509;ENCODING=b:{b64}")
        };
        // Fold at 75 octets (RFC 6350 §3.2).
        let mut rest = line.as_str();
        let mut first = true;
        while !rest.is_empty() {
            let n = rest.len().min(if first { 75 } else { 74 });
            let (head, tail) = rest.split_at(n);
            if !first {
                s.push(' ');
            }
            s.push_str(head);
            s.push_str("\r\n");
            rest = tail;
            first = false;
        }
    }
    s.push_str("END:VCARD\r\n");
    s
}
