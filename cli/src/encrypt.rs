//! `smime encrypt`: RFC 5322 message in, `application/pkcs7-mime` message out.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use smime::Certificate;
use smime::cms::{ContentCipher, EnvelopeOptions, KeyTransport, RecipientIdKind};

use crate::Io;
use crate::failure::{Failure, read_file};
use crate::output::Output;

#[derive(Args)]
pub struct EncryptArgs {
    /// A recipient's certificate (PEM or DER); repeat for several recipients. RSA
    /// certificates get key transport, EC (P-256, P-384) and X25519 certificates
    /// ECDH key agreement.
    #[arg(long = "recipient", value_name = "CERT", required = true)]
    recipients: Vec<PathBuf>,
    /// Content-encryption algorithm.
    #[arg(long, value_enum, default_value_t = CipherArg::Aes256Gcm)]
    cipher: CipherArg,
    /// RSA key transport (RSA recipients only).
    #[arg(long = "key-transport", value_enum, default_value_t = KeyTransportArg::RsaPkcs1)]
    key_transport: KeyTransportArg,
    /// Hash for RSA-OAEP (with --key-transport rsa-oaep).
    #[arg(long = "oaep-hash", value_enum, default_value_t = OaepHashArg::Sha256)]
    oaep_hash: OaepHashArg,
    /// How recipients are identified.
    #[arg(long, value_enum, default_value_t = RidArg::IssuerSerial)]
    rid: RidArg,
    #[command(flatten)]
    pub io: Io,
}

#[derive(Clone, Copy, ValueEnum)]
enum CipherArg {
    #[value(name = "aes-128-cbc")]
    Aes128Cbc,
    #[value(name = "aes-192-cbc")]
    Aes192Cbc,
    #[value(name = "aes-256-cbc")]
    Aes256Cbc,
    #[value(name = "aes-128-gcm")]
    Aes128Gcm,
    #[value(name = "aes-256-gcm")]
    Aes256Gcm,
    #[value(name = "chacha20-poly1305")]
    ChaCha20Poly1305,
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyTransportArg {
    RsaPkcs1,
    RsaOaep,
}

#[derive(Clone, Copy, ValueEnum)]
enum OaepHashArg {
    Sha256,
    Sha1,
}

#[derive(Clone, Copy, ValueEnum)]
enum RidArg {
    IssuerSerial,
    Ski,
}

pub fn run(args: EncryptArgs) -> Result<(), Failure> {
    let mut recipients = Vec::new();
    for path in &args.recipients {
        let bytes = read_file(path, "certificate")?;
        let certs = Certificate::load(&bytes)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        recipients.extend(certs.into_iter().take(1));
    }
    let cipher = match args.cipher {
        CipherArg::Aes128Cbc => ContentCipher::Aes128Cbc,
        CipherArg::Aes192Cbc => ContentCipher::Aes192Cbc,
        CipherArg::Aes256Cbc => ContentCipher::Aes256Cbc,
        CipherArg::Aes128Gcm => ContentCipher::Aes128Gcm,
        CipherArg::Aes256Gcm => ContentCipher::Aes256Gcm,
        CipherArg::ChaCha20Poly1305 => ContentCipher::ChaCha20Poly1305,
    };
    let key_transport = match (args.key_transport, args.oaep_hash) {
        (KeyTransportArg::RsaPkcs1, _) => KeyTransport::RsaPkcs1v15,
        (KeyTransportArg::RsaOaep, OaepHashArg::Sha256) => KeyTransport::RsaOaepSha256,
        (KeyTransportArg::RsaOaep, OaepHashArg::Sha1) => KeyTransport::RsaOaepSha1,
    };
    let rid = match args.rid {
        RidArg::IssuerSerial => RecipientIdKind::IssuerAndSerial,
        RidArg::Ski => RecipientIdKind::SubjectKeyId,
    };
    let options = EnvelopeOptions::with_cipher(cipher)
        .key_transport(key_transport)
        .recipient_id(rid);

    let output = Output::open(args.io.output.as_deref())?;
    // A file is read twice (length, then content) so the result is DER, which every
    // peer reads; standard input is held in memory for the same reason.
    let out = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            smime::encrypt_message(BufReader::new(file), &recipients, &options, output.writer())?
        }
        None => {
            let mut buf = Vec::new();
            io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
            smime::encrypt_message(Cursor::new(buf), &recipients, &options, output.writer())?
        }
    };
    output.commit(out)
}
