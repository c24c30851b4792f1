//! gpgsm 2.2 (GnuPG's S/MIME) as a peer, in a throw-away home per test.
//!
//! Set-up per /work/shared/PEERS.md: `gpgsm.conf` turns off CRL, policy and dirmngr use;
//! `gpg-agent.conf` points `pinentry-program` at a script that answers the Assuan
//! protocol with the test password; `trustlist.txt` holds the test root's SHA-1
//! fingerprint with flag `S`. The agent is killed on drop.
//!
//! Quirks (measured with 2.2.40):
//! - imports only `openssl pkcs12 -legacy` files (not OpenSSL 3 defaults) and crashes on
//!   EC PKCS#12: import RSA identities only;
//! - `--encrypt` writes raw CMS DER (`--armor` for PEM), AES-128-CBC and RSA PKCS#1 v1.5 by
//!   default; `--cipher-algo AES192|AES256` picks the others;
//! - `--decrypt` reads raw CMS (DER, or PEM/base64), NOT an S/MIME message: feeding it a
//!   MIME message gives "ksba_cms_parse failed: End of file". Decrypts RSA PKCS#1 v1.5 with
//!   AES-CBC only;
//! - the recipient certificate must chain to the trusted root, so root and intermediate are
//!   imported up front.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::pki::{PASSWORD, Pki};
use super::{read_file, run_checked, write_file};

/// A gpgsm home with the test root trusted.
pub struct Gpgsm {
    home: tempfile::TempDir,
}

