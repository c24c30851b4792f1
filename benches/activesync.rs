//! 100 recipients resolved through Horde's real ActiveSync server (the test peer of
//! tests/common/eas.rs, started here): wall time per lookup from criterion, and the
//! HTTP requests one lookup costs, counted from the server's request log and printed.
//! tests/directory_activesync.rs asserts the count (100 addresses = 1 request); the
//! times are for comparing revisions, never asserted.
//!
//! ```text
//! cargo bench --features activesync --bench activesync
//! ```

// The test harness (it allows its own unused helpers).
#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use smime::EmailAddress;
use smime::directory::{ActiveSyncConfig, ActiveSyncGal, CertificateDirectory};

fn resolve_100(c: &mut Criterion) {
    let mut table = common::eas::published(100);
    // A quarter of them with a certificate, as in a real organisation's GAL.
    for i in (0..100).step_by(4) {
        table.insert(
            format!("u{i:03}@corp.example"),
            common::eas::entry("bulk", &["ann"]),
        );
    }
    let horde = common::eas::Horde::start(table);
    let gal = ActiveSyncGal::new(
        ActiveSyncConfig::basic(horde.url(), common::eas::USER, common::eas::PASSWORD)
            .with_insecure_http(),
    )
    .expect("config");
    let wanted: Vec<EmailAddress> = (0..100)
        .map(|i| format!("u{i:03}@corp.example").parse().expect("address"))
        .collect();
    // Warm up: the OPTIONS exchange happens once per source.
    gal.lookup(&wanted);
    let before = horde.posts();
    gal.lookup(&wanted);
    println!(
        "activesync: 100 recipients = {} ResolveRecipients request(s), {} OPTIONS in all",
        horde.posts() - before,
        horde.options()
    );
    c.bench_function("activesync_resolve_100_recipients", |b| {
        b.iter(|| black_box(gal.lookup(black_box(&wanted))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = resolve_100
}
criterion_main!(benches);
