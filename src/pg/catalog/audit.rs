//! Read-only catalog queries for audits: roles with their attributes, the
//! members of a role, and who can effectively read or write a schema.
//!
//! Each question is answered by one query, so the answer is a consistent
//! snapshot of the catalog. Results are sorted by name (byte order: `name`
//! columns use the "C" collation) so that repeated reads compare equal.

use tokio_postgres::GenericClient;

use crate::pg::error::PgError;
use crate::pg::roles::attributes::RoleFlags;

/// The first server version with per-grant INHERIT and SET options and one
/// `pg_auth_members` row per grantor.
pub const PG16: i32 = 160_000;

/// Which roles [`list_roles`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleFilter {
    /// A SQL `LIKE` pattern the name must match (case-sensitive); `None` = any.
    pub name_pattern: Option<String>,
    /// Only roles that can (`true`) or cannot (`false`) log in; `None` = both.
    pub login: Option<bool>,
    /// Also return the predefined `pg_*` roles.
    pub include_system: bool,
}

/// A role's attributes and direct memberships, as `pg_roles` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInfo {
    /// Role name.
    pub name: String,
    /// The boolean attributes.
    pub flags: RoleFlags,
    /// CONNECTION LIMIT (-1 = unlimited).
    pub connection_limit: i32,
    /// VALID UNTIL in RFC 3339 UTC (`2030-01-01T00:00:00Z`), `infinity` when
    /// unset or infinite, or `-infinity`.
    pub valid_until: String,
    /// Roles this role is directly a member of, sorted, without duplicates.
    pub member_of: Vec<String>,
}

/// Renders `rolvaliduntil` independently of the session's `TimeZone` and
/// `DateStyle`: RFC 3339 in UTC, with fractional seconds only when present.
/// NULL means "never expires", the same as `infinity`, which is also what
/// `postgresql_role` uses for it.
const VALID_UNTIL_TEXT: &str = "\
    CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN 'infinity' \
         WHEN r.rolvaliduntil = '-infinity' THEN '-infinity' \
         ELSE to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') \
              || CASE WHEN date_trunc('second', r.rolvaliduntil) = r.rolvaliduntil THEN '' \
                      ELSE rtrim(to_char(r.rolvaliduntil AT TIME ZONE 'UTC', '.US'), '0') END \
              || 'Z' \
    END";

/// Lists the roles matching `filter`, sorted by name.
pub async fn list_roles<C: GenericClient>(
    client: &C,
    filter: &RoleFilter,
) -> Result<Vec<RoleInfo>, PgError> {
    // `name LIKE text` compares bytes ("C" collation): case-sensitive. A role
    // granted by several grantors (PostgreSQL 16+) is listed once.
    let sql = format!(
        "SELECT r.rolname::text AS rolname, {flags}, r.rolconnlimit, \
                {VALID_UNTIL_TEXT} AS valid_until, \
                ARRAY(SELECT DISTINCT g.rolname FROM pg_catalog.pg_auth_members m \
                      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid \
                      WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of \
         FROM pg_catalog.pg_roles r \
         WHERE ($1::text IS NULL OR r.rolname LIKE $1::text) \
           AND ($2::bool IS NULL OR r.rolcanlogin = $2::bool) \
           AND ($3::bool OR r.rolname !~ '^pg_') \
         ORDER BY r.rolname",
        flags = RoleFlags::columns("r")
    );
    let rows = client
        .query(
            &sql,
            &[&filter.name_pattern, &filter.login, &filter.include_system],
        )
        .await
        .map_err(|e| PgError::query("listing roles", e))?;
    let get_err = |e| PgError::query("reading the role list", e);
    rows.iter()
        .map(|row| {
            Ok(RoleInfo {
                name: row.try_get("rolname").map_err(get_err)?,
                flags: RoleFlags::from_row(row).map_err(get_err)?,
                connection_limit: row.try_get("rolconnlimit").map_err(get_err)?,
                valid_until: row.try_get("valid_until").map_err(get_err)?,
                member_of: row.try_get("member_of").map_err(get_err)?,
            })
        })
        .collect()
}

