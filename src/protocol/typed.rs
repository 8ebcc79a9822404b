//! The typed face of resources and data sources: what a resource file
//! implements. It works on its [`Model`], never on raw values; the blanket
//! implementations here convert between models and the [`Value`]s the
//! service in [`crate::protocol::server`] speaks.
//!
//! Validation and plan modification still see raw values: a configuration
//! may hold values not known yet, and most of their work is skipping what
//! is unknown. [`Model::from_value`] tells them when everything is known.

use async_trait::async_trait;

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{DResult, Diagnostic, Diagnostics};
use crate::protocol::identity::IdentitySchema;
use crate::protocol::list::{list_schema, ListFilter, ListQuery};
use crate::protocol::model::Model;
use crate::protocol::plan::{PlanInput, Planned};
use crate::protocol::resource::{DataSource, Resource};
use crate::protocol::schema::Schema;

/// A managed resource type, typed by its model.
#[async_trait]
pub trait ResourceType: Send + Sync + 'static {
    /// The state, plan and configuration of one resource.
    type Model: Model;

    /// Type name as written in HCL, e.g. `postgresql_role`.
    const NAME: &'static str;

    /// Schema version stored in state.
    const VERSION: i64 = 0;

    /// See [`Resource::legacy_type_system`]; false unless a configured value
    /// may be planned in another spelling.
    const LEGACY_TYPE_SYSTEM: bool = false;

    /// Markdown description of the resource (the docs page's prose).
    fn description(&self) -> String;

    /// Checks of a configuration that the attribute validators cannot
    /// express; it may hold unknowns.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the generic plan (see [`Resource::modify_plan`]).
    async fn modify_plan(&self, _input: PlanInput<'_>, _plan: &mut Planned) -> Diagnostics {
        Diagnostics::new()
    }

    /// Warnings about destroying the object (see [`Resource::plan_destroy`]).
    async fn plan_destroy(&self, _prior: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates the object; returns the new state.
    async fn create(&self, planned: Self::Model, config: Self::Model) -> DResult<Self::Model>;

    /// Changes the object in place; returns the new state.
    async fn update(
        &self,
        prior: Self::Model,
        planned: Self::Model,
        config: Self::Model,
    ) -> DResult<Self::Model>;

    /// Deletes the object.
    async fn delete(&self, prior: Self::Model) -> DResult<()>;

    /// What is true after `create` or `update` failed (see
    /// [`Resource::after_failure`]); `prior` is `None` for a create.
    async fn after_failure(
        &self,
        _prior: Option<Self::Model>,
        _planned: Self::Model,
    ) -> Option<Self::Model> {
        None
    }

    /// Reads the object; `None` means it no longer exists.
    async fn read(&self, current: Self::Model) -> DResult<Option<Self::Model>>;

    /// Turns an import ID into a state; Terraform reads it right after.
    async fn import(&self, id: &str) -> DResult<Self::Model>;

    /// Converts state stored with an older schema version (raw, since its
    /// shape is the old one). The default accepts nothing newer than
    /// [`ResourceType::VERSION`].
    fn upgrade(&self, version: i64, state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        Ok(state)
    }

    /// The attributes that name the object: its identity (Terraform 1.12+).
    /// Empty: no identity.
    const IDENTITY: &'static [&'static str] = &[];

    /// The import ID of the object a model names; only the
    /// [`ResourceType::IDENTITY`] attributes of `m` are set. Import by
    /// identity goes through it, so both imports end up the same.
    fn import_id(&self, _m: &Self::Model) -> Option<String> {
        None
    }

    /// The filters its list block takes; empty when it cannot be listed.
    const LIST_FILTERS: &'static [ListFilter] = &[];

    /// The existing objects a `terraform query` asks for, each as import
    /// would give it.
    async fn list(&self, _query: ListQuery) -> DResult<Vec<Self::Model>> {
        Ok(Vec::new())
    }
}

/// The error for state written by a newer provider.
pub fn refuse_newer(type_name: &str, version: i64, current: i64) -> DResult<()> {
    if version > current {
        return Err(Diagnostic::error(
            "State Written By A Newer Provider",
            format!(
                "This {type_name} was stored with schema version {version}, newer than this \
                 provider's {current}. Upgrade the provider."
            ),
        )
        .into());
    }
    Ok(())
}

fn model_of<M: Model>(v: &Value, what: &str) -> DResult<M> {
    M::from_value(v).map_err(|e| e.into_diagnostics(what))
}

