//! Databases: the CREATE, ALTER and DROP DATABASE builders, the catalog
//! read, and what blocks a database from being renamed, moved or dropped.
//!
//! CREATE DATABASE, DROP DATABASE and ALTER DATABASE ... SET TABLESPACE
//! cannot run inside a transaction block; callers run those alone, in
//! autocommit. Every other change of a database is an ordinary statement
//! the caller puts in one transaction.
//!
//! The builders are pure functions, tested without a server.

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::conn::locks::Lock;
use crate::pg::error::PgError;
use crate::pg::sql::quote::{ident, literal};

/// The keyword that stands for "what the template has" in CREATE DATABASE
/// (and, for the tablespace, the cluster's default tablespace).
pub const DEFAULT: &str = "DEFAULT";

/// The tablespace PostgreSQL puts databases in when nothing else is said.
pub const DEFAULT_TABLESPACE: &str = "pg_default";

/// Whether a value is the `DEFAULT` keyword (in any case).
pub fn is_default(v: &str) -> bool {
    v.eq_ignore_ascii_case(DEFAULT)
}

/// What CREATE DATABASE is asked for. `None` leaves an option to
/// PostgreSQL (the template's value).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatabaseSpec {
    /// Database name.
    pub name: String,
    /// Owning role.
    pub owner: String,
    /// Template database (`DEFAULT`: template1).
    pub template: Option<String>,
    /// Character set encoding.
    pub encoding: Option<String>,
    /// LC_COLLATE.
    pub lc_collate: Option<String>,
    /// LC_CTYPE.
    pub lc_ctype: Option<String>,
    /// Default tablespace.
    pub tablespace: Option<String>,
    /// CONNECTION LIMIT (-1: none).
    pub connection_limit: i32,
    /// ALLOW_CONNECTIONS.
    pub allow_connections: bool,
    /// IS_TEMPLATE.
    pub is_template: bool,
}

/// `keyword DEFAULT`, or `keyword value` with the value written by `quote`.
fn option(keyword: &str, value: &str, quote: fn(&str) -> String) -> String {
    if is_default(value) {
        format!(" {keyword} DEFAULT")
    } else {
        format!(" {keyword} {}", quote(value))
    }
}

/// CREATE DATABASE. It cannot run inside a transaction block.
pub fn create_database(spec: &DatabaseSpec) -> Statement {
    let mut sql = format!(
        "CREATE DATABASE {} OWNER {}",
        ident(&spec.name),
        ident(&spec.owner)
    );
    if let Some(t) = &spec.template {
        sql.push_str(&option("TEMPLATE", t, ident));
    }
    if let Some(e) = &spec.encoding {
        sql.push_str(&option("ENCODING", e, literal));
    }
    if let Some(c) = &spec.lc_collate {
        sql.push_str(&option("LC_COLLATE", c, literal));
    }
    if let Some(c) = &spec.lc_ctype {
        sql.push_str(&option("LC_CTYPE", c, literal));
    }
    if let Some(t) = &spec.tablespace {
        sql.push_str(&option("TABLESPACE", t, ident));
    }
    sql.push_str(&format!(
        " ALLOW_CONNECTIONS {} CONNECTION LIMIT {} IS_TEMPLATE {}",
        spec.allow_connections, spec.connection_limit, spec.is_template
    ));
    Statement::plain(sql)
}

/// The changes of an existing database that can run in a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatabaseChange {
    /// Name before the change.
    pub old_name: String,
    /// New name, when renamed.
    pub rename: Option<String>,
    /// New owner.
    pub owner: Option<String>,
    /// New connection limit.
    pub connection_limit: Option<i32>,
    /// New ALLOW_CONNECTIONS.
    pub allow_connections: Option<bool>,
    /// New IS_TEMPLATE.
    pub is_template: Option<bool>,
}

