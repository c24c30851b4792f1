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
}

pub fn run(args: DecryptArgs) -> Result<(), Failure> {
    let identity = args.identity.load()?;
    let output = Output::open(args.io.output.as_deref())?;
    let out = match &args.io.input {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            smime::mime::decrypt_message(BufReader::new(file), &identity, output.writer())?.0
        }
        None => smime::mime::decrypt_message(io::stdin().lock(), &identity, output.writer())?.0,
    };
    output.commit(out)
}
