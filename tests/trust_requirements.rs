//! REQUIREMENTS.md §2 rows that had no test (issue 15): row 20 (a stale CRL replayed
//! in a message does not beat a newer one), row 23 (a 16384-bit RSA key and an
//! oversized signature are refused before any RSA operation), row 26 (the CRL fetch
//! hook is asked only for a path that reached a trust anchor, and nothing is fetched
//! by default). Certificates and CRLs are made at test time with the `openssl` CLI.

use crate::common;

use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use smime::Certificate;
use smime::trust::{
    Crl, CrlFetcher, MAX_RSA_BITS, Policy, Purpose, RevocationCheck, TrustError, TrustStore, Use,
};

use common::trust_pki::Scratch;

fn verify_use() -> Use {
    Use::at(Purpose::Verify, SystemTime::now())
}

use crate::common::der::tlv;
use crate::common::openssl_in as openssl;

fn crl_file(dir: &Path, name: &str) -> Crl {
    Crl::load(&std::fs::read(dir.join(name)).unwrap())
        .unwrap()
        .remove(0)
}

/// Row 20: root -> leaf; CRL 1 (clean) and CRL 2 (revokes the leaf) from the root.
#[test]
fn row_20_a_stale_crl_does_not_replace_a_newer_one() {
    let s = Scratch::new();
    let root = s.ca("root", None, &[]);
    let leaf = s.person("leaf", "ann@corp.example", "root", &[]);
    let older = s.crl("root", &[]); // cRLNumber 1, nothing revoked
    // `openssl ca` advanced the number: the next CRL is number 2 and revokes the leaf.
    let dir = s.dir.path();
    openssl(
        dir,
        &[
            "ca",
            "-config",
            "root.ca.cnf",
            "-revoke",
            "leaf.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    openssl(
        dir,
        &[
            "ca",
            "-config",
            "root.ca.cnf",
            "-gencrl",
            "-out",
            "newer.crl",
        ],
    );
    let newer = crl_file(dir, "newer.crl");
    assert_eq!(older.number(), Some(&[1u8][..]));
    assert_eq!(newer.number(), Some(&[2u8][..]));

    let mut policy = Policy::email();
    policy.revocation = RevocationCheck::Required;
    let mut store = TrustStore::new();
    store.add_anchor(root);
    // The older CRL alone clears the leaf: the replay would work if it were used.
    assert!(
        store
            .evaluate_with_crls(
                &leaf,
                &policy,
                &verify_use(),
                &[],
                std::slice::from_ref(&older)
            )
            .is_ok()
    );
    // The store knows the newer CRL; the message replays the older one: revoked.
    let mut knows_newer = store.clone();
    knows_newer.add_crl(newer.clone());
    let err = knows_newer
        .evaluate_with_crls(
            &leaf,
            &policy,
            &verify_use(),
            &[],
            std::slice::from_ref(&older),
        )
        .unwrap_err();
    assert!(matches!(err, TrustError::Revoked { .. }), "{err}");
    // And the other way round: whichever arrives where, the newest decides.
    let mut knows_older = store.clone();
    knows_older.add_crl(older);
    let err = knows_older
        .evaluate_with_crls(&leaf, &policy, &verify_use(), &[], &[newer])
        .unwrap_err();
    assert!(matches!(err, TrustError::Revoked { .. }), "{err}");
}

/// The TLVs inside the DER SEQUENCE `der`.
fn children(der: &[u8]) -> Vec<&[u8]> {
    let (hdr, _) = header(der);
    let mut rest = &der[hdr..];
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (h, len) = header(rest);
        out.push(&rest[..h + len]);
        rest = &rest[h + len..];
    }
    out
}

fn header(der: &[u8]) -> (usize, usize) {
    if der[1] < 0x80 {
        (2, der[1] as usize)
    } else {
        let k = (der[1] & 0x7f) as usize;
        let len = der[2..2 + k]
            .iter()
            .fold(0usize, |a, b| (a << 8) | *b as usize);
        (2 + k, len)
    }
}

/// A PEM public key file holding an RSA "key" of `bits` bits (not a real key: no one
/// needs its private half, the verifier must refuse it by size alone).
fn big_rsa_public_key(dir: &Path, bits: usize) -> String {
    let mut n = vec![0xC5u8; bits / 8];
    n[0] |= 0x80;
    let modulus = [&[0u8][..], &n].concat(); // positive INTEGER
    let rsa = tlv(0x30, &[tlv(0x02, &modulus), tlv(0x02, &[1, 0, 1])].concat());
    let alg = tlv(
        0x30,
        &[
            tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
            ),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    let spki = tlv(
        0x30,
        &[alg, tlv(0x03, &[&[0u8][..], &rsa].concat())].concat(),
    );
    std::fs::write(dir.join("big.der"), spki).unwrap();
    openssl(
        dir,
        &[
            "pkey", "-pubin", "-inform", "DER", "-in", "big.der", "-out", "big.pub",
        ],
    );
    "big.pub".into()
}

/// Issues `name` (subject CN=`cn`, extensions `ext`) from `issuer` with the public key
/// in `pubkey` instead of the request's own.
fn issue_with_key(
    dir: &Path,
    name: &str,
    cn: &str,
    issuer: &str,
    pubkey: &str,
    ext: &str,
) -> Certificate {
    std::fs::write(dir.join(format!("{name}.ext")), format!("[v3]\n{ext}\n")).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.csr.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/O=Trust Tests/CN={cn}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{issuer}.pem"),
            "-CAkey",
            &format!("{issuer}.key"),
            "-force_pubkey",
            pubkey,
            "-out",
            &format!("{name}.pem"),
            "-days",
            "30",
            "-extfile",
            &format!("{name}.ext"),
            "-extensions",
            "v3",
            "-set_serial",
            "4242",
        ],
    );
    Certificate::from_pem(&std::fs::read(dir.join(format!("{name}.pem"))).unwrap()).unwrap()
}

