// Built-in sample identities for the quickstart, the documentation examples and
// demos. **Never use them for real mail:** their private keys are public.
//
// A root CA ("Sample Root CA") issued one RSA-2048 certificate each to
// `alice@example.org` and `bob@example.org`, valid until 2126. Another root, the
// "Outside Root CA" the sample users do not know, issued one to Carol
// (`carol@outside.example`): the outside sender of the quickstart. A third root,
// the "Partner Root CA", issued an EC P-256 certificate to Dave
// (`dave@partner.example`), a correspondent found in the contacts.
// `examples/sample/README.md` says how they were made. Not part of the library: examples,
// tests, benches and doc examples include this file (`#[path]` or `include!`), so no
// private key is compiled into the crate.

/// The sample root CA certificate (PEM).
pub const CA_CERT_PEM: &str = include_str!("ca.pem");
/// Alice's certificate (PEM), `alice@example.org`.
pub const ALICE_CERT_PEM: &str = include_str!("alice.pem");
/// Alice's private key (PKCS#8 PEM, unencrypted).
pub const ALICE_KEY_PEM: &str = include_str!("alice.key");
/// Alice's certificate, private key and the sample CA as a PKCS#12 file
/// (OpenSSL 3 defaults: PBES2/AES-256-CBC, HMAC-SHA-256), password
/// [`ALICE_P12_PASSWORD`]. Open it with [`Identity::from_pkcs12`].
pub const ALICE_P12: &[u8] = include_bytes!("alice.p12");
/// The password of [`ALICE_P12`].
pub const ALICE_P12_PASSWORD: &str = "sample";
/// Bob's certificate (PEM), `bob@example.org`.
pub const BOB_CERT_PEM: &str = include_str!("bob.pem");
/// Bob's private key (PKCS#8 PEM, unencrypted).
pub const BOB_KEY_PEM: &str = include_str!("bob.key");

/// The outside CA certificate (PEM), which the sample users do not trust.
pub const OUTSIDE_CA_CERT_PEM: &str = include_str!("outside_ca.pem");
/// Carol's certificate (PEM), `carol@outside.example`, issued by the outside CA.
pub const CAROL_CERT_PEM: &str = include_str!("carol.pem");
/// Carol's private key (PKCS#8 PEM, unencrypted).
pub const CAROL_KEY_PEM: &str = include_str!("carol.key");

/// The partner CA certificate (PEM): a second CA the quickstart trusts.
pub const PARTNER_CA_CERT_PEM: &str = include_str!("partner_ca.pem");
/// Dave's certificate (PEM), `dave@partner.example`, EC P-256, issued by the partner CA.
pub const DAVE_CERT_PEM: &str = include_str!("dave.pem");
/// Dave's private key (PKCS#8 PEM, unencrypted).
pub const DAVE_KEY_PEM: &str = include_str!("dave.key");

use smime::{Certificate, Error, Identity};

/// Alice's identity (certificate, key and the sample CA as chain).
pub fn alice() -> Result<Identity, Error> {
    identity(ALICE_CERT_PEM, ALICE_KEY_PEM)
}

/// Bob's identity (certificate, key and the sample CA as chain).
pub fn bob() -> Result<Identity, Error> {
    identity(BOB_CERT_PEM, BOB_KEY_PEM)
}

/// Carol's identity (certificate, key and the outside CA as chain).
pub fn carol() -> Result<Identity, Error> {
    let chain_pem = format!("{CAROL_CERT_PEM}{OUTSIDE_CA_CERT_PEM}");
    Identity::from_pem(chain_pem.as_bytes(), CAROL_KEY_PEM.as_bytes(), None)
}

/// Dave's identity (certificate, key and the partner CA as chain).
pub fn dave() -> Result<Identity, Error> {
    let chain_pem = format!("{DAVE_CERT_PEM}{PARTNER_CA_CERT_PEM}");
    Identity::from_pem(chain_pem.as_bytes(), DAVE_KEY_PEM.as_bytes(), None)
}

/// The partner root CA certificate.
pub fn partner_ca() -> Result<Certificate, Error> {
    Ok(Certificate::from_pem(PARTNER_CA_CERT_PEM.as_bytes())?)
}

/// The outside root CA certificate.
pub fn outside_ca() -> Result<Certificate, Error> {
    Ok(Certificate::from_pem(OUTSIDE_CA_CERT_PEM.as_bytes())?)
}

fn identity(cert: &str, key: &str) -> Result<Identity, Error> {
    let chain_pem = format!("{cert}{CA_CERT_PEM}");
    Identity::from_pem(chain_pem.as_bytes(), key.as_bytes(), None)
}

/// The sample root CA certificate.
pub fn ca() -> Result<Certificate, Error> {
    Ok(Certificate::from_pem(CA_CERT_PEM.as_bytes())?)
}
