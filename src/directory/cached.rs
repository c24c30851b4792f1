//! [`Cached`]: remembers a source's answers for a while, found and not found.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Candidate, CertificateDirectory, Lookup, Source};
use crate::address::EmailAddress;

/// How long [`Cached`] keeps answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheOptions {
    /// How long an answer with candidates is kept.
    pub positive_ttl: Duration,
    /// How long "no certificate" is kept (shorter: a colleague may publish one).
    pub negative_ttl: Duration,
    /// At most this many addresses are kept; when full, expired answers are dropped
    /// first, then the oldest answers.
    pub max_entries: usize,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            positive_ttl: Duration::from_secs(15 * 60),
            negative_ttl: Duration::from_secs(60),
            max_entries: 10_000,
        }
    }
}

/// A source wrapped with a cache of positive and negative answers, so a GAL is not
/// asked again for every keystroke. Failures are never cached: the next lookup asks
/// again. Only the addresses not cached are passed on, in one batch.
///
/// ```
/// use smime::directory::{CacheOptions, Cached, CertificateDirectory, MemoryDirectory};
///
/// let cached = Cached::with_options(MemoryDirectory::new("gal"), CacheOptions::default());
/// let nobody: smime::EmailAddress = "nobody@example.org".parse()?;
/// assert!(cached.lookup(std::slice::from_ref(&nobody))[0].candidates().is_empty());
/// # Ok::<(), smime::Error>(())
/// ```
#[derive(Debug)]
pub struct Cached<D> {
    inner: D,
    options: CacheOptions,
    entries: Mutex<HashMap<EmailAddress, (Instant, Vec<Candidate>)>>,
}

impl<D: CertificateDirectory> Cached<D> {
    /// Caches `inner` with [`CacheOptions::default`].
    pub fn new(inner: D) -> Self {
        Cached::with_options(inner, CacheOptions::default())
    }

    /// Caches `inner` with `options`.
    pub fn with_options(inner: D, options: CacheOptions) -> Self {
        Cached {
            inner,
            options,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets every answer.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The wrapped source.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    fn fresh(&self, at: Instant, candidates: &[Candidate], now: Instant) -> bool {
        let ttl = if candidates.is_empty() {
            self.options.negative_ttl
        } else {
            self.options.positive_ttl
        };
        now.saturating_duration_since(at) < ttl
    }
}

impl<D: CertificateDirectory> CertificateDirectory for Cached<D> {
    fn source(&self) -> Source {
        self.inner.source()
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        let now = Instant::now();
        let mut answers: Vec<Option<Lookup>> = Vec::with_capacity(addresses.len());
        let mut misses: Vec<EmailAddress> = Vec::new();
        {
            let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            for address in addresses {
                match entries.get(address) {
                    Some((at, candidates)) if self.fresh(*at, candidates, now) => {
                        let mut answer = Lookup::new(address.clone());
                        for c in candidates {
                            answer.push_candidate(c.clone());
                        }
                        answers.push(Some(answer));
                    }
                    _ => {
                        answers.push(None);
                        if !misses.contains(address) {
                            misses.push(address.clone());
                        }
                    }
                }
            }
        }
        if !misses.is_empty() {
            let replies = self.inner.lookup(&misses);
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if entries.len() + replies.len() > self.options.max_entries {
                entries.retain(|_, (at, c)| self.fresh(*at, c, now));
                let excess =
                    (entries.len() + replies.len()).saturating_sub(self.options.max_entries);
                evict_oldest(&mut entries, excess);
            }
            for reply in &replies {
                if reply.failures().is_empty() {
                    entries.insert(reply.address().clone(), (now, reply.candidates().to_vec()));
                }
            }
            for (slot, address) in answers.iter_mut().zip(addresses) {
                if slot.is_none() {
                    *slot = replies
                        .iter()
                        .find(|r| r.address() == address)
                        .map(|r| r.clone().readdress(address.clone()));
                }
            }
        }
        answers
            .into_iter()
            .zip(addresses)
            .map(|(answer, address)| {
                answer.unwrap_or_else(|| {
                    Lookup::failed(
                        address.clone(),
                        self.inner.source(),
                        crate::error::DirectoryError::Refused {
                            source_name: self.inner.source().to_string(),
                            reason: "the source gave no answer for this address".into(),
                        },
                    )
                })
            })
            .collect()
    }
}

/// Drops the `n` answers that were fetched longest ago.
fn evict_oldest(entries: &mut HashMap<EmailAddress, (Instant, Vec<Candidate>)>, n: usize) {
    if n == 0 {
        return;
    }
    let mut by_age: Vec<(Instant, EmailAddress)> = entries
        .iter()
        .map(|(address, (at, _))| (*at, address.clone()))
        .collect();
    by_age.sort_unstable_by_key(|(at, _)| *at);
    for (_, address) in by_age.into_iter().take(n) {
        entries.remove(&address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::MemoryDirectory;

    fn addr(s: &str) -> EmailAddress {
        s.parse().unwrap()
    }

    /// Counts the addresses the inner source is asked for.
    #[derive(Debug)]
    struct Counting {
        inner: MemoryDirectory,
        asked: Mutex<Vec<EmailAddress>>,
    }

    impl CertificateDirectory for Counting {
        fn source(&self) -> Source {
            self.inner.source()
        }
        fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
            self.asked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(addresses);
            self.inner.lookup(addresses)
        }
    }

    #[test]
    fn a_full_cache_forgets_its_oldest_answers_only() {
        let options = CacheOptions {
            max_entries: 3,
            ..CacheOptions::default()
        };
        let cached = Cached::with_options(
            Counting {
                inner: MemoryDirectory::new("gal"),
                asked: Mutex::new(Vec::new()),
            },
            options,
        );
        for name in ["a", "b", "c", "d"] {
            cached.lookup(&[addr(&format!("{name}@example.org"))]);
            // Distinct fetch times, so "oldest" is well defined.
            std::thread::sleep(Duration::from_millis(2));
        }
        let asked = |c: &Cached<Counting>| c.inner().asked.lock().unwrap().len();
        assert_eq!(asked(&cached), 4);
        // b, c, d are still cached; a was the oldest and was dropped.
        cached.lookup(&[
            addr("b@example.org"),
            addr("c@example.org"),
            addr("d@example.org"),
        ]);
        assert_eq!(asked(&cached), 4);
        cached.lookup(&[addr("a@example.org")]);
        assert_eq!(asked(&cached), 5);
    }
}
