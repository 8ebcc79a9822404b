//! Small SQL helpers for checking what the provider did, straight from the
//! catalog. They panic with PostgreSQL's own message (SQLSTATE, detail,
//! hint) because tokio-postgres's `Display` only says "db error".

use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

/// Query parameters, as tokio-postgres takes them.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Runs a query returning exactly one row and returns its first column as
/// text; panics on errors, on another number of rows and on NULL.
pub async fn query_one_str(client: &Client, sql: &str, params: Params<'_>) -> String {
    query_opt_str(client, sql, params)
        .await
        .unwrap_or_else(|| panic!("query returned NULL: {sql}"))
}

/// Like [`query_one_str`], but a NULL value gives `None`.
pub async fn query_opt_str(client: &Client, sql: &str, params: Params<'_>) -> Option<String> {
    let row = client
        .query_one(sql, params)
        .await
        .unwrap_or_else(|e| panic!("query failed: {}\n  sql: {sql}", db_err_text(&e)));
    row.get::<_, Option<String>>(0)
}

/// The first column of every row, as text (NULLs panic); handy for
/// comparing lists such as role members or ACL entries.
pub async fn query_strings(client: &Client, sql: &str, params: Params<'_>) -> Vec<String> {
    client
        .query(sql, params)
        .await
        .unwrap_or_else(|e| panic!("query failed: {}\n  sql: {sql}", db_err_text(&e)))
        .iter()
        .map(|row| row.get::<_, String>(0))
        .collect()
}

/// Whether the query returns at least one row (e.g.
/// `SELECT 1 FROM pg_roles WHERE rolname = $1`).
pub async fn exists(client: &Client, sql: &str, params: Params<'_>) -> bool {
    !client
        .query(sql, params)
        .await
        .unwrap_or_else(|e| panic!("query failed: {}\n  sql: {sql}", db_err_text(&e)))
        .is_empty()
}

/// Runs one or more statements (simple query protocol, no parameters);
/// panics with the server's message on failure.
pub async fn exec(client: &Client, sql: &str) {
    if let Err(e) = client.batch_execute(sql).await {
        panic!("statement failed: {}\n  sql: {sql}", db_err_text(&e));
    }
}

/// The full text of an error: for server errors severity, SQLSTATE, message,
/// detail and hint; otherwise the error and its sources.
pub fn db_err_text(err: &tokio_postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        let mut text = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("\n  DETAIL: {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("\n  HINT: {hint}"));
        }
        return text;
    }
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// Evaluates a boolean SQL expression, such as
/// `has_table_privilege('app', 's.t', 'SELECT')`.
pub async fn truth(client: &Client, expr: &str) -> bool {
    query_one_str(client, &format!("SELECT ({expr})::text"), &[]).await == "true"
}

/// Asserts that each boolean SQL expression has the expected value; the
/// message names the first one that does not.
pub async fn expect_truths(client: &Client, checks: &[(&str, bool)]) {
    for (expr, want) in checks {
        assert_eq!(truth(client, expr).await, *want, "{expr}");
    }
}
