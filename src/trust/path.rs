//! Path building and RFC 5280 §6.1 path validation.
//!
//! Building works upward from the certificate, depth first, in the manner of
//! rustls-webpki's `PathBuilder`: issuers are found by name (RFC 5280 §7.1; RFC 8550
//! §4.2 requires chaining by DN), with a matching authorityKeyIdentifier/
//! subjectKeyIdentifier tried first as a hint; trust anchors before intermediates.
//! A certificate already on the path (or one with its subject and key) is skipped, so
//! cycles end; every step and every signature counts against the [`Budget`]. When a
//! candidate reaches a trust anchor, the whole path is validated top-down
//! ([`Evaluation::validate`]); if that fails the search goes on, and when every path
//! fails the most specific error wins ([`TrustError::rank`]).

use std::collections::HashMap;
use std::time::SystemTime;

use der::asn1::Any;

use super::budget::Budget;
use super::crl::{Crl, CrlFetcher};
use super::error::{TrustError, keep_best};
use super::name_constraints;
use super::names::name_eq;
use super::policies::PolicyState;
use super::policy::Policy;
use super::single::{check_critical_extensions, check_validity};
use super::usage;
use super::verified::TrustWarning;
use super::verify_signature::{self, SigError, SigOk};
use crate::cert::{Certificate, KeyAlgorithm};
use crate::oid;

/// The most intermediates a path may have. RFC 5280 sets no limit; rustls-webpki
/// allows 6 sub-CAs and OpenSSL 100. Real S/MIME hierarchies have 1–3, PKITS paths
/// at most 5; 8 leaves room while keeping hostile bags of certificates small.
pub const MAX_INTERMEDIATES: usize = 8;

/// How deep CRL-signer validation may recurse (a CRL signer's own CRL signer, ...):
/// enough for PKITS 4.4.19–21 and 4.14 (indirect CRLs), bounded against loops.
pub(super) const MAX_CRL_SIGNER_DEPTH: usize = 2;

pub(super) struct Node {
    pub(super) cert: Certificate,
    pub(super) fp: [u8; 32],
    pub(super) anchor: bool,
}

/// What a certificate on the path is being validated as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Role {
    /// The certificate being evaluated, for the policy's purpose.
    EndEntity,
    /// The issuer of a CRL (RFC 5280 §6.3.3(f)): needs cRLSign, no purpose.
    CrlSigner,
}

/// A validated path (indices into the pool).
pub(super) struct Built {
    pub(super) anchor: usize,
    /// Top-down: issued by the anchor first, the certificate itself last.
    pub(super) chain: Vec<usize>,
    pub(super) policies: Vec<der::asn1::ObjectIdentifier>,
    pub(super) warnings: Vec<TrustWarning>,
}

/// The state of one evaluation: the certificates and CRLs in play, the budget and
/// caches.
pub(super) struct Evaluation<'a> {
    pub(super) policy: &'a Policy,
    /// The reference time of the use being judged.
    pub(super) time: SystemTime,
    pub(super) pool: Vec<Node>,
    pub(super) crls: Vec<Crl>,
    pub(super) fetcher: Option<&'a dyn CrlFetcher>,
    pub(super) fetched: bool,
    pub(super) budget: Budget,
    sig_cache: HashMap<(usize, usize, bool), Result<SigOk, SigError>>,
    pub(super) crl_sig_cache: HashMap<(usize, usize), bool>,
    issuer_cache: HashMap<usize, Vec<usize>>,
    pub(super) crl_depth: usize,
}

impl<'a> Evaluation<'a> {
    pub(super) fn new(
        policy: &'a Policy,
        time: SystemTime,
        anchors: &[Certificate],
        others: impl IntoIterator<Item = &'a Certificate>,
        crls: Vec<Crl>,
        fetcher: Option<&'a dyn CrlFetcher>,
    ) -> Self {
        let mut pool: Vec<Node> = Vec::new();
        for a in anchors {
            push_unique(&mut pool, a, true);
        }
        for c in others {
            push_unique(&mut pool, c, false);
        }
        Evaluation {
            policy,
            time,
            pool,
            crls,
            fetcher,
            fetched: false,
            budget: Budget::default(),
            sig_cache: HashMap::new(),
            crl_sig_cache: HashMap::new(),
            issuer_cache: HashMap::new(),
            crl_depth: 0,
        }
    }

