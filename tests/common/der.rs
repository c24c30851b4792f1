//! A tiny DER writer for hand-made structures (hostile CMS, CRLs, LDAP replies): one
//! definite-length TLV (X.690 §8.1.3).

/// `tag`, the definite length of `content` (short or long form), then `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The elements of a definite-length DER `content`, each a whole TLV (tag, length,
/// value). Panics on indefinite or truncated encodings: test inputs are our own.
pub fn children(content: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < content.len() {
        let (header, len) = header_at(&content[at..]);
        out.push(&content[at..at + header + len]);
        at += header + len;
    }
    out
}

/// The value of a definite-length DER TLV.
pub fn value(tlv: &[u8]) -> &[u8] {
    let (header, len) = header_at(tlv);
    &tlv[header..header + len]
}

/// (header length, value length) of the TLV at the start of `der`.
fn header_at(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    assert_ne!(first, 0x80, "indefinite length");
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    (2 + n, len)
}
