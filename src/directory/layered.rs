//! [`Layered`]: several sources asked in a configured order.

use super::{CertificateDirectory, Lookup, Source, SourceKind};
use crate::address::EmailAddress;

/// How [`Layered`] combines its sources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// Ask every source for every address ("always"); candidates are merged in source
    /// order, duplicates (same fingerprint) kept once with the first source.
    AskAll,
    /// Ask the next source only for the addresses that have no candidate yet ("on
    /// miss"): a user's installed certificate answers without a GAL round trip. A
    /// failed source counts as a miss, so the next source is still asked, and the
    /// failure stays in the answer.
    #[default]
    FirstHit,
}

/// Several sources in order (the usual one: installed, contacts, GAL), each asked in
/// one batch per lookup.
///
/// ```
/// # mod sample { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/mod.rs")); }
/// use smime::directory::{
///     CertificateDirectory, CertificateStoreWrite, Layered, MemoryDirectory, Strategy,
/// };
/// use smime::Certificate;
///
/// let alice = Certificate::from_pem(sample::ALICE_CERT_PEM.as_bytes())?;
/// let installed = MemoryDirectory::new("installed");
/// let gal = MemoryDirectory::new("gal");
/// installed.install(&alice, &Default::default())?;
/// gal.install(&alice, &Default::default())?;
///
/// let first_hit = Layered::new(vec![
///     Box::new(installed) as Box<dyn CertificateDirectory>,
///     Box::new(gal),
/// ]);
/// let answer = &first_hit.lookup(alice.email_addresses())[0];
/// assert_eq!(answer.candidates().len(), 1);
/// assert_eq!(answer.candidates()[0].source().name(), "installed");
///
/// let ask_all = first_hit.with_strategy(Strategy::AskAll);
/// assert_eq!(ask_all.strategy(), Strategy::AskAll);
/// # Ok::<(), smime::Error>(())
/// ```
pub struct Layered {
    sources: Vec<Box<dyn CertificateDirectory>>,
    strategy: Strategy,
}

impl Layered {
    /// Sources asked in the order given, with [`Strategy::FirstHit`].
    pub fn new(sources: Vec<Box<dyn CertificateDirectory>>) -> Self {
        Layered {
            sources,
            strategy: Strategy::default(),
        }
    }

    /// The same sources with another strategy.
    pub fn with_strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Adds a source after the others.
    pub fn push(&mut self, source: Box<dyn CertificateDirectory>) {
        self.sources.push(source);
    }

    /// The strategy in use.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The sources, in order.
    pub fn sources(&self) -> impl Iterator<Item = Source> + '_ {
        self.sources.iter().map(|s| s.source())
    }
}

impl std::fmt::Debug for Layered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layered")
            .field("sources", &self.sources().collect::<Vec<_>>())
            .field("strategy", &self.strategy)
            .finish()
    }
}

impl CertificateDirectory for Layered {
    fn source(&self) -> Source {
        let names: Vec<String> = self.sources().map(|s| s.to_string()).collect();
        Source::new(
            SourceKind::Memory,
            format!("layered [{}]", names.join(", ")),
        )
    }

    fn lookup(&self, addresses: &[EmailAddress]) -> Vec<Lookup> {
        let mut answers: Vec<Lookup> = addresses.iter().cloned().map(Lookup::new).collect();
        for source in &self.sources {
            // Which answers this source is asked for.
            let pending: Vec<usize> = (0..answers.len())
                .filter(|&i| {
                    self.strategy == Strategy::AskAll
                        || answers.get(i).is_some_and(|a| a.candidates().is_empty())
                })
                .collect();
            if pending.is_empty() {
                break;
            }
            let asked: Vec<EmailAddress> = pending
                .iter()
                .filter_map(|&i| answers.get(i).map(|a| a.address().clone()))
                .collect();
            let mut replies = source.lookup(&asked).into_iter();
            for &i in &pending {
                let Some(answer) = answers.get_mut(i) else {
                    continue;
                };
                match replies.next() {
                    Some(reply) => {
                        for note in reply.notes() {
                            answer.push_note(note.clone());
                        }
                        let (_, candidates, failures) = reply.into_parts();
                        for c in candidates {
                            answer.push_candidate(c);
                        }
                        for f in failures {
                            answer.push_failure(f);
                        }
                    }
                    // A source that answers fewer addresses than asked broke the
                    // trait's contract; say so rather than report "nothing found".
                    None => answer.push_failure(super::LookupFailed {
                        source: source.source(),
                        error: crate::error::DirectoryError::Refused {
                            source_name: source.source().to_string(),
                            reason: "the source gave no answer for this address".into(),
                        },
                    }),
                }
            }
        }
        answers
    }
}