/// Why a `LIKE` pattern would be rejected by the server, if it would.
///
/// PostgreSQL's default escape character is the backslash; a pattern ending
/// in an unpaired one fails with "LIKE pattern must not end with escape
/// character". Checking here lets validation point at the attribute.
pub fn like_pattern_problem(pattern: &str) -> Option<&'static str> {
    let trailing = pattern.chars().rev().take_while(|c| *c == '\\').count();
    (trailing % 2 == 1).then_some(
        "it ends with an unpaired backslash, the LIKE escape character; write \\\\ for a \
         literal backslash",
    )
}

/// One `pg_auth_members` row of a role: a member and the grant's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The member role.
    pub member: String,
    /// WITH ADMIN OPTION.
    pub admin_option: bool,
    /// Whether the member uses the role's privileges. Before PostgreSQL 16
    /// this is the member's own INHERIT attribute, which decided it then.
    pub inherit_option: bool,
    /// Whether the member may `SET ROLE` to the role. Always true before
    /// PostgreSQL 16, which had no such restriction.
    pub set_option: bool,
    /// The role recorded as grantor; `None` when that role no longer exists
    /// (possible before PostgreSQL 16, which did not track grantors).
    pub grantor: Option<String>,
}

/// The memberships granted in `role`, sorted by member then grantor;
/// `None` when the role does not exist. On PostgreSQL 16+ a member granted
/// the role by several grantors appears once per grantor.
pub async fn role_members<C: GenericClient>(
    client: &C,
    role: &str,
    server_version_num: i32,
) -> Result<Option<Vec<Membership>>, PgError> {
    // One query answers both "does the role exist" (no row at all) and "who
    // are its members" (rows with a NULL member when there are none).
    let options = if server_version_num >= PG16 {
        "m.admin_option, m.inherit_option, m.set_option"
    } else {
        "m.admin_option, mr.rolinherit, true"
    };
    let sql = format!(
        "SELECT m.roleid IS NOT NULL, mr.rolname::text, {options}, gr.rolname::text \
         FROM pg_catalog.pg_roles g \
         LEFT JOIN pg_catalog.pg_auth_members m ON m.roleid = g.oid \
         LEFT JOIN pg_catalog.pg_roles mr ON mr.oid = m.member \
         LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = m.grantor \
         WHERE g.rolname = $1 \
         ORDER BY mr.rolname, gr.rolname, m.grantor"
    );
    let rows = client
        .query(&sql, &[&role])
        .await
        .map_err(|e| PgError::query(format!("reading the members of role {role:?}"), e))?;
    if rows.is_empty() {
        return Ok(None);
    }
    let get_err = |e| PgError::query(format!("reading the members of role {role:?}"), e);
    let mut members = Vec::new();
    for row in &rows {
        let has_member: bool = row.try_get(0).map_err(get_err)?;
        if !has_member {
            continue;
        }
        members.push(Membership {
            member: row.try_get(1).map_err(get_err)?,
            admin_option: row.try_get(2).map_err(get_err)?,
            inherit_option: row.try_get(3).map_err(get_err)?,
            set_option: row.try_get(4).map_err(get_err)?,
            grantor: row.try_get(5).map_err(get_err)?,
        });
    }
    Ok(Some(members))
}

/// A role's effective access to one schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaAccess {
    /// Schema name.
    pub schema: String,
    /// Role name.
    pub role: String,
    /// USAGE on the schema and SELECT on every table, view, materialized
    /// view and foreign table in it (partitions aside).
    pub can_read: bool,
    /// USAGE on the schema and INSERT, UPDATE and DELETE on every ordinary
    /// and partitioned table in it (partitions aside); false when it has no
    /// such table.
    pub can_write: bool,
    /// LOGIN.
    pub is_login: bool,
    /// SUPERUSER.
    pub is_superuser: bool,
}

/// What [`schema_access`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaAccessReport {
    /// Roles with read or write access, by schema (in the order asked,
    /// duplicates dropped) then role name.
    pub access: Vec<SchemaAccess>,
    /// Requested schemas that do not exist, in the order asked.
    pub missing: Vec<String>,
}

