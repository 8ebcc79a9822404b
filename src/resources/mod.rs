//! Terraform resources and data sources backed by PostgreSQL.
//!
//! This is the only module that sees both sides: it reads [`crate::protocol`]
//! values, calls [`crate::pg`], and turns errors into diagnostics. One file
//! per resource type; adding one means a file plus a line in
//! [`PostgresProvider::resources`].

pub mod access_cache;
pub mod access_plans;
pub mod access_render;
pub mod access_review;
pub mod data_effective_access;
pub mod data_lints;
pub mod data_role_members;
pub mod data_roles;
pub mod data_schema_access;
pub mod data_schemas;
pub mod data_sequences;
pub mod data_tables;
pub mod database;
pub mod default_privileges;
pub mod errors;
pub mod extension;
pub mod function;
pub mod functions;
pub mod grant;
pub mod grant_role;
pub mod import_id;
pub mod membership_advice;
pub mod name_filters;
pub mod planned;
pub mod policy;
pub mod policy_checks;
pub mod policy_report;
pub mod privileges;
pub mod provider_config;
pub mod review_codes;
pub mod rls_lints;
pub mod role;
pub mod row_level_security;
pub mod schema;
pub mod sdk_state;
pub mod security_label;
pub mod snapshot;
pub mod state;
pub mod table_target;
pub mod validators;

use std::sync::Arc;

use async_trait::async_trait;

use crate::protocol::{DataSource, Diagnostics, Function, Provider, Resource, Schema, Value};
use state::ProviderState;

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
            Arc::new(role::RoleResource::new(self.state.clone())),
            Arc::new(grant_role::GrantRoleResource::new(self.state.clone())),
            Arc::new(grant::GrantResource::new(self.state.clone())),
            Arc::new(default_privileges::DefaultPrivilegesResource::new(
                self.state.clone(),
            )),
            Arc::new(policy::PolicyResource::new(self.state.clone())),
            Arc::new(row_level_security::RowLevelSecurityResource::new(
                self.state.clone(),
            )),
            Arc::new(database::DatabaseResource::new(self.state.clone())),
            Arc::new(schema::SchemaResource::new(self.state.clone())),
            Arc::new(extension::ExtensionResource::new(self.state.clone())),
            Arc::new(function::FunctionResource::new(self.state.clone())),
            Arc::new(security_label::SecurityLabelResource::new(
                self.state.clone(),
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        let s = &self.state;
        vec![
            Arc::new(data_roles::RolesDataSource::new(s.clone())),
            Arc::new(data_role_members::RoleMembersDataSource::new(s.clone())),
            Arc::new(data_schema_access::SchemaAccessDataSource::new(s.clone())),
            Arc::new(data_schemas::SchemasDataSource::new(s.clone())),
            Arc::new(data_tables::TablesDataSource::new(s.clone())),
            Arc::new(data_sequences::SequencesDataSource::new(s.clone())),
            Arc::new(data_effective_access::EffectiveAccessDataSource::new(
                s.clone(),
            )),
            Arc::new(data_lints::LintsDataSource::new(s.clone())),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        functions::all()
    }
}
