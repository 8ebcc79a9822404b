//! Roles: catalog reads and DDL builders.
//!
//! The builders are pure functions so they can be tested without a server.
//! Every identifier is quoted; passwords only ever appear as SCRAM verifiers
//! computed by the caller, and are redacted from the log copy.

use std::collections::BTreeMap;

use tokio_postgres::GenericClient;

use crate::pg::conn::acting::{Actor, Standing};
use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::locks::{self, Lock};
use crate::pg::error::PgError;
use crate::pg::roles::attributes::RoleFlags;
use crate::pg::roles::role_parameters::{
    self as parameters, parse_entries, split_list, Parameters,
};
use crate::pg::sql::quote::{ident, literal};

/// Per-role settings stored with ALTER ROLE ... SET.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleSettings {
    /// `search_path`, element by element; empty means not set.
    pub search_path: Vec<String>,
    /// `statement_timeout` in milliseconds; 0 means not set.
    pub statement_timeout_ms: i64,
    /// `idle_in_transaction_session_timeout` in milliseconds; 0 means not set.
    pub idle_in_transaction_session_timeout_ms: i64,
    /// `role` (the role assumed at login); empty means not set.
    pub assume_role: String,
}

/// Everything the provider manages about a role, as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// Role name.
    pub name: String,
    /// Boolean attributes.
    pub flags: RoleFlags,
    /// CONNECTION LIMIT (-1 = unlimited).
    pub connection_limit: i32,
    /// VALID UNTIL, as text the server parses (e.g. `infinity`).
    pub valid_until: String,
    /// Per-role settings.
    pub settings: RoleSettings,
}

/// A role as read from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    /// Name, flags, limit and settings.
    pub spec: RoleSpec,
    /// Whether `valid_until` (as given to [`read_role`]) denotes the same
    /// instant as the server's value; `spec.valid_until` is then the given text.
    pub valid_until_matches: bool,
    /// Names of roles this role is a member of.
    pub member_of: Vec<String>,
    /// Every cluster-wide setting (`rolconfig`), typed ones included.
    pub parameters: Parameters,
    /// Settings for the role in one database, by database name.
    pub database_parameters: BTreeMap<String, Parameters>,
}

/// The columns every role read selects from `pg_roles r`, each under the
/// name [`role_row`] reads it by: the name, the flags (from the one list,
/// [`RoleFlags::columns`]), the limit, `valid_until` as the server prints
/// it, `rolconfig`, memberships, and the per-database settings as two
/// parallel arrays (database, entry) in the same order.
pub(crate) fn role_columns() -> String {
    format!(
        "r.rolname::text AS rolname, {flags}, r.rolconnlimit, \
         coalesce(r.rolvaliduntil, 'infinity')::text AS rolvaliduntil, \
         coalesce(r.rolconfig, '{{}}') AS rolconfig, \
         ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m \
               JOIN pg_catalog.pg_roles g ON g.oid = m.roleid \
               WHERE m.member = r.oid ORDER BY 1) AS member_of, \
         ARRAY(SELECT d.datname::text FROM pg_catalog.pg_db_role_setting s \
               JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase, \
               unnest(s.setconfig) WITH ORDINALITY c(entry, n) \
               WHERE s.setrole = r.oid ORDER BY d.datname, c.n) AS setting_databases, \
         ARRAY(SELECT c.entry FROM pg_catalog.pg_db_role_setting s \
               JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase, \
               unnest(s.setconfig) WITH ORDINALITY c(entry, n) \
               WHERE s.setrole = r.oid ORDER BY d.datname, c.n) AS setting_entries",
        flags = RoleFlags::columns("r")
    )
}

