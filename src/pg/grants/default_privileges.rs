//! Default privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE owner ...`): what
//! objects created later by `owner` grant to a role, read from
//! `pg_default_acl`, and the statements that change it by difference.
//!
//! `FOR ROLE owner` matters: without it the defaults apply only to objects
//! created by the role running the statement, which is rarely the role that
//! creates the tables.
//!
//! A database-wide entry (no schema) that does not exist means the built-in
//! defaults (`acldefault`), which for functions include EXECUTE for PUBLIC
//! and for types USAGE for PUBLIC; a per-schema entry only ever adds to
//! those, so a missing one means nothing extra.

use std::collections::BTreeSet;

use tokio_postgres::types::Type as PgType;
use tokio_postgres::GenericClient;

use crate::pg::catalog::default_acl::{DefaultAclCatalog, DefaultAclKey};
use crate::pg::conn::exec::Statement;
use crate::pg::conn::locks::Lock;
use crate::pg::error::PgError;
use crate::pg::grants::grant::{grantee_sql, PUBLIC};
use crate::pg::kinds::ObjectKind;
use crate::pg::sql::quote::ident;

/// The kinds of object `postgresql_default_privileges` manages, in the
/// order its messages list them. `routine` is an alias of `function`
/// (PostgreSQL stores both as one kind), written `ROUTINES`; schemas are
/// database-wide only.
pub const DEFAULT_KINDS: [ObjectKind; 6] = [
    ObjectKind::Table,
    ObjectKind::Sequence,
    ObjectKind::Function,
    ObjectKind::Routine,
    ObjectKind::Type,
    ObjectKind::Schema,
];

/// Parses an `object_type` of `postgresql_default_privileges` (one of
/// [`DEFAULT_KINDS`]).
pub fn default_kind(name: &str) -> Option<ObjectKind> {
    ObjectKind::parse(name).filter(|k| DEFAULT_KINDS.contains(k))
}

/// What one default-privileges resource points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultTarget {
    /// Grantee role name, or `public`.
    pub role: String,
    /// The role whose future objects get the privileges.
    pub owner: String,
    /// Schema; empty means the whole database.
    pub schema: String,
    /// Kind of object, one of [`DEFAULT_KINDS`].
    pub object_type: ObjectKind,
}

/// The grantee's entry in the default ACL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DefaultAcl {
    /// Whether the grantee exists (PUBLIC always does).
    pub grantee_exists: bool,
    /// Whether the owner exists.
    pub owner_exists: bool,
    /// Whether the schema exists (true without a schema).
    pub schema_exists: bool,
    /// Privileges objects created later will grant to the role.
    pub held: BTreeSet<String>,
    /// The subset granted WITH GRANT OPTION.
    pub grantable: BTreeSet<String>,
}

