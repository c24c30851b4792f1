//! `smime decrypt`: an S/MIME message in, the decrypted MIME entity out.

use std::fs::File;
use std::io::{self, BufReader};

use clap::Args;

use crate::Io;
use crate::failure::Failure;
use crate::identity_args::IdentityArgs;
use crate::output::Output;

#[derive(Args)]
pub struct DecryptArgs {
    #[command(flatten)]
    identity: IdentityArgs,
    #[command(flatten)]
    pub io: Io,
    /// Refuse content that is not integrity-protected (CBC, not AES-GCM or
    /// ChaCha20-Poly1305): exit 1 and write nothing.
    #[arg(long = "require-authenticated")]
    pub require_authenticated: bool,
}

pub fn run(args: DecryptArgs) -> Result<(), Failure> {
    let identity = args.identity.load()?;
    let output = Output::open(args.io.output.as_deref())?;
    let (out, info) = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            smime::mime::decrypt_message(BufReader::new(file), &identity, output.writer())?
        }
        None => smime::mime::decrypt_message(io::stdin().lock(), &identity, output.writer())?,
    };
    // Issue 15 finding 8: whether the content was authenticated is said, not dropped.
    if !info.authenticated() {
        if args.require_authenticated {
            // `output` is dropped uncommitted: nothing is written.
            return Err(crate::failure::Failure {
                code: 1,
                message: UNAUTHENTICATED_REFUSED.into(),
            });
        }
        eprintln!("smime: warning: {UNAUTHENTICATED}");
    }
    output.commit(out)
}

/// What stderr says about CBC content (RFC 8551 §2.7, EFAIL).
const UNAUTHENTICATED: &str = "the content was not integrity-protected (CBC): it may have been \
     altered in transit; only a valid signature inside it protects it";

/// Why `--require-authenticated` refused the content.
const UNAUTHENTICATED_REFUSED: &str = "the content is not integrity-protected (CBC, not \
     AES-GCM or ChaCha20-Poly1305); refused by --require-authenticated, nothing written";