impl Gpgsm {
    /// A fresh home trusting `pki`'s root, with root and intermediate imported.
    pub fn new(pki: &Pki) -> Gpgsm {
        // Short path under /tmp: gpg-agent puts its socket in the home when
        // /run/user/UID is missing, and socket paths are limited to 107 bytes.
        let home = tempfile::Builder::new()
            .prefix("gpgsm-")
            .tempdir_in("/tmp")
            .expect("gpgsm home");
        let h = home.path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(h, std::fs::Permissions::from_mode(0o700))
                .expect("chmod 700 gpgsm home");
        }
        write_file(
            h,
            "gpgsm.conf",
            b"disable-crl-checks\ndisable-trusted-cert-crl-check\ndisable-policy-checks\ndisable-dirmngr\n",
        );
        let pinentry = pinentry_script(h);
        write_file(
            h,
            "gpg-agent.conf",
            format!("pinentry-program {}\n", pinentry.display()).as_bytes(),
        );
        write_file(
            h,
            "trustlist.txt",
            format!("{} S\n", pki.sha1_fingerprint(&pki.root())).as_bytes(),
        );
        let g = Gpgsm { home };
        g.import(&pki.root());
        g.import(&pki.intermediate());
        g
    }

    /// A fresh home holding `who`'s identity (from the `-legacy` PKCS#12; RSA only).
    pub fn with_identity(pki: &Pki, who: &str) -> Gpgsm {
        let g = Gpgsm::new(pki);
        g.import_identity(pki, who);
        g
    }

    /// Imports `who`'s `-legacy` PKCS#12, re-exporting it with a fresh salt when gpgsm
    /// derives a wrong key.
    ///
    /// gpgsm 2.2's PKCS#12 key derivation (`string_to_key` in sm/minip12.c) writes
    /// `I_j + B + 1` back with `gcry_mpi_print`, which drops leading zero bytes instead of
    /// keeping the 64-byte block (RFC 7292 Appendix B.2 step 6C): whenever a sum starts
    /// with 0x00 the 3DES key is wrong and the import fails with "decryption failed;
    /// trying charset …" for every charset. That hits about one random salt in 128 (it
    /// failed a CI run), and only 3DES keys, which need a second hash round. The file is
    /// still correct (OpenSSL and we open it), so a fresh salt is the fix; any other
    /// failure, or eight unlucky salts in a row (about 1e-17), still fails the test.
    pub fn import_identity(&self, pki: &Pki, who: &str) {
        let fresh = super::temp_dir();
        let mut file = pki.p12_legacy(who);
        for attempt in 1..=8 {
            let mut cmd = self.cmd();
            cmd.arg("--import").arg(&file);
            match run_checked(&mut cmd, b"") {
                Ok(_) => return,
                Err(e) if e.contains("decryption failed; trying charset") && attempt < 8 => {
                    file = fresh.path().join(format!("{who}.{attempt}.legacy.p12"));
                    pki.export_p12_legacy(who, &file);
                }
                Err(e) => panic!("gpgsm import {}: {e}", file.display()),
            }
        }
    }

    /// The home folder.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `gpgsm --import FILE` (certificates, or a `-legacy` PKCS#12: the pinentry script
    /// gives the password, also as the new protection passphrase).
    pub fn import(&self, file: &Path) {
        let mut cmd = self.cmd();
        cmd.arg("--import").arg(file);
        run_checked(&mut cmd, b"")
            .unwrap_or_else(|e| panic!("gpgsm import {}: {e}", file.display()));
    }

    /// Encrypts the MIME entity `input` to `recipient_cert` (imported first) with gpgsm's
    /// default AES-128-CBC: raw CMS DER.
    pub fn encrypt(&self, input: &[u8], recipient_cert: &Path) -> Vec<u8> {
        self.encrypt_with(input, &[recipient_cert], None)
    }

    /// Encrypts to several recipients with `--cipher-algo` (e.g. `AES256`), raw CMS DER.
    pub fn encrypt_with(
        &self,
        input: &[u8],
        recipient_certs: &[&Path],
        cipher_algo: Option<&str>,
    ) -> Vec<u8> {
        let dir = super::temp_dir();
        let inp = write_file(dir.path(), "in.eml", input);
        let out = dir.path().join("out.der");
        let mut cmd = self.cmd();
        for cert in recipient_certs {
            self.import(cert);
            let pki_fp = fingerprint(cert);
            cmd.arg("--recipient").arg(pki_fp);
        }
        if let Some(algo) = cipher_algo {
            cmd.args(["--cipher-algo", algo]);
        }
        cmd.arg("--output").arg(&out).arg("--encrypt").arg(&inp);
        run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("gpgsm encrypt: {e}"));
        read_file(&out)
    }

    /// Decrypts raw CMS (DER) with the identity in this home.
    ///
    /// gpgsm 2.2 walks the RecipientInfos in order until one decrypts, and logs an error
    /// for each one before it that names a certificate it does not hold ("failed to find
    /// the certificate: Unknown system error", i.e. not found) or a key it lacks ("No
    /// secret key"); such a run exits 2 although it wrote the plaintext. That exit is taken
    /// as success when those are the only errors and the plaintext is not empty: the
    /// callers compare the plaintext byte for byte, which only a real decryption gives.
    pub fn decrypt(&self, cms: &[u8]) -> Result<Vec<u8>, String> {
        let dir = super::temp_dir();
        let inp = write_file(dir.path(), "in.p7m", cms);
        let out = dir.path().join("out.eml");
        let mut cmd = self.cmd();
        cmd.arg("--output").arg(&out).arg("--decrypt").arg(&inp);
        let line = super::command_line(&cmd);
        let res = super::run(&mut cmd, b"");
        let plaintext = std::fs::read(&out).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
        let only_other_recipient_errors = stderr.lines().all(|l| {
            !l.starts_with("gpgsm: ")
                || l.starts_with("gpgsm: encrypted to ")
                || l == "gpgsm: failed to find the certificate: Unknown system error"
                || l == "gpgsm: error decrypting session key: No secret key"
                || l == "gpgsm: decrypting session key failed: No secret key"
        });
        let quirk =
            res.status.code() == Some(2) && only_other_recipient_errors && !plaintext.is_empty();
        if res.status.success() || quirk {
            Ok(plaintext)
        } else {
            Err(format!(
                "`{line}` failed ({}):\n{}",
                res.status,
                stderr.trim_end()
            ))
        }
    }

    /// Signs `input` with the identity whose certificate is `signer_cert` (imported
    /// with [`Gpgsm::with_identity`]): raw CMS SignedData DER, detached (no eContent)
    /// or opaque. gpgsm picks SHA-256 for RSA-2048 and includes the chain except the
    /// root (`--include-certs -2`, its default).
    pub fn sign(&self, input: &[u8], signer_cert: &Path, detached: bool) -> Vec<u8> {
        let dir = super::temp_dir();
        let inp = write_file(dir.path(), "in.eml", input);
        let out = dir.path().join("out.p7s");
        let mut cmd = self.cmd();
        cmd.arg("--local-user").arg(fingerprint(signer_cert));
        cmd.arg("--output").arg(&out);
        if detached {
            cmd.arg("--detach-sign");
        } else {
            cmd.arg("--sign");
        }
        cmd.arg(&inp);
        run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("gpgsm sign: {e}"));
        read_file(&out)
    }

    /// Verifies raw CMS SignedData (DER): detached over `data`, or opaque when `data`
    /// is `None` (then the content is returned). Success needs exit 0 and a GOODSIG
    /// status line (the signature and the chain to the trusted root).
    pub fn verify(&self, cms: &[u8], data: Option<&[u8]>) -> Result<Vec<u8>, String> {
        let dir = super::temp_dir();
        let sig = write_file(dir.path(), "sig.p7s", cms);
        let out = dir.path().join("content");
        let mut cmd = self.cmd();
        cmd.args(["--status-fd", "1"]);
        match data {
            Some(d) => {
                let data_file = write_file(dir.path(), "data", d);
                cmd.arg("--verify").arg(&sig).arg(&data_file);
            }
            None => {
                cmd.arg("--output").arg(&out).arg("--verify").arg(&sig);
            }
        }
        let line = super::command_line(&cmd);
        let res = super::run(&mut cmd, b"");
        let status = String::from_utf8_lossy(&res.stdout).into_owned();
        if res.status.success() && status.contains("[GNUPG:] GOODSIG") {
            Ok(std::fs::read(&out).unwrap_or_default())
        } else {
            Err(format!(
                "`{line}` failed ({}):\n{}\n{}",
                res.status,
                status.trim_end(),
                String::from_utf8_lossy(&res.stderr).trim_end()
            ))
        }
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new("gpgsm");
        cmd.arg("--batch")
            .arg("--yes")
            .arg("--homedir")
            .arg(self.home())
            .env("GNUPGHOME", self.home());
        cmd
    }
}

