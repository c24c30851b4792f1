//! Distinguished-name comparison for chaining (RFC 5280 §7.1) and for directoryName
//! name constraints (RFC 5280 §4.2.1.10).
//!
//! RFC 5280 §7.1 asks for the LDAP string preparation of RFC 4518 on
//! DirectoryString values. We apply its parts that matter in practice (and that
//! PKITS 4.3 tests): strings of any DirectoryString type compare as text, leading
//! and trailing white space is ignored, inner runs of white space count as one space,
//! and case is folded. Values of other types compare by their exact encoding.

use der::asn1::Any;
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RelativeDistinguishedName};

/// Whether two names are the same (RFC 5280 §7.1).
pub(crate) fn name_eq(a: &Name, b: &Name) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter_rdn().zip(b.iter_rdn()).all(|(x, y)| rdn_eq(x, y))
}

/// Whether `name` lies in the subtree `base`: `base`'s RDNs are a prefix of `name`'s
/// (RFC 5280 §4.2.1.10, directoryName).
pub(crate) fn name_within(name: &Name, base: &Name) -> bool {
    if base.len() > name.len() {
        return false;
    }
    name.iter_rdn()
        .zip(base.iter_rdn())
        .all(|(x, y)| rdn_eq(x, y))
}

fn rdn_eq(a: &RelativeDistinguishedName, b: &RelativeDistinguishedName) -> bool {
    // A multi-valued RDN is a SET: every value of one must match a value of the other.
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| atv_eq(x, y)))
}

fn atv_eq(a: &AttributeTypeAndValue, b: &AttributeTypeAndValue) -> bool {
    if a.oid != b.oid {
        return false;
    }
    match (directory_string(&a.value), directory_string(&b.value)) {
        (Some(x), Some(y)) => prepared(&x) == prepared(&y),
        _ => a.value == b.value,
    }
}

/// The text of a DirectoryString-like value (PrintableString, UTF8String, IA5String,
/// TeletexString read as Latin-1, BMPString), or `None` for other types.
fn directory_string(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            std::str::from_utf8(bytes).ok().map(str::to_owned)
        }
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .filter_map(|c| <[u8; 2]>::try_from(c).ok())
                .map(u16::from_be_bytes)
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// RFC 4518 §2 in the parts that matter: fold case, drop leading/trailing spaces,
/// collapse inner white space to one space.
fn prepared(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> Name {
        Name::from_str(s).unwrap_or_default()
    }

    #[test]
    fn case_and_spaces_are_ignored() {
        assert!(name_eq(
            &n("CN=Test  CA,O=Example"),
            &n("CN=test ca,O=EXAMPLE")
        ));
        assert!(!name_eq(
            &n("CN=Test CA,O=Example"),
            &n("CN=Test CA2,O=Example")
        ));
        assert!(!name_eq(&n("CN=A,O=B"), &n("O=B,CN=A")));
    }

    #[test]
    fn subtree_is_a_prefix() {
        assert!(name_within(
            &n("CN=ann,O=Example,C=US"),
            &n("O=Example,C=US")
        ));
        assert!(!name_within(
            &n("O=Example,C=US"),
            &n("CN=ann,O=Example,C=US")
        ));
    }
}
