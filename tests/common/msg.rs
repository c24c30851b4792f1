//! Test messages and what a correct encrypt/decrypt must give back.
//!
//! The contract (DESIGN.md, `smime` CLI): encryption takes a whole RFC 5322 message,
//! encrypts its inner MIME entity — the `Content-*` header fields and the body, in
//! canonical CRLF form — and keeps the outer From/To/Cc/Subject/Date/Message-ID.
//! Decryption returns that inner entity byte for byte.
#![allow(dead_code)]

use base64::Engine;

/// A whole RFC 5322 message, CRLF line ends, text/plain.
pub fn plain() -> Vec<u8> {
    crlf(
        b"From: Alice <alice@example.com>\n\
To: Bob <bob@example.com>\n\
Cc: carol@example.com\n\
Subject: Quarterly numbers\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\n\
Message-ID: <interop-1@example.com>\n\
MIME-Version: 1.0\n\
Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: 8bit\n\
\n\
Hello Bob,\n\
\n\
the numbers are in. Caf\xc3\xa9 at 10?\n\
-- \n\
Alice\n",
    )
}

/// A multipart/mixed message with a base64 attachment and a folded header field.
pub fn multipart() -> Vec<u8> {
    crlf(
        b"From: alice@example.com\n\
To: bob@example.com, dave@example.com\n\
Subject: Report attached\n\
Date: Mon, 23 Nov 2026 10:05:00 +0000\n\
Message-ID: <interop-2@example.com>\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed;\n\
\x20boundary=\"=_boundary_42\"\n\
\n\
This is a multi-part message in MIME format.\n\
--=_boundary_42\n\
Content-Type: text/plain; charset=us-ascii\n\
Content-Transfer-Encoding: 7bit\n\
\n\
See the attachment.\n\
--=_boundary_42\n\
Content-Type: application/octet-stream; name=\"data.bin\"\n\
Content-Disposition: attachment; filename=\"data.bin\"\n\
Content-Transfer-Encoding: base64\n\
\n\
AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n\
OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx\n\
--=_boundary_42--\n",
    )
}

/// A message with LF-only line ends (as a Unix mail tool writes it): the encrypted
/// entity must still be canonical CRLF.
pub fn lf_only() -> Vec<u8> {
    b"From: bob@example.com\n\
To: alice@example.com\n\
Subject: LF only\n\
Date: Mon, 23 Nov 2026 11:00:00 +0000\n\
Message-ID: <interop-3@example.com>\n\
MIME-Version: 1.0\n\
Content-Type: text/plain; charset=us-ascii\n\
\n\
line one\n\
line two\n"
        .to_vec()
}

/// A larger message (about 200 KiB over many lines) so several cipher blocks, base64
/// lines and streaming buffers are crossed.
pub fn large() -> Vec<u8> {
    let mut m = crlf(
        b"From: alice@example.com\n\
To: bob@example.com\n\
Subject: Big\n\
Date: Mon, 23 Nov 2026 12:00:00 +0000\n\
Message-ID: <interop-4@example.com>\n\
MIME-Version: 1.0\n\
Content-Type: text/plain; charset=us-ascii\n\
\n",
    );
    for i in 0..3000 {
        m.extend_from_slice(
            format!("{i:06} the quick brown fox jumps over the lazy dog 0123456789\r\n").as_bytes(),
        );
    }
    m
}

/// A bare MIME entity (what OpenSSL, gpgsm and Python encrypt: they take the entity to
/// protect, not a whole message).
pub fn entity() -> Vec<u8> {
    crlf(
        b"Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: 8bit\n\
\n\
Encrypted by a peer.\n\
Caf\xc3\xa9 \xe2\x98\x95, line two.\n",
    )
}

/// `LF` or `CRLF` line ends to `CRLF`.
pub fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 20);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// Splits a message into its header block (without the empty line) and body.
pub fn split(message: &[u8]) -> (&[u8], &[u8]) {
    for (i, w) in message.windows(2).enumerate() {
        if w == b"\n\n" {
            return (&message[..i + 1], &message[i + 2..]);
        }
        if i + 4 <= message.len() && &message[i..i + 4] == b"\r\n\r\n" {
            return (&message[..i + 2], &message[i + 4..]);
        }
    }
    (message, &[])
}

