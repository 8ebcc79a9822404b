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

use async_trait::async_trait;
use tokio_postgres::error::SqlState;

use crate::pg::audit::{self, SchemaAccess};
use crate::protocol::{
    Attribute, Block, DResult, DataSource, Diagnostic, Diagnostics, Schema, Type, Value,
};

use super::errors::{pg_diag, ErrorContext};
use super::state::ProviderState;
use super::util::{check_identifier, string};

fn access_object_type() -> Type {
    Type::object([
        ("schema", Type::String),
        ("role", Type::String),
        ("can_read", Type::Bool),
        ("can_write", Type::Bool),
        ("is_login", Type::Bool),
        ("is_superuser", Type::Bool),
    ])
}

fn access_value(a: &SchemaAccess) -> Value {
    Value::object([
        ("schema", Value::string(&a.schema)),
        ("role", Value::string(&a.role)),
        ("can_read", Value::bool(a.can_read)),
        ("can_write", Value::bool(a.can_write)),
        ("is_login", Value::bool(a.is_login)),
        ("is_superuser", Value::bool(a.is_superuser)),
    ])
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
impl DataSource for SchemaAccessDataSource {
    fn type_name(&self) -> &'static str {
        "postgresql_schema_access"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description: "Audits who can read or write schemas: for each schema, every role \
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
                    .into(),
                attributes: vec![
                    Attribute::computed(
                        "id",
                        Type::String,
                        "The database and schemas as a JSON object; the same inputs always give \
                         the same id.",
                    ),
                    Attribute::required(
                        "schemas",
                        Type::list(Type::String),
                        "Names of the schemas to check (exact, case-sensitive). A name listed \
                         twice is reported once.",
                    ),
                    Attribute::optional(
                        "database",
                        Type::String,
                        "Database holding the schemas. Defaults to the provider's database.",
                    )
                    .and_computed(),
                    Attribute::computed(
                        "access",
                        Type::list(access_object_type()),
                        "One entry per schema and role with read or write access, ordered as \
                         `schemas` then by role name (byte order); roles with neither are left \
                         out. Each has `schema`, `role`, `can_read`, `can_write`, `is_login` \
                         (the role can log in) and `is_superuser`.",
                    ),
                ],
                blocks: vec![],
            },
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(items) = config.get("schemas").as_elements() {
            for item in items {
                if item.is_null() {
                    d.push(
                        Diagnostic::error(
                            "Null Schema Name",
                            "schemas must not contain null; list schema names only.",
                        )
                        .at("schemas"),
                    );
                } else if let Some(e) = item
                    .as_str()
                    .and_then(|s| check_identifier("schemas", "Schema Name", s))
                {
                    d.push(e);
                }
            }
        }
        if let Some(db) = config.get("database").as_str() {
            if let Some(e) = check_identifier("database", "Database Name", db) {
                d.push(e);
            }
        }
        d
    }

    async fn read(&self, config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let database =
            string(config, "database").unwrap_or_else(|| client.pools.settings().database.clone());
        let schemas = config.get("schemas").as_string_set().unwrap_or_default();
        let ctx = ErrorContext {
            connected_as: client.info.current_user.clone(),
            privilege_needed: Some(format!("CONNECT on database {database:?}")),
            import_command: None,
            object: format!("database {database:?}"),
        };
        let conn = client.pools.get(Some(&database)).await.map_err(|e| {
            if e.sqlstate() == Some(&SqlState::INVALID_CATALOG_NAME) {
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
            .map_err(|e| pg_diag(&e, &ctx))?;
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
        let mut state = config.clone();
        state.set("id", Value::string(id_of(&database, &schemas)));
        state.set("database", Value::string(&database));
        state.set(
            "access",
            Value::List(report.access.iter().map(access_value).collect()),
        );
        Ok(state)
    }
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
    fn access_value_matches_schema_type() {
        let v = access_value(&SchemaAccess {
            schema: "s".into(),
            role: "r".into(),
            can_read: true,
            can_write: false,
            is_login: true,
            is_superuser: false,
        });
        let Type::Object { attrs, .. } = access_object_type() else {
            panic!("not an object type")
        };
        let Value::Object(m) = &v else {
            panic!("not an object")
        };
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            attrs.keys().collect::<Vec<_>>()
        );
    }
}