#[track_caller]
fn assert_too_large(result: Result<smime::trust::VerifiedPath, TrustError>) {
    match result {
        Err(TrustError::KeyTooLarge { maximum, .. }) => assert_eq!(maximum, MAX_RSA_BITS),
        other => panic!("expected KeyTooLarge, got {other:?}"),
    }
}

/// Row 23 (BigSig class): a 16384-bit RSA key, on the leaf or on the CA whose key
/// would check the leaf's signature, and an oversized signature value are refused
/// by size. An RSA operation would instead end in BadSignature (the keys are fake).
#[test]
fn row_23_a_16384_bit_key_and_an_oversized_signature_are_refused_by_size() {
    const { assert!(16384 > MAX_RSA_BITS) };
    let s = Scratch::new();
    let dir = s.dir.path().to_owned();
    let root = s.issue_with(
        "root",
        "/O=Trust Tests/CN=root",
        None,
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        "rsa:2048",
        "sha256",
        None,
    );
    // RSA throughout, so the signature algorithms fit an RSA key of any size.
    let ica = s.issue_with(
        "ica",
        "/O=Trust Tests/CN=ica",
        Some("root"),
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        "rsa:2048",
        "sha256",
        None,
    );
    let leaf = s.person("leaf", "ann@corp.example", "ica", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(root);
    let policy = Policy::email();
    assert!(
        store
            .evaluate(&leaf, &policy, &verify_use(), std::slice::from_ref(&ica))
            .is_ok()
    );

    // The leaf's own key.
    let big = big_rsa_public_key(&dir, 16384);
    let big_leaf = issue_with_key(
        &dir,
        "bigleaf",
        "bigleaf",
        "ica",
        &big,
        "subjectAltName=email:ann@corp.example\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection",
    );
    assert_too_large(store.evaluate(
        &big_leaf,
        &policy,
        &verify_use(),
        std::slice::from_ref(&ica),
    ));

    // The intermediate's key: same name as "ica", so the leaf's signature would be
    // checked with the 16384-bit key.
    let big_ica = issue_with_key(
        &dir,
        "bigica",
        "ica",
        "root",
        &big,
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign",
    );
    assert_too_large(store.evaluate(&leaf, &policy, &verify_use(), &[big_ica]));

    // An oversized signature value on a certificate from the RSA-2048 root.
    let der = ica.der().to_vec();
    let parts = children(&der);
    let huge = tlv(0x03, &[&[0u8][..], &vec![0x5a; 16384 / 8]].concat());
    let oversized = tlv(0x30, &[parts[0], parts[1], &huge].concat());
    let oversized = Certificate::from_der(&oversized).expect("still a certificate");
    assert_too_large(store.evaluate(&leaf, &policy, &verify_use(), &[oversized]));
}

/// Records every call of the fetch hook and answers with `answer`.
struct RecordingFetcher {
    calls: Mutex<Vec<(String, Vec<String>)>>,
    answer: Vec<Crl>,
}

impl CrlFetcher for RecordingFetcher {
    fn fetch(&self, cert: &Certificate, urls: &[String]) -> Vec<Crl> {
        self.calls
            .lock()
            .unwrap()
            .push((cert.subject(), urls.to_vec()));
        self.answer.clone()
    }
}

/// Row 26: the hook is asked only once the path reached an anchor; by default nothing
/// is fetched at all (the distribution point and AIA URLs point at a listener here
/// that must see no connection).
#[test]
fn row_26_crl_fetcher_is_called_only_for_an_anchored_path() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/root.crl", listener.local_addr().unwrap());
    let s = Scratch::new();
    let root = s.ca("root", None, &[]);
    let cdp = format!("crlDistributionPoints=URI:{url}");
    let aia = format!("authorityInfoAccess=caIssuers;URI:{url}");
    let leaf = s.person("leaf", "ann@corp.example", "root", &[&cdp, &aia]);
    s.ca("stranger", None, &[]); // a root the store does not know
    let stranger = s.person("other", "ann@corp.example", "stranger", &[&cdp, &aia]);
    let revoking = s.crl("root", &["leaf"]);

    let mut policy = Policy::email();
    policy.revocation = RevocationCheck::Required;
    let fetcher = Arc::new(RecordingFetcher {
        calls: Mutex::new(Vec::new()),
        answer: vec![revoking],
    });
    let mut store = TrustStore::new().with_crl_fetcher(fetcher.clone());
    store.add_anchor(root.clone());

    // Not anchored (unknown root): refused without asking the hook.
    let err = store
        .evaluate(&stranger, &policy, &verify_use(), &[])
        .unwrap_err();
    assert!(!matches!(err, TrustError::Revoked { .. }), "{err}");
    assert!(fetcher.calls.lock().unwrap().is_empty());

    // Anchored: the hook is asked once, for the leaf, with its distribution point,
    // and what it returns decides.
    let err = store
        .evaluate(&leaf, &policy, &verify_use(), &[])
        .unwrap_err();
    assert!(matches!(err, TrustError::Revoked { .. }), "{err}");
    let calls = fetcher.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].0.contains("leaf"), "{calls:?}");
    assert_eq!(calls[0].1, vec![url.clone()]);

    // Without a hook nothing is fetched: unknown status, no connection made.
    let mut plain = TrustStore::new();
    plain.add_anchor(root);
    let err = plain
        .evaluate(&leaf, &policy, &verify_use(), &[])
        .unwrap_err();
    assert!(matches!(err, TrustError::RevocationUnknown { .. }), "{err}");
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "a connection was made to the distribution point"
    );
}
