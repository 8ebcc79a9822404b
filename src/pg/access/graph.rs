//! The membership graph: whose privileges a role uses, which roles it can
//! `SET ROLE` to, and the reverse, each with the chain of memberships that
//! gets there.
//!
//! The rules are PostgreSQL's `roles_is_member_of`:
//! * PostgreSQL 16 and later: a membership passes privileges on when its
//!   grant has INHERIT TRUE, and allows SET ROLE when it has SET TRUE; a
//!   chain needs the option on every link. Several grants of one pair (one
//!   per grantor) count when any of them has the option.
//! * Before 16: a membership passes privileges on when the *member* has the
//!   INHERIT attribute (checked for each member along the chain), and every
//!   chain allows SET ROLE.
//!
//! Superusers are not special here; [`crate::pg::access::effective`] handles them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::pg::access::catalog::{Catalog, Membership};

/// Role name to the chain of roles leading to it from the start (the
/// start itself excluded, the role itself included; empty for the start).
pub type Chains = BTreeMap<String, Vec<String>>;

/// Which kind of link a walk follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Links that pass privileges on (INHERIT).
    Inherit,
    /// Links that allow SET ROLE.
    Set,
    /// Every link, whatever its options.
    Any,
}

impl Catalog {
    /// Whether this membership passes the granted role's privileges on.
    pub fn inherits(&self, m: &Membership) -> bool {
        if self.per_grant_options() {
            m.inherit
        } else {
            self.role(&m.member).is_none_or(|a| a.inherit)
        }
    }

    /// Whether this membership lets the member SET ROLE to the granted role.
    pub fn allows_set(&self, m: &Membership) -> bool {
        !self.per_grant_options() || m.set
    }

    fn follows(&self, m: &Membership, link: Link) -> bool {
        match link {
            Link::Inherit => self.inherits(m),
            Link::Set => self.allows_set(m),
            Link::Any => true,
        }
    }

    /// Breadth-first from `start`, following links upwards (member to
    /// granted role) or downwards; shortest chains win, ties go to the
    /// alphabetically first, so results are stable.
    fn walk(&self, start: &str, link: Link, upwards: bool) -> Chains {
        let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for m in self.memberships.iter().filter(|m| self.follows(m, link)) {
            let (from, to) = if upwards {
                (&m.member, &m.role)
            } else {
                (&m.role, &m.member)
            };
            next.entry(from.as_str()).or_default().insert(to.as_str());
        }
        let mut out = Chains::new();
        out.insert(start.to_string(), Vec::new());
        let mut queue = VecDeque::from([start.to_string()]);
        while let Some(at) = queue.pop_front() {
            let chain = out.get(&at).cloned().unwrap_or_default();
            for to in next.get(at.as_str()).into_iter().flatten() {
                if out.contains_key(*to) {
                    continue;
                }
                let mut c = chain.clone();
                c.push((*to).to_string());
                out.insert((*to).to_string(), c);
                queue.push_back((*to).to_string());
            }
        }
        out
    }

    /// The roles whose privileges `role` uses without SET ROLE: itself
    /// (with an empty chain) and every role reached through inheriting
    /// memberships.
    pub fn privilege_roles(&self, role: &str) -> Chains {
        self.walk(role, Link::Inherit, true)
    }

    /// The roles `role` can `SET ROLE` to (itself included), not counting
    /// what a superuser can do.
    pub fn settable_roles(&self, role: &str) -> Chains {
        self.walk(role, Link::Set, true)
    }

    /// The roles that use `role`'s privileges (itself included); each chain
    /// runs from `role` down to that member.
    pub fn inheriting_members(&self, role: &str) -> Chains {
        self.walk(role, Link::Inherit, false)
    }

    /// The roles that can SET ROLE to `role` (itself included).
    pub fn setting_members(&self, role: &str) -> Chains {
        self.walk(role, Link::Set, false)
    }

    /// Every role `role` is a member of, directly or not, whatever the
    /// options: `pg_has_role(..., 'MEMBER')` as PostgreSQL 15 answered it.
    pub fn all_memberships(&self, role: &str) -> Chains {
        self.walk(role, Link::Any, true)
    }
}
