//! A fresh test PKI, made with the `openssl` CLI when a test binary first asks for it:
//! new keys every run, one PKI per test process (`OnceLock`).
//!
//! ```text
//! Test Root CA (RSA-2048, self-signed)
//! └── Test Intermediate CA (RSA-2048, pathlen 0)
//!     ├── alice, bob, carol   RSA-2048   KU digitalSignature+keyEncipherment
//!     ├── dave                RSA-3072   KU digitalSignature+keyEncipherment
//!     ├── erin                RSA-4096   KU digitalSignature+keyEncipherment
//!     ├── frank               EC P-256   KU digitalSignature+keyAgreement
//!     └── grace               EC P-384   KU digitalSignature+keyAgreement
//! ```
//!
//! Every end entity has SAN rfc822Name `NAME@example.com`, SKI, AKI, EKU emailProtection
//! and a random serial; files per NAME in [`Pki::dir`]:
//! `NAME.pem` (certificate), `NAME.key` (unencrypted PKCS#8 PEM), `NAME.enc.key`
//! (PKCS#8 PEM encrypted with [`PASSWORD`], PBES2/AES-256-CBC), `NAME.p12` (OpenSSL 3
//! defaults: PBES2/AES-256-CBC, SHA-256 MAC) and `NAME.legacy.p12` (`-legacy`: RC2-40 cert
//! bag, 3DES key bag, SHA-1 MAC), both with the chain and the password [`PASSWORD`].
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// Password of every PKCS#12 file and encrypted key.
pub const PASSWORD: &str = "correct horse battery staple";
/// Environment variable the CLI helper sets to [`PASSWORD`] (`--password-env`).
pub const PASSWORD_ENV: &str = "SMIME_TEST_PASSWORD";
/// Domain of every end-entity address.
pub const DOMAIN: &str = "example.com";

/// The key of an end entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with this many bits.
    Rsa(u32),
    /// EC on this named curve (OpenSSL name).
    Ec(&'static str),
}

impl KeyKind {
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyKind::Rsa(_))
    }
}

/// The end entities, in issue order.
pub const PEOPLE: &[(&str, KeyKind)] = &[
    ("alice", KeyKind::Rsa(2048)),
    ("bob", KeyKind::Rsa(2048)),
    ("carol", KeyKind::Rsa(2048)),
    ("dave", KeyKind::Rsa(3072)),
    ("erin", KeyKind::Rsa(4096)),
    ("frank", KeyKind::Ec("P-256")),
    ("grace", KeyKind::Ec("P-384")),
];

/// Names of the RSA end entities.
pub fn rsa_people() -> Vec<&'static str> {
    PEOPLE
        .iter()
        .filter(|(_, k)| k.is_rsa())
        .map(|(n, _)| *n)
        .collect()
}

/// The key kind of `who`; panics for an unknown name.
pub fn kind(who: &str) -> KeyKind {
    PEOPLE
        .iter()
        .find(|(n, _)| *n == who)
        .map(|(_, k)| *k)
        .unwrap_or_else(|| panic!("no test identity named {who:?}; see tests/common/pki.rs"))
}

/// The generated PKI of this test process.
pub struct Pki {
    dir: tempfile::TempDir,
}

/// The PKI of this test process, generated on first use.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(Pki::generate)
}

