//! The tfplugin6 `Provider` gRPC service.
//!
//! Each RPC is thin: decode the msgpack values against the schema, call the
//! [`Provider`]/[`Resource`] implementation, encode the answer. Failures the
//! user can act on go back as diagnostics in an `Ok` response.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use crate::protocol::cty::{decode_json_lenient, decode_msgpack, encode_msgpack};
use crate::protocol::cty::{Type, Value};
use crate::protocol::diagnostics::{collect_apply_warnings, DResult, Diagnostic, Diagnostics};
use crate::protocol::function::{Function, FunctionError, Signature};
use crate::protocol::generated::tfplugin6 as pb;
use crate::protocol::identity::IdentitySchema;
use crate::protocol::list::ListQuery;
use crate::protocol::plan::{plan, PlanInput};
use crate::protocol::private::Private;
use crate::protocol::resource::{DataSource, Provider, Resource};
use crate::protocol::schema::{Block, Nesting, Schema};
use crate::protocol::validate::{check_all_strings, check_validators, check_write_only};

mod actions;
mod ephemeral;
#[cfg(test)]
mod tests;

/// A resource type with its schema and wire type computed once.
struct ResourceEntry {
    handler: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
    identity: Option<(IdentitySchema, Type)>,
    list: Option<(Schema, Type)>,
}

impl ResourceEntry {
    /// The identity of a state, when the type has identities and the state
    /// names its object completely.
    fn identity_of(&self, state: &Value) -> Option<pb::ResourceIdentityData> {
        let (schema, ty) = self.identity.as_ref()?;
        let value = schema.project(state)?;
        let data = encode(&value, ty, "identity").ok()?;
        Some(pb::ResourceIdentityData {
            identity_data: Some(data),
        })
    }
}

/// A data source type with its schema and wire type computed once.
struct DataSourceEntry {
    handler: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// A function with its signature computed once.
struct FunctionEntry {
    handler: Arc<dyn Function>,
    signature: Signature,
}

/// Serves a [`Provider`] over tfplugin6.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    functions: HashMap<String, FunctionEntry>,
    actions: HashMap<String, actions::ActionEntry>,
    ephemerals: HashMap<String, ephemeral::EphemeralEntry>,
    /// Cancelled by StopProvider; reads in flight are abandoned (changes are
    /// stopped by the provider itself, see [`Provider::stop`]).
    stop: CancellationToken,
}

