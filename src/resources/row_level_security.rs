//! `postgresql_row_level_security`: the two row-level security switches of
//! a table, `ENABLE`/`DISABLE` and `FORCE`/`NO FORCE`.
//!
//! The table itself is not managed: creating the resource sets the
//! switches on an existing table, destroying it puts the table back to the
//! PostgreSQL default (disabled, not forced).

use std::sync::Arc;

use async_trait::async_trait;
use tokio_postgres::error::SqlState;

use crate::model;
use crate::pg::table::{self as sql, TableName};
use crate::protocol::model::{computed, optional};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, Model, PlanInput, Planned, ResourceType, Tf, Value,
};

use super::errors::ErrorContext;
use super::import_id::dotted;
use super::state::{Client, ProviderState};
use super::table_target::{
    database_attr, database_label, database_of, run_in_transaction, schema_attr, table_attr,
    table_diag, table_key, table_of, OnTable,
};

model! {
    /// A `postgresql_row_level_security` as Terraform holds it.
    pub struct RowLevelSecurityModel {
        id: Tf<String> = computed(
            "`schema.table`, or `database.schema.table` when `database` is set; a part that is \
             empty or contains `.` or `\"` is written in double quotes with `\"` doubled.",
        )
        .stable(),
        database: Option<String> = database_attr(),
        schema: String = schema_attr(),
        table: String = table_attr(),
        enabled: bool = optional(
            "Whether row-level security is enabled (`ALTER TABLE ... ENABLE ROW LEVEL \
             SECURITY`): with it, roles other than the owner, superusers and BYPASSRLS roles see \
             only the rows some policy allows (none without policies).",
        )
        .default(true),
        forced: bool = optional(
            "Whether row-level security applies to the table's owner too (`FORCE ROW LEVEL \
             SECURITY`). Superusers and BYPASSRLS roles still bypass it.",
        )
        .default(false),
    }
}

impl OnTable for RowLevelSecurityModel {
    fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    fn table_name(&self) -> TableName {
        TableName {
            schema: self.schema.clone(),
            table: self.table.clone(),
        }
    }
}

impl RowLevelSecurityModel {
    fn with_id(self) -> RowLevelSecurityModel {
        RowLevelSecurityModel {
            id: Tf::Known(dotted::render(&self.id_parts())),
            ..self
        }
    }
}

fn ctx(client: &Client, table: &TableName) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("row-level security of table {}", table.quoted()),
    )
    .needs("ownership of the table (directly, or through membership in the role that owns it)")
}

/// The `postgresql_row_level_security` resource.
pub struct RowLevelSecurityResource {
    state: Arc<ProviderState>,
}

impl RowLevelSecurityResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> RowLevelSecurityResource {
        RowLevelSecurityResource { state }
    }

    async fn apply(&self, planned: RowLevelSecurityModel) -> DResult<RowLevelSecurityModel> {
        let client = self.state.client().await?;
        let table = planned.table_name();
        let database = planned.database.as_deref();
        let statement = sql::set_row_level_security(&table, planned.enabled, planned.forced);
        run_in_transaction(&client, database, &table, &[statement])
            .await
            .map_err(|e| table_diag(&client, &e, database, &table, &ctx(&client, &table)))?;
        Ok(planned.with_id())
    }
}

#[async_trait]
impl ResourceType for RowLevelSecurityResource {
    type Model = RowLevelSecurityModel;
    const NAME: &'static str = "postgresql_row_level_security";

    fn description(&self) -> String {
        "Manages whether row-level security is enabled and forced on an existing table. The \
         provider's role must own the table. Changes are made in place; destroying the resource \
         disables row-level security and removes FORCE (the PostgreSQL defaults), and so does \
         moving it to another table, which replaces it. Changing the switches locks the table \
         (ACCESS EXCLUSIVE); set `lock_timeout` in the provider block to fail fast.\n\n\
         For a partitioned table, the plan warns when partitions do not have row-level security \
         enabled: the parent's policies apply to queries on the parent only, not to queries \
         that name a partition directly.\n\n\
         Import with `schema.table` (the provider's database) or `database.schema.table`; quote \
         a part containing `.` or `\"` in double quotes, doubling embedded `\"`: `terraform \
         import postgresql_row_level_security.example 'public.items'`."
            .into()
    }

