//! What changes between two catalogs for one role: privileges gained and
//! lost, roles whose privileges it starts or stops using, roles it can
//! newly `SET ROLE` to, and powers (SUPERUSER, BYPASSRLS, CREATEROLE, the
//! powerful predefined roles) that become reachable or unreachable.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::pg::access::catalog::{Catalog, ObjectId};
use crate::pg::access::effective::{Access, FutureId, POWERFUL_PREDEFINED};
use crate::pg::access::graph::Chains;
use crate::pg::privileges::Privs;

/// How a power is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum How {
    /// The role has the attribute itself.
    Own,
    /// Its privileges are used automatically (a predefined role).
    Inherited,
    /// Only after `SET ROLE`.
    SetRole,
}

/// A power within reach of a role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Escalation {
    /// `SUPERUSER`, `BYPASSRLS`, `CREATEROLE`, or a predefined role's name.
    pub power: String,
    /// The role that has it.
    pub holder: String,
    /// The chain of memberships to `holder` (empty for [`How::Own`]).
    pub chain: Vec<String>,
    /// How it is reached.
    pub how: How,
}

impl Catalog {
    /// Whether `role` plays no part in anyone's access: it has none of the
    /// powers, no membership either way, and no object, ACL entry or
    /// default privilege names it (an absent role never does). Adding or
    /// dropping such a role changes no one's [`delta`], which is worth
    /// knowing without computing it: that takes a pass over every object.
    pub fn is_inert(&self, role: &str) -> bool {
        self.role(role).is_none_or(|a| !a.has_powers())
            && !self
                .memberships
                .iter()
                .any(|m| m.member == role || m.role == role)
            && !self
                .objects
                .iter()
                .any(|o| o.owner == role || o.acl.iter().any(|e| e.grantee == role))
            && !self
                .default_acls
                .iter()
                .any(|d| d.owner == role || d.acl.iter().any(|e| e.grantee == role))
    }

    /// The powers within reach of a role whose access is `a`.
    pub fn escalations(&self, a: &Access) -> Vec<Escalation> {
        let mut out = Vec::new();
        let attrs = |r: &str| {
            self.role(r).map(|x| {
                [
                    ("SUPERUSER", x.superuser),
                    ("BYPASSRLS", x.bypass_row_level_security),
                    ("CREATEROLE", x.create_role),
                ]
            })
        };
        if let Some(own) = attrs(&a.role) {
            for (power, has) in own {
                if has {
                    out.push(Escalation {
                        power: power.into(),
                        holder: a.role.clone(),
                        chain: Vec::new(),
                        how: How::Own,
                    });
                }
            }
        }
        if a.superuser {
            return out;
        }
        for (r, chain) in &a.can_set {
            if *r == a.role {
                continue;
            }
            for (power, has) in attrs(r).into_iter().flatten() {
                if has {
                    out.push(Escalation {
                        power: power.into(),
                        holder: r.clone(),
                        chain: chain.clone(),
                        how: How::SetRole,
                    });
                }
            }
        }
        for name in POWERFUL_PREDEFINED {
            let (chain, how) = match (a.uses.get(*name), a.can_set.get(*name)) {
                (Some(c), _) => (c, How::Inherited),
                (None, Some(c)) => (c, How::SetRole),
                (None, None) => continue,
            };
            out.push(Escalation {
                power: (*name).into(),
                holder: (*name).into(),
                chain: chain.clone(),
                how,
            });
        }
        out.sort();
        out
    }
}

/// The change of one role's access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    /// The role.
    pub role: String,
    /// Privileges gained, by object.
    pub gained: BTreeMap<ObjectId, Privs>,
    /// Privileges lost, by object.
    pub lost: BTreeMap<ObjectId, Privs>,
    /// Roles whose privileges it starts using, with the chain after.
    pub uses_gained: Chains,
    /// Roles whose privileges it stops using, with the chain before.
    pub uses_lost: Chains,
    /// Roles it can newly SET ROLE to.
    pub set_gained: Chains,
    /// Roles it can no longer SET ROLE to.
    pub set_lost: Chains,
    /// Privileges on future objects gained.
    pub future_gained: BTreeMap<FutureId, Privs>,
    /// Privileges on future objects lost.
    pub future_lost: BTreeMap<FutureId, Privs>,
    /// Powers newly within reach.
    pub powers_gained: Vec<Escalation>,
    /// Powers no longer within reach.
    pub powers_lost: Vec<Escalation>,
}

