//! Effective access: every privilege a role can use without `SET ROLE`,
//! with the route it comes by, as `has_*_privilege` would answer.
//!
//! PostgreSQL's `aclmask` grants a privilege when an ACL entry for PUBLIC,
//! the role, or any role whose privileges it uses (see [`crate::pg::access::graph`])
//! holds it. On top of that, superusers pass every check, and the
//! predefined roles `pg_read_all_data`, `pg_write_all_data` and (from 17)
//! `pg_maintain` grant their privileges on every relation and schema. A
//! NULL ACL is already the owner's defaults in the catalog model, so
//! ownership needs no rule of its own.

use std::collections::BTreeMap;
use std::fmt;

use crate::pg::access::catalog::{Catalog, Object, ObjectId, PUBLIC};
use crate::pg::access::graph::Chains;
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::{Privilege, Privs, MAINTAIN_SINCE};

/// Predefined roles that amount to an escalation when a role can use them.
pub const POWERFUL_PREDEFINED: &[&str] = &[
    "pg_read_all_data",
    "pg_write_all_data",
    "pg_execute_server_program",
    "pg_read_server_files",
    "pg_write_server_files",
];

/// How a role holds a privilege. Order is preference: the first found of
/// the lowest kind is the one reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// An ACL entry of a role it uses: the chain of memberships from the
    /// role to the grantee, empty when granted to the role itself.
    Role(Vec<String>),
    /// An entry for PUBLIC.
    Public,
    /// A predefined role (`pg_read_all_data`, ...) it uses, by this chain.
    Predefined(Vec<String>),
    /// The role is a superuser.
    Superuser,
}

impl Via {
    fn rank(&self) -> (u8, usize) {
        match self {
            Via::Role(c) => (0, c.len()),
            Via::Public => (1, 0),
            Via::Predefined(c) => (2, c.len()),
            Via::Superuser => (3, 0),
        }
    }

    /// The role whose entry or power gives the privilege: `None` for the
    /// role itself (or a superuser), `public` for PUBLIC.
    pub fn holder(&self) -> Option<&str> {
        match self {
            Via::Role(c) | Via::Predefined(c) => c.last().map(String::as_str),
            Via::Public => Some(PUBLIC),
            Via::Superuser => None,
        }
    }

    /// The chain of memberships, empty when none is involved.
    pub fn chain(&self) -> &[String] {
        match self {
            Via::Role(c) | Via::Predefined(c) => c,
            _ => &[],
        }
    }

    /// One word for the kind: `direct`, `membership`, `public`,
    /// `predefined` or `superuser`.
    pub fn source(&self) -> &'static str {
        match self {
            Via::Role(c) if c.is_empty() => "direct",
            Via::Role(_) => "membership",
            Via::Public => "public",
            Via::Predefined(_) => "predefined",
            Via::Superuser => "superuser",
        }
    }
}

/// `a → b → c`.
pub fn chain_text(chain: &[String]) -> String {
    chain.join(" → ")
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Role(c) if c.is_empty() => f.write_str("granted directly"),
            Via::Role(c) | Via::Predefined(c) => write!(f, "through {}", chain_text(c)),
            Via::Public => f.write_str("through PUBLIC"),
            Via::Superuser => f.write_str("as superuser"),
        }
    }
}

/// Future objects one default ACL entry covers. Ordered by owner, schema,
/// then kind with tables first (see [`FutureId::kind_rank`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FutureId {
    /// The role that will create them.
    pub owner: String,
    /// Their schema; `None` for anywhere in the database.
    pub schema: Option<String>,
    /// Their kind (as `pg_default_acl` has it: routines are functions).
    pub kind: ObjectKind,
}

impl FutureId {
    /// Reports list default privileges on tables, sequences, functions,
    /// types, then schemas: most readers look for tables.
    const KIND_ORDER: [ObjectKind; 5] = [
        ObjectKind::Table,
        ObjectKind::Sequence,
        ObjectKind::Function,
        ObjectKind::Type,
        ObjectKind::Schema,
    ];

