//! The `Content-Type` and `Content-Transfer-Encoding` field values.
//!
//! `Content-Type` (RFC 2045 §5.1) is `type "/" subtype *(";" parameter)`, where a
//! parameter value is a token or a quoted string. Real mail is sloppier than the
//! grammar (unquoted values with `=` in them, stray white space, comments), so the
//! parser accepts those forms instead of rejecting the message. RFC 2231 extended
//! parameters (`name*=`) are kept under their literal name and not decoded.

use crate::error::MimeError;

/// A parsed `Content-Type` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    mime_type: String,
    params: Vec<(String, String)>,
}

impl ContentType {
    /// Parses a `Content-Type` field value such as
    /// `application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"`.
    ///
    /// Type and subtype are lower-cased (they are case-insensitive, RFC 2045 §5.1), as
    /// are parameter names; parameter values are unquoted but keep their case. A value
    /// without `type/subtype` is [`MimeError::Malformed`].
    pub fn parse(value: &str) -> Result<Self, MimeError> {
        let mut s = Scanner { rest: value };
        s.skip_cfws();
        let ty = s.token();
        s.skip_cfws();
        let slash = s.eat('/');
        s.skip_cfws();
        let subtype = s.token();
        if ty.is_empty() || !slash || subtype.is_empty() {
            return Err(MimeError::Malformed {
                reason: format!("Content-Type {value:?} has no type/subtype"),
            });
        }
        let mime_type = format!("{ty}/{subtype}").to_ascii_lowercase();
        let params = s.params();
        Ok(ContentType { mime_type, params })
    }

    /// The lower-cased `type/subtype`, e.g. `application/pkcs7-mime`.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }

    /// Every parameter as (lower-cased name, unquoted value), in order.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The value of the first parameter called `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the type is `multipart/*`.
    pub fn is_multipart(&self) -> bool {
        self.mime_type.starts_with("multipart/")
    }
}

/// The `filename` parameter of a `Content-Disposition` value (RFC 2183 §2.3), such as
/// `attachment; filename="smime.p7m"`.
pub(crate) fn disposition_filename(value: &str) -> Option<String> {
    let mut s = Scanner { rest: value };
    s.skip_cfws();
    s.token();
    s.params()
        .into_iter()
        .find(|(n, _)| n == "filename")
        .map(|(_, v)| v)
}

/// A `Content-Transfer-Encoding` value (RFC 2045 §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferEncoding {
    /// `7bit`, also the default when the field is absent.
    SevenBit,
    /// `8bit`.
    EightBit,
    /// `binary`.
    Binary,
    /// `base64` (RFC 2045 §6.8).
    Base64,
    /// `quoted-printable` (RFC 2045 §6.7).
    QuotedPrintable,
    /// Anything else, lower-cased (e.g. `x-uuencode`).
    Other(String),
}

impl TransferEncoding {
    /// Parses a field value; the names are case-insensitive.
    pub fn parse(value: &str) -> Self {
        // A comment may follow the mechanism, e.g. `base64 (encoded)`.
        let value = value.split(['(', ';']).next().unwrap_or_default().trim();
        match value.to_ascii_lowercase().as_str() {
            "7bit" | "" => TransferEncoding::SevenBit,
            "8bit" => TransferEncoding::EightBit,
            "binary" => TransferEncoding::Binary,
            "base64" => TransferEncoding::Base64,
            "quoted-printable" => TransferEncoding::QuotedPrintable,
            other => TransferEncoding::Other(other.to_owned()),
        }
    }
}

/// A cursor over a field value.
struct Scanner<'a> {
    rest: &'a str,
}

/// RFC 2045 §5.1 `tspecials`, which end a token.
fn is_tspecial(c: char) -> bool {
    "()<>@,;:\\\"/[]?=".contains(c)
}

impl<'a> Scanner<'a> {
    /// The `;`-separated parameters that follow a type.
    fn params(&mut self) -> Vec<(String, String)> {
        let mut params = Vec::new();
        loop {
            self.skip_cfws();
            if self.rest.is_empty() {
                break;
            }
            if !self.eat(';') {
                // Junk between parameters: skip to the next separator.
                self.skip_to(';');
                continue;
            }
            self.skip_cfws();
            let name = self.token().to_ascii_lowercase();
            self.skip_cfws();
            if name.is_empty() || !self.eat('=') {
                self.skip_to(';');
                continue;
            }
            self.skip_cfws();
            let value = if self.rest.starts_with('"') {
                self.quoted_string()
            } else {
                self.loose_value()
            };
            params.push((name, value));
        }
        params
    }