    /// The pool index of `cert`, adding it (as a non-anchor) when absent.
    pub(super) fn index_of(&mut self, cert: &Certificate) -> usize {
        let fp = cert.fingerprint_sha256();
        if let Some(i) = self.pool.iter().position(|n| n.fp == fp) {
            return i;
        }
        self.pool.push(Node {
            cert: cert.clone(),
            fp,
            anchor: false,
        });
        self.issuer_cache.clear();
        self.pool.len() - 1
    }

    pub(super) fn cert(&self, i: usize) -> Result<&Certificate, TrustError> {
        self.pool
            .get(i)
            .map(|n| &n.cert)
            .ok_or(TrustError::BudgetExceeded {
                what: "certificates (internal index)",
                limit: self.pool.len(),
            })
    }

    fn is_anchor(&self, i: usize) -> bool {
        self.pool.get(i).is_some_and(|n| n.anchor)
    }

    /// Finds and validates a path from certificate `leaf` to a trust anchor (only to
    /// `only_anchor` when given).
    pub(super) fn build(
        &mut self,
        leaf: usize,
        role: Role,
        only_anchor: Option<usize>,
    ) -> Result<Built, TrustError> {
        let mut best: Option<TrustError> = None;
        if self.is_anchor(leaf) && only_anchor.is_none_or(|a| a == leaf) {
            match self.validate(leaf, &[], role) {
                Ok(b) => return Ok(b),
                Err(e @ TrustError::BudgetExceeded { .. }) => return Err(e),
                Err(e) => keep_best(&mut best, e),
            }
        }
        let mut path = vec![leaf];
        if let Some(b) = self.extend(&mut path, role, only_anchor, &mut best)? {
            return Ok(b);
        }
        Err(best.unwrap_or_else(|| TrustError::UnknownIssuer {
            subject: self
                .pool
                .get(leaf)
                .map(|n| n.cert.subject())
                .unwrap_or_default(),
        }))
    }

    fn issuers_of(&mut self, child: usize) -> Vec<usize> {
        if let Some(v) = self.issuer_cache.get(&child) {
            return v.clone();
        }
        let Some(c) = self.pool.get(child) else {
            return Vec::new();
        };
        let aki = c.cert.authority_key_identifier().map(<[u8]>::to_vec);
        let issuer = c.cert.issuer_name().clone();
        let mut found: Vec<(u8, usize)> = self
            .pool
            .iter()
            .enumerate()
            .filter(|(_, n)| name_eq(n.cert.subject_name(), &issuer))
            .map(|(i, n)| {
                let key_hint = match (&aki, n.cert.subject_key_identifier()) {
                    (Some(a), Some(s)) if a.as_slice() == s => 0,
                    (Some(_), Some(_)) => 2,
                    _ => 1,
                };
                // Anchors first, then by key-identifier hint.
                (u8::from(!n.anchor) * 4 + key_hint, i)
            })
            .collect();
        found.sort();
        let v: Vec<usize> = found.into_iter().map(|(_, i)| i).collect();
        self.issuer_cache.insert(child, v.clone());
        v
    }

    fn same_subject_and_key(&self, a: usize, b: usize) -> bool {
        match (self.pool.get(a), self.pool.get(b)) {
            (Some(x), Some(y)) => {
                name_eq(x.cert.subject_name(), y.cert.subject_name())
                    && x.cert.x509().tbs_certificate().subject_public_key_info()
                        == y.cert.x509().tbs_certificate().subject_public_key_info()
            }
            _ => false,
        }
    }

    fn extend(
        &mut self,
        path: &mut Vec<usize>,
        role: Role,
        only_anchor: Option<usize>,
        best: &mut Option<TrustError>,
    ) -> Result<Option<Built>, TrustError> {
        self.budget.build_call()?;
        let Some(&top) = path.last() else {
            return Ok(None);
        };
        for cand in self.issuers_of(top) {
            if path.contains(&cand) || path.iter().any(|p| self.same_subject_and_key(*p, cand)) {
                continue;
            }
            let anchor_ok = self.is_anchor(cand) && only_anchor.is_none_or(|a| a == cand);
            if !anchor_ok && path.len() > MAX_INTERMEDIATES {
                keep_best(
                    best,
                    TrustError::PathTooLong {
                        subject: self.cert(top)?.subject(),
                        limit: MAX_INTERMEDIATES,
                    },
                );
                continue;
            }
            // Early signature check prunes dead branches; a DSA key whose parameters
            // come from further up is checked during validation instead.
            match self.check_signature(top, cand, None) {
                Ok(_) | Err(SigFailure::NeedsParams) => {}
                Err(SigFailure::Fatal(e)) => return Err(e),
                Err(SigFailure::Error(e)) => {
                    keep_best(best, e);
                    continue;
                }
            }
            if anchor_ok {
                let chain: Vec<usize> = path.iter().rev().copied().collect();
                match self.validate(cand, &chain, role) {
                    Ok(b) => return Ok(Some(b)),
                    Err(e @ TrustError::BudgetExceeded { .. }) => return Err(e),
                    Err(e) => keep_best(best, e),
                }
                continue;
            }
            if self.is_anchor(cand) {
                // An anchor other than the one required (CRL signers): not an
                // intermediate either.
                continue;
            }
            path.push(cand);
            let found = self.extend(path, role, only_anchor, best)?;
            path.pop();
            if found.is_some() {
                return Ok(found);
            }
        }
        if best.is_none() {
            *best = Some(TrustError::UnknownIssuer {
                subject: self.cert(top)?.subject(),
            });
        }
        Ok(None)
    }

