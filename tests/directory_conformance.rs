//! One conformance suite, run against every certificate directory: memory, the
//! installed store, contacts (vCard 3.0 file and 4.0 folder), Layered, Cached, and the
//! LDAP GAL on a real slapd. Every source publishes the same fixture
//! (`common::dir_pki::PUBLISHED`) and must give the same answers.

mod common;

use std::collections::BTreeSet;

#[cfg(feature = "ldap")]
use common::dir_pki::ldap_users;
use common::dir_pki::{PUBLISHED, addr, dir_pki, vcard};
#[cfg(feature = "ldap")]
use common::slapd::{BASE, Slapd};
use smime::directory::{
    Cached, CertificateDirectory, CertificateStoreWrite, Contacts, InstalledStore, Layered,
    MemoryDirectory, SourceKind, Strategy,
};
#[cfg(feature = "ldap")]
use smime::directory::{LdapConfig, LdapGal};

/// The fingerprints of the certificates called `names`.
fn fps(names: &[&str]) -> BTreeSet<String> {
    names
        .iter()
        .map(|n| dir_pki().cert(n).fingerprint_hex())
        .collect()
}

/// The suite: what any source holding [`PUBLISHED`] must answer.
fn conformance(directory: &dyn CertificateDirectory, kind: SourceKind) {
    let label = directory.source().to_string();
    let expect: &[(&str, &[&str])] = &[
        ("ann@corp.example", &["ann"]),
        ("ANN@Corp.EXAMPLE", &["ann"]),
        ("ben@corp.example", &["ben1", "ben2"]),
        ("cat@corp.example", &["cat"]),
        ("cat.alias@corp.example", &["cat"]),
        ("nocert@corp.example", &[]),
        // Published for dan, but the certificate names other@: never offered.
        ("dan@corp.example", &[]),
        ("noaddr@corp.example", &[]),
        // Expired, still a candidate: usability is the encryptor's decision.
        ("old@corp.example", &["old"]),
        ("eve@corp.example", &["eve"]),
        ("unknown@corp.example", &[]),
        ("ann@corp.example", &["ann"]),
    ];
    let addresses: Vec<_> = expect.iter().map(|(a, _)| addr(a)).collect();
    let answers = directory.lookup(&addresses);
    assert_eq!(
        answers.len(),
        addresses.len(),
        "{label}: one answer per address"
    );
    for ((address, want), answer) in expect.iter().zip(&answers) {
        assert_eq!(
            answer.address().as_str(),
            *address,
            "{label}: answers in order"
        );
        assert!(
            answer.failures().is_empty(),
            "{label}: {address}: {:?}",
            answer.failures()
        );
        let got: BTreeSet<String> = answer
            .candidates()
            .iter()
            .map(|c| c.certificate().fingerprint_hex())
            .collect();
        assert_eq!(got, fps(want), "{label}: candidates for {address}");
        for c in answer.candidates() {
            assert!(
                c.certificate().names_address(answer.address()),
                "{label}: {address}"
            );
            assert_eq!(c.source().kind(), kind, "{label}: source of {address}");
        }
    }
    assert!(
        directory.lookup(&[]).is_empty(),
        "{label}: no addresses, no answers"
    );
}

fn populate(store: &dyn CertificateStoreWrite) {
    for (_, names) in PUBLISHED {
        for n in *names {
            // `noaddr` names no address and is refused; that is the rule.
            let result = store.install(&dir_pki().cert(n), &Default::default());
            assert_eq!(result.is_ok(), *n != "noaddr", "installing {n}: {result:?}");
        }
    }
}

#[test]
fn memory_directory_conforms() {
    let memory = MemoryDirectory::new("memory");
    populate(&memory);
    conformance(&memory, SourceKind::Memory);
}

#[test]
fn installed_store_conforms_and_reopens() {
    let dir = common::temp_dir();
    let store = InstalledStore::open(dir.path()).unwrap();
    populate(&store);
    conformance(&store, SourceKind::Installed);
    let reopened = InstalledStore::open(dir.path()).unwrap();
    assert!(reopened.damaged().is_empty());
    conformance(&reopened, SourceKind::Installed);
}

#[test]
fn contacts_vcard3_file_conforms() {
    let dir = common::temp_dir();
    let text: String = PUBLISHED.iter().map(|(a, c)| vcard(a, c, false)).collect();
    let path = common::write_file(dir.path(), "all.vcf", text.as_bytes());
    let contacts = Contacts::from_path(&path).unwrap();
    conformance(&contacts, SourceKind::Contacts);
}

#[test]
fn contacts_vcard4_folder_conforms() {
    let dir = common::temp_dir();
    for (i, (a, c)) in PUBLISHED.iter().enumerate() {
        common::write_file(
            dir.path(),
            &format!("{i}.vcf"),
            vcard(a, c, true).as_bytes(),
        );
    }
    common::write_file(dir.path(), "notes.txt", b"not a vCard");
    let contacts = Contacts::from_path(dir.path()).unwrap();
    conformance(&contacts, SourceKind::Contacts);
}

#[test]
fn layered_ask_all_conforms() {
    // Half the fixture in each source, ben's two certificates split between them.
    let first = MemoryDirectory::new("first");
    let second = MemoryDirectory::new("second");
    for (i, (_, names)) in PUBLISHED.iter().enumerate() {
        for (j, n) in names.iter().enumerate() {
            let target = if (i + j) % 2 == 0 { &first } else { &second };
            let _ = target.install(&dir_pki().cert(n), &Default::default());
        }
    }
    let layered =
        Layered::new(vec![Box::new(first), Box::new(second)]).with_strategy(Strategy::AskAll);
    conformance(&layered, SourceKind::Memory);
}

#[test]
fn cached_conforms_cold_and_warm() {
    let memory = MemoryDirectory::new("memory");
    populate(&memory);
    let cached = Cached::new(memory);
    conformance(&cached, SourceKind::Memory);
    conformance(&cached, SourceKind::Memory);
}

// The LDAP source exists with feature "ldap"; `cargo test --all-features` (CI,
// scripts/test.sh) builds it.
#[cfg(feature = "ldap")]
#[test]
fn ldap_gal_conforms() {
    let slapd = Slapd::start_with(|files| ldap_users(files, 0));
    let gal = LdapGal::new(LdapConfig::new(slapd.url(), BASE)).unwrap();
    conformance(&gal, SourceKind::Ldap);
    conformance(&Cached::new(gal), SourceKind::Ldap);
}
