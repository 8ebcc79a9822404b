//! User mappings: the `CREATE`, `ALTER` and `DROP USER MAPPING` statements
//! behind `postgresql_user_mapping`, and the reads of one mapping or all of
//! a database's.
//!
//! Their options usually hold a password, so the statements log every
//! value as `'[redacted]'`, and the caller runs them through
//! [`crate::pg::conn::quiet`]. PostgreSQL shows a mapping's options
//! (`pg_user_mappings.umoptions`) only to a superuser, to the mapped role
//! itself when it may use the server, and for the PUBLIC mapping to the
//! server's owner: the reads say whether they could see them.

use std::collections::BTreeMap;

use tokio_postgres::{GenericClient, Row};

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::fdw::options::{self, Change, Options, Shown};
use crate::pg::sql::quote::ident;

/// Whether `user` names the PUBLIC mapping (in any case, as the keyword
/// does): the one used by roles without a mapping of their own.
pub fn is_public(user: &str) -> bool {
    user.eq_ignore_ascii_case("public")
}

/// `FOR` what: the `PUBLIC` keyword, or the role's quoted name.
fn target(user: &str, server: &str) -> String {
    let who = if is_public(user) {
        "PUBLIC".to_string()
    } else {
        ident(user)
    };
    format!("FOR {who} SERVER {}", ident(server))
}

/// `CREATE USER MAPPING FOR ... SERVER ... [OPTIONS (...)]`, values
/// redacted in the log copy.
pub fn create(user: &str, server: &str, options: &Options) -> Statement {
    let head = format!("CREATE USER MAPPING {}", target(user, server));
    let (sql, log) = options::create_clause(options, Shown::Redacted);
    Statement {
        sql: format!("{head}{sql}"),
        log: format!("{head}{log}"),
    }
}

/// `ALTER USER MAPPING ... OPTIONS (...)`, values redacted in the log
/// copy; `None` when nothing changes.
pub fn alter(user: &str, server: &str, changes: &[Change]) -> Option<Statement> {
    let head = format!("ALTER USER MAPPING {}", target(user, server));
    options::alter_clause(changes, Shown::Redacted).map(|(sql, log)| Statement {
        sql: format!("{head}{sql}"),
        log: format!("{head}{log}"),
    })
}

/// `DROP USER MAPPING IF EXISTS ...`: also quiet when the role or the
/// server is gone.
pub fn drop(user: &str, server: &str) -> Statement {
    Statement::plain(format!(
        "DROP USER MAPPING IF EXISTS {}",
        target(user, server)
    ))
}

/// A user mapping as the catalog shows it to the current role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    /// Its options; `None` when the current role may not see them.
    pub options: Option<Options>,
}

/// The mapping's options as `pg_user_mappings` shows them, and whether
/// the view would show them to the current role (it shows NULL both for a
/// mapping without options and for one the role may not see).
const SELECT: &str = "SELECT m.usename::text, m.srvname::text, \
        coalesce(m.umoptions, '{}'::text[]), \
        m.umoptions IS NOT NULL \
        OR (m.umuser <> 0 AND m.usename = current_user \
            AND (pg_catalog.pg_has_role(s.srvowner, 'USAGE') \
                 OR pg_catalog.has_server_privilege(s.oid, 'USAGE'))) \
        OR (m.umuser = 0 AND pg_catalog.pg_has_role(s.srvowner, 'USAGE')) \
        OR pg_catalog.current_setting('is_superuser') = 'on' \
    FROM pg_catalog.pg_user_mappings m \
    JOIN pg_catalog.pg_foreign_server s ON s.oid = m.srvid";

fn row(r: &Row, action: &str) -> Result<(String, String, MappingRow), PgError> {
    let get = |e| PgError::query(action.to_string(), e);
    let entries: Vec<String> = r.try_get(2).map_err(get)?;
    let visible: bool = r.try_get(3).map_err(get)?;
    Ok((
        r.try_get(0).map_err(get)?,
        r.try_get(1).map_err(get)?,
        MappingRow {
            options: visible.then(|| options::parse(&entries)),
        },
    ))
}

/// The mapping of `user` (or PUBLIC) for `server` in the connection's
/// database; `None` when there is none.
pub async fn read<C: GenericClient>(
    client: &C,
    user: &str,
    server: &str,
) -> Result<Option<MappingRow>, PgError> {
    let action = format!("reading the user mapping {}", target(user, server));
    let public = is_public(user);
    let found = client
        .query_opt(
            &format!(
                "{SELECT} WHERE m.srvname = $1 \
                 AND CASE WHEN $2 THEN m.umuser = 0 ELSE m.umuser <> 0 AND m.usename = $3 END"
            ),
            &[&server, &public, &user],
        )
        .await
        .map_err(|e| PgError::query(action.clone(), e))?;
    found
        .map(|r| row(&r, &action).map(|(_, _, m)| m))
        .transpose()
}

/// Every user mapping of the connection's database, by server and then
/// role (`public` for PUBLIC).
pub async fn list<C: GenericClient>(
    client: &C,
) -> Result<BTreeMap<(String, String), MappingRow>, PgError> {
    let action = "listing user mappings";
    let rows = client
        .query(&format!("{SELECT} ORDER BY 2, 1"), &[])
        .await
        .map_err(|e| PgError::query(action, e))?;
    rows.iter()
        .map(|r| row(r, action).map(|(user, server, m)| ((server, user), m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_is_the_keyword_and_roles_are_quoted() {
        let opts: Options = [
            ("user".to_string(), "remote".to_string()),
            ("password".to_string(), "s3cret".to_string()),
        ]
        .into();
        let s = create("PUBLIC", "srv", &opts);
        assert_eq!(
            s.sql,
            r#"CREATE USER MAPPING FOR PUBLIC SERVER "srv" OPTIONS ("password" 's3cret', "user" 'remote')"#
        );
        assert!(!s.log.contains("s3cret"), "{}", s.log);
        assert!(!s.log.contains("remote"), "{}", s.log);
        assert_eq!(
            create("Public", "srv", &Options::new()).sql,
            r#"CREATE USER MAPPING FOR PUBLIC SERVER "srv""#
        );
        assert_eq!(
            drop("App \"x\"", "srv").sql,
            r#"DROP USER MAPPING IF EXISTS FOR "App ""x""" SERVER "srv""#
        );
        let a = alter(
            "app",
            "srv",
            &[Change::Set("password".into(), "n3w".into())],
        )
        .unwrap();
        assert_eq!(
            a.sql,
            r#"ALTER USER MAPPING FOR "app" SERVER "srv" OPTIONS (SET "password" 'n3w')"#
        );
        assert!(!a.log.contains("n3w"));
        assert!(alter("app", "srv", &[]).is_none());
    }
}