    async fn modify_plan(&self, _input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let id = match RowLevelSecurityModel::from_value_known(&plan.value) {
            Some(m) => Value::string(dotted::render(&m.id_parts())),
            None => Value::unknown(),
        };
        plan.value.set("id", id);
        if plan.value.get("enabled").as_bool() != Some(true) {
            return d;
        }
        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let (Some(table), Some(database)) = (table_of(&plan.value), database_of(&plan.value))
        else {
            return d;
        };
        // Policies planned in this run need not warn that RLS is off.
        self.state
            .planned
            .note_rls(table_key(&client, database.as_deref(), &table));
        let Ok(conn) = client.pools.get(database.as_deref()).await else {
            return d;
        };
        let Ok(Some(info)) = sql::read_table(&**conn, &table).await else {
            return d;
        };
        if info.kind != "p" {
            return d;
        }
        if let Ok(parts) = sql::partitions_without_rls(&**conn, info.oid).await {
            if !parts.is_empty() {
                d.push(
                    Diagnostic::warning(
                        "Partitions Without Row-Level Security",
                        format!(
                            "{} is partitioned, and row-level security on it applies only to \
                             queries on {}. These partitions do not have it enabled (unless that \
                             happens in this same apply), so anyone with privileges on them can \
                             read them directly, bypassing its policies: {}. Enable it on each \
                             partition too (and create the policies there), for example with one \
                             postgresql_row_level_security per partition, or do not grant \
                             privileges on the partitions.",
                            table.quoted(),
                            table.quoted(),
                            parts.join(", ")
                        ),
                    )
                    .at("enabled"),
                );
            }
        }
        d
    }

    async fn create(
        &self,
        planned: RowLevelSecurityModel,
        _: RowLevelSecurityModel,
    ) -> DResult<RowLevelSecurityModel> {
        self.apply(planned).await
    }

    async fn update(
        &self,
        _: RowLevelSecurityModel,
        planned: RowLevelSecurityModel,
        _: RowLevelSecurityModel,
    ) -> DResult<RowLevelSecurityModel> {
        self.apply(planned).await
    }

    async fn delete(&self, prior: RowLevelSecurityModel) -> DResult<()> {
        let client = self.state.client().await?;
        let table = prior.table_name();
        let database = prior.database.as_deref();
        let statement = sql::set_row_level_security(&table, false, false);
        match run_in_transaction(&client, database, &table, &[statement]).await {
            Ok(()) => Ok(()),
            // The table (or its whole database) is gone, and its switches with it.
            Err(e)
                if e.is_missing_database() || e.sqlstate() == Some(&SqlState::UNDEFINED_TABLE) =>
            {
                Ok(())
            }
            Err(e) => Err(table_diag(
                &client,
                &e,
                database,
                &table,
                &ctx(&client, &table),
            )),
        }
    }

    async fn read(&self, current: RowLevelSecurityModel) -> DResult<Option<RowLevelSecurityModel>> {
        let client = self.state.client().await?;
        let table = current.table_name();
        let database = current.database.as_deref();
        let diag = |e: &crate::pg::error::PgError| {
            table_diag(&client, e, database, &table, &ctx(&client, &table))
        };
        let conn = match client.pools.get(database).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let Some(info) = sql::read_table(&**conn, &table)
            .await
            .map_err(|e| diag(&e))?
        else {
            return Ok(None);
        };
        Ok(Some(
            RowLevelSecurityModel {
                enabled: info.rls_enabled,
                forced: info.rls_forced,
                ..current
            }
            .with_id(),
        ))
    }

    async fn import(&self, id: &str) -> DResult<RowLevelSecurityModel> {
        let client = self.state.client().await?;
        let invalid = |why: String| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "{why}. Use schema.table (the provider's database) or database.schema.table, \
                     for example public.items. Names are taken exactly as written; put a name \
                     containing '.' or '\"' in double quotes and double any '\"' inside it: \
                     \"my.schema\".items"
                ),
            ))
        };
        let (database, rest) =
            dotted::parse_in_database(id, 2).map_err(|e| invalid(format!("{id:?}: {e}")))?;
        let wanted = RowLevelSecurityModel {
            database: database.clone(),
            schema: rest[0].clone(),
            table: rest[1].clone(),
            ..RowLevelSecurityModel::default()
        };
        let table = wanted.table_name();
        let found = ResourceType::read(self, wanted).await?;
        found.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Table Not Found",
                format!(
                    "There is no table {} in database {:?}. Names are case-sensitive and used \
                     exactly as written in the import ID.",
                    table.quoted(),
                    database_label(&client, database.as_deref())
                ),
            ))
        })
    }
}
