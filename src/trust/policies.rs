//! Certificate policy processing (RFC 5280 §6.1.2–§6.1.5) on the policy *graph* of
//! RFC 9618, which replaces the valid_policy_tree: a policy appears at most once per
//! level and a node may have several parents, so a hostile path cannot make the
//! structure grow exponentially (the tree of RFC 5280 can).
//!
//! We keep what the decision needs — which policies are valid at each depth and how
//! they connect — and drop the qualifiers (RFC 5280 §4.2.1.4: qualifiers are for
//! display and no S/MIME rule depends on them).

use der::asn1::ObjectIdentifier as Oid;
use x509_cert::ext::pkix::constraints::PolicyConstraints;
use x509_cert::ext::pkix::{CertificatePolicies, InhibitAnyPolicy, PolicyMappings};

use super::error::TrustError;
use crate::cert::Certificate;
use crate::oid::ANY_POLICY;

/// A hostile certificate could list thousands of policies; no real one lists more
/// than a handful. Past this we refuse the certificate instead of doing the work.
const MAX_POLICIES_PER_CERT: usize = 64;

struct Node {
    policy: Oid,
    expected: Vec<Oid>,
    parents: Vec<usize>,
}

/// The RFC 5280 §6.1.2 state variables that concern policies, with the graph.
pub(crate) struct PolicyState {
    /// `None` is RFC 5280's NULL valid_policy_tree.
    levels: Option<Vec<Vec<Node>>>,
    explicit_policy: usize,
    policy_mapping: usize,
    inhibit_any_policy: usize,
}

fn err(cert: &Certificate, reason: &'static str) -> TrustError {
    TrustError::Policy {
        subject: cert.subject(),
        reason,
    }
}

fn malformed(cert: &Certificate, e: der::Error) -> TrustError {
    TrustError::Malformed {
        subject: cert.subject(),
        reason: format!("policy extension: {e}"),
    }
}

impl PolicyState {
    /// RFC 5280 §6.1.2 (a), (d)–(f) for a path of `n` certificates.
    pub(crate) fn new(n: usize, explicit: bool, inhibit_mapping: bool, inhibit_any: bool) -> Self {
        let start = |flag: bool| if flag { 0 } else { n + 1 };
        PolicyState {
            levels: Some(vec![vec![Node {
                policy: ANY_POLICY,
                expected: vec![ANY_POLICY],
                parents: Vec::new(),
            }]]),
            explicit_policy: start(explicit),
            policy_mapping: start(inhibit_mapping),
            inhibit_any_policy: start(inhibit_any),
        }
    }

