//! `smime encrypt`: RFC 5322 message in, `application/pkcs7-mime` message out.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use smime::cms::parse_capabilities;
use smime::cms::{
    CipherPolicy, ContentCipher, EnvelopeOptions, KeyTransport, RecipientIdKind, SignOptions,
};
use smime::directory::InstalledStore;
use smime::mime::HeaderProtection;
use smime::{Certificate, Identity};

use crate::Io;
use crate::failure::{Failure, read_file};
use crate::identity_args::IdentityArgs;
use crate::output::Output;

#[derive(Args)]
pub struct EncryptArgs {
    /// A recipient's certificate (PEM or DER); repeat for several recipients. RSA
    /// certificates get key transport, EC (P-256, P-384) and X25519 certificates
    /// ECDH key agreement.
    #[arg(long = "recipient", value_name = "CERT", required = true)]
    recipients: Vec<PathBuf>,
    /// Content-encryption algorithm. Without it the library's rule chooses (RFC 8551
    /// §2.7.1): an authenticated cipher when every recipient announced one (their
    /// capabilities stored in --store), otherwise AES-256-CBC, which every client reads.
    #[arg(long, value_enum)]
    cipher: Option<CipherArg>,
    /// Without --cipher: authenticated ciphers only (AES-GCM, ChaCha20-Poly1305), even
    /// for recipients whose capabilities are unknown.
    #[arg(long = "authenticated-only", conflicts_with = "cipher")]
    authenticated_only: bool,
    /// The installed-certificate store whose recorded capabilities (from the
    /// recipients' signed messages) count when choosing the cipher.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// RSA key transport (RSA recipients only).
    #[arg(long = "key-transport", value_enum, default_value_t = KeyTransportArg::RsaPkcs1)]
    key_transport: KeyTransportArg,
    /// Hash for RSA-OAEP (with --key-transport rsa-oaep).
    #[arg(long = "oaep-hash", value_enum, default_value_t = OaepHashArg::Sha256)]
    oaep_hash: OaepHashArg,
    /// How recipients are identified.
    #[arg(long, value_enum, default_value_t = RidArg::IssuerSerial)]
    rid: RidArg,
    /// Sign first (multipart/signed, SHA-256) with this identity, then encrypt the
    /// signed message (RFC 8551 §3.7): `--p12 FILE` or `--cert CERT.pem --key KEY.pem`.
    #[command(flatten)]
    signer: IdentityArgs,
    #[command(flatten)]
    header_protection: crate::header_args::HeaderProtectionArgs,
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
        Some(CipherArg::Aes128Cbc) => ContentCipher::Aes128Cbc,
        Some(CipherArg::Aes192Cbc) => ContentCipher::Aes192Cbc,
        Some(CipherArg::Aes256Cbc) => ContentCipher::Aes256Cbc,
        Some(CipherArg::Aes128Gcm) => ContentCipher::Aes128Gcm,
        Some(CipherArg::Aes256Gcm) => ContentCipher::Aes256Gcm,
        Some(CipherArg::ChaCha20Poly1305) => ContentCipher::ChaCha20Poly1305,
        None => chosen_cipher(&recipients, args.store.as_deref(), args.authenticated_only)?,
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

    let signer = if args.signer.is_given() {
        Some(args.signer.load()?)
    } else {
        None
    };
    let protection = args.header_protection.protection();
    let output = Output::open(args.io.output.as_deref())?;
    // A file is read twice (length, then content) so the result is DER, which every
    // peer reads; standard input is held in memory for the same reason.
    let out = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            seal(
                BufReader::with_capacity(crate::INPUT_BUFFER, file),
                signer.as_ref(),
                &recipients,
                &options,
                protection,
                output.writer(),
            )?
        }
        None => {
            let mut buf = Vec::new();
            io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
            seal(
                Cursor::new(buf),
                signer.as_ref(),
                &recipients,
                &options,
                protection,
                output.writer(),
            )?
        }
    };
    output.commit(out)
}

/// Encrypts `input`, signed first when there is a `signer`.
fn seal<R: BufRead + Seek, W: Write>(
    input: R,
    signer: Option<&Identity>,
    recipients: &[Certificate],
    options: &EnvelopeOptions,
    protection: HeaderProtection,
    out: W,
) -> Result<W, smime::Error> {
    match signer {
        Some(id) => smime::mime::sign_and_encrypt_seekable(
            input,
            id,
            &SignOptions::default(),
            recipients,
            options,
            protection,
            out,
        ),
        None => smime::mime::encrypt_message_protected(input, recipients, options, protection, out),
    }
}

/// The library's rule ([`CipherPolicy::choose`]) over what each recipient announced:
/// the capabilities stored in `store` for an address its certificate names, unknown
/// otherwise.
fn chosen_cipher(
    recipients: &[Certificate],
    store: Option<&Path>,
    authenticated_only: bool,
) -> Result<ContentCipher, Failure> {
    let store = store.map(InstalledStore::open).transpose()?;
    let mut announced = Vec::with_capacity(recipients.len());
    for cert in recipients {
        let mut caps = None;
        if let Some(store) = &store {
            for address in cert.email_addresses() {
                let stored = store
                    .preferences(address)?
                    .and_then(|p| p.smime_capabilities)
                    .and_then(|der| parse_capabilities(&der));
                if stored.is_some() {
                    caps = stored;
                    break;
                }
            }
        }
        announced.push(caps);
    }
    let policy = if authenticated_only {
        CipherPolicy::authenticated_only()
    } else {
        CipherPolicy::default()
    };
    Ok(policy
        .choose(announced.iter().map(Option::as_deref))
        .cipher())
}
