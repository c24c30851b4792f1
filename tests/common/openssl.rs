//! OpenSSL 3.0 `openssl cms` as a peer.
//!
//! Quirks (measured with 3.0.19):
//! - `-keyopt` applies to the `-recip` before it, so OAEP needs the `-recip CERT -keyopt
//!   rsa_padding_mode:oaep [-keyopt rsa_oaep_md:sha256]` form; with bare positional
//!   certificates it fails with "No key specified". OAEP's default hash is SHA-1.
//! - Without `-binary` the input is canonicalised to CRLF; without `-text` it must be a
//!   MIME entity, and the whole input (headers included) is what gets encrypted. The
//!   decrypted output is those bytes, unchanged.
//! - `-stream` writes indefinite-length BER (in SMIME and DER output); without it, DER.
//! - `-keyid` makes subjectKeyIdentifier recipient identifiers.
//! - `-decrypt` reads S/MIME (headers before the pkcs7-mime part are fine: From/To...).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use super::{read_file, run_checked, temp_dir, write_file};

/// How to encrypt.
#[derive(Clone, Copy, Debug)]
pub struct EncryptOptions<'a> {
    /// `aes-128-cbc`, `aes-192-cbc`, `aes-256-cbc`, `aes-128-gcm`, `aes-256-gcm`, ...
    pub cipher: &'a str,
    /// RSA-OAEP with this hash (`sha1` or `sha256`) for every RSA recipient; `None`
    /// is PKCS#1 v1.5. Must be `None` when a recipient has an EC key.
    pub oaep: Option<&'a str>,
    /// `-stream`: indefinite-length BER.
    pub stream: bool,
    /// `-keyid`: subjectKeyIdentifier recipient identifiers.
    pub keyid: bool,
    /// `-outform DER` (raw CMS) instead of S/MIME.
    pub der: bool,
}

impl<'a> EncryptOptions<'a> {
    pub fn new(cipher: &'a str) -> Self {
        EncryptOptions {
            cipher,
            oaep: None,
            stream: false,
            keyid: false,
            der: false,
        }
    }
}

/// `openssl cms -encrypt` of the MIME entity `input` to `certs`, S/MIME output. Panics
/// with openssl's stderr on failure.
pub fn encrypt(
    input: &[u8],
    certs: &[&Path],
    cipher: &str,
    oaep: Option<&str>,
    stream: bool,
) -> Vec<u8> {
    encrypt_with(
        input,
        certs,
        &EncryptOptions {
            oaep,
            stream,
            ..EncryptOptions::new(cipher)
        },
    )
}

/// `openssl cms -encrypt` with every option.
pub fn encrypt_with(input: &[u8], certs: &[&Path], o: &EncryptOptions) -> Vec<u8> {
    assert!(
        !certs.is_empty(),
        "openssl::encrypt needs at least one recipient"
    );
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", input);
    let out = dir.path().join("out");
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-encrypt", &format!("-{}", o.cipher), "-in"])
        .arg(&inp)
        .arg("-out")
        .arg(&out);
    if o.stream {
        cmd.arg("-stream");
    }
    if o.keyid {
        cmd.arg("-keyid");
    }
    if o.der {
        cmd.args(["-outform", "DER"]);
    }
    for c in certs {
        cmd.arg("-recip").arg(c);
        if let Some(md) = o.oaep {
            cmd.args([
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                &format!("rsa_oaep_md:{md}"),
            ]);
        }
    }
    run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("openssl encrypt: {e}"));
    read_file(&out)
}

/// `openssl cms -decrypt` of an S/MIME message with `cert`/`key`: the decrypted bytes, or
/// openssl's error.
pub fn decrypt(input: &[u8], cert: &Path, key: &Path) -> Result<Vec<u8>, String> {
    decrypt_form(input, cert, key, "SMIME")
}

/// `openssl cms -decrypt -inform DER` of raw CMS.
pub fn decrypt_der(input: &[u8], cert: &Path, key: &Path) -> Result<Vec<u8>, String> {
    decrypt_form(input, cert, key, "DER")
}

fn decrypt_form(input: &[u8], cert: &Path, key: &Path, form: &str) -> Result<Vec<u8>, String> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in", input);
    let out = dir.path().join("out");
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-decrypt", "-inform", form, "-in"])
        .arg(&inp)
        .arg("-recip")
        .arg(cert)
        .arg("-inkey")
        .arg(key)
        .arg("-out")
        .arg(&out);
    run_checked(&mut cmd, b"")?;
    Ok(read_file(&out))
}

/// `openssl cms -cmsout -print` of raw CMS DER: a text dump to check algorithms and
/// recipient identifiers.
pub fn print_der(der: &[u8]) -> String {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.der", der);
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(&inp);
    let out = run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("openssl cms -print: {e}"));
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether raw CMS uses indefinite lengths anywhere (`openssl asn1parse` shows `l=inf`).
pub fn has_indefinite_length(der: &[u8]) -> bool {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.der", der);
    let mut cmd = Command::new("openssl");
    cmd.args(["asn1parse", "-inform", "DER", "-in"]).arg(&inp);
    let out = run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("openssl asn1parse: {e}"));
    String::from_utf8_lossy(&out).contains("l=inf")
}

/// Converts an S/MIME message openssl wrote to raw CMS DER (`-outform DER`).
pub fn smime_to_der(smime: &[u8]) -> Vec<u8> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", smime);
    let out = dir.path().join("out.der");
    let mut cmd = Command::new("openssl");
    cmd.args([
        "cms", "-cmsout", "-inform", "SMIME", "-outform", "DER", "-in",
    ])
    .arg(&inp)
    .arg("-out")
    .arg(&out);
    run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("openssl cms -cmsout: {e}"));
    read_file(&out)
}

/// `openssl cms -verify -CAfile ROOT -untrusted CHAIN` of an S/MIME message (detached or
/// opaque), in its default text mode: `-binary` makes OpenSSL 3.0 drop the CR of the last
/// line before a boundary and fail every correct multipart/signed (measured here), so
/// the content is compared after its CRLF canonicalisation, which ours already has.
/// Returns the verified content, or openssl's complaint.
pub fn verify(smime: &[u8], root: &Path, untrusted: Option<&Path>) -> Result<Vec<u8>, String> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", smime);
    let out = dir.path().join("content");
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-verify", "-CAfile"]).arg(root);
    if let Some(u) = untrusted {
        cmd.arg("-untrusted").arg(u);
    }
    cmd.arg("-in").arg(&inp).arg("-out").arg(&out);
    run_checked(&mut cmd, b"")?;
    Ok(read_file(&out))
}
