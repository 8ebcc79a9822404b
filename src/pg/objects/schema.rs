//! Schemas: CREATE, ALTER and DROP SCHEMA, and the schema's privileges per
//! grantee as levels (none, granted, granted with grant option), which is
//! what the deprecated `policy` blocks of `postgresql_schema` describe.
//!
//! The builders are pure functions, tested without a server.

use std::cmp::Ordering;

use tokio_postgres::GenericClient;

use crate::pg::catalog::objects::CatalogObject;
use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::quote::ident;

/// How much of one privilege a grantee holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub enum Level {
    /// Not held.
    #[default]
    None,
    /// Held.
    Granted,
    /// Held, and may be granted on (WITH GRANT OPTION).
    WithGrantOption,
}

impl Level {
    /// The level two flags describe: the privilege, and it with the grant
    /// option (which implies the privilege).
    pub fn of(granted: bool, with_grant_option: bool) -> Level {
        if with_grant_option {
            Level::WithGrantOption
        } else if granted {
            Level::Granted
        } else {
            Level::None
        }
    }
}

/// A grantee's privileges on a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SchemaPrivileges {
    /// CREATE.
    pub create: Level,
    /// USAGE.
    pub usage: Level,
}

impl SchemaPrivileges {
    /// Both privileges at least at the other's level.
    pub fn covers(&self, other: &SchemaPrivileges) -> bool {
        self.create >= other.create && self.usage >= other.usage
    }

    /// The higher level of each privilege.
    pub fn union(&self, other: &SchemaPrivileges) -> SchemaPrivileges {
        SchemaPrivileges {
            create: self.create.max(other.create),
            usage: self.usage.max(other.usage),
        }
    }

    /// Whether neither privilege is held.
    pub fn is_none(&self) -> bool {
        self.create == Level::None && self.usage == Level::None
    }
}

/// One entry of a schema's ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclEntry {
    /// Role name; empty for PUBLIC.
    pub grantee: String,
    /// `CREATE` or `USAGE`.
    pub privilege: String,
    /// WITH GRANT OPTION.
    pub grantable: bool,
}

/// A schema as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRow {
    /// Owning role.
    pub owner: String,
    /// Its ACL, the owner's implicit privileges included.
    pub acl: Vec<AclEntry>,
}

impl SchemaRow {
    /// The schema as a catalog snapshot holds it
    /// ([`crate::pg::catalog::objects`], where PUBLIC is `public`).
    pub fn from_catalog(schema: &CatalogObject) -> SchemaRow {
        SchemaRow {
            owner: schema.owner.clone(),
            acl: schema
                .acl
                .iter()
                .map(|e| AclEntry {
                    // No role may be called `public`: the name is reserved.
                    grantee: if e.grantee == "public" {
                        String::new()
                    } else {
                        e.grantee.clone()
                    },
                    privilege: e.privilege.clone(),
                    grantable: e.grantable,
                })
                .collect(),
        }
    }

    /// What `grantee` (empty: PUBLIC) holds, whoever granted it.
    pub fn privileges_of(&self, grantee: &str) -> SchemaPrivileges {
        let mut out = SchemaPrivileges::default();
        for e in self.acl.iter().filter(|e| e.grantee == grantee) {
            let level = Level::of(true, e.grantable);
            match e.privilege.as_str() {
                "CREATE" => out.create = out.create.max(level),
                "USAGE" => out.usage = out.usage.max(level),
                _ => {}
            }
        }
        out
    }
}

