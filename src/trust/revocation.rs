//! Revocation checking with CRLs (RFC 5280 §6.3), v1 and v2, complete and delta
//! (§5.2.4), direct and indirect (§5.2.5, §5.3.3), with distribution points and
//! reason partitions: enough for PKITS 4.4, 4.14 and 4.15. (Over 600 lines on purpose:
//! it is one procedure, §6.3.3 steps (a)–(l), kept in order in one place.)
//!
//! Of all CRLs for one issuer and scope the newest is used (RFC 8550 §6: an attacker
//! can put an older, still unexpired CRL into a message). A CRL counts only when its
//! signature verifies with a key that itself validates to the same trust anchor as
//! the path (§6.3.3(f)). When no CRL decides, the status is unknown, which the
//! [`RevocationCheck`](super::RevocationCheck) policy turns into an error or a warning.
//! The fetch hook ([`CrlFetcher`](super::CrlFetcher)) is asked only here, i.e. only for
//! a path that already reached a trust anchor (REQUIREMENTS.md §1 #25).

use x509_cert::crl::RevokedCert;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{CrlDistributionPoints, CrlReason};
use x509_cert::name::{Name, RdnSequence};

use der::Decode;

use super::crl::{Crl, cmp_uint};
use super::error::{RevocationReason, TrustError};
use super::names::name_eq;
use super::path::{Evaluation, MAX_CRL_SIGNER_DEPTH, Role};
use super::policy::RevocationCheck;
use super::verified::TrustWarning;
use crate::cert::Certificate;
use crate::oid;

/// The eight reasons of ReasonFlags (RFC 5280 §4.2.1.13), bits 1–8.
const ALL_REASONS: u16 = 0x01FE;

/// The outcome of looking a certificate up in one CRL (with its delta).
enum Lookup {
    NotListed,
    Revoked {
        at: std::time::SystemTime,
        reason: Option<RevocationReason>,
    },
}

