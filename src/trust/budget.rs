//! [`Budget`]: caps on the work one evaluation may do, so that hostile or pathological
//! certificate sets (cycles, many same-subject CAs, name-constraint explosions) end
//! quickly with [`TrustError::BudgetExceeded`] (REQUIREMENTS.md §2 row 23).

use super::error::TrustError;

/// The limits of one evaluation, and what is left of them.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    signatures: usize,
    build_calls: usize,
    name_comparisons: usize,
}

/// Taken from rustls-webpki, which took it from the remediation of Go's
/// CVE-2018-16875: 100 signature verifications per evaluation (certificate and CRL
/// signatures both count; results are cached, so each pair is verified once).
const SIGNATURES: usize = 100;
/// Taken from rustls-webpki, which took it from NSS mozilla::pkix (pkixbuild.cpp): at
/// most 200,000 path-building steps.
const BUILD_CALLS: usize = 200_000;
/// Taken from rustls-webpki, which took it from Go crypto/x509's default: at most
/// 250,000 name-constraint comparisons.
const NAME_COMPARISONS: usize = 250_000;

impl Default for Budget {
    fn default() -> Self {
        Budget {
            signatures: SIGNATURES,
            build_calls: BUILD_CALLS,
            name_comparisons: NAME_COMPARISONS,
        }
    }
}

impl Budget {
    pub(crate) fn signature(&mut self) -> Result<(), TrustError> {
        take(&mut self.signatures, "signature verifications", SIGNATURES)
    }

    pub(crate) fn build_call(&mut self) -> Result<(), TrustError> {
        take(&mut self.build_calls, "path-building steps", BUILD_CALLS)
    }

    pub(crate) fn name_comparison(&mut self) -> Result<(), TrustError> {
        take(
            &mut self.name_comparisons,
            "name-constraint comparisons",
            NAME_COMPARISONS,
        )
    }
}

fn take(left: &mut usize, what: &'static str, limit: usize) -> Result<(), TrustError> {
    *left = left
        .checked_sub(1)
        .ok_or(TrustError::BudgetExceeded { what, limit })?;
    Ok(())
}
