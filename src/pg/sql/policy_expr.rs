//! Policy expressions: the guard that keeps a configured expression one
//! balanced piece of SQL, and the server-side normalization that tells
//! whether two spellings mean the same.
//!
//! PostgreSQL keeps `USING` / `WITH CHECK` as parse trees and prints them
//! back in its own style (casts, parentheses, `= ANY (ARRAY[...])`, schema
//! qualification), so the text a user wrote can only be compared with what
//! the server holds by letting the server parse it too. [`normalize`] does
//! that on a temporary copy of the table inside a transaction that is always
//! rolled back, so the real table is never locked or changed.
//!
//! Expressions are spliced into DDL (utility statements take no bind
//! parameters). [`check_expression`] makes sure a configured expression is
//! one balanced piece of SQL, so it can never close the clause it sits in and
//! smuggle in other clauses; it reads strings the way the provider's
//! sessions do, with `standard_conforming_strings` pinned on (see
//! [`crate::pg::conn::pool::PINNED_SESSION_SETTINGS`]).

use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Transaction};

use crate::pg::conn::exec::{run_locked, Statement};
use crate::pg::error::PgError;
use crate::pg::rls::policy::{clause_sql, Clause, Command};
use crate::pg::rls::table::TableName;
use crate::pg::sql::quote::ident;

/// One expression to normalize.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    /// The policy command it belongs to (decides which clauses are allowed).
    pub command: Command,
    /// Which clause it is.
    pub clause: Clause,
    /// The expression as configured.
    pub expr: &'a str,
}

/// Why the server refused to normalize one expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeError {
    /// The SQLSTATE, when the server reported one.
    pub code: Option<SqlState>,
    /// The server's message with DETAIL and HINT.
    pub message: String,
}

impl ProbeError {
    fn from_pg(e: &PgError) -> ProbeError {
        ProbeError {
            code: e.sqlstate().cloned(),
            message: e.db_message().unwrap_or_else(|| e.to_string()),
        }
    }

    /// Whether the expression names a column the table does not have.
    pub fn is_undefined_column(&self) -> bool {
        self.code == Some(SqlState::UNDEFINED_COLUMN)
    }

    /// Whether something the expression names does not exist (yet, or any
    /// more): a table, column, function, type or schema.
    pub fn is_missing_dependency(&self) -> bool {
        matches!(
            &self.code,
            Some(s) if *s == SqlState::UNDEFINED_COLUMN
                || *s == SqlState::UNDEFINED_FUNCTION
                || *s == SqlState::UNDEFINED_TABLE
                || *s == SqlState::UNDEFINED_OBJECT
                || *s == SqlState::INVALID_SCHEMA_NAME
        )
    }

    /// Whether the server refused the expression itself, when it was
    /// probed on a copy of a table that exists: bad syntax, not boolean, an
    /// aggregate, window or set-returning function, or a column the table
    /// (or another table it names) does not have. This provider creates no
    /// columns, so none can appear later in the same apply, whereas a
    /// missing function, type, schema or table may be created by it, and
    /// does not count. Neither does an error without a SQLSTATE (a lost
    /// connection) or one about the session rather than the expression (a
    /// timeout, a server shutting down).
    pub fn is_refused_on_existing_table(&self) -> bool {
        matches!(
            &self.code,
            Some(s) if *s == SqlState::SYNTAX_ERROR
                || *s == SqlState::DATATYPE_MISMATCH
                || *s == SqlState::GROUPING_ERROR
                || *s == SqlState::WINDOWING_ERROR
                || *s == SqlState::FEATURE_NOT_SUPPORTED
                || *s == SqlState::UNDEFINED_COLUMN
        )
    }
}

/// Name of the probe policies on the temporary table.
fn probe_name(i: usize) -> String {
    format!("pgwarden_probe_{i}")
}

