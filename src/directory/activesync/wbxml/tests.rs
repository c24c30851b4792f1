use super::*;

/// MS-ASWBXML §3 "Algorithm Examples": a Sync response with a new contact, code pages
/// 0 (AirSync), 17 (AirSyncBase) and 1 (Contacts), byte for byte as published.
const MS_ASWBXML_EXAMPLE: &[u8] = &[
    0x03, 0x01, 0x6A, 0x00, 0x45, 0x5C, 0x4F, 0x50, 0x03, 0x43, 0x6F, 0x6E, 0x74, 0x61, 0x63, 0x74,
    0x73, 0x00, 0x01, 0x4B, 0x03, 0x32, 0x00, 0x01, 0x52, 0x03, 0x32, 0x00, 0x01, 0x4E, 0x03, 0x31,
    0x00, 0x01, 0x56, 0x47, 0x4D, 0x03, 0x32, 0x3A, 0x31, 0x00, 0x01, 0x5D, 0x00, 0x11, 0x4A, 0x46,
    0x03, 0x31, 0x00, 0x01, 0x4C, 0x03, 0x30, 0x00, 0x01, 0x4D, 0x03, 0x31, 0x00, 0x01, 0x01, 0x00,
    0x01, 0x5E, 0x03, 0x46, 0x75, 0x6E, 0x6B, 0x2C, 0x20, 0x44, 0x6F, 0x6E, 0x00, 0x01, 0x5F, 0x03,
    0x44, 0x6F, 0x6E, 0x00, 0x01, 0x69, 0x03, 0x46, 0x75, 0x6E, 0x6B, 0x00, 0x01, 0x00, 0x11, 0x56,
    0x03, 0x31, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
];

/// What libwbxml's `xml2wbxml -a -n -v 1.3` writes for `<ResolveRecipients
/// xmlns="ResolveRecipients:"><To>ann@corp.example</To><To>ben@corp.example</To>
/// <Options><CertificateRetrieval>2</CertificateRetrieval><MaxCertificates>50
/// </MaxCertificates></Options></ResolveRecipients>` (recorded once; the integration
/// tests compare with the tool at test time).
const LIBWBXML_RESOLVE_RECIPIENTS: &[u8] = b"\x03\x01\x6a\x00\x00\x0a\x45\
\x50\x03ann@corp.example\x00\x01\x50\x03ben@corp.example\x00\x01\
\x4f\x51\x03\x32\x00\x01\x53\x03\x35\x30\x00\x01\x01\x01";

fn leaf(page: u8, token: u8, text: &str) -> Element {
    Element::new(page, token).text(text)
}

#[test]
fn decodes_the_ms_aswbxml_example() {
    let root = decode(MS_ASWBXML_EXAMPLE, &Limits::default()).unwrap();
    // Sync > Collections > Collection
    assert_eq!((root.page, root.token), (0, 0x05));
    let collection = root.first(0, 0x1C).unwrap().first(0, 0x0F).unwrap();
    assert_eq!(collection.first(0, 0x10).unwrap().content(), "Contacts");
    assert_eq!(collection.first(0, 0x0B).unwrap().content(), "2");
    assert_eq!(collection.first(0, 0x12).unwrap().content(), "2");
    assert_eq!(collection.first(0, 0x0E).unwrap().content(), "1");
    // Commands > Add > ServerId, ApplicationData
    let add = collection.first(0, 0x16).unwrap().first(0, 0x07).unwrap();
    assert_eq!(add.first(0, 0x0D).unwrap().content(), "2:1");
    let data = add.first(0, 0x1D).unwrap();
    let body = data.first(17, 0x0A).unwrap();
    assert_eq!(body.first(17, 0x06).unwrap().content(), "1");
    assert_eq!(body.first(17, 0x0C).unwrap().content(), "0");
    assert_eq!(body.first(17, 0x0D).unwrap().content(), "1");
    assert_eq!(data.first(1, 0x1E).unwrap().content(), "Funk, Don");
    assert_eq!(data.first(1, 0x1F).unwrap().content(), "Don");
    assert_eq!(data.first(1, 0x29).unwrap().content(), "Funk");
    assert_eq!(data.first(17, 0x16).unwrap().content(), "1");
}

#[test]
fn encodes_the_ms_aswbxml_example_byte_for_byte() {
    let root = decode(MS_ASWBXML_EXAMPLE, &Limits::default()).unwrap();
    assert_eq!(encode(&root).unwrap(), MS_ASWBXML_EXAMPLE);
}

