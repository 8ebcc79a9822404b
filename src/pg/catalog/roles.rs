//! Every role of the cluster with what `postgresql_role` manages about it
//! (flags, limit, `valid_until`, settings, memberships) in one query, and,
//! when the login role may read `pg_authid`, the stored password hashes.

use std::collections::BTreeMap;

use tokio_postgres::GenericClient;

use crate::pg::catalog::FIRST_NORMAL_OID;
use crate::pg::error::PgError;
use crate::pg::roles::role::{role_columns, role_row, RoleRow};

/// One role as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleEntry {
    /// `pg_roles.oid`.
    pub oid: u32,
    /// What [`crate::pg::roles::role::read_role`] would return (with
    /// `valid_until` as the server prints it).
    pub row: RoleRow,
    /// The stored password hash; `None` when there is none or it was not
    /// read (see [`read_roles`]).
    pub password_hash: Option<String>,
}

impl RoleEntry {
    /// Whether PostgreSQL created the role itself: the bootstrap superuser
    /// and the predefined `pg_*` roles.
    pub fn is_system(&self) -> bool {
        self.oid < FIRST_NORMAL_OID || self.row.spec.name.starts_with("pg_")
    }
}

/// Every role, by name.
#[derive(Debug, Clone, Default)]
pub struct RoleCatalog {
    roles: BTreeMap<String, RoleEntry>,
    /// Whether password hashes were read.
    pub with_passwords: bool,
}

impl RoleCatalog {
    /// The role named `name` (exactly).
    pub fn get(&self, name: &str) -> Option<&RoleEntry> {
        self.roles.get(name)
    }

    /// Whether a role named `name` exists.
    pub fn exists(&self, name: &str) -> bool {
        self.roles.contains_key(name)
    }

    /// Every role, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = &RoleEntry> {
        self.roles.values()
    }

    /// The bootstrap superuser's name (OID 10).
    pub fn bootstrap(&self) -> Option<&str> {
        self.roles
            .values()
            .find(|r| r.oid == 10)
            .map(|r| r.row.spec.name.as_str())
    }
}

/// Reads every role with one query; with `passwords`, also every stored
/// password hash (which needs SELECT on `pg_authid`).
pub async fn read_roles<C: GenericClient>(
    client: &C,
    passwords: bool,
) -> Result<RoleCatalog, PgError> {
    let password = if passwords {
        "(SELECT a.rolpassword FROM pg_catalog.pg_authid a WHERE a.oid = r.oid)"
    } else {
        "NULL::text"
    };
    let sql = format!(
        "SELECT r.oid, {password} AS password_hash, {columns} \
         FROM pg_catalog.pg_roles r ORDER BY r.rolname",
        columns = role_columns()
    );
    let action = "reading every role";
    let rows = client
        .query(&sql, &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    let mut roles = BTreeMap::new();
    for row in &rows {
        let get = |e| PgError::query(action, e);
        let entry = RoleEntry {
            oid: row.try_get("oid").map_err(get)?,
            password_hash: row.try_get("password_hash").map_err(get)?,
            row: role_row(row, action)?,
        };
        roles.insert(entry.row.spec.name.clone(), entry);
    }
    Ok(RoleCatalog {
        roles,
        with_passwords: passwords,
    })
}
