//! The Exchange ActiveSync GAL source against Horde's real ActiveSync server
//! (`common::eas`): every answer the issue lists, batching counted from the server's
//! request log, failures, HTTPS through stunnel4, and every WBXML document compared
//! with libwbxml.
#![cfg(feature = "activesync")]

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::dir_pki::{addr, dir_pki};
use common::eas::{self, Horde, PASSWORD, PhpRouter, Recorder, Stunnel, USER, ambiguous};
use smime::DirectoryError;
use smime::directory::activesync::wbxml;
use smime::directory::{
    ActiveSyncConfig, ActiveSyncGal, CertificateDirectory, Lookup, ProtocolVersion, SourceKind,
};
use smime::{Certificate, EmailAddress};

fn gal(url: &str) -> ActiveSyncGal {
    ActiveSyncGal::new(ActiveSyncConfig::basic(url, USER, PASSWORD).with_insecure_http()).unwrap()
}

fn fps(names: &[&str]) -> BTreeSet<String> {
    names
        .iter()
        .map(|n| dir_pki().cert(n).fingerprint_hex())
        .collect()
}

fn got(answer: &Lookup) -> BTreeSet<String> {
    answer
        .candidates()
        .iter()
        .map(|c| c.certificate().fingerprint_hex())
        .collect()
}

/// The single failure of `answer`, which must have no candidate.
fn failure(answer: &Lookup) -> &DirectoryError {
    assert!(
        answer.is_failed(),
        "{}: expected a failure, got {answer:?}",
        answer.address()
    );
    assert_eq!(answer.failures().len(), 1);
    assert_eq!(answer.failures()[0].source.kind(), SourceKind::ActiveSync);
    &answer.failures()[0].error
}

fn table() -> serde_json::Map<String, serde_json::Value> {
    let mut t = eas::published(0);
    // Ambiguous: neither suggestion's certificate names amb@: nothing offered.
    t.insert(
        "amb@corp.example".into(),
        ambiguous(&[
            ("amb1@corp.example", &["ann"]),
            ("amb2@corp.example", &["other"]),
        ]),
    );
    // Ambiguous, one suggestion's certificate names the asked address exactly.
    t.insert(
        "cat.alias@corp.example".into(),
        ambiguous(&[
            ("cat@corp.example", &["cat"]),
            ("cathy@corp.example", &["ann"]),
        ]),
    );
    t
}

#[test]
fn answers_every_kind_of_recipient_in_one_request() {
    let horde = Horde::start(table());
    let gal = gal(&horde.url());
    let cases: &[(&str, &[&str])] = &[
        ("ann@corp.example", &["ann"]),          // found
        ("ben@corp.example", &["ben1", "ben2"]), // two certificates for one address
        ("nocert@corp.example", &[]),            // in the GAL, Certificates/Status 7
        ("unknown@corp.example", &[]),           // Response/Status 4
        ("dan@corp.example", &[]),               // certificate names other@: never offered
        ("noaddr@corp.example", &[]),            // certificate names no address
        ("amb@corp.example", &[]),               // ambiguous, no exact match
        ("cat.alias@corp.example", &["cat"]),    // ambiguous, exact match offered
        ("old@corp.example", &["old"]),          // expired: still a candidate
        ("ANN@Corp.Example", &["ann"]),          // case: the same answer as asked
    ];
    let wanted: Vec<EmailAddress> = cases.iter().map(|(a, _)| addr(a)).collect();
    let answers = gal.lookup(&wanted);
    assert_eq!(answers.len(), cases.len());
    for ((address, want), answer) in cases.iter().zip(&answers) {
        assert_eq!(answer.address().as_str(), *address);
        assert!(
            answer.failures().is_empty(),
            "{address}: {:?}",
            answer.failures()
        );
        assert_eq!(got(answer), fps(want), "{address}");
        for c in answer.candidates() {
            assert!(c.certificate().names_address(answer.address()));
            assert_eq!(c.source().kind(), SourceKind::ActiveSync);
            assert_eq!(c.source().name(), horde.url());
        }
    }
    // Status 7 (in the GAL, no certificate) is told apart from status 4 (unknown).
    assert!(answers[2].notes()[0].contains("in the directory, but without a valid certificate"));
    assert!(answers[3].notes().is_empty());
    // One OPTIONS to choose the version, one POST for all ten (nine distinct) addresses.
    assert_eq!(
        (horde.options(), horde.posts()),
        (1, 1),
        "{:?}",
        horde.requests()
    );
    // Horde offers 2.5 to 14.1: the best this client speaks is 14.1, and it is kept.
    assert_eq!(gal.protocol_version(), Some(ProtocolVersion::V14_1));
    gal.lookup(&wanted[..2]);
    assert_eq!(
        (horde.options(), horde.posts()),
        (1, 2),
        "version remembered"
    );
}