    /// Skips white space and RFC 5322 comments (which may nest).
    fn skip_cfws(&mut self) {
        loop {
            self.rest = self.rest.trim_start();
            if !self.rest.starts_with('(') {
                return;
            }
            let mut depth = 0usize;
            let mut escaped = false;
            let mut end = self.rest.len();
            for (i, c) in self.rest.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '(' => depth += 1,
                    ')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            self.rest = self.rest.get(end..).unwrap_or_default();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn skip_to(&mut self, c: char) {
        let end = self.rest.find(c).unwrap_or(self.rest.len());
        self.rest = self.rest.get(end..).unwrap_or_default();
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self
            .rest
            .char_indices()
            .find(|&(_, c)| !keep(c))
            .map_or(self.rest.len(), |(i, _)| i);
        let (head, tail) = self.rest.split_at(end);
        self.rest = tail;
        head
    }

    /// An RFC 2045 token.
    fn token(&mut self) -> &'a str {
        self.take_while(|c| !c.is_whitespace() && !c.is_control() && !is_tspecial(c))
    }

    /// A parameter value that is not quoted: a token, but tolerating characters
    /// senders leave unquoted in practice (`boundary=----=_Part_1`, `name=a/b`).
    fn loose_value(&mut self) -> String {
        self.take_while(|c| c != ';' && !c.is_whitespace() && !c.is_control())
            .to_owned()
    }

    /// An RFC 5322 quoted string (the scanner is at its opening quote); an
    /// unterminated string runs to the end of the value.
    fn quoted_string(&mut self) -> String {
        let mut out = String::new();
        let mut chars = self.rest.char_indices().skip(1);
        let mut end = self.rest.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    end = i + 1;
                    break;
                }
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        out.push(escaped);
                    }
                }
                c => out.push(c),
            }
        }
        self.rest = self.rest.get(end..).unwrap_or_default();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_smime_content_types() {
        let ct = ContentType::parse(
            "Application/PKCS7-MIME; smime-type=\"enveloped-data\";\tname=smime.p7m",
        )
        .unwrap();
        assert_eq!(ct.mime_type(), "application/pkcs7-mime");
        assert_eq!(ct.param("SMIME-TYPE"), Some("enveloped-data"));
        assert_eq!(ct.param("name"), Some("smime.p7m"));
        assert!(!ct.is_multipart());

        let ct = ContentType::parse(
            "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; \
             boundary=----=_Part_0_1891120562.1252227015696",
        )
        .unwrap();
        assert!(ct.is_multipart());
        assert_eq!(
            ct.param("boundary"),
            Some("----=_Part_0_1891120562.1252227015696")
        );
        assert_eq!(ct.param("micalg"), Some("sha-256"));
        assert_eq!(ct.params().len(), 3);
    }

    #[test]
    fn tolerates_sloppy_values() {
        let ct = ContentType::parse(
            " text / plain (comment (nested)) ; charset = \"a\\\"b\" ;; junk ; x=",
        )
        .unwrap();
        assert_eq!(ct.mime_type(), "text/plain");
        assert_eq!(ct.param("charset"), Some("a\"b"));
        assert_eq!(ct.param("x"), Some(""));
        let ct = ContentType::parse("text/plain; name=\"unterminated").unwrap();
        assert_eq!(ct.param("name"), Some("unterminated"));
        for bad in ["", "text", "text/", "/plain", ";", "(only a comment"] {
            assert!(
                matches!(ContentType::parse(bad), Err(MimeError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn parses_transfer_encodings() {
        assert_eq!(TransferEncoding::parse("BASE64"), TransferEncoding::Base64);
        assert_eq!(
            TransferEncoding::parse(" base64 (x)"),
            TransferEncoding::Base64
        );
        assert_eq!(
            TransferEncoding::parse("Quoted-Printable"),
            TransferEncoding::QuotedPrintable
        );
        assert_eq!(TransferEncoding::parse("7Bit"), TransferEncoding::SevenBit);
        assert_eq!(TransferEncoding::parse("8bit"), TransferEncoding::EightBit);
        assert_eq!(TransferEncoding::parse("binary"), TransferEncoding::Binary);
        assert_eq!(
            TransferEncoding::parse("x-uuencode"),
            TransferEncoding::Other("x-uuencode".into())
        );
    }
}