/// The header fields of a header block: (name, raw field including folded lines, without
/// the final line end).
pub fn fields(header: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = crlf(header);
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            let last = out.last_mut().expect("continuation line before any field");
            last.1.extend_from_slice(b"\r\n");
            last.1.extend_from_slice(line);
        } else {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            out.push((
                String::from_utf8_lossy(name).trim().to_string(),
                line.to_vec(),
            ));
        }
    }
    out
}

/// The value of the first field named `name` (case-insensitive), unfolded and trimmed.
pub fn header(message: &[u8], name: &str) -> Option<String> {
    let (h, _) = split(message);
    fields(h)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, raw)| {
            let raw = String::from_utf8_lossy(&raw).into_owned();
            let value = raw.split_once(':').map(|(_, v)| v).unwrap_or_default();
            value.replace("\r\n", "").trim().to_string()
        })
}

/// The inner entity a correct implementation encrypts for `message`: its `Content-*`
/// fields in order (folding kept) and its body, all in CRLF form.
pub fn inner_entity(message: &[u8]) -> Vec<u8> {
    let (h, body) = split(message);
    let mut out = Vec::new();
    for (name, raw) in fields(h) {
        if name.to_ascii_lowercase().starts_with("content-") {
            out.extend_from_slice(&raw);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&crlf(body));
    out
}

/// The outer header fields encryption must keep.
pub const KEPT_FIELDS: &[&str] = &["From", "To", "Cc", "Subject", "Date", "Message-ID"];

/// `smime-type` a CLI output must carry for `cipher`.
pub fn smime_type(cipher: &str) -> &'static str {
    if cipher.contains("gcm") || cipher.contains("chacha") {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    }
}