/// Reads the [`role_columns`] of `row`, by column name.
pub(crate) fn role_row(row: &tokio_postgres::Row, action: &str) -> Result<RoleRow, PgError> {
    let get = |e| PgError::query(action, e);
    let config: Vec<String> = row.try_get("rolconfig").map_err(get)?;
    let databases: Vec<String> = row.try_get("setting_databases").map_err(get)?;
    let entries: Vec<String> = row.try_get("setting_entries").map_err(get)?;
    let mut per_database: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (db, entry) in databases.into_iter().zip(entries) {
        per_database.entry(db).or_default().push(entry);
    }
    Ok(RoleRow {
        spec: RoleSpec {
            name: row.try_get("rolname").map_err(get)?,
            flags: RoleFlags::from_row(row).map_err(get)?,
            connection_limit: row.try_get("rolconnlimit").map_err(get)?,
            valid_until: row.try_get("rolvaliduntil").map_err(get)?,
            settings: parse_role_config(&config),
        },
        valid_until_matches: false,
        member_of: row.try_get("member_of").map_err(get)?,
        parameters: parse_entries(&config),
        database_parameters: per_database
            .into_iter()
            .map(|(db, entries)| (db, parse_entries(&entries)))
            .collect(),
    })
}

/// Reads one role with one query. `valid_until` is the text to compare the
/// server's value with, so formatting and time zones never cause a diff.
pub async fn read_role<C: GenericClient>(
    client: &C,
    name: &str,
    valid_until: Option<&str>,
) -> Result<Option<RoleRow>, PgError> {
    // The comparison happens on the server, which parses timestamps exactly as
    // it did when the value was written. A NULL rolvaliduntil means "never
    // expires", the same as 'infinity'.
    let sql = format!(
        "SELECT coalesce(r.rolvaliduntil, 'infinity') \
                    = coalesce($2::text, 'infinity')::timestamptz AS valid_until_matches, \
                {columns} \
         FROM pg_catalog.pg_roles r WHERE r.rolname = $1",
        columns = role_columns()
    );
    let action = format!("reading role {name:?}");
    let row = client
        .query_opt(&sql, &[&name, &valid_until])
        .await
        .map_err(|e| PgError::query(&action, e))?;
    let Some(row) = row else { return Ok(None) };
    let matches: bool = row
        .try_get("valid_until_matches")
        .map_err(|e| PgError::query(&action, e))?;
    let mut role = role_row(&row, &action)?;
    role.valid_until_matches = matches;
    if let (true, Some(given)) = (matches, valid_until) {
        role.spec.valid_until = given.to_string();
    }
    Ok(Some(role))
}

/// Reads the stored password hash; needs SELECT on pg_authid.
pub async fn read_password_hash<C: GenericClient>(
    client: &C,
    name: &str,
) -> Result<Option<String>, PgError> {
    let row = client
        .query_opt(
            "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
            &[&name],
        )
        .await
        .map_err(|e| PgError::query(format!("reading the password of role {name:?}"), e))?;
    Ok(row.and_then(|r| r.get(0)))
}

/// Whether two timestamps (as text) denote the same instant, per the server.
pub async fn same_instant<C: GenericClient>(client: &C, a: &str, b: &str) -> Result<bool, PgError> {
    let row = client
        .query_one(
            "SELECT $1::text::timestamptz = $2::text::timestamptz",
            &[&a, &b],
        )
        .await
        .map_err(|e| PgError::query("comparing valid_until timestamps", e))?;
    Ok(row.get(0))
}

/// Checks that the server accepts a timestamp.
pub async fn check_timestamp<C: GenericClient>(client: &C, text: &str) -> Result<(), PgError> {
    client
        .query_one("SELECT $1::text::timestamptz", &[&text])
        .await
        .map(|_| ())
        .map_err(|e| PgError::query(format!("parsing timestamp {text:?}"), e))
}

/// Parameters set on a role in one scope: cluster-wide (`database` None)
/// or in one database.
#[derive(Debug, Clone, Copy)]
pub struct ScopedParameters<'a> {
    /// The database, for `ALTER ROLE … IN DATABASE`.
    pub database: Option<&'a str>,
    /// What the scope holds before the change.
    pub old: &'a Parameters,
    /// What it should hold after.
    pub new: &'a Parameters,
}

