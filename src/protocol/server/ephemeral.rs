//! The ephemeral resource RPCs of the tfplugin6 service (Terraform 1.10+):
//! `ValidateEphemeralResourceConfig`, `OpenEphemeralResource`,
//! `RenewEphemeralResource` and `CloseEphemeralResource`.
//!
//! Open answers with the result, when to renew and the private bytes Renew
//! and Close get back; nothing of it reaches a plan or state file.

use std::collections::HashMap;
use std::sync::Arc;

use super::{decode, encode, ProviderService};
use crate::protocol::cty::{Type, Value};
use crate::protocol::diagnostics::{DResult, Diagnostic, Diagnostics};
use crate::protocol::generated::tfplugin6 as pb;
use crate::protocol::resource::Provider;
use crate::protocol::schema::Schema;
use crate::protocol::stateless::ephemeral::{EphemeralResource, Opened};

/// An ephemeral resource type with its schema and wire type computed once.
pub(super) struct EphemeralEntry {
    handler: Arc<dyn EphemeralResource>,
    pub(super) schema: Schema,
    ty: Type,
}

/// The provider's ephemeral resource types by name.
pub(super) fn entries(provider: &dyn Provider) -> HashMap<String, EphemeralEntry> {
    provider
        .ephemeral_resources()
        .into_iter()
        .map(|handler| {
            let schema = handler.schema();
            let ty = schema.block.implied_type();
            (
                handler.type_name().to_string(),
                EphemeralEntry {
                    handler,
                    schema,
                    ty,
                },
            )
        })
        .collect()
}

/// What the Open RPC answers with, before encoding.
struct OpenAnswer {
    warnings: Diagnostics,
    result: Option<pb::DynamicValue>,
    renew_at: Option<prost_types::Timestamp>,
    private: Option<Vec<u8>>,
    deferred: Option<pb::Deferred>,
}

impl ProviderService {
    fn ephemeral(&self, type_name: &str) -> Result<&EphemeralEntry, Diagnostics> {
        self.ephemerals.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Ephemeral Resource Type",
                format!("This provider has no ephemeral resource type {type_name:?}."),
            )
            .into()
        })
    }

    pub(super) async fn serve_validate_ephemeral(
        &self,
        req: pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        let result = async {
            let entry = self.ephemeral(&req.type_name)?;
            let config = decode(
                req.config.as_ref(),
                &entry.ty,
                "ephemeral resource configuration",
            )?;
            let mut d = self.common_checks(&entry.schema, &config);
            d.extend(entry.handler.validate(&config).await);
            Ok::<_, Diagnostics>(d)
        }
        .await;
        pb::validate_ephemeral_resource_config::Response {
            diagnostics: match result {
                Ok(d) | Err(d) => d.to_proto(),
            },
        }
    }

    async fn open(&self, req: &pb::open_ephemeral_resource::Request) -> DResult<OpenAnswer> {
        let entry = self.ephemeral(&req.type_name)?;
        let config = decode(
            req.config.as_ref(),
            &entry.ty,
            "ephemeral resource configuration",
        )?;
        let unknown = || {
            Ok::<_, Diagnostics>(Some(encode(
                &Value::unknown(),
                &entry.ty,
                "ephemeral result",
            )?))
        };
        // Terraform opens only known configurations; an older or other
        // client that does not gets an unknown result, and opens nothing.
        if !config.is_wholly_known() {
            return Ok(OpenAnswer {
                warnings: Diagnostics::new(),
                result: unknown()?,
                renew_at: None,
                private: None,
                deferred: None,
            });
        }
        let checks = self.common_checks(&entry.schema, &config);
        if checks.has_errors() {
            return Err(checks);
        }
        match entry.handler.open(&config).await? {
            Opened::Open {
                result,
                renew_at,
                private,
                warnings,
            } => Ok(OpenAnswer {
                warnings,
                result: Some(encode(&result, &entry.ty, "ephemeral result")?),
                renew_at: renew_at.map(prost_types::Timestamp::from),
                private: Some(private),
                deferred: None,
            }),
            Opened::ProviderConfigUnknown { why } => {
                let allowed = req
                    .client_capabilities
                    .as_ref()
                    .is_some_and(|c| c.deferral_allowed);
                if !allowed {
                    return Err(
                        Diagnostic::error("Provider Configuration Not Known Yet", why).into(),
                    );
                }
                Ok(OpenAnswer {
                    warnings: Diagnostics::new(),
                    result: unknown()?,
                    renew_at: None,
                    private: None,
                    deferred: Some(pb::Deferred {
                        reason: pb::deferred::Reason::ProviderConfigUnknown as i32,
                    }),
                })
            }
        }
    }

    pub(super) async fn serve_open_ephemeral(
        &self,
        req: pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        match self.open(&req).await {
            Ok(a) => pb::open_ephemeral_resource::Response {
                diagnostics: a.warnings.to_proto(),
                renew_at: a.renew_at,
                result: a.result,
                private: a.private,
                deferred: a.deferred,
            },
            Err(d) => pb::open_ephemeral_resource::Response {
                diagnostics: d.to_proto(),
                ..Default::default()
            },
        }
    }

    pub(super) async fn serve_renew_ephemeral(
        &self,
        req: pb::renew_ephemeral_resource::Request,
    ) -> pb::renew_ephemeral_resource::Response {
        let result = async {
            let entry = self.ephemeral(&req.type_name)?;
            entry
                .handler
                .renew(req.private.as_deref().unwrap_or_default())
                .await
        }
        .await;
        match result {
            Ok(r) => pb::renew_ephemeral_resource::Response {
                diagnostics: Vec::new(),
                renew_at: r.renew_at.map(prost_types::Timestamp::from),
                private: r.private.or(req.private),
            },
            Err(d) => pb::renew_ephemeral_resource::Response {
                diagnostics: d.to_proto(),
                renew_at: None,
                private: req.private,
            },
        }
    }

    pub(super) async fn serve_close_ephemeral(
        &self,
        req: pb::close_ephemeral_resource::Request,
    ) -> pb::close_ephemeral_resource::Response {
        let result = async {
            let entry = self.ephemeral(&req.type_name)?;
            entry
                .handler
                .close(req.private.as_deref().unwrap_or_default())
                .await
        }
        .await;
        pb::close_ephemeral_resource::Response {
            diagnostics: match result {
                Ok(()) => Vec::new(),
                Err(d) => d.to_proto(),
            },
        }
    }
}
