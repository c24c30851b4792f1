//! `--no-header-protection` and `--legacy-display` for `encrypt` and `sign`
//! (RFC 9788; the library's [`HeaderProtection`]).

use clap::{Args, ValueEnum};
use smime::mime::HeaderProtection;

#[derive(Args)]
pub struct HeaderProtectionArgs {
    /// Seal as before RFC 9788: the header fields stay outside only (the outer
    /// Subject in the clear when encrypting). By default the header section is
    /// copied into the signed/encrypted part (hp="clear"/"cipher") and an encrypted
    /// message shows Subject "[...]" outside.
    #[arg(long = "no-header-protection")]
    no_header_protection: bool,
    /// Legacy Display Element (RFC 9788 §4.5) in an encrypted text/plain body, for
    /// clients without header protection: on by default (the recipients' support is
    /// unknown); `--legacy-display off` leaves it out.
    #[arg(
        long = "legacy-display",
        value_enum,
        value_name = "on|off",
        default_value = "on",
        num_args = 0..=1,
        default_missing_value = "on"
    )]
    legacy_display: OnOff,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

impl HeaderProtectionArgs {
    /// The library setting these flags ask for.
    pub fn protection(&self) -> HeaderProtection {
        if self.no_header_protection {
            return HeaderProtection::off();
        }
        HeaderProtection::default().with_legacy_display(matches!(self.legacy_display, OnOff::On))
    }
}
