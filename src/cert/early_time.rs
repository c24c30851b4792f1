//! Validity times before 1970.
//!
//! RFC 5280 §4.1.2.5.1 gives UTCTime years 50–99 to 1950–1999, and PKITS 4.2.3
//! ("Valid pre2000 UTC notBefore Date Test3") uses a notBefore in 1950. The `der`
//! crate's `DateTime` starts at the Unix epoch, so `x509-cert` refuses such a
//! certificate outright. A validity bound before 1970 decides nothing for a reference
//! time that is itself a `SystemTime` at or after 1970 (every time this crate checks
//! against), so the parsed copy gets the bound moved to 1970-01-01T00:00:00Z:
//! a notBefore in 1950 is "valid since before 1970", a notAfter in 1960 "expired".
//!
//! Only the parsed copy changes: the rewrite keeps every length, and signatures and
//! fingerprints use the certificate's original DER.

/// UTCTime (tag 23) content for 1970-01-01T00:00:00Z.
const UTC_EPOCH: &[u8; 13] = b"700101000000Z";
/// GeneralizedTime (tag 24) content for 1970-01-01T00:00:00Z.
const GENERALIZED_EPOCH: &[u8; 15] = b"19700101000000Z";

/// `der` (a DER Certificate) with any validity bound before 1970 set to the epoch, or
/// `None` when no bound is before 1970 or the structure cannot be walked.
pub(crate) fn clamp_validity(der: &[u8]) -> Option<Vec<u8>> {
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
    //   serialNumber, signature, issuer, validity SEQUENCE { notBefore, notAfter }, … } }
    let (cert, _) = content(der, 0, 0x30)?;
    let (tbs, _) = content(der, cert, 0x30)?;
    let mut at = tbs;
    if der.get(at) == Some(&0xa0) {
        at = end_of(der, at)?;
    }
    for _ in 0..3 {
        at = end_of(der, at)?; // serialNumber, signature, issuer
    }
    let (validity, _) = content(der, at, 0x30)?;
    let mut out = der.to_vec();
    let mut changed = false;
    let mut time = validity;
    for _ in 0..2 {
        let tag = *der.get(time)?;
        let (start, end) = content(der, time, tag)?;
        let value = der.get(start..end)?;
        let replacement: Option<&[u8]> = match tag {
            0x17 if value.len() == UTC_EPOCH.len() && utc_year(value)? < 1970 => Some(UTC_EPOCH),
            0x18 if value.len() == GENERALIZED_EPOCH.len() && generalized_year(value)? < 1970 => {
                Some(GENERALIZED_EPOCH)
            }
            0x17 | 0x18 => None,
            _ => return None,
        };
        if let Some(r) = replacement {
            out.get_mut(start..end)?.copy_from_slice(r);
            changed = true;
        }
        time = end;
    }
    changed.then_some(out)
}

/// The year of a UTCTime value per RFC 5280 §4.1.2.5.1 (YY ≥ 50 → 19YY).
fn utc_year(value: &[u8]) -> Option<u16> {
    let yy = digits(value.get(..2)?)?;
    Some(if yy >= 50 { 1900 + yy } else { 2000 + yy })
}

fn generalized_year(value: &[u8]) -> Option<u16> {
    digits(value.get(..4)?)
}

fn digits(s: &[u8]) -> Option<u16> {
    s.iter().try_fold(0u16, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
    })
}

/// At `at`, a DER TLV with identifier `tag`: where its content starts and ends.
fn content(der: &[u8], at: usize, tag: u8) -> Option<(usize, usize)> {
    let (header, start, end) = crate::ber::tlv_at(der, at).ok()?;
    (header.ident == tag).then_some((start, end))
}

/// The offset after the DER TLV at `at`, whatever its tag.
fn end_of(der: &[u8], at: usize) -> Option<usize> {
    crate::ber::tlv_at(der, at).ok().map(|(_, _, end)| end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A skeleton Certificate: SEQUENCE { SEQUENCE { serial, alg, issuer, validity } }.
    fn skeleton(not_before: (u8, &[u8]), not_after: (u8, &[u8])) -> Vec<u8> {
        fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
            let mut v = vec![tag, u8::try_from(content.len()).unwrap()];
            v.extend_from_slice(content);
            v
        }
        let validity = [
            tlv(not_before.0, not_before.1),
            tlv(not_after.0, not_after.1),
        ]
        .concat();
        let tbs = [
            tlv(0x02, &[1]),
            tlv(0x30, &[]),
            tlv(0x30, &[]),
            tlv(0x30, &validity),
        ]
        .concat();
        tlv(0x30, &tlv(0x30, &tbs))
    }

    #[test]
    fn utc_1950_not_before_moves_to_the_epoch() {
        let der = skeleton((0x17, b"500101120100Z"), (0x17, b"301231235959Z"));
        let out = clamp_validity(&der).expect("changed");
        assert_eq!(out.len(), der.len());
        assert!(out.windows(13).any(|w| w == UTC_EPOCH));
        assert!(out.windows(13).any(|w| w == b"301231235959Z"));
    }

    #[test]
    fn generalized_and_not_after_before_1970_move_too() {
        let der = skeleton((0x18, b"19491231000000Z"), (0x17, b"691231235959Z"));
        let out = clamp_validity(&der).expect("changed");
        assert!(out.windows(15).any(|w| w == GENERALIZED_EPOCH));
        assert!(out.windows(13).any(|w| w == UTC_EPOCH));
    }

    #[test]
    fn modern_times_and_garbage_are_left_alone() {
        let der = skeleton((0x17, b"700101000001Z"), (0x18, b"20491231235959Z"));
        assert_eq!(clamp_validity(&der), None);
        assert_eq!(clamp_validity(b"\x30\x03\x02\x01"), None);
        assert_eq!(clamp_validity(&[]), None);
    }
}
