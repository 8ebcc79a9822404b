//! `postgresql_schema_access` data source: for each schema asked about,
//! every role that can effectively read or write it.
//!
//! This is the reviewer's audit: compare it with what the configuration
//! grants to find roles whose access comes from somewhere else (a manual
//! GRANT, PUBLIC, a membership, superuser). It checks effective privileges
//! (`has_schema_privilege` / `has_table_privilege`), so inheritance through
//! memberships and grants to PUBLIC count, exactly as PostgreSQL will
//! enforce them.

use std::sync::Arc;

use crate::model;
use crate::pg::catalog::audit::{self, SchemaAccess};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::{DResult, DataSourceType, Diagnostic, Diagnostics, Problem, Tf, Value};
use async_trait::async_trait;

use crate::resources::support::errors::{pg_diag, ErrorContext, OrDiag};
use crate::resources::support::state::ProviderState;
use crate::resources::support::validators;

model! {
    /// One schema and role with access.
    pub struct AccessEntry {
        schema: String = computed("Schema."),
        role: String = computed("Role."),
        can_read: bool = computed("Read access."),
        can_write: bool = computed("Write access."),
        is_login: bool = computed("The role can log in."),
        is_superuser: bool = computed("The role is a superuser."),
    }
}

model! {
    /// A `postgresql_schema_access` read.
    pub struct SchemaAccessModel {
        id: Tf<String> = computed(
            "The database and schemas as a JSON object; the same inputs always give the same id.",
        ),
        schemas: Vec<String> = required(
            "Names of the schemas to check (exact, case-sensitive). A name listed twice is \
             reported once.",
        )
        .each(validators::schema_name)
        .check(no_null_schema),
        database: Tf<String> = optional(
            "Database holding the schemas. Defaults to the provider's database.",
        )
        .and_computed()
        .each(validators::database_name),
        access: Tf<Vec<AccessEntry>> = computed(
            "One entry per schema and role with read or write access, ordered as `schemas` then \
             by role name (byte order); roles with neither are left out. Each has `schema`, \
             `role`, `can_read`, `can_write`, `is_login` (the role can log in) and \
             `is_superuser`.",
        ),
    }
    view SchemaAccessView;
}

impl From<&SchemaAccess> for AccessEntry {
    fn from(a: &SchemaAccess) -> Self {
        AccessEntry {
            schema: a.schema.clone(),
            role: a.role.clone(),
            can_read: a.can_read,
            can_write: a.can_write,
            is_login: a.is_login,
            is_superuser: a.is_superuser,
        }
    }
}

/// The id: database and schemas, written out so equal inputs give equal ids.
fn id_of(database: &str, schemas: &[String]) -> String {
    serde_json::json!({ "database": database, "schemas": schemas }).to_string()
}

/// The `postgresql_schema_access` data source.
pub struct SchemaAccessDataSource {
    state: Arc<ProviderState>,
}

impl SchemaAccessDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> SchemaAccessDataSource {
        SchemaAccessDataSource { state }
    }
}

#[async_trait]
impl DataSourceType for SchemaAccessDataSource {
    type Model = SchemaAccessModel;
    const NAME: &'static str = "postgresql_schema_access";

    fn description(&self) -> String {
        "Audits who can read or write schemas: for each schema, every role \
                    that effectively can, counting privileges inherited through memberships, \
                    privileges granted to PUBLIC, and superusers (who pass every check). Compare \
                    it with your configuration to find access that nothing in it grants. \
                    Predefined `pg_*` roles are left out. Fails, naming them, when a schema does \
                    not exist.\n\n\
                    * **read**: USAGE on the schema and SELECT on every table, partitioned table, \
                    view, materialized view and foreign table in it. In a schema with none of \
                    those, USAGE alone.\n\
                    * **write**: USAGE on the schema and INSERT, UPDATE and DELETE on every \
                    ordinary and partitioned table in it. A schema with no such table cannot be \
                    written, so nobody has write access to it.\n\n\
                    Partitions are not checked themselves: their rows are read and written \
                    through the partitioned table, whose privileges are the ones PostgreSQL \
                    checks. \
                    Privileges on individual columns, sequences, functions and CREATE on the \
                    schema are not considered."
            .into()
    }

    async fn read(&self, config: SchemaAccessModel) -> DResult<SchemaAccessModel> {
        let client = self.state.client().await?;
        let database = config
            .database
            .known()
            .cloned()
            .unwrap_or_else(|| client.pools.settings().database.clone());
        let schemas = config.schemas.clone();
        let ctx = ErrorContext::new(&client.info.current_user, format!("database {database:?}"))
            .needs(format!("CONNECT on database {database:?}"));
        let conn = client.pools.get(Some(&database)).await.map_err(|e| {
            if e.is_missing_database() {
                Diagnostics::from(
                    Diagnostic::error(
                        "Database Not Found",
                        format!(
                            "No database named {database:?} exists on the server. Correct \
                             `database`, or leave it unset to use the provider's database."
                        ),
                    )
                    .at("database"),
                )
            } else {
                pg_diag(&e, &ctx)
            }
        })?;
        let report = audit::schema_access(&**conn, &schemas)
            .await
            .or_diag(&ctx)?;
        if !report.missing.is_empty() {
            let names = report
                .missing
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let (summary, noun, verb) = if report.missing.len() == 1 {
                ("Schema Not Found", "Schema", "does not exist")
            } else {
                ("Schemas Not Found", "Schemas", "do not exist")
            };
            return Err(Diagnostic::error(
                summary,
                format!(
                    "{noun} {names} {verb} in database {database:?}. Schema names are \
                     case-sensitive and must match exactly; create the schema first or remove it \
                     from `schemas`."
                ),
            )
            .at("schemas")
            .into());
        }
        Ok(SchemaAccessModel {
            id: Tf::Known(id_of(&database, &schemas)),
            access: Tf::Known(report.access.iter().map(AccessEntry::from).collect()),
            database: Tf::Known(database),
            ..config
        })
    }
}

/// A null in `schemas`, which names nothing.
fn no_null_schema(attr: &str, value: &Value) -> Option<Problem> {
    value
        .as_elements()
        .is_some_and(|items| items.iter().any(Value::is_null))
        .then(|| {
            Problem::new(
                "Null Schema Name",
                format!("{attr} must not contain null; list schema names only."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_deterministic_and_unambiguous() {
        let a = id_of("db", &["a,b".into()]);
        let b = id_of("db", &["a".into(), "b".into()]);
        assert_ne!(a, b);
        assert_eq!(b, r#"{"database":"db","schemas":["a","b"]}"#);
    }

    #[test]
    fn access_entry_keeps_every_field() {
        use crate::protocol::Model;
        let v = AccessEntry::from(&SchemaAccess {
            schema: "s".into(),
            role: "r".into(),
            can_read: true,
            can_write: false,
            is_login: true,
            is_superuser: false,
        })
        .to_value();
        assert_eq!(v.get("role").as_str(), Some("r"));
        assert_eq!(v.get("can_write").as_bool(), Some(false));
    }
}
