//! The action RPCs of the tfplugin6 service (Terraform 1.14+):
//! `ValidateActionConfig`, `PlanAction` and the `InvokeAction` stream.
//!
//! An invocation runs on a task of its own, so that its progress messages
//! reach Terraform while it works; the stream ends with one `Completed`
//! event carrying the diagnostics. A request that cannot be decoded ends
//! the same way, with the decoding error as its diagnostic.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::codegen::BoxStream;

use super::{decode, ProviderService};
use crate::protocol::cty::{Type, Value};
use crate::protocol::diagnostics::{DResult, Diagnostic, Diagnostics};
use crate::protocol::generated::tfplugin6 as pb;
use crate::protocol::resource::Provider;
use crate::protocol::schema::Schema;
use crate::protocol::stateless::action::{Action, Progress};

/// An action type with its schema and wire type computed once.
pub(super) struct ActionEntry {
    handler: Arc<dyn Action>,
    pub(super) schema: Schema,
    ty: Type,
}

/// The provider's action types by name.
pub(super) fn entries(provider: &dyn Provider) -> HashMap<String, ActionEntry> {
    provider
        .actions()
        .into_iter()
        .map(|handler| {
            let schema = handler.schema();
            let ty = schema.block.implied_type();
            (
                handler.type_name().to_string(),
                ActionEntry {
                    handler,
                    schema,
                    ty,
                },
            )
        })
        .collect()
}

type Event = pb::invoke_action::Event;

fn completed(diagnostics: Vec<pb::Diagnostic>) -> Event {
    Event {
        r#type: Some(pb::invoke_action::event::Type::Completed(
            pb::invoke_action::event::Completed { diagnostics },
        )),
    }
}

fn progress(message: String) -> Event {
    Event {
        r#type: Some(pb::invoke_action::event::Type::Progress(
            pb::invoke_action::event::Progress { message },
        )),
    }
}

impl ProviderService {
    fn action(&self, type_name: &str) -> Result<&ActionEntry, Diagnostics> {
        self.actions.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Action Type",
                format!("This provider has no action type {type_name:?}."),
            )
            .into()
        })
    }

    /// The entry and decoded configuration of a request, with the checks
    /// every configuration gets; errors end the request.
    fn action_config(
        &self,
        type_name: &str,
        raw: Option<&pb::DynamicValue>,
    ) -> DResult<(&ActionEntry, Value, Diagnostics)> {
        let entry = self.action(type_name)?;
        let config = decode(raw, &entry.ty, "action configuration")?;
        if config.is_null() {
            return Err(Diagnostic::error(
                "Missing Action Configuration",
                format!(
                    "The request for {type_name} carried no configuration. This is a bug in the \
                     client; please report it."
                ),
            )
            .into());
        }
        let checks = self.common_checks(&entry.schema, &config);
        if checks.has_errors() {
            return Err(checks);
        }
        Ok((entry, config, checks))
    }

    pub(super) async fn serve_validate_action(
        &self,
        req: pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        let result = async {
            let (entry, config, mut d) = self.action_config(&req.type_name, req.config.as_ref())?;
            d.extend(entry.handler.validate(&config).await);
            Ok::<_, Diagnostics>(d)
        }
        .await;
        pb::validate_action_config::Response {
            diagnostics: match result {
                Ok(d) | Err(d) => d.to_proto(),
            },
        }
    }

    pub(super) async fn serve_plan_action(
        &self,
        req: pb::plan_action::Request,
    ) -> pb::plan_action::Response {
        // Nothing here is ever deferred: what is not known yet is checked
        // at invoke, which Terraform only reaches once it is known.
        log::debug!(
            "PlanAction {}: deferral allowed by the client: {}",
            req.action_type,
            req.client_capabilities
                .as_ref()
                .is_some_and(|c| c.deferral_allowed)
        );
        let result = async {
            let (entry, config, mut d) =
                self.action_config(&req.action_type, req.config.as_ref())?;
            d.extend(entry.handler.plan(&config).await);
            Ok::<_, Diagnostics>(d)
        }
        .await;
        pb::plan_action::Response {
            diagnostics: match result {
                Ok(d) | Err(d) => d.to_proto(),
            },
            deferred: None,
        }
    }

    pub(super) fn serve_invoke_action(&self, req: pb::invoke_action::Request) -> BoxStream<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        let started = self
            .action_config(&req.action_type, req.config.as_ref())
            .and_then(|(entry, config, _)| {
                if config.is_wholly_known() {
                    Ok((entry.handler.clone(), config))
                } else {
                    Err(Diagnostic::error(
                        "Action Configuration Not Known",
                        format!(
                            "{} was invoked with values not known yet. Terraform invokes an \
                             action once every value is known; run the apply again.",
                            req.action_type
                        ),
                    )
                    .into())
                }
            });
        match started {
            Err(d) => {
                let _ = tx.send(Ok(completed(d.to_proto())));
            }
            Ok((handler, config)) => {
                let sink = tx.clone();
                let report = Progress::new(move |m| {
                    let _ = sink.send(Ok(progress(m)));
                });
                // On its own task: a client that hangs up mid-stream does not
                // cut a change short (each one stops itself before COMMIT on
                // StopProvider, or runs to its end).
                tokio::spawn(async move {
                    let d = handler.invoke(&config, &report).await;
                    let _ = tx.send(Ok(completed(d.to_proto())));
                });
            }
        }
        Box::pin(UnboundedReceiverStream::new(rx))
    }
}
