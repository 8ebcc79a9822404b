//! Planned changes applied to a copy of the catalog, each the way the
//! provider's own statements would change the real one, so that
//! [`crate::pg::access::diff::delta`] can compare before and after.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use crate::pg::access::catalog::{AclEntry, Catalog, DefaultAcl, Membership};
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::Privs;
use crate::pg::roles::attributes::RoleFlags;

/// The options of a planned membership grant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrantOptions {
    /// WITH ADMIN.
    pub admin: bool,
    /// WITH INHERIT; `None` for the server's default (the member's INHERIT
    /// attribute).
    pub inherit: Option<bool>,
    /// WITH SET; `None` for the default (true).
    pub set: Option<bool>,
}

/// The objects a privilege change covers, as `postgresql_grant` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The kind.
    pub kind: ObjectKind,
    /// For functions: the `prokind`s covered (functions, procedures or
    /// both); ignored otherwise.
    pub prokinds: &'static [char],
    /// The schema (the schema itself for schemas; empty for databases).
    pub schema: String,
    /// The objects; empty means every one of the kind in the schema. For
    /// columns, the table. Functions by bare name (every overload) or
    /// `name(argument types)`.
    pub names: Vec<String>,
    /// The columns, for [`ObjectKind::Column`].
    pub columns: Vec<String>,
}