    /// The kind's place in [`FutureId::KIND_ORDER`]; other kinds after
    /// those, in their own order, so that the order agrees with `Eq`.
    fn kind_rank(&self) -> usize {
        FutureId::KIND_ORDER
            .iter()
            .position(|k| *k == self.kind)
            .unwrap_or(FutureId::KIND_ORDER.len() + self.kind as usize)
    }
}

impl Ord for FutureId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.owner, &self.schema, self.kind_rank()).cmp(&(
            &other.owner,
            &other.schema,
            other.kind_rank(),
        ))
    }
}

impl PartialOrd for FutureId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for FutureId {
    /// `tables app_owner creates in app`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} creates", self.kind.plural(), self.owner)?;
        match &self.schema {
            Some(s) => write!(f, " in {s}"),
            None => f.write_str(" anywhere"),
        }
    }
}

/// Privileges by kind of privilege, each with the route it comes by.
pub type Routes = BTreeMap<Privilege, Via>;

/// What one role can use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// The role.
    pub role: String,
    /// SUPERUSER: every check passes.
    pub superuser: bool,
    /// Roles whose privileges it uses (itself included).
    pub uses: Chains,
    /// Roles it can SET ROLE to (itself included; every role for a
    /// superuser).
    pub can_set: Chains,
    /// Privileges on existing objects.
    pub held: BTreeMap<ObjectId, Routes>,
    /// Privileges on objects created later (explicit default ACLs only).
    pub future: BTreeMap<FutureId, Routes>,
}

impl Access {
    /// The privileges held on one object.
    pub fn privs_on(&self, id: &ObjectId) -> Privs {
        self.held
            .get(id)
            .map(|r| r.keys().copied().collect())
            .unwrap_or_default()
    }
}

fn offer(routes: &mut Routes, p: Privilege, via: &Via) {
    match routes.get(&p) {
        Some(have) if have.rank() <= via.rank() => {}
        _ => {
            routes.insert(p, via.clone());
        }
    }
}

/// What a predefined role grants on an object of `kind`.
fn predefined_grants(role: &str, kind: ObjectKind, version_num: i32) -> Privs {
    use Privilege::*;
    let list: &[Privilege] = match (role, kind) {
        ("pg_read_all_data", ObjectKind::Table | ObjectKind::Sequence) => &[Select],
        ("pg_read_all_data" | "pg_write_all_data", ObjectKind::Schema) => &[Usage],
        ("pg_write_all_data", ObjectKind::Table) => &[Insert, Update, Delete],
        ("pg_write_all_data", ObjectKind::Sequence) => &[Update],
        ("pg_maintain", ObjectKind::Table) if version_num >= MAINTAIN_SINCE => &[Maintain],
        _ => &[],
    };
    list.iter().copied().collect()
}

const DATA_ROLES: [&str; 3] = ["pg_read_all_data", "pg_write_all_data", "pg_maintain"];

impl Catalog {
    /// Everything `role` can use ([`PUBLIC`] for what every role gets).
    /// A role the catalog does not know is taken as a plain role with
    /// `CREATE ROLE`'s defaults.
    pub fn access(&self, role: &str) -> Access {
        self.access_within(role, None)
    }