impl DefaultTarget {
    /// `pg_default_acl.defaclobjtype` of the kind. Every kind of
    /// [`DEFAULT_KINDS`] has one, and the resource admits no other; any
    /// other kind gets an empty code, which no row has and `acldefault`
    /// refuses, so it reads nothing and changes nothing.
    fn code(&self) -> &'static str {
        self.object_type.defacl_code().unwrap_or_default()
    }

    fn prefix(&self) -> String {
        let mut s = format!("ALTER DEFAULT PRIVILEGES FOR ROLE {}", ident(&self.owner));
        if !self.schema.is_empty() {
            s.push_str(&format!(" IN SCHEMA {}", ident(&self.schema)));
        }
        s
    }

    /// The lock serializing changes of one `pg_default_acl` row.
    pub fn lock(&self) -> Lock<'_> {
        Lock::DefaultAcl {
            owner: &self.owner,
            schema: &self.schema,
            kind: self.code(),
        }
    }

    /// Statements moving the entry from `current` to `want`, by difference:
    /// kept privileges are never revoked.
    pub fn change_statements(
        &self,
        current: &DefaultAcl,
        want: &BTreeSet<String>,
        with_grant_option: bool,
    ) -> Vec<Statement> {
        let prefix = self.prefix();
        // Empty for a kind outside DEFAULT_KINDS: a statement the server
        // refuses.
        let on = self.object_type.defaults_keyword().unwrap_or_default();
        let grantee = grantee_sql(&self.role);
        let have = if with_grant_option {
            &current.grantable
        } else {
            &current.held
        };
        let add: Vec<String> = want.difference(have).cloned().collect();
        let drop_option: Vec<String> = if with_grant_option {
            Vec::new()
        } else {
            want.intersection(&current.grantable).cloned().collect()
        };
        let remove: Vec<String> = current.held.difference(want).cloned().collect();
        let mut out = Vec::new();
        if !add.is_empty() {
            out.push(Statement::plain(format!(
                "{prefix} GRANT {} ON {on} TO {grantee}{}",
                add.join(", "),
                if with_grant_option {
                    " WITH GRANT OPTION"
                } else {
                    ""
                }
            )));
        }
        if !drop_option.is_empty() {
            out.push(Statement::plain(format!(
                "{prefix} REVOKE GRANT OPTION FOR {} ON {on} FROM {grantee}",
                drop_option.join(", ")
            )));
        }
        if !remove.is_empty() {
            out.push(Statement::plain(format!(
                "{prefix} REVOKE {} ON {on} FROM {grantee}",
                remove.join(", ")
            )));
        }
        out
    }
}

/// The grantee's entry worked out from a catalog snapshot of the database,
/// exactly as [`read_default_acl`] would read it; `grantee_exists` and
/// `owner_exists` say whether those roles exist.
pub fn default_acl_from_catalog(
    target: &DefaultTarget,
    catalog: &DefaultAclCatalog,
    version_num: i32,
    grantee_exists: bool,
    owner_exists: bool,
) -> DefaultAcl {
    let key = DefaultAclKey {
        owner: target.owner.clone(),
        schema: target.schema.clone(),
        objtype: target.code().to_string(),
    };
    let acl = if owner_exists {
        catalog.acl(&key, version_num)
    } else {
        Vec::new()
    };
    let mine = || acl.iter().filter(|e| e.grantee == target.role);
    DefaultAcl {
        grantee_exists: target.role == PUBLIC || grantee_exists,
        owner_exists,
        schema_exists: target.schema.is_empty() || catalog.schema_exists(&target.schema),
        held: mine().map(|e| e.privilege.clone()).collect(),
        grantable: mine()
            .filter(|e| e.grantable)
            .map(|e| e.privilege.clone())
            .collect(),
    }
}

