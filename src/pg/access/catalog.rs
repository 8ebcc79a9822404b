//! The catalog of access as plain data: roles and their attributes, the
//! membership graph, objects with their ACLs and owners, and default ACLs.
//!
//! Everything is keyed by name, not OID, so that a planned change (which
//! knows names only, and may name roles that do not exist yet) can be
//! applied to a copy and compared with the original.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::Privs;
use crate::pg::roles::attributes::RoleFlags;
use crate::pg::sql::quote::ident_if_needed;

/// The grantee name that stands for PUBLIC. PostgreSQL reserves it: no role
/// can be called `public`.
pub const PUBLIC: &str = "public";

/// The first server version with per-grant INHERIT and SET options.
pub const PG16: i32 = 160_000;

/// One `pg_auth_members` row: `member` was granted `role` by `grantor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The member.
    pub member: String,
    /// The role granted.
    pub role: String,
    /// The recorded grantor (empty when it names no existing role).
    pub grantor: String,
    /// ADMIN OPTION.
    pub admin: bool,
    /// INHERIT option (PostgreSQL 16+; ignored before, where the member's
    /// INHERIT attribute decides).
    pub inherit: bool,
    /// SET option (PostgreSQL 16+; always true before).
    pub set: bool,
}

/// One grantee's entry in an ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclEntry {
    /// The role, or [`PUBLIC`].
    pub grantee: String,
    /// Privileges held.
    pub privs: Privs,
    /// The subset held WITH GRANT OPTION.
    pub grantable: Privs,
}

/// Names an object: its kind, schema (empty for databases; the schema
/// itself for schemas), name (with the identity arguments for functions),
/// and the column for column privileges.
///
/// The model follows databases, schemas, tables, sequences, functions,
/// columns, foreign-data wrappers and foreign servers; procedures,
/// aggregates and window functions are [`ObjectKind::Function`]s told
/// apart by [`Object::prokind`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    /// The kind.
    pub kind: ObjectKind,
    /// The schema.
    pub schema: String,
    /// The name; `f(integer, text)` for functions.
    pub name: String,
    /// The column, for [`ObjectKind::Column`].
    pub column: Option<String>,
}

impl fmt::Display for ObjectId {
    /// As a person would write it in SQL: `app.orders`, `app.f(integer)`,
    /// `app.orders(tenant_id)`, `app` for a schema or database.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ObjectKind::Database
            | ObjectKind::Schema
            | ObjectKind::ForeignDataWrapper
            | ObjectKind::ForeignServer => {
                write!(f, "{}", ident_if_needed(&self.name))
            }
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Routine => {
                let (name, args) = match self.name.find('(') {
                    Some(i) => self.name.split_at(i),
                    None => (self.name.as_str(), ""),
                };
                write!(
                    f,
                    "{}.{}{args}",
                    ident_if_needed(&self.schema),
                    ident_if_needed(name)
                )
            }
            ObjectKind::Table | ObjectKind::Sequence | ObjectKind::Type | ObjectKind::Column => {
                write!(
                    f,
                    "{}.{}",
                    ident_if_needed(&self.schema),
                    ident_if_needed(&self.name)
                )?;
                match &self.column {
                    Some(c) => write!(f, "({})", ident_if_needed(c)),
                    None => Ok(()),
                }
            }
        }
    }
}

/// An object with its owner and ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// Which object.
    pub id: ObjectId,
    /// The owner role.
    pub owner: String,
    /// The ACL, with a NULL one already expanded to the owner's defaults.
    pub acl: Vec<AclEntry>,
    /// For functions: `prokind` (`f`, `p`, `a`, `w`).
    pub prokind: Option<char>,
    /// For functions: SECURITY DEFINER.
    pub security_definer: bool,
}

impl Object {
    /// The function's name without its arguments; the name otherwise.
    pub fn bare_name(&self) -> &str {
        match self.id.name.find('(') {
            Some(i) if self.id.kind == ObjectKind::Function => &self.id.name[..i],
            _ => &self.id.name,
        }
    }
}

/// One `pg_default_acl` entry: what objects `owner` creates later (in
/// `schema`, or anywhere) grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultAcl {
    /// The creating role (`FOR ROLE`).
    pub owner: String,
    /// The schema; `None` for the database-wide entry.
    pub schema: Option<String>,
    /// The kind of object (`defaclobjtype`; routines are
    /// [`ObjectKind::Function`]).
    pub kind: ObjectKind,
    /// The entries.
    pub acl: Vec<AclEntry>,
}

/// Who can do what in one database, and cluster-wide through roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// `server_version_num`.
    pub version_num: i32,
    /// The database the objects were read in.
    pub database: String,
    /// Every role by name, with the predefined `pg_*` roles.
    pub roles: BTreeMap<String, RoleFlags>,
    /// Every membership grant.
    pub memberships: Vec<Membership>,
    /// Databases (all of them), and the schemas, relations, functions and
    /// columns with privileges of their own in [`Catalog::database`],
    /// system schemas left out. Shared between copies: a planned change
    /// copies only the objects it touches ([`std::sync::Arc::make_mut`]),
    /// so copying a catalog of thousands of objects for a report is cheap,
    /// and what a change touched is told apart by pointer. Kept sorted by
    /// [`ObjectId`] ([`Catalog::sort_objects`]), so that a change finds the
    /// objects it covers by binary search ([`Catalog::run_of`]).
    pub objects: Vec<Arc<Object>>,
    /// Default ACLs of [`Catalog::database`].
    pub default_acls: Vec<DefaultAcl>,
}

impl Catalog {
    /// Whether the server has per-grant INHERIT and SET options.
    pub fn per_grant_options(&self) -> bool {
        self.version_num >= PG16
    }

    /// A role's attributes; `None` for a role that does not exist.
    pub fn role(&self, name: &str) -> Option<&RoleFlags> {
        self.roles.get(name)
    }

    /// Puts [`Catalog::objects`] in the order [`Catalog::run_of`] relies
    /// on; whatever adds objects calls it afterwards.
    pub fn sort_objects(&mut self) {
        self.objects.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// The indexes of the objects of `kind`, narrowed to `schema`, and
    /// within it to `name`, when given (`name` counts only with a
    /// `schema`). [`ObjectId`] sorts by kind, schema and name in that
    /// order, so these are one contiguous run, found by binary search: a
    /// planned grant on one table of thousands looks at that table alone,
    /// and the 2,000 grants of a large plan stay linear.
    pub fn run_of(
        &self,
        kind: ObjectKind,
        schema: Option<&str>,
        name: Option<&str>,
    ) -> Range<usize> {
        debug_assert!(self.objects.is_sorted_by(|a, b| a.id <= b.id));
        let name = schema.and(name);
        fn key(o: &Object, schema: bool, name: bool) -> (ObjectKind, Option<&str>, Option<&str>) {
            (
                o.id.kind,
                schema.then_some(o.id.schema.as_str()),
                name.then_some(o.id.name.as_str()),
            )
        }
        let (by_schema, by_name) = (schema.is_some(), name.is_some());
        let wanted = (kind, schema, name);
        let start = self
            .objects
            .partition_point(|o| key(o, by_schema, by_name) < wanted);
        let end =
            start + self.objects[start..].partition_point(|o| key(o, by_schema, by_name) <= wanted);
        start..end
    }
}