/// `search_path` for the probe: the session's own, with `pg_temp` listed
/// last. Listing it explicitly stops the temporary copy of the table from
/// shadowing the real table for unqualified names in the expression
/// (PostgreSQL otherwise searches `pg_temp` first for relations).
fn probe_search_path(session: &str) -> String {
    let has_temp = session
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .any(|s| s == "pg_temp");
    if has_temp {
        session.to_string()
    } else if session.trim().is_empty() || session.trim() == "\"\"" {
        "pg_temp".to_string()
    } else {
        format!("{session}, pg_temp")
    }
}

/// Has the server normalize policy expressions for `table`.
///
/// Inside one transaction that is always rolled back: a temporary table with
/// the target's name and columns (`LIKE`), one policy per probe on it
/// (each under a savepoint, so one bad expression does not spoil the
/// others), created under the session's `search_path` exactly as the real
/// `CREATE POLICY` would be, then every expression printed with
/// `pg_get_expr` under `search_path = ''`. Using the same relation name makes
/// references like `items.tenant_id` in a subquery print exactly as they do
/// for the real table.
///
/// The outer error means no probe could run (table missing, no TEMP
/// privilege, lock timeout on the table); the inner ones say why a single
/// expression was refused (a missing function, a syntax error, ...).
pub async fn normalize(
    client: &mut Client,
    lock_timeout: Option<Duration>,
    table: &TableName,
    probes: &[Probe<'_>],
) -> Result<Vec<Result<String, ProbeError>>, PgError> {
    let action = format!("normalizing policy expressions for {}", table.quoted());
    let mut tx = client
        .transaction()
        .await
        .map_err(|e| PgError::query(&action, e))?;
    let result = run_probes(&mut tx, lock_timeout, table, probes, &action).await;
    tx.rollback()
        .await
        .map_err(|e| PgError::query(&action, e))?;
    result
}

async fn run_probes(
    tx: &mut Transaction<'_>,
    lock_timeout: Option<Duration>,
    table: &TableName,
    probes: &[Probe<'_>],
    action: &str,
) -> Result<Vec<Result<String, ProbeError>>, PgError> {
    let temp = format!("pg_temp.{}", ident(&table.table));
    run_locked(
        &*tx,
        lock_timeout,
        &[Statement::plain(format!(
            "CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP",
            ident(&table.table),
            table.quoted()
        ))],
    )
    .await?;
    let session: String = tx
        .query_one("SELECT pg_catalog.current_setting('search_path')", &[])
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| PgError::query(action, e))?;
    tx.execute(
        "SELECT pg_catalog.set_config('search_path', $1, true)",
        &[&probe_search_path(&session)],
    )
    .await
    .map_err(|e| PgError::query(action, e))?;

    let mut outcomes: Vec<Result<String, ProbeError>> = Vec::with_capacity(probes.len());
    for (i, probe) in probes.iter().enumerate() {
        let sql = format!(
            "CREATE POLICY {} ON {temp} FOR {}{}",
            ident(&probe_name(i)),
            probe.command.keyword(),
            clause_sql(probe.clause, probe.expr)
        );
        let sp = tx
            .savepoint("pgwarden_probe")
            .await
            .map_err(|e| PgError::query(action, e))?;
        log::debug!("normalizing with: {sql}");
        match sp.execute(sql.as_str(), &[]).await {
            Ok(_) => {
                sp.commit().await.map_err(|e| PgError::query(action, e))?;
                outcomes.push(Ok(String::new()));
            }
            Err(e) => {
                sp.rollback().await.map_err(|e| PgError::query(action, e))?;
                outcomes.push(Err(ProbeError::from_pg(&PgError::query("normalizing", e))));
            }
        }
    }

    tx.batch_execute("SET LOCAL search_path = ''")
        .await
        .map_err(|e| PgError::query(action, e))?;
    let rows = tx
        .query(
            "SELECT p.polname::text, \
                    pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
                    pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
             FROM pg_catalog.pg_policy p \
             JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
             WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relname = $1",
            &[&table.table],
        )
        .await
        .map_err(|e| PgError::query(action, e))?;
    for (i, (probe, outcome)) in probes.iter().zip(outcomes.iter_mut()).enumerate() {
        if outcome.is_err() {
            continue;
        }
        let name = probe_name(i);
        let printed = rows
            .iter()
            .find(|r| r.try_get::<_, String>(0).ok().as_deref() == Some(name.as_str()))
            .and_then(|r| {
                let col = if probe.clause == Clause::Using { 1 } else { 2 };
                r.try_get::<_, Option<String>>(col).ok().flatten()
            });
        *outcome = printed.ok_or_else(|| ProbeError {
            code: None,
            message: format!(
                "the server did not print back the expression `{}`",
                probe.expr
            ),
        });
    }
    Ok(outcomes)
}

/// Whether the expression is the constant `true`, judged from the text alone
/// (for when the server cannot normalize it yet): `true`, `TRUE`, `(true)`.
pub fn is_trivially_true(expr: &str) -> bool {
    let mut s = expr.trim();
    while let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        s = inner.trim();
    }
    s.eq_ignore_ascii_case("true")
}