/// CREATE ROLE plus the statements for settings, parameters and memberships.
pub fn create_role(
    spec: &RoleSpec,
    password_verifier: Option<&str>,
    member_of: &[String],
    parameters: &[ScopedParameters<'_>],
) -> Vec<Statement> {
    let mut head = format!("CREATE ROLE {} WITH", ident(&spec.name));
    for keyword in spec.flags.keywords() {
        head.push(' ');
        head.push_str(keyword);
    }
    head.push_str(&format!(
        " CONNECTION LIMIT {} VALID UNTIL {}",
        spec.connection_limit,
        literal(&spec.valid_until)
    ));
    let mut out = vec![match password_verifier {
        Some(v) => Statement::with_secret(&format!("{head} PASSWORD "), &literal(v), ""),
        None => Statement::plain(head),
    }];
    out.extend(settings_changes(
        &spec.name,
        &RoleSettings::default(),
        &spec.settings,
    ));
    out.extend(parameter_changes(&spec.name, parameters).1);
    out.extend(member_of.iter().map(|g| grant_membership(g, &spec.name)));
    out
}

/// What an update must change: only the options that differ are sent,
/// because PostgreSQL 16 refuses some options from non-superusers even when
/// they would not change anything.
#[derive(Debug, Clone, Default)]
pub struct RoleUpdate<'a> {
    /// Current name (before any rename).
    pub old_name: &'a str,
    /// Desired state.
    pub new: Option<&'a RoleSpec>,
    /// State before the change.
    pub old: Option<&'a RoleSpec>,
    /// New password: `Some(Some(v))` sets a verifier, `Some(None)` removes it.
    pub password: Option<Option<&'a str>>,
    /// Whether valid_until must be sent (it differs as an instant).
    pub valid_until_changed: bool,
    /// Memberships to add.
    pub grant: &'a [String],
    /// Memberships to remove.
    pub revoke: &'a [String],
    /// Parameters to change, per scope.
    pub parameters: &'a [ScopedParameters<'a>],
}

/// ALTER ROLE statements for an update.
pub fn alter_role(u: &RoleUpdate<'_>) -> Vec<Statement> {
    let mut out = Vec::new();
    let (Some(new), Some(old)) = (u.new, u.old) else {
        return out;
    };
    let name = &new.name;
    if u.old_name != name {
        out.push(Statement::plain(format!(
            "ALTER ROLE {} RENAME TO {}",
            ident(u.old_name),
            ident(name)
        )));
    }
    let mut opts: Vec<String> = new
        .flags
        .changes_from(&old.flags)
        .map(str::to_string)
        .collect();
    if new.connection_limit != old.connection_limit {
        opts.push(format!("CONNECTION LIMIT {}", new.connection_limit));
    }
    if u.valid_until_changed {
        opts.push(format!("VALID UNTIL {}", literal(&new.valid_until)));
    }
    let head = format!("ALTER ROLE {} WITH", ident(name));
    let opts: String = opts.iter().map(|o| format!(" {o}")).collect();
    match u.password {
        Some(Some(v)) => {
            out.push(Statement::with_secret(
                &format!("{head}{opts} PASSWORD "),
                &literal(v),
                "",
            ));
        }
        Some(None) => out.push(Statement::plain(format!("{head}{opts} PASSWORD NULL"))),
        None if !opts.is_empty() => out.push(Statement::plain(format!("{head}{opts}"))),
        None => {}
    }
    // Resets go before the typed settings and sets after them, so that a
    // parameter moving between `parameters` and its typed attribute ends set.
    let (resets, sets) = parameter_changes(name, u.parameters);
    out.extend(resets);
    out.extend(settings_changes(name, &old.settings, &new.settings));
    out.extend(sets);
    out.extend(u.revoke.iter().map(|g| revoke_membership(g, name)));
    out.extend(u.grant.iter().map(|g| grant_membership(g, name)));
    out
}

