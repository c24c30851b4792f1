//! The recipients of a message being written, by header field (To, Cc, Bcc) and the
//! sender's own copy.

use std::fmt;

use crate::address::EmailAddress;

/// Which header field a recipient is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// To.
    To,
    /// Cc.
    Cc,
    /// Bcc: never revealed to the other recipients.
    Bcc,
    /// The sender (encrypt-to-self, so the Sent copy stays readable).
    Sender,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::To => "to",
            Role::Cc => "cc",
            Role::Bcc => "bcc",
            Role::Sender => "self",
        })
    }
}

/// The recipients of a message by role, in the order they were added; an address
/// appears once (the first role it was added with).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    entries: Vec<(EmailAddress, Role)>,
}

impl Recipients {
    /// No recipients.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `address` as `role` (ignored if already present). Returns whether it was
    /// added.
    pub fn add(&mut self, address: EmailAddress, role: Role) -> bool {
        if self.contains(&address) {
            return false;
        }
        self.entries.push((address, role));
        true
    }

    /// Builder form of [`add`](Self::add) for To.
    pub fn to(mut self, address: EmailAddress) -> Self {
        self.add(address, Role::To);
        self
    }

    /// Builder form of [`add`](Self::add) for Cc.
    pub fn cc(mut self, address: EmailAddress) -> Self {
        self.add(address, Role::Cc);
        self
    }

    /// Builder form of [`add`](Self::add) for Bcc.
    pub fn bcc(mut self, address: EmailAddress) -> Self {
        self.add(address, Role::Bcc);
        self
    }

    /// Removes `address`; returns whether it was there.
    pub fn remove(&mut self, address: &EmailAddress) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(a, _)| a != address);
        before != self.entries.len()
    }

    /// Whether `address` is a recipient.
    pub fn contains(&self, address: &EmailAddress) -> bool {
        self.entries.iter().any(|(a, _)| a == address)
    }

    /// Every recipient with its role.
    pub fn iter(&self) -> impl Iterator<Item = (&EmailAddress, Role)> {
        self.entries.iter().map(|(a, r)| (a, *r))
    }

    /// The number of recipients.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
