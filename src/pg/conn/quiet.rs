//! Statements that carry a secret (a connection string with a password),
//! run with the server's statement logging off for the session, so the
//! secret does not reach the server's log.
//!
//! The provider's own log never shows a secret (see
//! [`crate::pg::conn::exec`]), but a server with `log_statement = all` (or
//! `ddl`), a `log_min_duration_statement`, or an error in the statement
//! (`log_min_error_statement`) would write the statement text into its log.
//! Those three settings may be changed only by a superuser or, from
//! PostgreSQL 15, by a role granted `SET` on them (`GRANT SET ON PARAMETER
//! log_statement, log_min_error_statement, log_min_duration_statement TO
//! …`). [`can_silence`] says whether this session may; when it may not, the
//! statements run as they are and the server may log them.
//!
//! Each setting is sent as a statement of its own before the secret-bearing
//! ones: a setting inside the same statement text would be logged with it.
//! In a transaction they are `SET LOCAL` ([`run_quietly`]) and end with it;
//! for statements that cannot run in a transaction, [`run_quietly_alone`]
//! uses `SET` and `RESET`s them afterwards on the same connection.

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::error::PgError;

/// The settings turned off, and the value that turns each off.
const QUIET: [(&str, &str); 3] = [
    ("log_statement", "'none'"),
    ("log_min_error_statement", "'panic'"),
    ("log_min_duration_statement", "-1"),
];

/// Whether this session may turn statement logging off: superuser, or (15+) `SET` granted on
/// all three parameters (`has_parameter_privilege(current_user, 'log_statement', 'SET')` ...).
pub async fn can_silence<C: GenericClient>(client: &C, version_num: i32) -> Result<bool, PgError> {
    let sql = if version_num >= 150_000 {
        "SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), \
                         false) \
             OR (pg_catalog.has_parameter_privilege(current_user, 'log_statement', 'SET') \
                 AND pg_catalog.has_parameter_privilege(current_user, 'log_min_error_statement', \
                                                        'SET') \
                 AND pg_catalog.has_parameter_privilege(current_user, \
                                                        'log_min_duration_statement', 'SET'))"
    } else {
        "SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), \
                         false)"
    };
    let row = client
        .query_one(sql, &[])
        .await
        .map_err(|e| PgError::query("checking whether statement logging can be turned off", e))?;
    row.try_get(0)
        .map_err(|e| PgError::query("reading whether statement logging can be turned off", e))
}

/// The statements that turn logging off, `SET LOCAL` or `SET`.
fn silencing(local: bool) -> Vec<Statement> {
    let scope = if local { "SET LOCAL" } else { "SET" };
    QUIET
        .iter()
        .map(|(name, off)| Statement::plain(format!("{scope} {name} = {off}")))
        .collect()
}

/// Runs `statements` with `log_statement = 'none'`, `log_min_error_statement = 'panic'` and
/// `log_min_duration_statement = -1` set with `SET LOCAL` first (one statement each, sent
/// separately before the secret-bearing ones) when `silence` is true; inside the caller's
/// transaction, so `SET LOCAL` ends with it. Returns the same errors as `exec::run_all`.
pub async fn run_quietly<C: GenericClient>(
    client: &C,
    silence: bool,
    statements: &[Statement],
) -> Result<(), PgError> {
    if silence {
        run_all(client, &silencing(true)).await?;
    } else {
        warn_unsilenced(statements);
    }
    run_all(client, statements).await
}

/// Says, in the provider's log, that the server may log what comes next.
fn warn_unsilenced(statements: &[Statement]) {
    if !statements.is_empty() {
        log::warn!(
            "the provider's role may not turn statement logging off (it needs SUPERUSER, or SET \
             on log_statement, log_min_error_statement and log_min_duration_statement), so the \
             server may log the next statement, secret included"
        );
    }
}

/// [`run_quietly`] for statements that cannot run in a transaction block,
/// on a connection in autocommit: the settings are `SET` before and
/// `RESET` after, whatever the statements' outcome (the statements' error
/// wins). A caller whose `RESET` failed must not hand the connection to
/// anyone else; [`crate::pg::conn::alone`] never does.
pub async fn run_quietly_alone<C: GenericClient>(
    client: &C,
    silence: bool,
    statements: &[Statement],
) -> Result<(), PgError> {
    if !silence {
        warn_unsilenced(statements);
        return run_all(client, statements).await;
    }
    let result = match run_all(client, &silencing(false)).await {
        Ok(()) => run_all(client, statements).await,
        Err(e) => Err(e),
    };
    let reset: Vec<Statement> = QUIET
        .iter()
        .map(|(name, _)| Statement::plain(format!("RESET {name}")))
        .collect();
    let restored = run_all(client, &reset).await;
    result.and(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_per_setting() {
        let local: Vec<String> = silencing(true).into_iter().map(|s| s.sql).collect();
        assert_eq!(
            local,
            [
                "SET LOCAL log_statement = 'none'",
                "SET LOCAL log_min_error_statement = 'panic'",
                "SET LOCAL log_min_duration_statement = -1",
            ]
        );
        assert!(silencing(false)
            .iter()
            .all(|s| s.sql.starts_with("SET log_")));
    }
}
