//! One test per trust rule (issue 4), each asserting the error names the right check
//! (and, where it matters, the right certificate). Certificates are made at test time
//! with the `openssl` CLI (tests/common/trust_pki.rs).

use crate::common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use smime::trust::{
    MemoryUserTrust, Party, Policy, Purpose, RevocationCheck, RevocationReason, TrustError,
    TrustStore, TrustWarning, Use, UserTrust,
};

use common::trust_pki::Scratch;

fn now() -> SystemTime {
    SystemTime::now()
}

/// Root -> "ica" -> leaf, with `ica_extra` on the intermediate and `leaf_extra` on the leaf.
fn chain(
    s: &Scratch,
    ica_extra: &[&str],
    leaf_extra: &[&str],
) -> (TrustStore, smime::Certificate, smime::Certificate) {
    let root = s.ca("root", None, &[]);
    let ica = s.ca("ica", Some("root"), ica_extra);
    let leaf = s.person("leaf", "ann@corp.example", "ica", leaf_extra);
    let mut store = TrustStore::new();
    store.add_anchor(root);
    (store, ica, leaf)
}

fn verify_policy() -> Policy {
    Policy::email()
}

/// Verifying, now, with no address in question.
fn verify_use() -> Use {
    Use::at(Purpose::Verify, now())
}

#[test]
fn valid_chain_names_anchor_and_intermediates() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &[]);
    let path = store
        .evaluate(
            &leaf,
            &verify_policy(),
            &verify_use(),
            std::slice::from_ref(&ica),
        )
        .expect("trusted");
    assert_eq!(path.intermediates(), std::slice::from_ref(&ica));
    assert_eq!(
        path.anchor_certificate().map(|c| c.subject()),
        Some("CN=root,O=Trust Tests".into())
    );
    assert!(!path.is_user_trusted());
    // Without CRLs the best-effort policy warns that revocation is unknown.
    assert!(
        path.warnings()
            .iter()
            .any(|w| matches!(w, TrustWarning::RevocationUnknown { .. }))
    );
    // The intermediate may also come from the store instead of the message.
    let mut store2 = store.clone();
    store2.add_intermediate(ica);
    assert!(
        store2
            .evaluate(&leaf, &verify_policy(), &verify_use(), &[])
            .is_ok()
    );
}

#[test]
fn missing_intermediate_is_unknown_issuer() {
    let s = Scratch::new();
    let (store, _ica, leaf) = chain(&s, &[], &[]);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[])
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::UnknownIssuer { subject } if subject.contains("leaf")),
        "{err}"
    );
}

#[test]
fn expiry_beats_unknown_issuer() {
    let s = Scratch::new();
    let (_, _ica, leaf) = chain(&s, &[], &[]);
    let later = now() + Duration::from_secs(60 * 86_400);
    let err = TrustStore::new()
        .evaluate(
            &leaf,
            &Policy::email(),
            &Use::at(Purpose::Verify, later),
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, TrustError::Expired { .. }), "{err}");
    let earlier = now() - Duration::from_secs(2 * 86_400);
    let err = TrustStore::new()
        .evaluate(
            &leaf,
            &Policy::email(),
            &Use::at(Purpose::Verify, earlier),
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, TrustError::NotYetValid { .. }), "{err}");
}

#[test]
fn intermediate_without_ca_flag_is_rejected() {
    let s = Scratch::new();
    let root = s.ca("root", None, &[]);
    let ica = s.issue(
        "ica",
        "/CN=ica",
        Some("root"),
        &["keyUsage=critical,keyCertSign"],
    );
    let leaf = s.person("leaf", "ann@corp.example", "ica", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(root);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::NotACa { subject } if subject.contains("ica")),
        "{err}"
    );
}