/// Checks the shape of an encrypted message the CLI wrote for `original`: the kept outer
/// fields, `application/pkcs7-mime` with the right smime-type, base64, and that the body
/// decodes. Returns the CMS DER.
#[track_caller]
pub fn check_encrypted_shape(encrypted: &[u8], original: &[u8], smime_type: &str) -> Vec<u8> {
    // Kept means the same value; a re-rendering may quote a display name or re-space it.
    let norm = |v: Option<String>| {
        v.map(|v| {
            v.replace('"', "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    for f in KEPT_FIELDS {
        assert_eq!(
            norm(header(encrypted, f)),
            norm(header(original, f)),
            "outer {f} field not kept; encrypted message:\n{}",
            super::show(&encrypted[..encrypted.len().min(1500)])
        );
    }
    let ct = header(encrypted, "Content-Type").expect("encrypted message has a Content-Type");
    let norm = ct.to_ascii_lowercase().replace(['"', ' ', '\t'], "");
    assert!(
        norm.starts_with("application/pkcs7-mime;"),
        "Content-Type is {ct:?}"
    );
    let want = format!("smime-type={}", smime_type.to_ascii_lowercase());
    assert!(
        norm.split(';').any(|p| p == want),
        "Content-Type {ct:?} lacks {want}"
    );
    let (_, body) = split(original);
    let first_line = body.split(|&b| b == b'\n').find(|l| l.len() > 12);
    if let Some(line) = first_line {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(
            !encrypted.windows(line.len()).any(|w| w == line),
            "the encrypted message shows the body in clear: {}",
            super::show(line)
        );
    }
    let cte = header(encrypted, "Content-Transfer-Encoding").unwrap_or_default();
    assert!(
        cte.eq_ignore_ascii_case("base64"),
        "Content-Transfer-Encoding is {cte:?}"
    );
    cms_der(encrypted)
}

/// The CMS DER carried base64 in an `application/pkcs7-mime` message's body.
#[track_caller]
pub fn cms_der(message: &[u8]) -> Vec<u8> {
    let (_, body) = split(message);
    let b64: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&b64)
        .unwrap_or_else(|e| panic!("body of the S/MIME message is not base64: {e}"))
}

/// Wraps raw CMS EnvelopedData DER (what gpgsm writes) into a whole RFC 5322 message
/// `application/pkcs7-mime; smime-type=enveloped-data`, base64 in 76-column lines.
pub fn wrap_enveloped(der: &[u8]) -> Vec<u8> {
    let mut m = crlf(
        b"From: sender@example.com\n\
To: alice@example.com\n\
Subject: from a peer\n\
Date: Mon, 23 Nov 2026 13:00:00 +0000\n\
Message-ID: <peer-1@example.com>\n\
MIME-Version: 1.0\n\
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n\
Content-Disposition: attachment; filename=\"smime.p7m\"\n\
Content-Transfer-Encoding: base64\n\
\n",
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    for chunk in b64.as_bytes().chunks(76) {
        m.extend_from_slice(chunk);
        m.extend_from_slice(b"\r\n");
    }
    m
}

/// Wraps raw CMS DER as an `application/octet-stream` `.p7m` attachment-style message,
/// the form some clients send.
pub fn wrap_octet_stream_p7m(der: &[u8]) -> Vec<u8> {
    let mut m = crlf(
        b"From: sender@example.com\n\
To: alice@example.com\n\
Subject: p7m as octet-stream\n\
MIME-Version: 1.0\n\
Content-Type: application/octet-stream; name=\"smime.p7m\"\n\
Content-Disposition: attachment; filename=\"smime.p7m\"\n\
Content-Transfer-Encoding: base64\n\
\n",
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    for chunk in b64.as_bytes().chunks(64) {
        m.extend_from_slice(chunk);
        m.extend_from_slice(b"\r\n");
    }
    m
}

/// The `boundary` parameter of a message's Content-Type.
#[track_caller]
pub fn boundary(message: &[u8]) -> String {
    let ct = header(message, "Content-Type").expect("a Content-Type field");
    ct.split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("Content-Type {ct:?} has no boundary"))
}

/// A `multipart/signed` message split RFC 1847 style: the signed entity's exact bytes
/// (the CRLF before the next boundary belongs to the boundary) and the detached CMS
/// signature (DER, from the base64 second part).
#[track_caller]
pub fn split_signed(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let b = boundary(message);
    let (_, body) = split(message);
    let open = format!("--{b}\r\n");
    let delim = format!("\r\n--{b}");
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(body, open.as_bytes()).expect("first boundary") + open.len();
    let len = find(&body[start..], delim.as_bytes()).expect("second boundary");
    let content = body[start..start + len].to_vec();
    let rest = &body[start + len + delim.len()..];
    let rest = rest.strip_prefix(b"\r\n").expect("CRLF after the boundary");
    let end = find(rest, delim.as_bytes()).expect("closing boundary");
    (content, cms_der(&rest[..end]))
}

/// Lines of base64, 76 columns, CRLF.
pub fn base64_lines(der: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = Vec::new();
    for chunk in b64.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `outer` header fields, then `application/pkcs7-mime; smime-type=signed-data` around
/// raw CMS DER (an opaque signature a peer wrote).
pub fn wrap_signed_opaque(outer: &[u8], der: &[u8]) -> Vec<u8> {
    let mut m = outer.to_vec();
    m.extend_from_slice(
        b"MIME-Version: 1.0\r\n\
Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n\
Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n",
    );
    m.extend_from_slice(&base64_lines(der));
    m
}

/// `outer` header fields, then `multipart/signed` around `content` and a raw detached
/// CMS signature.
pub fn wrap_signed_detached(outer: &[u8], content: &[u8], der: &[u8], micalg: &str) -> Vec<u8> {
    let boundary = "----=_peer_signed_17";
    let mut m = outer.to_vec();
    m.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/signed; \
             protocol=\"application/pkcs7-signature\"; micalg={micalg}; \
             boundary=\"{boundary}\"\r\n\r\nThis is a signed message.\r\n--{boundary}\r\n"
        )
        .as_bytes(),
    );
    m.extend_from_slice(content);
    m.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n"
        )
        .as_bytes(),
    );
    m.extend_from_slice(&base64_lines(der));
    m.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    m
}