/// ALTER DATABASE statements for a change, rename first (the others name
/// the database by its new name). They may all run in one transaction.
pub fn alter_database(c: &DatabaseChange) -> Vec<Statement> {
    let mut out = Vec::new();
    let name = c.rename.as_deref().unwrap_or(&c.old_name);
    let db = ident(name);
    if c.rename.is_some() {
        out.push(Statement::plain(format!(
            "ALTER DATABASE {} RENAME TO {db}",
            ident(&c.old_name)
        )));
    }
    if let Some(owner) = &c.owner {
        out.push(Statement::plain(format!(
            "ALTER DATABASE {db} OWNER TO {}",
            ident(owner)
        )));
    }
    if let Some(n) = c.connection_limit {
        out.push(Statement::plain(format!(
            "ALTER DATABASE {db} CONNECTION LIMIT {n}"
        )));
    }
    if let Some(b) = c.allow_connections {
        out.push(Statement::plain(format!(
            "ALTER DATABASE {db} ALLOW_CONNECTIONS {b}"
        )));
    }
    if let Some(b) = c.is_template {
        out.push(Statement::plain(format!(
            "ALTER DATABASE {db} IS_TEMPLATE {b}"
        )));
    }
    out
}

/// ALTER DATABASE ... SET TABLESPACE; `DEFAULT` moves it back to
/// `pg_default`. It cannot run inside a transaction block.
pub fn set_tablespace(name: &str, tablespace: &str) -> Statement {
    let target = if is_default(tablespace) {
        DEFAULT_TABLESPACE
    } else {
        tablespace
    };
    Statement::plain(format!(
        "ALTER DATABASE {} SET TABLESPACE {}",
        ident(name),
        ident(target)
    ))
}

/// DROP DATABASE; `force` (PostgreSQL 13 and later) ends the sessions still
/// connected to it. It cannot run inside a transaction block.
pub fn drop_database(name: &str, force: bool) -> Statement {
    Statement::plain(if force {
        format!("DROP DATABASE {} WITH (FORCE)", ident(name))
    } else {
        format!("DROP DATABASE {}", ident(name))
    })
}

/// The statements that make objects in the connected database owned by
/// `old_owner` belong to `new_owner`, and nothing else: REASSIGN OWNED also
/// hands over the shared objects of `old_owner` (every other database and
/// tablespace it owns), so those are given back in the same transaction.
/// `shared` lists them, as read by [`shared_objects_owned_by`].
pub fn reassign_owned(
    database: &str,
    old_owner: &str,
    new_owner: &str,
    shared: &[SharedObject],
) -> Vec<Statement> {
    let mut out = vec![
        Lock::Reassign(database).statement(),
        Statement::plain(format!(
            "REASSIGN OWNED BY {} TO {}",
            ident(old_owner),
            ident(new_owner)
        )),
    ];
    for o in shared {
        let kind = match o.kind {
            SharedKind::Database => "DATABASE",
            SharedKind::Tablespace => "TABLESPACE",
        };
        out.push(Statement::plain(format!(
            "ALTER {kind} {} OWNER TO {}",
            ident(&o.name),
            ident(old_owner)
        )));
    }
    out
}

/// A kind of object shared by every database of the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedKind {
    /// A database.
    Database,
    /// A tablespace.
    Tablespace,
}

/// A shared object and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedObject {
    /// Database or tablespace.
    pub kind: SharedKind,
    /// Its name.
    pub name: String,
}

/// The databases (other than `except`) and tablespaces `role` owns.
pub async fn shared_objects_owned_by<C: GenericClient>(
    client: &C,
    role: &str,
    except: &str,
) -> Result<Vec<SharedObject>, PgError> {
    let rows = client
        .query(
            "SELECT 'd', datname::text FROM pg_catalog.pg_database \
             WHERE datdba = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1) \
               AND datname <> $2 \
             UNION ALL \
             SELECT 't', spcname::text FROM pg_catalog.pg_tablespace \
             WHERE spcowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1) \
             ORDER BY 1, 2",
            &[&role, &except],
        )
        .await
        .map_err(|e| PgError::query(format!("listing what role {role:?} owns"), e))?;
    Ok(rows
        .iter()
        .map(|r| SharedObject {
            kind: if r.get::<_, &str>(0) == "d" {
                SharedKind::Database
            } else {
                SharedKind::Tablespace
            },
            name: r.get(1),
        })
        .collect())
}

