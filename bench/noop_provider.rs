//! The protocol floor for `bench/run.sh`: a provider whose resources do
//! nothing at all, served by the same plugin and protocol layers as the
//! PostgreSQL provider. Whatever a plan or apply of N of them costs is the
//! cost of Terraform and the RPCs alone. `noop_thing` has two attributes;
//! `noop_role` and `noop_grant` have exactly `postgresql_role`'s and
//! `postgresql_grant`'s schemas, so that the part of
//! the time that grows with the size of a schema (Terraform's and the
//! codec's) is in the floor too.
//!
//! Built with `cargo build --release --example noop-provider`; Terraform
//! starts it as `terraform-provider-noop` through `dev_overrides`.

use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use pgwarden::model;
use pgwarden::plugin::{self, handshake::PluginEnv};
use pgwarden::protocol::model::{computed, required};
use pgwarden::protocol::{
    Block, DResult, DataSource, Diagnostics, Provider, Resource, ResourceType, Schema, Tf, Value,
};
use pgwarden::resources::grants::grant::{GrantModel, GrantResource};
use pgwarden::resources::roles::role::{RoleModel, RoleResource};

model! {
    /// A `noop_thing`: a name, and an id that repeats it.
    pub struct NoopModel {
        id: Tf<String> = computed("The name.").stable(),
        name: String = required("Any text."),
    }
    view NoopView;
}

/// The only resource type.
struct NoopThing;

#[async_trait]
impl ResourceType for NoopThing {
    type Model = NoopModel;
    const NAME: &'static str = "noop_thing";

    fn description(&self) -> String {
        "Does nothing.".to_string()
    }

    async fn create(&self, planned: NoopModel, _config: NoopModel) -> DResult<NoopModel> {
        Ok(NoopModel {
            id: Tf::Known(planned.name.clone()),
            ..planned
        })
    }

    async fn update(
        &self,
        _prior: NoopModel,
        planned: NoopModel,
        _c: NoopModel,
    ) -> DResult<NoopModel> {
        Ok(NoopModel {
            id: Tf::Known(planned.name.clone()),
            ..planned
        })
    }

    async fn delete(&self, _prior: NoopModel) -> DResult<()> {
        Ok(())
    }

    async fn read(&self, current: NoopModel) -> DResult<Option<NoopModel>> {
        Ok(Some(current))
    }

    async fn import(&self, id: &str) -> DResult<NoopModel> {
        Ok(NoopModel {
            id: Tf::Known(id.to_string()),
            name: id.to_string(),
        })
    }
}

/// `postgresql_role`'s model without PostgreSQL.
struct NoopRole;

/// What create and update store: the plan, with the id and what the plan
/// left unknown settled (the real resource reads them back).
fn settled(planned: RoleModel) -> RoleModel {
    fn settle<T>(t: Tf<T>) -> Tf<T> {
        if t.is_unknown() {
            Tf::Null
        } else {
            t
        }
    }
    RoleModel {
        id: Tf::Known(planned.name.clone()),
        roles: settle(planned.roles),
        ..planned
    }
}

#[async_trait]
impl ResourceType for NoopRole {
    type Model = RoleModel;
    const NAME: &'static str = "noop_role";
    const IDENTITY: &'static [&'static str] = <RoleResource as ResourceType>::IDENTITY;

    fn description(&self) -> String {
        "Does nothing, with postgresql_role's schema.".to_string()
    }

    async fn create(&self, planned: RoleModel, _config: RoleModel) -> DResult<RoleModel> {
        Ok(settled(planned))
    }

    async fn update(
        &self,
        _prior: RoleModel,
        planned: RoleModel,
        _c: RoleModel,
    ) -> DResult<RoleModel> {
        Ok(settled(planned))
    }

    async fn delete(&self, _prior: RoleModel) -> DResult<()> {
        Ok(())
    }

    async fn read(&self, current: RoleModel) -> DResult<Option<RoleModel>> {
        Ok(Some(current))
    }

    async fn import(&self, id: &str) -> DResult<RoleModel> {
        Ok(settled(RoleModel {
            name: id.to_string(),
            ..RoleModel::default()
        }))
    }
}

/// `postgresql_grant`'s model without PostgreSQL.
struct NoopGrant;

#[async_trait]
impl ResourceType for NoopGrant {
    type Model = GrantModel;
    const NAME: &'static str = "noop_grant";
    const IDENTITY: &'static [&'static str] = <GrantResource as ResourceType>::IDENTITY;

    fn description(&self) -> String {
        "Does nothing, with postgresql_grant's schema.".to_string()
    }

    async fn create(&self, planned: GrantModel, _config: GrantModel) -> DResult<GrantModel> {
        Ok(GrantModel {
            // The id postgresql_grant stores, so that the state Terraform
            // writes after each resource is as large as with the real one.
            id: Tf::Known(planned.id_text()),
            ..planned
        })
    }

    async fn update(
        &self,
        prior: GrantModel,
        planned: GrantModel,
        _c: GrantModel,
    ) -> DResult<GrantModel> {
        Ok(GrantModel {
            id: prior.id,
            ..planned
        })
    }

    async fn delete(&self, _prior: GrantModel) -> DResult<()> {
        Ok(())
    }

    async fn read(&self, current: GrantModel) -> DResult<Option<GrantModel>> {
        Ok(Some(current))
    }

    async fn import(&self, id: &str) -> DResult<GrantModel> {
        Ok(GrantModel {
            id: Tf::Known(id.to_string()),
            ..GrantModel::default()
        })
    }
}

/// A provider with no settings and the resources above.
struct NoopProvider;

#[async_trait]
impl Provider for NoopProvider {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::default(),
        }
    }

    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Diagnostics {
        Diagnostics::new()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(NoopThing), Arc::new(NoopRole), Arc::new(NoopGrant)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}

fn main() -> ExitCode {
    let env = match PluginEnv::from_process_env() {
        Ok(env) => env,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    // The same runtime the PostgreSQL provider uses, so the floor differs
    // from it only in what the resources do.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("noop provider: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(plugin::serve(env, NoopProvider)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("noop provider: {err}");
            ExitCode::from(1)
        }
    }
}
