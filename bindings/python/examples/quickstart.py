"""The quickstart from Python: the whole mail-app story in one run.

Alice finds certificates in her installed store and her contacts. She writes to Bob
and Dave (in her contacts) and Carol (nowhere yet): "Unable to Encrypt". She removes
Carol: "Encrypted"; she sends; Bob opens it with a blue check. Carol, whose CA Alice
does not know, sends a signed message: Alice taps Trust and Install and can now
encrypt to Carol. Finally she removes Carol's certificate again.

    pip install ./bindings/python && python bindings/python/examples/quickstart.py

The certificates are made on the spot with `openssl` (throw-away keys in a temporary
folder); a real app loads the user's PKCS#12 and its CA certificates instead.
"""

import base64
import subprocess
import sys
import tempfile
from pathlib import Path

import smime

PASSWORD = "quickstart"


def openssl(folder, *args):
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def make_people(folder):
    """Two CAs and four people; returns (certificate PEM, PKCS#12) by name."""
    for ca in ("ca", "outside-ca"):
        openssl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key",
                "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN={ca}",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    people = {"alice": "alice@example.org", "bob": "bob@example.org",
              "dave": "dave@partner.example", "carol": "carol@outside.example"}
    for who, email in people.items():
        ca = "outside-ca" if who == "carol" else "ca"
        Path(folder, f"{who}.ext").write_text(
            "[ee]\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
            f"extendedKeyUsage=emailProtection\nsubjectAltName=email:{email}\n")
        openssl(folder, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{who}.key",
                "-out", f"{who}.csr", "-subj", f"/CN={who.capitalize()}")
        openssl(folder, "x509", "-req", "-in", f"{who}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                "-CAcreateserial", "-days", "1", "-extfile", f"{who}.ext", "-extensions", "ee",
                "-out", f"{who}.pem")
        openssl(folder, "pkcs12", "-export", "-inkey", f"{who}.key", "-in", f"{who}.pem",
                "-out", f"{who}.p12", "-passout", f"pass:{PASSWORD}")
    read = lambda name: Path(folder, name).read_bytes()
    files = {n: (read(f"{n}.pem"), read(f"{n}.p12")) for n in people}
    files.update({ca: (read(f"{ca}.pem"), None) for ca in ("ca", "outside-ca")})
    return files


def step(text):
    print(f"\n▸ {text}")


def show(report):
    for r in report.recipients:
        lock = "🔒" if r.encryptable else "🔓"
        why = f"certificate from {r.source}" if r.encryptable else r.reason
        print(f"  {lock} {r.address:<24} {r.role.name.lower():<6} {why}")
    print(f"  Designation: {report.designation.name.replace('_', ' ').title()}")


def main():
    work = tempfile.TemporaryDirectory()
    files = make_people(work.name)
    cert = lambda who: smime.Certificate.from_pem(files[who][0])
    identity = lambda who: smime.Identity.from_pkcs12(files[who][1], PASSWORD)

    # Once per account.
    alice = smime.Client(f"{work.name}/alice-store", identity("alice"), [cert("ca")])
    vcard = "".join(
        f"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{who}\r\nEMAIL:{cert(who).email_addresses()[0]}\r\n"
        f"KEY:data:application/pkix-cert;base64,{base64.b64encode(cert(who).der()).decode()}\r\n"
        "END:VCARD\r\n" for who in ("bob", "dave"))
    alice.add_contacts_vcf(vcard.encode())
    alice.set_encrypt_by_default(True)

    step("Alice writes to Bob, Dave and Carol (Encrypt by Default is on)")
    show(alice.check(["bob@example.org", "carol@outside.example"], ["dave@partner.example"], []))

    step("Alice removes Carol")
    report = alice.check(["bob@example.org"], ["dave@partner.example"], [])
    show(report)
    message = (b"From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nCc: dave@partner.example\r\n"
               b"Subject: Quarterly numbers\r\nContent-Type: text/plain\r\n\r\nThe numbers are in.\r\n")
    sealed = alice.seal(message, report, True, True)
    print(f"  Sent: signed and encrypted ({len(sealed)} bytes)")

    step("Bob opens it")
    bob = smime.Client(f"{work.name}/bob-store", identity("bob"), [cert("ca")])
    opened = bob.open(sealed)
    signer = opened.signers[0]
    badge = f"✔ signed by {signer.address}" if opened.signature_valid else f"? {signer.reason}"
    print(f"  {badge}, decrypted (integrity verified: {opened.authenticated})")
    if not opened.signature_valid:
        sys.exit("Bob could not verify Alice's signature")

    step("Carol (outside, unknown CA) sends Alice a signed message")
    carol = smime.Client(f"{work.name}/carol-store", identity("carol"), [cert("outside-ca")])
    hello = (b"From: Carol <carol@outside.example>\r\nTo: alice@example.org\r\nSubject: Hello\r\n"
             b"Message-ID: <c1@outside.example>\r\n\r\nHi Alice!\r\n")
    opened = alice.open(carol.seal(hello, report, True, False))
    signer = opened.signers[0]
    print(f"  ? {signer.reason}")
    print(f"  View Certificate: {signer.certificate.subject()}, issued by {signer.certificate.issuer()},")
    print(f"    valid until {signer.certificate.not_after():%Y-%m-%d}, SHA-256 {signer.certificate.fingerprint_sha256()[:16]}…")
    if signer.status != smime.SignerStatus.UNTRUSTED_ISSUER:
        sys.exit("Carol's certificate should be offered for Trust")
    installed = alice.trust_and_install(opened, 0)
    print(f"  ✔ Alice taps Trust and Install: {installed.fingerprint[:16]} for {installed.address}")

    step("Alice writes to Carol")
    report = alice.check(["carol@outside.example"], [], [])
    show(report)
    to_carol = alice.seal(b"From: alice@example.org\r\nTo: carol@outside.example\r\nSubject: Hi\r\n\r\nHello Carol\r\n",
                          report, False, True)
    print(f"  Carol decrypts it ({len(carol.open(to_carol).content)} bytes of content)")

    step("Alice removes Carol's certificate")
    alice.remove(installed.fingerprint)
    report = alice.check(["carol@outside.example"], [], [])
    show(report)
    if report.designation != smime.Designation.UNABLE_TO_ENCRYPT:
        sys.exit("Carol should no longer be encryptable")


if __name__ == "__main__":
    main()