#[async_trait]
impl<R: ResourceType> Resource for R {
    fn type_name(&self) -> &'static str {
        R::NAME
    }

    fn schema(&self) -> Schema {
        Schema {
            version: R::VERSION,
            block: R::Model::block(&self.description()),
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        ResourceType::validate(self, config).await
    }

    fn legacy_type_system(&self) -> bool {
        R::LEGACY_TYPE_SYSTEM
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        ResourceType::modify_plan(self, input, plan).await
    }

    async fn plan_destroy(&self, prior: &Value) -> Diagnostics {
        ResourceType::plan_destroy(self, prior).await
    }

    async fn create(&self, planned: &Value, config: &Value) -> DResult<Value> {
        let planned = model_of(planned, "planned state")?;
        let config = model_of(config, "configuration")?;
        Ok(ResourceType::create(self, planned, config)
            .await?
            .to_value())
    }

    async fn update(&self, prior: &Value, planned: &Value, config: &Value) -> DResult<Value> {
        let prior = model_of(prior, "prior state")?;
        let planned = model_of(planned, "planned state")?;
        let config = model_of(config, "configuration")?;
        Ok(ResourceType::update(self, prior, planned, config)
            .await?
            .to_value())
    }

    async fn delete(&self, prior: &Value) -> DResult<()> {
        ResourceType::delete(self, model_of(prior, "prior state")?).await
    }

    async fn after_failure(&self, prior: &Value, planned: &Value) -> Option<Value> {
        let prior = if prior.is_null() {
            None
        } else {
            Some(R::Model::from_value(prior).ok()?)
        };
        let planned = R::Model::from_value(planned).ok()?;
        ResourceType::after_failure(self, prior, planned)
            .await
            .map(|m| m.to_value())
    }

    async fn read(&self, current: &Value) -> DResult<Option<Value>> {
        let current = model_of(current, "stored state")?;
        Ok(ResourceType::read(self, current)
            .await?
            .map(|m| m.to_value()))
    }

    async fn import(&self, id: &str) -> DResult<Value> {
        Ok(ResourceType::import(self, id).await?.to_value())
    }

    fn upgrade(&self, version: i64, state: Value) -> DResult<Value> {
        ResourceType::upgrade(self, version, state)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        (!R::IDENTITY.is_empty())
            .then(|| IdentitySchema::from_attributes(R::IDENTITY, R::Model::attributes()))
    }

    async fn import_identity(&self, identity: &Value) -> DResult<Value> {
        let Some(schema) = Resource::identity_schema(self) else {
            return Err(Diagnostic::error(
                "Import By Identity Not Supported",
                format!(
                    "{} cannot be imported by identity; import it by ID.",
                    R::NAME
                ),
            )
            .into());
        };
        let ty = Resource::schema(self).block.implied_type();
        let mut state = R::Model::default().to_value();
        schema.apply_to(identity, &mut state, &ty);
        let model = model_of::<R::Model>(&state, "identity")?;
        let Some(id) = self.import_id(&model) else {
            return Err(Diagnostic::error(
                "Incomplete Identity",
                format!(
                    "The identity does not name one {}: give every attribute it needs.",
                    R::NAME
                ),
            )
            .into());
        };
        Ok(ResourceType::import(self, &id).await?.to_value())
    }

    fn list_schema(&self) -> Option<Schema> {
        (!R::LIST_FILTERS.is_empty()).then(|| list_schema(R::NAME, R::LIST_FILTERS))
    }

    async fn list(&self, query: ListQuery) -> DResult<Vec<(String, Value)>> {
        Ok(ResourceType::list(self, query)
            .await?
            .into_iter()
            .map(|m| (self.import_id(&m).unwrap_or_default(), m.to_value()))
            .collect())
    }
}

/// A data source type, typed by its model (arguments and results alike).
#[async_trait]
pub trait DataSourceType: Send + Sync + 'static {
    /// The configuration and result of one read.
    type Model: Model;

    /// Type name as written in HCL.
    const NAME: &'static str;

    /// Markdown description of the data source.
    fn description(&self) -> String;

    /// Checks the attribute validators cannot express; may hold unknowns.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data; the configuration is wholly known here.
    async fn read(&self, config: Self::Model) -> DResult<Self::Model>;
}

#[async_trait]
impl<D: DataSourceType> DataSource for D {
    fn type_name(&self) -> &'static str {
        D::NAME
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: D::Model::block(&self.description()),
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        DataSourceType::validate(self, config).await
    }

    async fn read(&self, config: &Value) -> DResult<Value> {
        let config = model_of(config, "data source configuration")?;
        Ok(DataSourceType::read(self, config).await?.to_value())
    }
}
