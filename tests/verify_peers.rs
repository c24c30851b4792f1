//! Peers → ours: messages signed at test time by `openssl cms -sign`, `gpgsm --sign`
//! and Python `cryptography`'s `PKCS7SignatureBuilder` with fresh keys (tests/common/
//! pki.rs), verified by the `smime verify` CLI and the library.
//!
//! The signed entity is always the inner MIME entity of `msg::plain()` (Content-* fields
//! and body, CRLF); the outer From/To/Subject are put in front of what the peer wrote
//! (none of the peers writes them), so the From check of `smime verify` runs. The
//! content `--content-out` returns must be that entity byte for byte.
//!
//! Peer limits (PEERS.md, tests/peers_selfcheck.rs): gpgsm is used with RSA PKCS#1 v1.5
//! only (it aborts on PSS and crashes importing EC PKCS#12); Python signs RSA and EC but
//! verifies nothing; OpenSSL 3.0 cannot do Ed25519 in CMS (Ed25519 is proven by the RFC
//! 9216 vectors in clients_verify.rs).

use crate::common;

use std::process::Command;
use std::time::SystemTime;

use common::cli;
use common::gpgsm::Gpgsm;
use common::pki::{Pki, pki};
use common::{msg, read_file, run_ok, temp_dir, write_file};
use serde_json::Value;
use smime::Certificate;
use smime::cms::InvalidReason;
use smime::reader::SignatureStatus;
use smime::reader::SignedScope;
use smime::trust::{Policy, Purpose, TrustStore, Use};

/// The entity every peer signs.
fn entity() -> Vec<u8> {
    msg::inner_entity(&msg::plain())
}

/// Outer header fields naming `who` as the sender, CRLF.
fn outer_headers(p: &Pki, who: &str) -> Vec<u8> {
    format!(
        "From: {} <{}>\r\nTo: Bob <bob@example.com>\r\nSubject: signed by a peer\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n",
        who,
        p.email(who)
    )
    .into_bytes()
}

/// `outer` followed by the peer's S/MIME entity, which already has MIME-Version.
fn with_headers(outer: &[u8], smime: &[u8]) -> Vec<u8> {
    let mut m = outer.to_vec();
    m.extend_from_slice(smime);
    m
}

/// `openssl cms -sign` of the entity: S/MIME output (detached multipart/signed unless
/// `opaque`), DER when `der` (opaque only).
struct OpensslSign<'a> {
    signers: &'a [&'a str],
    md: &'a str,
    pss: bool,
    opaque: bool,
    chain: bool,
    der: bool,
}

impl Default for OpensslSign<'_> {
    fn default() -> Self {
        OpensslSign {
            signers: &["alice"],
            md: "sha256",
            pss: false,
            opaque: false,
            chain: true,
            der: false,
        }
    }
}

fn openssl_sign(p: &Pki, content: &[u8], o: &OpensslSign) -> Vec<u8> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", content);
    let out = dir.path().join("out");
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-sign", "-md", o.md, "-in"]).arg(&inp);
    for who in o.signers {
        cmd.arg("-signer").arg(p.cert(who));
        cmd.arg("-inkey").arg(p.key(who));
        if o.pss {
            cmd.args(["-keyopt", "rsa_padding_mode:pss"]);
        }
    }
    if o.chain {
        cmd.arg("-certfile").arg(p.chain());
    }
    if o.opaque {
        cmd.arg("-nodetach");
    }
    if o.der {
        cmd.args(["-outform", "DER"]);
    }
    cmd.arg("-out").arg(&out);
    run_ok(&mut cmd, b"");
    read_file(&out)
}