impl Pki {
    /// The folder holding every file.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
    /// The root CA certificate (PEM), the trust anchor.
    pub fn root(&self) -> PathBuf {
        self.dir().join("root.pem")
    }
    /// The intermediate CA certificate (PEM).
    pub fn intermediate(&self) -> PathBuf {
        self.dir().join("intermediate.pem")
    }
    /// Intermediate then root, PEM.
    pub fn chain(&self) -> PathBuf {
        self.dir().join("chain.pem")
    }
    /// `who`'s certificate (PEM).
    pub fn cert(&self, who: &str) -> PathBuf {
        kind(who);
        self.dir().join(format!("{who}.pem"))
    }
    /// `who`'s private key, unencrypted PKCS#8 PEM.
    pub fn key(&self, who: &str) -> PathBuf {
        kind(who);
        self.dir().join(format!("{who}.key"))
    }
    /// `who`'s private key, PKCS#8 PEM encrypted with [`PASSWORD`].
    pub fn key_encrypted(&self, who: &str) -> PathBuf {
        kind(who);
        self.dir().join(format!("{who}.enc.key"))
    }
    /// `who`'s PKCS#12 in OpenSSL 3 default form, password [`PASSWORD`].
    pub fn p12(&self, who: &str) -> PathBuf {
        kind(who);
        self.dir().join(format!("{who}.p12"))
    }
    /// `who`'s PKCS#12 in `openssl pkcs12 -legacy` form, password [`PASSWORD`].
    pub fn p12_legacy(&self, who: &str) -> PathBuf {
        kind(who);
        self.dir().join(format!("{who}.legacy.p12"))
    }
    /// A new `-legacy` PKCS#12 of `who` (fresh salt and IV) at `out`, an absolute path.
    pub fn export_p12_legacy(&self, who: &str, out: &Path) {
        kind(who);
        export_p12(self.dir(), who, &["-legacy"], &s(out));
    }
    /// `who`'s identity: certificate (with the intermediate) and private key.
    pub fn identity(&self, who: &str) -> smime::Identity {
        let mut pem = std::fs::read(self.cert(who)).expect("certificate");
        pem.extend_from_slice(&std::fs::read(self.intermediate()).expect("intermediate"));
        let key = std::fs::read(self.key(who)).expect("key");
        smime::Identity::from_pem(&pem, &key, None).expect("identity")
    }
    /// `who`'s e-mail address (the certificate's SAN rfc822Name).
    pub fn email(&self, who: &str) -> String {
        kind(who);
        format!("{who}@{DOMAIN}")
    }
    /// Uppercase colon-separated SHA-1 fingerprint of a PEM certificate (gpgsm's form).
    pub fn sha1_fingerprint(&self, cert: &Path) -> String {
        let out = openssl_ok(
            self.dir(),
            &["x509", "-noout", "-fingerprint", "-sha1", "-in", &s(cert)],
        );
        let text = String::from_utf8(out).expect("fingerprint is text");
        text.trim()
            .split_once('=')
            .map(|(_, fp)| fp.to_string())
            .unwrap_or_else(|| panic!("unexpected fingerprint output {text:?}"))
    }

    fn generate() -> Pki {
        let dir = pki_dir();
        let d = dir.path();
        std::fs::write(d.join("openssl.cnf"), config()).expect("writing openssl.cnf");

        // Key generation dominates (RSA-4096): run all of it in parallel.
        let mut jobs: Vec<(String, Child)> = Vec::new();
        let mut keys: Vec<(String, KeyKind)> = vec![
            ("root".into(), KeyKind::Rsa(2048)),
            ("intermediate".into(), KeyKind::Rsa(2048)),
        ];
        keys.extend(PEOPLE.iter().map(|(n, k)| (n.to_string(), *k)));
        for (name, k) in &keys {
            let mut cmd = Command::new("openssl");
            cmd.current_dir(d)
                .args(["genpkey", "-quiet", "-out", &format!("{name}.key")]);
            match k {
                KeyKind::Rsa(bits) => cmd.args([
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    &format!("rsa_keygen_bits:{bits}"),
                ]),
                KeyKind::Ec(curve) => cmd.args([
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    &format!("ec_paramgen_curve:{curve}"),
                ]),
            };
            let child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start `openssl`: {e} (apt-get install openssl)")
                });
            jobs.push((name.clone(), child));
        }
        for (name, child) in jobs {
            let out = child
                .wait_with_output()
                .expect("waiting for openssl genpkey");
            assert!(
                out.status.success(),
                "openssl genpkey for {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }

        // Root (random serial: OpenSSL 3 picks one when no serial file is given).
        openssl_ok(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "root.key",
                "-subj",
                "/O=smime tests/CN=Test Root CA",
                "-days",
                "3650",
                "-config",
                "openssl.cnf",
                "-extensions",
                "root",
                "-out",
                "root.pem",
            ],
        );
        issue(
            d,
            "intermediate",
            "/O=smime tests/CN=Test Intermediate CA",
            "root",
            "intermediate",
        );
        for (name, k) in PEOPLE {
            let section = if k.is_rsa() {
                format!("ee_rsa_{name}")
            } else {
                format!("ee_ec_{name}")
            };
            let cn = capitalise(name);
            issue(
                d,
                name,
                &format!("/O=smime tests/CN={cn}"),
                "intermediate",
                &section,
            );
        }
        let chain = [
            std::fs::read(d.join("intermediate.pem")).unwrap(),
            std::fs::read(d.join("root.pem")).unwrap(),
        ]
        .concat();
        std::fs::write(d.join("chain.pem"), chain).expect("writing chain.pem");

        // Encrypted keys and PKCS#12, password passed through the environment.
        for (name, _) in PEOPLE {
            export_p12(d, name, &[], &format!("{name}.p12"));
            export_p12(d, name, &["-legacy"], &format!("{name}.legacy.p12"));
            openssl_ok(
                d,
                &[
                    "pkcs8",
                    "-topk8",
                    "-v2",
                    "aes-256-cbc",
                    "-in",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.enc.key"),
                    "-passout",
                    "env:PKI_PASSWORD",
                ],
            );
        }
        Pki { dir }
    }
}

