//! Running statements with a log line that never carries a secret.
//!
//! Utility statements (CREATE ROLE and friends) cannot take bind parameters,
//! so values go in as quoted literals. A [`Statement`] keeps the SQL sent to
//! the server next to a redacted copy for the debug log: a password literal
//! (`PASSWORD '…'`) is replaced whole, and a connection string
//! (`CONNECTION 'host=… password=…'`) keeps everything but its passwords.

use tokio_postgres::GenericClient;

use crate::pg::error::PgError;
use crate::pg::sql::conninfo;
use crate::pg::sql::quote::literal;

/// A statement plus the text that may be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// SQL sent to the server.
    pub sql: String,
    /// SQL written to the log: identical unless a secret was replaced.
    pub log: String,
}

impl Statement {
    /// A statement without secrets.
    pub fn plain(sql: impl Into<String>) -> Statement {
        let sql = sql.into();
        Statement {
            log: sql.clone(),
            sql,
        }
    }

    /// A statement built from parts where `secret` appears in `sql` and the
    /// log shows `[redacted]` instead.
    pub fn with_secret(before: &str, secret_literal: &str, after: &str) -> Statement {
        Statement {
            sql: format!("{before}{secret_literal}{after}"),
            log: format!("{before}'[redacted]'{after}"),
        }
    }

    /// A statement built from parts with the libpq connection string
    /// `conninfo` as a literal between them; the log shows the string with
    /// its passwords replaced ([`conninfo::redact`]).
    pub fn with_conninfo(before: &str, conninfo: &str, after: &str) -> Statement {
        Statement {
            sql: format!("{before}{}{after}", literal(conninfo)),
            log: format!("{before}{}{after}", literal(&conninfo::redact(conninfo))),
        }
    }
}

/// `SET LOCAL lock_timeout` for DDL that must not queue behind a long
/// transaction.
pub fn lock_timeout_statement(d: std::time::Duration) -> Statement {
    Statement::plain(format!("SET LOCAL lock_timeout = {}", d.as_millis()))
}

/// Runs statements in order on a client or transaction, logging each one.
/// Each goes through the extended query protocol, which refuses text holding
/// a second statement: a value that slipped past quoting could end the
/// statement early, but never run one of its own.
pub async fn run_all<C: GenericClient>(
    client: &C,
    statements: &[Statement],
) -> Result<(), PgError> {
    for s in statements {
        log::debug!("executing SQL: {}", s.log);
        client
            .execute(s.sql.as_str(), &[])
            .await
            .map_err(|e| PgError::query(format!("executing `{}`", s.log), e))?;
    }
    Ok(())
}

/// Runs statements in order (see [`run_all`]), after `SET LOCAL
/// lock_timeout` when a timeout is given.
pub async fn run_locked<C: GenericClient>(
    client: &C,
    lock_timeout: Option<std::time::Duration>,
    statements: &[Statement],
) -> Result<(), PgError> {
    if let Some(t) = lock_timeout {
        run_all(client, &[lock_timeout_statement(t)]).await?;
    }
    run_all(client, statements).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_not_logged() {
        let s = Statement::with_secret("ALTER ROLE \"a\" PASSWORD ", "'SCRAM-SHA-256$x'", "");
        assert!(s.sql.contains("SCRAM"));
        assert!(!s.log.contains("SCRAM"));
        assert!(s.log.contains("[redacted]"));
    }

    #[test]
    fn conninfo_passwords_are_not_logged() {
        let s = Statement::with_conninfo(
            "CREATE SUBSCRIPTION \"s\" CONNECTION ",
            "host=pub user=rep password='p w'",
            " PUBLICATION \"p\"",
        );
        assert_eq!(
            s.sql,
            "CREATE SUBSCRIPTION \"s\" CONNECTION 'host=pub user=rep password=''p w''' \
             PUBLICATION \"p\""
        );
        assert_eq!(
            s.log,
            "CREATE SUBSCRIPTION \"s\" CONNECTION 'host=pub user=rep password=[redacted]' \
             PUBLICATION \"p\""
        );
    }
}
