//! Foreign servers: the `CREATE`, `ALTER` and `DROP SERVER` statements
//! behind `postgresql_server`, and the reads of one server or all of a
//! database's.

use std::collections::BTreeMap;

use tokio_postgres::{GenericClient, Row};

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::fdw::options::{self, Change, Options, Shown};
use crate::pg::sql::quote::{ident, literal};

/// A foreign server as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRow {
    /// The foreign-data wrapper that manages it.
    pub fdw: String,
    /// Its owner.
    pub owner: String,
    /// `srvtype`; `None` when unset.
    pub server_type: Option<String>,
    /// `srvversion`; `None` when unset.
    pub version: Option<String>,
    /// Its options.
    pub options: Options,
}

/// What `CREATE SERVER` is given.
#[derive(Debug, Clone, Copy)]
pub struct NewServer<'a> {
    /// The server's name.
    pub name: &'a str,
    /// `TYPE`, when set.
    pub server_type: Option<&'a str>,
    /// `VERSION`, when set.
    pub version: Option<&'a str>,
    /// The foreign-data wrapper.
    pub fdw: &'a str,
    /// Its options.
    pub options: &'a Options,
}

/// `CREATE SERVER ... [TYPE] [VERSION] FOREIGN DATA WRAPPER ... [OPTIONS]`.
pub fn create(s: &NewServer<'_>) -> Statement {
    let mut sql = format!("CREATE SERVER {}", ident(s.name));
    if let Some(t) = s.server_type {
        sql.push_str(&format!(" TYPE {}", literal(t)));
    }
    if let Some(v) = s.version {
        sql.push_str(&format!(" VERSION {}", literal(v)));
    }
    sql.push_str(&format!(" FOREIGN DATA WRAPPER {}", ident(s.fdw)));
    let (opts, _) = options::create_clause(s.options, Shown::Plain);
    Statement::plain(sql + &opts)
}

/// `ALTER SERVER ... RENAME TO ...`.
pub fn rename(from: &str, to: &str) -> Statement {
    Statement::plain(format!(
        "ALTER SERVER {} RENAME TO {}",
        ident(from),
        ident(to)
    ))
}

/// `ALTER SERVER ... VERSION '...'`, or `VERSION NULL` to unset it.
pub fn set_version(name: &str, version: Option<&str>) -> Statement {
    Statement::plain(format!(
        "ALTER SERVER {} VERSION {}",
        ident(name),
        version.map_or_else(|| "NULL".to_string(), literal)
    ))
}

/// `ALTER SERVER ... OPTIONS (...)`; `None` when nothing changes.
pub fn alter_options(name: &str, changes: &[Change]) -> Option<Statement> {
    options::alter_clause(changes, Shown::Plain)
        .map(|(sql, _)| Statement::plain(format!("ALTER SERVER {}{sql}", ident(name))))
}

/// `ALTER SERVER ... OWNER TO ...`.
pub fn set_owner(name: &str, owner: &str) -> Statement {
    Statement::plain(format!(
        "ALTER SERVER {} OWNER TO {}",
        ident(name),
        ident(owner)
    ))
}

/// `DROP SERVER IF EXISTS ... CASCADE|RESTRICT`: `CASCADE` also drops the
/// user mappings and foreign tables that use it.
pub fn drop(name: &str, cascade: bool) -> Statement {
    Statement::plain(format!(
        "DROP SERVER IF EXISTS {} {}",
        ident(name),
        if cascade { "CASCADE" } else { "RESTRICT" }
    ))
}

const SELECT: &str = "SELECT s.srvname::text, w.fdwname::text, \
        pg_catalog.pg_get_userbyid(s.srvowner)::text, s.srvtype, s.srvversion, \
        coalesce(s.srvoptions, '{}'::text[]) \
    FROM pg_catalog.pg_foreign_server s \
    JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw";

