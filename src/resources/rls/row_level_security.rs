//! `postgresql_row_level_security`: the two row-level security switches of
//! a table, `ENABLE`/`DISABLE` and `FORCE`/`NO FORCE`.
//!
//! The table itself is not managed: creating the resource sets the
//! switches on an existing table, destroying it puts the table back to the
//! PostgreSQL default (disabled, not forced).

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::is_system_schema;
use crate::pg::kinds::ObjectKind;
use crate::pg::rls::table::{self as sql, TableName};
use crate::protocol::model::{computed, optional};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, ResourceType, Tf, Viewed,
};

use crate::resources::review::planned::PlannedRls;
use crate::resources::review::rls_lints::owner_bypasses;
use crate::resources::rls::table_target::{
    database_attr, database_label, database_of, run_in_transaction, schema_attr, table_attr,
    table_diag, table_key, table_of, OnTable,
};
use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::import_id::TableId;
use crate::resources::support::state::{Client, ProviderState};

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
    view RowLevelSecurityView;
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
            id: Tf::Known(self.table_id().render()),
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
         The plan warns (`PGW103`) when the switches are set so that the table's owner, which \
         can log in, bypasses the policies. Whether the table has policies, and whether the \
         partitions of a partitioned table have row-level security too (the parent's policies \
         apply to queries on the parent only, not to queries that name a partition), depend on \
         other resources: the `postgresql_lints` data source reports those after apply.\n\n\
         Import with `schema.table` (the provider's database) or `database.schema.table`; quote \
         a part containing `.` or `\"` in double quotes, doubling embedded `\"`: `terraform \
         import postgresql_row_level_security.example 'public.items'`."
            .into()
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, RowLevelSecurityModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        plan.planned.id = match RowLevelSecurityModel::from_view(&plan.planned) {
            Some(m) => Tf::Known(m.table_id().render()),
            None => Tf::Unknown,
        };
        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let p = &plan.planned;
        let (Some(table), Some(database)) =
            (table_of(&p.schema, &p.table), database_of(&p.database))
        else {
            return d;
        };
        // Policies planned after this (those that reference it) learn what
        // the switches will be; see `planned.rs`.
        self.state.planned.note_rls(
            table_key(&client, database.as_deref(), &table),
            PlannedRls {
                enabled: p.enabled.known().copied(),
                forced: p.forced.known().copied(),
            },
        );
        // The lint speaks when the switches are set (on a new table too) or
        // changed, not on every plan of a table left as it is (an unchanged
        // resource costs no round trip, as `plan -refresh=false` expects).
        let changed = plan.prior.as_ref().is_none_or(|prior| {
            (&prior.enabled, &prior.forced) != (&p.enabled, &p.forced)
                || (&prior.schema, &prior.table, &prior.database)
                    != (&p.schema, &p.table, &p.database)
        });
        let bypassable = p.enabled.known() == Some(&true) && p.forced.known() == Some(&false);
        if !changed || !bypassable {
            return d;
        }
        let Ok(conn) = client.pools.get(database.as_deref()).await else {
            return d;
        };
        // PGW103 needs no other resource: the switches are this one's, the
        // owner is the catalog's. Whether policies exist (PGW101) or the
        // partitions have row-level security (PGW106) depends on other
        // resources of the configuration; `postgresql_lints` reports those.
        if let Ok(Some(info)) = sql::read_table(&**conn, &table).await {
            if info.owner_can_login {
                d.push(owner_bypasses(&table, &info.owner).warning("forced"));
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
            Err(e) if e.is_missing_database() || e.is_undefined_table() => Ok(()),
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
        let catalog = match client.object_catalog(database).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let (enabled, forced) = if is_system_schema(&table.schema) {
            // Not in the snapshot: ask the server.
            let conn = client.pools.get(database).await.map_err(|e| diag(&e))?;
            match sql::read_table(&**conn, &table)
                .await
                .map_err(|e| diag(&e))?
            {
                Some(info) => (info.rls_enabled, info.rls_forced),
                None => return Ok(None),
            }
        } else {
            match catalog.relation(&table.schema, &table.table) {
                Some(t) => (t.rls_enabled, t.rls_forced),
                None => return Ok(None),
            }
        };
        Ok(Some(
            RowLevelSecurityModel {
                enabled,
                forced,
                ..current
            }
            .with_id(),
        ))
    }

    async fn import(&self, id: &str) -> DResult<RowLevelSecurityModel> {
        let client = self.state.client().await?;
        let TableId {
            database,
            schema,
            table,
        } = TableId::parse(id)?;
        let wanted = RowLevelSecurityModel {
            database: database.clone(),
            schema,
            table,
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

    const IDENTITY: &'static [&'static str] = &["database", "schema", "table"];

    fn import_id(&self, m: &RowLevelSecurityModel) -> Option<String> {
        (!m.table.is_empty()).then(|| m.table_id().render())
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(
            "The listed switches then name it in `database`; unset, they leave `database` unset \
             too.",
        ),
        ListFilter::Schema,
        ListFilter::NamePattern("the table's name"),
    ];

    /// Every table (plain or partitioned) whose row-level security is
    /// enabled or forced; a table with both off is at PostgreSQL's default.
    async fn list(&self, query: ListQuery) -> DResult<Vec<RowLevelSecurityModel>> {
        let client = self.state.client().await?;
        let database = query.database.as_deref();
        let err_ctx = ErrorContext::new(
            &client.info.current_user,
            format!(
                "the tables in database {:?}",
                client.database_name(database)
            ),
        );
        let catalog = client.object_catalog(database).await.or_diag(&err_ctx)?;
        Ok(catalog
            .objects()
            .iter()
            .filter(|o| {
                o.kind == ObjectKind::Table
                    && matches!(o.relkind.as_str(), "r" | "p")
                    && (o.rls_enabled || o.rls_forced)
                    && query.schema_matches(&o.schema)
                    && query.name_matches(&o.name)
            })
            .map(|o| {
                RowLevelSecurityModel {
                    id: Tf::Null,
                    database: query.database.clone(),
                    schema: o.schema.clone(),
                    table: o.name.clone(),
                    enabled: o.rls_enabled,
                    forced: o.rls_forced,
                }
                .with_id()
            })
            .collect())
    }
}