/// Reads the grantee's default privileges with one query.
pub async fn read_default_acl<C: GenericClient>(
    client: &C,
    target: &DefaultTarget,
) -> Result<DefaultAcl, PgError> {
    const SQL: &str = "\
        WITH g AS (SELECT CASE WHEN $1 = 'public' THEN 0::oid \
                        ELSE (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $1) END AS oid), \
             o AS (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $2), \
             n AS (SELECT CASE WHEN $3 = '' THEN 0::oid \
                        ELSE (SELECT s.oid FROM pg_catalog.pg_namespace s WHERE s.nspname = $3) END AS oid), \
             acl AS (SELECT coalesce( \
                        (SELECT d.defaclacl FROM pg_catalog.pg_default_acl d \
                         WHERE d.defaclrole = (SELECT oid FROM o) \
                           AND d.defaclnamespace = (SELECT oid FROM n) \
                           AND d.defaclobjtype = $4::\"char\"), \
                        CASE WHEN $3 = '' THEN pg_catalog.acldefault($5::\"char\", (SELECT oid FROM o)) \
                             ELSE NULL END) AS a) \
        SELECT (SELECT oid FROM g) IS NOT NULL, (SELECT oid FROM o) IS NOT NULL, \
               (SELECT oid FROM n) IS NOT NULL, \
               ARRAY(SELECT DISTINCT e.privilege_type FROM acl, pg_catalog.aclexplode(acl.a) e \
                     WHERE e.grantee = (SELECT oid FROM g)), \
               ARRAY(SELECT DISTINCT e.privilege_type FROM acl, pg_catalog.aclexplode(acl.a) e \
                     WHERE e.grantee = (SELECT oid FROM g) AND e.is_grantable)";
    let action = || {
        format!(
            "reading the default privileges of {:?} for objects of {:?}",
            target.role, target.owner
        )
    };
    let row = client
        .query_typed_one(
            SQL,
            &[
                (&target.role, PgType::TEXT),
                (&target.owner, PgType::TEXT),
                (&target.schema, PgType::TEXT),
                (&target.code(), PgType::TEXT),
                (&target.object_type.acldefault_code(), PgType::TEXT),
            ],
        )
        .await
        .map_err(|e| PgError::query(action(), e))?;
    let get = |e| PgError::query(action(), e);
    let held: Vec<String> = row.try_get(3).map_err(get)?;
    let grantable: Vec<String> = row.try_get(4).map_err(get)?;
    Ok(DefaultAcl {
        grantee_exists: row.try_get(0).map_err(get)?,
        owner_exists: row.try_get(1).map_err(get)?,
        schema_exists: row.try_get(2).map_err(get)?,
        held: held.into_iter().collect(),
        grantable: grantable.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn target(schema: &str) -> DefaultTarget {
        DefaultTarget {
            role: "reader".into(),
            owner: "Owner".into(),
            schema: schema.into(),
            object_type: ObjectKind::Table,
        }
    }

    #[test]
    fn default_kinds_are_parsed_by_their_terraform_names() {
        for k in DEFAULT_KINDS {
            assert_eq!(default_kind(k.as_str()), Some(k));
            assert!(k.defacl_code().is_some() && k.defaults_keyword().is_some());
        }
        assert_eq!(default_kind("procedure"), None);
        assert_eq!(default_kind("database"), None);
    }

    #[test]
    fn statements_by_difference() {
        let current = DefaultAcl {
            held: set(&["SELECT", "INSERT"]),
            ..Default::default()
        };
        let stmts = target("s").change_statements(&current, &set(&["SELECT", "UPDATE"]), false);
        let sql: Vec<&str> = stmts.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec![
                r#"ALTER DEFAULT PRIVILEGES FOR ROLE "Owner" IN SCHEMA "s" GRANT UPDATE ON TABLES TO "reader""#,
                r#"ALTER DEFAULT PRIVILEGES FOR ROLE "Owner" IN SCHEMA "s" REVOKE INSERT ON TABLES FROM "reader""#,
            ]
        );
        assert!(target("s")
            .change_statements(&current, &set(&["SELECT", "INSERT"]), false)
            .is_empty());
    }

    #[test]
    fn database_wide_and_grant_option() {
        let mut t = target("");
        t.role = "public".into();
        t.object_type = ObjectKind::Function;
        let current = DefaultAcl {
            held: set(&["EXECUTE"]),
            grantable: set(&["EXECUTE"]),
            ..Default::default()
        };
        let sql: Vec<String> = t
            .change_statements(&current, &set(&["EXECUTE"]), false)
            .into_iter()
            .map(|s| s.sql)
            .collect();
        assert_eq!(
            sql,
            vec![
                r#"ALTER DEFAULT PRIVILEGES FOR ROLE "Owner" REVOKE GRANT OPTION FOR EXECUTE ON FUNCTIONS FROM PUBLIC"#
            ]
        );
        let none = DefaultAcl::default();
        let sql: Vec<String> = t
            .change_statements(&none, &set(&["EXECUTE"]), true)
            .into_iter()
            .map(|s| s.sql)
            .collect();
        assert_eq!(
            sql,
            vec![
                r#"ALTER DEFAULT PRIVILEGES FOR ROLE "Owner" GRANT EXECUTE ON FUNCTIONS TO PUBLIC WITH GRANT OPTION"#
            ]
        );
    }
}
