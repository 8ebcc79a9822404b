//! Row-level security policies: DDL builders, catalog reads, and the
//! server-side normalization of policy expressions.
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
//! smuggle in other clauses, and statements are sent with the extended query
//! protocol, which refuses more than one statement.

use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient, Transaction};

use super::error::PgError;
use super::exec::lock_timeout_statement;
use super::exec::{run_all, Statement};
use super::quote::{ident, qualified};

/// The pseudo-role written `PUBLIC` in SQL and `public` in configuration.
pub const PUBLIC: &str = "public";

/// The command a policy applies to (`FOR ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `FOR ALL`.
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

impl Command {
    /// Every command, in documentation order.
    pub const ALL: [Command; 5] = [
        Command::All,
        Command::Select,
        Command::Insert,
        Command::Update,
        Command::Delete,
    ];

    /// The SQL keyword, which is also the configuration value.
    pub fn keyword(self) -> &'static str {
        match self {
            Command::All => "ALL",
            Command::Select => "SELECT",
            Command::Insert => "INSERT",
            Command::Update => "UPDATE",
            Command::Delete => "DELETE",
        }
    }

    /// Parses a configuration value (exact upper-case keyword).
    pub fn parse(s: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.keyword() == s)
    }

    /// Maps `pg_policy.polcmd`.
    pub fn from_polcmd(c: &str) -> Option<Command> {
        Some(match c {
            "*" => Command::All,
            "r" => Command::Select,
            "a" => Command::Insert,
            "w" => Command::Update,
            "d" => Command::Delete,
            _ => return None,
        })
    }

    /// Whether PostgreSQL accepts a `USING` clause for this command.
    pub fn allows_using(self) -> bool {
        self != Command::Insert
    }

    /// Whether PostgreSQL accepts a `WITH CHECK` clause for this command.
    pub fn allows_with_check(self) -> bool {
        !matches!(self, Command::Select | Command::Delete)
    }
}

/// Which expression of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    /// `USING (...)`: which existing rows are visible.
    Using,
    /// `WITH CHECK (...)`: which new rows may be written.
    WithCheck,
}

impl Clause {
    fn keyword(self) -> &'static str {
        match self {
            Clause::Using => "USING",
            Clause::WithCheck => "WITH CHECK",
        }
    }
}

/// A table, by schema and name (in the database the connection is on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    /// Schema name.
    pub schema: String,
    /// Table name.
    pub table: String,
}

impl TableName {
    /// `"schema"."table"`, for SQL and messages.
    pub fn quoted(&self) -> String {
        qualified(&self.schema, &self.table)
    }
}

/// Everything the provider manages about a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySpec {
    /// The table the policy is on.
    pub table: TableName,
    /// Policy name (unique per table).
    pub name: String,
    /// `FOR` command.
    pub command: Command,
    /// `AS PERMISSIVE` (true) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// Role names; `public` stands for PUBLIC.
    pub roles: Vec<String>,
    /// `USING` expression.
    pub using: Option<String>,
    /// `WITH CHECK` expression.
    pub with_check: Option<String>,
}