/// Argument types compared loosely: lower case, no spaces.
fn loose(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How one function entry of a scope is matched.
enum FunctionName {
    /// A signature one catalog function has exactly (compared loosely).
    Exact(String),
    /// A bare name, or a signature written with type spellings only the
    /// server resolves (`int4` for `integer`): every overload of the name.
    Bare(String),
}

impl Scope {
    /// The function entries, resolved against the catalog.
    fn function_names(&self, catalog: &Catalog) -> Vec<FunctionName> {
        self.names
            .iter()
            .map(|n| match n.find('(') {
                Some(i) => {
                    let sig = loose(n);
                    let exists = catalog.objects
                        [catalog.run_of(ObjectKind::Function, Some(&self.schema), None)]
                    .iter()
                    .any(|o| loose(&o.id.name) == sig);
                    if exists {
                        FunctionName::Exact(sig)
                    } else {
                        FunctionName::Bare(n[..i].trim().to_string())
                    }
                }
                None => FunctionName::Bare(n.clone()),
            })
            .collect()
    }

    /// Whether an object is in scope (`functions`: see [`Scope::function_names`]).
    fn covers(&self, o: &crate::pg::access::catalog::Object, functions: &[FunctionName]) -> bool {
        let id = &o.id;
        match self.kind {
            ObjectKind::Database => {
                id.kind == ObjectKind::Database && self.names.contains(&id.name)
            }
            ObjectKind::Schema => id.kind == ObjectKind::Schema && id.name == self.schema,
            ObjectKind::Column => {
                id.kind == ObjectKind::Column
                    && id.schema == self.schema
                    && self.names.first() == Some(&id.name)
                    && id.column.as_ref().is_some_and(|c| self.columns.contains(c))
            }
            ObjectKind::Function => {
                id.kind == ObjectKind::Function
                    && id.schema == self.schema
                    && o.prokind.is_some_and(|k| self.prokinds.contains(&k))
                    && (functions.is_empty()
                        || functions.iter().any(|f| match f {
                            FunctionName::Exact(sig) => loose(&id.name) == *sig,
                            FunctionName::Bare(name) => o.bare_name() == name,
                        }))
            }
            kind => {
                id.kind == kind
                    && id.schema == self.schema
                    && (self.names.is_empty() || self.names.contains(&id.name))
            }
        }
    }

    /// The runs of [`Catalog::objects`] that hold every object the scope
    /// covers ([`Scope::covers`] still decides, object by object): the
    /// listed objects' own runs when it lists any, otherwise the kind's in
    /// the schema. Databases and schemas are matched by name alone, so
    /// their whole kind is looked at; there are few of them.
    fn runs(&self, catalog: &Catalog) -> Vec<Range<usize>> {
        let schema = Some(self.schema.as_str());
        match self.kind {
            ObjectKind::Database | ObjectKind::Schema => {
                vec![catalog.run_of(self.kind, None, None)]
            }
            ObjectKind::Column => {
                vec![catalog.run_of(self.kind, schema, self.names.first().map(String::as_str))]
            }
            ObjectKind::Function => vec![catalog.run_of(self.kind, schema, None)],
            _ if self.names.is_empty() => vec![catalog.run_of(self.kind, schema, None)],
            _ => {
                let names: BTreeSet<&str> = self.names.iter().map(String::as_str).collect();
                names
                    .into_iter()
                    .map(|n| catalog.run_of(self.kind, schema, Some(n)))
                    .collect()
            }
        }
    }
}

impl Catalog {
    /// Adds a role the catalog does not know yet (one the same run
    /// creates); an existing role is left as it is.
    pub fn ensure_role(&mut self, name: &str, attrs: RoleFlags) {
        self.roles.entry(name.to_string()).or_insert(attrs);
    }

    /// Sets a role's attributes, adding the role when needed.
    pub fn set_attrs(&mut self, name: &str, attrs: RoleFlags) {
        self.roles.insert(name.to_string(), attrs);
    }

    /// Drops a role: its attributes, its memberships either way, and the
    /// ACL entries granted to it. Objects it owns keep their owner's name
    /// (`DROP ROLE` needs them reassigned or dropped first, which the
    /// privilege computation does not depend on).
    pub fn drop_role(&mut self, name: &str) {
        self.roles.remove(name);
        self.memberships
            .retain(|m| m.member != name && m.role != name);
        for o in &mut self.objects {
            if o.acl.iter().any(|e| e.grantee == name) {
                Arc::make_mut(o).acl.retain(|e| e.grantee != name);
            }
        }
        for d in &mut self.default_acls {
            d.acl.retain(|e| e.grantee != name);
        }
    }

    /// Renames a role everywhere it appears.
    pub fn rename_role(&mut self, from: &str, to: &str) {
        if let Some(a) = self.roles.remove(from) {
            self.roles.insert(to.to_string(), a);
        }
        let fix = |s: &mut String| {
            if s == from {
                *s = to.to_string();
            }
        };
        for m in &mut self.memberships {
            fix(&mut m.member);
            fix(&mut m.role);
            fix(&mut m.grantor);
        }
        for o in &mut self.objects {
            if o.owner == from || o.acl.iter().any(|e| e.grantee == from) {
                let o = Arc::make_mut(o);
                fix(&mut o.owner);
                o.acl.iter_mut().for_each(|e| fix(&mut e.grantee));
            }
        }
        for d in &mut self.default_acls {
            fix(&mut d.owner);
            d.acl.iter_mut().for_each(|e| fix(&mut e.grantee));
        }
    }

    /// Grants (`Some`) or revokes (`None`) `role` to `member`. On
    /// PostgreSQL 16+ only the grant recorded for `grantor` is touched
    /// (`None`: a grant by a grantor not known yet, added next to any
    /// other); before 16 a pair has one grant.
    pub fn set_membership(
        &mut self,
        member: &str,
        role: &str,
        grantor: Option<&str>,
        options: Option<GrantOptions>,
    ) {
        let per_grant = self.per_grant_options();
        let matches = |m: &Membership| {
            m.member == member
                && m.role == role
                && (!per_grant || grantor.is_none_or(|g| m.grantor == g))
        };
        let Some(opts) = options else {
            self.memberships.retain(|m| !matches(m));
            return;
        };
        let default_inherit = self.role(member).is_none_or(|a| a.inherit);
        if let Some(m) = self
            .memberships
            .iter_mut()
            .find(|m| (grantor.is_some() || !per_grant) && matches(m))
        {
            m.admin = opts.admin;
            if let Some(i) = opts.inherit {
                m.inherit = i;
            }
            if let Some(s) = opts.set {
                m.set = s;
            }
            return;
        }
        self.memberships.push(Membership {
            member: member.to_string(),
            role: role.to_string(),
            grantor: grantor.unwrap_or_default().to_string(),
            admin: opts.admin,
            inherit: opts.inherit.unwrap_or(default_inherit),
            set: opts.set.unwrap_or(true),
        });
    }

    /// Grants `grant` and revokes `revoke` from `grantee` on every object
    /// of `scope` it does not own (owners are left alone, as
    /// `postgresql_grant` does). Returns how many objects were covered.
    pub fn change_privileges(
        &mut self,
        grantee: &str,
        scope: &Scope,
        grant: Privs,
        revoke: Privs,
    ) -> usize {
        let functions = if scope.kind == ObjectKind::Function {
            scope.function_names(self)
        } else {
            Vec::new()
        };
        let mut covered = 0;
        for run in scope.runs(self) {
            let Some(objects) = self.objects.get_mut(run) else {
                continue;
            };
            for o in objects.iter_mut().filter(|o| scope.covers(o, &functions)) {
                covered += 1;
                if o.owner == grantee {
                    continue;
                }
                change_entry(&mut Arc::make_mut(o).acl, grantee, grant, revoke);
            }
        }
        covered
    }

    /// Sets the default privileges `grantee` gets on `kind` objects `owner`
    /// creates (in `schema`, or anywhere) to exactly `privs`.
    pub fn set_default_privileges(
        &mut self,
        grantee: &str,
        owner: &str,
        schema: Option<&str>,
        kind: ObjectKind,
        privs: Privs,
    ) {
        let pos = self
            .default_acls
            .iter()
            .position(|d| d.owner == owner && d.kind == kind && d.schema.as_deref() == schema);
        let i = match pos {
            Some(i) => i,
            None => {
                self.default_acls.push(DefaultAcl {
                    owner: owner.to_string(),
                    schema: schema.map(str::to_string),
                    kind,
                    acl: Vec::new(),
                });
                self.default_acls.len() - 1
            }
        };
        if let Some(d) = self.default_acls.get_mut(i) {
            let held = d
                .acl
                .iter()
                .find(|e| e.grantee == grantee)
                .map(|e| e.privs)
                .unwrap_or_default();
            change_entry(&mut d.acl, grantee, privs, held.minus(privs));
        }
    }
}

/// Moves one grantee's entry of an ACL; an entry left empty goes away.
fn change_entry(acl: &mut Vec<AclEntry>, grantee: &str, grant: Privs, revoke: Privs) {
    match acl.iter_mut().find(|e| e.grantee == grantee) {
        Some(e) => {
            e.privs = e.privs.minus(revoke).union(grant);
            e.grantable = e.grantable.intersect(e.privs);
        }
        None if !grant.is_empty() => acl.push(AclEntry {
            grantee: grantee.to_string(),
            privs: grant,
            grantable: Privs::NONE,
        }),
        None => {}
    }
    acl.retain(|e| !e.privs.is_empty());
}
