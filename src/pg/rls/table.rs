//! Tables as the row-level-security resources see them: their name, the
//! lock every policy or RLS change takes first, the RLS switches, and what
//! the plan needs to know about a table and who can see all of it.

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::conn::locks::Lock;
use crate::pg::error::PgError;
use crate::pg::sql::quote::qualified;

/// A table, by schema and name (in the database the connection is on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    /// Schema name.
    pub schema: String,
    /// Table name.
    pub table: String,
}

impl TableName {
    /// `"schema"."table"`, for SQL and messages.
    pub fn quoted(&self) -> String {
        qualified(&self.schema, &self.table)
    }
}

/// The lock taken first in every transaction that changes policies or RLS
/// switches ([`Lock::Table`]).
pub fn lock_table(table: &TableName) -> Lock<'_> {
    Lock::Table {
        schema: &table.schema,
        table: &table.table,
    }
}

/// `ALTER TABLE ... ENABLE|DISABLE ROW LEVEL SECURITY, FORCE|NO FORCE ...`.
pub fn set_row_level_security(table: &TableName, enabled: bool, forced: bool) -> Statement {
    Statement::plain(format!(
        "ALTER TABLE {} {} ROW LEVEL SECURITY, {} ROW LEVEL SECURITY",
        table.quoted(),
        if enabled { "ENABLE" } else { "DISABLE" },
        if forced { "FORCE" } else { "NO FORCE" }
    ))
}

/// What the provider needs to know about a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// `pg_class.oid`.
    pub oid: u32,
    /// `pg_class.relkind` (`r` table, `p` partitioned table, ...).
    pub kind: String,
    /// `relrowsecurity`: ENABLE ROW LEVEL SECURITY.
    pub rls_enabled: bool,
    /// `relforcerowsecurity`: FORCE ROW LEVEL SECURITY.
    pub rls_forced: bool,
    /// Owner role name.
    pub owner: String,
    /// Whether the owner can log in.
    pub owner_can_login: bool,
    /// Whether Citus distributes the table (a distributed or reference
    /// table, with shards on the workers).
    pub citus: bool,
}

/// Reads a table's RLS flags and owner; `None` when it does not exist.
pub async fn read_table<C: GenericClient>(
    client: &C,
    table: &TableName,
) -> Result<Option<TableInfo>, PgError> {
    let action = format!("reading table {}", table.quoted());
    let row = client
        .query_opt(
            "SELECT c.oid, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity, \
                    o.rolname::text, o.rolcanlogin \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_catalog.pg_roles o ON o.oid = c.relowner \
             WHERE n.nspname = $1 AND c.relname = $2",
            &[&table.schema, &table.table],
        )
        .await
        .map_err(|e| PgError::query(&action, e))?;
    let Some(row) = row else { return Ok(None) };
    let get = |e| PgError::query(&action, e);
    let oid: u32 = row.try_get(0).map_err(get)?;
    Ok(Some(TableInfo {
        oid,
        kind: row.try_get(1).map_err(get)?,
        rls_enabled: row.try_get(2).map_err(get)?,
        rls_forced: row.try_get(3).map_err(get)?,
        owner: row.try_get(4).map_err(get)?,
        owner_can_login: row.try_get(5).map_err(get)?,
        citus: crate::pg::citus::is_distributed(client, oid).await?,
    }))
}

/// For each existing role among `roles`: whether it can already see every
/// row of a table owned by `owner` without any policy, because it is a
/// superuser, has BYPASSRLS, or is the owner or a member of it (and so can
/// switch row-level security off). Roles that do not exist are left out.
pub async fn roles_that_bypass<C: GenericClient>(
    client: &C,
    roles: &[String],
    owner: &str,
) -> Result<Vec<(String, bool)>, PgError> {
    let rows = client
        .query(
            "SELECT r.rolname::text, \
                    r.rolsuper OR r.rolbypassrls \
                    OR pg_catalog.pg_has_role(r.oid, o.oid, 'MEMBER') \
             FROM pg_catalog.pg_roles r \
             JOIN pg_catalog.pg_roles o ON o.rolname = $2 \
             WHERE r.rolname = ANY ($1::text[])",
            &[&roles, &owner],
        )
        .await
        .map_err(|e| PgError::query("reading role attributes", e))?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)
                    .map_err(|e| PgError::query("reading role attributes", e))?,
                r.try_get(1)
                    .map_err(|e| PgError::query("reading role attributes", e))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> TableName {
        TableName {
            schema: "app".into(),
            table: "Items".into(),
        }
    }

    #[test]
    fn table_statements() {
        assert_eq!(
            lock_table(&t()).statement().sql,
            "LOCK TABLE ONLY \"app\".\"Items\" IN ACCESS EXCLUSIVE MODE"
        );
        assert_eq!(
            set_row_level_security(&t(), true, false).sql,
            "ALTER TABLE \"app\".\"Items\" ENABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY"
        );
    }
}
