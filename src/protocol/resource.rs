//! The traits a provider implements to be served over tfplugin6.
//!
//! The gRPC service in [`crate::protocol::server`] decodes requests, runs the generic
//! planner and calls these methods with plain [`Value`]s; implementations never
//! see protobuf or msgpack.

use std::sync::Arc;

use async_trait::async_trait;

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{DResult, Diagnostics};
use crate::protocol::function::Function;
use crate::protocol::identity::IdentitySchema;
use crate::protocol::list::ListQuery;
use crate::protocol::plan::{PlanInput, Planned};
use crate::protocol::schema::Schema;
use crate::protocol::stateless::action::Action;
use crate::protocol::stateless::ephemeral::EphemeralResource;

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    /// Type name as written in HCL, e.g. `postgresql_role`.
    fn type_name(&self) -> &'static str;

    /// The resource's schema.
    fn schema(&self) -> Schema;

    /// Static validation of a configuration that may hold unknowns.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Whether plans and applies of this type are flagged for Terraform's
    /// legacy type system, under which Terraform tolerates a planned value
    /// that differs from a configured one. Only for a type whose configured
    /// text has several spellings of one stored value (a function body with
    /// or without its `$$` wrapper, `int` for `integer`), where the plan must
    /// keep the stored spelling to show no change, as the reference
    /// provider's SDK did.
    fn legacy_type_system(&self) -> bool {
        false
    }

    /// Adjusts the generic plan: replacement rules, plan-time checks that need
    /// the server, warnings for reviewers. Runs only when not destroying.
    async fn modify_plan(&self, _input: PlanInput<'_>, _plan: &mut Planned) -> Diagnostics {
        Diagnostics::new()
    }

    /// Warnings for reviewers about destroying the object (Terraform plans
    /// destroys too, with a null proposed state); the plan itself stays a
    /// destroy.
    async fn plan_destroy(&self, _prior: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates the object and returns the new state.
    async fn create(&self, planned: &Value, config: &Value) -> DResult<Value>;

    /// Changes the object in place and returns the new state.
    async fn update(&self, prior: &Value, planned: &Value, config: &Value) -> DResult<Value>;

    /// Deletes the object.
    async fn delete(&self, prior: &Value) -> DResult<()>;

    /// The state that is true after [`Resource::create`] or
    /// [`Resource::update`] failed (`prior` is null for a create). `None`,
    /// the default, says the object is as it was: every change runs in one
    /// transaction. A type some of whose statements commit on their own
    /// (they cannot run in a transaction block) reads what is there, so
    /// the state Terraform keeps tells the truth. After a failed create
    /// Terraform keeps a returned object as tainted, to replace it: only a
    /// type sure the object is its own may return one then.
    async fn after_failure(&self, _prior: &Value, _planned: &Value) -> Option<Value> {
        None
    }

    /// Reads the object; `None` means it no longer exists.
    async fn read(&self, current: &Value) -> DResult<Option<Value>>;

    /// Turns an import ID into a state that [`Resource::read`] can complete.
    async fn import(&self, id: &str) -> DResult<Value>;

    /// The identity schema; `None` when the type has no identity.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// Turns an identity (`import { identity = … }`) into a state.
    async fn import_identity(&self, _identity: &Value) -> DResult<Value> {
        Err(crate::protocol::diagnostics::Diagnostic::error(
            "Import By Identity Not Supported",
            format!(
                "{} cannot be imported by identity; import it by ID.",
                self.type_name()
            ),
        )
        .into())
    }

    /// The schema of the `config` block of a `list` block (`terraform
    /// query`); `None` when the type cannot be listed.
    fn list_schema(&self) -> Option<Schema> {
        None
    }

    /// The existing objects a query asks for, as states, each with the
    /// name `terraform query` shows for it.
    async fn list(&self, _query: ListQuery) -> DResult<Vec<(String, Value)>> {
        Ok(Vec::new())
    }

    /// Converts state stored with an older schema version. The default accepts
    /// the current version only (the value was already decoded leniently).
    fn upgrade(&self, version: i64, state: Value) -> DResult<Value> {
        let current = self.schema().version;
        if version > current {
            return Err(crate::protocol::diagnostics::Diagnostic::error(
                "State Written By A Newer Provider",
                format!(
                    "This {} was stored with schema version {version}, newer than this provider's {current}. \
                     Upgrade the provider.",
                    self.type_name()
                ),
            )
            .into());
        }
        Ok(state)
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// Type name as written in HCL.
    fn type_name(&self) -> &'static str;

    /// The data source's schema.
    fn schema(&self) -> Schema;

    /// Static validation of a configuration that may hold unknowns.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data; the configuration is wholly known here.
    async fn read(&self, config: &Value) -> DResult<Value>;
}

/// A whole provider: its configuration and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Schema of the `provider` block.
    fn schema(&self) -> Schema;

    /// Validation of the `provider` block.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Configures the provider; the configuration may hold unknowns at plan time.
    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics;

    /// A check every known string of every configuration gets (provider,
    /// resource and data source), wherever it sits: `Some(detail)` refuses
    /// it. For what no value anywhere may hold.
    fn check_config_string(&self, _value: &str) -> Option<String> {
        None
    }

    /// Terraform asked the provider to stop (StopProvider, after Ctrl-C).
    /// Changes in flight must end quickly, but a change whose commit was
    /// already sent must be reported as it really ended.
    fn stop(&self) {}

    /// Every resource type served.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// Every data source type served.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Its provider-defined functions.
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

    /// Every action type served (Terraform 1.14+).
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }

    /// Every ephemeral resource type served (Terraform 1.10+).
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }
}
