"""The mail-app story through the installed `smime` package: check -> seal -> open ->
trust/install -> remove, and the typed errors on the way."""

import datetime
import subprocess

import pytest

import smime
from conftest import PASSWORD, message, openssl

D = smime.Designation
S = smime.SignerStatus


def by_address(report):
    return {r.address: r for r in report.recipients}


def test_certificate_accessors_agree_with_openssl(pki):
    pem = pki.path("alice.pem").read_bytes()
    cert = smime.Certificate.from_pem(pem)
    der = openssl("x509", "-in", "alice.pem", "-outform", "DER", cwd=pki.dir)
    assert smime.Certificate.from_der(der).der() == der == cert.der()

    fp = openssl("x509", "-in", "alice.pem", "-noout", "-fingerprint", "-sha256", cwd=pki.dir)
    expected = fp.decode().strip().split("=", 1)[1].replace(":", "")
    assert cert.fingerprint_sha256() == expected
    assert len(expected) == 64 and expected == expected.upper()

    assert cert.email_addresses() == ["alice@example.org"]
    assert "CN=Alice" in cert.subject()
    assert "CN=Example CA" in cert.issuer()

    end = openssl("x509", "-in", "alice.pem", "-noout", "-enddate", cwd=pki.dir).decode()
    end = datetime.datetime.strptime(end.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
    assert cert.not_after().replace(tzinfo=None) == end
    assert pki.identity("alice").certificate().fingerprint_sha256() == expected


def test_the_whole_story(pki, account):
    alice = account("alice")
    bob = account("bob")
    alice.add_contacts_vcf(pki.vcard("bob", "dave"))

    # While Alice types: Carol has no certificate anywhere.
    report = alice.check(["bob@example.org", "carol@outside.example"], ["dave@partner.example"], [])
    assert report.designation == D.NOT_ENCRYPTED  # Encrypt by Default is off
    alice.set_encrypt_by_default(True)
    report = alice.check(["bob@example.org", "carol@outside.example"], ["dave@partner.example"], [])
    assert report.designation == D.UNABLE_TO_ENCRYPT
    r = by_address(report)
    assert [x.address for x in report.recipients] == [
        "bob@example.org", "carol@outside.example", "dave@partner.example", "alice@example.org"]
    assert r["bob@example.org"].encryptable and r["bob@example.org"].role == smime.Role.TO
    assert r["bob@example.org"].reason is None
    assert "Contacts" in r["bob@example.org"].source
    assert r["dave@partner.example"].role == smime.Role.CC and r["dave@partner.example"].encryptable
    assert r["alice@example.org"].role == smime.Role.SENDER
    carol = r["carol@outside.example"]
    assert not carol.encryptable and carol.source is None and carol.certificate is None
    assert carol.reason == "no certificate found"

    # Alice removes Carol and sends, signed and encrypted.
    report = alice.check(["bob@example.org"], ["dave@partner.example"], [])
    assert report.designation == D.ENCRYPTED
    msg = message("Alice <alice@example.org>", "bob@example.org")
    sealed = alice.seal(msg, report, True, True)
    assert b"application/pkcs7-mime" in sealed and b"The numbers are in." not in sealed

    # Bob opens it: decrypted and a blue check. Nobody's capabilities are recorded, so
    # the content cipher is AES-256-CBC (RFC 8551 §2.7.1.2; every client reads it): not
    # authenticated by the cipher, the inner signature protects it.
    opened = bob.open(sealed)
    assert opened.decrypted and opened.authenticated is False
    assert opened.signature_valid
    assert b"The numbers are in." in opened.content
    [signer] = opened.signers
    assert signer.status == S.VALID and signer.reason is None
    assert signer.address == "alice@example.org"
    assert signer.certificate.fingerprint_sha256() == pki.cert("alice").fingerprint_sha256()
    # Alice's own Sent copy opens too (encrypt-to-self).
    assert alice.open(sealed).decrypted
    # Header protection (RFC 9788): servers saw "[...]", Bob sees the real Subject.
    assert b"Subject: [...]" in sealed and b"Quarterly numbers" not in sealed
    assert opened.subject == "Quarterly numbers" and "Subject" in opened.protected_fields

    # Bob's app learns Alice's certificate from her verified message (opt-in): his
    # reply is encrypted to it without an Install, and says where it came from.
    assert bob.learn(opened) == [pki.cert("alice").fingerprint_sha256()]
    assert bob.learn(opened) == []  # already known
    reply = by_address(bob.check(["alice@example.org"], [], []))["alice@example.org"]
    assert reply.encryptable and reply.source.startswith("collected")

    # Carol (outside CA) sends Alice a signed message.
    carol_client = smime.Client(str(pki.dir / "carol-store"), pki.identity("carol"), [pki.cert("outside-ca")])
    from_carol = carol_client.seal(
        message("Carol <carol@outside.example>", "alice@example.org", "Hello"), report, True, False)
    opened = alice.open(from_carol)
    assert not opened.decrypted and opened.authenticated is None
    [signer] = opened.signers
    assert signer.status == S.UNTRUSTED_ISSUER and not opened.signature_valid
    assert "issuer" in signer.reason and signer.address == "carol@outside.example"
    with pytest.raises(smime.SmimeError.Refused) as refused:
        alice.install(opened, 0)
    assert "not trusted" in str(refused.value)
    with pytest.raises(smime.SmimeError.InvalidArgument):
        alice.trust_and_install(opened, 1)

    installed = alice.trust_and_install(opened, 0)
    assert installed.address == "carol@outside.example"
    assert installed.fingerprint == pki.cert("carol").fingerprint_sha256()
    assert alice.open(from_carol).signers[0].status == S.VALID
    assert [c.fingerprint_sha256() for c in alice.installed()] == [installed.fingerprint]

    # Now Alice can encrypt to Carol, and Carol reads it.
    report = alice.check(["carol@outside.example"], [], [])
    assert report.designation == D.ENCRYPTED
    assert by_address(report)["carol@outside.example"].source is not None
    to_carol = alice.seal(message("alice@example.org", "carol@outside.example"), report, False, True)
    opened_by_carol = carol_client.open(to_carol)
    assert opened_by_carol.decrypted and opened_by_carol.signers == []

    # Alice removes Carol's certificate: red again.
    assert alice.remove(installed.fingerprint.lower()) is True
    assert alice.remove(installed.fingerprint) is False
    report = alice.check(["carol@outside.example"], [], [])
    assert report.designation == D.UNABLE_TO_ENCRYPT
    with pytest.raises(smime.SmimeError.NotEncryptable) as refused:
        alice.seal(msg, report, True, True)
    assert "carol@outside.example" in str(refused.value)


def test_bcc_recipients_get_copies_of_their_own(pki, account):
    alice, bob, dave = account("alice"), account("bob"), account("dave")
    alice.add_contacts_vcf(pki.vcard("bob", "dave"))
    report = alice.check(["bob@example.org"], [], ["dave@partner.example"])
    msg = message("alice@example.org", "bob@example.org")
    with pytest.raises(smime.SmimeError.InvalidArgument):
        alice.seal(msg, report, False, True)
    main, bcc = alice.seal_copies(msg, report, False, True)
    assert main.recipients == ["bob@example.org"] and bcc.recipients == ["dave@partner.example"]
    assert bob.open(main.message).decrypted and dave.open(bcc.message).decrypted
    with pytest.raises(smime.SmimeError.CannotDecrypt):
        dave.open(main.message)


def test_a_tampered_signature_is_invalid_and_cannot_be_trusted(pki, account):
    alice, bob = account("alice"), account("bob")
    signed = alice.seal(message("alice@example.org", "bob@example.org"), smime.Report(
        designation=D.NOT_ENCRYPTED, recipients=[]), True, False)
    assert b"The numbers are in." in signed
    tampered = signed.replace(b"The numbers are in.", b"The numbers are out")
    opened = bob.open(tampered)
    [signer] = opened.signers
    assert signer.status == S.INVALID and signer.reason
    with pytest.raises(smime.SmimeError.Refused) as refused:
        bob.trust_and_install(opened, 0)
    assert "not valid" in str(refused.value)


def test_a_signer_who_is_not_the_sender_is_an_address_mismatch(pki, account):
    alice, bob = account("alice"), account("bob")
    forged = alice.seal(message("mallory@example.org", "bob@example.org"), smime.Report(
        designation=D.NOT_ENCRYPTED, recipients=[]), True, False)
    [signer] = bob.open(forged).signers
    assert signer.status == S.ADDRESS_MISMATCH
    assert signer.address == "alice@example.org"
    with pytest.raises(smime.SmimeError.Refused):
        bob.install(bob.open(forged), 0)


def test_valid_signers_install_and_key_changes_need_a_decision(pki, account):
    alice, bob = account("alice"), account("bob")
    signed = alice.seal(message("alice@example.org", "bob@example.org"), smime.Report(
        designation=D.NOT_ENCRYPTED, recipients=[]), True, False)
    installed = bob.install(bob.open(signed), 0)
    assert installed.address == "alice@example.org"
    report = bob.check(["alice@example.org"], [], [])
    assert by_address(report)["alice@example.org"].encryptable


def test_an_unreachable_gal_is_a_lookup_failure_not_no_certificate(pki, account):
    alice = account("alice")
    alice.add_ldap_gal("ldap://127.0.0.1:1", "dc=example,dc=org")
    r = by_address(alice.check(["bob@example.org"], [], []))["bob@example.org"]
    assert not r.encryptable
    assert r.reason.startswith("could not ask") and r.source is not None
    with pytest.raises(smime.SmimeError.Directory):
        alice.add_ldap_gal("http://not-ldap.example", "dc=example")


def test_failures_are_typed_errors_with_sentences(pki, account, tmp_path):
    alice = account("alice")
    alice.add_contacts_vcf(pki.vcard("bob"))
    sealed_to_bob = alice.seal(message("alice@example.org", "bob@example.org"),
                               alice.check(["bob@example.org"], [], []), False, True)
    cases = [
        (smime.SmimeError.InvalidCertificate, lambda: smime.Certificate.from_pem(b"junk")),
        (smime.SmimeError.InvalidCertificate, lambda: smime.Certificate.from_der(b"\x30\x03\x02\x01\x00")),
        (smime.SmimeError.InvalidIdentity,
         lambda: smime.Identity.from_pkcs12(pki.path("alice.p12").read_bytes(), "wrong " + PASSWORD)),
        (smime.SmimeError.InvalidIdentity, lambda: smime.Identity.from_pkcs12(b"not pkcs12", PASSWORD)),
        (smime.SmimeError.InvalidAddress, lambda: account("alice").check(["no at sign"], [], [])),
        (smime.SmimeError.InvalidArgument, lambda: account("alice").remove("abc")),
        (smime.SmimeError.CannotDecrypt, lambda: account("carol").open(sealed_to_bob)),
    ]
    for kind, call in cases:
        with pytest.raises(kind) as raised:
            call()
        assert isinstance(raised.value, smime.SmimeError)
        text = str(raised.value)
        assert len(text) > 10 and "\n" not in text, text
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(smime.SmimeError) as raised:
        smime.Client(str(tmp_path / "a-file"), pki.identity("alice"), [])
    assert str(raised.value)


def test_a_panic_in_rust_is_an_internal_error_and_the_library_goes_on(pki, account):
    with pytest.raises(smime.SmimeError.Internal) as raised:
        smime.check_panic_boundary()
    assert "deliberate panic" in str(raised.value)
    me = account("alice").check(["bob@example.org"], [], []).recipients[-1]
    assert me.role == smime.Role.SENDER and me.encryptable


def test_an_unreachable_activesync_gal_is_a_lookup_failure(pki, account):
    alice = account("alice")
    # Plain http:// is refused unless the app asks for it explicitly.
    with pytest.raises(smime.SmimeError.Directory):
        alice.add_activesync_gal("http://127.0.0.1:1/Microsoft-Server-ActiveSync",
                                 "alice", "secret", [], False)
    alice.add_activesync_gal("http://127.0.0.1:1/Microsoft-Server-ActiveSync",
                             "alice", "secret", [], True)
    r = by_address(alice.check(["bob@example.org"], [], []))["bob@example.org"]
    assert not r.encryptable
    assert r.reason.startswith("could not ask") and r.source is not None
