//! How much a GAL server may make [`LdapGal`](super::LdapGal) keep and wait for.
//!
//! The server is not trusted (issue 15, finding 6): it could answer with millions of
//! entries, entries with thousands of values, megabyte "certificates", or drip one
//! reply just before each per-operation timeout so that a lookup never ends. Each
//! limit below is far above what a real directory sends for the at most 50
//! addresses of one search; going over it fails
//! the batch with [`DirectoryError::LimitExceeded`](crate::DirectoryError) instead
//! of returning part of the answer as if it were all of it.

use std::time::Duration;

/// Entries kept from one search. A batch asks for 50 addresses; an address names one
/// mailbox, which a few entries (a person, a contact, an alias) may carry.
pub const MAX_LDAP_ENTRIES_PER_SEARCH: usize = 500;

/// Attribute values kept from one entry, over all requested attributes: a handful
/// of addresses (`proxyAddresses` lists every alias) and a few certificates.
pub const MAX_LDAP_VALUES_PER_ENTRY: usize = 256;

/// Bytes of one attribute value. A certificate is 1–3 KB; a PKCS#7
/// `userSMIMECertificate` with a chain is rarely above 16 KB.
pub const MAX_LDAP_VALUE_BYTES: usize = 64 * 1024;

/// Bytes of all values kept from one search: the memory a batch may hold.
pub const MAX_LDAP_BYTES_PER_SEARCH: usize = 8 * 1024 * 1024;

/// Certificates taken from one entry (DER values plus those inside PKCS#7 blobs);
/// each becomes a candidate that the encryptor path-validates.
pub const MAX_LDAP_CERTIFICATES_PER_ENTRY: usize = 16;

/// Candidates one lookup takes from the GAL for one address. Each is path-validated
/// by the encryptor; a person has a few certificates (current, renewed, per device).
pub const MAX_LDAP_CANDIDATES_PER_ADDRESS: usize = 32;

/// The default for [`LdapConfig::lookup_deadline`](super::LdapConfig::lookup_deadline):
/// the whole lookup (connect, bind, every search and page) ends by then, however the
/// server spaces its replies. ldap3's own timeout restarts with every reply.
pub const DEFAULT_LDAP_LOOKUP_DEADLINE: Duration = Duration::from_secs(30);