impl Delta {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.gained.is_empty()
            && self.lost.is_empty()
            && self.uses_gained.is_empty()
            && self.uses_lost.is_empty()
            && self.set_gained.is_empty()
            && self.set_lost.is_empty()
            && self.future_gained.is_empty()
            && self.future_lost.is_empty()
            && self.powers_gained.is_empty()
            && self.powers_lost.is_empty()
    }

    /// Whether anything is gained.
    pub fn gains(&self) -> bool {
        !(self.gained.is_empty()
            && self.uses_gained.is_empty()
            && self.set_gained.is_empty()
            && self.future_gained.is_empty()
            && self.powers_gained.is_empty())
    }

    /// Whether anything is lost.
    pub fn losses(&self) -> bool {
        !(self.lost.is_empty()
            && self.uses_lost.is_empty()
            && self.set_lost.is_empty()
            && self.future_lost.is_empty()
            && self.powers_lost.is_empty())
    }
}

/// When `after` differs from `before` in some objects' ACLs or owners and
/// nothing else (a planned grant), the indexes of those objects: every
/// role's access differs on them alone, so [`delta`] looks at them alone
/// instead of at every object. Objects a change did not touch are still
/// shared between the two copies, which makes telling them apart cheap.
fn changed_objects_only(before: &Catalog, after: &Catalog) -> Option<Vec<usize>> {
    if before.version_num != after.version_num
        || before.database != after.database
        || before.objects.len() != after.objects.len()
        || before.roles != after.roles
        || before.memberships != after.memberships
        || before.default_acls != after.default_acls
    {
        return None;
    }
    let mut changed = Vec::new();
    for (i, (a, b)) in before.objects.iter().zip(&after.objects).enumerate() {
        if Arc::ptr_eq(a, b) {
            continue;
        }
        if a.id != b.id || a.prokind != b.prokind || a.security_definer != b.security_definer {
            return None;
        }
        if a.acl != b.acl || a.owner != b.owner {
            changed.push(i);
        }
    }
    Some(changed)
}

fn privs_of<K: Ord + Clone>(
    m: &BTreeMap<K, crate::pg::access::effective::Routes>,
) -> BTreeMap<K, Privs> {
    m.iter()
        .map(|(k, r)| (k.clone(), r.keys().copied().collect()))
        .collect()
}

fn minus<K: Ord + Clone>(a: &BTreeMap<K, Privs>, b: &BTreeMap<K, Privs>) -> BTreeMap<K, Privs> {
    a.iter()
        .filter_map(|(k, p)| {
            let left = p.minus(b.get(k).copied().unwrap_or_default());
            (!left.is_empty()).then(|| (k.clone(), left))
        })
        .collect()
}

fn chains_minus(a: &Chains, b: &Chains, role: &str) -> Chains {
    a.iter()
        .filter(|(r, _)| r.as_str() != role && !b.contains_key(*r))
        .map(|(r, c)| (r.clone(), c.clone()))
        .collect()
}

fn powers_minus(a: &[Escalation], b: &[Escalation]) -> Vec<Escalation> {
    a.iter()
        .filter(|e| {
            !b.iter()
                .any(|x| x.power == e.power && x.holder == e.holder && x.how == e.how)
        })
        .cloned()
        .collect()
}

/// How `role`'s access differs between `before` and `after`.
pub fn delta(before: &Catalog, after: &Catalog, role: &str) -> Delta {
    let only = changed_objects_only(before, after);
    let (a, b) = (
        before.access_within(role, only.as_deref()),
        after.access_within(role, only.as_deref()),
    );
    let (held_a, held_b) = (privs_of(&a.held), privs_of(&b.held));
    let (fut_a, fut_b) = (privs_of(&a.future), privs_of(&b.future));
    let (pow_a, pow_b) = (before.escalations(&a), after.escalations(&b));
    Delta {
        role: role.to_string(),
        gained: minus(&held_b, &held_a),
        lost: minus(&held_a, &held_b),
        uses_gained: chains_minus(&b.uses, &a.uses, role),
        uses_lost: chains_minus(&a.uses, &b.uses, role),
        set_gained: chains_minus(&b.can_set, &a.can_set, role),
        set_lost: chains_minus(&a.can_set, &b.can_set, role),
        future_gained: minus(&fut_b, &fut_a),
        future_lost: minus(&fut_a, &fut_b),
        powers_gained: powers_minus(&pow_b, &pow_a),
        powers_lost: powers_minus(&pow_a, &pow_b),
    }
}
