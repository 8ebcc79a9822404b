//! `postgresql_schemas` data source: the schemas of a database, filtered by
//! name patterns, with the reference provider's attributes and `id`.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::object_list;
use crate::protocol::model::{computed, optional};
use crate::protocol::{DResult, DataSourceType, Tf};

use crate::resources::data::name_filters as nf;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::state::ProviderState;

model! {
    /// A `postgresql_schemas` read.
    pub struct SchemasModel {
        id: Tf<String> = computed(
            "The reference provider's id: the database, `include_system_schemas` and the \
             filters joined by `_`, e.g. `mydb_false_ANY (array['app%'])_ALL (array[])_ALL \
             (array[])_`.",
        ),
        database: String = nf::database_attr("schemas"),
        include_system_schemas: bool = optional(
            "Also list the system schemas: `information_schema` and those whose name starts with \
             `pg_` (`pg_catalog`, `pg_toast`, temporary schemas...). `public` is never one.",
        )
        .default(false),
        like_any_patterns: Option<Vec<String>> = nf::like_any_attr("schema"),
        like_all_patterns: Option<Vec<String>> = nf::like_all_attr("schema"),
        not_like_all_patterns: Option<Vec<String>> = nf::not_like_all_attr("schema"),
        regex_pattern: Option<String> = nf::regex_attr("schema"),
        schemas: Tf<BTreeSet<String>> = computed(
            "Names of the matching schemas. Only schemas the provider's role owns or has a \
             privilege on are listed (`information_schema.schemata`).",
        ),
    }
    view SchemasView;
}

/// The `postgresql_schemas` data source.
pub struct SchemasDataSource {
    state: Arc<ProviderState>,
}

impl SchemasDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> SchemasDataSource {
        SchemasDataSource { state }
    }
}

#[async_trait]
impl DataSourceType for SchemasDataSource {
    type Model = SchemasModel;
    const NAME: &'static str = "postgresql_schemas";

    fn description(&self) -> String {
        "Lists the schemas of a database whose names match the given patterns. Every filter \
         that is set must match; patterns are sent to PostgreSQL as parameters, so any text is \
         safe in them."
            .into()
    }

    async fn read(&self, config: SchemasModel) -> DResult<SchemasModel> {
        let client = self.state.client().await?;
        let filter = nf::filter(
            &config.like_any_patterns,
            &config.like_all_patterns,
            &config.not_like_all_patterns,
            &config.regex_pattern,
        );
        let ctx = ErrorContext::new(
            &client.info.current_user,
            format!("schemas of database {:?}", config.database),
        )
        .needs("CONNECT on the database");
        let conn = client
            .pools
            .get(Some(&config.database))
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let schemas = object_list::schemas(&**conn, config.include_system_schemas, &filter)
            .await
            .map_err(|e| nf::list_diag(&e, &ctx))?;
        let mut id = vec![
            config.database.clone(),
            config.include_system_schemas.to_string(),
        ];
        id.extend(nf::id_patterns(&filter));
        Ok(SchemasModel {
            id: Tf::Known(id.join("_")),
            schemas: Tf::Known(schemas.into_iter().collect()),
            ..config
        })
    }
}
