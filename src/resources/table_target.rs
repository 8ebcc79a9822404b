//! What `postgresql_policy` and `postgresql_row_level_security` share: the
//! `database` / `schema` / `table` attributes, connecting to the right
//! database, running table-locking DDL under `lock_timeout`, and turning
//! the errors such DDL meets into diagnostics that name the table.

use tokio_postgres::error::SqlState;

use crate::pg::error::PgError;
use crate::pg::exec::Statement;
use crate::pg::policy::{is_lock_timeout, lock_table, TableName};
use crate::protocol::{Attribute, Diagnostic, Diagnostics, Type, Value};

use super::errors::{pg_diag, ErrorContext};
use super::planned::TableKey;
use super::state::Client;

/// The `database`, `schema` and `table` attributes; a change of any of them
/// replaces the resource.
pub fn attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional(
            "database",
            Type::String,
            "Database holding the table. Default: the provider's `database`.",
        )
        .replaces(),
        Attribute::optional("schema", Type::String, "Schema of the table.")
            .with_default(Value::string("public"))
            .replaces(),
        Attribute::required(
            "table",
            Type::String,
            "Name of the table (exact, case-sensitive; it is always quoted).",
        )
        .replaces(),
    ]
}

/// The table named by a state or plan value, when schema and table are known.
pub fn table_of(v: &Value) -> Option<TableName> {
    Some(TableName {
        schema: v
            .get("schema")
            .as_str()
            .or_else(|| v.get("schema").is_null().then_some("public"))?
            .to_string(),
        table: v.get("table").as_str()?.to_string(),
    })
}

/// The `database` attribute: `Some(None)` for the provider's database,
/// `None` when it is not known yet.
pub fn database_of(v: &Value) -> Option<Option<String>> {
    let d = v.get("database");
    if d.is_null() {
        Some(None)
    } else {
        d.as_str().map(|s| Some(s.to_string()))
    }
}

/// The table as [`super::planned`] keys it: with the database spelled out,
/// so the provider's default database and its explicit name match.
pub fn table_key(client: &Client, database: Option<&str>, table: &TableName) -> TableKey {
    (
        database_label(client, database),
        table.schema.clone(),
        table.table.clone(),
    )
}

/// The database name to show in messages.
pub fn database_label(client: &Client, database: Option<&str>) -> String {
    database
        .unwrap_or(&client.pools.settings().database)
        .to_string()
}

/// Whether connecting failed because the database does not exist (any
/// more), which means everything in it is gone too.
pub fn is_missing_database(err: &PgError) -> bool {
    matches!(err, PgError::Connect { sqlstate: Some(s), .. } if *s == SqlState::INVALID_CATALOG_NAME)
}

/// Runs statements changing `table` in one transaction on `database`, after
/// `SET LOCAL lock_timeout` (when the provider has one) and locking the
/// table ([`lock_table`]).
pub async fn run_in_transaction(
    client: &Client,
    database: Option<&str>,
    table: &TableName,
    statements: &[Statement],
) -> Result<(), PgError> {
    let statements: Vec<Statement> = std::iter::once(lock_table(table))
        .chain(statements.iter().cloned())
        .collect();
    client
        .run_locking_statements(database, "changing a table", &statements)
        .await
}

/// Turns an error from DDL or a read on `table` into diagnostics: a lock
/// timeout and a missing table get messages naming the table; everything
/// else goes through [`pg_diag`].
pub fn table_diag(
    client: &Client,
    err: &PgError,
    database: Option<&str>,
    table: &TableName,
    ctx: &ErrorContext,
) -> Diagnostics {
    let server = err.db_message().unwrap_or_else(|| err.to_string());
    let db = database_label(client, database);
    if is_lock_timeout(err) {
        let waited = client
            .lock_timeout
            .map(|t| format!("lock_timeout ({} ms)", t.as_millis()))
            .unwrap_or_else(|| "the server's lock_timeout".to_string());
        return Diagnostic::error(
            "Table Locked By Another Session",
            format!(
                "Another session holds a lock on table {} in database {db:?}, and the provider \
                 gave up after waiting {waited}: {server}\n\nNothing was changed. Changing \
                 policies and row-level security needs an ACCESS EXCLUSIVE lock on the table. \
                 Find the blocking session (pg_locks, pg_stat_activity), let it finish or end \
                 it, then apply again; or raise lock_timeout in the provider block.",
                table.quoted()
            ),
        )
        .into();
    }
    if err.sqlstate() == Some(&SqlState::UNDEFINED_TABLE) {
        return Diagnostic::error(
            "Table Not Found",
            format!(
                "{server}\n\nTable {} does not exist in database {db:?}. Create it first, or \
                 check database, schema and table (names are case-sensitive and used exactly as \
                 written).",
                table.quoted()
            ),
        )
        .into();
    }
    pg_diag(err, ctx)
}