/// Effective access, per schema and role.
///
/// `has_schema_privilege`/`has_table_privilege` answer for the privileges a
/// role can use: its own, those inherited through memberships, and PUBLIC's;
/// superusers pass every check. Predefined `pg_*` roles are left out. The
/// table checks stop at the first table a role lacks a privilege on.
///
/// Partitions are skipped: their rows are read and written through the
/// partitioned table, and PostgreSQL checks privileges only on the table
/// named in the statement, so the parent's privileges are what count.
const SCHEMA_ACCESS: &str = "\
WITH wanted AS (
    SELECT s.name, min(s.ord) AS ord
    FROM unnest($1::text[]) WITH ORDINALITY AS s(name, ord)
    GROUP BY s.name
), target AS (
    SELECT w.name, w.ord, n.oid AS nsp
    FROM wanted w LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = w.name
), rels AS MATERIALIZED (
    -- The relations to check, collected once instead of once per role.
    SELECT c.oid, c.relnamespace AS nsp, c.relkind IN ('r', 'p') AS writable
    FROM pg_catalog.pg_class c
    WHERE c.relnamespace IN (SELECT nsp FROM target)
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND NOT c.relispartition
)
SELECT t.name, t.nsp IS NOT NULL, a.rolname::text, a.can_read, a.can_write,
       a.rolcanlogin, a.rolsuper
FROM target t
LEFT JOIN LATERAL (
    SELECT x.* FROM (
        SELECT r.rolname, r.rolcanlogin, r.rolsuper,
               CASE WHEN has_schema_privilege(r.oid, t.nsp, 'USAGE') THEN
                   NOT EXISTS (SELECT 1 FROM rels c
                               WHERE c.nsp = t.nsp
                                 AND NOT has_table_privilege(r.oid, c.oid, 'SELECT'))
               ELSE false END AS can_read,
               CASE WHEN EXISTS (SELECT 1 FROM rels c WHERE c.nsp = t.nsp AND c.writable)
                         AND has_schema_privilege(r.oid, t.nsp, 'USAGE') THEN
                   NOT EXISTS (SELECT 1 FROM rels c
                               WHERE c.nsp = t.nsp AND c.writable
                                 AND NOT (has_table_privilege(r.oid, c.oid, 'INSERT')
                                          AND has_table_privilege(r.oid, c.oid, 'UPDATE')
                                          AND has_table_privilege(r.oid, c.oid, 'DELETE')))
               ELSE false END AS can_write
        FROM pg_catalog.pg_roles r
        WHERE t.nsp IS NOT NULL AND r.rolname !~ '^pg_'
    ) x
    WHERE x.can_read OR x.can_write
) a ON true
ORDER BY t.ord, a.rolname";

/// Who can read or write each of `schemas` in the connected database.
pub async fn schema_access<C: GenericClient>(
    client: &C,
    schemas: &[String],
) -> Result<SchemaAccessReport, PgError> {
    let rows = client
        .query(SCHEMA_ACCESS, &[&schemas])
        .await
        .map_err(|e| PgError::query("checking access to schemas", e))?;
    let get_err = |e| PgError::query("reading schema access", e);
    let mut report = SchemaAccessReport::default();
    for row in &rows {
        let schema: String = row.try_get(0).map_err(get_err)?;
        let found: bool = row.try_get(1).map_err(get_err)?;
        if !found {
            report.missing.push(schema);
            continue;
        }
        // A schema nobody can use comes back as one row without a role.
        let Some(role) = row.try_get::<_, Option<String>>(2).map_err(get_err)? else {
            continue;
        };
        report.access.push(SchemaAccess {
            schema,
            role,
            can_read: row.try_get(3).map_err(get_err)?,
            can_write: row.try_get(4).map_err(get_err)?,
            is_login: row.try_get(5).map_err(get_err)?,
            is_superuser: row.try_get(6).map_err(get_err)?,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_trailing_escape() {
        assert!(like_pattern_problem("app\\").is_some());
        assert!(like_pattern_problem("a\\\\\\").is_some());
        assert!(like_pattern_problem("app\\\\").is_none());
        assert!(like_pattern_problem("app\\_%").is_none());
        assert!(like_pattern_problem("").is_none());
    }
}