impl Evaluation<'_> {
    /// RFC 5280 §6.3.3 for certificate `cert` issued by `issuer` on a path to `anchor`.
    pub(super) fn check_revocation(
        &mut self,
        cert_idx: usize,
        issuer_idx: usize,
        anchor: usize,
        chain: &[usize],
        warnings: &mut Vec<TrustWarning>,
    ) -> Result<(), TrustError> {
        let cert = self.cert(cert_idx)?.clone();
        let mut status = self.revocation_status(&cert, issuer_idx, anchor, chain)?;
        if status.is_err()
            && !self.fetched
            && let Some(fetcher) = self.fetcher
        {
            self.fetched = true;
            let urls = distribution_urls(&cert);
            let fetched = fetcher.fetch(&cert, &urls);
            if !fetched.is_empty() {
                self.crls.extend(fetched);
                status = self.revocation_status(&cert, issuer_idx, anchor, chain)?;
            }
        }
        match status {
            Ok(Lookup::NotListed) => Ok(()),
            Ok(Lookup::Revoked { at, reason }) => Err(TrustError::Revoked {
                subject: cert.subject(),
                serial: cert.serial_hex(),
                revoked_at: at,
                reason,
            }),
            Err(reason) => match self.policy.revocation {
                // Best effort still fails when revocation data for this certificate's
                // issuer (or a cRLIssuer its distribution points name) is at hand but
                // cannot be used: a bad signature, wrong scope or stale CRL must not
                // read as "no CRL" (PKITS 4.4, 4.14, 4.15 expect failure).
                RevocationCheck::Required => Err(TrustError::RevocationUnknown {
                    subject: cert.subject(),
                    reason,
                }),
                RevocationCheck::BestEffort if self.crl_at_hand_for(&cert) => {
                    Err(TrustError::RevocationUnknown {
                        subject: cert.subject(),
                        reason,
                    })
                }
                _ => {
                    warnings.push(TrustWarning::RevocationUnknown {
                        subject: cert.subject(),
                        reason,
                    });
                    Ok(())
                }
            },
        }
    }

    /// Whether any CRL at hand was issued by `cert`'s issuer or by a cRLIssuer named
    /// in `cert`'s distribution points.
    fn crl_at_hand_for(&self, cert: &Certificate) -> bool {
        let mut issuers: Vec<Name> = vec![cert.issuer_name().clone()];
        if let Ok(Some((_, dps))) = cert
            .x509()
            .tbs_certificate()
            .get_extension::<CrlDistributionPoints>()
        {
            for dp in dps.0 {
                for gn in dp.crl_issuer.unwrap_or_default() {
                    if let GeneralName::DirectoryName(n) = gn {
                        issuers.push(n);
                    }
                }
            }
        }
        self.crls
            .iter()
            .any(|c| issuers.iter().any(|n| name_eq(c.issuer_name(), n)))
    }

    /// `Ok(Lookup)` when CRLs decided, `Err(reason)` when the status is unknown.
    fn revocation_status(
        &mut self,
        cert: &Certificate,
        issuer_idx: usize,
        anchor: usize,
        chain: &[usize],
    ) -> Result<Result<Lookup, String>, TrustError> {
        let dps: Vec<Option<DistributionPoint>> = match cert
            .x509()
            .tbs_certificate()
            .get_extension::<CrlDistributionPoints>()
        {
            Ok(Some((_, d))) if !d.0.is_empty() => d.0.into_iter().map(Some).collect(),
            Ok(_) => vec![None],
            Err(e) => {
                return Err(TrustError::Malformed {
                    subject: cert.subject(),
                    reason: format!("cRLDistributionPoints: {e}"),
                });
            }
        };
        let is_ca = cert.basic_constraints().is_some_and(|b| b.ca);
        let mut reasons_mask: u16 = 0;
        let mut unknown = String::from("no CRL from the issuer is available");
        for dp in &dps {
            let crl_issuers: Vec<Name> = match dp.as_ref().and_then(|d| d.crl_issuer.as_ref()) {
                Some(names) => names
                    .iter()
                    .filter_map(|g| match g {
                        GeneralName::DirectoryName(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect(),
                None => vec![cert.issuer_name().clone()],
            };
            let indirect_dp = dp.as_ref().is_some_and(|d| d.crl_issuer.is_some());
            // Complete CRLs in scope, newest first.
            let mut complete: Vec<usize> = (0..self.crls.len())
                .filter(|&i| {
                    self.crls.get(i).is_some_and(|c| {
                        c.delta_base().is_none()
                            && crl_issuers.iter().any(|n| name_eq(n, c.issuer_name()))
                            && in_scope(c, dp.as_ref(), cert, is_ca, indirect_dp)
                    })
                })
                .collect();
            complete.sort_by(|&a, &b| newer(&self.crls, b, a));
            for ci in complete {
                let Some(crl) = self.crls.get(ci).cloned() else {
                    continue;
                };
                if !self.crl_signer_valid(ci, &crl, issuer_idx, anchor, chain)? {
                    unknown = "no CRL with a valid signature from an authorised signer".into();
                    continue;
                }
                // The newest validly signed CRL decides; if it is unusable, older ones
                // are not consulted (RFC 8550 §6).
                if let Some(reason) = unusable(&crl, self.time) {
                    unknown = reason;
                    break;
                }
                let interim = reasons_of(dp.as_ref()) & crl_reasons(&crl);
                if interim & !reasons_mask == 0 {
                    break;
                }
                // Delta CRLs for this complete CRL (RFC 5280 §5.2.4, §6.3.3(c)).
                let delta = match self.delta_for(
                    &crl,
                    dp.as_ref(),
                    cert,
                    is_ca,
                    indirect_dp,
                    issuer_idx,
                    anchor,
                    chain,
                )? {
                    Ok(d) => d,
                    Err(reason) => {
                        unknown = reason;
                        break;
                    }
                };
                if let Some(d) = &delta {
                    match lookup(d, cert) {
                        Some(Lookup::Revoked {
                            reason: Some(RevocationReason::RemoveFromCrl),
                            ..
                        }) => {
                            reasons_mask |= interim;
                            break;
                        }
                        Some(hit @ Lookup::Revoked { .. }) => return Ok(Ok(hit)),
                        _ => {}
                    }
                }
                match lookup(&crl, cert) {
                    Some(Lookup::Revoked {
                        reason: Some(RevocationReason::RemoveFromCrl),
                        ..
                    })
                    | None => {}
                    Some(hit @ Lookup::Revoked { .. }) => return Ok(Ok(hit)),
                    Some(Lookup::NotListed) => {}
                }
                reasons_mask |= interim;
                break;
            }
            if reasons_mask == ALL_REASONS {
                return Ok(Ok(Lookup::NotListed));
            }
        }
        if reasons_mask == ALL_REASONS {
            Ok(Ok(Lookup::NotListed))
        } else {
            if reasons_mask != 0 {
                unknown = "the available CRLs do not cover every revocation reason".into();
            }
            Ok(Err(unknown))
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn delta_for(
        &mut self,
        complete: &Crl,
        dp: Option<&DistributionPoint>,
        cert: &Certificate,
        is_ca: bool,
        indirect_dp: bool,
        issuer_idx: usize,
        anchor: usize,
        chain: &[usize],
    ) -> Result<Result<Option<Crl>, String>, TrustError> {
        let Some(number) = complete.number() else {
            return Ok(Ok(None));
        };
        let mut deltas: Vec<usize> = (0..self.crls.len())
            .filter(|&i| {
                self.crls.get(i).is_some_and(|d| {
                    d.delta_base()
                        .is_some_and(|base| cmp_uint(base, number).is_le())
                        && d.number().is_some_and(|dn| cmp_uint(dn, number).is_gt())
                        && name_eq(d.issuer_name(), complete.issuer_name())
                        && in_scope(d, dp, cert, is_ca, indirect_dp)
                })
            })
            .collect();
        deltas.sort_by(|&a, &b| newer(&self.crls, b, a));
        for di in deltas {
            let Some(d) = self.crls.get(di).cloned() else {
                continue;
            };
            if !self.crl_signer_valid(di, &d, issuer_idx, anchor, chain)? {
                continue;
            }
            if let Some(reason) = unusable(&d, self.time) {
                return Ok(Err(format!("delta CRL: {reason}")));
            }
            return Ok(Ok(Some(d)));
        }
        Ok(Ok(None))
    }

    /// RFC 5280 §6.3.3(f), (g): some certificate named like the CRL issuer, allowed to
    /// sign CRLs, verifies the CRL's signature and validates to `anchor`.
    fn crl_signer_valid(
        &mut self,
        crl_idx: usize,
        crl: &Crl,
        issuer_idx: usize,
        anchor: usize,
        chain: &[usize],
    ) -> Result<bool, TrustError> {
        let mut candidates: Vec<usize> = (0..self.pool.len())
            .filter(|&i| {
                self.pool
                    .get(i)
                    .is_some_and(|n| name_eq(n.cert.subject_name(), crl.issuer_name()))
            })
            .collect();
        // The certificate's own issuer first: usually it signs its CRLs itself.
        candidates.sort_by_key(|&i| (i != issuer_idx, i != anchor));
        for s in candidates {
            let signer = self.cert(s)?.clone();
            if signer.key_usage().is_some_and(|k| !k.crl_sign()) {
                continue;
            }
            if let (Some(aki), Some(ski)) =
                (crl.authority_key_id(), signer.subject_key_identifier())
                && aki != ski
            {
                continue;
            }
            let inherited = self.inherited_dsa(s, anchor, chain);
            if !self.check_crl_signature(crl_idx, s, inherited.as_ref())? {
                continue;
            }
            // Already validated: the anchor itself, or a certificate of this path.
            if s == anchor || chain.contains(&s) {
                return Ok(true);
            }
            if self.crl_depth >= MAX_CRL_SIGNER_DEPTH {
                continue;
            }
            self.crl_depth += 1;
            let r = self.build(s, Role::CrlSigner, Some(anchor));
            self.crl_depth -= 1;
            match r {
                Ok(_) => return Ok(true),
                Err(e @ TrustError::BudgetExceeded { .. }) => return Err(e),
                Err(_) => continue,
            }
        }
        Ok(false)
    }
}

/// Orders CRLs by recency: cRLNumber, then thisUpdate.
fn newer(crls: &[Crl], a: usize, b: usize) -> std::cmp::Ordering {
    match (crls.get(a), crls.get(b)) {
        (Some(x), Some(y)) => match (x.number(), y.number()) {
            (Some(nx), Some(ny)) => cmp_uint(nx, ny),
            _ => std::cmp::Ordering::Equal,
        }
        .then_with(|| x.this_update().cmp(&y.this_update())),
        _ => std::cmp::Ordering::Equal,
    }
}

/// Why a CRL cannot be used at `time`, or `None`.
fn unusable(crl: &Crl, time: std::time::SystemTime) -> Option<String> {
    if let Some(o) = crl.unknown_critical() {
        return Some(format!("the CRL has unprocessed critical extension {o}"));
    }
    // RFC 5280 §5.2.3: conforming v2 CRLs carry a cRLNumber.
    if crl.is_v2() && crl.number().is_none() {
        return Some("the v2 CRL has no cRLNumber".into());
    }
    if crl.this_update() > time {
        return Some("the CRL was issued after the reference time".into());
    }
    match crl.next_update() {
        Some(next) if next < time => Some("the newest CRL is past its nextUpdate".into()),
        _ => None,
    }
    .or_else(|| {
        // RFC 5280 §5.3: a critical entry extension we cannot process makes the whole
        // CRL unusable.
        let entries = crl
            .x509()
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten();
        for e in entries {
            for x in e.crl_entry_extensions.iter().flatten() {
                let known = [
                    oid::CE_CRL_REASONS,
                    oid::CE_INVALIDITY_DATE,
                    oid::CE_CERTIFICATE_ISSUER,
                    oid::CE_HOLD_INSTRUCTION_CODE,
                ];
                if x.critical && !known.contains(&x.extn_id) {
                    return Some(format!(
                        "a CRL entry has unprocessed critical extension {}",
                        x.extn_id
                    ));
                }
            }
        }
        None
    })
    .or_else(|| {
        crl.idp()
            .filter(|i| i.only_contains_attribute_certs)
            .map(|_| "the CRL covers attribute certificates only".into())
    })
}

/// The reasons a distribution point covers (all when it names none).
fn reasons_of(dp: Option<&DistributionPoint>) -> u16 {
    dp.and_then(|d| d.reasons.as_ref())
        .map_or(ALL_REASONS, |r| r.bits() & ALL_REASONS)
}

/// The reasons a CRL covers (IDP onlySomeReasons; all when absent).
fn crl_reasons(crl: &Crl) -> u16 {
    crl.idp()
        .and_then(|i| i.only_some_reasons.as_ref())
        .map_or(ALL_REASONS, |r| r.bits() & ALL_REASONS)
}

/// RFC 5280 §6.3.3(b): whether `crl` covers `cert` through distribution point `dp`.
fn in_scope(
    crl: &Crl,
    dp: Option<&DistributionPoint>,
    cert: &Certificate,
    is_ca: bool,
    indirect_dp: bool,
) -> bool {
    let idp = crl.idp();
    // (b)(1): a CRL from another issuer must be an indirect CRL.
    if indirect_dp && !idp.is_some_and(|i| i.indirect_crl) {
        return false;
    }
    let Some(idp) = idp else {
        return true;
    };
    if idp.only_contains_attribute_certs {
        return false;
    }
    if idp.only_contains_user_certs && is_ca {
        return false;
    }
    if idp.only_contains_ca_certs && !is_ca {
        return false;
    }
    // (b)(2)(i): distribution point names must meet.
    if let Some(idp_name) = &idp.distribution_point {
        let idp_names = full_names(idp_name, crl.issuer_name());
        let dp_names: Vec<GeneralName> = match dp {
            None => return false,
            Some(d) => match &d.distribution_point {
                Some(n) => {
                    let base = d
                        .crl_issuer
                        .as_ref()
                        .and_then(|ns| {
                            ns.iter().find_map(|g| match g {
                                GeneralName::DirectoryName(n) => Some(n.clone()),
                                _ => None,
                            })
                        })
                        .unwrap_or_else(|| cert.issuer_name().clone());
                    full_names(n, &base)
                }
                None => d.crl_issuer.clone().unwrap_or_default(),
            },
        };
        if !idp_names
            .iter()
            .any(|a| dp_names.iter().any(|b| general_name_eq(a, b)))
        {
            return false;
        }
    }
    true
}

fn full_names(n: &DistributionPointName, issuer: &Name) -> Vec<GeneralName> {
    match n {
        DistributionPointName::FullName(names) => names.clone(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            let mut seq = RdnSequence::default();
            for r in issuer.iter_rdn() {
                seq.push(r.clone());
            }
            seq.push(rdn.clone());
            // Name has no public constructor from an RdnSequence: round-trip the DER.
            der::Encode::to_der(&seq)
                .ok()
                .and_then(|d| Name::from_der(&d).ok())
                .map(GeneralName::DirectoryName)
                .into_iter()
                .collect()
        }
    }
}

fn general_name_eq(a: &GeneralName, b: &GeneralName) -> bool {
    match (a, b) {
        (GeneralName::DirectoryName(x), GeneralName::DirectoryName(y)) => name_eq(x, y),
        _ => a == b,
    }
}

/// Looks `cert` up in `crl`, following certificateIssuer entry extensions of indirect
/// CRLs (RFC 5280 §5.3.3: the issuer persists to following entries).
fn lookup(crl: &Crl, cert: &Certificate) -> Option<Lookup> {
    let indirect = crl.idp().is_some_and(|i| i.indirect_crl);
    let mut current_issuer: Name = crl.issuer_name().clone();
    let entries: &[RevokedCert] = crl
        .x509()
        .tbs_cert_list
        .revoked_certificates
        .as_deref()
        .unwrap_or_default();
    for entry in entries {
        let mut reason = None;
        for x in entry.crl_entry_extensions.iter().flatten() {
            if x.extn_id == oid::CE_CERTIFICATE_ISSUER && indirect {
                if let Ok(names) = Vec::<GeneralName>::from_der(x.extn_value.as_bytes())
                    && let Some(n) = names.iter().find_map(|g| match g {
                        GeneralName::DirectoryName(n) => Some(n.clone()),
                        _ => None,
                    })
                {
                    current_issuer = n;
                }
            } else if x.extn_id == oid::CE_CRL_REASONS {
                reason = CrlReason::from_der(x.extn_value.as_bytes())
                    .ok()
                    .map(convert_reason);
            }
        }
        if entry.serial_number.as_bytes() == cert.serial_number()
            && name_eq(&current_issuer, cert.issuer_name())
        {
            return Some(Lookup::Revoked {
                at: entry.revocation_date.to_system_time(),
                reason,
            });
        }
    }
    Some(Lookup::NotListed)
}

fn convert_reason(r: CrlReason) -> RevocationReason {
    match r {
        CrlReason::Unspecified => RevocationReason::Unspecified,
        CrlReason::KeyCompromise => RevocationReason::KeyCompromise,
        CrlReason::CaCompromise => RevocationReason::CaCompromise,
        CrlReason::AffiliationChanged => RevocationReason::AffiliationChanged,
        CrlReason::Superseded => RevocationReason::Superseded,
        CrlReason::CessationOfOperation => RevocationReason::CessationOfOperation,
        CrlReason::CertificateHold => RevocationReason::CertificateHold,
        CrlReason::RemoveFromCRL => RevocationReason::RemoveFromCrl,
        CrlReason::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        CrlReason::AaCompromise => RevocationReason::AaCompromise,
    }
}

/// The URIs of a certificate's distribution points, for the fetch hook.
fn distribution_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, dps))) = cert
        .x509()
        .tbs_certificate()
        .get_extension::<CrlDistributionPoints>()
    else {
        return Vec::new();
    };
    dps.0
        .iter()
        .filter_map(|d| match &d.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(|g| match g {
            GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

impl Evaluation<'_> {
    /// Revocation for a certificate trusted by the user's decision (no path): checked
    /// against any CRL from its issuer whose signature the issuer's key (found among
    /// the available certificates, or the certificate itself when self-issued)
    /// verifies. Without such a CRL the status stays unknown, with a warning.
    pub(super) fn user_trust_revocation(
        &mut self,
        cert: &Certificate,
        warnings: &mut Vec<TrustWarning>,
    ) -> Result<(), TrustError> {
        let leaf = self.index_of(cert);
        let issuers: Vec<usize> = (0..self.pool.len())
            .filter(|&i| {
                self.pool
                    .get(i)
                    .is_some_and(|n| name_eq(n.cert.subject_name(), cert.issuer_name()))
            })
            .collect();
        for issuer in issuers {
            if self.check_signature(leaf, issuer, None).is_err() {
                continue;
            }
            let crls: Vec<usize> = (0..self.crls.len())
                .filter(|&i| {
                    self.crls.get(i).is_some_and(|c| {
                        c.delta_base().is_none() && name_eq(c.issuer_name(), cert.issuer_name())
                    })
                })
                .collect();
            for ci in crls {
                let Some(crl) = self.crls.get(ci).cloned() else {
                    continue;
                };
                if !self.check_crl_signature(ci, issuer, None)?
                    || unusable(&crl, self.time).is_some()
                {
                    continue;
                }
                if let Some(Lookup::Revoked { at, reason }) = lookup(&crl, cert) {
                    return Err(TrustError::Revoked {
                        subject: cert.subject(),
                        serial: cert.serial_hex(),
                        revoked_at: at,
                        reason,
                    });
                }
                return Ok(());
            }
        }
        warnings.push(TrustWarning::RevocationUnknown {
            subject: cert.subject(),
            reason: "no verifiable CRL from the issuer of a user-trusted certificate".into(),
        });
        Ok(())
    }
}