    /// Verifies the signature of `child` with the key of `issuer`, cached.
    pub(super) fn check_signature(
        &mut self,
        child: usize,
        issuer: usize,
        inherited: Option<&Any>,
    ) -> Result<SigOk, SigFailure> {
        let key = (child, issuer, inherited.is_some());
        let result = match self.sig_cache.get(&key) {
            Some(r) => r.clone(),
            None => {
                self.budget.signature().map_err(SigFailure::Fatal)?;
                let (c, i) = (
                    self.cert(child).map_err(SigFailure::Fatal)?,
                    self.cert(issuer).map_err(SigFailure::Fatal)?,
                );
                let x = c.x509();
                let r = match verify_signature::tbs_bytes(c.der()) {
                    None => Err(SigError::Bad),
                    Some(tbs) => verify_signature::verify(
                        i.x509().tbs_certificate().subject_public_key_info(),
                        inherited,
                        x.signature_algorithm(),
                        tbs,
                        x.signature().raw_bytes(),
                        self.policy.historic_algorithms,
                        self.policy.rsa_floor(),
                    ),
                };
                // RFC 5280 §4.1.1.2: the outer algorithm must equal the TBS one.
                let r = if x.signature_algorithm() != x.tbs_certificate().signature() {
                    Err(SigError::Bad)
                } else {
                    r
                };
                self.sig_cache.insert(key, r.clone());
                r
            }
        };
        let (c, i) = (
            self.cert(child).map_err(SigFailure::Fatal)?,
            self.cert(issuer).map_err(SigFailure::Fatal)?,
        );
        result.map_err(|e| match e {
            SigError::NeedsDsaParams => SigFailure::NeedsParams,
            other => SigFailure::Error(sig_error(other, c, i, self.policy.min_rsa_bits)),
        })
    }

