//! `smime verify`: open a received message (decrypting with `--p12`/`--cert --key`
//! when it is encrypted) and print one JSON object per signer. Exit 0 only when the
//! whole message is signed and every signer is Valid, 1 otherwise.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::Args;
use serde_json::{Value, json};
use smime::Certificate;
use smime::reader::SignatureStatus;
use smime::reader::{self, Layer, SignedScope};
use smime::trust::{Crl, Policy, RevocationCheck, TrustStore};

use crate::Io;
use crate::failure::{Failure, read_file};
use crate::identity_args::IdentityArgs;

#[derive(Args)]
pub struct VerifyArgs {
    /// A trusted root (PEM or DER); repeatable.
    #[arg(long = "trust-anchor", value_name = "CA")]
    trust_anchors: Vec<PathBuf>,
    /// Extra untrusted intermediates (PEM); repeatable.
    #[arg(long = "untrusted", value_name = "PEM")]
    untrusted: Vec<PathBuf>,
    /// A CRL (PEM or DER); repeatable.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Reference time (RFC 3339, e.g. 2026-11-23T12:00:00Z, or Unix seconds); default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Accept SHA-1, MD5 and RSA below 2048 bits (down to 512) from old mail, with a warning.
    #[arg(long)]
    historic: bool,
    /// Fail when a certificate's revocation status cannot be determined from CRLs.
    #[arg(long = "require-revocation")]
    require_revocation: bool,
    /// Write the verified content here, only when every signature is valid (written
    /// whole through a temporary file beside FILE, never a partial file).
    #[arg(long = "content-out", value_name = "FILE")]
    content_out: Option<PathBuf>,
    /// The installed-certificate store `--learn` writes to.
    #[arg(long, value_name = "DIR", requires = "learn")]
    store: Option<PathBuf>,
    /// Collect the certificate and capabilities of every Valid signer into --store
    /// (marked "collected from a verified message"), so a reply can be encrypted.
    #[arg(long, requires = "store")]
    learn: bool,
    #[command(flatten)]
    identity: IdentityArgs,
    #[command(flatten)]
    pub io: Io,
}

pub fn run(args: VerifyArgs) -> Result<(), Failure> {
    let mut trust = TrustStore::new();
    for path in &args.trust_anchors {
        let bytes = read_file(path, "trust anchor")?;
        for c in Certificate::load(&bytes)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        {
            trust.add_anchor(c);
        }
    }
    for path in &args.untrusted {
        let bytes = read_file(path, "certificate")?;
        for c in Certificate::load(&bytes)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        {
            trust.add_intermediate(c);
        }
    }
    for path in &args.crl {
        let bytes = read_file(path, "CRL")?;
        for c in
            Crl::load(&bytes).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        {
            trust.add_crl(c);
        }
    }
    let time = match &args.at {
        Some(t) => parse_time(t)
            .ok_or_else(|| Failure::usage(format!("--at {t:?} is not an RFC 3339 time")))?,
        None => SystemTime::now(),
    };
    let mut policy = if args.historic {
        Policy::historic()
    } else {
        Policy::email()
    };
    if args.require_revocation {
        policy.revocation = RevocationCheck::Required;
    }
    let identities = match args.identity.is_given() {
        true => vec![args.identity.load()?],
        false => Vec::new(),
    };
    let refs: Vec<&smime::Identity> = identities.iter().collect();
    // Streaming: memory does not grow with the message; the content is spooled.
    let input: Box<dyn std::io::Read> =
        match args.io.input.as_deref() {
            Some(path) => Box::new(std::fs::File::open(path).map_err(|e| {
                Failure::usage(format!("cannot read input {}: {e}", path.display()))
            })?),
            None => Box::new(std::io::stdin().lock()),
        };
    let mut opened = reader::open_stream(input, &refs, &trust, &policy, time)?;
    let mut signers = Vec::new();
    for layer in opened.layers() {
        if let Layer::Signed {
            signers: reports,
            detached,
            ..
        } = layer
        {
            for s in reports {
                signers.push(signer_json(s, *detached));
            }
        }
    }
    let scope = match opened.signed_scope() {
        SignedScope::NotSigned => "not-signed",
        SignedScope::WholeMessage => "whole-message",
        SignedScope::Partial => "partial",
        _ => "unknown",
    };
    let valid = opened.is_signature_valid();
    let learnt = match &args.store {
        Some(dir) if args.learn => {
            let store = smime::directory::InstalledStore::open(dir)?;
            let l = smime::keep::learn(&store, &opened, time)?;
            Some(json!({
                "address": l.address.map(|a| a.to_string()),
                "collected": l.collected.iter().map(|c| c.fingerprint_hex()).collect::<Vec<_>>(),
                "already_known": l.already_known,
                "refused": l.refused,
                "preferences_updated": l.preferences_updated,
            }))
        }
        _ => None,
    };
    let protection = opened.header_protection().map(|hp| {
        json!({
            "scheme": match hp.scheme() {
                smime::mime::HpScheme::Cipher => "cipher",
                smime::mime::HpScheme::Clear => "clear",
                _ => "protected-headers-v1",
            },
            "fields": hp.names(),
            "confidential": hp.confidential(),
            "hp_outer": hp.hp_outer().iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>(),
        })
    });
    let report = json!({
        "subject": opened.subject(),
        "header_protection": protection,
        "learnt": learnt,
        "valid": valid,
        "signed_scope": scope,
        "from": opened.from().map(|f| f.to_string()),
        "header_mismatch": opened.header_mismatch(),
        "decryption_authenticated": opened.decryption_authenticated(),
        "signers": signers,
    });
    let text = serde_json::to_string_pretty(&report).map_err(|e| Failure::usage(e.to_string()))?;
    crate::failure::write_output(args.io.output.as_deref(), format!("{text}\n").as_bytes())?;
    // Issue 15 finding 8: the content only for a valid verdict, written atomically.
    if let (Some(path), true) = (&args.content_out, valid) {
        let output = crate::output::Output::open(Some(path))?;
        let mut writer = output.writer();
        opened
            .content_mut()
            .copy_to(&mut writer)
            .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
        output.commit(writer)?;
    }
    if valid {
        Ok(())
    } else {
        let not_written = match &args.content_out {
            Some(path) => format!("; {} not written", path.display()),
            None => String::new(),
        };
        Err(Failure {
            code: 1,
            message: match signers.is_empty() {
                true => format!("the message is not signed{not_written}"),
                false => format!("not every signature is valid{not_written}"),
            },
        })
    }
}

