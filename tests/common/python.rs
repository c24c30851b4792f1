//! Python `cryptography` (>= 45; measured with 48) as a peer, through
//! `cryptography.hazmat.primitives.serialization.pkcs7`.
//!
//! Limits (PEERS.md, re-measured): `PKCS7EnvelopeBuilder` encrypts to RSA recipients with
//! PKCS#1 v1.5 only and AES-128-CBC or AES-256-CBC only; `pkcs7_decrypt_smime/der` decrypt
//! the same and reject indefinite-length BER ("InvalidLength"), subjectKeyIdentifier
//! recipients, and any message that also has an EC recipient. Without options the input is
//! canonicalised to CRLF and encrypted as is (it must be a MIME entity); decryption returns
//! the decrypted bytes unchanged. `pkcs7_decrypt_smime` accepts whole messages with
//! From/To/... before the pkcs7-mime headers.
//!
//! Data passes through files; scripts run with `python3 -c`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use super::{read_file, run_checked, temp_dir, write_file};

const ENCRYPT: &str = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
inp, out, cipher, encoding = sys.argv[1:5]
builder = pkcs7.PKCS7EnvelopeBuilder().set_data(open(inp, "rb").read())
for path in sys.argv[5:]:
    builder = builder.add_recipient(x509.load_pem_x509_certificate(open(path, "rb").read()))
builder = builder.set_content_encryption_algorithm(
    {"aes-128-cbc": algorithms.AES128, "aes-256-cbc": algorithms.AES256}[cipher])
enc = {"smime": serialization.Encoding.SMIME, "der": serialization.Encoding.DER}[encoding]
open(out, "wb").write(builder.encrypt(enc, []))
"#;

const DECRYPT: &str = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
inp, out, form, cert_path, key_path = sys.argv[1:6]
cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
decrypt = {"smime": pkcs7.pkcs7_decrypt_smime, "der": pkcs7.pkcs7_decrypt_der}[form]
open(out, "wb").write(decrypt(open(inp, "rb").read(), cert, key, []))
"#;

/// Encrypts the MIME entity `input` to RSA `certs` with `aes-128-cbc` or `aes-256-cbc`:
/// an S/MIME message. Panics with Python's traceback on failure.
pub fn encrypt(input: &[u8], certs: &[&Path], cipher: &str) -> Vec<u8> {
    encrypt_form(input, certs, cipher, "smime")
}

/// Like [`encrypt`], raw CMS DER.
pub fn encrypt_der(input: &[u8], certs: &[&Path], cipher: &str) -> Vec<u8> {
    encrypt_form(input, certs, cipher, "der")
}

fn encrypt_form(input: &[u8], certs: &[&Path], cipher: &str, form: &str) -> Vec<u8> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", input);
    let out = dir.path().join("out");
    let mut cmd = Command::new("python3");
    cmd.args(["-c", ENCRYPT])
        .arg(&inp)
        .arg(&out)
        .args([cipher, form])
        .args(certs);
    run_checked(&mut cmd, b"").unwrap_or_else(|e| panic!("python encrypt: {e}"));
    read_file(&out)
}

/// Decrypts an S/MIME message (`pkcs7_decrypt_smime`).
pub fn decrypt(input: &[u8], cert: &Path, key: &Path) -> Result<Vec<u8>, String> {
    decrypt_form(input, cert, key, "smime")
}

/// Decrypts raw CMS DER (`pkcs7_decrypt_der`).
pub fn decrypt_der(input: &[u8], cert: &Path, key: &Path) -> Result<Vec<u8>, String> {
    decrypt_form(input, cert, key, "der")
}

fn decrypt_form(input: &[u8], cert: &Path, key: &Path, form: &str) -> Result<Vec<u8>, String> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in", input);
    let out = dir.path().join("out");
    let mut cmd = Command::new("python3");
    cmd.args(["-c", DECRYPT])
        .arg(&inp)
        .arg(&out)
        .arg(form)
        .arg(cert)
        .arg(key);
    run_checked(&mut cmd, b"")?;
    Ok(read_file(&out))
}
