//! Running statements that carry a secret (a password in `OPTIONS` or a
//! connection string) with the server's statement logging turned off for
//! the transaction, so that `log_statement = all` (or `ddl`), a slow
//! statement or a failed one does not write the secret to the server log.
//!
//! The three settings involved are superuser-only (`PGC_SUSET`): a
//! superuser may change them, and since PostgreSQL 15 any role granted
//! `SET` on all three (`GRANT SET ON PARAMETER log_statement, ... TO ...`).
//! A role that may not is never refused: its statements run as before, and
//! the server may then log them. The provider's own log never carries the
//! secret either way (see [`crate::pg::conn::exec`]).

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::error::PgError;

/// The first server version with privileges on parameters
/// (`has_parameter_privilege`, `GRANT SET ON PARAMETER`).
const PARAMETER_PRIVILEGES_SINCE: i32 = 150_000;

/// The settings that would put a statement's text in the server log, with
/// the value that keeps it out: `log_statement` logs it when it runs,
/// `log_min_error_statement` when it fails, `log_min_duration_statement`
/// when it is slow.
const SILENCE: [(&str, &str); 3] = [
    ("log_statement", "'none'"),
    ("log_min_error_statement", "'panic'"),
    ("log_min_duration_statement", "-1"),
];

/// Whether this session may turn statement logging off: superuser, or (15+) `SET` granted on
/// all three parameters (`has_parameter_privilege(current_user, 'log_statement', 'SET')` ...).
pub async fn can_silence<C: GenericClient>(client: &C, version_num: i32) -> Result<bool, PgError> {
    let mut sql = String::from("SELECT pg_catalog.current_setting('is_superuser') = 'on'");
    if version_num >= PARAMETER_PRIVILEGES_SINCE {
        let granted: Vec<String> = SILENCE
            .iter()
            .map(|(name, _)| {
                format!("pg_catalog.has_parameter_privilege(current_user, '{name}', 'SET')")
            })
            .collect();
        sql.push_str(&format!(" OR ({})", granted.join(" AND ")));
    }
    let row = client
        .query_one(sql.as_str(), &[])
        .await
        .map_err(|e| PgError::query("checking whether statement logging can be turned off", e))?;
    row.try_get(0)
        .map_err(|e| PgError::query("checking whether statement logging can be turned off", e))
}

/// The `SET LOCAL` statements that turn statement logging off until the
/// transaction ends, one per setting.
pub fn silence_statements() -> Vec<Statement> {
    SILENCE
        .iter()
        .map(|(name, value)| Statement::plain(format!("SET LOCAL {name} = {value}")))
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
        run_all(client, &silence_statements()).await?;
    } else if !statements.is_empty() {
        log::warn!(
            "the provider's role may not turn statement logging off (it needs SUPERUSER, or SET \
             on log_statement, log_min_error_statement and log_min_duration_statement), so the \
             server may log the next statement, secret included"
        );
    }
    run_all(client, statements).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_set_locally_on_its_own() {
        let sql: Vec<String> = silence_statements().into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "SET LOCAL log_statement = 'none'",
                "SET LOCAL log_min_error_statement = 'panic'",
                "SET LOCAL log_min_duration_statement = -1",
            ]
        );
    }
}