/// Reads a schema in the connected database.
pub async fn read_schema<C: GenericClient>(
    client: &C,
    name: &str,
) -> Result<Option<SchemaRow>, PgError> {
    let err = |e| PgError::query(format!("reading schema {name:?}"), e);
    let Some(row) = client
        .query_opt(
            "SELECT pg_catalog.pg_get_userbyid(nspowner)::text FROM pg_catalog.pg_namespace \
             WHERE nspname = $1",
            &[&name],
        )
        .await
        .map_err(err)?
    else {
        return Ok(None);
    };
    // A NULL nspacl means the default: everything for the owner.
    let acl = client
        .query(
            "SELECT coalesce(r.rolname::text, ''), a.privilege_type, a.is_grantable \
             FROM pg_catalog.pg_namespace n, \
                  aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a \
             LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee \
             WHERE n.nspname = $1",
            &[&name],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| AclEntry {
            grantee: r.get(0),
            privilege: r.get(1),
            grantable: r.get(2),
        })
        .collect();
    Ok(Some(SchemaRow {
        owner: row.get(0),
        acl,
    }))
}

/// Every schema of the connected database a user made, with its owner,
/// by name: not `public` (which PostgreSQL creates in every database), not
/// a system schema, not a member of an extension (its script made it, and
/// dropping the extension drops it).
pub async fn list_schemas<C: GenericClient>(client: &C) -> Result<Vec<(String, String)>, PgError> {
    let err = |e| PgError::query("listing schemas", e);
    client
        .query(
            &format!(
                "SELECT n.nspname::text, pg_catalog.pg_get_userbyid(n.nspowner)::text \
                 FROM pg_catalog.pg_namespace n \
                 WHERE n.nspname <> 'public' AND NOT {} \
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                       WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass \
                         AND d.objid = n.oid AND d.deptype = 'e') \
                 ORDER BY 1",
                crate::pg::catalog::SYSTEM_SCHEMA_SQL
            ),
            &[],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| Ok((r.try_get(0).map_err(err)?, r.try_get(1).map_err(err)?)))
        .collect()
}

/// Whether a role exists.
pub async fn role_exists<C: GenericClient>(client: &C, role: &str) -> Result<bool, PgError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
            &[&role],
        )
        .await
        .map_err(|e| PgError::query(format!("looking up role {role:?}"), e))?
        .is_some())
}

/// CREATE SCHEMA.
pub fn create_schema(name: &str, owner: Option<&str>, if_not_exists: bool) -> Statement {
    let mut sql = String::from("CREATE SCHEMA ");
    if if_not_exists {
        sql.push_str("IF NOT EXISTS ");
    }
    sql.push_str(&ident(name));
    if let Some(o) = owner {
        sql.push_str(" AUTHORIZATION ");
        sql.push_str(&ident(o));
    }
    Statement::plain(sql)
}

/// ALTER SCHEMA ... RENAME TO.
pub fn rename_schema(old: &str, new: &str) -> Statement {
    Statement::plain(format!(
        "ALTER SCHEMA {} RENAME TO {}",
        ident(old),
        ident(new)
    ))
}

/// ALTER SCHEMA ... OWNER TO.
pub fn alter_owner(name: &str, owner: &str) -> Statement {
    Statement::plain(format!(
        "ALTER SCHEMA {} OWNER TO {}",
        ident(name),
        ident(owner)
    ))
}

/// DROP SCHEMA, with CASCADE or RESTRICT.
pub fn drop_schema(name: &str, cascade: bool) -> Statement {
    Statement::plain(format!(
        "DROP SCHEMA {} {}",
        ident(name),
        if cascade { "CASCADE" } else { "RESTRICT" }
    ))
}

/// The grantee as GRANT and REVOKE write it: an empty name is PUBLIC.
fn grantee(role: &str) -> String {
    if role.is_empty() {
        "PUBLIC".to_string()
    } else {
        ident(role)
    }
}

