//! The protocol floor for `bench/run.sh`: a provider with one resource,
//! `noop_thing`, that does nothing at all, served by the same plugin and
//! protocol layers as the PostgreSQL provider. Whatever a plan or apply of
//! N `noop_thing`s costs is the cost of Terraform and the RPCs alone.
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

model! {
    /// A `noop_thing`: a name, and an id that repeats it.
    pub struct NoopModel {
        id: Tf<String> = computed("The name.").stable(),
        name: String = required("Any text."),
    }
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

    async fn update(&self, _prior: NoopModel, planned: NoopModel, _c: NoopModel) -> DResult<NoopModel> {
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

/// A provider with no settings and the one resource.
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
        vec![Arc::new(NoopThing)]
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