/// A database as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseRow {
    /// Name.
    pub name: String,
    /// Owner.
    pub owner: String,
    /// Encoding name, e.g. `UTF8`.
    pub encoding: String,
    /// Whether the spelling of the encoding passed to [`read_database`]
    /// names this same encoding (`utf-8` and `UTF8` do).
    pub encoding_matches: bool,
    /// `datcollate`.
    pub lc_collate: String,
    /// `datctype`.
    pub lc_ctype: String,
    /// Default tablespace.
    pub tablespace: String,
    /// `datconnlimit`.
    pub connection_limit: i32,
    /// `datallowconn`.
    pub allow_connections: bool,
    /// `datistemplate`.
    pub is_template: bool,
}

/// The columns of a [`DatabaseRow`], `$1` being the encoding spelling to
/// compare with (NULL: none).
pub(crate) const SELECT_DATABASE: &str = "\
    SELECT d.datname::text, pg_catalog.pg_get_userbyid(d.datdba)::text, \
           pg_catalog.pg_encoding_to_char(d.encoding)::text, \
           coalesce(pg_catalog.pg_char_to_encoding($1::text) = d.encoding, false), \
           d.datcollate::text, d.datctype::text, t.spcname::text, d.datconnlimit, \
           d.datallowconn, d.datistemplate \
    FROM pg_catalog.pg_database d \
    JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace";

pub(crate) fn row_of(r: &tokio_postgres::Row) -> Result<DatabaseRow, tokio_postgres::Error> {
    Ok(DatabaseRow {
        name: r.try_get(0)?,
        owner: r.try_get(1)?,
        encoding: r.try_get(2)?,
        encoding_matches: r.try_get(3)?,
        lc_collate: r.try_get(4)?,
        lc_ctype: r.try_get(5)?,
        tablespace: r.try_get(6)?,
        connection_limit: r.try_get(7)?,
        allow_connections: r.try_get(8)?,
        is_template: r.try_get(9)?,
    })
}

/// Reads one database. `encoding` is the spelling to compare the server's
/// encoding with (PostgreSQL ignores case and punctuation in encoding
/// names).
pub async fn read_database<C: GenericClient>(
    client: &C,
    name: &str,
    encoding: Option<&str>,
) -> Result<Option<DatabaseRow>, PgError> {
    let err = |e| PgError::query(format!("reading database {name:?}"), e);
    let row = client
        .query_opt(
            &format!("{SELECT_DATABASE} WHERE d.datname = $2"),
            &[&encoding, &name],
        )
        .await
        .map_err(err)?;
    row.as_ref().map(row_of).transpose().map_err(err)
}

/// A session connected to a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Backend process ID.
    pub pid: i32,
    /// Role it logged in as (null to roles that may not see it).
    pub user: Option<String>,
    /// `application_name`.
    pub application_name: Option<String>,
    /// Client address; null for Unix sockets and for sessions of roles the
    /// provider's role may not inspect.
    pub client_addr: Option<String>,
}

/// What keeps a database in use, beyond the provider's own session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Blockers {
    /// Sessions connected to it.
    pub sessions: Vec<Session>,
    /// Prepared transactions (`gid`) in it.
    pub prepared: Vec<String>,
    /// Replication slots tied to it.
    pub slots: Vec<String>,
}

