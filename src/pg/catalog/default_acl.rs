//! Every default-privileges entry of one database (`pg_default_acl`), and
//! the database's schema names, in one query.
//!
//! A database-wide entry replaces PostgreSQL's built-in defaults
//! (`acldefault`) for its owner and object type, so it holds the owner's own
//! privileges and, for functions and types, PUBLIC's too; where there is no
//! such entry the built-in defaults apply, which [`DefaultAclCatalog::acl`]
//! works out itself.

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::GenericClient;

use crate::pg::catalog::objects::AclEntry;
use crate::pg::error::PgError;
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::Privilege;

/// The key of a `pg_default_acl` row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DefaultAclKey {
    /// The role whose future objects it applies to.
    pub owner: String,
    /// The schema; empty for database-wide defaults.
    pub schema: String,
    /// `defaclobjtype`: `r` tables, `S` sequences, `f` functions, `T`
    /// types, `n` schemas (see [`ObjectKind::from_defacl_code`]); kept as
    /// the catalog spells it, so that codes of newer servers still read.
    pub objtype: String,
}

/// Every default ACL of one database.
#[derive(Debug, Clone, Default)]
pub struct DefaultAclCatalog {
    entries: BTreeMap<DefaultAclKey, Vec<AclEntry>>,
    schemas: BTreeSet<String>,
}

impl DefaultAclCatalog {
    /// Whether a schema named `name` exists in the database.
    pub fn schema_exists(&self, name: &str) -> bool {
        self.schemas.contains(name)
    }

    /// Every row, ordered by owner, schema and object type.
    pub fn iter(&self) -> impl Iterator<Item = (&DefaultAclKey, &[AclEntry])> {
        self.entries.iter().map(|(k, v)| (k, v.as_slice()))
    }

    /// The ACL objects created later get for `key`: the row's, or for a
    /// database-wide key without one, PostgreSQL's built-in default for
    /// `key.owner` on a server of `version_num`. A per-schema key without a
    /// row adds nothing.
    pub fn acl(&self, key: &DefaultAclKey, version_num: i32) -> Vec<AclEntry> {
        if let Some(entries) = self.entries.get(key) {
            return entries.clone();
        }
        if !key.schema.is_empty() {
            return Vec::new();
        }
        match ObjectKind::from_defacl_code(&key.objtype) {
            Some(kind) => builtin_default(kind, &key.owner, version_num),
            None => Vec::new(),
        }
    }
}

/// What `acldefault` gives for a kind of object: the owner holds every
/// privilege of the kind on a server of `version_num` (without grant
/// option), PUBLIC what [`ObjectKind::public_default`] says (EXECUTE on
/// functions, USAGE on types). PUBLIC's entries come first, and each
/// grantee's privileges in `aclexplode` order.
pub fn builtin_default(kind: ObjectKind, owner: &str, version_num: i32) -> Vec<AclEntry> {
    let mut owner_privileges: Vec<Privilege> = kind.privileges(Some(version_num)).collect();
    owner_privileges.sort_by_key(|p| p.acl_bit());
    let mut public_privileges = kind.public_default().to_vec();
    public_privileges.sort_by_key(|p| p.acl_bit());
    let entry = |grantee: &str, privilege: Privilege| AclEntry {
        grantee: grantee.to_string(),
        privilege: privilege.name().to_string(),
        grantable: false,
        builtin: true,
    };
    public_privileges
        .into_iter()
        .map(|p| entry("public", p))
        .chain(owner_privileges.into_iter().map(|p| entry(owner, p)))
        .collect()
}