/// GRANT and REVOKE statements that take `role` (empty: PUBLIC) from
/// `from` to `to` on `schema`, CREATE before USAGE.
pub fn change_privileges(
    schema: &str,
    role: &str,
    from: SchemaPrivileges,
    to: SchemaPrivileges,
) -> Vec<Statement> {
    let mut out = Vec::new();
    for (privilege, from, to) in [
        ("CREATE", from.create, to.create),
        ("USAGE", from.usage, to.usage),
    ] {
        let on = format!("{privilege} ON SCHEMA {} ", ident(schema));
        let who = grantee(role);
        let sql = match (to.cmp(&from), to) {
            (Ordering::Equal, _) => continue,
            (Ordering::Less, Level::None) => format!("REVOKE {on}FROM {who}"),
            (Ordering::Less, _) => format!("REVOKE GRANT OPTION FOR {on}FROM {who}"),
            (Ordering::Greater, Level::WithGrantOption) => {
                format!("GRANT {on}TO {who} WITH GRANT OPTION")
            }
            (Ordering::Greater, _) => format!("GRANT {on}TO {who}"),
        };
        out.push(Statement::plain(sql));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: SchemaPrivileges = SchemaPrivileges {
        create: Level::None,
        usage: Level::None,
    };

    fn p(create: Level, usage: Level) -> SchemaPrivileges {
        SchemaPrivileges { create, usage }
    }

    fn sql(v: Vec<Statement>) -> Vec<String> {
        v.into_iter().map(|s| s.sql).collect()
    }

    #[test]
    fn statements_quote_every_name() {
        assert_eq!(
            create_schema("My \"S\"", Some("o"), true).sql,
            "CREATE SCHEMA IF NOT EXISTS \"My \"\"S\"\"\" AUTHORIZATION \"o\""
        );
        assert_eq!(create_schema("s", None, false).sql, "CREATE SCHEMA \"s\"");
        assert_eq!(
            rename_schema("a", "b").sql,
            "ALTER SCHEMA \"a\" RENAME TO \"b\""
        );
        assert_eq!(
            alter_owner("a", "o").sql,
            "ALTER SCHEMA \"a\" OWNER TO \"o\""
        );
        assert_eq!(drop_schema("a", true).sql, "DROP SCHEMA \"a\" CASCADE");
        assert_eq!(drop_schema("a", false).sql, "DROP SCHEMA \"a\" RESTRICT");
    }

    #[test]
    fn privileges_move_by_level() {
        assert_eq!(
            sql(change_privileges(
                "s",
                "r",
                NONE,
                p(Level::WithGrantOption, Level::Granted)
            )),
            [
                "GRANT CREATE ON SCHEMA \"s\" TO \"r\" WITH GRANT OPTION",
                "GRANT USAGE ON SCHEMA \"s\" TO \"r\"",
            ]
        );
        assert_eq!(
            sql(change_privileges(
                "s",
                "",
                p(Level::WithGrantOption, Level::Granted),
                p(Level::Granted, Level::None)
            )),
            [
                "REVOKE GRANT OPTION FOR CREATE ON SCHEMA \"s\" FROM PUBLIC",
                "REVOKE USAGE ON SCHEMA \"s\" FROM PUBLIC",
            ]
        );
        assert!(change_privileges("s", "r", NONE, NONE).is_empty());
    }

    #[test]
    fn acl_entries_become_levels() {
        let row = SchemaRow {
            owner: "o".into(),
            acl: vec![
                AclEntry {
                    grantee: "r".into(),
                    privilege: "USAGE".into(),
                    grantable: false,
                },
                AclEntry {
                    grantee: "r".into(),
                    privilege: "USAGE".into(),
                    grantable: true,
                },
                AclEntry {
                    grantee: "".into(),
                    privilege: "CREATE".into(),
                    grantable: false,
                },
            ],
        };
        assert_eq!(
            row.privileges_of("r"),
            p(Level::None, Level::WithGrantOption)
        );
        assert_eq!(row.privileges_of(""), p(Level::Granted, Level::None));
        assert!(row.privileges_of("x").is_none());
        assert!(
            p(Level::WithGrantOption, Level::Granted).covers(&p(Level::Granted, Level::Granted))
        );
        assert_eq!(
            p(Level::Granted, Level::None).union(&p(Level::None, Level::WithGrantOption)),
            p(Level::Granted, Level::WithGrantOption)
        );
        assert_eq!(Level::of(false, true), Level::WithGrantOption);
    }
}