/// `smime verify` of `message` with the test root as anchor: (JSON report, exit code,
/// content written by `--content-out`).
fn verify_cli(p: &Pki, message: &[u8], extra: &[&str]) -> (Value, Option<i32>, Vec<u8>) {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", message);
    let content = dir.path().join("content");
    let root = p.root();
    let mut args: Vec<&str> = vec![
        "verify",
        "--trust-anchor",
        root.to_str().unwrap(),
        "--in",
        inp.to_str().unwrap(),
        "--content-out",
        content.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = cli::smime(&args, b"");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: stdout is not JSON ({e}): {}",
            cli::describe(&args, &out),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let body = std::fs::read(&content).unwrap_or_default();
    (json, out.status.code(), body)
}

fn statuses(report: &Value) -> Vec<String> {
    report["signers"]
        .as_array()
        .expect("signers array")
        .iter()
        .map(|s| s["status"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// Asserts the CLI says Valid for exactly one signer `who` and returned the entity.
#[track_caller]
fn assert_valid(p: &Pki, message: &[u8], who: &str, detached: bool, what: &str) {
    let (report, code, content) = verify_cli(p, message, &[]);
    assert_eq!(report["valid"], Value::Bool(true), "{what}: {report:#}");
    assert_eq!(code, Some(0), "{what}: exit code; {report:#}");
    assert_eq!(statuses(&report), ["valid"], "{what}: {report:#}");
    let signer = &report["signers"][0];
    assert_eq!(signer["detached"], Value::Bool(detached), "{what}");
    assert_eq!(report["signed_scope"], "whole-message", "{what}");
    assert_eq!(report["from"], p.email(who).as_str(), "{what}");
    assert_eq!(
        signer["addresses"],
        serde_json::json!([p.email(who)]),
        "{what}"
    );
    let cert = Certificate::load(&read_file(&p.cert(who)))
        .unwrap()
        .remove(0);
    assert_eq!(
        signer["fingerprint_sha256"].as_str(),
        Some(cert.fingerprint_hex().as_str()),
        "{what}"
    );
    common::assert_bytes_eq(&content, &entity(), &format!("{what}: verified content"));
}

fn trust(p: &Pki) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(Certificate::load(&read_file(&p.root())).unwrap().remove(0));
    t
}

fn policy() -> Policy {
    Policy::email()
}

/// Every byte of the signed entity in `message`, flipped one at a time, gives an
/// Invalid signer with a digest mismatch (never a panic, never Valid). `content_at`
/// is where the entity starts in `message`.
#[track_caller]
fn assert_each_flip_invalid(p: &Pki, message: &[u8], content_at: usize, len: usize, what: &str) {
    let t = trust(p);
    let pol = policy();
    let good = smime::reader::open(message, &[], &t, &pol, SystemTime::now()).expect(what);
    assert!(good.is_signature_valid(), "{what}: unflipped must be valid");
    for i in content_at..content_at + len {
        let mut bad = message.to_vec();
        bad[i] ^= 0x01;
        // A flip that turns CR/LF into another line end can change MIME parsing; a
        // typed error is a correct refusal too, but never Valid.
        match smime::reader::open(&bad, &[], &t, &pol, SystemTime::now()) {
            Ok(opened) => {
                assert!(
                    !opened.is_signature_valid(),
                    "{what}: byte {} flipped still valid",
                    i - content_at
                );
                let statuses: Vec<&SignatureStatus> =
                    opened.signatures().map(|s| s.status()).collect();
                assert!(
                    statuses.iter().any(|s| matches!(
                        s,
                        SignatureStatus::Invalid {
                            reason: InvalidReason::DigestMismatch
                        }
                    )),
                    "{what}: byte {} flipped gave {statuses:?}",
                    i - content_at
                );
            }
            Err(e) => panic!("{what}: byte {} flipped: error {e}", i - content_at),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("the content is in the message")
}

#[test]
fn openssl_rsa_each_digest_detached_and_opaque_with_chain_is_valid() {
    let p = pki();
    for md in ["sha256", "sha384", "sha512"] {
        for opaque in [false, true] {
            let signed = openssl_sign(
                p,
                &entity(),
                &OpensslSign {
                    md,
                    opaque,
                    ..Default::default()
                },
            );
            let m = with_headers(&outer_headers(p, "alice"), &signed);
            assert_valid(
                p,
                &m,
                "alice",
                !opaque,
                &format!("openssl {md} opaque={opaque}"),
            );
        }
    }
}

#[test]
fn openssl_rsa_pss_is_valid() {
    let p = pki();
    for (md, opaque) in [("sha256", false), ("sha256", true), ("sha512", false)] {
        let signed = openssl_sign(
            p,
            &entity(),
            &OpensslSign {
                md,
                pss: true,
                opaque,
                ..Default::default()
            },
        );
        assert!(
            common::openssl::print_der(&common::openssl::smime_to_der(&signed))
                .contains("rsassaPss"),
            "openssl wrote no PSS signature"
        );
        let m = with_headers(&outer_headers(p, "alice"), &signed);
        assert_valid(
            p,
            &m,
            "alice",
            !opaque,
            &format!("openssl PSS {md} opaque={opaque}"),
        );
    }
}

#[test]
fn openssl_ecdsa_p256_and_p384_are_valid() {
    let p = pki();
    for (who, md) in [
        ("frank", "sha256"),
        ("frank", "sha512"),
        ("grace", "sha384"),
        ("grace", "sha512"),
    ] {
        for opaque in [false, true] {
            let signed = openssl_sign(
                p,
                &entity(),
                &OpensslSign {
                    signers: &[who],
                    md,
                    opaque,
                    ..Default::default()
                },
            );
            let m = with_headers(&outer_headers(p, who), &signed);
            assert_valid(
                p,
                &m,
                who,
                !opaque,
                &format!("openssl ECDSA {who} {md} opaque={opaque}"),
            );
        }
    }
}

#[test]
fn openssl_without_chain_is_untrusted_issuer_unless_untrusted_given() {
    let p = pki();
    for opaque in [false, true] {
        let signed = openssl_sign(
            p,
            &entity(),
            &OpensslSign {
                opaque,
                chain: false,
                ..Default::default()
            },
        );
        let m = with_headers(&outer_headers(p, "alice"), &signed);
        let (report, code, content) = verify_cli(p, &m, &[]);
        assert_eq!(statuses(&report), ["untrusted-issuer"], "{report:#}");
        assert_eq!(report["valid"], Value::Bool(false));
        assert_eq!(code, Some(1));
        // `--content-out` is written only for a valid verdict (issue 15, finding 8).
        assert!(
            content.is_empty(),
            "content written for an untrusted signature"
        );
        let chain = p.chain();
        let (report, code, _) = verify_cli(p, &m, &["--untrusted", chain.to_str().unwrap()]);
        assert_eq!(statuses(&report), ["valid"], "{report:#}");
        assert_eq!(code, Some(0));
        // The intermediate alone is enough too.
        let inter = p.intermediate();
        let (report, _, _) = verify_cli(p, &m, &["--untrusted", inter.to_str().unwrap()]);
        assert_eq!(statuses(&report), ["valid"], "{report:#}");
    }
}

#[test]
fn openssl_two_signers_both_valid() {
    let p = pki();
    for opaque in [false, true] {
        let signed = openssl_sign(
            p,
            &entity(),
            &OpensslSign {
                signers: &["alice", "frank"],
                opaque,
                ..Default::default()
            },
        );
        // Library level (no From): both SignerInfos are Valid.
        let t = trust(p);
        let der = if opaque {
            msg::cms_der(&signed)
        } else {
            common::openssl::smime_to_der(&signed)
        };
        let v = if opaque {
            let mut out = Vec::new();
            let v = smime::cms::verify_opaque(&der[..], &mut out, &t, &policy()).unwrap();
            common::assert_bytes_eq(&out, &entity(), "opaque two-signer content");
            v
        } else {
            smime::cms::verify_detached(&der, &entity()[..], &t, &policy()).unwrap()
        };
        assert_eq!(v.signers().len(), 2);
        let reports = smime::reader::judge_signers(
            &v,
            &t,
            &policy(),
            &Use::at(Purpose::Verify, SystemTime::now()),
        );
        for s in &reports {
            assert_eq!(s.status(), &SignatureStatus::Valid, "opaque={opaque}");
        }
        assert!(!reports.is_empty() && reports.iter().all(|r| r.status().is_valid()));
        let mut who: Vec<String> = v
            .signers()
            .iter()
            .map(|s| s.certificate().unwrap().email_addresses()[0].to_string())
            .collect();
        who.sort();
        assert_eq!(who, [p.email("alice"), p.email("frank")]);
        // Message level: From names alice, so frank's certificate does not match the
        // sender (RFC 8550 §3) and the message is not shown as valid.
        let m = with_headers(&outer_headers(p, "alice"), &signed);
        let (report, code, content) = verify_cli(p, &m, &[]);
        let mut st = statuses(&report);
        st.sort();
        assert_eq!(st, ["address-mismatch", "valid"], "{report:#}");
        assert_eq!(code, Some(1));
        // Not valid as a message: no `--content-out` (issue 15, finding 8).
        assert!(
            content.is_empty(),
            "content written for a mismatched signer"
        );
    }
}

#[test]
fn openssl_flipped_byte_anywhere_in_content_is_invalid() {
    let p = pki();
    let e = entity();
    // Detached: the entity sits in the message as the first part.
    let signed = openssl_sign(p, &e, &OpensslSign::default());
    let m = with_headers(&outer_headers(p, "alice"), &signed);
    let at = find(&m, b"Content-Type: text/plain");
    let len = find(&m[at..], b"\nAlice") + 6;
    assert_each_flip_invalid(p, &m, at, len, "openssl detached");
    // Opaque: the entity sits in the eContent OCTET STRING of the DER.
    let der = openssl_sign(
        p,
        &e,
        &OpensslSign {
            opaque: true,
            der: true,
            ..Default::default()
        },
    );
    let at = find(&der, &e);
    for i in (at..at + e.len()).step_by(7).chain([at, at + e.len() - 1]) {
        let mut bad = der.clone();
        bad[i] ^= 0x20;
        let m = common::msg::wrap_signed_opaque(&outer_headers(p, "alice"), &bad);
        let (report, code, content) = verify_cli(p, &m, &[]);
        assert_eq!(
            statuses(&report),
            ["invalid"],
            "byte {}: {report:#}",
            i - at
        );
        assert!(
            report["signers"][0]["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("changed"),
            "{report:#}"
        );
        assert_eq!(code, Some(1));
        assert_ne!(content, e, "the altered content is what was checked");
    }
}

#[test]
fn gpgsm_detached_and_opaque_rsa_are_valid() {
    let p = pki();
    let g = Gpgsm::with_identity(p, "alice");
    let e = entity();
    let outer = outer_headers(p, "alice");
    let der = g.sign(&e, &p.cert("alice"), true);
    let m = common::msg::wrap_signed_detached(&outer, &e, &der, "sha-256");
    assert_valid(p, &m, "alice", true, "gpgsm detached");
    let der = g.sign(&e, &p.cert("alice"), false);
    let m = common::msg::wrap_signed_opaque(&outer, &der);
    assert_valid(p, &m, "alice", false, "gpgsm opaque");
    // A flipped byte in the opaque content.
    let at = find(&der, b"Hello Bob");
    let mut bad = der.clone();
    bad[at] ^= 0x01;
    let (report, code, _) = verify_cli(p, &common::msg::wrap_signed_opaque(&outer, &bad), &[]);
    assert_eq!(statuses(&report), ["invalid"], "{report:#}");
    assert_eq!(code, Some(1));
    // And every byte of the detached content.
    let der = g.sign(&e, &p.cert("alice"), true);
    let m = common::msg::wrap_signed_detached(&outer, &e, &der, "sha-256");
    let at = find(&m, &e);
    assert_each_flip_invalid(p, &m, at, e.len(), "gpgsm detached");
}

const PY_SIGN: &str = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs7
inp, out, cert_path, key_path, md, mode, pss, chain = sys.argv[1:9]
cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[md]
kw = {}
if pss == "pss":
    kw["rsa_padding"] = padding.PSS(mgf=padding.MGF1(h), salt_length=padding.PSS.DIGEST_LENGTH)
b = pkcs7.PKCS7SignatureBuilder().set_data(open(inp, "rb").read()).add_signer(cert, key, h, **kw)
for c in x509.load_pem_x509_certificates(open(chain, "rb").read()):
    b = b.add_certificate(c)
opts = [pkcs7.PKCS7Options.DetachedSignature] if mode == "detached" else []
enc = serialization.Encoding.DER if mode == "der" else serialization.Encoding.SMIME
open(out, "wb").write(b.sign(enc, opts))
"#;

/// Python `PKCS7SignatureBuilder`: `mode` = detached (S/MIME multipart/signed with
/// DetachedSignature), der (opaque, raw DER) or anything else (S/MIME encoding without
/// DetachedSignature).
fn python_sign(p: &Pki, content: &[u8], who: &str, md: &str, mode: &str, pss: bool) -> Vec<u8> {
    let dir = temp_dir();
    let inp = write_file(dir.path(), "in.eml", content);
    let out = dir.path().join("out");
    let mut cmd = Command::new("python3");
    cmd.args(["-c", PY_SIGN])
        .arg(&inp)
        .arg(&out)
        .arg(p.cert(who))
        .arg(p.key(who))
        .args([md, mode, if pss { "pss" } else { "pkcs1" }])
        .arg(p.intermediate());
    run_ok(&mut cmd, b"");
    read_file(&out)
}

#[test]
fn python_rsa_and_ec_detached_and_opaque_are_valid() {
    let p = pki();
    let e = entity();
    for (who, md, pss) in [
        ("alice", "sha256", false),
        ("alice", "sha512", false),
        ("alice", "sha256", true),
        ("frank", "sha256", false),
        ("grace", "sha384", false),
    ] {
        let signed = python_sign(p, &e, who, md, "detached", pss);
        let m = with_headers(&outer_headers(p, who), &signed);
        assert_valid(
            p,
            &m,
            who,
            true,
            &format!("python {who} {md} pss={pss} detached"),
        );
        // Opaque: Python's SMIME encoding always writes multipart/signed, so its
        // opaque form is taken as DER and wrapped in application/pkcs7-mime here.
        let der = python_sign(p, &e, who, md, "der", pss);
        let m = common::msg::wrap_signed_opaque(&outer_headers(p, who), &der);
        assert_valid(
            p,
            &m,
            who,
            false,
            &format!("python {who} {md} pss={pss} opaque"),
        );
    }
    // Python's SMIME encoding without DetachedSignature writes a multipart/signed
    // whose SignedData ALSO carries the content (measured with cryptography 48),
    // byte-identical to the signed part: nothing is confused, so it verifies, by the
    // CLI and the library (issue 15 finding 11; OpenSSL accepts it too).
    for (who, md) in [
        ("alice", "sha256"),
        ("frank", "sha256"),
        ("grace", "sha384"),
    ] {
        let both = python_sign(p, &e, who, md, "smime-with-content", false);
        assert!(both.starts_with(b"MIME-Version: 1.0\r\nContent-Type: multipart/signed"));
        let (signed_part, signature) = common::msg::split_signed(&both);
        assert_eq!(signed_part, e, "python {who}: the first part is the entity");
        find(&signature, b"the numbers are in"); // the eContent is really there
        let m = with_headers(&outer_headers(p, who), &both);
        assert_valid(
            p,
            &m,
            who,
            true,
            &format!("python {who} smime-with-content"),
        );
        let opened = smime::reader::open(&m, &[], &trust(p), &policy(), SystemTime::now()).unwrap();
        assert!(
            opened.is_signature_valid(),
            "python {who} smime-with-content"
        );
        assert_eq!(opened.content(), e.as_slice());
        // Stored with bare LFs (an mbox): compared again in the CRLF form signed.
        let lf: Vec<u8> = m.iter().copied().filter(|&b| b != b'\r').collect();
        let opened =
            smime::reader::open(&lf, &[], &trust(p), &policy(), SystemTime::now()).unwrap();
        assert!(
            opened.is_signature_valid(),
            "python {who} smime-with-content, LF"
        );
    }
    // The same signature (valid over its eContent) beside a first part that differs:
    // the eContent-confusion shape of REQUIREMENTS.md §2 row 7, still refused.
    let both = python_sign(p, &e, "alice", "sha256", "smime-with-content", false);
    let mut other = with_headers(&outer_headers(p, "alice"), &both);
    let at = find(&other, b"Caf\xc3\xa9 at 10?");
    other[at + 10] = b'9'; // "at 19?": same length, another meeting
    let (report, code, _) = verify_cli(p, &other, &[]);
    assert_eq!(statuses(&report), ["invalid"], "{report:#}");
    assert!(
        report["signers"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("carries its own content"),
        "{report:#}"
    );
    assert_eq!(code, Some(1));
    let opened = smime::reader::open(&other, &[], &trust(p), &policy(), SystemTime::now()).unwrap();
    assert!(!opened.is_signature_valid());
    assert!(matches!(
        opened.signatures().next().unwrap().status(),
        SignatureStatus::Invalid {
            reason: InvalidReason::ContentPlacement(_)
        }
    ));
    // A flipped byte in Python's opaque DER content.
    let der = python_sign(p, &e, "frank", "sha256", "der", false);
    let at = find(&der, b"the numbers");
    let mut bad = der.clone();
    bad[at + 4] ^= 0x04;
    let t = trust(p);
    let opened = smime::reader::open(
        &common::msg::wrap_signed_opaque(&outer_headers(p, "frank"), &bad),
        &[],
        &t,
        &policy(),
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(opened.signed_scope(), SignedScope::WholeMessage);
    assert!(!opened.is_signature_valid());
    assert!(matches!(
        opened.signatures().next().unwrap().status(),
        SignatureStatus::Invalid {
            reason: InvalidReason::DigestMismatch
        }
    ));
    // And every byte of Python's detached content.
    let signed = python_sign(p, &e, "alice", "sha256", "detached", false);
    let m = with_headers(&outer_headers(p, "alice"), &signed);
    let at = find(&m, b"Content-Type: text/plain");
    let len = find(&m[at..], b"\nAlice") + 6;
    assert_each_flip_invalid(p, &m, at, len, "python detached");
}
