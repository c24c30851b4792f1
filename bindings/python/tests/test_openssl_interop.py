"""Interop with `openssl cms`: what Python seals, OpenSSL decrypts and verifies; what
OpenSSL signs or encrypts, Python opens with the right statuses."""

import pytest

import smime
from conftest import message, openssl

S = smime.SignerStatus


def openssl_sign(pki, who, sender, body="Signed by OpenSSL."):
    (pki.dir / "body.txt").write_text(body)
    return openssl("cms", "-sign", "-in", "body.txt", "-text", "-signer", f"{who}.pem",
                   "-inkey", f"{who}.key", "-from", sender, "-to", "bob@example.org",
                   "-subject", "From OpenSSL", cwd=pki.dir)


def test_sealed_in_python_decrypts_and_verifies_with_openssl(pki, account, tmp_path):
    alice = account("alice")
    alice.add_contacts_vcf(pki.vcard("bob"))
    report = alice.check(["bob@example.org"], [], [])
    sealed = alice.seal(message("alice@example.org", "bob@example.org"), report, True, True)
    (tmp_path / "sealed.eml").write_bytes(sealed)
    signed = openssl("cms", "-decrypt", "-in", str(tmp_path / "sealed.eml"),
                     "-recip", "bob.pem", "-inkey", "bob.key", cwd=pki.dir)
    assert b"multipart/signed" in signed
    (tmp_path / "signed.eml").write_bytes(signed)
    content = openssl("cms", "-verify", "-in", str(tmp_path / "signed.eml"),
                      "-CAfile", "ca.pem", "-purpose", "smimesign", cwd=pki.dir)
    assert b"The numbers are in." in content


def test_openssl_signed_opens_valid(pki, account):
    opened = account("bob").open(openssl_sign(pki, "alice", "alice@example.org"))
    [signer] = opened.signers
    assert signer.status == S.VALID and opened.signature_valid
    assert b"Signed by OpenSSL." in opened.content


def test_openssl_signed_by_an_unknown_ca_is_untrusted_then_trusted(pki, account):
    bob = account("bob")
    raw = openssl_sign(pki, "carol", "carol@outside.example")
    opened = bob.open(raw)
    assert opened.signers[0].status == S.UNTRUSTED_ISSUER
    bob.trust_and_install(opened, 0)
    assert bob.open(raw).signers[0].status == S.VALID


def test_openssl_signed_with_another_from_is_an_address_mismatch(pki, account):
    opened = account("bob").open(openssl_sign(pki, "alice", "mallory@example.org"))
    assert opened.signers[0].status == S.ADDRESS_MISMATCH


def test_openssl_signed_and_tampered_is_invalid(pki, account):
    raw = openssl_sign(pki, "alice", "alice@example.org", "Pay 100 euros.")
    assert b"Pay 100 euros." in raw
    opened = account("bob").open(raw.replace(b"Pay 100 euros.", b"Pay 900 euros."))
    assert opened.signers[0].status == S.INVALID


@pytest.mark.parametrize("cipher,authenticated", [("-aes256", False), ("-aes-256-gcm", True)])
def test_openssl_encrypted_opens(pki, account, cipher, authenticated):
    (pki.dir / "secret.txt").write_text("For Bob only.")
    raw = openssl("cms", "-encrypt", cipher, "-in", "secret.txt", "-text", "-from", "alice@example.org",
                  "-to", "bob@example.org", "-subject", "Secret", "bob.pem", cwd=pki.dir)
    opened = account("bob").open(raw)
    assert opened.decrypted and opened.authenticated is authenticated
    assert opened.signers == [] and b"For Bob only." in opened.content
    with pytest.raises(smime.SmimeError.CannotDecrypt):
        account("alice").open(raw)
