//! The strict, bounded WBXML decoder (WAP-192 §5, as restricted by MS-ASWBXML).

use super::{
    CHARSET_UTF8, Element, Limits, Node, PUBLIC_ID_UNKNOWN, VERSION_1_3, WbxmlError, token,
};

/// Code pages MS-ASWBXML defines: 0 (AirSync) to 24 (Find).
const MAX_PAGE: u8 = 24;

/// Decodes one ActiveSync WBXML document into its root element.
///
/// Iterative (an explicit stack, no recursion), so nesting costs heap within
/// [`Limits::max_depth`], never the call stack.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Element, WbxmlError> {
    if bytes.len() > limits.max_bytes {
        return Err(WbxmlError::Limit {
            what: "document size in bytes",
            limit: limits.max_bytes,
        });
    }
    let mut r = Reader { bytes, pos: 0 };
    header(&mut r)?;

    let mut page: u8 = 0;
    let mut open: Vec<Element> = Vec::new();
    let mut elements = 0usize;
    loop {
        let at = r.pos;
        let t = r.byte("a token")?;
        match t {
            token::SWITCH_PAGE => {
                page = r.byte("a code page")?;
                if page > MAX_PAGE {
                    return Err(WbxmlError::Malformed {
                        offset: at + 1,
                        reason: "code page beyond those MS-ASWBXML defines",
                    });
                }
            }
            token::END => {
                let Some(done) = open.pop() else {
                    return Err(WbxmlError::Malformed {
                        offset: at,
                        reason: "END outside any element",
                    });
                };
                match open.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(done)),
                    None => {
                        if r.pos != bytes.len() {
                            return Err(WbxmlError::Malformed {
                                offset: r.pos,
                                reason: "bytes after the root element",
                            });
                        }
                        return Ok(done);
                    }
                }
            }
            token::STR_I => {
                let start = r.pos;
                let len =
                    r.bytes[start..]
                        .iter()
                        .position(|&b| b == 0)
                        .ok_or(WbxmlError::Truncated {
                            offset: start,
                            what: "an inline string",
                        })?;
                if len > limits.max_string {
                    return Err(WbxmlError::Limit {
                        what: "string length in bytes",
                        limit: limits.max_string,
                    });
                }
                let raw = r.take(len, "an inline string")?;
                r.pos += 1; // the terminating NUL, found above
                let text =
                    std::str::from_utf8(raw).map_err(|_| WbxmlError::NotUtf8 { offset: start })?;
                content_of(&mut open, at)?.push(Node::Text(text.to_owned()));
            }
            token::OPAQUE => {
                let len = r.mb_u32()? as usize;
                if len > limits.max_string {
                    return Err(WbxmlError::Limit {
                        what: "opaque data length in bytes",
                        limit: limits.max_string,
                    });
                }
                let data = r.take(len, "opaque data")?.to_vec();
                content_of(&mut open, at)?.push(Node::Opaque(data));
            }
            0x02 => return Err(unsupported(t, at, "ENTITY")),
            0x04 | 0x44 | 0x84 | 0xC4 => return Err(unsupported(t, at, "LITERAL tag")),
            0x40..=0x42 | 0x80..=0x82 | 0xC0..=0xC2 => {
                return Err(unsupported(t, at, "extension"));
            }
            0x43 => return Err(unsupported(t, at, "processing instruction")),
            0x83 => return Err(unsupported(t, at, "string table reference")),
            tag => {
                if tag & token::HAS_ATTRIBUTES != 0 {
                    return Err(unsupported(tag, at, "tag with attributes"));
                }
                let id = tag & 0x3F;
                if id < token::FIRST_TAG {
                    return Err(WbxmlError::Malformed {
                        offset: at,
                        reason: "reserved tag token",
                    });
                }
                if open.is_empty() && elements > 0 {
                    return Err(WbxmlError::Malformed {
                        offset: at,
                        reason: "a second root element",
                    });
                }
                elements += 1;
                if elements > limits.max_elements {
                    return Err(WbxmlError::Limit {
                        what: "element count",
                        limit: limits.max_elements,
                    });
                }
                let element = Element::new(page, id);
                if tag & token::HAS_CONTENT != 0 {
                    if open.len() >= limits.max_depth {
                        return Err(WbxmlError::Limit {
                            what: "nesting depth",
                            limit: limits.max_depth,
                        });
                    }
                    open.push(element);
                } else {
                    match open.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(element)),
                        None => {
                            if r.pos != bytes.len() {
                                return Err(WbxmlError::Malformed {
                                    offset: r.pos,
                                    reason: "bytes after the root element",
                                });
                            }
                            return Ok(element);
                        }
                    }
                }
            }
        }
    }
}

/// Version 1.3, public identifier 1, UTF-8, no string table (MS-ASWBXML §2.1.1).
fn header(r: &mut Reader<'_>) -> Result<(), WbxmlError> {
    let version = r.byte("the version")?;
    expect("version", u32::from(version), u32::from(VERSION_1_3))?;
    let public_id = r.mb_u32()?;
    expect("public identifier", public_id, u32::from(PUBLIC_ID_UNKNOWN))?;
    let charset = r.mb_u32()?;
    expect("charset", charset, u32::from(CHARSET_UTF8))?;
    let table = r.mb_u32()?;
    expect("string table length", table, 0)
}

fn expect(field: &'static str, found: u32, expected: u32) -> Result<(), WbxmlError> {
    if found == expected {
        Ok(())
    } else {
        Err(WbxmlError::Header {
            field,
            found,
            expected,
        })
    }
}

fn unsupported(token: u8, offset: usize, what: &'static str) -> WbxmlError {
    WbxmlError::Unsupported {
        token,
        offset,
        what,
    }
}

/// The open element that content at `offset` belongs to.
fn content_of(open: &mut [Element], offset: usize) -> Result<&mut Vec<Node>, WbxmlError> {
    open.last_mut()
        .map(|e| &mut e.children)
        .ok_or(WbxmlError::Malformed {
            offset,
            reason: "content outside any element",
        })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self, what: &'static str) -> Result<u8, WbxmlError> {
        let b = *self.bytes.get(self.pos).ok_or(WbxmlError::Truncated {
            offset: self.pos,
            what,
        })?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], WbxmlError> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(WbxmlError::Truncated {
                offset: self.pos,
                what,
            })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// A multi-byte unsigned integer (WAP-192 §5.1): at most 5 bytes, no leading zero
    /// groups, and within 32 bits.
    fn mb_u32(&mut self) -> Result<u32, WbxmlError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for i in 0..5 {
            let b = self.byte("a multi-byte integer")?;
            if i == 0 && b == 0x80 {
                return Err(WbxmlError::Malformed {
                    offset: start,
                    reason: "multi-byte integer with a leading zero group",
                });
            }
            value = (value << 7) | u64::from(b & 0x7F);
            if b & 0x80 == 0 {
                return u32::try_from(value).map_err(|_| WbxmlError::Malformed {
                    offset: start,
                    reason: "multi-byte integer beyond 32 bits",
                });
            }
        }
        Err(WbxmlError::Malformed {
            offset: start,
            reason: "multi-byte integer longer than 5 bytes",
        })
    }
}