/// RESET and SET statements for parameter changes in every scope.
fn parameter_changes(
    role: &str,
    scopes: &[ScopedParameters<'_>],
) -> (Vec<Statement>, Vec<Statement>) {
    let mut resets = Vec::new();
    let mut sets = Vec::new();
    for scope in scopes {
        let (r, s) = parameters::changes(role, scope.database, scope.old, scope.new);
        resets.extend(r);
        sets.extend(s);
    }
    (resets, sets)
}

/// SET/RESET statements turning `old` settings into `new`.
fn settings_changes(name: &str, old: &RoleSettings, new: &RoleSettings) -> Vec<Statement> {
    let role = ident(name);
    let mut out = Vec::new();
    if old.search_path != new.search_path {
        out.push(Statement::plain(if new.search_path.is_empty() {
            format!("ALTER ROLE {role} RESET search_path")
        } else {
            let list: Vec<String> = new.search_path.iter().map(|s| ident(s)).collect();
            format!("ALTER ROLE {role} SET search_path TO {}", list.join(", "))
        }));
    }
    for (param, o, n) in [
        (
            "statement_timeout",
            old.statement_timeout_ms,
            new.statement_timeout_ms,
        ),
        (
            "idle_in_transaction_session_timeout",
            old.idle_in_transaction_session_timeout_ms,
            new.idle_in_transaction_session_timeout_ms,
        ),
    ] {
        if o != n {
            out.push(Statement::plain(if n == 0 {
                format!("ALTER ROLE {role} RESET {param}")
            } else {
                format!("ALTER ROLE {role} SET {param} TO {n}")
            }));
        }
    }
    if old.assume_role != new.assume_role {
        out.push(Statement::plain(if new.assume_role.is_empty() {
            format!("ALTER ROLE {role} RESET role")
        } else {
            format!(
                "ALTER ROLE {role} SET role TO {}",
                literal(&new.assume_role)
            )
        }));
    }
    out
}

/// GRANT group TO member.
pub fn grant_membership(group: &str, member: &str) -> Statement {
    Statement::plain(format!("GRANT {} TO {}", ident(group), ident(member)))
}

/// REVOKE group FROM member.
pub fn revoke_membership(group: &str, member: &str) -> Statement {
    Statement::plain(format!("REVOKE {} FROM {}", ident(group), ident(member)))
}

/// What a role leaves behind in the connected database and among the
/// objects every database shares (databases, tablespaces): the work of
/// REASSIGN OWNED and DROP OWNED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Leftovers {
    /// It owns something, which REASSIGN OWNED hands over.
    pub owns: bool,
    /// Anything depends on it: what it owns, privileges granted to it,
    /// policies naming it, default privileges. DROP OWNED clears these.
    pub any: bool,
}

/// The [`Leftovers`] of role `name`; `None` when there is no such role.
pub async fn leftovers<C: GenericClient>(
    client: &C,
    name: &str,
) -> Result<Option<Leftovers>, PgError> {
    // Rows of the connected database (`dbid`) and of shared objects (0).
    const DEPENDS: &str = "FROM pg_catalog.pg_shdepend d \
         WHERE d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass \
           AND d.refobjid = r.oid \
           AND d.dbid IN (0, (SELECT oid FROM pg_catalog.pg_database \
                              WHERE datname = pg_catalog.current_database()))";
    let row = client
        .query_opt(
            &format!(
                "SELECT EXISTS (SELECT 1 {DEPENDS} AND d.deptype = 'o'), \
                        EXISTS (SELECT 1 {DEPENDS}) \
                 FROM pg_catalog.pg_roles r WHERE r.rolname = $1"
            ),
            &[&name],
        )
        .await
        .map_err(|e| PgError::query(format!("reading what role {name:?} owns"), e))?;
    let get = |e| PgError::query(format!("reading what role {name:?} owns"), e);
    row.map(|r| {
        Ok(Leftovers {
            owns: r.try_get(0).map_err(get)?,
            any: r.try_get(1).map_err(get)?,
        })
    })
    .transpose()
}