impl ProviderService {
    /// Wraps a provider implementation.
    pub fn new(provider: Arc<dyn Provider>) -> ProviderService {
        let resources = provider
            .resources()
            .into_iter()
            .map(|handler| {
                let schema = handler.schema();
                let ty = schema.block.implied_type();
                let identity = handler.identity_schema().map(|s| {
                    let ty = s.ty();
                    (s, ty)
                });
                let list = handler.list_schema().map(|s| {
                    let ty = s.block.implied_type();
                    (s, ty)
                });
                (
                    handler.type_name().to_string(),
                    ResourceEntry {
                        handler,
                        schema,
                        ty,
                        identity,
                        list,
                    },
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|handler| {
                let schema = handler.schema();
                let ty = schema.block.implied_type();
                (
                    handler.type_name().to_string(),
                    DataSourceEntry {
                        handler,
                        schema,
                        ty,
                    },
                )
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|handler| {
                let signature = handler.signature();
                (
                    handler.name().to_string(),
                    FunctionEntry { handler, signature },
                )
            })
            .collect();
        ProviderService {
            provider_schema: provider.schema(),
            functions,
            actions: actions::entries(&*provider),
            ephemerals: ephemeral::entries(&*provider),
            provider,
            resources,
            data_sources,
            stop: CancellationToken::new(),
        }
    }

    fn function_protos(&self) -> HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(k, f)| (k.clone(), f.signature.to_proto()))
            .collect()
    }

    /// Runs a function call; the error says which argument is to blame.
    fn call(
        &self,
        name: &str,
        arguments: &[pb::DynamicValue],
    ) -> Result<pb::DynamicValue, FunctionError> {
        let Some(entry) = self.functions.get(name) else {
            return Err(FunctionError {
                text: format!("This provider has no function {name:?}."),
                argument: None,
            });
        };
        let params = &entry.signature.parameters;
        if arguments.len() != params.len() {
            return Err(FunctionError {
                text: format!(
                    "{name} takes {} arguments, but {} were given.",
                    params.len(),
                    arguments.len()
                ),
                argument: None,
            });
        }
        let mut args = Vec::with_capacity(params.len());
        for (i, (param, raw)) in params.iter().zip(arguments).enumerate() {
            let value = decode(Some(raw), &param.ty, "function argument").map_err(|d| {
                FunctionError::argument(
                    i,
                    d.0.first().map(|x| x.detail.clone()).unwrap_or_default(),
                )
            })?;
            if value.is_null() {
                return Err(FunctionError::argument(
                    i,
                    format!("{} must not be null.", param.name),
                ));
            }
            args.push(value);
        }
        let returns = &entry.signature.returns;
        // Terraform waits for unknown arguments before calling; OpenTofu
        // before 1.9 did not, and gets an unknown result.
        let result = if args.iter().any(|a| !a.is_wholly_known()) {
            Value::unknown()
        } else {
            entry.handler.call(&args)?
        };
        encode(&result, returns, "function result").map_err(|d| FunctionError {
            text: d.0.first().map(|x| x.detail.clone()).unwrap_or_default(),
            argument: None,
        })
    }

    /// The events of one list request, at most `limit` of them.
    async fn list_events(
        &self,
        req: &pb::list_resource::Request,
    ) -> DResult<Vec<pb::list_resource::Event>> {
        let entry = self.resource(&req.type_name)?;
        let Some((_, ty)) = &entry.list else {
            return Err(not_listable(&req.type_name));
        };
        let config = decode(req.config.as_ref(), ty, "list configuration")?;
        let query = ListQuery::from_config(&config, req.limit);
        let limit = query.limit;
        let found = self.abandon_on_stop(entry.handler.list(query)).await?;
        let mut events = Vec::new();
        for (display_name, mut state) in found.into_iter().take(limit) {
            strip_write_only(&entry.schema, &mut state);
            let Some(identity) = entry.identity_of(&state) else {
                continue;
            };
            let resource_object = if req.include_resource_object {
                Some(encode(&state, &entry.ty, "listed object")?)
            } else {
                None
            };
            events.push(pb::list_resource::Event {
                identity: Some(identity),
                display_name,
                resource_object,
                diagnostic: Vec::new(),
            });
        }
        Ok(events)
    }

    /// The token StopProvider cancels.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// The checks every configuration gets before its own validation: the
    /// validators declared in the schema, and the provider's string check.
    fn common_checks(&self, schema: &Schema, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        check_validators(&schema.block, config, &mut d);
        check_all_strings(
            config,
            &|s: &str| self.provider.check_config_string(s),
            &mut d,
        );
        d
    }

    /// Whether Terraform should tolerate planned and applied values that
    /// differ from the configuration for this type (see
    /// [`Resource::legacy_type_system`]); false for unknown types.
    fn legacy_type_system(&self, type_name: &str) -> bool {
        self.resource(type_name)
            .is_ok_and(|e| e.handler.legacy_type_system())
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Resource Type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Data Source Type",
                format!("This provider has no data source type {type_name:?}."),
            )
            .into()
        })
    }

    /// Runs a read unless StopProvider interrupts it. Only for operations
    /// that change nothing: dropping a change could drop it after its COMMIT
    /// was sent, so changes are left to stop themselves before COMMIT.
    async fn abandon_on_stop<T>(&self, fut: impl Future<Output = DResult<T>>) -> DResult<T> {
        tokio::select! {
            r = fut => r,
            () = self.stop.cancelled() => Err(Diagnostic::error(
                "Operation Cancelled",
                "Terraform asked the provider to stop, so it stopped reading. Nothing was changed.",
            ).into()),
        }
    }
}