fn signer_json(s: &smime::reader::SignerReport, detached: bool) -> Value {
    let (status, reason) = match s.status() {
        SignatureStatus::Valid => ("valid", None),
        SignatureStatus::Invalid {
            reason: smime::cms::InvalidReason::Chain(e),
        } => (
            "invalid",
            Some(format!("the signer's certificate is not acceptable: {e}")),
        ),
        SignatureStatus::Invalid { reason } => ("invalid", Some(reason.to_string())),
        SignatureStatus::UntrustedIssuer { error } => ("untrusted-issuer", Some(error.to_string())),
        SignatureStatus::Expired { error } => ("expired", Some(error.to_string())),
        SignatureStatus::Revoked { error } => ("revoked", Some(error.to_string())),
        SignatureStatus::AddressMismatch { .. } => {
            ("address-mismatch", Some(s.status().to_string()))
        }
        other => ("invalid", Some(other.to_string())),
    };
    let cert = s.certificate();
    json!({
        "status": status,
        "reason": reason,
        "detached": detached,
        "subject": cert.map(|c| c.subject()),
        "issuer": cert.map(|c| c.issuer()),
        "addresses": cert.map(|c| c.email_addresses().iter().map(|a| a.to_string()).collect::<Vec<_>>()),
        "fingerprint_sha256": cert.map(|c| c.fingerprint_hex()),
        "signing_time": s.signing_time().and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok()).map(|d| d.as_secs()),
    })
}

/// RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`) or Unix seconds.
pub(crate) fn parse_time(s: &str) -> Option<SystemTime> {
    if let Ok(secs) = s.parse::<u64>() {
        return Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let dt = der::DateTime::new(
        num(0..4)?,
        num(5..7)? as u8,
        num(8..10)? as u8,
        num(11..13)? as u8,
        num(14..16)? as u8,
        num(17..19)? as u8,
    )
    .ok()?;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        tz => {
            let sign = match tz.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let h: i64 = tz.get(1..3)?.parse().ok()?;
            let m: i64 = tz.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let utc = dt.unix_duration().as_secs() as i64 - offset;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(utc).ok()?))
}
