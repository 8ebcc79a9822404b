//! The privilege table: every privilege with its SQL keyword, ACL letter
//! and the server version that brought it; which privileges each
//! [`ObjectKind`] has (what `ALL` means there) and which PUBLIC gets by
//! default; and [`Privs`], a small bit set of them, so that unions and
//! differences over thousands of ACL entries stay cheap.
//!
//! Statements and states spell privileges as text (`SELECT`), sorted by
//! name; reports and the access model use [`Privilege`] and [`Privs`],
//! listed in [`Privilege::ALL`] order. Both come from this one table.

use std::collections::BTreeSet;
use std::fmt;

use crate::pg::kinds::ObjectKind;

/// First server version (`server_version_num`) with the MAINTAIN privilege.
pub const MAINTAIN_SINCE: i32 = 170_000;

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
        let canon = normalize_privilege(s);
        Privilege::ALL.into_iter().find(|p| p.name() == canon)
    }

    /// The letter `aclitem` text uses (`r` for SELECT, `a` for INSERT, ...).
    pub fn acl_letter(self) -> char {
        match self {
            Privilege::Insert => 'a',
            Privilege::Select => 'r',
            Privilege::Update => 'w',
            Privilege::Delete => 'd',
            Privilege::Truncate => 'D',
            Privilege::References => 'x',
            Privilege::Trigger => 't',
            Privilege::Execute => 'X',
            Privilege::Usage => 'U',
            Privilege::Create => 'C',
            Privilege::Temporary => 'T',
            Privilege::Connect => 'c',
            Privilege::Maintain => 'm',
        }
    }

    /// The privilege an `aclitem` letter stands for; `None` for letters of
    /// privileges the provider does not model (`s` SET and `A` ALTER SYSTEM,
    /// which are about parameters).
    pub fn from_acl_letter(c: char) -> Option<Privilege> {
        Privilege::ALL.into_iter().find(|p| p.acl_letter() == c)
    }

    /// Its bit in PostgreSQL's own `AclMode`, the order `aclexplode` and
    /// `aclitem` text list privileges in (`arwdDxtXUCTcsAm`).
    pub fn acl_bit(self) -> u8 {
        match self {
            Privilege::Insert => 0,
            Privilege::Select => 1,
            Privilege::Update => 2,
            Privilege::Delete => 3,
            Privilege::Truncate => 4,
            Privilege::References => 5,
            Privilege::Trigger => 6,
            Privilege::Execute => 7,
            Privilege::Usage => 8,
            Privilege::Create => 9,
            Privilege::Temporary => 10,
            Privilege::Connect => 11,
            Privilege::Maintain => 14,
        }
    }

    /// The first server version (`server_version_num`) that has it; `None`
    /// for privileges every supported version has.
    pub fn since(self) -> Option<i32> {
        match self {
            Privilege::Maintain => Some(MAINTAIN_SINCE),
            _ => None,
        }
    }

    /// Whether a server of `version_num` has it; `None` means the newest.
    pub fn exists_in(self, version_num: Option<i32>) -> bool {
        match (self.since(), version_num) {
            (Some(since), Some(v)) => v >= since,
            _ => true,
        }
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

impl ObjectKind {
    /// Every privilege of the kind, on the newest server, in the order
    /// PostgreSQL's GRANT page and the provider's messages list them.
    fn all_privileges(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            ObjectKind::Database => &[Create, Connect, Temporary],
            ObjectKind::Schema => &[Create, Usage],
            ObjectKind::Table => &[
                Select, Insert, Update, Delete, Truncate, References, Trigger, Maintain,
            ],
            ObjectKind::Sequence => &[Usage, Select, Update],
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => &[Execute],
            ObjectKind::Type | ObjectKind::ForeignDataWrapper | ObjectKind::ForeignServer => {
                &[Usage]
            }
            ObjectKind::Column => &[Select, Insert, Update, References],
        }
    }

    /// Every privilege the kind has on a server of `version_num` (what
    /// `ALL` means there, and what `has_*_privilege` accepts for it); `None`
    /// for the version means the newest.
    pub fn privileges(self, version_num: Option<i32>) -> impl Iterator<Item = Privilege> {
        self.all_privileges()
            .iter()
            .copied()
            .filter(move |p| p.exists_in(version_num))
    }

    /// [`ObjectKind::privileges`] as SQL keywords.
    pub fn privilege_names(self, version_num: Option<i32>) -> Vec<&'static str> {
        self.privileges(version_num).map(Privilege::name).collect()
    }

    /// What PUBLIC holds on a new object of the kind by default
    /// (`acldefault`): CONNECT and TEMPORARY on databases, EXECUTE on
    /// routines, USAGE on types; nothing elsewhere.
    pub fn public_default(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            ObjectKind::Database => &[Temporary, Connect],
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => &[Execute],
            ObjectKind::Type => &[Usage],
            _ => &[],
        }
    }
}

/// Canonical spelling of a privilege: upper case, `TEMP` as `TEMPORARY`.
pub fn normalize_privilege(p: &str) -> String {
    let up = p.trim().to_ascii_uppercase();
    if up == "TEMP" {
        "TEMPORARY".to_string()
    } else {
        up
    }
}

/// Whether a canonical privilege is `ALL` (`ALL PRIVILEGES`).
pub fn is_all(canonical: &str) -> bool {
    canonical == "ALL" || canonical == "ALL PRIVILEGES"
}