#[test]
fn encodes_resolve_recipients_as_libwbxml_does() {
    let doc = Element::new(10, 0x05)
        .child(leaf(10, 0x10, "ann@corp.example"))
        .child(leaf(10, 0x10, "ben@corp.example"))
        .child(
            Element::new(10, 0x0F)
                .child(leaf(10, 0x11, "2"))
                .child(leaf(10, 0x13, "50")),
        );
    assert_eq!(encode(&doc).unwrap(), LIBWBXML_RESOLVE_RECIPIENTS);
    assert_eq!(
        decode(LIBWBXML_RESOLVE_RECIPIENTS, &Limits::default()).unwrap(),
        doc
    );
    assert_eq!(
        doc.to_xml(),
        "<ResolveRecipients xmlns=\"ResolveRecipients:\"><To>ann@corp.example</To>\
         <To>ben@corp.example</To><Options><CertificateRetrieval>2</CertificateRetrieval>\
         <MaxCertificates>50</MaxCertificates></Options></ResolveRecipients>"
    );
}

#[test]
fn empty_elements_opaque_and_escaping() {
    let doc = Element::new(10, 0x05)
        .child(Element::new(10, 0x0F))
        .child(leaf(10, 0x0A, "A&B<c>\"'"))
        .child(Element {
            page: 10,
            token: 0x0D,
            children: vec![Node::Opaque(vec![1, 2, 3])],
        });
    let bytes = encode(&doc).unwrap();
    assert_eq!(
        &bytes[6..8],
        &[0x45, 0x0F],
        "no content bit on an empty tag"
    );
    assert!(bytes.windows(5).any(|w| w == [0x4D, 0xC3, 0x03, 1, 2]));
    assert_eq!(decode(&bytes, &Limits::default()).unwrap(), doc);
    assert_eq!(
        doc.to_xml(),
        "<ResolveRecipients xmlns=\"ResolveRecipients:\"><Options/>\
         <DisplayName>A&amp;B&lt;c&gt;&quot;&apos;</DisplayName><Certificate></Certificate>\
         </ResolveRecipients>"
    );
}

#[test]
fn multibyte_integers_round_trip() {
    for value in [0u32, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 1 << 20, u32::MAX] {
        let mut out = Vec::new();
        put_mb_u32(&mut out, value);
        assert!(out.len() <= 5);
        let mut doc = vec![0x03, 0x01, 0x6A, 0x00, 0x00, 0x0A, 0x4D, 0xC3];
        doc.extend_from_slice(&out);
        // Only small values are followed by that many bytes; the rest must be refused
        // as truncated, never read past the end.
        if value < 300 {
            doc.extend(std::iter::repeat_n(7u8, value as usize));
            doc.push(0x01);
            let root = decode(&doc, &Limits::default()).unwrap();
            assert_eq!(root.children, vec![Node::Opaque(vec![7; value as usize])]);
        } else {
            assert!(decode(&doc, &Limits::default()).is_err());
        }
    }
}

fn err(bytes: &[u8]) -> WbxmlError {
    decode(bytes, &Limits::default()).unwrap_err()
}

#[test]
fn refuses_what_activesync_does_not_use() {
    let h = [0x03u8, 0x01, 0x6A, 0x00];
    let with = |body: &[u8]| [&h[..], body].concat();
    assert!(matches!(
        err(&[0x02, 0x01, 0x6A, 0x00, 0x45, 0x01]),
        WbxmlError::Header {
            field: "version",
            ..
        }
    ));
    assert!(matches!(
        err(&[0x03, 0x00, 0x00, 0x6A, 0x00, 0x45, 0x01]),
        WbxmlError::Header {
            field: "public identifier",
            ..
        }
    ));
    assert!(matches!(
        err(&[0x03, 0x01, 0x04, 0x00, 0x45, 0x01]),
        WbxmlError::Header {
            field: "charset",
            ..
        }
    ));
    assert!(matches!(
        err(&[0x03, 0x01, 0x6A, 0x01, 0x41, 0x45, 0x01]),
        WbxmlError::Header {
            field: "string table length",
            ..
        }
    ));
    for (body, what) in [
        (&[0x85u8, 0x01][..], "tag with attributes"),
        (&[0x45, 0x83, 0x00, 0x01], "string table reference"),
        (&[0x45, 0x02, 0x41, 0x01], "ENTITY"),
        (&[0x45, 0x43, 0x01], "processing instruction"),
        (&[0x45, 0x40, 0x41, 0x00, 0x01], "extension"),
        (&[0x04, 0x00], "LITERAL tag"),
    ] {
        match err(&with(body)) {
            WbxmlError::Unsupported { what: w, .. } => assert_eq!(w, what),
            other => panic!("{body:02X?}: {other:?}"),
        }
    }
}

