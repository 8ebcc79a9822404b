//! What `postgresql_policy` and `postgresql_row_level_security` share: the
//! `database` / `schema` / `table` attributes, running table-locking DDL
//! under `lock_timeout` in the right database, and turning the errors such
//! DDL meets into diagnostics that name the table.

use crate::pg::conn::exec::Statement;
use crate::pg::conn::locks;
use crate::pg::error::PgError;
use crate::pg::rls::table::{lock_table, TableName};
use crate::protocol::model;
use crate::protocol::{Attribute, Diagnostic, Diagnostics, Tf};

use crate::resources::review::planned::TableKey;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::TableId;
use crate::resources::support::state::Client;
use crate::resources::support::validators;

/// The `database` attribute.
pub fn database_attr() -> Attribute {
    model::optional("Database holding the table. Default: the provider's `database`.")
        .replaces()
        .each(validators::database_name)
}

/// The `schema` attribute.
pub fn schema_attr() -> Attribute {
    model::optional("Schema of the table.")
        .default("public")
        .replaces()
        .each(validators::schema_name)
}

/// The `table` attribute.
pub fn table_attr() -> Attribute {
    model::required("Name of the table (exact, case-sensitive; it is always quoted).")
        .replaces()
        .each(validators::table_name)
}

/// A model of something on one table, with the three attributes above.
pub trait OnTable {
    /// `database`; `None` for the provider's.
    fn database(&self) -> Option<&str>;
    /// The table.
    fn table_name(&self) -> TableName;

    /// The table as an import ID names it: the database when set, the
    /// schema and the table.
    fn table_id(&self) -> TableId {
        let t = self.table_name();
        TableId {
            database: self.database().map(str::to_string),
            schema: t.schema,
            table: t.table,
        }
    }
}

/// The table a plan or state names, when schema and table are known; an
/// unset schema is `public`.
pub fn table_of(schema: &Tf<String>, table: &Tf<String>) -> Option<TableName> {
    Some(TableName {
        schema: match schema {
            Tf::Null => "public".to_string(),
            s => s.as_str()?.to_string(),
        },
        table: table.as_str()?.to_string(),
    })
}

/// The `database` attribute: `Some(None)` for the provider's database,
/// `None` when it is not known yet.
pub fn database_of(database: &Tf<String>) -> Option<Option<String>> {
    match database {
        Tf::Null => Some(None),
        Tf::Unknown => None,
        Tf::Known(s) => Some(Some(s.clone())),
    }
}

/// The table as [`crate::resources::review::planned`] keys it: with the database spelled out,
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

/// Runs statements changing `table` in one transaction on `database`, after
/// `SET LOCAL lock_timeout` (when the provider has one) and locking the
/// table ([`lock_table`]).
pub async fn run_in_transaction(
    client: &Client,
    database: Option<&str>,
    table: &TableName,
    statements: &[Statement],
) -> Result<(), PgError> {
    let statements: Vec<Statement> = locks::statements(vec![lock_table(table)])
        .into_iter()
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
    if err.is_lock_timeout() {
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
    if err.is_undefined_table() {
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
