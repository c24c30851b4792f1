//! WBXML as Exchange ActiveSync uses it (MS-ASWBXML §2.1.2, on WAP-192-WBXML): a tree
//! of tags from numbered code pages, with inline strings and opaque data.
//!
//! Written here because no maintained Rust crate encodes or decodes WBXML. Only what
//! ActiveSync uses is accepted: version 1.3, unknown public identifier, UTF-8, an empty
//! string table, tags without attributes, `STR_I` and `OPAQUE` content. Everything
//! else (string-table references, entities, processing instructions, extensions,
//! attributes) is refused with a [`WbxmlError`], as are inputs beyond the [`Limits`].

mod decode;
mod encode;

pub use decode::decode;
pub use encode::encode;

use std::fmt::Write as _;

use super::codepage;

/// The WBXML version ActiveSync speaks: 1.3 (MS-ASWBXML §2.1.1).
pub(crate) const VERSION_1_3: u8 = 0x03;
/// Public identifier 1: "unknown or missing" (WAP-192 §5.6; MS-ASWBXML §2.1.1).
pub(crate) const PUBLIC_ID_UNKNOWN: u8 = 0x01;
/// IANA MIBenum 106: UTF-8.
pub(crate) const CHARSET_UTF8: u8 = 0x6A;

/// Global tokens (WAP-192 §7.1).
pub(crate) mod token {
    pub const SWITCH_PAGE: u8 = 0x00;
    pub const END: u8 = 0x01;
    pub const STR_I: u8 = 0x03;
    pub const OPAQUE: u8 = 0xC3;
    /// Bit set on a tag token that has content (WAP-192 §5.8.2).
    pub const HAS_CONTENT: u8 = 0x40;
    /// Bit set on a tag token that has attributes (not used by ActiveSync).
    pub const HAS_ATTRIBUTES: u8 = 0x80;
    /// Tag identities are 0x05..=0x3F in each code page.
    pub const FIRST_TAG: u8 = 0x05;
}

/// One element: its code page, its token in that page, and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Code page (MS-ASWBXML §2.1.2.1; ResolveRecipients is 10).
    pub page: u8,
    /// Tag token within the page, 0x05..=0x3F.
    pub token: u8,
    /// Content in document order.
    pub children: Vec<Node>,
}

/// Content of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// An inline string (`STR_I`).
    Text(String),
    /// Opaque bytes (`OPAQUE`).
    Opaque(Vec<u8>),
}

impl Element {
    /// An empty element.
    pub fn new(page: u8, token: u8) -> Self {
        Element {
            page,
            token,
            children: Vec::new(),
        }
    }