#[test]
fn path_len_constraint_is_enforced() {
    let s = Scratch::new();
    let root = s.issue(
        "root",
        "/CN=root",
        None,
        &[
            "basicConstraints=critical,CA:TRUE,pathlen:0",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let ica = s.ca("ica", Some("root"), &[]);
    let leaf = s.person("leaf", "ann@corp.example", "ica", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(root);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(matches!(err, TrustError::PathLenExceeded { .. }), "{err}");
}

#[test]
fn ca_without_key_cert_sign_is_rejected() {
    let s = Scratch::new();
    let (store, ica, leaf) = {
        let root = s.ca("root", None, &[]);
        let ica = s.issue(
            "ica",
            "/CN=ica",
            Some("root"),
            &[
                "basicConstraints=critical,CA:TRUE",
                "keyUsage=critical,cRLSign",
            ],
        );
        let leaf = s.person("leaf", "ann@corp.example", "ica", &[]);
        let mut store = TrustStore::new();
        store.add_anchor(root);
        (store, ica, leaf)
    };
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::IssuerKeyUsage {
                what: "certificates",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn leaf_key_usage_follows_the_purpose() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &["keyUsage=critical,keyAgreement"]);
    let err = store
        .evaluate(
            &leaf,
            &verify_policy(),
            &verify_use(),
            std::slice::from_ref(&ica),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::KeyUsage {
                purpose: Purpose::Verify,
                ..
            }
        ),
        "{err}"
    );
    // The same certificate may be encrypted to (ECDH needs keyAgreement).
    assert!(
        store
            .evaluate(
                &leaf,
                &Policy::email(),
                &Use::at(Purpose::Encrypt, now()),
                &[ica]
            )
            .is_ok()
    );
}

#[test]
fn signature_only_key_cannot_be_encrypted_to() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &["keyUsage=critical,digitalSignature"]);
    let err = store
        .evaluate(
            &leaf,
            &Policy::email(),
            &Use::at(Purpose::Encrypt, now()),
            &[ica],
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::KeyUsage {
                purpose: Purpose::Encrypt,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn leaf_eku_without_email_protection_is_rejected() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &["extendedKeyUsage=serverAuth"]);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::ExtendedKeyUsage { subject, .. } if subject.contains("leaf")),
        "{err}"
    );
}

#[test]
fn intermediate_eku_constrains_the_path() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &["extendedKeyUsage=serverAuth"], &[]);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::ExtendedKeyUsage { subject, .. } if subject.contains("ica")),
        "{err}"
    );
    // anyExtendedKeyUsage on the CA leaves the purpose open.
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &["extendedKeyUsage=anyExtendedKeyUsage"], &[]);
    assert!(
        store
            .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
            .is_ok()
    );
}

#[test]
fn unknown_critical_extension_is_rejected() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &["1.3.6.1.4.1.55555.1=critical,ASN1:NULL"]);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(
        matches!(err, TrustError::UnknownCriticalExtension { .. }),
        "{err}"
    );
    // Non-critical unknown extensions are fine.
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &["1.3.6.1.4.1.55555.1=ASN1:NULL"]);
    assert!(
        store
            .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
            .is_ok()
    );
}

#[test]
fn rfc822_name_constraints_in_all_three_forms() {
    for (constraint, ok) in [
        ("permitted;email:ann@corp.example", true),
        ("permitted;email:corp.example", true),
        ("permitted;email:.corp.example", false),
        ("permitted;email:other.example", false),
        ("excluded;email:corp.example", false),
    ] {
        let s = Scratch::new();
        let nc = format!("nameConstraints=critical,{constraint}");
        let (store, ica, leaf) = chain(&s, &[&nc], &[]);
        let r = store.evaluate(&leaf, &verify_policy(), &verify_use(), &[ica]);
        assert_eq!(r.is_ok(), ok, "{constraint}: {r:?}");
        if !ok {
            assert!(
                matches!(r, Err(TrustError::NameConstraint { .. })),
                "{constraint}"
            );
        }
    }
}

#[test]
fn excluded_mailbox_matches_case_insensitively() {
    // REQUIREMENTS.md §1 #4: a case difference must not slip past an exclusion.
    let s = Scratch::new();
    let (store, ica, leaf) = chain(
        &s,
        &["nameConstraints=critical,excluded;email:Ann@Corp.Example"],
        &[],
    );
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(matches!(err, TrustError::NameConstraint { .. }), "{err}");
}