/// Checks that a configured expression is one balanced piece of SQL: every
/// parenthesis, string, quoted identifier, dollar quote and block comment
/// closed, no `)` closing more than it opened, and no `;`. Anything else
/// could end the `USING (...)` clause early and add clauses the
/// configuration does not show.
pub fn check_expression(expr: &str) -> Result<(), String> {
    let b = expr.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    // Whether the previous byte continues an identifier: then `$` is part of
    // the name (`a$b`), not a dollar quote.
    let mut in_word = false;
    while i < b.len() {
        let c = b[i];
        let word_byte = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        match c {
            b'\'' => {
                let escapes = i > 0
                    && (b[i - 1] == b'e' || b[i - 1] == b'E')
                    && (i < 2 || !is_word_byte(b[i - 2]));
                i = skip_string(b, i, escapes).ok_or("a string literal ('...') is not closed")?;
                in_word = false;
                continue;
            }
            b'"' => {
                i = skip_quoted_ident(b, i).ok_or("a quoted identifier (\"...\") is not closed")?;
                in_word = false;
                continue;
            }
            b'$' if !in_word => {
                if let Some(tag_end) = dollar_tag_end(b, i) {
                    let tag = &b[i..=tag_end];
                    let body = tag_end + 1;
                    let close = find(b, body, tag).ok_or_else(|| {
                        format!(
                            "a dollar-quoted string ({}...) is not closed",
                            String::from_utf8_lossy(tag)
                        )
                    })?;
                    i = close + tag.len();
                    in_word = false;
                    continue;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                in_word = false;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i).ok_or("a /* comment */ is not closed")?;
                in_word = false;
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth = depth.checked_sub(1).ok_or(
                    "it has a ')' without a matching '(' (an expression must be one complete \
                     condition; it cannot close the clause it is placed in)",
                )?;
            }
            b';' => return Err("it contains ';' (only a single expression is allowed)".into()),
            _ => {}
        }
        in_word = word_byte || (in_word && c == b'$');
        i += 1;
    }
    if depth > 0 {
        return Err(format!("{depth} '(' are not closed"));
    }
    Ok(())
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// End (exclusive) of a '...' literal starting at `start`.
fn skip_string(b: &[u8], start: usize, backslash_escapes: bool) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if backslash_escapes => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn skip_quoted_ident(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        if b[i] == b'"' {
            if b.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// If a dollar-quote tag (`$$` or `$tag$`) starts at `start`, the index of
/// its closing `$`.
fn dollar_tag_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
        return None; // $1 is a parameter
    }
    while i < b.len() {
        let c = b[i];
        if c == b'$' {
            return Some(i);
        }
        if !(c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80) {
            return None;
        }
        i += 1;
    }
    None
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    (from..=hay.len().saturating_sub(needle.len())).find(|&i| hay[i..].starts_with(needle))
}

/// End (exclusive) of a possibly nested block comment starting at `start`.
fn skip_block_comment(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Whether the expression holds a subquery: the word SELECT outside string
/// literals, quoted names and comments (Citus refuses those in policies).
pub fn has_subquery(expr: &str) -> bool {
    bare_code(expr)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w.eq_ignore_ascii_case("select"))
}

/// Whether the expression has a `,` outside every parenthesis and bracket
/// (string literals, quoted names and comments aside): one expression has
/// none, while in a list of expressions such a comma starts the next item.
pub fn has_top_level_comma(expr: &str) -> bool {
    let mut depth: usize = 0;
    for c in bare_code(expr).chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// The expression with its string literals, quoted identifiers, dollar
/// quotes and comments blanked out; unbalanced ones blank the rest.
fn bare_code(expr: &str) -> String {
    let b = expr.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    let mut in_word = false;
    while i < b.len() {
        let c = b[i];
        let skipped_to = match c {
            b'\'' => {
                let escapes = i > 0
                    && (b[i - 1] == b'e' || b[i - 1] == b'E')
                    && (i < 2 || !is_word_byte(b[i - 2]));
                Some(skip_string(b, i, escapes).unwrap_or(b.len()))
            }
            b'"' => Some(skip_quoted_ident(b, i).unwrap_or(b.len())),
            b'$' if !in_word => dollar_tag_end(b, i).map(|tag_end| {
                let tag = &b[i..=tag_end];
                find(b, tag_end + 1, tag).map_or(b.len(), |close| close + tag.len())
            }),
            b'-' if b.get(i + 1) == Some(&b'-') => Some(
                b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |n| i + n),
            ),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                Some(skip_block_comment(b, i).unwrap_or(b.len()))
            }
            _ => None,
        };
        if let Some(end) = skipped_to {
            out.push(' ');
            i = end;
            in_word = false;
            continue;
        }
        out.push(if c.is_ascii() { c as char } else { ' ' });
        in_word = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 || (in_word && c == b'$');
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe_error(code: Option<SqlState>) -> ProbeError {
        ProbeError {
            code,
            message: "m".into(),
        }
    }

    #[test]
    fn only_the_servers_refusal_of_the_expression_is_final() {
        for refused in [
            SqlState::UNDEFINED_COLUMN,
            SqlState::SYNTAX_ERROR,
            SqlState::DATATYPE_MISMATCH,
            SqlState::GROUPING_ERROR,
        ] {
            assert!(probe_error(Some(refused.clone())).is_refused_on_existing_table());
        }
        for not_final in [
            // Created later in the same apply, perhaps.
            Some(SqlState::UNDEFINED_FUNCTION),
            Some(SqlState::UNDEFINED_OBJECT),
            Some(SqlState::UNDEFINED_TABLE),
            Some(SqlState::INVALID_SCHEMA_NAME),
            // The session, not the expression.
            Some(SqlState::QUERY_CANCELED),
            Some(SqlState::LOCK_NOT_AVAILABLE),
            Some(SqlState::ADMIN_SHUTDOWN),
            Some(SqlState::CONNECTION_FAILURE),
            // A lost connection has no SQLSTATE.
            None,
        ] {
            assert!(
                !probe_error(not_final.clone()).is_refused_on_existing_table(),
                "{not_final:?}"
            );
        }
    }

    #[test]
    fn search_path_gets_pg_temp_last() {
        assert_eq!(
            probe_search_path("\"$user\", public"),
            "\"$user\", public, pg_temp"
        );
        assert_eq!(probe_search_path(""), "pg_temp");
        assert_eq!(probe_search_path("pg_temp, app"), "pg_temp, app");
    }
    #[test]
    fn subqueries_are_found_outside_literals() {
        assert!(has_subquery("id IN (SELECT 1)"));
        assert!(has_subquery("EXISTS (select 1 from t where t.a = x)"));
        assert!(!has_subquery("note = 'select'"));
        assert!(!has_subquery("\"select\" = 1"));
        assert!(!has_subquery("x = 1 -- select"));
        assert!(!has_subquery("selected = true"));
        assert!(!has_subquery("x = $$ select $$"));
    }

    #[test]
    fn top_level_commas_are_found_outside_brackets() {
        assert!(has_top_level_comma("1, b int"));
        assert!(has_top_level_comma("f(1), 2"));
        assert!(!has_top_level_comma("f(1, 2)"));
        assert!(!has_top_level_comma("ARRAY[1, 2]"));
        assert!(!has_top_level_comma("'a,b'"));
        assert!(!has_top_level_comma("\"a,b\" + 1"));
        assert!(!has_top_level_comma("1 -- , x"));
        assert!(!has_top_level_comma("$$a,b$$"));
        assert!(!has_top_level_comma("(1, 2)"));
    }

    #[test]
    fn trivially_true() {
        assert!(is_trivially_true(" ( TRUE ) "));
        assert!(is_trivially_true("true"));
        assert!(!is_trivially_true("true and x"));
        assert!(!is_trivially_true("1 = 1"));
    }
    #[test]
    fn balanced_expressions_pass() {
        for ok in [
            "tenant_id = 1",
            "(a) AND (b OR (c))",
            "title = ')'",
            "title = 'it''s ('",
            "title = E'\\')'",
            "\"we)ird\" = 1",
            "x = $$ ) $$",
            "x = $t$ ) $$ $t$",
            "a$b = 1",
            "x = 1 -- trailing ) comment",
            "x /* ) /* nested ( */ */ = 1",
            "current_setting('app.tenant', true) = 'a;b'",
        ] {
            assert_eq!(check_expression(ok), Ok(()), "{ok}");
        }
    }
    #[test]
    fn unbalanced_expressions_fail() {
        for bad in [
            "true) WITH CHECK (false",
            "(true",
            "x = 'open",
            "\"open = 1",
            "x = $$ open",
            "x /* open",
            "true; DROP TABLE t",
            "E'\\'' = x)",
        ] {
            assert!(check_expression(bad).is_err(), "{bad}");
        }
    }
}

/// Whether the expression calls `current_setting()` outside a scalar
/// subquery. PostgreSQL evaluates such a call once per row; wrapped as
/// `(select current_setting(...))` it becomes an InitPlan, evaluated once
/// per query. Literals, quoted names and comments are ignored.
pub fn per_row_current_setting(expr: &str) -> bool {
    let code = bare_code(expr).to_ascii_lowercase();
    let b = code.as_bytes();
    // One entry per open parenthesis: whether it opens a subquery.
    let mut open: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' => {
                let rest = code[i + 1..].trim_start();
                let select = rest.starts_with("select")
                    && !rest.as_bytes().get(6).copied().is_some_and(is_word_byte);
                open.push(select);
                i += 1;
            }
            b')' => {
                open.pop();
                i += 1;
            }
            c if is_word_byte(c) => {
                let start = i;
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                let word = &code[start..i];
                let dotted = start > 0 && b[start - 1] == b'.';
                let qualified_ok = !dotted || code[..start].ends_with("pg_catalog.");
                if word == "current_setting"
                    && qualified_ok
                    && code[i..].trim_start().starts_with('(')
                    && !open.iter().any(|s| *s)
                {
                    return true;
                }
            }
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod current_setting_tests {
    use super::per_row_current_setting as per_row;

    #[test]
    fn wrapped_calls_are_once_per_query() {
        assert!(per_row("tenant_id = current_setting('app.tenant')::int"));
        assert!(per_row(
            "tenant_id = pg_catalog.current_setting('app.tenant', true)::int"
        ));
        assert!(per_row("(tenant_id = current_setting('app.tenant')::int)"));
        assert!(!per_row(
            "tenant_id = (select current_setting('app.tenant')::int)"
        ));
        assert!(!per_row(
            "tenant_id = ( SELECT (current_setting('app.tenant'::text))::integer AS current_setting)"
        ));
        assert!(!per_row("note = 'current_setting(x)'"));
        assert!(!per_row("tenant_id = 1"));
        assert!(!per_row("my_current_setting(1) = 1"));
    }
}
