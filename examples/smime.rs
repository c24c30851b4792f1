//! `smime`: the command-line face of the library, and the surface other tools drive
//! (like `openssl cms`). The interface is fixed in DESIGN.md.
//!
//! ```text
//! smime encrypt --recipient CERT.pem... [--cipher aes-128-cbc|aes-192-cbc|aes-256-cbc|aes-128-gcm|aes-256-gcm]
//!               [--key-transport rsa-pkcs1|rsa-oaep] [--oaep-hash sha256|sha1] [--rid issuer-serial|ski]
//!               [--in FILE] [--out FILE]
//! smime decrypt (--p12 FILE [--password-env VAR] | --cert CERT.pem --key KEY.pem [--password-env VAR])
//!               [--in FILE] [--out FILE]
//! ```
//!
//! Exit status: 0 success, 1 the operation ran but failed (not a recipient,
//! decryption failed), 2 bad usage or unreadable input. Errors are one line on stderr.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use smime::cms::{ContentCipher, EnvelopeOptions, KeyTransport, RecipientIdKind};
use smime::{Certificate, CmsError, Error, Identity};

#[derive(Parser)]
#[command(name = "smime", version, about = "S/MIME encryption and decryption")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Encrypt an RFC 5322 message to one or more recipients.
    Encrypt(EncryptArgs),
    /// Decrypt an S/MIME message with your identity.
    Decrypt(DecryptArgs),
}

#[derive(Args)]
struct Io {
    /// Input file (default: standard input).
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Output file (default: standard output).
    #[arg(long = "out", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct EncryptArgs {
    /// A recipient's certificate (PEM or DER); repeat for several recipients.
    #[arg(long = "recipient", value_name = "CERT", required = true)]
    recipients: Vec<PathBuf>,
    /// Content-encryption algorithm.
    #[arg(long, value_enum, default_value_t = CipherArg::Aes256Gcm)]
    cipher: CipherArg,
    /// RSA key transport.
    #[arg(long = "key-transport", value_enum, default_value_t = KeyTransportArg::RsaPkcs1)]
    key_transport: KeyTransportArg,
    /// Hash for RSA-OAEP (with --key-transport rsa-oaep).
    #[arg(long = "oaep-hash", value_enum, default_value_t = OaepHashArg::Sha256)]
    oaep_hash: OaepHashArg,
    /// How recipients are identified.
    #[arg(long, value_enum, default_value_t = RidArg::IssuerSerial)]
    rid: RidArg,
    #[command(flatten)]
    io: Io,
}

#[derive(Args)]
struct DecryptArgs {
    /// Your identity as PKCS#12.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cert", "key"])]
    p12: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 or private-key password.
    #[arg(long = "password-env", value_name = "VAR")]
    password_env: Option<String>,
    /// Your certificate (PEM), with --key.
    #[arg(long, value_name = "CERT", requires = "key")]
    cert: Option<PathBuf>,
    /// Your private key (PEM or DER), with --cert.
    #[arg(long, value_name = "KEY", requires = "cert")]
    key: Option<PathBuf>,
    #[command(flatten)]
    io: Io,
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

/// A failure with the exit status it maps to.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        // Operation failures (1) versus unreadable input (2).
        let code = match &e {
            Error::Cms(
                CmsError::NotARecipient
                | CmsError::DecryptionFailed
                | CmsError::UnusableRecipient { .. },
            ) => 1,
            _ => 2,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors and print in full.
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // Usage errors: one line a person (and a calling tool) can read.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid usage");
            eprintln!(
                "smime: {} (try --help)",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Encrypt(args) => encrypt(args),
        Command::Decrypt(args) => decrypt(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("smime: {}", f.message.lines().next().unwrap_or("error"));
            ExitCode::from(f.code)
        }
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} {}: {e}", path.display())))
}

fn encrypt(args: EncryptArgs) -> Result<(), Failure> {
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

fn decrypt(args: DecryptArgs) -> Result<(), Failure> {
    let password = match &args.password_env {
        Some(var) => Some(
            std::env::var(var)
                .map_err(|_| Failure::usage(format!("environment variable {var} is not set")))?,
        ),
        None => None,
    };
    let identity = match (&args.p12, &args.cert, &args.key) {
        (Some(p12), _, _) => {
            let bytes = read_file(p12, "PKCS#12 file")?;
            Identity::from_pkcs12(&bytes, password.as_deref().unwrap_or(""))?
        }
        (None, Some(cert), Some(key)) => {
            let cert = read_file(cert, "certificate")?;
            let key = read_file(key, "private key")?;
            Identity::from_pem(&cert, &key, password.as_deref().map(str::as_bytes))?
        }
        _ => {
            return Err(Failure::usage(
                "give --p12 FILE, or --cert CERT.pem with --key KEY.pem",
            ));
        }
    };
    let output = Output::open(args.io.output.as_deref())?;
    let out = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            smime::decrypt_message(BufReader::new(file), &identity, output.writer())?.0
        }
        None => smime::decrypt_message(io::stdin().lock(), &identity, output.writer())?.0,
    };
    output.commit(out)
}

/// Output that appears only on success: a temporary file renamed over `--out`, or
/// a buffer copied to stdout (a failed decryption writes nothing).
enum Output {
    File {
        temp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    Stdout,
}

impl Output {
    fn open(path: Option<&Path>) -> Result<Self, Failure> {
        match path {
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let temp = tempfile::NamedTempFile::new_in(dir)
                    .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
                Ok(Output::File {
                    temp,
                    path: path.to_owned(),
                })
            }
            None => Ok(Output::Stdout),
        }
    }

    fn writer(&self) -> Box<dyn Write> {
        match self {
            Output::File { temp, .. } => match temp.reopen() {
                Ok(f) => Box::new(io::BufWriter::new(f)),
                Err(_) => Box::new(io::sink()),
            },
            Output::Stdout => Box::new(SpoolToStdout::default()),
        }
    }

    fn commit(self, mut written: Box<dyn Write>) -> Result<(), Failure> {
        written
            .flush()
            .map_err(|e| Failure::usage(format!("cannot write output: {e}")))?;
        drop(written);
        match self {
            Output::File { temp, path } => temp
                .persist(&path)
                .map(drop)
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display()))),
            Output::Stdout => Ok(()),
        }
    }
}

/// Collects output in a temporary spool and copies it to stdout on flush, so that a
/// failure part-way leaves stdout empty.
#[derive(Default)]
struct SpoolToStdout {
    spool: Option<tempfile::SpooledTempFile>,
}

impl Write for SpoolToStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.spool
            .get_or_insert_with(|| tempfile::SpooledTempFile::new(16 << 20))
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        use std::io::Seek;
        if let Some(mut spool) = self.spool.take() {
            spool.seek(io::SeekFrom::Start(0))?;
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            io::copy(&mut spool, &mut lock)?;
            lock.flush()?;
        }
        Ok(())
    }
}