#[test]
fn a_hundred_addresses_take_one_request_and_a_hundred_and_one_take_two() {
    let horde = Horde::start(eas::published(101));
    let gal = gal(&horde.url());
    let hundred: Vec<EmailAddress> = (0..100)
        .map(|i| addr(&format!("u{i:03}@corp.example")))
        .collect();
    let answers = gal.lookup(&hundred);
    assert!(
        answers
            .iter()
            .all(|a| a.candidates().is_empty() && a.failures().is_empty())
    );
    assert_eq!(horde.posts(), 1, "{:?}", horde.requests());
    let mut more = hundred.clone();
    more.push(addr("u100@corp.example"));
    more.push(addr("ann@corp.example"));
    let answers = gal.lookup(&more);
    assert_eq!(got(&answers[101]), fps(&["ann"]));
    assert_eq!(horde.posts(), 3, "102 addresses: two more requests");
}

#[test]
fn wrong_password_fails_every_address_with_the_reason() {
    let horde = Horde::start(table());
    let gal = ActiveSyncGal::new(
        ActiveSyncConfig::basic(horde.url(), USER, "wrong").with_insecure_http(),
    )
    .unwrap();
    let answers = gal.lookup(&[addr("ann@corp.example"), addr("unknown@corp.example")]);
    for a in &answers {
        let e = failure(a);
        assert!(matches!(e, DirectoryError::Refused { .. }), "{e:?}");
        assert!(e.to_string().contains("HTTP 401"), "{e}");
        assert!(e.to_string().contains("credentials"), "{e}");
    }
}

#[test]
fn server_errors_and_refusals_fail_every_address() {
    for (status, words) in [
        ("503", "failed to answer (HTTP 503)"),
        ("500", "HTTP 500"),
        ("403", "denied access (HTTP 403)"),
        ("449", "provisioned first (HTTP 449"),
        ("451", "gave no X-MS-Location"),
    ] {
        let horde = Horde::start_with(table(), &[("EAS_FAIL", status)]);
        let gal = gal(&horde.url());
        let answers = gal.lookup(&[addr("ann@corp.example"), addr("nocert@corp.example")]);
        for a in &answers {
            let e = failure(a).to_string();
            assert!(e.contains(words), "{status}: {e}");
            assert!(e.contains(&horde.url()), "{status}: names the source: {e}");
        }
        assert_eq!(horde.posts(), 1, "{status}");
    }
}

#[test]
fn a_stopped_server_fails_every_address() {
    let mut horde = Horde::start(table());
    let gal = gal(&horde.url());
    assert_eq!(
        gal.lookup(&[addr("ann@corp.example")])[0]
            .candidates()
            .len(),
        1
    );
    horde.stop();
    for a in gal.lookup(&[addr("ann@corp.example"), addr("ben@corp.example")]) {
        let e = failure(&a);
        assert!(matches!(e, DirectoryError::Unreachable { .. }), "{e:?}");
    }
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/Microsoft-Server-ActiveSync",
        listener.local_addr().unwrap()
    );
    let gal = ActiveSyncGal::new(
        ActiveSyncConfig::basic(&url, USER, PASSWORD)
            .with_insecure_http()
            .with_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    let e = failure(&gal.lookup(&[addr("ann@corp.example")])[0]).to_string();
    assert!(e.contains("no answer in time"), "{e}");
    drop(listener);
}