    /// RFC 5280 §6.1.3 (d)–(f) for certificate `cert`; `is_last` marks the end entity
    /// (self-issued intermediates may use anyPolicy even when inhibited).
    pub(crate) fn process(&mut self, cert: &Certificate, is_last: bool) -> Result<(), TrustError> {
        let tbs = cert.x509().tbs_certificate();
        let policies = tbs
            .get_extension::<CertificatePolicies>()
            .map_err(|e| malformed(cert, e))?
            .map(|(_, p)| p.0);
        match (policies, self.levels.as_mut()) {
            (Some(policies), Some(levels)) => {
                if policies.len() > MAX_POLICIES_PER_CERT {
                    return Err(err(cert, "too many certificate policies"));
                }
                let ids: Vec<Oid> = policies.iter().map(|p| p.policy_identifier).collect();
                let mut level: Vec<Node> = Vec::new();
                let prev = levels.last().map(Vec::as_slice).unwrap_or_default();
                // (d)(1): each policy other than anyPolicy.
                for p in ids.iter().filter(|p| **p != ANY_POLICY) {
                    let mut parents: Vec<usize> = prev
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.expected.contains(p))
                        .map(|(i, _)| i)
                        .collect();
                    if parents.is_empty() {
                        parents = prev
                            .iter()
                            .enumerate()
                            .filter(|(_, n)| n.policy == ANY_POLICY)
                            .map(|(i, _)| i)
                            .collect();
                    }
                    if !parents.is_empty() && !level.iter().any(|n| n.policy == *p) {
                        level.push(Node {
                            policy: *p,
                            expected: vec![*p],
                            parents,
                        });
                    }
                }
                // (d)(2): anyPolicy, when not inhibited (or self-issued intermediate).
                let any_allowed =
                    self.inhibit_any_policy > 0 || (!is_last && cert.is_self_issued());
                if ids.contains(&ANY_POLICY) && any_allowed {
                    for (pi, parent) in prev.iter().enumerate() {
                        for e in &parent.expected {
                            if ids.contains(e) && *e != ANY_POLICY {
                                continue;
                            }
                            match level.iter_mut().find(|n| n.policy == *e) {
                                Some(node) => {
                                    if !node.parents.contains(&pi) {
                                        node.parents.push(pi);
                                    }
                                }
                                None => level.push(Node {
                                    policy: *e,
                                    expected: vec![*e],
                                    parents: vec![pi],
                                }),
                            }
                        }
                    }
                }
                levels.push(level);
                // (d)(3): prune childless nodes above.
                if !prune(levels) {
                    self.levels = None;
                }
            }
            // (e): no policies: the graph becomes NULL.
            (None, _) => self.levels = None,
            (Some(_), None) => {}
        }
        // (f)
        if self.explicit_policy == 0 && self.levels.is_none() {
            return Err(err(cert, "explicit policy required but no valid policy"));
        }
        Ok(())
    }

    /// RFC 5280 §6.1.4 (a)–(c), (h)–(j) for intermediate `cert`.
    pub(crate) fn prepare_next(&mut self, cert: &Certificate) -> Result<(), TrustError> {
        let tbs = cert.x509().tbs_certificate();
        let mappings = tbs
            .get_extension::<PolicyMappings>()
            .map_err(|e| malformed(cert, e))?
            .map(|(_, m)| m.0);
        if let Some(mappings) = mappings {
            if mappings.len() > MAX_POLICIES_PER_CERT {
                return Err(err(cert, "too many policy mappings"));
            }
            // (a)
            if mappings.iter().any(|m| {
                m.issuer_domain_policy == ANY_POLICY || m.subject_domain_policy == ANY_POLICY
            }) {
                return Err(err(cert, "policy mapping to or from anyPolicy"));
            }
            // (b)
            if let Some(levels) = self.levels.as_mut() {
                let mut issuer_policies: Vec<Oid> =
                    mappings.iter().map(|m| m.issuer_domain_policy).collect();
                issuer_policies.sort();
                issuer_policies.dedup();
                let depth = levels.len() - 1;
                if self.policy_mapping > 0 {
                    for idp in issuer_policies {
                        let mapped: Vec<Oid> = mappings
                            .iter()
                            .filter(|m| m.issuer_domain_policy == idp)
                            .map(|m| m.subject_domain_policy)
                            .collect();
                        let level = levels.get_mut(depth).ok_or_else(|| err(cert, "graph"))?;
                        if let Some(node) = level.iter_mut().find(|n| n.policy == idp) {
                            node.expected = mapped;
                        } else if let Some(any) = level.iter().find(|n| n.policy == ANY_POLICY) {
                            let parents = any.parents.clone();
                            level.push(Node {
                                policy: idp,
                                expected: mapped,
                                parents,
                            });
                        }
                    }
                } else {
                    if let Some(level) = levels.get_mut(depth) {
                        level.retain(|n| !issuer_policies.contains(&n.policy));
                    }
                    if !prune_all(levels) {
                        self.levels = None;
                    }
                }
            }
        }
        // (h)
        if !cert.is_self_issued() {
            self.explicit_policy = self.explicit_policy.saturating_sub(1);
            self.policy_mapping = self.policy_mapping.saturating_sub(1);
            self.inhibit_any_policy = self.inhibit_any_policy.saturating_sub(1);
        }
        // (i)
        if let Some((_, pc)) = tbs
            .get_extension::<PolicyConstraints>()
            .map_err(|e| malformed(cert, e))?
        {
            if let Some(r) = pc.require_explicit_policy {
                self.explicit_policy = self.explicit_policy.min(r as usize);
            }
            if let Some(m) = pc.inhibit_policy_mapping {
                self.policy_mapping = self.policy_mapping.min(m as usize);
            }
        }
        // (j)
        if let Some((_, InhibitAnyPolicy(skip))) = tbs
            .get_extension::<InhibitAnyPolicy>()
            .map_err(|e| malformed(cert, e))?
        {
            self.inhibit_any_policy = self.inhibit_any_policy.min(skip as usize);
        }
        Ok(())
    }

    /// RFC 5280 §6.1.5 (a), (b), (g) for the end entity `leaf`: the valid policies
    /// after intersecting with the user's initial set, or the error.
    pub(crate) fn finish(
        mut self,
        leaf: &Certificate,
        initial: &[Oid],
    ) -> Result<Vec<Oid>, TrustError> {
        // (a)
        self.explicit_policy = self.explicit_policy.saturating_sub(1);
        // (b)
        if let Some((_, pc)) = leaf
            .x509()
            .tbs_certificate()
            .get_extension::<PolicyConstraints>()
            .map_err(|e| malformed(leaf, e))?
            && pc.require_explicit_policy == Some(0)
        {
            self.explicit_policy = 0;
        }
        // (g): the user-constrained policy set.
        let user_any = initial.is_empty() || initial.contains(&ANY_POLICY);
        let valid: Vec<Oid> = match &self.levels {
            None => Vec::new(),
            Some(levels) => {
                // State per node: Any (reached only through anyPolicy), Accepted (the
                // first specific policy on some path to it is in the user's set).
                #[derive(Clone, Copy, PartialEq)]
                enum S {
                    Any,
                    Accepted,
                    Rejected,
                }
                let mut prev: Vec<S> = vec![S::Any];
                for level in levels.iter().skip(1) {
                    let cur: Vec<S> = level
                        .iter()
                        .map(|n| {
                            if n.policy == ANY_POLICY {
                                return S::Any;
                            }
                            let from = |s: S| n.parents.iter().any(|p| prev.get(*p) == Some(&s));
                            if from(S::Accepted)
                                || (from(S::Any) && (user_any || initial.contains(&n.policy)))
                            {
                                S::Accepted
                            } else {
                                S::Rejected
                            }
                        })
                        .collect();
                    prev = cur;
                }
                let last = levels.last().map(Vec::as_slice).unwrap_or_default();
                let mut out: Vec<Oid> = last
                    .iter()
                    .zip(&prev)
                    .filter(|(_, s)| **s == S::Accepted)
                    .map(|(n, _)| n.policy)
                    .collect();
                if prev.contains(&S::Any) {
                    if user_any {
                        out.push(ANY_POLICY);
                    } else {
                        out.extend(initial.iter().copied());
                    }
                }
                out.sort();
                out.dedup();
                out
            }
        };
        if self.explicit_policy == 0 && valid.is_empty() {
            return Err(err(
                leaf,
                "no acceptable policy for the path (explicit policy required)",
            ));
        }
        Ok(valid)
    }
}

