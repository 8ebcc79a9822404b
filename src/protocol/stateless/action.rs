//! Actions (tfplugin6 6.10, Terraform 1.14+): operations that change
//! something without being a resource, run by `terraform apply
//! -invoke=action.TYPE.NAME` or by a resource's `lifecycle { action_trigger
//! { … } }`.
//!
//! Terraform validates an action's configuration, plans it (the
//! configuration may hold values not known until apply; the plan's
//! warnings are what a reviewer sees), then invokes it with a wholly known
//! configuration and shows the progress messages it streams. An action has
//! no state: what it did is in its messages and diagnostics alone.
//!
//! The 6.10 protocol that Terraform 1.14 and 1.15 speak has no linked
//! resources (the drafts' `linked_resources` were removed before 1.14 was
//! released), so an action only ever sees its own configuration.

use std::sync::Arc;

use async_trait::async_trait;

use crate::protocol::cty::Value;
use crate::protocol::diagnostics::{DResult, Diagnostic, Diagnostics};
use crate::protocol::model::Model;
use crate::protocol::schema::Schema;
use crate::protocol::view::{view_of, ViewOf, Viewed};

/// Where an action reports progress while it runs; each message becomes one
/// progress event Terraform prints as it arrives.
#[derive(Clone)]
pub struct Progress {
    sink: Option<Arc<dyn Fn(String) + Send + Sync>>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("delivered", &self.sink.is_some())
            .finish()
    }
}

impl Progress {
    /// Progress handed to `sink`, one message at a time.
    pub fn new(sink: impl Fn(String) + Send + Sync + 'static) -> Progress {
        Progress {
            sink: Some(Arc::new(sink)),
        }
    }

    /// Progress nobody reads (tests).
    pub fn discard() -> Progress {
        Progress { sink: None }
    }

    /// Reports one line of progress. A client that went away loses it; the
    /// action still finishes what it started, since its changes stop
    /// themselves only before a commit.
    pub fn report(&self, message: impl Into<String>) {
        let message = message.into();
        log::info!("action progress: {message}");
        if let Some(sink) = &self.sink {
            sink(message);
        }
    }
}

/// An action type, at the level of raw values.
#[async_trait]
pub trait Action: Send + Sync {
    /// Type name as written in HCL, e.g. `postgresql_terminate_sessions`.
    fn type_name(&self) -> &'static str;

    /// The schema of the action's `config` block.
    fn schema(&self) -> Schema;

    /// Static checks of a configuration that may hold unknowns.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Plan-time checks and warnings saying what the action will do; the
    /// configuration may hold unknowns, which are checked at invoke.
    async fn plan(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Runs the action with a wholly known configuration, reporting
    /// progress on the way; the diagnostics end the invocation.
    async fn invoke(&self, config: &Value, progress: &Progress) -> Diagnostics;
}

/// An action's configuration is input only: nothing in it is computed, so
/// an attribute with a default is plain optional on the wire (the default
/// is filled in when the model is read, and still shown in the docs), as
/// the plugin framework's action schemas have it.
pub fn input_only(mut schema: Schema) -> Schema {
    for a in &mut schema.block.attributes {
        if a.optional {
            a.computed = false;
        }
    }
    schema
}

/// An action type, typed by the model of its configuration.
#[async_trait]
pub trait ActionType: Send + Sync + 'static {
    /// The configuration.
    type Model: Viewed;

    /// Type name as written in HCL.
    const NAME: &'static str;

    /// Markdown description (the docs page's prose).
    fn description(&self) -> String;

    /// Checks the attribute validators cannot express; may hold unknowns.
    async fn validate(&self, _config: &ViewOf<Self::Model>) -> Diagnostics {
        Diagnostics::new()
    }

    /// See [`Action::plan`]; values may not be known yet.
    async fn plan(&self, _config: &ViewOf<Self::Model>) -> Diagnostics {
        Diagnostics::new()
    }

    /// Runs the action; warnings in `Ok` are reported with its success.
    async fn invoke(&self, config: Self::Model, progress: &Progress) -> DResult<Diagnostics>;
}

#[async_trait]
impl<A: ActionType> Action for A {
    fn type_name(&self) -> &'static str {
        A::NAME
    }

    fn schema(&self) -> Schema {
        input_only(Schema {
            version: 0,
            block: A::Model::block(&self.description()),
        })
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match view_of(config, "configuration") {
            Ok(config) => ActionType::validate(self, &config).await,
            Err(d) => d,
        }
    }

    async fn plan(&self, config: &Value) -> Diagnostics {
        match view_of(config, "configuration") {
            Ok(config) => ActionType::plan(self, &config).await,
            Err(d) => d,
        }
    }

    async fn invoke(&self, config: &Value, progress: &Progress) -> Diagnostics {
        let model = match A::Model::from_value(config) {
            Ok(m) => m,
            // Terraform invokes with known values only; anything else is a
            // client bug, told as such rather than guessed around.
            Err(e) if e.is_unknown() => {
                return Diagnostic::error(
                    "Action Configuration Not Known",
                    format!(
                        "{} was invoked while {e}. Terraform invokes actions once every value \
                         is known; run the apply again.",
                        A::NAME
                    ),
                )
                .at(&e.attribute)
                .into()
            }
            Err(e) => return e.into_diagnostics("action configuration"),
        };
        match ActionType::invoke(self, model, progress).await {
            Ok(d) | Err(d) => d,
        }
    }
}
