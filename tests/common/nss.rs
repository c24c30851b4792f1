//! NSS 3.87 (`cmsutil`, `certutil`, `pk12util` from Debian `libnss3-tools`) as a peer:
//! the CMS engine of Thunderbird, in a throw-away database per test.
//!
//! Set-up per /work/shared/PEERS.md: `certutil -N -d sql:DIR -f pw.txt` with an empty
//! password file; the test root trusted with `-t C,C,C`; identities imported from the
//! OpenSSL 3 default PKCS#12 (`pk12util -W PASSWORD`, measured to work); recipient
//! certificates added with `-t ,,`. `cmsutil` reads and writes raw CMS DER: MIME
//! wrapping and unwrapping is the test's job.
//!
//! What `cmsutil -D` prints with `-h N` (measured): one header block before the content,
//! `SMIME: \tlevel=2.2; type=signedData; nsigners=1; \n\t\tsigner0.id="Alice";
//! signer0.status=GoodSignature; \n\tlevel=2.1; type=data; \n`. A bad signature does not
//! change the exit status (0): the status word does (`DigestMismatch`,
//! `SigningCertNotTrusted`, ...), so tests parse it. A certs-only message is verified for
//! `-u` usage (default email signer) and fails with exit 1 when a certificate does not
//! chain or is a CA certificate (so NSS cannot verify its own `-O` output, which carries
//! the intermediate).
//!
//! Limits measured: no AuthEnvelopedData (AES-GCM, ChaCha20-Poly1305: "Unrecognized
//! Object Identifier"), no RSA-OAEP ("Unsupported or unknown key algorithm"), no ECDH key
//! agreement either way; `cmsutil -E` sends AES-128-CBC with RSA PKCS#1 v1.5; `-S` signs
//! with PKCS#1 v1.5 only (no PSS option) and announces SMIMECapabilities AES-256-CBC,
//! AES-128-CBC, 3DES, RC2 with `-P`; RSA-PSS and ECDSA signatures verify.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::pki::{PASSWORD, Pki};
use super::{command_line, run, run_checked, write_file};

/// A throw-away NSS database.
pub struct Nss {
    dir: tempfile::TempDir,
}

/// A finished `cmsutil` run.
pub struct Run {
    /// The command line, for messages.
    pub line: String,
    /// What it did.
    pub output: Output,
}

impl Run {
    /// Whether it exited 0.
    pub fn ok(&self) -> bool {
        self.output.status.success()
    }
    /// Standard output.
    pub fn stdout(&self) -> &[u8] {
        &self.output.stdout
    }
    /// Standard error, as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    /// The run, for an assertion message.
    pub fn describe(&self) -> String {
        format!(
            "`{}` exited with {}; stderr: {}",
            self.line,
            self.output.status,
            self.stderr().trim_end()
        )
    }
    /// Asserts NSS refused cleanly: a non-zero exit code (not a signal), nothing on
    /// stdout, and its own complaint on stderr. Returns stderr.
    #[track_caller]
    pub fn assert_refused(&self, what: &str) -> String {
        assert!(
            self.output.status.code().is_some_and(|c| c != 0),
            "{what}: NSS must refuse with an exit code: {}",
            self.describe()
        );
        assert!(
            self.stdout().is_empty(),
            "{what}: NSS wrote {} bytes although it failed: {}",
            self.stdout().len(),
            self.describe()
        );
        let err = self.stderr();
        assert!(
            err.contains("cmsutil:") || err.contains("ERROR"),
            "{what}: NSS gave no reason: {}",
            self.describe()
        );
        err
    }
}

/// One signer line of `cmsutil -D -h 2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// `signerN.id`: the signer certificate's common name.
    pub id: String,
    /// `signerN.status`: `GoodSignature`, `DigestMismatch`, `SigningCertNotTrusted`, ...
    pub status: String,
}