/// Canonical privileges, with `ALL` expanded to every privilege of `kind`
/// on a server of `version_num` (`None`: the newest). Names that are no
/// privilege are kept as written, for validation to name.
pub fn expand_privileges<S: AsRef<str>>(
    privileges: &[S],
    kind: ObjectKind,
    version_num: Option<i32>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in privileges {
        let p = normalize_privilege(p.as_ref());
        if is_all(&p) {
            out.extend(kind.privileges(version_num).map(|p| p.name().to_string()));
        } else {
            out.insert(p);
        }
    }
    out
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
    /// (see [`ObjectKind::privileges`]).
    pub fn all_for(kind: ObjectKind, version_num: i32) -> Privs {
        kind.privileges(Some(version_num)).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: ObjectKind, version_num: Option<i32>) -> Vec<&'static str> {
        kind.privilege_names(version_num)
    }

    #[test]
    fn each_kind_has_its_privileges() {
        use ObjectKind as K;
        let table = [
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
            "MAINTAIN",
        ];
        assert_eq!(names(K::Database, None), ["CREATE", "CONNECT", "TEMPORARY"]);
        assert_eq!(names(K::Schema, None), ["CREATE", "USAGE"]);
        assert_eq!(names(K::Table, None), table);
        assert_eq!(names(K::Sequence, None), ["USAGE", "SELECT", "UPDATE"]);
        for k in [K::Function, K::Procedure, K::Routine] {
            assert_eq!(names(k, None), ["EXECUTE"]);
        }
        for k in [K::Type, K::ForeignDataWrapper, K::ForeignServer] {
            assert_eq!(names(k, None), ["USAGE"]);
        }
        assert_eq!(
            names(K::Column, None),
            ["SELECT", "INSERT", "UPDATE", "REFERENCES"]
        );
        for k in ObjectKind::ALL {
            assert_eq!(Privs::all_for(k, 170_000).len(), names(k, None).len());
        }
    }

    #[test]
    fn maintain_comes_with_17() {
        assert!(!names(ObjectKind::Table, Some(160_004)).contains(&"MAINTAIN"));
        assert!(names(ObjectKind::Table, Some(170_000)).contains(&"MAINTAIN"));
        assert!(names(ObjectKind::Table, None).contains(&"MAINTAIN"));
        assert_eq!(Privs::all_for(ObjectKind::Table, 150_000).len(), 7);
        assert!(Privs::all_for(ObjectKind::Table, 170_002).contains(Privilege::Maintain));
        assert_eq!(Privilege::Maintain.since(), Some(MAINTAIN_SINCE));
        // Only MAINTAIN is gated; every other privilege is in every version.
        for p in Privilege::ALL {
            assert_eq!(p.exists_in(Some(90_600)), p != Privilege::Maintain, "{p}");
        }
        // Nothing but tables has it (pg_maintain is about relations too).
        for k in ObjectKind::ALL {
            let has = k.privileges(None).any(|p| p == Privilege::Maintain);
            assert_eq!(has, k == ObjectKind::Table, "{k:?}");
        }
    }

    #[test]
    fn acl_letters_round_trip() {
        for p in Privilege::ALL {
            assert_eq!(Privilege::from_acl_letter(p.acl_letter()), Some(p), "{p}");
        }
        // PostgreSQL's ACL_ALL_RIGHTS_STR, one letter per AclMode bit.
        let rights: Vec<char> = "arwdDxtXUCTcsAm".chars().collect();
        for p in Privilege::ALL {
            assert_eq!(rights[usize::from(p.acl_bit())], p.acl_letter(), "{p}");
        }
        assert_eq!(Privilege::from_acl_letter('s'), None);
        assert_eq!(Privilege::from_acl_letter('A'), None);
        assert_eq!(Privilege::from_acl_letter('R'), None);
    }

    #[test]
    fn names_parse_and_expand() {
        for p in Privilege::ALL {
            assert_eq!(Privilege::parse(&p.name().to_lowercase()), Some(p));
        }
        assert_eq!(Privilege::parse(" temp "), Some(Privilege::Temporary));
        assert_eq!(Privilege::parse("ALL"), None);
        let set =
            |items: &[&str]| -> BTreeSet<String> { items.iter().map(|s| s.to_string()).collect() };
        assert_eq!(
            expand_privileges(&["all"], ObjectKind::Sequence, Some(150_000)),
            set(&["SELECT", "UPDATE", "USAGE"])
        );
        assert_eq!(
            expand_privileges(&["temp", "Connect"], ObjectKind::Database, None),
            set(&["CONNECT", "TEMPORARY"])
        );
        assert_eq!(
            expand_privileges(&["ALL PRIVILEGES"], ObjectKind::Schema, None),
            set(&["CREATE", "USAGE"])
        );
        assert_eq!(
            expand_privileges(&["bogus"], ObjectKind::Type, None),
            set(&["BOGUS"])
        );
    }

    #[test]
    fn privs_list_in_bit_order() {
        let p: Privs = [Privilege::Usage, Privilege::Select].into_iter().collect();
        assert_eq!(p.to_string(), "SELECT, USAGE");
        assert_eq!(
            p.minus(Privs::all_for(ObjectKind::Schema, 150_000)).len(),
            1
        );
        assert!(Privs::NONE.is_empty());
    }
}
