//! Terraform resources and data sources backed by PostgreSQL.
//!
//! This is the only module that sees both sides: it reads [`crate::protocol`]
//! values, calls [`crate::pg`], and turns errors into diagnostics. The
//! resource types live in domain folders that mirror `crate::pg`; adding one
//! means a file in its folder plus a line in [`PostgresProvider::resources`].
//!
//! * [`roles`]: `postgresql_role`, `postgresql_grant_role`;
//! * [`grants`]: `postgresql_grant`, `postgresql_default_privileges`;
//! * [`rls`]: `postgresql_policy`, `postgresql_row_level_security`;
//! * [`objects`]: `postgresql_database`, `postgresql_schema`,
//!   `postgresql_extension`, `postgresql_function`,
//!   `postgresql_security_label`;
//! * [`fdw`]: `postgresql_server`, `postgresql_user_mapping`;
//! * [`replication`]: `postgresql_publication`, `postgresql_subscription`,
//!   `postgresql_replication_slot`, `postgresql_physical_replication_slot`;
//! * [`data`]: the data sources;
//! * [`actions`]: the actions (`postgresql_terminate_sessions`,
//!   `postgresql_reassign_owned`);
//! * [`ephemeral`]: the ephemeral resources (`postgresql_temporary_role`);
//! * [`review`]: the plan-time review: effective-access and policy reports,
//!   lints and their stable codes;
//! * [`provider`]: the `provider` block and the provider functions;
//! * [`support`]: what the resource types share: the provider's state and
//!   client, error diagnostics, validators, import IDs, catalog snapshots,
//!   reading the reference provider's state.

pub mod actions;
pub mod data;
pub mod ephemeral;
pub mod fdw;
pub mod grants;
pub mod objects;
pub mod provider;
pub mod replication;
pub mod review;
pub mod rls;
pub mod roles;
pub mod support;

use std::sync::Arc;

use async_trait::async_trait;

use crate::protocol::{
    Action, DataSource, Diagnostics, EphemeralResource, Function, Provider, Resource, Schema, Value,
};
use provider::{config as provider_config, functions};
use support::state::ProviderState;

/// The `postgresql` provider.
pub struct PostgresProvider {
    state: Arc<ProviderState>,
}

impl PostgresProvider {
    /// A provider that is not configured yet.
    pub fn new() -> PostgresProvider {
        PostgresProvider {
            state: Arc::new(ProviderState::default()),
        }
    }
}

impl Default for PostgresProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Provider for PostgresProvider {
    fn schema(&self) -> Schema {
        provider_config::schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        provider_config::validate(config)
    }

    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        log::debug!("configuring for Terraform {terraform_version}");
        provider_config::configure(&self.state, config).await
    }

    /// PostgreSQL cannot hold a NUL byte in any text (names, expressions,
    /// settings), so such a value could only fail at apply, or worse, be cut
    /// short on the way.
    fn check_config_string(&self, value: &str) -> Option<String> {
        value.contains('\0').then(|| {
            "contains a NUL byte (\\0), which PostgreSQL cannot store in any name, expression \
             or setting. Remove it."
                .to_string()
        })
    }

    fn stop(&self) {
        self.state.stop();
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(roles::role::RoleResource::new(self.state.clone())),
            Arc::new(roles::grant_role::GrantRoleResource::new(
                self.state.clone(),
            )),
            Arc::new(grants::grant::GrantResource::new(self.state.clone())),
            Arc::new(grants::default_privileges::DefaultPrivilegesResource::new(
                self.state.clone(),
            )),
            Arc::new(rls::policy::PolicyResource::new(self.state.clone())),
            Arc::new(rls::row_level_security::RowLevelSecurityResource::new(
                self.state.clone(),
            )),
            Arc::new(objects::database::DatabaseResource::new(self.state.clone())),
            Arc::new(objects::schema::SchemaResource::new(self.state.clone())),
            Arc::new(objects::extension::ExtensionResource::new(
                self.state.clone(),
            )),
            Arc::new(objects::function::FunctionResource::new(self.state.clone())),
            Arc::new(objects::security_label::SecurityLabelResource::new(
                self.state.clone(),
            )),
            Arc::new(fdw::server::ServerResource::new(self.state.clone())),
            Arc::new(fdw::user_mapping::UserMappingResource::new(
                self.state.clone(),
            )),
            Arc::new(replication::publication::PublicationResource::new(
                self.state.clone(),
            )),
            Arc::new(replication::subscription::SubscriptionResource::new(
                self.state.clone(),
            )),
            Arc::new(replication::replication_slot::ReplicationSlotResource::new(
                self.state.clone(),
            )),
            Arc::new(
                replication::physical_replication_slot::PhysicalSlotResource::new(
                    self.state.clone(),
                ),
            ),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        let s = &self.state;
        vec![
            Arc::new(data::roles::RolesDataSource::new(s.clone())),
            Arc::new(data::role_members::RoleMembersDataSource::new(s.clone())),
            Arc::new(data::schema_access::SchemaAccessDataSource::new(s.clone())),
            Arc::new(data::schemas::SchemasDataSource::new(s.clone())),
            Arc::new(data::tables::TablesDataSource::new(s.clone())),
            Arc::new(data::sequences::SequencesDataSource::new(s.clone())),
            Arc::new(data::effective_access::EffectiveAccessDataSource::new(
                s.clone(),
            )),
            Arc::new(data::lints::LintsDataSource::new(s.clone())),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        functions::all()
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        let s = &self.state;
        vec![
            Arc::new(actions::terminate_sessions::TerminateSessionsAction::new(
                s.clone(),
            )),
            Arc::new(actions::reassign_owned::ReassignOwnedAction::new(s.clone())),
        ]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(ephemeral::temporary_role::TemporaryRole::new(
            self.state.clone(),
        ))]
    }
}
