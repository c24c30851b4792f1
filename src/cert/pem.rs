//! PEM armour (RFC 7468) for files that hold several blocks of different kinds.
//!
//! `pem-rfc7468` decodes exactly one block; certificate bundles and "cert + key"
//! files hold many, with text between them, so we split here and let the `base64`
//! crate decode each body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block.
pub(crate) struct Block {
    pub label: String,
    pub der: Vec<u8>,
}

/// Whether the input starts (after whitespace) with PEM armour anywhere in its first
/// few kilobytes.
pub(crate) fn looks_like_pem(input: &[u8]) -> bool {
    let head = input.get(..4096).unwrap_or(input);
    head.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Every well-formed block in the input, in order. Malformed blocks (bad base64,
/// missing END) are skipped; callers report "no certificate/key found" when nothing
/// usable remains.
pub(crate) fn blocks(input: &[u8]) -> Vec<Block> {
    let text = String::from_utf8_lossy(input);
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for inner in lines.by_ref() {
            let inner = inner.trim();
            if inner == end {
                closed = true;
                break;
            }
            // RFC 1421 encapsulated headers ("Proc-Type: …") are not base64.
            if inner.contains(':') {
                continue;
            }
            body.push_str(inner);
        }
        if closed && let Ok(der) = STANDARD.decode(body.as_bytes()) {
            out.push(Block {
                label: label.to_owned(),
                der,
            });
        }
    }
    out
}

/// PEM-encodes `der` under `label`, in 64-character lines (RFC 7468 §2).
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_several_blocks_with_text_between() {
        let a = encode("CERTIFICATE", b"abc");
        let b = encode("PRIVATE KEY", b"defg");
        let input = format!("subject=foo\n{a}junk\n{b}");
        let got = blocks(input.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].label, "CERTIFICATE");
        assert_eq!(got[0].der, b"abc");
        assert_eq!(got[1].der, b"defg");
    }

    #[test]
    fn unterminated_block_is_skipped() {
        assert!(blocks(b"-----BEGIN CERTIFICATE-----\nYWJj\n").is_empty());
    }
}