/// REASSIGN OWNED BY `name` TO `heir` and DROP OWNED BY `name`, each only
/// when `left` says it has work to do. Both need the privileges of `name`,
/// so a role that leaves nothing behind is dropped without them.
///
/// The heir is named, never `CURRENT_USER`: a Citus 13 coordinator crashes
/// on `REASSIGN OWNED ... TO CURRENT_USER` (signal 11, restarting the whole
/// cluster), while the explicit name works everywhere.
pub fn hand_over_owned(name: &str, heir: &str, left: Leftovers) -> Vec<Statement> {
    let role = ident(name);
    let mut out = Vec::new();
    if left.owns {
        out.push(Statement::plain(format!(
            "REASSIGN OWNED BY {role} TO {}",
            ident(heir)
        )));
    }
    if left.any {
        out.push(Statement::plain(format!("DROP OWNED BY {role}")));
    }
    out
}

/// How a role is dropped.
#[derive(Debug, Clone)]
pub struct RoleDrop {
    /// The role.
    pub name: String,
    /// Who gets what it owns: the provider's role.
    pub heir: String,
    /// REASSIGN OWNED and DROP OWNED first, in the connected database.
    pub reassign_owned: bool,
    /// DROP ROLE (otherwise the role is only emptied).
    pub drop: bool,
}

/// Drops a role inside the caller's transaction: its objects in the
/// connected database go to the heir (with the role's privileges borrowed
/// for it by `actor` when needed), then DROP ROLE. What the actor lacks for
/// either is refused as [`PgError::Lacks`] before anything is changed. A
/// role that no longer exists is left at that.
pub async fn drop_role<C: GenericClient>(
    tx: &C,
    d: &RoleDrop,
    actor: &Actor,
) -> Result<(), PgError> {
    if d.reassign_owned {
        locks::take(tx, vec![Lock::OwnedObjects]).await?;
    }
    let Some(left) = leftovers(tx, &d.name).await? else {
        return Ok(());
    };
    if d.drop && !actor.superuser {
        let lack = Standing::read(tx, &d.name)
            .await?
            .and_then(|s| s.to_drop(&d.name, actor.version_num));
        if let Some(lack) = lack {
            return Err(PgError::Lacks {
                me: actor.me.clone(),
                action: format!("drop role {:?}", d.name),
                lack,
            });
        }
    }
    let mut statements = Vec::new();
    if d.reassign_owned {
        let owned = hand_over_owned(&d.name, &d.heir, left);
        if !owned.is_empty() {
            statements = actor.wrap(tx, &[d.name.as_str()], owned).await?;
        }
    }
    if d.drop {
        statements.push(Statement::plain(format!("DROP ROLE {}", ident(&d.name))));
    }
    run_all(tx, &statements).await
}

/// Parses `rolconfig` entries (`name=value`) into the settings we manage.
pub fn parse_role_config(entries: &[String]) -> RoleSettings {
    let mut s = RoleSettings::default();
    for e in entries {
        let Some((k, v)) = e.split_once('=') else {
            continue;
        };
        match k {
            "search_path" => s.search_path = split_list(v),
            "statement_timeout" => s.statement_timeout_ms = parse_duration_ms(v).unwrap_or(0),
            "idle_in_transaction_session_timeout" => {
                s.idle_in_transaction_session_timeout_ms = parse_duration_ms(v).unwrap_or(0)
            }
            "role" => s.assume_role = v.to_string(),
            _ => {}
        }
    }
    s
}

