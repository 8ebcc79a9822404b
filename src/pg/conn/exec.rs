//! Running statements with a log line that never carries a secret.
//!
//! Utility statements (CREATE ROLE and friends) cannot take bind parameters,
//! so values go in as quoted literals. A [`Statement`] keeps the SQL sent to
//! the server next to a redacted copy for the debug log. Whatever a builder
//! forgot, [`redact_secrets`] takes out of every logged text the literal
//! after a `PASSWORD` keyword or option, and the value of `password=` in a
//! connection string.
//! [`Statement::with_conninfo`] logs a connection string with only its
//! passwords taken out.

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
///
/// `execute_typed` sends parse, bind and execute in one message, so each
/// statement costs one round trip; `execute` with text would first prepare
/// it and wait, then run it: two round trips, which on a remote server
/// (and in the benchmark's thousands of grants) add up.
pub async fn run_all<C: GenericClient>(
    client: &C,
    statements: &[Statement],
) -> Result<(), PgError> {
    for s in statements {
        run_one(client, s).await?;
    }
    Ok(())
}

/// Runs one statement, logged with its secrets redacted; what [`run_all`]
/// does for each, and what a pipeline sends for each.
pub async fn run_one<C: GenericClient>(client: &C, s: &Statement) -> Result<(), PgError> {
    let shown = redact_secrets(&s.log);
    log::debug!("executing SQL: {shown}");
    client
        .execute_typed(s.sql.as_str(), &[])
        .await
        .map(drop)
        .map_err(|e| PgError::query(format!("executing `{shown}`"), e))
}

/// What a redacted value is replaced with.
const REDACTED: &str = "[redacted]";

/// What a redacted literal is replaced with.
const REDACTED_LITERAL: &str = "'[redacted]'";

/// `text` with the secrets a statement can carry replaced by `[redacted]`:
/// the string literal after a word ending in `password` (`PASSWORD '...'`
/// of `ALTER ROLE`, `password '...'` or `"sslpassword" E'...'` in
/// `OPTIONS (...)`), and the value after `password=` in a libpq connection
/// string inside a literal (`CONNECTION 'host=h password=...'`, quoted or
/// not). Case is ignored; everything else is kept as it was.
pub fn redact_secrets(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find("password") {
        let end = from + found + "password".len();
        from = end;
        // A word ending in `password` (sslpassword), not one going on
        // (password_required).
        if bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            continue;
        }
        let mut i = end;
        if bytes.get(i) == Some(&b'"') {
            i += 1;
        }
        let word_end = i;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        // A literal only after white space: `'password'` is not a keyword.
        let spaced = i > word_end;
        // Where the secret starts, where it ends, and what replaces it.
        let (start, stop, with) = match bytes.get(i) {
            Some(b'=') => {
                let mut v = i + 1;
                while bytes.get(v).is_some_and(|b| *b == b' ' || *b == b'\t') {
                    v += 1;
                }
                (v, conninfo_value_end(bytes, v), REDACTED)
            }
            Some(b'\'') if spaced => (i, literal_end(bytes, i + 1, false), REDACTED_LITERAL),
            Some(b'E' | b'e') if spaced && bytes.get(i + 1) == Some(&b'\'') => {
                (i, literal_end(bytes, i + 2, true), REDACTED_LITERAL)
            }
            _ => continue,
        };
        out.push_str(&text[copied..start]);
        out.push_str(with);
        copied = stop;
        from = stop;
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the SQL string literal whose body starts at `i` ends (just after
/// its closing quote, or the end of the text): `''` is a quote inside it,
/// and in an `E'...'` literal so is `\'`.
fn literal_end(bytes: &[u8], mut i: usize, escapes: bool) -> usize {
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if escapes => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Where a connection string value starting at `i` (after the spaces
/// following `=`) ends. Inside an SQL literal a quoted value is written
/// `''...''` (a quote in it as `\''`); a bare one, where `''` is a quote
/// and `\` escapes the next character, ends at white space or at the
/// literal's closing quote.
fn conninfo_value_end(bytes: &[u8], mut i: usize) -> usize {
    if bytes.get(i) == Some(&b'\'') && bytes.get(i + 1) == Some(&b'\'') {
        i += 2;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\\' => i += 2,
                b'\'' if bytes.get(i + 1) == Some(&b'\'') => return i + 2,
                _ => i += 1,
            }
        }
        return bytes.len();
    }
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\\' => i += 2,
            b'\'' => break,
            b if b.is_ascii_whitespace() => break,
            _ => i += 1,
        }
    }
    i.min(bytes.len())
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
    fn passwords_are_redacted_wherever_a_statement_carries_them() {
        let cases = [
            (
                "ALTER ROLE \"a\" WITH PASSWORD 'SCRAM-SHA-256$x'",
                "ALTER ROLE \"a\" WITH PASSWORD '[redacted]'",
            ),
            (
                "CREATE USER MAPPING FOR PUBLIC SERVER \"s\" OPTIONS (\"user\" 'u', \"password\" 'it''s')",
                "CREATE USER MAPPING FOR PUBLIC SERVER \"s\" OPTIONS (\"user\" 'u', \"password\" '[redacted]')",
            ),
            (
                "ALTER USER MAPPING FOR \"a\" SERVER \"s\" OPTIONS (SET password E'a\\\\b\\'c', DROP \"x\")",
                "ALTER USER MAPPING FOR \"a\" SERVER \"s\" OPTIONS (SET password '[redacted]', DROP \"x\")",
            ),
            (
                "OPTIONS (ADD sslpassword 'k', ADD password_required 'false')",
                "OPTIONS (ADD sslpassword '[redacted]', ADD password_required 'false')",
            ),
            (
                "CREATE SUBSCRIPTION s CONNECTION 'host=h password=se''cret dbname=d' PUBLICATION p",
                "CREATE SUBSCRIPTION s CONNECTION 'host=h password=[redacted] dbname=d' PUBLICATION p",
            ),
            (
                "CONNECTION 'password = ''two words\\'' here'' user=u'",
                "CONNECTION 'password = [redacted] user=u'",
            ),
            (
                "CONNECTION 'host=h PASSWORD=x'",
                "CONNECTION 'host=h PASSWORD=[redacted]'",
            ),
            ("SELECT 'password'", "SELECT 'password'"),
            ("no secret here", "no secret here"),
            ("unterminated password 'abc", "unterminated password '[redacted]'"),
        ];
        for (text, want) in cases {
            assert_eq!(redact_secrets(text), want, "{text}");
        }
    }

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