/// Reads every default ACL and every schema name of the connected database
/// with one query.
pub async fn read_default_acls<C: GenericClient>(client: &C) -> Result<DefaultAclCatalog, PgError> {
    // Schemas come as rows of their own (objtype NULL), so that a database
    // without default privileges still reports its schemas.
    const SQL: &str = "\
        SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text, coalesce(n.nspname::text, ''), \
               d.defaclobjtype::text, \
               coalesce(e.grantees, '{}'), coalesce(e.privileges, '{}'), coalesce(e.grantable, '{}') \
        FROM pg_catalog.pg_default_acl d \
        LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace \
        LEFT JOIN LATERAL ( \
          SELECT pg_catalog.array_agg(CASE WHEN x.grantee = 0 THEN 'public' \
                     ELSE pg_catalog.pg_get_userbyid(x.grantee)::text END ORDER BY x.n) AS grantees, \
                 pg_catalog.array_agg(x.privilege_type ORDER BY x.n) AS privileges, \
                 pg_catalog.array_agg(x.is_grantable ORDER BY x.n) AS grantable \
          FROM pg_catalog.aclexplode(d.defaclacl) WITH ORDINALITY x(grantor, grantee, privilege_type, is_grantable, n)) e \
          ON true \
        UNION ALL \
        SELECT '', n.nspname::text, NULL, '{}', '{}', '{}' FROM pg_catalog.pg_namespace n";
    let action = "reading the default privileges of the database";
    let rows = client
        .query(SQL, &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    let mut catalog = DefaultAclCatalog::default();
    for r in &rows {
        let get = |e| PgError::query(action, e);
        let schema: String = r.try_get(1).map_err(get)?;
        let objtype: Option<String> = r.try_get(2).map_err(get)?;
        let Some(objtype) = objtype else {
            catalog.schemas.insert(schema);
            continue;
        };
        let grantees: Vec<String> = r.try_get(3).map_err(get)?;
        let privileges: Vec<String> = r.try_get(4).map_err(get)?;
        let grantable: Vec<bool> = r.try_get(5).map_err(get)?;
        let acl = grantees
            .into_iter()
            .zip(privileges)
            .zip(grantable)
            .map(|((grantee, privilege), grantable)| AclEntry {
                grantee,
                privilege,
                grantable,
                builtin: false,
            })
            .collect();
        let key = DefaultAclKey {
            owner: r.try_get(0).map_err(get)?,
            schema,
            objtype,
        };
        catalog.entries.insert(key, acl);
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_defaults_follow_acldefault() {
        let names = |v: Vec<AclEntry>| -> Vec<(String, String)> {
            v.into_iter().map(|e| (e.grantee, e.privilege)).collect()
        };
        let pair = |g: &str, p: &str| (g.to_string(), p.to_string());
        assert_eq!(
            names(builtin_default(ObjectKind::Function, "o", 150_000)),
            vec![pair("public", "EXECUTE"), pair("o", "EXECUTE")]
        );
        assert_eq!(builtin_default(ObjectKind::Table, "o", 150_000).len(), 7);
        // aclexplode's order: PostgreSQL's bit order, MAINTAIN last.
        let table: Vec<String> = builtin_default(ObjectKind::Table, "o", 170_000)
            .into_iter()
            .map(|e| e.privilege)
            .collect();
        assert_eq!(
            table,
            [
                "INSERT",
                "SELECT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
                "MAINTAIN"
            ]
        );
        assert_eq!(
            names(builtin_default(ObjectKind::Sequence, "o", 170_000)),
            vec![pair("o", "SELECT"), pair("o", "UPDATE"), pair("o", "USAGE")]
        );
        assert_eq!(
            names(builtin_default(ObjectKind::Schema, "o", 170_000)),
            vec![pair("o", "USAGE"), pair("o", "CREATE")]
        );
        assert_eq!(
            names(builtin_default(ObjectKind::Type, "o", 170_000)),
            vec![pair("public", "USAGE"), pair("o", "USAGE")]
        );
        let cat = DefaultAclCatalog::default();
        let key = |schema: &str| DefaultAclKey {
            owner: "o".into(),
            schema: schema.into(),
            objtype: "T".into(),
        };
        assert_eq!(cat.acl(&key(""), 170_000).len(), 2);
        assert!(cat.acl(&key("s"), 170_000).is_empty());
    }
}
