//! Security labels: `SECURITY LABEL FOR provider ON type name IS ...` and
//! the read of one label from `pg_seclabels`, for `postgresql_security_label`.
//!
//! Only objects named by one identifier are covered (roles, databases,
//! schemas...): `pg_seclabels` prints their name with `quote_ident`, so the
//! read can match it exactly, whatever characters the name holds.

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::quote::{ident, literal};

/// The object types a label can be put on by a single-identifier name, as
/// `pg_seclabels.objtype` spells them.
pub const OBJECT_TYPES: &[&str] = &[
    "database",
    "event trigger",
    "language",
    "publication",
    "role",
    "schema",
    "subscription",
    "tablespace",
];

/// `SECURITY LABEL FOR provider ON TYPE "name" IS 'label'`, or `IS NULL`
/// (which removes the provider's label) when `label` is `None`.
pub fn set(provider: &str, object_type: &str, object_name: &str, label: Option<&str>) -> Statement {
    Statement::plain(format!(
        "SECURITY LABEL FOR {} ON {} {} IS {}",
        ident(provider),
        object_type.to_ascii_uppercase(),
        ident(object_name),
        label.map_or_else(|| "NULL".to_string(), literal)
    ))
}

/// The label `provider` put on the object; `None` when there is none (or
/// no such object).
pub async fn read<C: GenericClient>(
    client: &C,
    provider: &str,
    object_type: &str,
    object_name: &str,
) -> Result<Option<String>, PgError> {
    let row = client
        .query_opt(
            "SELECT label FROM pg_catalog.pg_seclabels \
             WHERE objtype = $1 AND objname = pg_catalog.quote_ident($2) AND provider = $3",
            &[&object_type, &object_name, &provider],
        )
        .await
        .map_err(|e| {
            PgError::query(
                format!(
                    "reading the {provider:?} security label of {object_type} {}",
                    ident(object_name)
                ),
                e,
            )
        })?;
    Ok(row.map(|r| r.get(0)))
}

/// One label as [`list`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The label provider.
    pub provider: String,
    /// One of [`OBJECT_TYPES`].
    pub object_type: String,
    /// The object's name as written, not quoted.
    pub object_name: String,
    /// The label itself.
    pub label: String,
}

/// Every label on an object of one of the [`OBJECT_TYPES`]: those on
/// databases, roles, tablespaces and subscriptions, and those on objects of
/// the connection's database.
pub async fn list<C: GenericClient>(client: &C) -> Result<Vec<Label>, PgError> {
    let types: Vec<String> = OBJECT_TYPES.iter().map(|t| t.to_string()).collect();
    let rows = client
        .query(
            "SELECT provider, objtype, objname, label FROM pg_catalog.pg_seclabels \
             WHERE objtype = ANY($1) ORDER BY 1, 2, 3",
            &[&types],
        )
        .await
        .map_err(|e| PgError::query("listing security labels", e))?;
    rows.iter()
        .map(|r| {
            let get = |e| PgError::query("listing security labels", e);
            let quoted: String = r.try_get(2).map_err(get)?;
            Ok(Label {
                provider: r.try_get(0).map_err(get)?,
                object_type: r.try_get(1).map_err(get)?,
                object_name: unquote(&quoted),
                label: r.try_get(3).map_err(get)?,
            })
        })
        .collect()
}

/// The name `quote_ident` turned into `quoted` (what `pg_seclabels` shows
/// for single-name objects).
fn unquote(quoted: &str) -> String {
    match quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => quoted.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unquoted() {
        assert_eq!(unquote("app"), "app");
        assert_eq!(unquote("\"My \"\"T\"\"\""), "My \"T\"");
        assert_eq!(unquote("\"a.b\""), "a.b");
    }

    #[test]
    fn statements_quote_everything() {
        assert_eq!(
            set("dummy", "role", "app", Some("secret")).sql,
            "SECURITY LABEL FOR \"dummy\" ON ROLE \"app\" IS 'secret'"
        );
        assert_eq!(
            set("sepgsql", "event trigger", "My \"T\"", Some("it's")).sql,
            "SECURITY LABEL FOR \"sepgsql\" ON EVENT TRIGGER \"My \"\"T\"\"\" IS 'it''s'"
        );
        assert_eq!(
            set("dummy", "schema", "s", None).sql,
            "SECURITY LABEL FOR \"dummy\" ON SCHEMA \"s\" IS NULL"
        );
    }
}
