//! `postgresql_physical_replication_slot`: a physical replication slot,
//! with the reference provider's one attribute and import ID (the name).
//! Physical slots belong to the whole cluster: no database.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::error::PgError;
use crate::pg::replication::slot as sql;
use crate::protocol::model::{computed, required};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, ResourceType, Tf,
};

use crate::resources::replication::checks;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::NameId;
use crate::resources::support::state::{Client, ProviderState};

model! {
    /// A `postgresql_physical_replication_slot` as Terraform holds it.
    pub struct PhysicalSlotModel {
        id: Tf<String> = computed("The slot's name.").stable(),
        name: String = required(
            "Name of the slot: lower-case letters, digits and underscores, at most 63.",
        )
        .replaces()
        .each(checks::slot_name),
    }
}

fn ctx(client: &Client, name: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("physical replication slot {name:?}"),
    )
    .needs("the REPLICATION attribute (or SUPERUSER)")
    .importable(
        "postgresql_physical_replication_slot",
        &NameId::render(name),
    )
}

/// The `postgresql_physical_replication_slot` resource.
pub struct PhysicalSlotResource {
    state: Arc<ProviderState>,
}

impl PhysicalSlotResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> PhysicalSlotResource {
        PhysicalSlotResource { state }
    }
}

fn named(name: String) -> PhysicalSlotModel {
    PhysicalSlotModel {
        id: Tf::Known(NameId::render(&name)),
        name,
    }
}

#[async_trait]
impl ResourceType for PhysicalSlotResource {
    type Model = PhysicalSlotModel;
    const NAME: &'static str = "postgresql_physical_replication_slot";

    fn description(&self) -> String {
        "Manages a physical replication slot, for a standby (streaming replication, Patroni, \
         `pg_basebackup`) that must not miss WAL while it is away. A slot nobody reads keeps \
         WAL forever, so drop the slots you no longer use. Changing the name replaces the \
         slot.\n\n\
         Import with the slot's name: `terraform import \
         postgresql_physical_replication_slot.standby 'standby_1'`."
            .into()
    }

    async fn modify_plan(&self, _: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let name = plan.value.get("name").clone();
        plan.value.set("id", name);
        Diagnostics::new()
    }

    async fn create(
        &self,
        planned: PhysicalSlotModel,
        _: PhysicalSlotModel,
    ) -> DResult<PhysicalSlotModel> {
        let client = self.state.client().await?;
        client
            .run_statements(
                None,
                "creating a physical replication slot",
                &[sql::create_physical(&planned.name)],
            )
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &planned.name)))?;
        Ok(named(planned.name))
    }

    async fn update(
        &self,
        _: PhysicalSlotModel,
        planned: PhysicalSlotModel,
        _: PhysicalSlotModel,
    ) -> DResult<PhysicalSlotModel> {
        Ok(planned)
    }

    async fn delete(&self, prior: PhysicalSlotModel) -> DResult<()> {
        let client = self.state.client().await?;
        client
            .run_statements(
                None,
                "dropping a physical replication slot",
                &[sql::drop(&prior.name)],
            )
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &prior.name)))
    }

    async fn read(&self, current: PhysicalSlotModel) -> DResult<Option<PhysicalSlotModel>> {
        let client = self.state.client().await?;
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &current.name));
        let conn = client.pools.get(None).await.map_err(|e| diag(&e))?;
        let exists = sql::physical_exists(&**conn, &current.name)
            .await
            .map_err(|e| diag(&e))?;
        Ok(exists.then(|| named(current.name.clone())))
    }

    async fn import(&self, id: &str) -> DResult<PhysicalSlotModel> {
        let name = NameId::parse(id).name;
        ResourceType::read(self, named(name.clone()))
            .await?
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Replication Slot Not Found",
                    format!("There is no physical replication slot {name:?}."),
                ))
            })
    }

    const IDENTITY: &'static [&'static str] = &["name"];

    fn import_id(&self, m: &PhysicalSlotModel) -> Option<String> {
        (!m.name.is_empty()).then(|| NameId::render(&m.name))
    }

    /// No `database`: physical slots belong to the cluster.
    const LIST_FILTERS: &'static [ListFilter] = &[ListFilter::NamePattern("the slot's name")];

    /// Every physical slot of the cluster (temporary ones left out).
    async fn list(&self, query: ListQuery) -> DResult<Vec<PhysicalSlotModel>> {
        let client = self.state.client().await?;
        let c = ErrorContext::new(&client.info.current_user, "the physical replication slots");
        let conn = client.pools.get(None).await.map_err(|e| pg_diag(&e, &c))?;
        let names = sql::list_physical(&**conn)
            .await
            .map_err(|e| pg_diag(&e, &c))?;
        Ok(names
            .into_iter()
            .filter(|n| query.name_matches(n))
            .map(named)
            .collect())
    }
}