    /// [`Catalog::access`], with `held` limited to the objects at the
    /// indexes `only` gives (all of them for `None`): enough to compare two
    /// catalogs that differ in those objects alone.
    pub(super) fn access_within(&self, role: &str, only: Option<&[usize]>) -> Access {
        let public = role == PUBLIC;
        let superuser = self.role(role).is_some_and(|a| a.superuser);
        let uses = if public {
            Chains::from([(PUBLIC.to_string(), Vec::new())])
        } else {
            self.privilege_roles(role)
        };
        let can_set = if public {
            Chains::new()
        } else if superuser {
            self.roles
                .keys()
                .map(|r| (r.clone(), if r == role { vec![] } else { vec![r.clone()] }))
                .collect()
        } else {
            self.settable_roles(role)
        };
        let mut access = Access {
            role: role.to_string(),
            superuser,
            uses,
            can_set,
            ..Access::default()
        };
        let objects: Box<dyn Iterator<Item = &Object> + '_> = match only {
            Some(ix) => Box::new(ix.iter().filter_map(|i| self.objects.get(*i)).map(|o| &**o)),
            None => Box::new(self.objects.iter().map(|o| &**o)),
        };
        for o in objects {
            let mut routes = Routes::new();
            if superuser {
                for p in Privs::all_for(o.id.kind, self.version_num).iter() {
                    routes.insert(p, Via::Superuser);
                }
            } else {
                for e in &o.acl {
                    if let Some(via) = self.entry_route(&access.uses, &e.grantee) {
                        for p in e.privs.iter() {
                            offer(&mut routes, p, &via);
                        }
                    }
                }
                for name in DATA_ROLES {
                    if let Some(chain) = access.uses.get(name) {
                        let via = Via::Predefined(chain.clone());
                        for p in predefined_grants(name, o.id.kind, self.version_num).iter() {
                            offer(&mut routes, p, &via);
                        }
                    }
                }
            }
            if !routes.is_empty() {
                access.held.insert(o.id.clone(), routes);
            }
        }
        if !superuser {
            for d in &self.default_acls {
                let mut routes = Routes::new();
                for e in &d.acl {
                    if let Some(via) = self.entry_route(&access.uses, &e.grantee) {
                        for p in e.privs.iter() {
                            offer(&mut routes, p, &via);
                        }
                    }
                }
                if !routes.is_empty() {
                    let id = FutureId {
                        owner: d.owner.clone(),
                        schema: d.schema.clone(),
                        kind: d.kind,
                    };
                    let slot = access.future.entry(id).or_default();
                    for (p, via) in routes {
                        offer(slot, p, &via);
                    }
                }
            }
        }
        access
    }

    /// How an ACL entry for `grantee` reaches a role using `uses`.
    fn entry_route(&self, uses: &Chains, grantee: &str) -> Option<Via> {
        if grantee == PUBLIC {
            Some(Via::Public)
        } else {
            uses.get(grantee).map(|c| Via::Role(c.clone()))
        }
    }

    /// The privileges `role` can use on one object, without computing the
    /// rest of its access.
    pub fn privileges_on(&self, role: &str, id: &ObjectId) -> Privs {
        let found = self.objects.binary_search_by(|o| o.id.cmp(id)).ok();
        let Some(o) = found.and_then(|i| self.objects.get(i)) else {
            return Privs::NONE;
        };
        if self.role(role).is_some_and(|a| a.superuser) {
            return Privs::all_for(id.kind, self.version_num);
        }
        let uses = self.privilege_roles(role);
        let mut out = Privs::NONE;
        for e in &o.acl {
            if e.grantee == PUBLIC || uses.contains_key(&e.grantee) {
                out = out.union(e.privs);
            }
        }
        for name in DATA_ROLES {
            if uses.contains_key(name) {
                out = out.union(predefined_grants(name, id.kind, self.version_num));
            }
        }
        out
    }

    /// Whether a role sees every row of a table with row-level security
    /// owned by `owner`: a superuser, a BYPASSRLS role, or (unless FORCE is
    /// on) a role that uses the owner's privileges.
    pub fn bypasses_rls(&self, role: &str, owner: &str, forced: bool) -> bool {
        if self
            .role(role)
            .is_some_and(|a| a.superuser || a.bypass_row_level_security)
        {
            return true;
        }
        !forced && self.privilege_roles(role).contains_key(owner)
    }

    /// Whether PUBLIC can execute a function `owner` creates in `schema`
    /// now: the built-in default (yes) unless the database-wide default ACL
    /// of `owner` says otherwise, plus whatever the schema's entry adds.
    pub fn public_executes_new_functions(&self, owner: &str, schema: &str) -> bool {
        let entry = |s: Option<&str>| {
            self.default_acls.iter().find(|d| {
                d.owner == owner && d.kind == ObjectKind::Function && d.schema.as_deref() == s
            })
        };
        let public_execute = |d: &crate::pg::access::catalog::DefaultAcl| {
            d.acl
                .iter()
                .any(|e| e.grantee == PUBLIC && e.privs.contains(Privilege::Execute))
        };
        entry(None).is_none_or(public_execute) || entry(Some(schema)).is_some_and(public_execute)
    }
}