/// Parses a time setting as PostgreSQL stores it (`1000`, `90s`, `5min`) into
/// milliseconds; a bare number means milliseconds for these settings.
pub fn parse_duration_ms(v: &str) -> Option<i64> {
    let v = v.trim().trim_matches('\'');
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1.0,
        "us" => 0.001,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    Some((n * factor).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> RoleSpec {
        RoleSpec {
            name: "My \"Role\"".into(),
            flags: RoleFlags {
                inherit: true,
                login: true,
                ..Default::default()
            },
            connection_limit: -1,
            valid_until: "infinity".into(),
            settings: RoleSettings::default(),
        }
    }

    #[test]
    fn create_quotes_and_redacts() {
        let s = create_role(
            &spec(),
            Some("SCRAM-SHA-256$4096:abc$def:ghi"),
            &["grp".into()],
            &[],
        );
        // Every flag is stated, as the table words it.
        let flags: Vec<&str> = spec().flags.keywords().collect();
        assert_eq!(
            s[0].log,
            format!(
                "CREATE ROLE \"My \"\"Role\"\"\" WITH {} CONNECTION LIMIT -1 VALID UNTIL \
                 'infinity' PASSWORD '[redacted]'",
                flags.join(" ")
            )
        );
        for keyword in ["NOSUPERUSER", "INHERIT", "LOGIN", "NOBYPASSRLS"] {
            assert!(flags.contains(&keyword), "{keyword}");
        }
        assert!(s[0]
            .sql
            .ends_with("PASSWORD 'SCRAM-SHA-256$4096:abc$def:ghi'"));
        assert_eq!(s[1].sql, "GRANT \"grp\" TO \"My \"\"Role\"\"\"");
    }

    #[test]
    fn alter_sends_only_changes() {
        let old = spec();
        let mut new = spec();
        new.name = "renamed".into();
        new.flags.create_database = true;
        new.settings.statement_timeout_ms = 1500;
        let s = alter_role(&RoleUpdate {
            old_name: &old.name,
            new: Some(&new),
            old: Some(&old),
            ..Default::default()
        });
        let sql: Vec<&str> = s.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec![
                "ALTER ROLE \"My \"\"Role\"\"\" RENAME TO \"renamed\"",
                "ALTER ROLE \"renamed\" WITH CREATEDB",
                "ALTER ROLE \"renamed\" SET statement_timeout TO 1500",
            ]
        );
    }

    #[test]
    fn alter_password_only() {
        let s = alter_role(&RoleUpdate {
            old_name: "a",
            new: Some(&RoleSpec {
                name: "a".into(),
                ..spec()
            }),
            old: Some(&RoleSpec {
                name: "a".into(),
                ..spec()
            }),
            password: Some(Some("SCRAM-SHA-256$x")),
            ..Default::default()
        });
        assert_eq!(s[0].log, "ALTER ROLE \"a\" WITH PASSWORD '[redacted]'");
    }

    #[test]
    fn parses_role_config() {
        let s = parse_role_config(&[
            "statement_timeout=1000".into(),
            "idle_in_transaction_session_timeout=90s".into(),
            "search_path=\"$user\", \"Pub lic\", public, \"x\"\"y\"".into(),
            "role=r2".into(),
        ]);
        assert_eq!(s.statement_timeout_ms, 1000);
        assert_eq!(s.idle_in_transaction_session_timeout_ms, 90_000);
        assert_eq!(s.search_path, vec!["$user", "Pub lic", "public", "x\"y"]);
        assert_eq!(s.assume_role, "r2");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("5min"), Some(300_000));
        assert_eq!(parse_duration_ms("2h"), Some(7_200_000));
        assert_eq!(parse_duration_ms("bogus"), None);
    }

    #[test]
    fn only_what_is_left_is_handed_over() {
        let sql = |left| -> Vec<String> {
            hand_over_owned("r", "Admin \"x\"", left)
                .into_iter()
                .map(|s| s.sql)
                .collect()
        };
        assert_eq!(
            sql(Leftovers {
                owns: true,
                any: true
            }),
            [
                "REASSIGN OWNED BY \"r\" TO \"Admin \"\"x\"\"\"",
                "DROP OWNED BY \"r\"",
            ]
        );
        // Only privileges or policies: nothing to reassign.
        assert_eq!(
            sql(Leftovers {
                owns: false,
                any: true
            }),
            ["DROP OWNED BY \"r\""]
        );
        assert!(sql(Leftovers::default()).is_empty());
    }
}