impl Drop for Gpgsm {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home())
            .args(["--kill", "all"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// SHA-1 fingerprint of a PEM certificate, colon form (what gpgsm accepts as a user ID).
fn fingerprint(cert: &Path) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(cert);
    let out = run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("fingerprint: {e}"));
    let text = String::from_utf8_lossy(&out).into_owned();
    text.trim()
        .split_once('=')
        .map(|(_, f)| f.to_string())
        .expect("openssl fingerprint output")
}

/// Writes the pinentry script: `OK` to everything, the test password to `GETPIN`.
fn pinentry_script(home: &Path) -> PathBuf {
    assert!(
        !PASSWORD.contains(['%', '\n', '\r', '\'']),
        "password needs Assuan escaping"
    );
    let script = format!(
        "#!/bin/sh\n\
         echo 'OK pinentry for smime tests'\n\
         while IFS= read -r line; do\n\
         \x20 case \"$line\" in\n\
         \x20   GETPIN*) echo 'D {PASSWORD}'; echo OK;;\n\
         \x20   BYE*) echo OK; exit 0;;\n\
         \x20   *) echo OK;;\n\
         \x20 esac\n\
         done\n"
    );
    let p = write_file(home, "pinentry.sh", script.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700))
            .expect("chmod pinentry");
    }
    p
}