    /// RFC 5280 §6.1 over `chain` (top-down) below trust anchor `anchor`.
    pub(super) fn validate(
        &mut self,
        anchor: usize,
        chain: &[usize],
        role: Role,
    ) -> Result<Built, TrustError> {
        let policy = self.policy;
        let time = self.time;
        let anchor_cert = self.cert(anchor)?.clone();
        let mut warnings = Vec::new();
        check_validity(&anchor_cert, time)?;
        let n = chain.len();

        // RFC 5937: the anchor's own constraints bind the path (REQUIREMENTS.md §1 #19).
        let mut constraints = Vec::new();
        let mut max_path_length = n;
        if n > 0 {
            if let Some(c) =
                name_constraints::read(&anchor_cert, policy.require_critical_name_constraints)?
            {
                constraints.push(c);
            }
            if let Some(p) = anchor_cert.basic_constraints().and_then(|b| b.path_len) {
                max_path_length = max_path_length.min(usize::from(p));
            }
            check_ca_eku(&anchor_cert, policy, role)?;
            // An anchor that issues must say it is a CA, and must not carry critical
            // extensions we cannot honour (RFC 5937 §2: its constraints bind).
            check_critical_extensions(&anchor_cert)?;
            let v1 = anchor_cert.x509().tbs_certificate().version() == x509_cert::Version::V1;
            if anchor_cert.subject_name().is_empty() {
                return Err(TrustError::Malformed {
                    subject: anchor_cert.subject(),
                    reason: "CA certificate with an empty subject".into(),
                });
            }
            if !v1 && !anchor_cert.basic_constraints().is_some_and(|b| b.ca) {
                return Err(TrustError::NotACa {
                    subject: anchor_cert.subject(),
                });
            }
        }
        let mut policy_state = PolicyState::new(
            n,
            policy.explicit_policy && role == Role::EndEntity,
            policy.inhibit_policy_mapping && role == Role::EndEntity,
            policy.inhibit_any_policy && role == Role::EndEntity,
        );
        let mut working_issuer = anchor;
        let mut working_dsa: Option<Any> = dsa_params(&anchor_cert);

        for (i, &idx) in chain.iter().enumerate() {
            let cert = self.cert(idx)?.clone();
            let last = i + 1 == n;
            // §6.1.3 (a)(1): the signature, with inherited DSA parameters.
            let needs_inherited = dsa_params(self.cert(working_issuer)?).is_none();
            let inherited = if needs_inherited {
                working_dsa.clone()
            } else {
                None
            };
            match self.check_signature(idx, working_issuer, inherited.as_ref()) {
                Ok(ok) => {
                    if let Some(algorithm) = ok.historic {
                        warnings.push(TrustWarning::HistoricAlgorithm {
                            subject: cert.subject(),
                            algorithm,
                        });
                    }
                }
                Err(SigFailure::Fatal(e) | SigFailure::Error(e)) => return Err(e),
                Err(SigFailure::NeedsParams) => {
                    return Err(TrustError::Malformed {
                        subject: cert.subject(),
                        reason: "DSA key without domain parameters on the path".into(),
                    });
                }
            }
            // (a)(2)
            check_validity(&cert, time)?;
            // (b), (c): not for self-issued intermediates.
            if last || !cert.is_self_issued() {
                name_constraints::check(&cert, &constraints, &mut self.budget)?;
            }
            // (d)-(f)
            policy_state.process(&cert, last)?;
            if !last {
                // §6.1.4
                policy_state.prepare_next(&cert)?;
                if let Some(c) =
                    name_constraints::read(&cert, policy.require_critical_name_constraints)?
                {
                    constraints.push(c);
                }
                // RFC 5280 §4.1.2.6: a CA's subject MUST be non-empty.
                if cert.subject_name().is_empty() {
                    return Err(TrustError::Malformed {
                        subject: cert.subject(),
                        reason: "CA certificate with an empty subject".into(),
                    });
                }
                // (k)
                if !cert.basic_constraints().is_some_and(|b| b.ca) {
                    return Err(TrustError::NotACa {
                        subject: cert.subject(),
                    });
                }
                // (l)
                if !cert.is_self_issued() {
                    if max_path_length == 0 {
                        return Err(TrustError::PathLenExceeded {
                            subject: cert.subject(),
                        });
                    }
                    max_path_length -= 1;
                }
                // (m)
                if let Some(p) = cert.basic_constraints().and_then(|b| b.path_len) {
                    max_path_length = max_path_length.min(usize::from(p));
                }
                // (n)
                if cert.key_usage().is_some_and(|k| !k.key_cert_sign()) {
                    return Err(TrustError::IssuerKeyUsage {
                        subject: cert.subject(),
                        what: "certificates",
                    });
                }
                check_ca_eku(&cert, policy, role)?;
                // (o)
                check_critical_extensions(&cert)?;
                // (d)-(f): the working public key and its parameters.
                if let Some(p) = dsa_params(&cert) {
                    working_dsa = Some(p);
                } else if !matches!(cert.key_algorithm(), KeyAlgorithm::Dsa) {
                    working_dsa = None;
                }
                working_issuer = idx;
            }
        }
        let leaf_idx = chain.last().copied().unwrap_or(anchor);
        let leaf = self.cert(leaf_idx)?.clone();
        let policies = if n == 0 {
            vec![oid::ANY_POLICY]
        } else if role == Role::EndEntity {
            policy_state.finish(&leaf, &policy.initial_policy_set)?
        } else {
            policy_state.finish(&leaf, &[]).unwrap_or_default()
        };
        if role == Role::CrlSigner {
            check_critical_extensions(&leaf)?;
            if leaf.key_usage().is_some_and(|k| !k.crl_sign()) {
                return Err(TrustError::IssuerKeyUsage {
                    subject: leaf.subject(),
                    what: "CRLs",
                });
            }
        }
        // RFC 5280 §6.1.3(a)(3): revocation, once the path is otherwise valid.
        let mut issuer = anchor;
        for &idx in chain {
            self.check_revocation(idx, issuer, anchor, chain, &mut warnings)?;
            issuer = idx;
        }
        Ok(Built {
            anchor,
            chain: chain.to_vec(),
            policies,
            warnings,
        })
    }