/// Decodes an optional DynamicValue; absent or empty means null.
fn decode(v: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> DResult<Value> {
    let Some(v) = v else { return Ok(Value::Null) };
    if !v.msgpack.is_empty() {
        decode_msgpack(&v.msgpack, ty).map_err(|e| codec_error(what, e))
    } else if !v.json.is_empty() {
        decode_json_lenient(&v.json, ty).map_err(|e| codec_error(what, e))
    } else {
        Ok(Value::Null)
    }
}

fn encode(v: &Value, ty: &Type, what: &str) -> DResult<pb::DynamicValue> {
    let msgpack = encode_msgpack(v, ty).map_err(|e| codec_error(what, e))?;
    Ok(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn codec_error(what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error(
        "Provider Value Encoding Error",
        format!(
            "The {what} could not be converted between Terraform's wire format and the schema: {e}. \
             This is a bug in the provider; please report it."
        ),
    )
    .into()
}

/// Write-only attributes must be null in any state returned to Terraform.
fn strip_write_only(schema: &Schema, v: &mut Value) {
    if v.is_null() {
        return;
    }
    for a in schema.block.attributes.iter().filter(|a| a.write_only) {
        v.set(&a.name, Value::Null);
    }
}

fn diags_of<T>(r: &DResult<T>) -> Vec<pb::Diagnostic> {
    match r {
        Ok(_) => Vec::new(),
        Err(d) => d.to_proto(),
    }
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|k| pb::get_metadata::FunctionMetadata { name: k.clone() })
                .collect(),
            list_resources: self
                .resources
                .iter()
                .filter(|(_, e)| e.list.is_some())
                .map(|(k, _)| pb::get_metadata::ListResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemerals
                .keys()
                .map(|k| pb::get_metadata::EphemeralMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            actions: self
                .actions
                .keys()
                .map(|k| pb::get_metadata::ActionMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            functions: self.function_protos(),
            list_resource_schemas: self
                .resources
                .iter()
                .filter_map(|(k, e)| Some((k.clone(), e.list.as_ref()?.0.to_proto())))
                .collect(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(k, e)| (k.clone(), e.schema.to_proto()))
                .collect(),
            action_schemas: self
                .actions
                .iter()
                .map(|(k, e)| {
                    let schema = Some(e.schema.to_proto());
                    (k.clone(), pb::ActionSchema { schema })
                })
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self.function_protos(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        Ok(Response::new(match self.call(&req.name, &req.arguments) {
            Ok(result) => pb::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: e.text,
                    function_argument: e.argument.and_then(|i| i64::try_from(i).ok()),
                }),
            },
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        let ty = self.provider_schema.block.implied_type();
        let diagnostics = match decode(req.config.as_ref(), &ty, "provider configuration") {
            Ok(config) => {
                let mut d = self.common_checks(&self.provider_schema, &config);
                d.extend(self.provider.validate(&config).await);
                d.to_proto()
            }
            Err(d) => d.to_proto(),
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics,
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let config = decode(req.config.as_ref(), &entry.ty, "resource configuration")?;
            let mut d = self.common_checks(&entry.schema, &config);
            let write_only_allowed = req
                .client_capabilities
                .is_some_and(|c| c.write_only_attributes_allowed);
            check_write_only(&entry.schema.block, &config, write_only_allowed, &mut d);
            d.extend(entry.handler.validate(&config).await);
            d.into_result_keep()
        }
        .await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let entry = self.data_source(&req.type_name)?;
            let config = decode(req.config.as_ref(), &entry.ty, "data source configuration")?;
            let mut d = self.common_checks(&entry.schema, &config);
            d.extend(entry.handler.validate(&config).await);
            d.into_result_keep()
        }
        .await;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let result = (|| {
            let entry = self.resource(&req.type_name)?;
            let raw = req.raw_state.unwrap_or_default();
            let value = if raw.json.is_empty() {
                Value::Null
            } else {
                decode_json_lenient(&raw.json, &entry.ty)
                    .map_err(|e| codec_error("stored state", e))?
            };
            let mut upgraded = entry.handler.upgrade(req.version, value)?;
            strip_write_only(&entry.schema, &mut upgraded);
            encode(&upgraded, &entry.ty, "upgraded state")
        })();
        Ok(Response::new(pb::upgrade_resource_state::Response {
            diagnostics: diags_of(&result),
            upgraded_state: result.ok(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(k, e)| Some((k.clone(), e.identity.as_ref()?.0.to_proto())))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = request.into_inner();
        // Identities are still at version 0, so Terraform has nothing to
        // upgrade; an empty stored identity (state from before identities)
        // stays empty and the next read fills it in.
        let result = (|| {
            let entry = self.resource(&req.type_name)?;
            let Some((schema, ty)) = &entry.identity else {
                return Ok(None);
            };
            refuse_newer_identity(&req.type_name, req.version, schema.version)?;
            let raw = req.raw_identity.unwrap_or_default();
            if raw.json.is_empty() {
                return Ok(None);
            }
            let value = decode_json_lenient(&raw.json, ty)
                .map_err(|e| codec_error("stored identity", e))?;
            Ok(Some(pb::ResourceIdentityData {
                identity_data: Some(encode(&value, ty, "identity")?),
            }))
        })();
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            diagnostics: diags_of(&result),
            upgraded_identity: result.ok().flatten(),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        let ty = self.provider_schema.block.implied_type();
        let diagnostics = match decode(req.config.as_ref(), &ty, "provider configuration") {
            Ok(config) => self
                .provider
                .configure(&config, &req.terraform_version)
                .await
                .to_proto(),
            Err(d) => d.to_proto(),
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics,
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Vec::new();
        let mut new_identity = req.current_identity.clone();
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let current = decode(req.current_state.as_ref(), &entry.ty, "current state")?;
            if current.is_null() {
                return Ok(None);
            }
            match self.abandon_on_stop(entry.handler.read(&current)).await {
                Ok(new) => {
                    let mut new = new.unwrap_or(Value::Null);
                    strip_write_only(&entry.schema, &mut new);
                    // Gone: no identity either (not an error, as it is in
                    // the plugin framework).
                    new_identity = entry.identity_of(&new);
                    Ok(Some(encode(&new, &entry.ty, "refreshed state")?))
                }
                // Keep the known state when the read fails, so a transient
                // error never looks like a deleted object.
                Err(d) => {
                    diagnostics = d.to_proto();
                    Ok(req.current_state.clone())
                }
            }
        }
        .await;
        diagnostics.extend(diags_of(&result));
        Ok(Response::new(pb::read_resource::Response {
            new_state: result.ok().flatten(),
            diagnostics,
            private: req.private,
            new_identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut planned_identity = None;
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
            let proposed = decode(req.proposed_new_state.as_ref(), &entry.ty, "proposed state")?;
            let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
            let private = Private::decode(&req.prior_private);
            let input = PlanInput {
                prior: &prior,
                config: &config,
                proposed: &proposed,
                private: &private,
            };
            let mut planned = plan(&entry.schema, input);
            if !planned.is_destroy() {
                diagnostics = entry.handler.modify_plan(input, &mut planned).await;
                strip_write_only(&entry.schema, &mut planned.value);
            } else if !prior.is_null() {
                diagnostics = entry.handler.plan_destroy(&prior).await;
            }
            if diagnostics.has_errors() {
                return Ok((None, Vec::new()));
            }
            // Unknown until apply for a new object named by a value not known
            // yet, which Terraform allows for creates.
            planned_identity = entry
                .identity_of(&planned.value)
                .or_else(|| req.prior_identity.clone());
            let state = encode(&planned.value, &entry.ty, "planned state")?;
            let replace = planned
                .requires_replace
                .iter()
                .map(|p| p.to_proto())
                .collect();
            Ok((Some(state), replace))
        }
        .await;
        let mut all = diagnostics.to_proto();
        all.extend(diags_of(&result));
        let (planned_state, requires_replace) = result.unwrap_or_default();
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private: req.prior_private,
            diagnostics: all,
            legacy_type_system: self.legacy_type_system(&req.type_name),
            planned_identity,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Vec::new();
        let mut new_identity = None;
        // A failed change leaves the object, and so the record of what
        // configuration manages, as they were.
        let mut private = req.planned_private.clone();
        let result: DResult<Option<pb::DynamicValue>> = async {
            let entry = self.resource(&req.type_name)?;
            let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
            let planned = decode(req.planned_state.as_ref(), &entry.ty, "planned state")?;
            let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
            let h = &entry.handler;
            // Not abandoned on StopProvider: each change stops itself before
            // its COMMIT, or reports how the COMMIT really ended.
            let (outcome, warnings) = collect_apply_warnings(async {
                if planned.is_null() {
                    h.delete(&prior).await.map(|()| Value::Null)
                } else if prior.is_null() {
                    h.create(&planned, &config).await
                } else {
                    h.update(&prior, &planned, &config).await
                }
            })
            .await;
            diagnostics.extend(warnings.to_proto());
            match outcome {
                Ok(mut new) => {
                    strip_write_only(&entry.schema, &mut new);
                    new_identity = entry.identity_of(&new);
                    if !new.is_null() {
                        private = Private::decode(&req.planned_private)
                            .after_apply(&entry.schema, &config)
                            .encode();
                    }
                    Ok(Some(encode(&new, &entry.ty, "new state")?))
                }
                Err(d) => {
                    diagnostics.extend(d.to_proto());
                    // Every change runs in one transaction, so a failure leaves
                    // the object exactly as it was before; unless some of it
                    // committed on its own, and the type says what is there.
                    let after = if planned.is_null() {
                        None
                    } else {
                        h.after_failure(&prior, &planned).await
                    };
                    if let Some(mut now) = after {
                        strip_write_only(&entry.schema, &mut now);
                        new_identity = entry.identity_of(&now);
                        return Ok(Some(encode(&now, &entry.ty, "new state")?));
                    }
                    new_identity = entry.identity_of(&prior);
                    Ok(if prior.is_null() {
                        None
                    } else {
                        req.prior_state.clone()
                    })
                }
            }
        }
        .await;
        diagnostics.extend(diags_of(&result));
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: result.ok().flatten(),
            private,
            diagnostics,
            legacy_type_system: self.legacy_type_system(&req.type_name),
            new_identity,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let given_identity = req
                .identity
                .as_ref()
                .and_then(|i| i.identity_data.as_ref())
                .filter(|_| req.id.is_empty());
            let import = async {
                match (given_identity, &entry.identity) {
                    (Some(raw), Some((_, ty))) => {
                        let identity = decode(Some(raw), ty, "identity")?;
                        entry.handler.import_identity(&identity).await
                    }
                    _ => entry.handler.import(&req.id).await,
                }
            };
            let mut state = self.abandon_on_stop(import).await?;
            strip_write_only(&entry.schema, &mut state);
            Ok(pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(encode(&state, &entry.ty, "imported state")?),
                identity: entry.identity_of(&state),
                private: Private::after_import(&entry.schema).encode(),
            })
        }
        .await;
        Ok(Response::new(pb::import_resource_state::Response {
            diagnostics: diags_of(&result),
            imported_resources: result.into_iter().collect(),
            ..Default::default()
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let Some((schema, ty)) = &entry.list else {
                return Err(not_listable(&req.type_name));
            };
            let config = decode(req.config.as_ref(), ty, "list configuration")?;
            self.common_checks(schema, &config).into_result_keep()
        }
        .await;
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: flatten(result),
        }))
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<BoxStream<pb::list_resource::Event>>, Status> {
        let req = request.into_inner();
        let events = match self.list_events(&req).await {
            Ok(events) => events,
            // One event carrying the error: Terraform then drops the list
            // block's results and shows the diagnostic.
            Err(d) => vec![pb::list_resource::Event {
                diagnostic: d.to_proto(),
                ..Default::default()
            }],
        };
        Ok(Response::new(Box::pin(tokio_stream::iter(
            events.into_iter().map(Ok),
        ))))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let result = (|| {
            let entry = self.resource(&req.type_name)?;
            let state = decode(req.state.as_ref(), &entry.ty, "state")?;
            let config = config_from_state(&entry.schema.block, &state);
            encode(&config, &entry.ty, "generated configuration")
        })();
        Ok(Response::new(pb::generate_resource_config::Response {
            diagnostics: diags_of(&result),
            config: result.ok(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let entry = self.data_source(&req.type_name)?;
            let config = decode(req.config.as_ref(), &entry.ty, "data source configuration")?;
            let state = self.abandon_on_stop(entry.handler.read(&config)).await?;
            encode(&state, &entry.ty, "data source state")
        }
        .await;
        Ok(Response::new(pb::read_data_source::Response {
            diagnostics: diags_of(&result),
            state: result.ok(),
            ..Default::default()
        }))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        Ok(Response::new(
            self.serve_validate_action(request.into_inner()).await,
        ))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        Ok(Response::new(
            self.serve_plan_action(request.into_inner()).await,
        ))
    }

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<BoxStream<pb::invoke_action::Event>>, Status> {
        Ok(Response::new(
            self.serve_invoke_action(request.into_inner()),
        ))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        Ok(Response::new(
            self.serve_validate_ephemeral(request.into_inner()).await,
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        Ok(Response::new(
            self.serve_open_ephemeral(request.into_inner()).await,
        ))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        Ok(Response::new(
            self.serve_renew_ephemeral(request.into_inner()).await,
        ))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        Ok(Response::new(
            self.serve_close_ephemeral(request.into_inner()).await,
        ))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        log::info!("StopProvider received: cancelling in-flight operations");
        self.stop.cancel();
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

fn not_listable(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Not A List Resource",
        format!("{type_name} cannot be listed with terraform query."),
    )
    .into()
}

fn refuse_newer_identity(type_name: &str, version: i64, current: i64) -> DResult<()> {
    if version > current {
        return Err(Diagnostic::error(
            "Identity Written By A Newer Provider",
            format!(
                "The identity of this {type_name} was stored with version {version}, newer than \
                 this provider's {current}. Upgrade the provider."
            ),
        )
        .into());
    }
    Ok(())
}

/// The configuration `terraform query -generate-config-out` and `plan
/// -generate-config-out` write for a state: what a person would write.
/// Values equal to their default, computed-only values, and secrets are
/// left out (null), everything else is kept.
fn config_from_state(block: &Block, state: &Value) -> Value {
    if state.is_null() || state.is_unknown() {
        return state.clone();
    }
    let mut config = state.clone();
    for a in &block.attributes {
        let v = state.get(&a.name);
        let drop = (a.computed && !a.optional && !a.required)
            || a.sensitive
            || a.write_only
            || a.deprecated.is_some()
            || a.default.as_ref().is_some_and(|d| d == v);
        if drop {
            config.set(&a.name, Value::Null);
        }
    }
    for b in &block.blocks {
        let v = state.get(&b.name);
        let inner = match (b.nesting, v) {
            (Nesting::Single, v) => config_from_state(&b.block, v),
            (Nesting::List, Value::List(items)) => Value::List(
                items
                    .iter()
                    .map(|i| config_from_state(&b.block, i))
                    .collect(),
            ),
            (Nesting::Set, Value::Set(items)) => Value::Set(
                items
                    .iter()
                    .map(|i| config_from_state(&b.block, i))
                    .collect(),
            ),
            (_, other) => other.clone(),
        };
        config.set(&b.name, inner);
    }
    config
}

/// What this provider tells Terraform it supports.
fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        // Destroys are planned too, so a delete can carry diagnostics.
        plan_destroy: true,
        get_provider_schema_optional: false,
        move_resource_state: false,
        // config_from_state writes what a person would, not every default.
        generate_resource_config: true,
    }
}

/// Validation returns warnings even on success; keep them all.
trait KeepDiagnostics {
    fn into_result_keep(self) -> DResult<Diagnostics>;
}

impl KeepDiagnostics for Diagnostics {
    fn into_result_keep(self) -> DResult<Diagnostics> {
        Ok(self)
    }
}

fn flatten(r: DResult<Diagnostics>) -> Vec<pb::Diagnostic> {
    match r {
        Ok(d) | Err(d) => d.to_proto(),
    }
}
