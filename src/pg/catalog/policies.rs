//! Every row-level security policy of one database, expressions printed
//! under `search_path = ''` exactly as [`crate::pg::rls::policy::read_policy`]
//! prints them, in one query.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio_postgres::Client;

use crate::pg::conn::exec::{run_locked, Statement};
use crate::pg::error::PgError;
use crate::pg::rls::policy::{Command, PolicyRow};
use crate::pg::rls::table::TableName;

/// Every policy, by table and name.
#[derive(Debug, Clone, Default)]
pub struct PolicyCatalog {
    policies: BTreeMap<(String, String, String), PolicyRow>,
}

impl PolicyCatalog {
    /// The policy `name` on `table`.
    pub fn get(&self, table: &TableName, name: &str) -> Option<&PolicyRow> {
        self.policies
            .get(&(table.schema.clone(), table.table.clone(), name.to_string()))
    }

    /// Every policy with its table and name, ordered by schema, table and name.
    pub fn iter(&self) -> impl Iterator<Item = (TableName, &str, &PolicyRow)> {
        self.policies.iter().map(|((schema, table, name), row)| {
            (
                TableName {
                    schema: schema.clone(),
                    table: table.clone(),
                },
                name.as_str(),
                row,
            )
        })
    }
}

/// Reads every policy of the connected database with one query.
///
/// `pg_get_expr` locks each table with a policy (ACCESS SHARE), so the read
/// runs under the provider's `lock_timeout` too, in a transaction that is
/// rolled back.
pub async fn read_policies(
    client: &mut Client,
    lock_timeout: Option<Duration>,
) -> Result<PolicyCatalog, PgError> {
    const SQL: &str = "\
        SELECT n.nspname::text, c.relname::text, p.polname::text, \
               p.oid, p.polcmd::text, p.polpermissive, \
               CASE WHEN p.polroles = '{0}'::pg_catalog.oid[] THEN ARRAY['public']::text[] \
                    ELSE ARRAY(SELECT a.rolname::text FROM pg_catalog.pg_roles a \
                               WHERE a.oid = ANY (p.polroles) ORDER BY 1) END, \
               pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
               pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
        FROM pg_catalog.pg_policy p \
        JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace";
    let action = "reading every policy of the database";
    let tx = client
        .transaction()
        .await
        .map_err(|e| PgError::query(action, e))?;
    run_locked(
        &tx,
        lock_timeout,
        &[Statement::plain("SET LOCAL search_path = ''")],
    )
    .await?;
    let rows = tx
        .query(SQL, &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    tx.rollback().await.map_err(|e| PgError::query(action, e))?;
    let mut policies = BTreeMap::new();
    for r in &rows {
        let get = |e| PgError::query(action, e);
        let polcmd: String = r.try_get(4).map_err(get)?;
        let row = PolicyRow {
            oid: r.try_get(3).map_err(get)?,
            command: Command::from_polcmd(&polcmd),
            polcmd,
            permissive: r.try_get(5).map_err(get)?,
            roles: r.try_get(6).map_err(get)?,
            using: r.try_get(7).map_err(get)?,
            with_check: r.try_get(8).map_err(get)?,
        };
        let key = (
            r.try_get(0).map_err(get)?,
            r.try_get(1).map_err(get)?,
            r.try_get(2).map_err(get)?,
        );
        policies.insert(key, row);
    }
    Ok(PolicyCatalog { policies })
}