/// A non-critical nameConstraints (allowed on S/MIME sub-CAs by the CA/B Forum BR) is
/// enforced by default; the strict RFC 5280 profile refuses the CA instead.
#[test]
fn non_critical_name_constraints_are_enforced_or_refused_when_strict() {
    let s = Scratch::new();
    let nc = ["nameConstraints=permitted;email:corp.example"];
    let (store, ica, inside) = chain(&s, &nc, &[]);
    let outside = s.person("eve", "eve@evil.example", "ica", &[]);
    let extra = std::slice::from_ref(&ica);
    store
        .evaluate(&inside, &verify_policy(), &verify_use(), extra)
        .expect("inside the non-critical constraint");
    let err = store
        .evaluate(&outside, &verify_policy(), &verify_use(), extra)
        .unwrap_err();
    assert!(matches!(err, TrustError::NameConstraint { .. }), "{err}");
    let mut strict = verify_policy();
    strict.require_critical_name_constraints = true;
    let err = store
        .evaluate(&inside, &strict, &verify_use(), extra)
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::NameConstraint { name, .. } if name.contains("not marked critical")),
        "{err}"
    );
}

#[test]
fn rfc822_constraint_applies_to_subject_email_address_without_san() {
    let s = Scratch::new();
    let root = s.ca(
        "root",
        None,
        &["nameConstraints=critical,permitted;email:corp.example"],
    );
    let leaf = s.issue(
        "leaf",
        "/CN=leaf/emailAddress=eve@evil.example",
        Some("root"),
        &["keyUsage=critical,digitalSignature"],
    );
    let mut store = TrustStore::new();
    store.add_anchor(root);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[])
        .unwrap_err();
    assert!(matches!(err, TrustError::NameConstraint { .. }), "{err}");
}

#[test]
fn directory_name_constraints() {
    let s = Scratch::new();
    let root = s.ca("root", None, &[]);
    let ica = s.ca(
        "ica",
        Some("root"),
        &[
            "nameConstraints=critical,permitted;dirName:dir_sect",
            "[dir_sect]",
            "O=Elsewhere",
        ],
    );
    let leaf = s.person("leaf", "ann@corp.example", "ica", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(root);
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica])
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::NameConstraint { name, .. } if name.contains("directoryName")),
        "{err}"
    );
}

/// A store trusting a fresh root, and a leaf for ann@corp.example under it with `key`
/// (an `openssl req -newkey` argument) signed with `digest`.
fn root_and_leaf(s: &Scratch, key: &str, digest: &str) -> (TrustStore, smime::Certificate) {
    s.ca("root", None, &[]);
    let leaf = s.issue_with(
        "leaf",
        "/CN=leaf",
        Some("root"),
        &[
            "subjectAltName=email:ann@corp.example",
            "keyUsage=critical,digitalSignature",
        ],
        key,
        digest,
        None,
    );
    let mut store = TrustStore::new();
    store.add_anchor(s.cert("root"));
    (store, leaf)
}

#[test]
fn sha1_is_rejected_unless_historic() {
    let s = Scratch::new();
    let (store, leaf) = root_and_leaf(&s, "ec", "sha1");
    let err = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[])
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrustError::WeakAlgorithm {
                algorithm: "SHA-1",
                ..
            }
        ),
        "{err}"
    );
    let path = store
        .evaluate(
            &leaf,
            &Policy::historic(),
            &Use::at(Purpose::Verify, now()),
            &[],
        )
        .expect("historic mode");
    assert!(path.warnings().iter().any(|w| matches!(
        w,
        TrustWarning::HistoricAlgorithm {
            algorithm: "SHA-1",
            ..
        }
    )));
}