/// The `TO` list: sorted so the SQL is deterministic, PUBLIC as the keyword.
fn roles_sql(roles: &[String]) -> String {
    let mut sorted: Vec<&String> = roles.iter().collect();
    sorted.sort();
    sorted.dedup();
    if sorted.is_empty() {
        return "PUBLIC".into();
    }
    sorted
        .iter()
        .map(|r| {
            if r.as_str() == PUBLIC {
                "PUBLIC".to_string()
            } else {
                ident(r)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` USING (expr)`. A line break before the closing parenthesis keeps a
/// trailing `-- comment` in the expression from swallowing it.
fn clause_sql(clause: Clause, expr: &str) -> String {
    let brk = if expr.contains("--") { "\n" } else { "" };
    format!(" {} ({expr}{brk})", clause.keyword())
}

/// `CREATE POLICY` for a spec.
pub fn create_policy(p: &PolicySpec) -> Statement {
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        ident(&p.name),
        p.table.quoted(),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command.keyword(),
        roles_sql(&p.roles)
    );
    if let Some(u) = &p.using {
        sql.push_str(&clause_sql(Clause::Using, u));
    }
    if let Some(c) = &p.with_check {
        sql.push_str(&clause_sql(Clause::WithCheck, c));
    }
    Statement::plain(sql)
}

fn same_roles(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The in-place changes from `old` to `new`: a rename, then one
/// `ALTER POLICY` with the clauses that changed. Table, command and
/// permissiveness cannot be altered (the caller replaces the policy), and a
/// clause can only be set, never removed, so `None` in `new` leaves it.
pub fn alter_policy(old: &PolicySpec, new: &PolicySpec) -> Vec<Statement> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push(Statement::plain(format!(
            "ALTER POLICY {} ON {} RENAME TO {}",
            ident(&old.name),
            new.table.quoted(),
            ident(&new.name)
        )));
    }
    let mut clauses = String::new();
    if !same_roles(&old.roles, &new.roles) {
        clauses.push_str(&format!(" TO {}", roles_sql(&new.roles)));
    }
    if let Some(u) = new
        .using
        .as_ref()
        .filter(|u| Some(*u) != old.using.as_ref())
    {
        clauses.push_str(&clause_sql(Clause::Using, u));
    }
    if let Some(c) = new
        .with_check
        .as_ref()
        .filter(|c| Some(*c) != old.with_check.as_ref())
    {
        clauses.push_str(&clause_sql(Clause::WithCheck, c));
    }
    if !clauses.is_empty() {
        out.push(Statement::plain(format!(
            "ALTER POLICY {} ON {}{clauses}",
            ident(&new.name),
            new.table.quoted()
        )));
    }
    out
}

/// `DROP POLICY IF EXISTS`: a policy already dropped by `DROP OWNED` or a
/// cascade is not an error.
pub fn drop_policy(table: &TableName, name: &str) -> Statement {
    Statement::plain(format!(
        "DROP POLICY IF EXISTS {} ON {}",
        ident(name),
        table.quoted()
    ))
}

/// `LOCK TABLE ONLY ... IN ACCESS EXCLUSIVE MODE`: taken first in every
/// transaction that changes policies or RLS switches. Those statements need
/// that lock anyway, but `DROP POLICY` first takes a weaker one and then
/// upgrades it, so two policies of one table dropped at once (as Terraform
/// does in parallel) would deadlock. `ONLY`: partitions are not involved.
pub fn lock_table(table: &TableName) -> Statement {
    Statement::plain(format!(
        "LOCK TABLE ONLY {} IN ACCESS EXCLUSIVE MODE",
        table.quoted()
    ))
}

/// `ALTER TABLE ... ENABLE|DISABLE ROW LEVEL SECURITY, FORCE|NO FORCE ...`.
pub fn set_row_level_security(table: &TableName, enabled: bool, forced: bool) -> Statement {
    Statement::plain(format!(
        "ALTER TABLE {} {} ROW LEVEL SECURITY, {} ROW LEVEL SECURITY",
        table.quoted(),
        if enabled { "ENABLE" } else { "DISABLE" },
        if forced { "FORCE" } else { "NO FORCE" }
    ))
}

/// Runs statements in order (see [`run_all`]), after `SET LOCAL
/// lock_timeout` when a timeout is given.
pub async fn run_locked<C: GenericClient>(
    client: &C,
    lock_timeout: Option<Duration>,
    statements: &[Statement],
) -> Result<(), PgError> {
    if let Some(t) = lock_timeout {
        run_all(client, &[lock_timeout_statement(t)]).await?;
    }
    run_all(client, statements).await
}

/// A policy as the catalog holds it, expressions printed under
/// `search_path = ''` (every name outside `pg_catalog` schema-qualified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    /// `pg_policy.oid`.
    pub oid: u32,
    /// `FOR` command; `None` for a `polcmd` this provider does not know.
    pub command: Option<Command>,
    /// `pg_policy.polcmd` as stored, for messages.
    pub polcmd: String,
    /// PERMISSIVE or RESTRICTIVE.
    pub permissive: bool,
    /// Role names, sorted; `["public"]` for PUBLIC.
    pub roles: Vec<String>,
    /// Deparsed `USING`.
    pub using: Option<String>,
    /// Deparsed `WITH CHECK`.
    pub with_check: Option<String>,
}

const READ_POLICY: &str = "\
SELECT p.oid, p.polcmd::text, p.polpermissive, \
       CASE WHEN p.polroles = '{0}'::pg_catalog.oid[] THEN ARRAY['public']::text[] \
            ELSE ARRAY(SELECT a.rolname::text FROM pg_catalog.pg_roles a \
                       WHERE a.oid = ANY (p.polroles) ORDER BY 1) END, \
       pg_catalog.pg_get_expr(p.polqual, p.polrelid), \
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
FROM pg_catalog.pg_policy p \
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
WHERE n.nspname = $1 AND c.relname = $2 AND p.polname = $3";

/// Reads one policy; `None` when it (or its table) does not exist.
///
/// `pg_get_expr` locks the table (ACCESS SHARE), so the read runs under the
/// provider's `lock_timeout` too: a table held by a long ALTER fails fast
/// instead of hanging the refresh.
pub async fn read_policy(
    client: &mut Client,
    lock_timeout: Option<Duration>,
    table: &TableName,
    name: &str,
) -> Result<Option<PolicyRow>, PgError> {
    let action = format!("reading policy {name:?} on {}", table.quoted());
    let tx = client
        .transaction()
        .await
        .map_err(|e| PgError::query(&action, e))?;
    run_locked(
        &tx,
        lock_timeout,
        &[Statement::plain("SET LOCAL search_path = ''")],
    )
    .await?;
    let row = tx
        .query_opt(READ_POLICY, &[&table.schema, &table.table, &name])
        .await
        .map_err(|e| PgError::query(&action, e))?;
    tx.rollback()
        .await
        .map_err(|e| PgError::query(&action, e))?;
    let Some(row) = row else { return Ok(None) };
    let get = |e| PgError::query(&action, e);
    let polcmd: String = row.try_get(1).map_err(get)?;
    Ok(Some(PolicyRow {
        oid: row.try_get(0).map_err(get)?,
        command: Command::from_polcmd(&polcmd),
        polcmd,
        permissive: row.try_get(2).map_err(get)?,
        roles: row.try_get(3).map_err(get)?,
        using: row.try_get(4).map_err(get)?,
        with_check: row.try_get(5).map_err(get)?,
    }))
}

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

    /// Whether the expression itself is wrong, whatever else exists: bad
    /// syntax, not boolean, an aggregate or window function, a set-returning
    /// function.
    pub fn is_invalid_expression(&self) -> bool {
        matches!(
            &self.code,
            Some(s) if *s == SqlState::SYNTAX_ERROR
                || *s == SqlState::DATATYPE_MISMATCH
                || *s == SqlState::GROUPING_ERROR
                || *s == SqlState::WINDOWING_ERROR
                || *s == SqlState::FEATURE_NOT_SUPPORTED
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

/// Whether a statement failed waiting for a lock (`lock_timeout`).
pub fn is_lock_timeout(err: &PgError) -> bool {
    err.sqlstate() == Some(&SqlState::LOCK_NOT_AVAILABLE)
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

/// What the provider needs to know about a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// `pg_class.oid`.
    pub oid: u32,
    /// `pg_class.relkind` (`r` table, `p` partitioned table, ...).
    pub kind: String,
    /// `relrowsecurity`: ENABLE ROW LEVEL SECURITY.
    pub rls_enabled: bool,
    /// `relforcerowsecurity`: FORCE ROW LEVEL SECURITY.
    pub rls_forced: bool,
    /// Owner role name.
    pub owner: String,
}

/// Reads a table's RLS flags and owner; `None` when it does not exist.
pub async fn read_table<C: GenericClient>(
    client: &C,
    table: &TableName,
) -> Result<Option<TableInfo>, PgError> {
    let action = format!("reading table {}", table.quoted());
    let row = client
        .query_opt(
            "SELECT c.oid, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity, \
                    pg_catalog.pg_get_userbyid(c.relowner)::text \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2",
            &[&table.schema, &table.table],
        )
        .await
        .map_err(|e| PgError::query(&action, e))?;
    let Some(row) = row else { return Ok(None) };
    let get = |e| PgError::query(&action, e);
    Ok(Some(TableInfo {
        oid: row.try_get(0).map_err(get)?,
        kind: row.try_get(1).map_err(get)?,
        rls_enabled: row.try_get(2).map_err(get)?,
        rls_forced: row.try_get(3).map_err(get)?,
        owner: row.try_get(4).map_err(get)?,
    }))
}

/// Partitions (at any depth) of a partitioned table that do not have row
/// level security enabled, as quoted qualified names.
pub async fn partitions_without_rls<C: GenericClient>(
    client: &C,
    table_oid: u32,
) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "WITH RECURSIVE parts(oid) AS ( \
                 SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = $1 \
                 UNION ALL \
                 SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN parts p ON i.inhparent = p.oid) \
             SELECT n.nspname::text, c.relname::text \
             FROM parts JOIN pg_catalog.pg_class c ON c.oid = parts.oid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT c.relrowsecurity ORDER BY 1, 2",
            &[&table_oid],
        )
        .await
        .map_err(|e| PgError::query("listing partitions", e))?;
    rows.iter()
        .map(|r| {
            let s: String = r
                .try_get(0)
                .map_err(|e| PgError::query("listing partitions", e))?;
            let t: String = r
                .try_get(1)
                .map_err(|e| PgError::query("listing partitions", e))?;
            Ok(qualified(&s, &t))
        })
        .collect()
}

/// For each existing role among `roles`: whether it can already see every
/// row of a table owned by `owner` without any policy, because it is a
/// superuser, has BYPASSRLS, or is the owner or a member of it (and so can
/// switch row-level security off). Roles that do not exist are left out.
pub async fn roles_that_bypass<C: GenericClient>(
    client: &C,
    roles: &[String],
    owner: &str,
) -> Result<Vec<(String, bool)>, PgError> {
    let rows = client
        .query(
            "SELECT r.rolname::text, \
                    r.rolsuper OR r.rolbypassrls \
                    OR pg_catalog.pg_has_role(r.oid, o.oid, 'MEMBER') \
             FROM pg_catalog.pg_roles r \
             JOIN pg_catalog.pg_roles o ON o.rolname = $2 \
             WHERE r.rolname = ANY ($1::text[])",
            &[&roles, &owner],
        )
        .await
        .map_err(|e| PgError::query("reading role attributes", e))?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)
                    .map_err(|e| PgError::query("reading role attributes", e))?,
                r.try_get(1)
                    .map_err(|e| PgError::query("reading role attributes", e))?,
            ))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> TableName {
        TableName {
            schema: "app".into(),
            table: "Items".into(),
        }
    }

    fn spec() -> PolicySpec {
        PolicySpec {
            table: t(),
            name: "p".into(),
            command: Command::All,
            permissive: true,
            roles: vec!["public".into()],
            using: Some("tenant_id = 1".into()),
            with_check: None,
        }
    }

    #[test]
    fn create_quotes_everything() {
        let mut s = spec();
        s.roles = vec!["b".into(), "a\"x".into()];
        s.permissive = false;
        s.command = Command::Update;
        s.with_check = Some("true -- note".into());
        assert_eq!(
            create_policy(&s).sql,
            "CREATE POLICY \"p\" ON \"app\".\"Items\" AS RESTRICTIVE FOR UPDATE TO \"a\"\"x\", \"b\" \
             USING (tenant_id = 1) WITH CHECK (true -- note\n)"
        );
        assert_eq!(
            create_policy(&spec()).sql,
            "CREATE POLICY \"p\" ON \"app\".\"Items\" AS PERMISSIVE FOR ALL TO PUBLIC USING (tenant_id = 1)"
        );
    }

    #[test]
    fn alter_only_what_changed() {
        let old = spec();
        assert!(alter_policy(&old, &old).is_empty());
        let mut new = old.clone();
        new.name = "q".into();
        new.roles = vec!["r".into()];
        new.with_check = Some("x > 0".into());
        assert_eq!(
            alter_policy(&old, &new)
                .into_iter()
                .map(|s| s.sql)
                .collect::<Vec<_>>(),
            vec![
                "ALTER POLICY \"p\" ON \"app\".\"Items\" RENAME TO \"q\"".to_string(),
                "ALTER POLICY \"q\" ON \"app\".\"Items\" TO \"r\" WITH CHECK (x > 0)".to_string(),
            ]
        );
        let mut reordered = old.clone();
        reordered.roles = vec!["public".into(), "public".into()];
        assert!(alter_policy(&old, &reordered).is_empty());
    }

    #[test]
    fn rls_statement() {
        assert_eq!(
            lock_table(&t()).sql,
            "LOCK TABLE ONLY \"app\".\"Items\" IN ACCESS EXCLUSIVE MODE"
        );
        assert_eq!(
            set_row_level_security(&t(), true, false).sql,
            "ALTER TABLE \"app\".\"Items\" ENABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY"
        );
        assert_eq!(
            drop_policy(&t(), "p").sql,
            "DROP POLICY IF EXISTS \"p\" ON \"app\".\"Items\""
        );
    }

    #[test]
    fn commands_round_trip() {
        for c in Command::ALL {
            assert_eq!(Command::parse(c.keyword()), Some(c));
        }
        assert_eq!(Command::parse("select"), None);
        assert_eq!(Command::from_polcmd("w"), Some(Command::Update));
        assert!(!Command::Insert.allows_using());
        assert!(!Command::Delete.allows_with_check());
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