#[test]
fn an_answer_that_is_not_wbxml_fails_every_address() {
    for (handler, words) in [
        (
            "header('Content-Type: text/html'); echo '<html>Sign in</html>';",
            "WBXML header: version is 0x3C",
        ),
        (
            "header('Content-Type: application/vnd.ms-sync.wbxml'); echo \"\\x03\\x01\\x6a\\x00\\x00\\x0a\\x45\\x83\\x00\\x01\";",
            "string table reference",
        ),
        (
            "header('Content-Type: application/vnd.ms-sync.wbxml'); echo \"\\x03\\x01\\x6a\\x00\\x00\\x0a\\x45\\x47\\x03\\x31\";",
            "ends early",
        ),
        (
            // Well-formed, but no Response for the addresses asked.
            "echo \"\\x03\\x01\\x6a\\x00\\x00\\x0a\\x45\\x47\\x03\\x31\\x00\\x01\\x01\";",
            "no Response for",
        ),
        (
            // Command status 6: server error.
            "echo \"\\x03\\x01\\x6a\\x00\\x00\\x0a\\x45\\x47\\x03\\x36\\x00\\x01\\x01\";",
            "ResolveRecipients status 6: a server error",
        ),
        (
            // A recipient whose certificates did not fit MaxCertificates (status 8).
            "echo \"\\x03\\x01\\x6a\\x00\\x00\\x0a\\x45\\x47\\x03\\x31\\x00\\x01\\x46\\x50\\x03ann@corp.example\\x00\\x01\\x47\\x03\\x31\\x00\\x01\\x49\\x4c\\x47\\x03\\x38\\x00\\x01\\x01\\x01\\x01\\x01\";",
            "certificates per request (MaxCertificates) exceeded",
        ),
    ] {
        let server = PhpRouter::start(handler);
        let answers = gal(&server.url()).lookup(&[addr("ann@corp.example")]);
        let e = failure(&answers[0]).to_string();
        assert!(e.contains(words), "{handler}: {e}");
    }
}

#[test]
fn http_451_is_followed_once_and_remembered() {
    let horde = Horde::start(table());
    let moved = PhpRouter::start(&format!(
        "http_response_code(451); header('X-MS-Location: {}');",
        horde.url()
    ));
    let gal = gal(&moved.url());
    let answers = gal.lookup(&[addr("ann@corp.example")]);
    assert_eq!(got(&answers[0]), fps(&["ann"]));
    assert_eq!(gal.current_url(), horde.url());
    gal.lookup(&[addr("ben@corp.example")]);
    assert_eq!(
        horde.posts(),
        2,
        "the second lookup went straight to the new server"
    );

    // A 451 pointing at itself is followed once, then reported.
    let again = PhpRouter::start(
        "http_response_code(451); header('X-MS-Location: http://' . $_SERVER['HTTP_HOST'] . '/Microsoft-Server-ActiveSync');",
    );
    let e = failure(&gal_for(&again.url()).lookup(&[addr("ann@corp.example")])[0]).to_string();
    assert!(e.contains("redirected twice"), "{e}");
}

fn gal_for(url: &str) -> ActiveSyncGal {
    gal(url)
}

