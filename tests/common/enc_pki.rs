//! Certificates for the encryptor tests, made with `openssl ca` when first asked
//! for: one RSA CA ("Enc CA") and a leaf per way a recipient can be (un)usable, plus
//! a CRL revoking `revoked`. Keys are kept, so each leaf is also an identity.
//!
//! ```text
//! good      good@t.example        RSA-2048, keyEncipherment, emailProtection
//! ec        ec@t.example          P-256, keyAgreement
//! expired   expired@t.example     2020–2021
//! future    future@t.example      from 2040
//! revoked   revoked@t.example     on the CRL
//! kusign    kusign@t.example      keyUsage digitalSignature only
//! ekuserver ekuserver@t.example   extendedKeyUsage serverAuth only
//! weak      weak@t.example        RSA-1024
//! ed        ed@t.example          Ed25519 (cannot receive a key)
//! stranger  stranger@t.example    self-signed, not under the CA
//! multi1    multi@t.example       valid from 2024
//! multi2    multi@t.example       valid from 2025 (the latest)
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use smime::trust::{Crl, TrustStore};
use smime::{Certificate, EmailAddress, Identity};

/// (name, key spec, extension section, start, end).
const LEAVES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "good",
        "rsa",
        "rsa_enc",
        "20240101000000Z",
        "20490101000000Z",
    ),
    ("ec", "ec", "ec_enc", "20240101000000Z", "20490101000000Z"),
    (
        "expired",
        "rsa",
        "rsa_enc",
        "20200101000000Z",
        "20210101000000Z",
    ),
    (
        "future",
        "rsa",
        "rsa_enc",
        "20400101000000Z",
        "20490101000000Z",
    ),
    (
        "revoked",
        "rsa",
        "rsa_enc",
        "20240101000000Z",
        "20490101000000Z",
    ),
    (
        "kusign",
        "rsa",
        "sign_only",
        "20240101000000Z",
        "20490101000000Z",
    ),
    (
        "ekuserver",
        "rsa",
        "server",
        "20240101000000Z",
        "20490101000000Z",
    ),
    (
        "weak",
        "rsa1024",
        "rsa_enc",
        "20240101000000Z",
        "20490101000000Z",
    ),
    ("ed", "ed25519", "ed", "20240101000000Z", "20490101000000Z"),
    (
        "multi1",
        "rsa",
        "rsa_enc",
        "20240101000000Z",
        "20490101000000Z",
    ),
    (
        "multi2",
        "rsa",
        "rsa_enc",
        "20250101000000Z",
        "20490101000000Z",
    ),
];

pub struct EncPki {
    dir: tempfile::TempDir,
}

pub fn enc_pki() -> &'static EncPki {
    static PKI: OnceLock<EncPki> = OnceLock::new();
    PKI.get_or_init(EncPki::generate)
}

