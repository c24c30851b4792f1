//! Recognising the elliptic curve of a private key from its parameters.
//!
//! RFC 5480 §2.1.1 and RFC 5915 §3 want a `namedCurve` OID, and OpenSSL writes
//! one, but Bouncy Castle (and so MimeKit's test files) and `openssl … -param_enc
//! explicit` spell the curve out as `specifiedCurve` ECParameters (SEC 1 v2
//! §C.2). We recognise P-256 and P-384 in that form by comparing every value that
//! defines the group: field prime, coefficients a and b, base point and order.

use der::Tagged;
use der::asn1::{AnyRef, ObjectIdentifier};

use crate::oid;

/// The explicit parameters of a curve, big-endian hex.
struct Explicit {
    oid: ObjectIdentifier,
    p: &'static str,
    a: &'static str,
    b: &'static str,
    gx: &'static str,
    gy: &'static str,
    n: &'static str,
}

/// FIPS 186-4 §D.1.2.3 (P-256) and §D.1.2.4 (P-384); a = p - 3.
const CURVES: [Explicit; 2] = [
    Explicit {
        oid: oid::SECP256R1,
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    },
    Explicit {
        oid: oid::SECP384R1,
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        gx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
        gy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    },
];

fn unhex(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .filter_map(|pair| std::str::from_utf8(pair).ok())
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect()
}

/// Big-endian integer bytes without leading zeros.
fn trim(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    bytes.get(skip..).unwrap_or(&[])
}

/// The curve named by `ECParameters` (RFC 5480 §2.1.1): a `namedCurve` OID, or
/// `specifiedCurve` parameters equal to P-256's or P-384's. `None` for
/// `implicitCurve` (NULL), other explicit curves and anything malformed.
pub(crate) fn curve_oid(params: AnyRef<'_>) -> Option<ObjectIdentifier> {
    if params.tag() == der::Tag::ObjectIdentifier {
        return params.decode_as::<ObjectIdentifier>().ok();
    }
    if params.tag() != der::Tag::Sequence {
        return None;
    }
    let fields = super::pkcs12::asn1::elements(params.value()).ok()?;
    // SEQUENCE { version, fieldID, curve, base, order, cofactor OPTIONAL }
    let [_version, field_id, curve, base, order, ..] = fields.as_slice() else {
        return None;
    };
    let field = super::pkcs12::asn1::elements(field_id.value()).ok()?;
    let [field_type, prime] = field.as_slice() else {
        return None;
    };
    // id-prime-field (ANSI X9.62 §F.1) only; characteristic-two is not for us.
    if field_type.decode_as::<ObjectIdentifier>().ok()? != oid::PRIME_FIELD {
        return None;
    }
    let curve = super::pkcs12::asn1::elements(curve.value()).ok()?;
    let (a, b) = (curve.first()?.value(), curve.get(1)?.value());
    let base = base.value();
    CURVES
        .iter()
        .find(|c| {
            let uncompressed = [&[0x04][..], &unhex(c.gx), &unhex(c.gy)].concat();
            let y_odd = unhex(c.gy).last().is_some_and(|y| y & 1 == 1);
            let compressed = [&[if y_odd { 0x03 } else { 0x02 }][..], &unhex(c.gx)].concat();
            trim(prime.value()) == unhex(c.p).as_slice()
                && trim(a) == unhex(c.a).as_slice()
                && trim(b) == unhex(c.b).as_slice()
                && trim(order.value()) == unhex(c.n).as_slice()
                && (base == uncompressed.as_slice() || base == compressed.as_slice())
        })
        .map(|c| c.oid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    #[test]
    fn named_curve() {
        let der = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let any = AnyRef::from_der(&der).unwrap();
        assert_eq!(curve_oid(any), Some(oid::SECP256R1));
    }

    #[test]
    fn null_and_garbage_are_none() {
        let any = AnyRef::from_der(&[0x05, 0x00]).unwrap();
        assert_eq!(curve_oid(any), None);
        let any = AnyRef::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]).unwrap();
        assert_eq!(curve_oid(any), None);
    }
}