#[test]
fn plain_http_needs_an_explicit_opt_in() {
    let e = ActiveSyncGal::new(ActiveSyncConfig::basic(
        "http://127.0.0.1:1/x",
        USER,
        PASSWORD,
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("plain http"), "{e}");
    assert!(ActiveSyncGal::new(ActiveSyncConfig::basic("ftp://x/y", USER, PASSWORD)).is_err());
}

#[test]
fn https_through_stunnel_works_with_the_organisation_ca_only() {
    let horde = Horde::start(table());
    let tls = Stunnel::start(horde.port());
    let ca = Certificate::load(&std::fs::read(tls.ca()).unwrap()).unwrap();
    let with_ca =
        ActiveSyncGal::new(ActiveSyncConfig::basic(tls.url(), USER, PASSWORD).with_tls_roots(ca))
            .unwrap();
    let answers = with_ca.lookup(&[addr("ann@corp.example"), addr("ben@corp.example")]);
    assert_eq!(got(&answers[0]), fps(&["ann"]));
    assert_eq!(got(&answers[1]), fps(&["ben1", "ben2"]));

    let without = ActiveSyncGal::new(ActiveSyncConfig::basic(tls.url(), USER, PASSWORD)).unwrap();
    let e = failure(&without.lookup(&[addr("ann@corp.example")])[0]).to_string();
    assert!(e.contains("TLS failed") && e.contains("certificate"), "{e}");
    assert_eq!(
        horde.posts(),
        1,
        "nothing was sent without a verified server"
    );
}

/// The XML of the request this client must send for `addresses`.
fn request_xml(addresses: &[&str]) -> String {
    let to: String = addresses.iter().map(|a| format!("<To>{a}</To>")).collect();
    format!(
        "<ResolveRecipients xmlns=\"ResolveRecipients:\">{to}<Options>\
         <CertificateRetrieval>2</CertificateRetrieval><MaxCertificates>1000</MaxCertificates>\
         <MaxAmbiguousRecipients>20</MaxAmbiguousRecipients></Options></ResolveRecipients>"
    )
}

#[test]
fn every_wbxml_document_matches_libwbxml() {
    let horde = Horde::start(table());
    let relay = Recorder::start(horde.port());
    let gal = gal(&relay.url());
    let asked = [
        "ann@corp.example",
        "ben@corp.example",
        "nocert@corp.example",
        "amb@corp.example",
        "unknown@corp.example",
        "eve@corp.example",
    ];
    let wanted: Vec<EmailAddress> = asked.iter().map(|a| addr(a)).collect();
    gal.lookup(&wanted);
    let exchanges = relay.taken();
    assert_eq!(exchanges.len(), 2, "OPTIONS and one POST");
    let post = &exchanges[1];
    assert!(post.request_head.starts_with(
        "POST /Microsoft-Server-ActiveSync?Cmd=ResolveRecipients&User=test&DeviceId="
    ));
    assert!(
        post.request_head.contains("DeviceType=SmimeRs "),
        "{}",
        post.request_head
    );
    let head = post.request_head.to_ascii_lowercase();
    assert!(
        head.contains("\r\ncontent-type: application/vnd.ms-sync.wbxml\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\nms-asprotocolversion: 14.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\nauthorization: basic dgvzddpzzwnyzxq=\r\n"),
        "{head}"
    );

    // The request, byte for byte what libwbxml writes for the same XML.
    assert_eq!(post.request_body, eas::xml2wbxml(&request_xml(&asked)));
    // The response, decoded by libwbxml and by us to the same document.
    let ours = wbxml::decode(&post.response_body, &wbxml::Limits::default()).unwrap();
    let theirs = eas::wbxml2xml(&post.response_body);
    assert_eq!(ours.to_xml(), theirs);
    assert!(theirs.contains("<Status>7</Status>") && theirs.contains("<Status>2</Status>"));
    // And back: our encoding of what we decoded is the server's bytes.
    assert_eq!(wbxml::encode(&ours).unwrap(), post.response_body);
}

#[test]
fn a_bearer_token_is_sent_as_such() {
    let horde = Horde::start(table());
    let relay = Recorder::start(horde.port());
    let gal = ActiveSyncGal::new(
        ActiveSyncConfig::bearer(relay.url(), "test@corp.example", "tok.en").with_insecure_http(),
    )
    .unwrap();
    // Horde's test server knows only Basic: the token is refused, and said so.
    let e = failure(&gal.lookup(&[addr("ann@corp.example")])[0]).to_string();
    assert!(e.contains("HTTP 401"), "{e}");
    let first = &relay.taken()[0];
    assert!(first.request_head.starts_with("OPTIONS "));
    assert!(
        first
            .request_head
            .contains("\r\nauthorization: Bearer tok.en\r\n")
            || first
                .request_head
                .contains("\r\nAuthorization: Bearer tok.en\r\n"),
        "{}",
        first.request_head
    );
}
