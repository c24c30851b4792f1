//! The integration tests, as one test binary: each file under `tests/` is a module here,
//! so the crate and the shared harness (`common`: the test PKI and the real peers) are
//! compiled and linked once instead of once per file. Run one file's tests with a filter,
//! e.g. `cargo test --test suite interop_nss::`.
//!
//! The memory-bound tests are the exception: they install a counting global allocator,
//! which would count every other test's allocations too, so they are a binary of their own.

// Not every sample identity is used by the tests.
#[allow(dead_code)]
#[path = "../examples/sample/mod.rs"]
mod sample;

mod common;
mod support_vectors;

mod cli_check;
mod cli_cipher;
mod cli_contract;
mod cli_output_safety;
mod clients_table;
mod clients_verify;
mod compose;
mod directory_activesync;
mod directory_activesync_cli;
mod directory_cli;
mod directory_conformance;
mod directory_installed;
mod directory_installed_hostile;
mod directory_ldap;
mod directory_ldap_limits;
mod ecdh_chacha;
mod ed25519;
mod efail_nesting;
mod encryptor;
mod examples_story;
mod fuzz_regressions;
mod header_protection;
mod hostile_cms;
mod interop_gpgsm;
mod interop_nss;
mod interop_openssl;
mod interop_python;
mod interop_sign;
mod keep;
mod keep_learn;
mod keep_limits;
mod layers;
mod mime_streaming;
mod mime_unwrap;
mod peers_selfcheck;
mod pkcs12;
mod pkits;
mod pkits_cli;
mod private_keys;
mod reader_stream;
mod rfc3218_uniformity;
mod seal;
mod signature_attacks;
mod stream_interop;
mod trust_pathological;
mod trust_requirements;
mod trust_rules;
mod vectors_decrypt;
mod verify_peers;
mod wraps;
mod x509_limbo;
