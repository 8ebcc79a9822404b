//! `postgresql_replication_slot`: a logical replication slot, with the
//! reference provider's attributes and import ID (`database.slot`), plus
//! `failover` (PostgreSQL 17).
//!
//! A slot cannot be changed: any change replaces it, which loses the
//! position its consumer had reached.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::error::PgError;
use crate::pg::replication::slot::{self as sql, LogicalSlot};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, ResourceType, Tf,
    Value,
};

use crate::resources::replication::checks;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::ReplicationSlotId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_replication_slot` as Terraform holds it.
    pub struct ReplicationSlotModel {
        id: Tf<String> = computed("`database.slot`.").stable(),
        name: String = required(
            "Name of the slot: lower-case letters, digits and underscores, at most 63.",
        )
        .replaces()
        .each(checks::slot_name),
        database: Tf<String> = optional(
            "Database whose changes the slot decodes. Default: the provider's `database`.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
        plugin: String = required(
            "Output plugin that decodes the changes, such as `pgoutput` (what subscriptions \
             use) or `test_decoding`.",
        )
        .replaces()
        .each(plugin_name),
        failover: bool = optional(
            "Whether the slot is synchronized to standbys, so that logical replication can \
             go on after a failover (PostgreSQL 17 and later).",
        )
        .default(false)
        .replaces(),
    }
}

fn plugin_name(attr: &str, name: &str) -> Option<crate::protocol::Problem> {
    validators::identifier("Plugin Name", attr, name)
}

fn slot_id(database: Option<&str>, name: &str) -> String {
    ReplicationSlotId {
        database: database.map(str::to_string),
        name: name.to_string(),
    }
    .render()
}

impl ReplicationSlotModel {
    fn with_slot(self, slot: LogicalSlot) -> ReplicationSlotModel {
        ReplicationSlotModel {
            id: Tf::Known(slot_id(Some(&slot.database), &slot.name)),
            name: slot.name,
            database: Tf::Known(slot.database),
            plugin: slot.plugin,
            failover: slot.failover,
        }
    }
}

fn ctx(client: &Client, name: &str, database: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("replication slot {name:?} of database {database:?}"),
    )
    .needs("the REPLICATION attribute (or SUPERUSER)")
    .importable(
        "postgresql_replication_slot",
        &slot_id(Some(database), name),
    )
}

/// The `postgresql_replication_slot` resource.
pub struct ReplicationSlotResource {
    state: Arc<ProviderState>,
}

impl ReplicationSlotResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> ReplicationSlotResource {
        ReplicationSlotResource { state }
    }
}

#[async_trait]
impl ResourceType for ReplicationSlotResource {
    type Model = ReplicationSlotModel;
    const NAME: &'static str = "postgresql_replication_slot";

    fn description(&self) -> String {
        "Manages a logical replication slot: the publisher's record of how far a consumer has \
         read a database's changes, which keeps the WAL it still needs. The server needs \
         `wal_level = logical`. A slot nobody reads keeps WAL forever, so drop the slots you no \
         longer use. Any change replaces the slot.\n\n\
         Import with `database.slot` (or just the slot's name for one of the provider's \
         database): `terraform import postgresql_replication_slot.s 'app.orders_slot'`."
            .into()
    }

    /// The reference provider's state (schema version 0, as this one's)
    /// has no `failover`.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        sdk_state::fill_defaults::<ReplicationSlotModel>(&mut state);
        Ok(state)
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let client = self.state.client_opt().await;
        checks::plan_database(client.as_deref(), &mut plan.value);
        let id = match (
            plan.value.get("database").as_str(),
            plan.value.get("name").as_str(),
        ) {
            (Some(db), Some(name)) => Value::string(slot_id(Some(db), name)),
            _ => Value::unknown(),
        };
        plan.value.set("id", id);
        if let Some(client) = client {
            d.0.extend(checks::too_old(
                input.config,
                "failover",
                &Value::bool(false),
                17,
                client.info.version_num,
                "slot synchronization to standbys",
            ));
        }
        d
    }

    async fn create(
        &self,
        planned: ReplicationSlotModel,
        _: ReplicationSlotModel,
    ) -> DResult<ReplicationSlotModel> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, planned.database.known());
        let statement = sql::create_logical(&planned.name, &planned.plugin, planned.failover);
        client
            .run_statements(Some(&database), "creating a replication slot", &[statement])
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &planned.name, &database)))?;
        let read = ResourceType::read(self, planned.clone()).await?;
        read.ok_or_else(|| {
            Diagnostic::error(
                "Replication Slot Vanished",
                format!(
                    "Replication slot {:?} was created but is gone again; something dropped it.",
                    planned.name
                ),
            )
            .into()
        })
    }

    async fn update(
        &self,
        _: ReplicationSlotModel,
        planned: ReplicationSlotModel,
        _: ReplicationSlotModel,
    ) -> DResult<ReplicationSlotModel> {
        // Every attribute replaces the slot; only `id` could differ.
        Ok(planned)
    }

    async fn delete(&self, prior: ReplicationSlotModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, prior.database.known());
        match client
            .run_statements(
                Some(&database),
                "dropping a replication slot",
                &[sql::drop(&prior.name)],
            )
            .await
        {
            Ok(()) => Ok(()),
            // Its database is gone; a logical slot cannot outlive it.
            Err(e) if e.is_missing_database() => Ok(()),
            Err(e) => Err(pg_diag(&e, &ctx(&client, &prior.name, &database))),
        }
    }

    async fn read(&self, current: ReplicationSlotModel) -> DResult<Option<ReplicationSlotModel>> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, current.database.known());
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &current.name, &database));
        let conn = client.pools.get(None).await.map_err(|e| diag(&e))?;
        let slot = sql::read_logical(&**conn, &current.name, client.info.version_num)
            .await
            .map_err(|e| diag(&e))?;
        // A slot of that name decoding another database is another slot.
        Ok(slot
            .filter(|s| s.database == database)
            .map(|s| current.clone().with_slot(s)))
    }

    async fn import(&self, id: &str) -> DResult<ReplicationSlotModel> {
        let client = self.state.client().await?;
        let ReplicationSlotId { database, name } = ReplicationSlotId::parse(id)?;
        let database = checks::database_of(&client, database.as_ref());
        let wanted = ReplicationSlotModel {
            name: name.clone(),
            database: Tf::Known(database.clone()),
            ..ReplicationSlotModel::default()
        };
        ResourceType::read(self, wanted).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Replication Slot Not Found",
                format!("There is no logical replication slot {name:?} of database {database:?}."),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "name"];

    fn import_id(&self, m: &ReplicationSlotModel) -> Option<String> {
        if m.name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(slot_id(database.map(String::as_str), &m.name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database("Slots that decode it are listed."),
        ListFilter::NamePattern("the slot's name"),
    ];

    /// Every logical slot decoding the database (temporary ones left out),
    /// subscriptions' slots included.
    async fn list(&self, query: ListQuery) -> DResult<Vec<ReplicationSlotModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let diag = |e: &PgError| {
            pg_diag(
                e,
                &ErrorContext::new(
                    &client.info.current_user,
                    format!("the replication slots of database {database:?}"),
                ),
            )
        };
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| diag(&e))?;
        let slots = sql::list_logical(&**conn, client.info.version_num)
            .await
            .map_err(|e| diag(&e))?;
        Ok(slots
            .into_iter()
            .filter(|s| query.name_matches(&s.name))
            .map(|s| ReplicationSlotModel::default().with_slot(s))
            .collect())
    }
}
