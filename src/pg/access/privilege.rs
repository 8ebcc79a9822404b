//! Privileges as a small bit set, so that unions and differences over
//! thousands of ACL entries stay cheap.

use std::fmt;

use crate::pg::access::catalog::ObjectKind;
use crate::pg::grants::grant::MAINTAIN_SINCE;

/// One privilege, as `aclexplode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    /// SELECT.
    Select,
    /// INSERT.
    Insert,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
    /// TRUNCATE.
    Truncate,
    /// REFERENCES.
    References,
    /// TRIGGER.
    Trigger,
    /// MAINTAIN (PostgreSQL 17+).
    Maintain,
    /// EXECUTE.
    Execute,
    /// USAGE.
    Usage,
    /// CREATE.
    Create,
    /// CONNECT.
    Connect,
    /// TEMPORARY.
    Temporary,
}

impl Privilege {
    /// Every privilege, in bit order.
    pub const ALL: [Privilege; 13] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
        Privilege::Truncate,
        Privilege::References,
        Privilege::Trigger,
        Privilege::Maintain,
        Privilege::Execute,
        Privilege::Usage,
        Privilege::Create,
        Privilege::Connect,
        Privilege::Temporary,
    ];

    /// The SQL keyword.
    pub fn name(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Maintain => "MAINTAIN",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
            Privilege::Connect => "CONNECT",
            Privilege::Temporary => "TEMPORARY",
        }
    }

    /// Parses a keyword (any case; `TEMP` for TEMPORARY).
    pub fn parse(s: &str) -> Option<Privilege> {
        let up = s.trim().to_ascii_uppercase();
        let up = if up == "TEMP" { "TEMPORARY".into() } else { up };
        Privilege::ALL.into_iter().find(|p| p.name() == up)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of privileges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Privs(u16);

impl Privs {
    /// The empty set.
    pub const NONE: Privs = Privs(0);

    /// Adds one.
    pub fn insert(&mut self, p: Privilege) {
        self.0 |= p.bit();
    }

    /// Whether it holds `p`.
    pub fn contains(self, p: Privilege) -> bool {
        self.0 & p.bit() != 0
    }

    /// Whether it holds nothing.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both together.
    pub fn union(self, other: Privs) -> Privs {
        Privs(self.0 | other.0)
    }

    /// What `self` has and `other` lacks.
    pub fn minus(self, other: Privs) -> Privs {
        Privs(self.0 & !other.0)
    }

    /// What both have.
    pub fn intersect(self, other: Privs) -> Privs {
        Privs(self.0 & other.0)
    }

    /// The privileges, in [`Privilege::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Privilege> {
        Privilege::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// How many.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Every privilege an object of `kind` has on a server of `version_num`
    /// (what `has_*_privilege` accepts for it).
    pub fn all_for(kind: ObjectKind, version_num: i32) -> Privs {
        use Privilege::*;
        let list: &[Privilege] = match kind {
            ObjectKind::Database => &[Create, Connect, Temporary],
            ObjectKind::Schema => &[Create, Usage],
            ObjectKind::Table if version_num >= MAINTAIN_SINCE => &[
                Select, Insert, Update, Delete, Truncate, References, Trigger, Maintain,
            ],
            ObjectKind::Table => &[
                Select, Insert, Update, Delete, Truncate, References, Trigger,
            ],
            ObjectKind::Sequence => &[Usage, Select, Update],
            ObjectKind::Function => &[Execute],
            ObjectKind::Column => &[Select, Insert, Update, References],
        };
        list.iter().copied().collect()
    }
}

impl FromIterator<Privilege> for Privs {
    fn from_iter<I: IntoIterator<Item = Privilege>>(iter: I) -> Self {
        let mut p = Privs::NONE;
        for x in iter {
            p.insert(x);
        }
        p
    }
}

impl fmt::Display for Privs {
    /// `SELECT, INSERT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Privilege::name).collect();
        f.write_str(&names.join(", "))
    }
}