impl Blockers {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.prepared.is_empty() && self.slots.is_empty()
    }

    /// One line per blocker, for a diagnostic.
    pub fn describe(&self) -> String {
        let mut lines = Vec::new();
        for s in &self.sessions {
            lines.push(format!(
                "  session pid {}: user {}, application_name {}, client {}",
                s.pid,
                s.user
                    .as_deref()
                    .map_or("(hidden)".into(), |u| format!("{u:?}")),
                s.application_name
                    .as_deref()
                    .map_or("(hidden)".into(), |a| format!("{a:?}")),
                s.client_addr.as_deref().unwrap_or("local socket or hidden"),
            ));
        }
        for g in &self.prepared {
            lines.push(format!("  prepared transaction {g:?}"));
        }
        for s in &self.slots {
            lines.push(format!("  replication slot {s:?}"));
        }
        lines.join("\n")
    }
}

/// The sessions, prepared transactions and replication slots that keep
/// `database` in use (the calling session excluded).
pub async fn blockers<C: GenericClient>(client: &C, database: &str) -> Result<Blockers, PgError> {
    let err = |e| PgError::query(format!("listing what uses database {database:?}"), e);
    let sessions = client
        .query(
            "SELECT pid, usename::text, application_name, host(client_addr) \
             FROM pg_catalog.pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid() ORDER BY pid",
            &[&database],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| Session {
            pid: r.get(0),
            user: r.get(1),
            application_name: r.get(2),
            client_addr: r.get(3),
        })
        .collect();
    let prepared = client
        .query(
            "SELECT gid FROM pg_catalog.pg_prepared_xacts WHERE database = $1 ORDER BY gid",
            &[&database],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let slots = client
        .query(
            "SELECT slot_name::text FROM pg_catalog.pg_replication_slots \
             WHERE database = $1 ORDER BY 1",
            &[&database],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Blockers {
        sessions,
        prepared,
        slots,
    })
}

/// Ends every other session connected to `database`, as far as the calling
/// role may (a role that is not a superuser cannot end a superuser's
/// sessions, nor, without `pg_signal_backend`, other roles'). Returns how
/// many were signalled; what is left is for DROP DATABASE ... WITH (FORCE)
/// to refuse, naming them.
pub async fn terminate_sessions<C: GenericClient>(
    client: &C,
    database: &str,
) -> Result<i64, PgError> {
    // pg_terminate_backend raises an error for a session it may not signal,
    // which would end the whole statement: only those it may are asked.
    const TERMINATE: &str = "\
        WITH me AS (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) \
        SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(a.pid)) \
        FROM pg_catalog.pg_stat_activity a \
        LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid, me \
        WHERE a.datname = $1 AND a.pid <> pg_catalog.pg_backend_pid() \
          AND (me.rolsuper \
               OR (r.rolsuper IS FALSE \
                   AND (pg_catalog.pg_has_role(a.usesysid, 'USAGE') \
                        OR pg_catalog.pg_has_role('pg_signal_backend', 'USAGE'))))";
    let row = client
        .query_one(TERMINATE, &[&database])
        .await
        .map_err(|e| PgError::query(format!("ending the sessions in database {database:?}"), e))?;
    Ok(row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> DatabaseSpec {
        DatabaseSpec {
            name: "my db".into(),
            owner: "app".into(),
            connection_limit: -1,
            allow_connections: true,
            ..DatabaseSpec::default()
        }
    }

    #[test]
    fn create_says_only_what_is_asked() {
        assert_eq!(
            create_database(&spec()).sql,
            "CREATE DATABASE \"my db\" OWNER \"app\" ALLOW_CONNECTIONS true CONNECTION LIMIT -1 \
             IS_TEMPLATE false"
        );
        let full = DatabaseSpec {
            template: Some("template0".into()),
            encoding: Some("UTF8".into()),
            lc_collate: Some("C.UTF-8".into()),
            lc_ctype: Some("it's".into()),
            tablespace: Some("Fast".into()),
            connection_limit: 3,
            allow_connections: false,
            is_template: true,
            ..spec()
        };
        assert_eq!(
            create_database(&full).sql,
            "CREATE DATABASE \"my db\" OWNER \"app\" TEMPLATE \"template0\" ENCODING 'UTF8' \
             LC_COLLATE 'C.UTF-8' LC_CTYPE 'it''s' TABLESPACE \"Fast\" ALLOW_CONNECTIONS false \
             CONNECTION LIMIT 3 IS_TEMPLATE true"
        );
    }

    #[test]
    fn default_keyword_is_not_quoted() {
        let s = DatabaseSpec {
            template: Some("DEFAULT".into()),
            encoding: Some("default".into()),
            lc_collate: Some("Default".into()),
            lc_ctype: Some("DEFAULT".into()),
            tablespace: Some("DEFAULT".into()),
            ..spec()
        };
        assert_eq!(
            create_database(&s).sql,
            "CREATE DATABASE \"my db\" OWNER \"app\" TEMPLATE DEFAULT ENCODING DEFAULT \
             LC_COLLATE DEFAULT LC_CTYPE DEFAULT TABLESPACE DEFAULT ALLOW_CONNECTIONS true \
             CONNECTION LIMIT -1 IS_TEMPLATE false"
        );
        assert_eq!(
            set_tablespace("d", "default").sql,
            "ALTER DATABASE \"d\" SET TABLESPACE \"pg_default\""
        );
    }

    #[test]
    fn alter_renames_first() {
        let c = DatabaseChange {
            old_name: "old".into(),
            rename: Some("New \"one\"".into()),
            owner: Some("o".into()),
            connection_limit: Some(2),
            allow_connections: Some(false),
            is_template: Some(true),
        };
        let sql: Vec<String> = alter_database(&c).into_iter().map(|s| s.sql).collect();
        assert_eq!(
            sql,
            [
                "ALTER DATABASE \"old\" RENAME TO \"New \"\"one\"\"\"",
                "ALTER DATABASE \"New \"\"one\"\"\" OWNER TO \"o\"",
                "ALTER DATABASE \"New \"\"one\"\"\" CONNECTION LIMIT 2",
                "ALTER DATABASE \"New \"\"one\"\"\" ALLOW_CONNECTIONS false",
                "ALTER DATABASE \"New \"\"one\"\"\" IS_TEMPLATE true",
            ]
        );
        assert!(alter_database(&DatabaseChange {
            old_name: "x".into(),
            ..DatabaseChange::default()
        })
        .is_empty());
    }

    #[test]
    fn drop_forces_when_asked() {
        assert_eq!(
            drop_database("d", true).sql,
            "DROP DATABASE \"d\" WITH (FORCE)"
        );
        assert_eq!(drop_database("d", false).sql, "DROP DATABASE \"d\"");
    }

    #[test]
    fn reassign_gives_shared_objects_back() {
        let shared = [
            SharedObject {
                kind: SharedKind::Database,
                name: "other".into(),
            },
            SharedObject {
                kind: SharedKind::Tablespace,
                name: "ts".into(),
            },
        ];
        let sql: Vec<String> = reassign_owned("d", "a", "b", &shared)
            .into_iter()
            .map(|s| s.sql)
            .collect();
        assert!(sql[0].contains("pg_advisory_xact_lock"));
        assert_eq!(
            &sql[1..],
            [
                "REASSIGN OWNED BY \"a\" TO \"b\"",
                "ALTER DATABASE \"other\" OWNER TO \"a\"",
                "ALTER TABLESPACE \"ts\" OWNER TO \"a\"",
            ]
        );
    }

    #[test]
    fn blockers_are_described_one_per_line() {
        let b = Blockers {
            sessions: vec![Session {
                pid: 42,
                user: Some("bob".into()),
                application_name: Some("psql".into()),
                client_addr: Some("10.0.0.1".into()),
            }],
            prepared: vec!["tx1".into()],
            slots: vec![],
        };
        assert_eq!(
            b.describe(),
            "  session pid 42: user \"bob\", application_name \"psql\", client 10.0.0.1\n  \
             prepared transaction \"tx1\""
        );
        assert!(!b.is_empty());
        assert!(Blockers::default().is_empty());
    }
}
