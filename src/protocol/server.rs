//! The tfplugin6 `Provider` gRPC service.
//!
//! Each RPC is thin: decode the msgpack values against the schema, call the
//! [`Provider`]/[`Resource`] implementation, encode the answer. Failures the
//! user can act on go back as diagnostics in an `Ok` response.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::cty::{decode_json_lenient, decode_msgpack, encode_msgpack};
use super::cty::{Type, Value};
use super::diagnostics::{DResult, Diagnostic, Diagnostics};
use super::generated::tfplugin6 as pb;
use super::plan::{plan, PlanInput};
use super::resource::{DataSource, Provider, Resource};
use super::schema::Schema;
use super::validate::{check_all_strings, check_validators, check_write_only};

/// A resource type with its schema and wire type computed once.
struct ResourceEntry {
    handler: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
}

/// A data source type with its schema and wire type computed once.
struct DataSourceEntry {
    handler: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// Serves a [`Provider`] over tfplugin6.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
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
                (
                    handler.type_name().to_string(),
                    ResourceEntry {
                        handler,
                        schema,
                        ty,
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
        ProviderService {
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            stop: CancellationToken::new(),
        }
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
            server_capabilities: Some(capabilities()),
            ..Default::default()
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
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
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
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
            let proposed = decode(req.proposed_new_state.as_ref(), &entry.ty, "proposed state")?;
            let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
            let input = PlanInput {
                prior: &prior,
                config: &config,
                proposed: &proposed,
            };
            let mut planned = plan(&entry.schema, input);
            if !planned.is_destroy() {
                diagnostics = entry.handler.modify_plan(input, &mut planned).await;
                strip_write_only(&entry.schema, &mut planned.value);
            }
            if diagnostics.has_errors() {
                return Ok((None, Vec::new()));
            }
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
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Vec::new();
        let result: DResult<Option<pb::DynamicValue>> = async {
            let entry = self.resource(&req.type_name)?;
            let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
            let planned = decode(req.planned_state.as_ref(), &entry.ty, "planned state")?;
            let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
            let h = &entry.handler;
            // Not abandoned on StopProvider: each change stops itself before
            // its COMMIT, or reports how the COMMIT really ended.
            let outcome = if planned.is_null() {
                h.delete(&prior).await.map(|()| Value::Null)
            } else if prior.is_null() {
                h.create(&planned, &config).await
            } else {
                h.update(&prior, &planned, &config).await
            };
            match outcome {
                Ok(mut new) => {
                    strip_write_only(&entry.schema, &mut new);
                    Ok(Some(encode(&new, &entry.ty, "new state")?))
                }
                Err(d) => {
                    diagnostics = d.to_proto();
                    // Every change runs in one transaction, so a failure leaves
                    // the object exactly as it was before.
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
            private: req.planned_private,
            diagnostics,
            legacy_type_system: self.legacy_type_system(&req.type_name),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let entry = self.resource(&req.type_name)?;
            let mut state = self.abandon_on_stop(entry.handler.import(&req.id)).await?;
            strip_write_only(&entry.schema, &mut state);
            Ok(pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(encode(&state, &entry.ty, "imported state")?),
                ..Default::default()
            })
        }
        .await;
        Ok(Response::new(pb::import_resource_state::Response {
            diagnostics: diags_of(&result),
            imported_resources: result.into_iter().collect(),
            ..Default::default()
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

/// What this provider tells Terraform it supports.
fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        // Destroys are planned too, so a delete can carry diagnostics.
        plan_destroy: true,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: false,
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