    /// Verifies the signature of CRL `crl` with the key of certificate `signer`.
    /// The DSA parameters certificate `s` on `chain` (below `anchor`) inherits from
    /// the nearest issuer above it that has them (RFC 3279 §2.3.2).
    pub(super) fn inherited_dsa(&self, s: usize, anchor: usize, chain: &[usize]) -> Option<Any> {
        let own = self.pool.get(s).map(|n| &n.cert)?;
        if !matches!(own.key_algorithm(), KeyAlgorithm::Dsa) || dsa_params(own).is_some() {
            return None;
        }
        let pos = chain.iter().position(|&c| c == s)?;
        chain
            .get(..pos)?
            .iter()
            .rev()
            .chain(std::iter::once(&anchor))
            .find_map(|&i| self.pool.get(i).and_then(|n| dsa_params(&n.cert)))
    }

    /// Verifies the signature of CRL `crl` with the key of certificate `signer`
    /// (`inherited`: DSA parameters the signer's key inherits).
    pub(super) fn check_crl_signature(
        &mut self,
        crl: usize,
        signer: usize,
        inherited: Option<&Any>,
    ) -> Result<bool, TrustError> {
        if let Some(r) = self.crl_sig_cache.get(&(crl, signer)) {
            return Ok(*r);
        }
        self.budget.signature()?;
        let (Some(c), Some(s)) = (self.crls.get(crl), self.pool.get(signer)) else {
            return Ok(false);
        };
        let x = c.x509();
        let ok = x.signature_algorithm == x.tbs_cert_list.signature
            && verify_signature::tbs_bytes(c.der()).is_some_and(|tbs| {
                verify_signature::verify(
                    s.cert.x509().tbs_certificate().subject_public_key_info(),
                    inherited,
                    &x.signature_algorithm,
                    tbs,
                    x.signature.raw_bytes(),
                    self.policy.historic_algorithms,
                    self.policy.rsa_floor(),
                )
                .is_ok()
            });
        self.crl_sig_cache.insert((crl, signer), ok);
        Ok(ok)
    }
}

pub(super) enum SigFailure {
    NeedsParams,
    Error(TrustError),
    Fatal(TrustError),
}

fn push_unique(pool: &mut Vec<Node>, cert: &Certificate, anchor: bool) {
    let fp = cert.fingerprint_sha256();
    if let Some(existing) = pool.iter_mut().find(|n| n.fp == fp) {
        existing.anchor |= anchor;
        return;
    }
    pool.push(Node {
        cert: cert.clone(),
        fp,
        anchor,
    });
}

fn sig_error(e: SigError, cert: &Certificate, issuer: &Certificate, minimum: usize) -> TrustError {
    let subject = cert.subject();
    match e {
        SigError::Bad | SigError::NeedsDsaParams => TrustError::BadSignature {
            subject,
            issuer: issuer.subject(),
        },
        SigError::Unsupported(oid) => TrustError::UnsupportedAlgorithm { subject, oid },
        SigError::Weak(algorithm) => TrustError::WeakAlgorithm { subject, algorithm },
        SigError::SmallKey(bits) => TrustError::WeakKey {
            subject: issuer.subject(),
            bits,
            minimum,
        },
        SigError::TooLarge => TrustError::KeyTooLarge {
            subject,
            maximum: verify_signature::MAX_RSA_BITS,
        },
        SigError::BadKey => TrustError::Malformed {
            subject: issuer.subject(),
            reason: "public key cannot be parsed".into(),
        },
    }
}

/// DSA domain parameters of a certificate's key, when it is DSA and carries them.
fn dsa_params(cert: &Certificate) -> Option<Any> {
    let spki = cert.x509().tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid == oid::DSA {
        spki.algorithm.parameters.clone()
    } else {
        None
    }
}

/// EKU intersected along the path (REQUIREMENTS.md §1 #11): a CA with an EKU that
/// has neither the required purpose nor anyExtendedKeyUsage constrains it away.
fn check_ca_eku(cert: &Certificate, policy: &Policy, role: Role) -> Result<(), TrustError> {
    if role != Role::EndEntity {
        return Ok(());
    }
    if usage::eku_allows(cert, policy.extended_key_usage) {
        return Ok(());
    }
    Err(TrustError::ExtendedKeyUsage {
        subject: cert.subject(),
        required: policy.extended_key_usage,
    })
}
