"""The test PKI (`bindings/test-pki.sh`, fresh keys made with `openssl` for every
session) and helpers.

    Example CA (trusted by the accounts)      Outside CA (trusted by nobody)
    ├── alice@example.org   RSA-2048          └── carol@outside.example  RSA-2048
    ├── bob@example.org     RSA-2048
    └── dave@partner.example EC P-256
"""

import base64
import os
import subprocess
from pathlib import Path

import pytest

import smime

PASSWORD = "correct horse battery staple"
PKI_SCRIPT = Path(__file__).resolve().parents[2] / "test-pki.sh"
EMAIL = {
    "alice": "alice@example.org",
    "bob": "bob@example.org",
    "dave": "dave@partner.example",
    "carol": "carol@outside.example",
}


def openssl(*args, cwd, input=None):
    """Runs openssl; fails the test with its stderr when it fails."""
    done = subprocess.run(["openssl", *args], cwd=cwd, input=input, capture_output=True)
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


class Pki:
    def __init__(self, root: Path):
        self.dir = root

    def path(self, name: str) -> Path:
        return self.dir / name

    def cert(self, who: str) -> smime.Certificate:
        return smime.Certificate.from_pem(self.path(f"{who}.pem").read_bytes())

    def identity(self, who: str) -> smime.Identity:
        return smime.Identity.from_pkcs12(self.path(f"{who}.p12").read_bytes(), PASSWORD)

    def email(self, who: str) -> str:
        return EMAIL[who]

    def vcard(self, *people: str) -> bytes:
        cards = []
        for who in people:
            der = self.cert(who).der()
            cards.append(
                "BEGIN:VCARD\r\nVERSION:4.0\r\n"
                f"FN:{who.capitalize()}\r\nEMAIL:{self.email(who)}\r\n"
                f"KEY:data:application/pkix-cert;base64,{base64.b64encode(der).decode()}\r\n"
                "END:VCARD\r\n"
            )
        return "".join(cards).encode()


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    subprocess.run(["bash", str(PKI_SCRIPT), str(d)], check=True, env={**os.environ, "PKI_PASSWORD": PASSWORD})
    return Pki(d)


@pytest.fixture
def account(pki, tmp_path):
    """An account for `who`, trusting the Example CA, with its own empty store."""

    def make(who: str) -> smime.Client:
        return smime.Client(str(tmp_path / f"{who}-store"), pki.identity(who), [pki.cert("ca")])

    return make


def message(sender: str, to: str, subject: str = "Quarterly numbers", body: str = "The numbers are in.") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '.')}@example.org>\r\n"
        f"Content-Type: text/plain\r\n\r\n{body}\r\n"
    ).encode()

