//! `postgresql_lints` data source: the row-level-security findings of a
//! database's tables that no plan can decide, read from the catalog. Meant
//! for a `check` block, which Terraform evaluates after apply and whose
//! failed assertions it shows as warnings.
//!
//! The codes and texts are the plan-time lints' own ([`crate::resources::review::rls_lints`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::table_lints::{schema_exists, table_facts, TableFilter};
use crate::protocol::model::{computed, optional};
use crate::protocol::{DResult, DataSourceType, Diagnostic, Diagnostics, Problem, Tf, Value};

use crate::resources::review::rls_lints::table_findings;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::grammar::dotted;
use crate::resources::support::state::ProviderState;
use crate::resources::support::validators;

model! {
    /// One finding.
    pub struct FindingEntry {
        code: String = computed(
            "The stable code, as in the plan-review guide: `PGW101`, `PGW102`, `PGW103` or \
             `PGW106`.",
        ),
        object: String = computed(
            "The table, as `schema.table` (a part that is empty or contains `.` or `\"` in \
             double quotes, `\"` doubled, as in the import IDs).",
        ),
        summary: String = computed("The title, as the plan warning with the same code shows it."),
        message: String = computed("What is wrong and what to do."),
    }
}

model! {
    /// A `postgresql_lints` read.
    pub struct LintsModel {
        id: Tf<String> = computed(
            "The database, schema and tables as a JSON object; the same inputs always give the \
             same id.",
        ),
        database: Tf<String> = optional(
            "Database whose tables to check. Defaults to the provider's database.",
        )
        .and_computed()
        .each(validators::database_name),
        schema: Option<String> = optional(
            "Only tables in this schema. Unset: every schema but PostgreSQL's own \
             (`pg_catalog`, `information_schema`, `pg_toast` and the temporary schemas).",
        )
        .each(validators::schema_name),
        tables: Option<Vec<String>> = optional(
            "Only tables of these names (exact, case-sensitive), in `schema` when it is set. \
             Fails, naming them, when one does not exist.",
        )
        .each(validators::table_name)
        .check(no_null_table),
        findings: Tf<Vec<FindingEntry>> = computed(
            "The findings, sorted by schema, table and code, each with `code`, `object`, \
             `summary` and `message`. Empty when there is nothing to report.",
        ),
    }
    view LintsView;
}

/// The id: database, schema and tables, written out so equal inputs give
/// equal ids.
fn id_of(database: &str, filter: &TableFilter) -> String {
    serde_json::json!({
        "database": database,
        "schema": filter.schema,
        "tables": filter.tables,
    })
    .to_string()
}

/// The `postgresql_lints` data source.
pub struct LintsDataSource {
    state: Arc<ProviderState>,
}

impl LintsDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> LintsDataSource {
        LintsDataSource { state }
    }
}

#[async_trait]
impl DataSourceType for LintsDataSource {
    type Model = LintsModel;
    const NAME: &'static str = "postgresql_lints";

    fn description(&self) -> String {
        "Reports the row-level-security findings of a database's plain and partitioned tables, \
         from the catalog, with the codes and texts of the plan-time lints (see the \
         plan-review guide):\n\n\
         * `PGW101`: row-level security enabled on a table that has no policy, so every row \
         is hidden from everyone but the owner, superusers and BYPASSRLS roles;\n\
         * `PGW102`: policies on a table whose row-level security is not enabled, so they \
         have no effect;\n\
         * `PGW103`: row-level security enabled but not forced on a table whose owner can log \
         in, so sessions of the owner bypass every policy;\n\
         * `PGW106`: partitions, of a partitioned table with row-level security, that do not \
         have it enabled.\n\n\
         Whether a table has both its policies and its row-level security depends on several \
         resources of a configuration, which no plan sees together, so `PGW101`, `PGW102` and \
         `PGW106` are reported here only. Read it in a `check` block, with `depends_on` on the \
         resources it checks: Terraform then reads it once they are applied and shows each \
         failed assertion as a warning, without failing the apply."
            .into()
    }

    async fn read(&self, config: LintsModel) -> DResult<LintsModel> {
        let client = self.state.client().await?;
        let database = config
            .database
            .known()
            .cloned()
            .unwrap_or_else(|| client.pools.settings().database.clone());
        let filter = TableFilter {
            schema: config.schema.clone(),
            tables: config
                .tables
                .iter()
                .flatten()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        let ctx = ErrorContext::new(
            &client.info.current_user,
            format!("the tables of database {database:?}"),
        )
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
        if let Some(schema) = &filter.schema {
            if !schema_exists(&**conn, schema)
                .await
                .map_err(|e| pg_diag(&e, &ctx))?
            {
                return Err(Diagnostics::from(
                    Diagnostic::error(
                        "Schema Not Found",
                        format!(
                            "There is no schema {schema:?} in database {database:?}. Names are \
                             case-sensitive and used exactly as written."
                        ),
                    )
                    .at("schema"),
                ));
            }
        }
        let facts = table_facts(&**conn, &filter)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let missing: Vec<String> = filter
            .tables
            .iter()
            .filter(|t| !facts.iter().any(|f| &f.table.table == *t))
            .map(|t| format!("{t:?}"))
            .collect();
        if !missing.is_empty() {
            let place = match &filter.schema {
                Some(s) => format!("in schema {s:?} of database {database:?}"),
                None => format!("in database {database:?}"),
            };
            return Err(Diagnostics::from(
                Diagnostic::error(
                    "Table Not Found",
                    format!(
                        "No table named {} exists {place} (only plain and partitioned tables \
                         are checked). Names are case-sensitive and used exactly as written.",
                        missing.join(", ")
                    ),
                )
                .at("tables"),
            ));
        }
        let findings = facts
            .iter()
            .flat_map(|t| {
                let object = dotted::render(&[&t.table.schema, &t.table.table]);
                table_findings(t).into_iter().map(move |f| FindingEntry {
                    code: f.code.as_str().to_string(),
                    object: object.clone(),
                    summary: f.summary.to_string(),
                    message: f.message,
                })
            })
            .collect();
        Ok(LintsModel {
            id: Tf::Known(id_of(&database, &filter)),
            database: Tf::Known(database),
            findings: Tf::Known(findings),
            ..config
        })
    }
}

/// A null in `tables`, which names nothing.
fn no_null_table(attr: &str, value: &Value) -> Option<Problem> {
    value
        .as_elements()
        .is_some_and(|items| items.iter().any(Value::is_null))
        .then(|| {
            Problem::new(
                "Null Table Name",
                format!("{attr} must not contain null; list table names only."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable() {
        let f = TableFilter {
            schema: Some("app".into()),
            tables: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            id_of("db", &f),
            r#"{"database":"db","schema":"app","tables":["a","b"]}"#
        );
        assert_eq!(
            id_of("db", &TableFilter::default()),
            r#"{"database":"db","schema":null,"tables":[]}"#
        );
    }
}
