//! `smime sign`: an RFC 5322 message in, a signed message out (multipart/signed by
//! default, opaque signed-data with `--opaque`).

use std::fs::File;
use std::io::{self, BufReader};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use smime::Certificate;
use smime::cms::{DigestAlgorithm, RsaSignaturePadding, SignOptions, SignerIdKind};
use smime::mime::SignFormat;

use crate::Io;
use crate::failure::{Failure, read_file};
use crate::identity_args::IdentityArgs;
use crate::output::Output;

#[derive(Args)]
pub struct SignArgs {
    #[command(flatten)]
    identity: IdentityArgs,
    /// More certificates to carry (PEM), e.g. the intermediate CAs.
    #[arg(long, value_name = "PEM")]
    chain: Vec<PathBuf>,
    /// Opaque signed-data instead of multipart/signed.
    #[arg(long)]
    opaque: bool,
    #[command(flatten)]
    header_protection: crate::header_args::HeaderProtectionArgs,
    /// Message digest.
    #[arg(long, value_enum, default_value_t = DigestArg::Sha256)]
    digest: DigestArg,
    /// RSA signature scheme.
    #[arg(long = "rsa-padding", value_enum, default_value_t = PaddingArg::Pkcs1)]
    rsa_padding: PaddingArg,
    /// How the signer is identified.
    #[arg(long, value_enum, default_value_t = SidArg::IssuerSerial)]
    sid: SidArg,
    #[command(flatten)]
    pub io: Io,
}

#[derive(Clone, Copy, ValueEnum)]
enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Clone, Copy, ValueEnum)]
enum PaddingArg {
    Pkcs1,
    Pss,
}

#[derive(Clone, Copy, ValueEnum)]
enum SidArg {
    IssuerSerial,
    Ski,
}

pub fn run(args: SignArgs) -> Result<(), Failure> {
    let identity = args.identity.load()?;
    let mut extra = Vec::new();
    for path in &args.chain {
        let bytes = read_file(path, "certificate")?;
        extra.extend(
            Certificate::load(&bytes)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?,
        );
    }
    let options = SignOptions::default()
        .digest(match args.digest {
            DigestArg::Sha256 => DigestAlgorithm::Sha256,
            DigestArg::Sha384 => DigestAlgorithm::Sha384,
            DigestArg::Sha512 => DigestAlgorithm::Sha512,
        })
        .rsa_padding(match args.rsa_padding {
            PaddingArg::Pkcs1 => RsaSignaturePadding::Pkcs1v15,
            PaddingArg::Pss => RsaSignaturePadding::Pss,
        })
        .signer_id(match args.sid {
            SidArg::IssuerSerial => SignerIdKind::IssuerAndSerial,
            SidArg::Ski => SignerIdKind::SubjectKeyId,
        });
    let format = if args.opaque {
        SignFormat::Opaque
    } else {
        SignFormat::Detached
    };
    // `--chain` certificates join the identity's own chain.
    let identity = if extra.is_empty() {
        identity
    } else {
        identity.with_extra_chain(extra)
    };
    let protection = args.header_protection.protection();
    let output = Output::open(args.io.output.as_deref())?;
    let out = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            smime::mime::sign_message_protected(
                BufReader::with_capacity(crate::INPUT_BUFFER, file),
                &identity,
                &options,
                format,
                protection,
                output.writer(),
            )?
        }
        None => smime::mime::sign_message_protected(
            io::stdin().lock(),
            &identity,
            &options,
            format,
            protection,
            output.writer(),
        )?,
    };
    output.commit(out)
}
