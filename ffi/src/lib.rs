//! The `smime` mail-app story for Swift, Kotlin and Python, through UniFFI
//! (proc-macros, no UDL): [`Certificate`], [`Identity`], and [`Client`] — one account
//! that checks recipients, seals, opens, trusts, installs and removes.
//!
//! This crate is glue only: every decision is the `smime` library's. Build the
//! `cdylib` (`libsmime_uniffi`), then generate the foreign sources with the
//! `uniffi-bindgen` binary of this crate (`generate --library`); see the README.
//! Every call returns a typed [`SmimeError`] on failure, and a panic inside Rust comes
//! back as [`SmimeError::Internal`] instead of crossing the boundary.

// UniFFI's generated scaffolding is `extern "C"` glue that needs `unsafe`; our own
// code has none (`deny` lets the macro's expansion through, `forbid` would not).
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod certificate;
mod client;
mod error;
mod opened;
mod report;

pub use certificate::{Certificate, Identity};
pub use client::{Client, Installed};
pub use error::{SmimeError, check_panic_boundary};
pub use opened::{NestedEncryptedPart, Opened, Signer, SignerStatus};
pub use report::{Designation, Recipient, Report, Role, SealedCopy};

uniffi::setup_scaffolding!("smime");