/// `openssl pkcs12 -export` of `name`'s key, certificate and chain into `out` (relative to
/// `d`), password [`PASSWORD`]; `extra` picks the form (`-legacy`). Each run draws a fresh
/// salt.
fn export_p12(d: &Path, name: &str, extra: &[&str], out: &str) {
    let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
    let args = [
        "pkcs12",
        "-export",
        "-in",
        &cert,
        "-inkey",
        &key,
        "-certfile",
        "chain.pem",
        "-name",
        name,
        "-passout",
        "env:PKI_PASSWORD",
        "-out",
        out,
    ];
    openssl_ok(d, &[&args[..], extra].concat());
}

/// Issues `name.pem` for `name.key` under CA `ca` (files `ca.pem`/`ca.key`), with the
/// extensions of config section `section`.
fn issue(d: &Path, name: &str, subject: &str, ca: &str, section: &str) {
    openssl_ok(
        d,
        &[
            "req",
            "-new",
            "-key",
            &format!("{name}.key"),
            "-subj",
            subject,
            "-config",
            "openssl.cnf",
            "-out",
            &format!("{name}.csr"),
        ],
    );
    openssl_ok(
        d,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-days",
            "3650",
            "-extfile",
            "openssl.cnf",
            "-extensions",
            section,
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

fn openssl_ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir)
        .args(args)
        .env("PKI_PASSWORD", PASSWORD);
    super::run_ok(&mut cmd, b"")
}

fn s(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The OpenSSL config: CA sections and one extension section per end entity.
fn config() -> String {
    let mut c = String::from(
        "[req]\ndistinguished_name=dn\n[dn]\n\
         [root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\n\
         [intermediate]\nbasicConstraints=critical,CA:TRUE,pathlen:0\n\
         keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\n",
    );
    for (name, k) in PEOPLE {
        let (section, ku) = if k.is_rsa() {
            (format!("ee_rsa_{name}"), "digitalSignature,keyEncipherment")
        } else {
            (format!("ee_ec_{name}"), "digitalSignature,keyAgreement")
        };
        c.push_str(&format!(
            "[{section}]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,{ku}\n\
             extendedKeyUsage=emailProtection\nsubjectAltName=email:{name}@{DOMAIN}\n\
             subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        ));
    }
    c
}

/// A fresh folder for this process's PKI under Cargo's per-target temporary folder (the
/// `OnceLock` is never dropped, so the folder outlives the process); folders older than a
/// day, left by earlier runs, are removed first.
fn pki_dir() -> tempfile::TempDir {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("smime-pki");
    std::fs::create_dir_all(&base).unwrap_or_else(|e| panic!("creating {}: {e}", base.display()));
    if let Ok(entries) = std::fs::read_dir(&base) {
        for e in entries.flatten() {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600);
            if stale {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    tempfile::Builder::new()
        .prefix("pki-")
        .tempdir_in(&base)
        .unwrap_or_else(|e| panic!("creating a PKI folder in {}: {e}", base.display()))
}