/// RSA below 2048 bits: refused by default; historic mode reads it (down to 512 bits,
/// REQUIREMENTS.md §2 row 25) with the weak-key warning.
#[test]
fn short_rsa_leaf_key_is_rejected_unless_historic() {
    let s = Scratch::new();
    for bits in [1024usize, 512] {
        let (store, leaf) = root_and_leaf(&s, &format!("rsa:{bits}"), "sha256");
        let err = store
            .evaluate(&leaf, &verify_policy(), &verify_use(), &[])
            .unwrap_err();
        assert!(
            matches!(err, TrustError::WeakKey { bits: b, minimum: 2048, .. } if b == bits),
            "{bits}: {err}"
        );
        let path = store
            .evaluate(
                &leaf,
                &Policy::historic(),
                &Use::at(Purpose::Verify, now()),
                &[],
            )
            .unwrap_or_else(|e| panic!("historic, {bits} bits: {e}"));
        assert!(
            path.warnings()
                .iter()
                .any(|w| matches!(w, TrustWarning::WeakKey { bits: b, .. } if *b == bits)),
            "{bits}: {:?}",
            path.warnings()
        );
    }
}

#[test]
fn revoked_certificate_and_revocation_policy() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &[]);
    let crl = s.crl("ica", &["leaf"]);
    let err = store
        .evaluate_with_crls(
            &leaf,
            &verify_policy(),
            &verify_use(),
            std::slice::from_ref(&ica),
            std::slice::from_ref(&crl),
        )
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::Revoked { reason: Some(RevocationReason::KeyCompromise), subject, .. } if subject.contains("leaf")),
        "{err}"
    );
    // No CRL for the intermediate from the root: unknown, which Required refuses.
    let clean = s.crl("ica", &[]);
    let mut required = verify_policy();
    required.revocation = RevocationCheck::Required;
    let err = store
        .evaluate_with_crls(
            &leaf,
            &required,
            &verify_use(),
            std::slice::from_ref(&ica),
            std::slice::from_ref(&clean),
        )
        .unwrap_err();
    assert!(
        matches!(&err, TrustError::RevocationUnknown { subject, .. } if subject.contains("ica")),
        "{err}"
    );
    let root_crl = s.crl("root", &[]);
    assert!(
        store
            .evaluate_with_crls(&leaf, &required, &verify_use(), &[ica], &[clean, root_crl])
            .is_ok()
    );
}

#[test]
fn cross_signed_and_same_subject_cas_are_tried() {
    // Two CA certificates with the same subject and key (re-issued): either chains.
    let s = Scratch::new();
    let root = s.ca("root", None, &[]);
    let other_root = s.ca("other", None, &[]);
    s.ca("ica", Some("root"), &[]);
    // Same subject and key as "ica", but issued by an untrusted root.
    let ica_alt = s.issue_with(
        "ica2",
        "/O=Trust Tests/CN=ica",
        Some("other"),
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        "ec",
        "sha256",
        Some("ica"),
    );
    let leaf = s.person("leaf", "ann@corp.example", "ica", &[]);
    let mut store = TrustStore::new();
    store.add_anchor(root);
    let _ = other_root;
    // The dead end (ica2 -> untrusted root) comes first; the builder goes on.
    let path = store
        .evaluate(
            &leaf,
            &verify_policy(),
            &verify_use(),
            &[ica_alt, s.cert("ica")],
        )
        .expect("second path");
    assert_eq!(path.intermediates().len(), 1);
}

#[test]
fn certificates_from_messages_are_never_anchors() {
    let s = Scratch::new();
    let (_, ica, leaf) = chain(&s, &[], &[]);
    let root = s.cert("root");
    let err = TrustStore::new()
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[ica, root])
        .unwrap_err();
    assert!(matches!(err, TrustError::UnknownIssuer { .. }), "{err}");
}

fn self_signed_person(s: &Scratch, name: &str, email: &str) -> smime::Certificate {
    s.issue(
        name,
        &format!("/CN={name}"),
        None,
        &[
            &format!("subjectAltName=email:{email}"),
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,digitalSignature,keyAgreement,keyCertSign",
        ],
    )
}

