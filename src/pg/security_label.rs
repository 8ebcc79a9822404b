//! Security labels: `SECURITY LABEL FOR provider ON type name IS ...` and
//! the read of one label from `pg_seclabels`, for `postgresql_security_label`.
//!
//! Only objects named by one identifier are covered (roles, databases,
//! schemas...): `pg_seclabels` prints their name with `quote_ident`, so the
//! read can match it exactly, whatever characters the name holds.

use tokio_postgres::GenericClient;

use super::error::PgError;
use super::exec::Statement;
use super::quote::{ident, literal};

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

#[cfg(test)]
mod tests {
    use super::*;

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
