//! Replication slots, logical (`postgresql_replication_slot`) and physical
//! (`postgresql_physical_replication_slot`): created and dropped with
//! PostgreSQL's functions, read from `pg_replication_slots`.
//!
//! Slots belong to the cluster, but a logical slot decodes one database,
//! and is created (and read) connected to it. Neither kind is
//! transactional: a slot created by a transaction that then rolls back
//! stays. Slot names take only lower-case letters, digits and `_`
//! ([`name_problem`]).

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::quote::literal;

/// The longest slot name (`NAMEDATALEN - 1`).
pub const MAX_NAME_BYTES: usize = 63;

/// What is wrong with a slot name, as PostgreSQL's rule has it (lower-case
/// ASCII letters, digits and `_`, 1 to 63 of them); `None` when nothing.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("it is empty".into())
    } else if name.len() > MAX_NAME_BYTES {
        Some(format!(
            "it is {} bytes long, more than {MAX_NAME_BYTES}",
            name.len()
        ))
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
            .map(|c| {
                format!(
                    "it contains {c:?}; slot names may only contain lower-case letters, \
                     digits and the underscore"
                )
            })
    }
}

/// `pg_create_logical_replication_slot`; `failover` (PostgreSQL 17) lets a
/// standby take the slot over.
pub fn create_logical(name: &str, plugin: &str, failover: bool) -> Statement {
    let extra = if failover { ", false, false, true" } else { "" };
    Statement::plain(format!(
        "SELECT FROM pg_catalog.pg_create_logical_replication_slot({}, {}{extra})",
        literal(name),
        literal(plugin)
    ))
}

/// `pg_create_physical_replication_slot`.
pub fn create_physical(name: &str) -> Statement {
    Statement::plain(format!(
        "SELECT FROM pg_catalog.pg_create_physical_replication_slot({})",
        literal(name)
    ))
}

/// `pg_drop_replication_slot`, when the slot is there (a slot dropped
/// meanwhile is not an error).
pub fn drop(name: &str) -> Statement {
    Statement::plain(format!(
        "SELECT pg_catalog.pg_drop_replication_slot(slot_name) \
         FROM pg_catalog.pg_replication_slots WHERE slot_name = {}",
        literal(name)
    ))
}

/// A logical slot as `pg_replication_slots` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalSlot {
    /// Its name.
    pub name: String,
    /// The output plugin.
    pub plugin: String,
    /// The database it decodes.
    pub database: String,
    /// Whether it is synchronized to standbys (PostgreSQL 17; false before).
    pub failover: bool,
}

fn logical_columns(version_num: i32) -> &'static str {
    if version_num >= 170_000 {
        "slot_name::text, plugin::text, database::text, failover"
    } else {
        "slot_name::text, plugin::text, database::text, false"
    }
}

fn logical_of(r: &tokio_postgres::Row) -> Result<LogicalSlot, PgError> {
    let get = |e| PgError::query("reading a logical replication slot", e);
    Ok(LogicalSlot {
        name: r.try_get(0).map_err(get)?,
        plugin: r.try_get(1).map_err(get)?,
        database: r.try_get(2).map_err(get)?,
        failover: r.try_get(3).map_err(get)?,
    })
}

/// The logical slot `name` (not a temporary one), whatever its database.
pub async fn read_logical<C: GenericClient>(
    client: &C,
    name: &str,
    version_num: i32,
) -> Result<Option<LogicalSlot>, PgError> {
    let sql = format!(
        "SELECT {} FROM pg_catalog.pg_replication_slots \
         WHERE slot_name = $1 AND slot_type = 'logical' AND NOT temporary",
        logical_columns(version_num)
    );
    let row = client
        .query_opt(&sql, &[&name])
        .await
        .map_err(|e| PgError::query(format!("reading replication slot {name:?}"), e))?;
    row.as_ref().map(logical_of).transpose()
}

/// Every logical slot of the connection's database (temporary ones left
/// out).
pub async fn list_logical<C: GenericClient>(
    client: &C,
    version_num: i32,
) -> Result<Vec<LogicalSlot>, PgError> {
    let sql = format!(
        "SELECT {} FROM pg_catalog.pg_replication_slots \
         WHERE slot_type = 'logical' AND NOT temporary \
           AND database = pg_catalog.current_database() ORDER BY 1",
        logical_columns(version_num)
    );
    let rows = client
        .query(&sql, &[])
        .await
        .map_err(|e| PgError::query("listing logical replication slots", e))?;
    rows.iter().map(logical_of).collect()
}

/// Whether the physical slot `name` exists.
pub async fn physical_exists<C: GenericClient>(client: &C, name: &str) -> Result<bool, PgError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT FROM pg_catalog.pg_replication_slots \
                            WHERE slot_name = $1 AND slot_type = 'physical')",
            &[&name],
        )
        .await
        .map_err(|e| PgError::query(format!("reading replication slot {name:?}"), e))?;
    row.try_get(0)
        .map_err(|e| PgError::query(format!("reading replication slot {name:?}"), e))
}

/// Every physical slot of the cluster (temporary ones left out).
pub async fn list_physical<C: GenericClient>(client: &C) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "SELECT slot_name::text FROM pg_catalog.pg_replication_slots \
             WHERE slot_type = 'physical' AND NOT temporary ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| PgError::query("listing physical replication slots", e))?;
    rows.iter()
        .map(|r| {
            r.try_get(0)
                .map_err(|e| PgError::query("listing physical replication slots", e))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_quote_names_as_literals() {
        assert_eq!(
            create_logical("s_1", "pgoutput", false).sql,
            "SELECT FROM pg_catalog.pg_create_logical_replication_slot('s_1', 'pgoutput')"
        );
        assert_eq!(
            create_logical("s", "test_decoding", true).sql,
            "SELECT FROM pg_catalog.pg_create_logical_replication_slot('s', 'test_decoding', \
             false, false, true)"
        );
        assert_eq!(
            create_physical("p").sql,
            "SELECT FROM pg_catalog.pg_create_physical_replication_slot('p')"
        );
        assert!(drop("it's").sql.contains("slot_name = 'it''s'"));
    }

    #[test]
    fn slot_names_follow_postgresql_rule() {
        assert_eq!(name_problem("slot_1"), None);
        assert_eq!(name_problem(&"a".repeat(63)), None);
        assert!(name_problem(&"a".repeat(64)).unwrap().contains("64 bytes"));
        assert!(name_problem("Slot").unwrap().contains("'S'"));
        assert!(name_problem("a-b").is_some());
        assert!(name_problem("").is_some());
    }
}
