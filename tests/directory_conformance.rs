//! One conformance suite, run against every certificate directory: memory, the
//! installed store, contacts (vCard 3.0 file and 4.0 folder), Layered, Cached, the
//! LDAP GAL on a real slapd, and the ActiveSync GAL on Horde's real ActiveSync server. Every source publishes the same fixture
//! (`common::dir_pki::PUBLISHED`) and must give the same answers.

use crate::common;

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

// The ActiveSync source exists with feature "activesync"; alone, behind Cached, and
// behind Layered after an empty source.
#[cfg(feature = "activesync")]
#[test]
fn activesync_gal_conforms() {
    use smime::directory::{ActiveSyncConfig, ActiveSyncGal};
    let horde = common::eas::Horde::start(common::eas::published(0));
    let config = || {
        ActiveSyncConfig::basic(horde.url(), common::eas::USER, common::eas::PASSWORD)
            .with_insecure_http()
    };
    let gal = ActiveSyncGal::new(config()).unwrap();
    conformance(&gal, SourceKind::ActiveSync);
    conformance(&Cached::new(gal), SourceKind::ActiveSync);
    let layered = Layered::new(vec![
        Box::new(MemoryDirectory::new("empty")),
        Box::new(ActiveSyncGal::new(config()).unwrap()),
    ]);
    conformance(&layered, SourceKind::ActiveSync);
}

/// A source that counts the addresses it is asked, and fails when told to.
struct Counting {
    inner: MemoryDirectory,
    asked: std::sync::Mutex<Vec<usize>>,
    fail: bool,
}

impl Counting {
    fn new(name: &str, certs: &[&str], fail: bool) -> Self {
        let inner = MemoryDirectory::new(name);
        for n in certs {
            inner
                .install(&dir_pki().cert(n), &Default::default())
                .unwrap();
        }
        Counting {
            inner,
            asked: Default::default(),
            fail,
        }
    }
    fn asked(&self) -> Vec<usize> {
        self.asked.lock().unwrap().clone()
    }
}

impl CertificateDirectory for Counting {
    fn source(&self) -> smime::directory::Source {
        self.inner.source()
    }
    fn lookup(&self, addresses: &[smime::EmailAddress]) -> Vec<smime::directory::Lookup> {
        self.asked.lock().unwrap().push(addresses.len());
        if self.fail {
            return addresses
                .iter()
                .map(|a| {
                    smime::directory::Lookup::failed(
                        a.clone(),
                        self.source(),
                        smime::DirectoryError::Unreachable {
                            source_name: "test".into(),
                            reason: "down".into(),
                        },
                    )
                })
                .collect();
        }
        self.inner.lookup(addresses)
    }
}

#[test]
fn layered_first_hit_asks_later_sources_only_on_miss() {
    let first = std::sync::Arc::new(Counting::new("first", &["ann"], false));
    let second = std::sync::Arc::new(Counting::new("second", &["ann", "cat"], false));
    let layered = Layered::new(vec![Box::new(first.clone()), Box::new(second.clone())]);
    assert_eq!(layered.strategy(), Strategy::FirstHit);
    let answers = layered.lookup(&[addr("ann@corp.example"), addr("cat@corp.example")]);
    assert_eq!(answers[0].candidates()[0].source().name(), "first");
    assert_eq!(answers[0].candidates().len(), 1);
    assert_eq!(answers[1].candidates()[0].source().name(), "second");
    // One batch each; the second source was asked only about cat.
    assert_eq!((first.asked(), second.asked()), (vec![2], vec![1]));
}

#[test]
fn layered_keeps_a_failure_next_to_later_hits() {
    let down = Counting::new("down", &[], true);
    let up = Counting::new("up", &["ann"], false);
    let layered = Layered::new(vec![Box::new(down), Box::new(up)]);
    let answers = layered.lookup(&[addr("ann@corp.example"), addr("nobody@corp.example")]);
    assert_eq!(answers[0].candidates().len(), 1);
    assert_eq!(answers[0].failures().len(), 1);
    assert!(!answers[0].is_failed());
    // Nothing found and a source down: failed, not "no certificate".
    assert!(answers[1].is_failed());
}

#[test]
fn cached_keeps_positive_and_negative_answers_but_not_failures() {
    use smime::directory::CacheOptions;
    let counting = std::sync::Arc::new(Counting::new("gal", &["ann"], false));
    let cached = Cached::with_options(counting.clone(), CacheOptions::default());
    let wanted = [addr("ann@corp.example"), addr("nobody@corp.example")];
    cached.lookup(&wanted);
    let again = cached.lookup(&[addr("ANN@corp.example"), addr("nobody@corp.example")]);
    assert_eq!(again[0].candidates().len(), 1);
    assert_eq!(again[0].address().as_str(), "ANN@corp.example");
    assert_eq!(
        counting.asked(),
        vec![2],
        "second lookup answered from the cache"
    );
    // A zero negative TTL asks again for misses only.
    let mut options = CacheOptions::default();
    options.negative_ttl = std::time::Duration::ZERO;
    let counting = std::sync::Arc::new(Counting::new("gal", &["ann"], false));
    let cached = Cached::with_options(counting.clone(), options);
    cached.lookup(&wanted);
    cached.lookup(&wanted);
    assert_eq!(counting.asked(), vec![2, 1]);
    // Failures are not cached.
    let down = std::sync::Arc::new(Counting::new("down", &[], true));
    let cached = Cached::new(down.clone());
    assert!(cached.lookup(&wanted)[0].is_failed());
    assert!(cached.lookup(&wanted)[0].is_failed());
    assert_eq!(down.asked(), vec![2, 2]);
}
