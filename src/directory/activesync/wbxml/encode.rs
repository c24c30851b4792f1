//! The WBXML encoder: the same byte stream libwbxml's `xml2wbxml -a -n -v 1.3` writes
//! for the same document (tests/directory_activesync.rs compares them).

use super::{CHARSET_UTF8, Element, Node, PUBLIC_ID_UNKNOWN, VERSION_1_3, WbxmlError, token};

/// Encodes `root` as an ActiveSync WBXML document: header 1.3 / unknown public id /
/// UTF-8 / empty string table, then the tags, switching code page only when a tag's
/// page differs from the current one (the page starts at 0 and does not change at
/// `END`, WAP-192 §5.8.4.1). Strings are `STR_I`; a string holding NUL cannot be
/// encoded.
pub fn encode(root: &Element) -> Result<Vec<u8>, WbxmlError> {
    let mut out = vec![VERSION_1_3, PUBLIC_ID_UNKNOWN, CHARSET_UTF8, 0x00];
    let mut page = 0u8;
    // (element, index of the next child to write)
    let mut stack: Vec<(&Element, usize)> = Vec::new();
    open(&mut out, &mut page, root)?;
    if !root.children.is_empty() {
        stack.push((root, 0));
    }
    while let Some((element, next)) = stack.pop() {
        let Some(node) = element.children.get(next) else {
            out.push(token::END);
            continue;
        };
        stack.push((element, next + 1));
        match node {
            Node::Element(child) => {
                open(&mut out, &mut page, child)?;
                if !child.children.is_empty() {
                    stack.push((child, 0));
                }
            }
            Node::Text(text) => {
                if text.as_bytes().contains(&0) {
                    return Err(WbxmlError::Unencodable {
                        reason: "a string holds a NUL character",
                    });
                }
                out.push(token::STR_I);
                out.extend_from_slice(text.as_bytes());
                out.push(0);
            }
            Node::Opaque(data) => {
                let len = u32::try_from(data.len()).map_err(|_| WbxmlError::Unencodable {
                    reason: "opaque data longer than 4 GiB",
                })?;
                out.push(token::OPAQUE);
                super::put_mb_u32(&mut out, len);
                out.extend_from_slice(data);
            }
        }
    }
    Ok(out)
}

fn open(out: &mut Vec<u8>, page: &mut u8, element: &Element) -> Result<(), WbxmlError> {
    if !(token::FIRST_TAG..=0x3F).contains(&element.token) {
        return Err(WbxmlError::Unencodable {
            reason: "tag token outside 0x05..=0x3F",
        });
    }
    if element.page != *page {
        out.push(token::SWITCH_PAGE);
        out.push(element.page);
        *page = element.page;
    }
    let content = if element.children.is_empty() {
        0
    } else {
        token::HAS_CONTENT
    };
    out.push(element.token | content);
    Ok(())
}
