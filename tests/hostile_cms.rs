//! Issue 15: hostile CMS structures cost what a legitimate message needs, not what the
//! attacker asks for. Counts are asserted, never times.

use crate::common::der::tlv;
use smime::cms::{self, MAX_SIGNER_INFOS};
use smime::trust::{Policy, TrustStore};
use smime::{CmsError, Error};

/// An opaque SignedData (RFC 5652 §5.1) holding "hi" and `n` empty SignerInfos
/// (`30 00`), the shape of finding 1.
fn signed_data_with_empty_signers(n: usize) -> Vec<u8> {
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let signed_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let encap = tlv(
        0x30,
        &[data_oid.to_vec(), tlv(0xa0, &tlv(0x04, b"hi"))].concat(),
    );
    let signers = tlv(0x31, &[0x30, 0x00].repeat(n));
    let sd = tlv(
        0x30,
        &[vec![0x02, 0x01, 0x01], tlv(0x31, &[]), encap, signers].concat(),
    );
    tlv(0x30, &[signed_oid.to_vec(), tlv(0xa0, &sd)].concat())
}

fn open(der: &[u8]) -> Result<cms::Verification, Error> {
    cms::verify_opaque(der, Vec::new(), &TrustStore::new(), &Policy::email())
}

#[test]
fn signer_infos_beyond_the_cap_are_refused_before_any_is_parsed() {
    // Two million empty SignerInfos: 4 MB of input, refused with the limit named.
    for n in [MAX_SIGNER_INFOS + 1, 2_000_000] {
        match open(&signed_data_with_empty_signers(n)) {
            Err(Error::Cms(CmsError::LimitExceeded { what, limit })) => {
                assert_eq!(limit, MAX_SIGNER_INFOS);
                assert!(what.contains("SignerInfos"), "{what}");
            }
            other => panic!("{n} SignerInfos: {:?}", other.map(|v| v.signers().len())),
        }
    }
}

#[test]
fn signer_infos_up_to_the_cap_are_each_reported() {
    // Empty SignerInfos are malformed: each is reported (or the structure refused as
    // malformed), never a limit error.
    match open(&signed_data_with_empty_signers(MAX_SIGNER_INFOS)) {
        Ok(v) => assert_eq!(v.signers().len(), MAX_SIGNER_INFOS),
        Err(Error::Cms(CmsError::LimitExceeded { .. })) => {
            panic!("{MAX_SIGNER_INFOS} SignerInfos hit the limit")
        }
        Err(_) => {}
    }
}
