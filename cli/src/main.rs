//! `smime`: the command-line face of the library, and the surface other tools drive
//! (like `openssl cms`). The interface is fixed in DESIGN.md.
//!
//! ```text
//! smime encrypt --recipient CERT.pem... [--cipher aes-128-cbc|aes-192-cbc|aes-256-cbc|aes-128-gcm|aes-256-gcm|chacha20-poly1305]
//!               [--store DIR] [--authenticated-only]   (no --cipher: RFC 8551 §2.7.1 rule,
//!                                                       AES-256-CBC unless all announced better)
//!               [--key-transport rsa-pkcs1|rsa-oaep] [--oaep-hash sha256|sha1] [--rid issuer-serial|ski]
//!               [--in FILE] [--out FILE]
//! smime decrypt (--p12 FILE [--password-env VAR] | --cert CERT.pem --key KEY.pem [--password-env VAR])
//!               [--in FILE] [--out FILE]
//! smime lookup  --to ADDR... <directory options>          (JSON per address)
//! smime check   --to ADDR... [--cc ADDR...] [--bcc ADDR...] [--from ADDR] <directory options>
//!               [--trust-anchor CA.pem...] [--at RFC3339] [--authenticated-only]
//!                                          (JSON per recipient + designation + cipher and why)
//! smime install --store DIR (--cert CERT.pem [--for ADDR]... | --from-message SIGNED.eml [--trust])
//! smime remove  --store DIR (--fingerprint SHA256 | --address ADDR)
//!
//! directory options: --store DIR --contacts FILE_OR_DIR...
//!                    --ldap URL --ldap-base DN [--ldap-bind-dn DN --ldap-password-env VAR
//!                      [--ldap-allow-plaintext-bind]]
//!                    --eas URL --eas-user USER (--eas-password-env VAR | --eas-token-env VAR)
//!                          [--eas-ca PEM...] [--eas-insecure-http]
//! ```
//!
//! Exit status: 0 success, 1 the operation ran but failed (not a recipient,
//! decryption failed), 2 bad usage or unreadable input. Errors are one line on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "smime", version, about = "S/MIME encryption and decryption")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Encrypt an RFC 5322 message to one or more recipients.
    Encrypt(encrypt::EncryptArgs),
    /// Decrypt an S/MIME message with your identity.
    Decrypt(decrypt::DecryptArgs),
    /// Sign an RFC 5322 message (multipart/signed, or opaque with --opaque).
    Sign(sign::SignArgs),
    /// Verify a signed (and possibly encrypted) message; JSON report per signer.
    Verify(verify::VerifyArgs),
    /// Print the certificates a message carries (PEM).
    Certs(certs::CertsArgs),
    /// Look certificates up in the configured directories (JSON).
    Lookup(lookup::LookupArgs),
    /// Which recipients can be encrypted to, and why not (JSON).
    Check(check::CheckArgs),
    /// Install a certificate in the installed-certificate store.
    Install(install::InstallArgs),
    /// Remove a certificate from the installed-certificate store.
    Remove(remove::RemoveArgs),
}

mod certs;
mod check;
mod decrypt;
mod directory_args;
mod eas_args;
mod encrypt;
mod failure;
mod header_args;
mod identity_args;
mod install;
mod lookup;
mod output;
mod remove;
mod sign;
mod verify;
mod write_thread;

#[derive(Args)]
pub struct Io {
    /// Input file (default: standard input).
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output file, written whole on success through a temporary file beside it
    /// (default: standard output, held in memory until success, at most 64 MiB; the
    /// output is never spilled to $TMPDIR).
    #[arg(long = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Input read per system call when sealing a file: fewer, larger reads than
/// `BufReader`'s 8 KiB, and below the library's 512 KiB chunks, which then go from the
/// file straight into their buffer.
pub const INPUT_BUFFER: usize = 64 << 10;

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
        Command::Encrypt(args) => encrypt::run(args),
        Command::Decrypt(args) => decrypt::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Certs(args) => certs::run(args),
        Command::Lookup(args) => lookup::run(args),
        Command::Check(args) => check::run(args),
        Command::Install(args) => install::run(args),
        Command::Remove(args) => remove::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("smime: {}", f.message.lines().next().unwrap_or("error"));
            ExitCode::from(f.code)
        }
    }
}