/// What `cmsutil -D -h 2` said about a message: the content types by level and the
/// signers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// `type=` of each level, outermost first (`signedData`, `data`, `envelopedData`).
    pub types: Vec<String>,
    /// The signers of the signedData level, in order.
    pub signers: Vec<Signer>,
}

impl Nss {
    /// A fresh database trusting `pki`'s root for everything (`C,C,C`), nothing else.
    pub fn new(pki: &Pki) -> Nss {
        Nss::trusting(&pki.root())
    }

    /// A fresh database trusting the root certificate `root` (PEM), nothing else.
    pub fn trusting(root: &Path) -> Nss {
        let dir = tempfile::Builder::new()
            .prefix("nss-")
            .tempdir()
            .expect("NSS database folder");
        write_file(dir.path(), "pw.txt", b"");
        let nss = Nss { dir };
        nss.certutil(&["-N"]);
        nss.add_certificate("test-root", root, "C,C,C");
        nss
    }

    /// A fresh database trusting `pki`'s root and holding `who`'s identity (key,
    /// certificate and, from the PKCS#12, the intermediate).
    pub fn with_identity(pki: &Pki, who: &str) -> Nss {
        let nss = Nss::new(pki);
        nss.import_identity(pki, who);
        nss
    }

    /// Imports `who`'s OpenSSL 3 default PKCS#12; its nickname is `who` (the PKCS#12
    /// friendlyName).
    pub fn import_identity(&self, pki: &Pki, who: &str) {
        let mut cmd = Command::new("pk12util");
        cmd.arg("-i")
            .arg(pki.p12(who))
            .arg("-d")
            .arg(self.db())
            .arg("-k")
            .arg(self.password_file())
            .arg("-W")
            .arg(PASSWORD);
        run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("pk12util import of {who}: {e}"));
    }

    /// Adds a certificate (PEM) under `nickname` with NSS trust flags `trust` (`,,` for
    /// a recipient or an intermediate, `C,C,C` for a root).
    pub fn add_certificate(&self, nickname: &str, cert: &Path, trust: &str) {
        self.certutil(&[
            "-A",
            "-n",
            nickname,
            "-t",
            trust,
            "-i",
            cert.to_str().expect("UTF-8 path"),
        ]);
    }

    /// The certificate NSS holds under `nickname`, DER, or `None`.
    pub fn certificate(&self, nickname: &str) -> Option<Vec<u8>> {
        let mut cmd = Command::new("certutil");
        cmd.arg("-L")
            .arg("-d")
            .arg(self.db())
            .args(["-n", nickname, "-r"]);
        let out = run(&mut cmd, b"");
        out.status.success().then_some(out.stdout)
    }

    /// `cmsutil -D` of raw CMS: the content (decrypted and/or unwrapped).
    pub fn decode(&self, der: &[u8]) -> Run {
        self.cmsutil_on(&["-D"], der, None)
    }

    /// `cmsutil -D -h 2 -n [-c CONTENT]` (`content` for a detached signature), the
    /// header block parsed. Panics when NSS fails to decode.
    #[track_caller]
    pub fn describe(&self, der: &[u8], content: Option<&[u8]>) -> Decoded {
        let run = self.describe_run(der, content);
        assert!(run.ok(), "NSS could not decode: {}", run.describe());
        parse_levels(&String::from_utf8_lossy(run.stdout()))
    }

    /// The run behind [`describe`](Self::describe), whatever its outcome.
    pub fn describe_run(&self, der: &[u8], content: Option<&[u8]>) -> Run {
        self.cmsutil_on(&["-D", "-h", "2", "-n"], der, content)
    }

    /// `cmsutil -D -h 2 -n -k` of a certs-only message: NSS verifies every certificate
    /// for email signing and keeps them in its database.
    pub fn import_certs_only(&self, der: &[u8]) -> Run {
        self.cmsutil_on(&["-D", "-h", "2", "-n", "-k"], der, None)
    }

    /// `cmsutil -E -r NICKS`: EnvelopedData of `content` for the named recipients.
    pub fn encrypt(&self, content: &[u8], recipients: &[&str]) -> Vec<u8> {
        let run = self.encrypt_run(content, recipients);
        assert!(run.ok(), "NSS encrypt: {}", run.describe());
        run.output.stdout
    }

    /// The run behind [`encrypt`](Self::encrypt), whatever its outcome.
    pub fn encrypt_run(&self, content: &[u8], recipients: &[&str]) -> Run {
        self.cmsutil_on(&["-E", "-r", &recipients.join(",")], content, None)
    }

    /// `cmsutil -S -N NICK -G -P -H HASH [-T]`: SignedData of `content` by `signer` with
    /// signingTime and SMIMECapabilities, opaque or (`detached`) without the content.
    pub fn sign(&self, content: &[u8], signer: &str, hash: &str, detached: bool) -> Vec<u8> {
        let mut args = vec!["-S", "-N", signer, "-G", "-P", "-H", hash];
        if detached {
            args.push("-T");
        }
        let run = self.cmsutil_on(&args, content, None);
        assert!(run.ok(), "NSS sign: {}", run.describe());
        run.output.stdout
    }

    /// `cmsutil -O -r NICKS`: a certs-only SignedData carrying the named certificates
    /// (NSS adds their chains).
    pub fn certs_only(&self, nicknames: &[&str]) -> Vec<u8> {
        let run = self.cmsutil_on(&["-O", "-r", &nicknames.join(",")], b"", None);
        assert!(run.ok(), "NSS certs-only: {}", run.describe());
        run.output.stdout
    }

    fn db(&self) -> String {
        format!("sql:{}", self.dir.path().display())
    }

    fn password_file(&self) -> PathBuf {
        self.dir.path().join("pw.txt")
    }

    fn certutil(&self, args: &[&str]) {
        let mut cmd = Command::new("certutil");
        cmd.args(args)
            .arg("-d")
            .arg(self.db())
            .arg("-f")
            .arg(self.password_file());
        run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("certutil: {e}"));
    }

    /// `cmsutil ARGS -i INPUT [-c CONTENT]` with the output on stdout.
    fn cmsutil_on(&self, args: &[&str], input: &[u8], content: Option<&[u8]>) -> Run {
        let work = super::temp_dir();
        let inp = write_file(work.path(), "in", input);
        let mut cmd = Command::new("cmsutil");
        cmd.args(args)
            .arg("-d")
            .arg(self.db())
            .arg("-f")
            .arg(self.password_file())
            .arg("-i")
            .arg(&inp);
        if let Some(c) = content {
            cmd.arg("-c").arg(write_file(work.path(), "content", c));
        }
        let line = command_line(&cmd);
        let output = run(&mut cmd, b"");
        Run { line, output }
    }
}

/// Parses the `-h` header block: `level=L; type=T; ...` and `signerN.id="..";
/// signerN.status=..;` entries, separated by `;` and whitespace.
fn parse_levels(text: &str) -> Decoded {
    let mut types = Vec::new();
    let mut signers: Vec<Signer> = Vec::new();
    for item in text.split(';').map(str::trim) {
        let item = item.strip_prefix("SMIME:").map(str::trim).unwrap_or(item);
        let Some((key, value)) = item.split_once('=') else {
            continue;
        };
        let value = value.trim_matches('"').to_string();
        if key == "type" {
            types.push(value);
        } else if let Some(rest) = key.strip_prefix("signer") {
            let Some((n, field)) = rest.split_once('.') else {
                continue;
            };
            let n: usize = n.parse().unwrap_or(usize::MAX);
            if n == signers.len() && field == "id" {
                signers.push(Signer {
                    id: value,
                    status: String::new(),
                });
            } else if n + 1 == signers.len() && field == "status" {
                signers[n].status = value;
            }
        }
    }
    Decoded { types, signers }
}
