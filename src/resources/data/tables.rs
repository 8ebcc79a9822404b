//! `postgresql_tables` data source: the tables (and views, foreign tables)
//! of a database, filtered by schema, type and name patterns, with the
//! reference provider's attributes and `id`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::object_list::{self, TableEntry};
use crate::protocol::model::{computed, optional};
use crate::protocol::{DResult, DataSourceType, Problem, Tf};

use crate::resources::data::name_filters as nf;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::state::ProviderState;
use crate::resources::support::validators;

model! {
    /// One table of the list.
    pub struct TableItem {
        object_name: String = computed("Name of the table."),
        schema_name: String = computed("Its schema."),
        table_type: String = computed(
            "`BASE TABLE`, `VIEW`, `FOREIGN` or `LOCAL TEMPORARY`.",
        ),
    }
}

model! {
    /// A `postgresql_tables` read.
    pub struct TablesModel {
        id: Tf<String> = computed(
            "The reference provider's id: the database, the schemas, the table types and the \
             filters joined by `_`.",
        ),
        database: String = nf::database_attr("tables"),
        schemas: Option<Vec<String>> = optional(
            "Only tables in these schemas (exact names). Unset: every schema, system schemas \
             included.",
        )
        .each(validators::schema_name),
        table_types: Option<Vec<String>> = optional(
            "Only tables of these types, as `information_schema.tables` names them: `BASE TABLE` \
             (ordinary and partitioned tables), `VIEW` (materialized views are not listed there), \
             `FOREIGN`, `LOCAL TEMPORARY`. Unset: every type.",
        )
        .each(table_type),
        like_any_patterns: Option<Vec<String>> = nf::like_any_attr("table"),
        like_all_patterns: Option<Vec<String>> = nf::like_all_attr("table"),
        not_like_all_patterns: Option<Vec<String>> = nf::not_like_all_attr("table"),
        regex_pattern: Option<String> = nf::regex_attr("table"),
        tables: Tf<Vec<TableItem>> = computed(
            "The matching tables, sorted by schema then name, each with `object_name`, \
             `schema_name` and `table_type`. Only tables the provider's role owns or has a \
             privilege on are listed (`information_schema.tables`).",
        ),
    }
    view TablesView;
}

impl From<TableEntry> for TableItem {
    fn from(t: TableEntry) -> Self {
        TableItem {
            object_name: t.name,
            schema_name: t.schema,
            table_type: t.table_type,
        }
    }
}

/// The table types `information_schema.tables` reports.
const TABLE_TYPES: &[&str] = &["BASE TABLE", "VIEW", "FOREIGN", "LOCAL TEMPORARY"];

/// A table type that could never match (a typo would otherwise just list
/// nothing).
fn table_type(attr: &str, t: &str) -> Option<Problem> {
    (!TABLE_TYPES.contains(&t)).then(|| {
        Problem::new(
            "Invalid Table Type",
            format!(
                "{attr} holds {t:?}, which is not a table type information_schema.tables \
                 reports. Use {}.",
                TABLE_TYPES
                    .iter()
                    .map(|t| format!("{t:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// The `postgresql_tables` data source.
pub struct TablesDataSource {
    state: Arc<ProviderState>,
}

impl TablesDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> TablesDataSource {
        TablesDataSource { state }
    }
}

#[async_trait]
impl DataSourceType for TablesDataSource {
    type Model = TablesModel;
    const NAME: &'static str = "postgresql_tables";

    fn description(&self) -> String {
        "Lists the tables of a database, optionally only those in some schemas, of some types, \
         or whose names match the given patterns. Every filter that is set must match; \
         patterns are sent to PostgreSQL as parameters, so any text is safe in them."
            .into()
    }

    async fn read(&self, config: TablesModel) -> DResult<TablesModel> {
        let client = self.state.client().await?;
        let filter = nf::filter(
            &config.like_any_patterns,
            &config.like_all_patterns,
            &config.not_like_all_patterns,
            &config.regex_pattern,
        );
        let schemas = config.schemas.clone().unwrap_or_default();
        let types = config.table_types.clone().unwrap_or_default();
        let ctx = ErrorContext::new(
            &client.info.current_user,
            format!("tables of database {:?}", config.database),
        )
        .needs("CONNECT on the database");
        let conn = client
            .pools
            .get(Some(&config.database))
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let tables = object_list::tables(&**conn, &schemas, &types, &filter)
            .await
            .map_err(|e| nf::list_diag(&e, &ctx))?;
        let mut id = vec![
            config.database.clone(),
            nf::id_list("ANY", &schemas),
            nf::id_list("ANY", &types),
        ];
        id.extend(nf::id_patterns(&filter));
        Ok(TablesModel {
            id: Tf::Known(id.join("_")),
            tables: Tf::Known(tables.into_iter().map(TableItem::from).collect()),
            ..config
        })
    }
}
