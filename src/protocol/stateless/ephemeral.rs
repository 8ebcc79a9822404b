//! Ephemeral resources (tfplugin6 6.7, Terraform 1.10+, OpenTofu 1.11+):
//! something opened for the length of one Terraform run, whose values are
//! never written to a plan or state file.
//!
//! Terraform opens one when an expression needs its values (during plan as
//! well as apply), renews it when the time the provider gave passes while
//! the run still needs it, and closes it at the end of the run. Renew and
//! Close get no configuration, only the private bytes Open returned, so
//! those bytes must say everything closing needs; they stay in Terraform's
//! memory and are never written anywhere.

use std::time::SystemTime;

use async_trait::async_trait;

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{DResult, Diagnostics};
use crate::protocol::model::Model;
use crate::protocol::schema::Schema;
use crate::protocol::view::{view_of, ViewOf, Viewed};

/// What Open gives back.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The resource is open.
    Open {
        /// The values of the computed attributes (the others are taken
        /// from the configuration as written).
        result: Value,
        /// When Terraform should call Renew, if it still needs the values.
        renew_at: Option<SystemTime>,
        /// What Renew and Close need.
        private: Vec<u8>,
        /// Warnings that go with the result (what was left out, and why).
        warnings: Diagnostics,
    },
    /// Nothing can be opened before the provider's own configuration is
    /// known (it depends on a resource not created yet); Terraform defers
    /// it when the client allows deferrals, and otherwise this is an error
    /// with `why` as its detail.
    ProviderConfigUnknown {
        /// What the user should do.
        why: String,
    },
}

/// What Renew gives back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Renewed {
    /// When to renew next, if the run still goes on then.
    pub renew_at: Option<SystemTime>,
    /// Replaces the private bytes, when given.
    pub private: Option<Vec<u8>>,
}

/// An ephemeral resource type, at the level of raw values.
#[async_trait]
pub trait EphemeralResource: Send + Sync {
    /// Type name as written in HCL, e.g. `postgresql_temporary_role`.
    fn type_name(&self) -> &'static str;

    /// Its schema: configuration and results alike.
    fn schema(&self) -> Schema;

    /// Static checks of a configuration that may hold unknowns.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Opens it; Terraform only opens a wholly known configuration.
    async fn open(&self, config: &Value) -> DResult<Opened>;

    /// Keeps it usable for longer.
    async fn renew(&self, private: &[u8]) -> DResult<Renewed>;

    /// Releases it.
    async fn close(&self, private: &[u8]) -> DResult<()>;
}

/// An ephemeral resource type, typed by its model.
#[async_trait]
pub trait EphemeralResourceType: Send + Sync + 'static {
    /// Configuration and results.
    type Model: Viewed;

    /// Type name as written in HCL.
    const NAME: &'static str;

    /// Markdown description (the docs page's prose).
    fn description(&self) -> String;

    /// Checks the attribute validators cannot express; may hold unknowns.
    async fn validate(&self, _config: &ViewOf<Self::Model>) -> Diagnostics {
        Diagnostics::new()
    }

    /// Opens it: the model with its computed attributes filled in (see
    /// [`Opened`]; its `result` is ignored here and taken from the model).
    async fn open(&self, config: Self::Model) -> DResult<(Self::Model, Opened)>;

    /// See [`EphemeralResource::renew`].
    async fn renew(&self, private: &[u8]) -> DResult<Renewed>;

    /// See [`EphemeralResource::close`].
    async fn close(&self, private: &[u8]) -> DResult<()>;
}

#[async_trait]
impl<E: EphemeralResourceType> EphemeralResource for E {
    fn type_name(&self) -> &'static str {
        E::NAME
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: E::Model::block(&self.description()),
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match view_of(config, "configuration") {
            Ok(config) => EphemeralResourceType::validate(self, &config).await,
            Err(d) => d,
        }
    }

    async fn open(&self, config: &Value) -> DResult<Opened> {
        let model = E::Model::from_value(config).map_err(|e| {
            if e.is_unknown() {
                crate::protocol::diagnostics::Diagnostic::error(
                    "Ephemeral Resource Configuration Not Known",
                    format!(
                        "{} was opened while {e}. Terraform opens ephemeral resources once \
                         their configuration is known; run the command again.",
                        E::NAME
                    ),
                )
                .at(&e.attribute)
                .into()
            } else {
                e.into_diagnostics("ephemeral resource configuration")
            }
        })?;
        let (model, opened) = EphemeralResourceType::open(self, model).await?;
        Ok(match opened {
            Opened::Open {
                renew_at,
                private,
                warnings,
                ..
            } => Opened::Open {
                result: with_results(config, &model.to_value(), E::Model::attributes()),
                renew_at,
                private,
                warnings,
            },
            other => other,
        })
    }

    async fn renew(&self, private: &[u8]) -> DResult<Renewed> {
        EphemeralResourceType::renew(self, private).await
    }

    async fn close(&self, private: &[u8]) -> DResult<()> {
        EphemeralResourceType::close(self, private).await
    }
}

/// The configuration as written, with the computed-only attributes taken
/// from `opened`: Terraform holds a result to what was configured, and a
/// default filled in is not what was written.
pub fn with_results(
    config: &Value,
    opened: &Value,
    attributes: &[crate::protocol::schema::Attribute],
) -> Value {
    let mut out = config.clone();
    for a in attributes {
        if a.computed && !a.optional && !a.required {
            out.set(&a.name, opened.get(&a.name).clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::cty::Type;
    use crate::protocol::schema::Attribute;

    #[test]
    fn results_fill_only_computed_attributes() {
        let attrs = [
            Attribute::optional("ttl", Type::String, "t").default("1h"),
            Attribute::computed("name", Type::String, "n"),
        ];
        let config = Value::object([("ttl", Value::Null), ("name", Value::Null)]);
        let opened = Value::object([("ttl", Value::string("1h")), ("name", Value::string("x"))]);
        let out = with_results(&config, &opened, &attrs);
        assert!(out.get("ttl").is_null());
        assert_eq!(out.get("name").as_str(), Some("x"));
    }
}