/// RFC 9618 (d)(3): delete nodes of the levels above the last that have no children,
/// repeatedly. Returns false when the graph became empty (NULL).
fn prune(levels: &mut [Vec<Node>]) -> bool {
    prune_all(levels)
}

fn prune_all(levels: &mut [Vec<Node>]) -> bool {
    for d in (1..levels.len()).rev() {
        let (upper, lower) = levels.split_at_mut(d);
        let (Some(parent_level), Some(child_level)) = (upper.last_mut(), lower.first_mut()) else {
            continue;
        };
        let keep: Vec<bool> = (0..parent_level.len())
            .map(|i| child_level.iter().any(|c| c.parents.contains(&i)))
            .collect();
        // Renumber the parents of the children after deleting childless parents.
        let mut new_index = Vec::with_capacity(keep.len());
        let mut next = 0usize;
        for k in &keep {
            new_index.push(if *k { Some(next) } else { None });
            if *k {
                next += 1;
            }
        }
        for c in child_level.iter_mut() {
            c.parents = c
                .parents
                .iter()
                .filter_map(|p| new_index.get(*p).copied().flatten())
                .collect();
        }
        let mut it = keep.iter();
        parent_level.retain(|_| it.next().copied().unwrap_or(false));
        // Children of this level may now have lost their own children: handled as the
        // loop moves up. Nodes of the last level are never pruned here.
    }
    // Remove last-level nodes that lost all parents (policy mapping deletion).
    if let Some((last, upper)) = levels.split_last_mut()
        && !upper.is_empty()
    {
        last.retain(|n| !n.parents.is_empty());
    }
    levels.first().is_some_and(|l| !l.is_empty()) && levels.last().is_some_and(|l| !l.is_empty())
}