#[test]
fn refuses_malformed_documents() {
    let h = [0x03u8, 0x01, 0x6A, 0x00];
    let with = |body: &[u8]| [&h[..], body].concat();
    for body in [
        &[][..],                                               // no root
        &[0x45][..],                                           // unclosed
        &[0x45, 0x03, b'a'][..],                               // unterminated string
        &[0x45, 0xC3, 0x05, 1, 2][..],                         // short opaque
        &[0x45, 0xC3, 0x80, 0x01, 0x01][..],                   // leading zero group
        &[0x45, 0xC3, 0x90, 0x80, 0x80, 0x80, 0x00][..],       // 2^32: beyond 32 bits
        &[0x45, 0xC3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F][..], // longer than 5 bytes
    ] {
        assert!(
            matches!(
                err(&with(body)),
                WbxmlError::Truncated { .. } | WbxmlError::Malformed { .. }
            ),
            "{body:02X?}"
        );
    }
    for body in [
        &[0x01][..],                   // END outside any element
        &[0x03, b'a', 0x00][..],       // content outside any element
        &[0x45, 0x01, 0x45, 0x01][..], // second root
        &[0x05, 0x05][..],             // second root after an empty one
        &[0x45, 0x01, 0x00][..],       // trailing byte
        &[0x00, 0x19, 0x45, 0x01][..], // code page 25
    ] {
        assert!(
            decode(&with(body), &Limits::default()).is_err(),
            "{body:02X?}"
        );
    }
    assert!(matches!(
        err(&with(&[0x45, 0x03, 0xFF, 0xFE, 0x00, 0x01])),
        WbxmlError::NotUtf8 { .. }
    ));
}

#[test]
fn enforces_every_limit() {
    let small = Limits {
        max_bytes: 64,
        max_depth: 3,
        max_string: 4,
        max_elements: 5,
    };
    let h = [0x03u8, 0x01, 0x6A, 0x00];
    let with = |body: &[u8]| [&h[..], body].concat();
    let limit = |bytes: &[u8]| match decode(bytes, &small) {
        Err(WbxmlError::Limit { what, .. }) => what,
        other => panic!("{other:?}"),
    };
    assert_eq!(limit(&with(&[0x05; 61])), "document size in bytes");
    assert_eq!(
        limit(&with(&[0x45, 0x45, 0x45, 0x45, 1, 1, 1, 1])),
        "nesting depth"
    );
    assert_eq!(
        limit(&with(&[0x45, 0x03, b'a', b'b', b'c', b'd', b'e', 0, 1])),
        "string length in bytes"
    );
    assert_eq!(
        limit(&with(&[0x45, 0xC3, 0x05, 1, 2, 3, 4, 5, 1])),
        "opaque data length in bytes"
    );
    assert_eq!(limit(&with(&[0x45, 5, 5, 5, 5, 5, 1])), "element count");
    // At the limits, accepted.
    assert!(
        decode(
            &with(&[0x45, 0x45, 0x45, 0x03, b'a', b'b', b'c', b'd', 0, 1, 1, 1]),
            &small
        )
        .is_ok()
    );
}

#[test]
fn every_prefix_and_every_byte_flip_fails_cleanly() {
    for n in 0..MS_ASWBXML_EXAMPLE.len() {
        assert!(
            decode(&MS_ASWBXML_EXAMPLE[..n], &Limits::default()).is_err(),
            "prefix {n}"
        );
    }
    // Flipped bytes may still decode; they must never panic.
    for i in 0..MS_ASWBXML_EXAMPLE.len() {
        for bit in 0..8 {
            let mut b = MS_ASWBXML_EXAMPLE.to_vec();
            b[i] ^= 1 << bit;
            let _ = decode(&b, &Limits::default());
        }
    }
}

#[test]
fn encoder_refuses_what_wbxml_cannot_carry() {
    assert!(encode(&leaf(10, 0x0A, "a\0b")).is_err());
    assert!(encode(&Element::new(10, 0x04)).is_err());
    assert!(encode(&Element::new(10, 0x40)).is_err());
}

#[test]
fn errors_read_like_sentences() {
    let e = err(&[0x03, 0x01, 0x6A, 0x00, 0x45, 0x83, 0x00, 0x01]);
    assert_eq!(
        e.to_string(),
        "WBXML token 0x83 at byte 5 is not used by ActiveSync (string table reference)"
    );
}