#[test]
fn user_trust_overrides_only_the_missing_path() {
    let s = Scratch::new();
    let cert = self_signed_person(&s, "bob", "bob@home.example");
    let decisions = Arc::new(MemoryUserTrust::new());
    decisions.insert(UserTrust::new(&cert, &[Purpose::Verify], now()));
    let store = TrustStore::new().with_user_trust(decisions.clone());

    let policy = verify_policy();
    let mut use_ = verify_use();
    use_.party = Party::Address("bob@home.example".parse().expect("address"));
    let path = store
        .evaluate(&cert, &policy, &use_, &[])
        .expect("user-trusted");
    assert!(path.is_user_trusted());

    // Another purpose, another address: not covered.
    let err = store
        .evaluate(
            &cert,
            &Policy::email(),
            &Use::at(Purpose::Encrypt, now()),
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, TrustError::UserTrustMismatch { .. }), "{err}");
    use_.party = Party::Address("boss@home.example".parse().expect("address"));
    let err = store.evaluate(&cert, &policy, &use_, &[]).unwrap_err();
    assert!(matches!(err, TrustError::UserTrustMismatch { .. }), "{err}");

    // Validity still applies.
    let later = now() + Duration::from_secs(60 * 86_400);
    let err = store
        .evaluate(
            &cert,
            &Policy::email(),
            &Use::at(Purpose::Verify, later),
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, TrustError::Expired { .. }), "{err}");
}

#[test]
fn user_trust_never_lets_the_trusted_certificate_vouch_for_others() {
    let s = Scratch::new();
    let ca = self_signed_person(&s, "bob", "bob@home.example");
    let child = s.person("mallory", "mallory@home.example", "bob", &[]);
    let decisions = Arc::new(MemoryUserTrust::new());
    decisions.insert(UserTrust::new(
        &ca,
        &[Purpose::Verify, Purpose::Encrypt],
        now(),
    ));
    let store = TrustStore::new().with_user_trust(decisions);
    let err = store
        .evaluate(
            &child,
            &verify_policy(),
            &verify_use(),
            std::slice::from_ref(&ca),
        )
        .unwrap_err();
    assert!(matches!(err, TrustError::UnknownIssuer { .. }), "{err}");
    // A new certificate for the same address needs its own decision.
    let s2 = Scratch::new();
    let new_cert = self_signed_person(&s2, "bob", "bob@home.example");
    let err = store
        .evaluate(&new_cert, &verify_policy(), &verify_use(), &[])
        .unwrap_err();
    assert!(matches!(err, TrustError::UnknownIssuer { .. }), "{err}");
}

#[test]
fn user_trusted_certificate_can_still_be_revoked() {
    let s = Scratch::new();
    let root = s.ca("root", None, &[]);
    let leaf = s.person("leaf", "ann@corp.example", "root", &[]);
    let crl = s.crl("root", &["leaf"]);
    let decisions = Arc::new(MemoryUserTrust::new());
    decisions.insert(UserTrust::new(&leaf, &[Purpose::Verify], now()));
    // The root is known but not an anchor: no path, the decision applies, the CRL too.
    let store = TrustStore::new().with_user_trust(decisions);
    let err = store
        .evaluate_with_crls(&leaf, &verify_policy(), &verify_use(), &[root], &[crl])
        .unwrap_err();
    assert!(matches!(err, TrustError::Revoked { .. }), "{err}");
}

#[test]
fn every_error_variant_formats() {
    let s = Scratch::new();
    let (store, ica, leaf) = chain(&s, &[], &[]);
    let e = store
        .evaluate(&leaf, &verify_policy(), &verify_use(), &[])
        .unwrap_err();
    assert!(!e.to_string().is_empty());
    // smime::Error no longer wraps TrustError (a judgement is not a lower-layer error):
    // the message itself names the problem.
    assert!(e.to_string().contains("no trusted issuer"));
    let _ = ica;
}