pub fn addr(s: &str) -> EmailAddress {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The address a leaf is for.
pub fn address_of(name: &str) -> EmailAddress {
    let local = name.trim_end_matches(['1', '2']);
    addr(&format!("{local}@t.example"))
}

impl EncPki {
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    pub fn pem_path(&self, name: &str) -> PathBuf {
        self.dir().join(format!("{name}.pem"))
    }
    pub fn key_path(&self, name: &str) -> PathBuf {
        self.dir().join(format!("{name}.key"))
    }
    pub fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&super::read_file(&self.pem_path(name)))
            .unwrap_or_else(|e| panic!("{name}.pem: {e}"))
    }
    pub fn identity(&self, name: &str) -> Identity {
        Identity::from_pem(
            &super::read_file(&self.pem_path(name)),
            &super::read_file(&self.key_path(name)),
            None,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    pub fn ca(&self) -> Certificate {
        self.cert("ca")
    }
    /// A trust store with the CA as anchor and its CRL.
    pub fn trust(&self) -> TrustStore {
        let mut t = TrustStore::new();
        t.add_anchor(self.ca());
        for crl in Crl::load(&super::read_file(&self.dir().join("crl.pem"))).expect("crl") {
            t.add_crl(crl);
        }
        t
    }
    pub fn names() -> impl Iterator<Item = &'static str> {
        LEAVES.iter().map(|l| l.0).chain(["stranger"])
    }

    fn generate() -> EncPki {
        let dir = tempfile::Builder::new()
            .prefix("smime-enc-pki-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        std::fs::write(
            d.join("ca.cnf"),
            "[myca]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\n\
             policy=pol\ncopy_extensions=none\nunique_subject=no\ncrlnumber=crlnumber\n\
             default_crl_days=3650\ncertificate=ca.pem\nprivate_key=ca.key\n\
             [pol]\ncommonName=supplied\n\
             [req]\ndistinguished_name=dn\n[dn]\n\
             [v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
             subjectKeyIdentifier=hash\n\
             [rsa_enc]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=emailProtection\nsubjectAltName=email:${ENV::ADDR}\nsubjectKeyIdentifier=hash\n\
             [ec_enc]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\n\
             extendedKeyUsage=emailProtection\nsubjectAltName=email:${ENV::ADDR}\n\
             [sign_only]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=emailProtection\nsubjectAltName=email:${ENV::ADDR}\n\
             [server]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=email:${ENV::ADDR}\n\
             [ed]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=emailProtection\nsubjectAltName=email:${ENV::ADDR}\n",
        )
        .expect("ca.cnf");
        std::fs::write(d.join("index.txt"), "").expect("index");
        std::fs::write(d.join("serial"), "2000\n").expect("serial");
        std::fs::write(d.join("crlnumber"), "01\n").expect("crlnumber");
        let env = [("ADDR", "ca@t.example")];
        openssl(
            d,
            &env,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "ca.key",
            ],
        );
        openssl(
            d,
            &env,
            &[
                "req",
                "-new",
                "-x509",
                "-config",
                "ca.cnf",
                "-key",
                "ca.key",
                "-subj",
                "/CN=Enc CA",
                "-extensions",
                "v3_ca",
                "-days",
                "9000",
                "-out",
                "ca.pem",
            ],
        );
        for (name, key, ext, start, end) in LEAVES {
            let a = address_of(name).to_string();
            let env = [("ADDR", a.as_str())];
            let keyfile = format!("{name}.key");
            match *key {
                "rsa" => openssl(
                    d,
                    &env,
                    &[
                        "genpkey",
                        "-algorithm",
                        "RSA",
                        "-pkeyopt",
                        "rsa_keygen_bits:2048",
                        "-out",
                        &keyfile,
                    ],
                ),
                "rsa1024" => openssl(
                    d,
                    &env,
                    &[
                        "genpkey",
                        "-algorithm",
                        "RSA",
                        "-pkeyopt",
                        "rsa_keygen_bits:1024",
                        "-out",
                        &keyfile,
                    ],
                ),
                "ec" => openssl(
                    d,
                    &env,
                    &[
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-out",
                        &keyfile,
                    ],
                ),
                _ => openssl(
                    d,
                    &env,
                    &["genpkey", "-algorithm", "ED25519", "-out", &keyfile],
                ),
            }
            openssl(
                d,
                &env,
                &[
                    "req",
                    "-new",
                    "-config",
                    "ca.cnf",
                    "-key",
                    &keyfile,
                    "-subj",
                    &format!("/CN={name}"),
                    "-out",
                    &format!("{name}.csr"),
                ],
            );
            openssl(
                d,
                &env,
                &[
                    "ca",
                    "-batch",
                    "-config",
                    "ca.cnf",
                    "-name",
                    "myca",
                    "-in",
                    &format!("{name}.csr"),
                    "-extfile",
                    "ca.cnf",
                    "-extensions",
                    ext,
                    "-startdate",
                    start,
                    "-enddate",
                    end,
                    "-notext",
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }
        let env = [("ADDR", "stranger@t.example")];
        openssl(
            d,
            &env,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "stranger.key",
            ],
        );
        openssl(
            d,
            &env,
            &[
                "req",
                "-new",
                "-x509",
                "-config",
                "ca.cnf",
                "-key",
                "stranger.key",
                "-subj",
                "/CN=stranger",
                "-extensions",
                "rsa_enc",
                "-days",
                "3650",
                "-out",
                "stranger.pem",
            ],
        );
        let env = [("ADDR", "ca@t.example")];
        openssl(
            d,
            &env,
            &[
                "ca",
                "-config",
                "ca.cnf",
                "-name",
                "myca",
                "-revoke",
                "revoked.pem",
            ],
        );
        openssl(
            d,
            &env,
            &[
                "ca", "-config", "ca.cnf", "-name", "myca", "-gencrl", "-out", "crl.pem",
            ],
        );
        EncPki { dir }
    }
}

fn openssl(dir: &Path, env: &[(&str, &str)], args: &[&str]) {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    super::run_ok(&mut cmd, b"");
}
