//! Extensions: the `CREATE`, `ALTER` and `DROP EXTENSION` statements behind
//! `postgresql_extension`, and the catalog reads that say what is installed
//! and what the server could install.

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::quote::{ident, literal};

/// An extension as it is installed in one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The schema holding its objects (`pg_extension.extnamespace`).
    pub schema: String,
    /// The installed version (`extversion`).
    pub version: String,
}

/// `CREATE EXTENSION IF NOT EXISTS`: an extension that is already installed
/// is adopted as it is (the caller then moves or updates it if asked).
/// `cascade` also installs the extensions it requires.
pub fn create(name: &str, schema: Option<&str>, version: Option<&str>, cascade: bool) -> Statement {
    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(name));
    if let Some(s) = schema {
        sql.push_str(&format!(" SCHEMA {}", ident(s)));
    }
    if let Some(v) = version {
        sql.push_str(&format!(" VERSION {}", literal(v)));
    }
    if cascade {
        sql.push_str(" CASCADE");
    }
    Statement::plain(sql)
}

/// `ALTER EXTENSION ... SET SCHEMA`: only for relocatable extensions.
pub fn set_schema(name: &str, schema: &str) -> Statement {
    Statement::plain(format!(
        "ALTER EXTENSION {} SET SCHEMA {}",
        ident(name),
        ident(schema)
    ))
}

/// `ALTER EXTENSION ... UPDATE TO`: runs the extension's update scripts.
pub fn update_to(name: &str, version: &str) -> Statement {
    Statement::plain(format!(
        "ALTER EXTENSION {} UPDATE TO {}",
        ident(name),
        literal(version)
    ))
}

/// `DROP EXTENSION IF EXISTS ... CASCADE|RESTRICT`.
pub fn drop(name: &str, cascade: bool) -> Statement {
    Statement::plain(format!(
        "DROP EXTENSION IF EXISTS {} {}",
        ident(name),
        if cascade { "CASCADE" } else { "RESTRICT" }
    ))
}

/// The installed extension `name`; `None` when it is not installed.
pub async fn read<C: GenericClient>(client: &C, name: &str) -> Result<Option<Installed>, PgError> {
    let row = client
        .query_opt(
            "SELECT n.nspname::text, e.extversion \
             FROM pg_catalog.pg_extension e \
             JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
             WHERE e.extname = $1",
            &[&name],
        )
        .await
        .map_err(|e| PgError::query(format!("reading extension {}", ident(name)), e))?;
    Ok(row.map(|r| Installed {
        schema: r.get(0),
        version: r.get(1),
    }))
}

/// Every extension installed in the connection's database except those
/// `initdb` put there (`plpgsql`, whose OID is below
/// [`crate::pg::catalog::FIRST_NORMAL_OID`]), by name.
pub async fn list_installed<C: GenericClient>(
    client: &C,
) -> Result<Vec<(String, Installed)>, PgError> {
    let rows = client
        .query(
            "SELECT e.extname::text, n.nspname::text, e.extversion \
             FROM pg_catalog.pg_extension e \
             JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
             WHERE e.oid >= $1 ORDER BY 1",
            &[&crate::pg::catalog::FIRST_NORMAL_OID],
        )
        .await
        .map_err(|e| PgError::query("listing extensions", e))?;
    rows.iter()
        .map(|r| {
            let get = |e| PgError::query("listing extensions", e);
            Ok((
                r.try_get(0).map_err(get)?,
                Installed {
                    schema: r.try_get(1).map_err(get)?,
                    version: r.try_get(2).map_err(get)?,
                },
            ))
        })
        .collect()
}

/// What the server's extension directory offers for `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Available {
    /// Every version that can be installed or updated to, in the server's
    /// order (`pg_available_extension_versions`).
    pub versions: Vec<String>,
    /// Whether the extension may be moved to another schema after creation.
    pub relocatable: bool,
}

/// The versions of `name` the server can install; `None` when its
/// extension directory has no such extension.
pub async fn available<C: GenericClient>(
    client: &C,
    name: &str,
) -> Result<Option<Available>, PgError> {
    let rows = client
        .query(
            "SELECT version, relocatable FROM pg_catalog.pg_available_extension_versions \
             WHERE name = $1 ORDER BY version",
            &[&name],
        )
        .await
        .map_err(|e| {
            PgError::query(
                format!(
                    "listing the available versions of extension {}",
                    ident(name)
                ),
                e,
            )
        })?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(Available {
        versions: rows.iter().map(|r| r.get(0)).collect(),
        relocatable: rows.iter().any(|r| r.get::<_, bool>(1)),
    }))
}

/// Whether `pg_extension_update_paths` knows a way from version `from` of
/// extension `name` to version `to`; `None` when it lists neither pair.
pub async fn has_update_path<C: GenericClient>(
    client: &C,
    name: &str,
    from: &str,
    to: &str,
) -> Result<Option<bool>, PgError> {
    let row = client
        .query_opt(
            "SELECT path IS NOT NULL FROM pg_catalog.pg_extension_update_paths($1) \
             WHERE source = $2 AND target = $3",
            &[&name, &from, &to],
        )
        .await
        .map_err(|e| {
            PgError::query(
                format!("reading the update paths of extension {}", ident(name)),
                e,
            )
        })?;
    Ok(row.map(|r| r.get(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_quote_names_and_versions() {
        assert_eq!(
            create("uuid-ossp", None, None, false).sql,
            r#"CREATE EXTENSION IF NOT EXISTS "uuid-ossp""#
        );
        assert_eq!(
            create("hstore", Some("My Schema"), Some("1.4"), true).sql,
            r#"CREATE EXTENSION IF NOT EXISTS "hstore" SCHEMA "My Schema" VERSION '1.4' CASCADE"#
        );
        assert_eq!(
            set_schema("pg_trgm", "ext").sql,
            r#"ALTER EXTENSION "pg_trgm" SET SCHEMA "ext""#
        );
        assert_eq!(
            update_to("hstore", "1.8").sql,
            r#"ALTER EXTENSION "hstore" UPDATE TO '1.8'"#
        );
        assert_eq!(
            drop("pgcrypto", true).sql,
            r#"DROP EXTENSION IF EXISTS "pgcrypto" CASCADE"#
        );
        assert_eq!(
            drop("pgcrypto", false).sql,
            r#"DROP EXTENSION IF EXISTS "pgcrypto" RESTRICT"#
        );
    }
}
