// The mail-app story from Kotlin, against the generated bindings (package uniffi.smime)
// and the built library: check -> seal -> open -> trust and install -> remove, plus
// typed errors and a Rust panic coming back as an exception. Any wrong result exits 1.
//
//   java -Djna.library.path=DIR_OF_LIBSMIME_UNIFFI -cp story.jar:kotlin-stdlib.jar:jna.jar \
//        StoryKt PKI_DIR WORK_DIR        (PKI_DIR made by bindings/test-pki.sh)

import java.io.File
import java.time.Instant
import kotlin.system.exitProcess
import uniffi.smime.*

const val PASSWORD = "correct horse battery staple"
var checks = 0

fun expect(ok: Boolean, what: String) {
    checks++
    if (!ok) {
        System.err.println("FAILED: $what")
        exitProcess(1)
    }
}

inline fun <reified E : Throwable> expectThrows(what: String, call: () -> Unit): E {
    try {
        call()
    } catch (e: Throwable) {
        expect(e is E, "$what: threw ${e::class.simpleName} (${e.message}), expected ${E::class.simpleName}")
        expect(!e.message.isNullOrBlank(), "$what: the exception has a message")
        return e as E
    }
    expect(false, "$what: did not throw")
    throw IllegalStateException()
}

fun message(from: String, to: String, subject: String = "Quarterly numbers") =
    "From: $from\r\nTo: $to\r\nSubject: $subject\r\nMessage-ID: <${subject.hashCode()}@example.org>\r\n" +
        "Content-Type: text/plain\r\n\r\nThe numbers are in.\r\n"

