//! What the row-level-security lints of a database read from its catalog:
//! for every plain or partitioned table, its switches, its owner, how many
//! policies it has, and (for a partitioned table with row-level security)
//! the partitions that lack it. Two queries for the whole database, so the
//! `postgresql_lints` data source costs the same for ten tables or ten
//! thousand.

use std::collections::BTreeMap;

use tokio_postgres::GenericClient;

use crate::pg::catalog::SYSTEM_SCHEMA_SQL;
use crate::pg::error::PgError;
use crate::pg::rls::table::TableName;

/// One table, as the lints see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFacts {
    /// The table.
    pub table: TableName,
    /// Whether it is a partitioned table (`relkind = 'p'`).
    pub partitioned: bool,
    /// `relrowsecurity`.
    pub rls_enabled: bool,
    /// `relforcerowsecurity`.
    pub rls_forced: bool,
    /// The owner's name.
    pub owner: String,
    /// Whether the owner can log in.
    pub owner_can_login: bool,
    /// How many policies the table has.
    pub policies: i64,
    /// For a partitioned table with row-level security enabled: its
    /// partitions, at any depth, that do not have it enabled.
    pub partitions_without_rls: Vec<TableName>,
}

/// Which tables to read.
#[derive(Debug, Clone, Default)]
pub struct TableFilter {
    /// Only this schema; every schema but PostgreSQL's own when `None`.
    pub schema: Option<String>,
    /// Only tables of these names (in any schema the filter keeps); every
    /// table when empty.
    pub tables: Vec<String>,
}

/// The facts of every plain or partitioned table the filter keeps, sorted
/// by schema and name.
pub async fn table_facts<C: GenericClient>(
    client: &C,
    filter: &TableFilter,
) -> Result<Vec<TableFacts>, PgError> {
    let action = "reading the tables' row-level security";
    let err = |e| PgError::query(action, e);
    let sql = format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'p', c.relrowsecurity, \
                c.relforcerowsecurity, o.rolname::text, o.rolcanlogin, \
                (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid) \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_roles o ON o.oid = c.relowner \
         WHERE c.relkind IN ('r', 'p') \
           AND CASE WHEN $1::text IS NULL THEN NOT {SYSTEM_SCHEMA_SQL} \
                    ELSE n.nspname = $1 END \
           AND (pg_catalog.cardinality($2::text[]) = 0 OR c.relname = ANY ($2)) \
         ORDER BY 2, 3"
    );
    let rows = client
        .query(sql.as_str(), &[&filter.schema, &filter.tables])
        .await
        .map_err(err)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut oids = Vec::with_capacity(rows.len());
    for r in &rows {
        let oid: u32 = r.try_get(0).map_err(err)?;
        oids.push(oid);
        out.push(TableFacts {
            table: TableName {
                schema: r.try_get(1).map_err(err)?,
                table: r.try_get(2).map_err(err)?,
            },
            partitioned: r.try_get(3).map_err(err)?,
            rls_enabled: r.try_get(4).map_err(err)?,
            rls_forced: r.try_get(5).map_err(err)?,
            owner: r.try_get(6).map_err(err)?,
            owner_can_login: r.try_get(7).map_err(err)?,
            policies: r.try_get(8).map_err(err)?,
            partitions_without_rls: Vec::new(),
        });
    }
    let parents: BTreeMap<u32, usize> = oids
        .iter()
        .zip(&out)
        .enumerate()
        .filter(|(_, (_, t))| t.partitioned && t.rls_enabled)
        .map(|(i, (oid, _))| (*oid, i))
        .collect();
    if parents.is_empty() {
        return Ok(out);
    }
    let rows = client
        .query(
            "WITH RECURSIVE parts(root, oid) AS ( \
                 SELECT i.inhparent, i.inhrelid FROM pg_catalog.pg_inherits i \
                 WHERE i.inhparent = ANY ($1::oid[]) \
                 UNION ALL \
                 SELECT p.root, i.inhrelid FROM pg_catalog.pg_inherits i \
                 JOIN parts p ON i.inhparent = p.oid) \
             SELECT parts.root, n.nspname::text, c.relname::text \
             FROM parts JOIN pg_catalog.pg_class c ON c.oid = parts.oid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT c.relrowsecurity ORDER BY 1, 2, 3",
            &[&parents.keys().copied().collect::<Vec<u32>>()],
        )
        .await
        .map_err(err)?;
    for r in &rows {
        let root: u32 = r.try_get(0).map_err(err)?;
        let part = TableName {
            schema: r.try_get(1).map_err(err)?,
            table: r.try_get(2).map_err(err)?,
        };
        if let Some(&i) = parents.get(&root) {
            out[i].partitions_without_rls.push(part);
        }
    }
    Ok(out)
}

/// Whether a schema of that name exists.
pub async fn schema_exists<C: GenericClient>(client: &C, name: &str) -> Result<bool, PgError> {
    let action = format!("looking up schema {name:?}");
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
            &[&name],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| PgError::query(action, e))
}
