//! Row-level security policies: the commands and clauses, DDL builders and
//! the catalog read. Expressions are checked and normalized in
//! [`crate::pg::sql::policy_expr`]; the table they sit on is in [`crate::pg::rls::table`].

use std::time::Duration;

use tokio_postgres::Client;

use crate::pg::conn::exec::{run_locked, Statement};
use crate::pg::error::PgError;
use crate::pg::rls::table::TableName;
use crate::pg::sql::quote::ident;

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
pub(crate) fn clause_sql(clause: Clause, expr: &str) -> String {
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
    fn drop_statement() {
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
}
