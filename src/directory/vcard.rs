//! The part of vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) the contacts source needs:
//! content lines, EMAIL and KEY.
//!
//! Why not a vCard crate: `calcard` (the mail-parser authors') parses everything,
//! but brings chrono-tz, ahash and a second `mail-builder` (1.x beside our 0.4) into
//! the default graph for two properties; `vcard4` reads 4.0 only, and `ical` pins
//! thiserror 1 beside our 2 and has not had a release in years. Reading two properties
//! needs only RFC 6350 §3.2 (unfolding) and §3.3 (content lines), done here without
//! panics on any input and with bounded memory (the caller caps the file size).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::address::EmailAddress;

/// What one vCard holds for us.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Card {
    /// EMAIL properties that parse as addresses.
    pub emails: Vec<EmailAddress>,
    /// KEY properties that carry inline certificate bytes (DER, not yet parsed).
    pub keys: Vec<Vec<u8>>,
}

/// Parses every `BEGIN:VCARD` … `END:VCARD` in `text`. Lines outside a card and
/// properties that cannot be read are skipped; `problems` collects why.
pub(crate) fn parse(text: &str, problems: &mut Vec<String>) -> Vec<Card> {
    let mut cards = Vec::new();
    let mut current: Option<Card> = None;
    for (number, line) in unfold(text) {
        let Some(line) = ContentLine::parse(&line) else {
            problems.push(format!("line {number}: not a content line"));
            continue;
        };
        let name = line.name.to_ascii_uppercase();
        let value = line.value.trim();
        match (name.as_str(), current.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VCARD") => {
                current = Some(Card::default())
            }
            ("END", Some(_)) if value.eq_ignore_ascii_case("VCARD") => {
                cards.extend(current.take());
            }
            ("EMAIL", Some(card)) => match EmailAddress::parse(&unescape_text(value)) {
                Ok(a) => card.emails.push(a),
                Err(e) => problems.push(format!("line {number}: {e}")),
            },
            ("KEY", Some(card)) => match key_bytes(&line) {
                Some(Ok(der)) => card.keys.push(der),
                Some(Err(e)) => problems.push(format!("line {number}: KEY: {e}")),
                None => {}
            },
            _ => {}
        }
    }
    if current.is_some() {
        problems.push("the last vCard has no END:VCARD".into());
    }
    cards
}

/// Unfolds lines (RFC 6350 §3.2: CRLF followed by a space or tab continues the line),
/// with the number of each logical line's first physical line.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ if raw.is_empty() => {}
            _ => out.push((i + 1, raw.to_owned())),
        }
    }
    out
}

/// `[group.]name *(";" param) ":" value` (RFC 6350 §3.3).
struct ContentLine<'a> {
    name: &'a str,
    params: Vec<(String, String)>,
    value: &'a str,
}

impl<'a> ContentLine<'a> {
    fn parse(line: &'a str) -> Option<Self> {
        // The first ':' outside a quoted parameter value ends the name and params.
        let mut in_quotes = false;
        let mut colon = None;
        for (i, c) in line.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ':' if !in_quotes => {
                    colon = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let colon = colon?;
        let head = line.get(..colon)?;
        let value = line.get(colon + 1..)?;
        let mut parts = split_unquoted(head, ';').into_iter();
        let name_with_group = parts.next()?;
        let name = name_with_group
            .rsplit_once('.')
            .map_or(name_with_group, |(_, n)| n);
        if name.is_empty() {
            return None;
        }
        let params = parts
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_ascii_uppercase(), v.trim_matches('"').to_owned()),
                // vCard 2.1/3.0 bare parameters (`KEY;X509;BASE64:`) are TYPE values.
                None => ("TYPE".to_owned(), p.to_owned()),
            })
            .collect();
        Some(ContentLine {
            name,
            params,
            value,
        })
    }

    /// Every value of parameter `key` (comma lists split).
    fn param(&self, key: &str) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(move |(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
    }
}

fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if c == sep && !in_quotes {
            out.extend(s.get(start..i));
            start = i + c.len_utf8();
        }
    }
    out.extend(s.get(start..));
    out
}

/// RFC 6350 §3.4 text escapes.
fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The certificate bytes of a KEY property, `None` when it is not an inline X.509
/// certificate (a URL, a PGP key).
///
/// * vCard 4.0 (RFC 6350 §6.8.1): `KEY:data:application/pkix-cert;base64,MII…`
///   (RFC 2397 data URI).
/// * vCard 3.0 (RFC 2426 §3.7.4): `KEY;TYPE=X509;ENCODING=b:MII…` (2.1 writes
///   `ENCODING=BASE64` or bare `BASE64`).
fn key_bytes(line: &ContentLine<'_>) -> Option<Result<Vec<u8>, String>> {
    let value = line.value.trim();
    let decode = |b64: &str| {
        let clean: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        BASE64
            .decode(clean.as_bytes())
            .map_err(|e| format!("invalid base64: {e}"))
    };
    if let Some(uri) = value
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .and_then(|_| value.get(5..))
    {
        let (meta, data) = uri.split_once(',')?;
        let mut meta = meta.split(';');
        let media = meta.next().unwrap_or_default().to_ascii_lowercase();
        if !meta.any(|m| m.eq_ignore_ascii_case("base64")) {
            return Some(Err("data URI is not base64".into()));
        }
        let x509 = media.is_empty()
            || matches!(
                media.as_str(),
                "application/pkix-cert"
                    | "application/x-x509-user-cert"
                    | "application/x-x509-ca-cert"
            );
        return x509.then(|| decode(data));
    }
    let inline = line
        .param("ENCODING")
        .any(|e| e.eq_ignore_ascii_case("b") || e.eq_ignore_ascii_case("base64"))
        || line.param("TYPE").any(|t| t.eq_ignore_ascii_case("base64"));
    if !inline {
        return None; // A URI (4.0 `KEY:https://…`, 3.0 `VALUE=uri`): not fetched.
    }
    let types: Vec<&str> = line
        .param("TYPE")
        .filter(|t| !t.eq_ignore_ascii_case("base64"))
        .collect();
    let x509 = types.is_empty()
        || types.iter().any(|t| {
            t.eq_ignore_ascii_case("x509") || t.eq_ignore_ascii_case("application/pkix-cert")
        });
    x509.then(|| decode(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_3_0_and_4_0_keys_and_emails() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL;TYPE=INTERNET:a@example.com\r\n\
                    KEY;TYPE=X509;ENCODING=b:AAEC\r\n AwQ=\r\nKEY;TYPE=PGP;ENCODING=b:AAAA\r\n\
                    END:VCARD\r\nBEGIN:VCARD\nVERSION:4.0\nitem1.EMAIL;PREF=1:B@Example.com\n\
                    KEY;MEDIATYPE=\"application/pkix-cert\":data:application/pkix-cert;base64,BQY=\n\
                    KEY:https://example.com/key.cer\nEND:VCARD\n";
        let mut problems = Vec::new();
        let cards = parse(text, &mut problems);
        assert_eq!(cards.len(), 2, "{problems:?}");
        assert_eq!(cards[0].emails[0].as_str(), "a@example.com");
        assert_eq!(cards[0].keys, vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(cards[1].emails[0].normalized(), "b@example.com");
        assert_eq!(cards[1].keys, vec![vec![5, 6]]);
    }

    #[test]
    fn hostile_lines_do_not_panic() {
        let mut problems = Vec::new();
        for text in [
            "",
            ":",
            "BEGIN:VCARD\n\"",
            "BEGIN:VCARD\nKEY;ENCODING=b:@@@\n",
            "\u{e9}:\u{e9}",
            "BEGIN:VCARD\nKEY:data:\nKEY:data:,\nKEY:data;base64\n",
            " folded first",
        ] {
            let _ = parse(text, &mut problems);
        }
        assert!(!problems.is_empty());
    }
}