fn row(r: &Row, action: &str) -> Result<(String, ServerRow), PgError> {
    let get = |e| PgError::query(action.to_string(), e);
    let entries: Vec<String> = r.try_get(5).map_err(get)?;
    Ok((
        r.try_get(0).map_err(get)?,
        ServerRow {
            fdw: r.try_get(1).map_err(get)?,
            owner: r.try_get(2).map_err(get)?,
            server_type: r.try_get(3).map_err(get)?,
            version: r.try_get(4).map_err(get)?,
            options: options::parse(&entries),
        },
    ))
}

/// The server `name` in the connection's database; `None` when there is
/// none.
pub async fn read<C: GenericClient>(client: &C, name: &str) -> Result<Option<ServerRow>, PgError> {
    let action = format!("reading foreign server {}", ident(name));
    let found = client
        .query_opt(&format!("{SELECT} WHERE s.srvname = $1"), &[&name])
        .await
        .map_err(|e| PgError::query(action.clone(), e))?;
    found.map(|r| row(&r, &action).map(|(_, s)| s)).transpose()
}

/// Every foreign server of the connection's database, by name.
pub async fn list<C: GenericClient>(client: &C) -> Result<BTreeMap<String, ServerRow>, PgError> {
    let action = "listing foreign servers";
    let rows = client
        .query(&format!("{SELECT} ORDER BY 1"), &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    rows.iter().map(|r| row(r, action)).collect()
}

/// Whether the connection's database could have foreign-data wrapper
/// `name` by the time a server is created: it has it, or the server offers
/// an extension of that name (or of that name without `_fdw`, as `dblink`
/// brings `dblink_fdw`) that a run may install first. Also every wrapper
/// the database has, for the message when not.
pub async fn wrapper_status<C: GenericClient>(
    client: &C,
    name: &str,
) -> Result<(bool, Vec<String>), PgError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper WHERE fdwname = $1) \
                 OR EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions \
                            WHERE name IN ($1, pg_catalog.regexp_replace($1, '_fdw$', ''))), \
                    ARRAY(SELECT fdwname::text FROM pg_catalog.pg_foreign_data_wrapper ORDER BY 1)",
            &[&name],
        )
        .await
        .map_err(|e| {
            PgError::query(
                format!("looking up foreign-data wrapper {}", ident(name)),
                e,
            )
        })?;
    Ok((row.get(0), row.get(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_quote_names_and_values() {
        let opts: Options = [("host".to_string(), "db.example".to_string())].into();
        assert_eq!(
            create(&NewServer {
                name: "My \"srv\"",
                server_type: Some("pg"),
                version: Some("15"),
                fdw: "postgres_fdw",
                options: &opts,
            })
            .sql,
            r#"CREATE SERVER "My ""srv""" TYPE 'pg' VERSION '15' FOREIGN DATA WRAPPER "postgres_fdw" OPTIONS ("host" 'db.example')"#
        );
        assert_eq!(
            create(&NewServer {
                name: "s",
                server_type: None,
                version: None,
                fdw: "file_fdw",
                options: &Options::new(),
            })
            .sql,
            r#"CREATE SERVER "s" FOREIGN DATA WRAPPER "file_fdw""#
        );
        assert_eq!(
            rename("a", "b.c").sql,
            r#"ALTER SERVER "a" RENAME TO "b.c""#
        );
        assert_eq!(
            set_version("s", None).sql,
            r#"ALTER SERVER "s" VERSION NULL"#
        );
        assert_eq!(
            set_version("s", Some("1.2")).sql,
            r#"ALTER SERVER "s" VERSION '1.2'"#
        );
        assert_eq!(
            alter_options("s", &[Change::Drop("port".into())])
                .unwrap()
                .sql,
            r#"ALTER SERVER "s" OPTIONS (DROP "port")"#
        );
        assert!(alter_options("s", &[]).is_none());
        assert_eq!(
            set_owner("s", "Owner").sql,
            r#"ALTER SERVER "s" OWNER TO "Owner""#
        );
        assert_eq!(drop("s", true).sql, r#"DROP SERVER IF EXISTS "s" CASCADE"#);
    }
}
