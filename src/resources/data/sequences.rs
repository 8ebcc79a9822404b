//! `postgresql_sequences` data source: the sequences of a database,
//! filtered by schema and name patterns, with the reference provider's
//! attributes and `id`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::object_list::{self, SequenceEntry};
use crate::protocol::model::{computed, optional};
use crate::protocol::{DResult, DataSourceType, Tf};

use crate::resources::data::name_filters as nf;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::state::ProviderState;
use crate::resources::support::validators;

model! {
    /// One sequence of the list.
    pub struct SequenceItem {
        object_name: String = computed("Name of the sequence."),
        schema_name: String = computed("Its schema."),
        data_type: String = computed("Its data type: `smallint`, `integer` or `bigint`."),
    }
}

model! {
    /// A `postgresql_sequences` read.
    pub struct SequencesModel {
        id: Tf<String> = computed(
            "The reference provider's id: the database, the schemas and the filters joined by \
             `_`.",
        ),
        database: String = nf::database_attr("sequences"),
        schemas: Option<Vec<String>> = optional(
            "Only sequences in these schemas (exact names). Unset: every schema.",
        )
        .each(validators::schema_name),
        like_any_patterns: Option<Vec<String>> = nf::like_any_attr("sequence"),
        like_all_patterns: Option<Vec<String>> = nf::like_all_attr("sequence"),
        not_like_all_patterns: Option<Vec<String>> = nf::not_like_all_attr("sequence"),
        regex_pattern: Option<String> = nf::regex_attr("sequence"),
        sequences: Tf<Vec<SequenceItem>> = computed(
            "The matching sequences, sorted by schema then name, each with `object_name`, \
             `schema_name` and `data_type`. Only sequences the provider's role owns or has a \
             privilege on are listed (`information_schema.sequences`).",
        ),
    }
    view SequencesView;
}

impl From<SequenceEntry> for SequenceItem {
    fn from(s: SequenceEntry) -> Self {
        SequenceItem {
            object_name: s.name,
            schema_name: s.schema,
            data_type: s.data_type,
        }
    }
}

/// The `postgresql_sequences` data source.
pub struct SequencesDataSource {
    state: Arc<ProviderState>,
}

impl SequencesDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> SequencesDataSource {
        SequencesDataSource { state }
    }
}

#[async_trait]
impl DataSourceType for SequencesDataSource {
    type Model = SequencesModel;
    const NAME: &'static str = "postgresql_sequences";

    fn description(&self) -> String {
        "Lists the sequences of a database, optionally only those in some schemas or whose \
         names match the given patterns. Every filter that is set must match; patterns are \
         sent to PostgreSQL as parameters, so any text is safe in them."
            .into()
    }

    async fn read(&self, config: SequencesModel) -> DResult<SequencesModel> {
        let client = self.state.client().await?;
        let filter = nf::filter(
            &config.like_any_patterns,
            &config.like_all_patterns,
            &config.not_like_all_patterns,
            &config.regex_pattern,
        );
        let schemas = config.schemas.clone().unwrap_or_default();
        let ctx = ErrorContext::new(
            &client.info.current_user,
            format!("sequences of database {:?}", config.database),
        )
        .needs("CONNECT on the database");
        let conn = client
            .pools
            .get(Some(&config.database))
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let sequences = object_list::sequences(&**conn, &schemas, &filter)
            .await
            .map_err(|e| nf::list_diag(&e, &ctx))?;
        let mut id = vec![config.database.clone(), nf::id_list("ANY", &schemas)];
        id.extend(nf::id_patterns(&filter));
        Ok(SequencesModel {
            id: Tf::Known(id.join("_")),
            sequences: Tf::Known(sequences.into_iter().map(SequenceItem::from).collect()),
            ..config
        })
    }
}