    /// With a child element appended.
    pub fn child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// With an inline string appended.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Text(text.into()));
        self
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The child elements with this page and token.
    pub fn all<'a>(&'a self, page: u8, token: u8) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements()
            .filter(move |e| e.page == page && e.token == token)
    }

    /// The first child element with this page and token.
    pub fn first(&self, page: u8, token: u8) -> Option<&Element> {
        self.all(page, token).next()
    }

    /// The element's text: its strings concatenated (opaque data as UTF-8 when it is).
    pub fn content(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Opaque(b) => out.push_str(&String::from_utf8_lossy(b)),
                Node::Element(_) => {}
            }
        }
        out
    }

    /// The element's name (`ResolveRecipients:To`), or `cpN:0xTT` for a tag this crate
    /// has no name for.
    pub fn name(&self) -> String {
        codepage::tag_name(self.page, self.token)
            .map(|(ns, tag)| format!("{ns}:{tag}"))
            .unwrap_or_else(|| format!("cp{}:0x{:02X}", self.page, self.token))
    }

    /// The document as compact XML, in the form `wbxml2xml -m 0 -l ACTIVESYNC`
    /// (libwbxml) writes it: the root carries the default namespace of its code page
    /// (`xmlns="ResolveRecipients:"`), an element of another page a prefix, empty
    /// elements are `<X/>`, the five XML entities escaped, opaque data left out.
    /// Used to compare our decoder with libwbxml's and in error reports.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(&mut out, self.page, true);
        out
    }

    fn write_xml(&self, out: &mut String, root_page: u8, is_root: bool) {
        let (ns, tag) = codepage::tag_name(self.page, self.token)
            .map(|(n, t)| (n.to_owned(), t.to_owned()))
            .unwrap_or_else(|| (format!("cp{}", self.page), format!("tag{:02X}", self.token)));
        let qualified = if self.page == root_page {
            tag.clone()
        } else {
            format!("{ns}:{tag}")
        };
        out.push('<');
        out.push_str(&qualified);
        if is_root {
            let _ = write!(out, " xmlns=\"{ns}:\"");
        } else if self.page != root_page {
            let _ = write!(out, " xmlns:{ns}=\"{ns}:\"");
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for n in &self.children {
            match n {
                Node::Element(e) => e.write_xml(out, root_page, false),
                Node::Text(t) => escape_into(out, t),
                Node::Opaque(_) => {}
            }
        }
        let _ = write!(out, "</{qualified}>");
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// Bounds on what the decoder accepts, so a hostile or broken server cannot make it
/// use unbounded memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest document, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of elements (a ResolveRecipients answer is 5 deep).
    pub max_depth: usize,
    /// Longest string or opaque value, in bytes (a base64 certificate chain fits).
    pub max_string: usize,
    /// Most elements in one document.
    pub max_elements: usize,
}

impl Default for Limits {
    /// 16 MiB, depth 32, 1 MiB per value, 200 000 elements: room for 100 recipients
    /// with many certificates each (MaxCertificates is at most 9999, MS-ASCMD
    /// §2.2.3.101), far below what would strain a phone.
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 20,
            max_depth: 32,
            max_string: 1 << 20,
            max_elements: 200_000,
        }
    }
}

/// Why a WBXML document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WbxmlError {
    /// The document ended inside a header, token or value.
    #[error("WBXML ends early (at byte {offset}, reading {what})")]
    Truncated {
        /// Where.
        offset: usize,
        /// What was being read.
        what: &'static str,
    },
    /// A header field holds a value ActiveSync does not use.
    #[error("WBXML header: {field} is 0x{found:X}, expected 0x{expected:X} (MS-ASWBXML §2.1.1)")]
    Header {
        /// The field (version, public identifier, charset, string table length).
        field: &'static str,
        /// The value found.
        found: u32,
        /// The value ActiveSync uses.
        expected: u32,
    },
    /// A token WBXML defines but ActiveSync does not use.
    #[error("WBXML token 0x{token:02X} at byte {offset} is not used by ActiveSync ({what})")]
    Unsupported {
        /// The token.
        token: u8,
        /// Where.
        offset: usize,
        /// What it is.
        what: &'static str,
    },
    /// Something that is not well-formed WBXML.
    #[error("malformed WBXML at byte {offset}: {reason}")]
    Malformed {
        /// Where.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// An inline string is not UTF-8.
    #[error("WBXML string at byte {offset} is not UTF-8")]
    NotUtf8 {
        /// Where the string starts.
        offset: usize,
    },
    /// A limit in [`Limits`] was exceeded.
    #[error("WBXML {what} exceeds the limit of {limit}")]
    Limit {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
    },
    /// The encoder was given something WBXML cannot carry.
    #[error("cannot encode as WBXML: {reason}")]
    Unencodable {
        /// What.
        reason: &'static str,
    },
}

/// Appends `value` as a WBXML multi-byte unsigned integer (WAP-192 §5.1: 7 bits per
/// byte, most significant first, continuation bit 0x80).
pub(crate) fn put_mb_u32(out: &mut Vec<u8>, value: u32) {
    let mut groups = [0u8; 5];
    let mut n = 0;
    let mut v = value;
    loop {
        groups[n] = (v & 0x7F) as u8;
        n += 1;
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        let more = if i > 0 { 0x80 } else { 0 };
        out.push(groups[i] | more);
    }
}

#[cfg(test)]
mod tests;