fun main(args: Array<String>) {
    val pki = File(args[0])
    val work = File(args[1])
    fun cert(who: String) = Certificate.fromPem(File(pki, "$who.pem").readBytes())
    fun identity(who: String) = Identity.fromPkcs12(File(pki, "$who.p12").readBytes(), PASSWORD)
    fun account(who: String, ca: String = "ca") = Client(File(work, "$who-store").path, identity(who), listOf(cert(ca)))
    fun vcard(vararg people: String) = people.joinToString("") { who ->
        val c = cert(who)
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:$who\r\nEMAIL:${c.emailAddresses()[0]}\r\n" +
            "KEY:data:application/pkix-cert;base64,${java.util.Base64.getEncoder().encodeToString(c.der())}\r\n" +
            "END:VCARD\r\n"
    }.toByteArray()

    // Certificates.
    val alicePem = cert("alice")
    expect(alicePem.fingerprintSha256().matches(Regex("[0-9A-F]{64}")), "fingerprint is 64 upper-case hex digits")
    expect(Certificate.fromDer(alicePem.der()).fingerprintSha256() == alicePem.fingerprintSha256(), "DER round trip")
    expect(alicePem.emailAddresses() == listOf("alice@example.org"), "email addresses")
    expect(alicePem.subject().contains("CN=Alice") && alicePem.issuer().contains("CN=Example CA"), "names")
    expect(alicePem.notAfter().isAfter(Instant.now()), "not after is a future Instant")

    // Alice writes to Bob, Dave and Carol.
    val alice = account("alice")
    alice.addContactsVcf(vcard("bob", "dave"))
    alice.setEncryptByDefault(true)
    var report = alice.check(listOf("bob@example.org", "carol@outside.example"), listOf("dave@partner.example"), listOf())
    expect(report.designation == Designation.UNABLE_TO_ENCRYPT, "Unable to Encrypt with Carol")
    val carolRow = report.recipients.first { it.address == "carol@outside.example" }
    expect(!carolRow.encryptable && carolRow.reason == "no certificate found", "Carol has no certificate")
    expect(report.recipients.last().role == Role.SENDER, "the sender is last")

    report = alice.check(listOf("bob@example.org"), listOf("dave@partner.example"), listOf())
    expect(report.designation == Designation.ENCRYPTED, "Encrypted without Carol")
    expect(report.recipients.all { it.encryptable && it.reason == null }, "every recipient encryptable")
    val sealed = alice.seal(message("alice@example.org", "bob@example.org").toByteArray(), report, true, true)

    // Bob opens it.
    val bob = account("bob")
    var opened = bob.open(sealed)
    // Nobody's capabilities are recorded: AES-256-CBC (RFC 8551 §2.7.1.2), which every
    // client reads; the cipher does not authenticate it, the inner signature does.
    expect(opened.decrypted && opened.authenticated == false, "decrypted, CBC (not authenticated by the cipher)")
    expect(opened.signatureValid && opened.signers.size == 1, "one valid signature")
    expect(opened.signers[0].status == SignerStatus.VALID && opened.signers[0].address == "alice@example.org", "Alice signed")
    expect(String(opened.content).contains("The numbers are in."), "content")

    // Carol (unknown CA) signs; Alice trusts and installs.
    val carol = account("carol", "outside-ca")
    val fromCarol = carol.seal(message("carol@outside.example", "alice@example.org", "Hello").toByteArray(), report, true, false)
    opened = alice.open(fromCarol)
    expect(opened.signers[0].status == SignerStatus.UNTRUSTED_ISSUER, "Carol's issuer is unknown")
    expectThrows<SmimeException.Refused>("install before trust") { alice.install(opened, 0u) }
    expectThrows<SmimeException.InvalidArgument>("a signer that does not exist") { alice.trustAndInstall(opened, 3u) }
    val installed = alice.trustAndInstall(opened, 0u)
    expect(installed.address == "carol@outside.example", "installed for Carol")
    expect(alice.open(fromCarol).signers[0].status == SignerStatus.VALID, "trusted now")
    report = alice.check(listOf("carol@outside.example"), listOf(), listOf())
    expect(report.designation == Designation.ENCRYPTED, "Alice can encrypt to Carol")
    val toCarol = alice.seal(message("alice@example.org", "carol@outside.example").toByteArray(), report, false, true)
    expect(carol.open(toCarol).decrypted, "Carol decrypts")

    // Tampered: invalid, and cannot be trusted.
    val tampered = String(fromCarol).replace("The numbers are in.", "The numbers are out").toByteArray()
    opened = alice.open(tampered)
    expect(opened.signers[0].status == SignerStatus.INVALID && opened.signers[0].reason != null, "tampered is invalid")
    expectThrows<SmimeException.Refused>("trusting a tampered message") { alice.trustAndInstall(opened, 0u) }

    // Remove.
    expect(alice.remove(installed.fingerprint), "removed")
    expect(!alice.remove(installed.fingerprint), "removed only once")
    report = alice.check(listOf("carol@outside.example"), listOf(), listOf())
    expect(report.designation == Designation.UNABLE_TO_ENCRYPT, "Carol is red again")
    expectThrows<SmimeException.NotEncryptable>("sealing to Carol") { alice.seal(sealed, report, true, true) }

    // Typed errors, and a panic that becomes one.
    expectThrows<SmimeException.InvalidCertificate>("junk certificate") { Certificate.fromPem("junk".toByteArray()) }
    expectThrows<SmimeException.InvalidIdentity>("wrong password") {
        Identity.fromPkcs12(File(pki, "alice.p12").readBytes(), "wrong")
    }
    expectThrows<SmimeException.InvalidAddress>("bad address") { alice.check(listOf("no at sign"), listOf(), listOf()) }
    expectThrows<SmimeException.CannotDecrypt>("not a recipient") { carol.open(sealed) }
    val panic = expectThrows<SmimeException.Internal>("a Rust panic") { checkPanicBoundary() }
    expect(panic.message!!.contains("deliberate panic"), "the panic's text comes through")
    expect(alice.check(listOf("bob@example.org"), listOf(), listOf()).designation == Designation.ENCRYPTED, "usable after the panic")

    println("Kotlin story: $checks checks passed")
}
