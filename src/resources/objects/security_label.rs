//! `postgresql_security_label`: the label one security label provider
//! (SELinux's `sepgsql`, Azure's `pgaadauth`...) puts on a role, database,
//! schema or other object named by one identifier, with the reference
//! provider's attributes and ID (`provider.type.name`).
//!
//! Everything runs in the provider's database, as in the reference provider;
//! labels on roles, databases, tablespaces and subscriptions are cluster-wide
//! anyway.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::error::PgError;
use crate::pg::objects::security_label::{self as sql, OBJECT_TYPES};
use crate::protocol::model::{computed, required};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, ResourceType, Tf, Validator,
};

use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::SecurityLabelId;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_security_label` as Terraform holds it.
    pub struct SecurityLabelModel {
        id: Tf<String> = computed(
            "`label_provider.object_type.object_name`; a part that is empty or contains `.` or \
             `\"` is written in double quotes with `\"` doubled.",
        )
        .stable(),
        object_type: String = required(
            "Type of the labelled object, as `pg_seclabels` names it: `role`, `database`, \
             `schema`, `tablespace`, `event trigger`, `language`, `publication` or \
             `subscription`. Objects inside a schema (tables, functions...) are not supported.",
        )
        .replaces()
        .validate(Validator::OneOf(OBJECT_TYPES)),
        object_name: String = required(
            "Name of the existing object (exact, case-sensitive; it is always quoted).",
        )
        .replaces()
        .each(validators::object_name),
        label_provider: String = required(
            "The label provider, as it registered itself (e.g. `selinux` for sepgsql, \
             `pgaadauth` on Azure). Providers are server modules loaded with \
             `shared_preload_libraries`.",
        )
        .replaces()
        .each(validators::object_name),
        label: String = required(
            "The label; what it may say is the provider's business. Changed in place.",
        ),
    }
    view SecurityLabelView;
}

impl SecurityLabelModel {
    fn render_id(&self) -> String {
        SecurityLabelId {
            provider: self.label_provider.clone(),
            object_type: self.object_type.clone(),
            object_name: self.object_name.clone(),
        }
        .render()
    }
}

fn ctx(client: &Client, m: &SecurityLabelModel) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!(
            "{:?} security label on {} {:?}",
            m.label_provider, m.object_type, m.object_name
        ),
    )
    .needs("ownership of the object (or what the label provider itself demands, often SUPERUSER)")
}

/// [`pg_diag`], plus what a missing label provider means.
fn label_diag(e: &PgError, m: &SecurityLabelModel, ctx: &ErrorContext) -> Diagnostics {
    if e.is_invalid_parameter_value() {
        return Diagnostic::error(
            "Security Label Provider Not Loaded",
            format!(
                "{}\n\nNo label provider named {:?} is loaded in this server. Label providers \
                 are server modules (sepgsql, or pgaadauth on Azure Database for PostgreSQL) \
                 that must be listed in shared_preload_libraries, which needs a server \
                 restart. Check label_provider, or load the module.",
                e.db_message().unwrap_or_else(|| e.to_string()),
                m.label_provider
            ),
        )
        .at("label_provider")
        .into();
    }
    pg_diag(e, ctx)
}

/// The `postgresql_security_label` resource.
pub struct SecurityLabelResource {
    state: Arc<ProviderState>,
}

impl SecurityLabelResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> SecurityLabelResource {
        SecurityLabelResource { state }
    }

    async fn set(&self, m: &SecurityLabelModel, label: Option<&str>, what: &str) -> DResult<()> {
        let client = self.state.client().await?;
        let statement = sql::set(&m.label_provider, &m.object_type, &m.object_name, label);
        client
            .run_statements(None, what, &[statement])
            .await
            .map_err(|e| label_diag(&e, m, &ctx(&client, m)))
    }
}

#[async_trait]
impl ResourceType for SecurityLabelResource {
    type Model = SecurityLabelModel;
    const NAME: &'static str = "postgresql_security_label";

    fn description(&self) -> String {
        "Manages the security label one label provider puts on an object (`SECURITY LABEL`). \
         Label providers are server modules loaded with `shared_preload_libraries`: sepgsql \
         (SELinux), or `pgaadauth` on Azure Database for PostgreSQL, where a label ties a role \
         to an Entra ID identity. Destroying the resource removes the label (`IS NULL`).\n\n\
         Import with `label_provider.object_type.object_name`: `terraform import \
         postgresql_security_label.example 'pgaadauth.role.my_role'`."
            .into()
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, SecurityLabelModel>) -> Diagnostics {
        let p = &plan.planned;
        let part = |t: &Tf<String>| t.known().cloned();
        plan.planned.id = match (
            part(&p.label_provider),
            part(&p.object_type),
            part(&p.object_name),
        ) {
            (Some(provider), Some(object_type), Some(object_name)) => Tf::Known(
                SecurityLabelId {
                    provider,
                    object_type,
                    object_name,
                }
                .render(),
            ),
            _ => Tf::Unknown,
        };
        Diagnostics::new()
    }

    async fn create(
        &self,
        planned: SecurityLabelModel,
        _: SecurityLabelModel,
    ) -> DResult<SecurityLabelModel> {
        self.set(&planned, Some(&planned.label), "setting a security label")
            .await?;
        Ok(SecurityLabelModel {
            id: Tf::Known(planned.render_id()),
            ..planned
        })
    }

    async fn update(
        &self,
        _: SecurityLabelModel,
        planned: SecurityLabelModel,
        _: SecurityLabelModel,
    ) -> DResult<SecurityLabelModel> {
        self.create(planned.clone(), planned).await
    }

    async fn delete(&self, prior: SecurityLabelModel) -> DResult<()> {
        match self.set(&prior, None, "removing a security label").await {
            Ok(()) => Ok(()),
            Err(d) => {
                // The object is gone, and its label with it.
                let client = self.state.client().await?;
                let conn = client
                    .pools
                    .get(None)
                    .await
                    .map_err(|e| pg_diag(&e, &ctx(&client, &prior)))?;
                let gone = sql::read(
                    &**conn,
                    &prior.label_provider,
                    &prior.object_type,
                    &prior.object_name,
                )
                .await
                .is_ok_and(|l| l.is_none());
                if gone {
                    Ok(())
                } else {
                    Err(d)
                }
            }
        }
    }

    async fn read(&self, current: SecurityLabelModel) -> DResult<Option<SecurityLabelModel>> {
        let client = self.state.client().await?;
        let c = ctx(&client, &current);
        let conn = client.pools.get(None).await.map_err(|e| pg_diag(&e, &c))?;
        let label = sql::read(
            &**conn,
            &current.label_provider,
            &current.object_type,
            &current.object_name,
        )
        .await
        .map_err(|e| pg_diag(&e, &c))?;
        Ok(label.map(|label| SecurityLabelModel {
            id: Tf::Known(current.render_id()),
            label,
            ..current
        }))
    }

    async fn import(&self, id: &str) -> DResult<SecurityLabelModel> {
        let SecurityLabelId {
            provider,
            object_type,
            object_name,
        } = SecurityLabelId::parse(id)?;
        if !OBJECT_TYPES.contains(&object_type.as_str()) {
            let why = format!("{object_type:?} is not one of {}", OBJECT_TYPES.join(", "));
            return Err(SecurityLabelId::refuse(id, &why).into());
        }
        let wanted = SecurityLabelModel {
            label_provider: provider.clone(),
            object_type: object_type.clone(),
            object_name: object_name.clone(),
            ..SecurityLabelModel::default()
        };
        ResourceType::read(self, wanted).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Security Label Not Found",
                format!(
                    "Provider {provider:?} has no label on {object_type} {object_name:?} (or \
                     there is no such object). Names are case-sensitive."
                ),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["label_provider", "object_type", "object_name"];

    fn import_id(&self, m: &SecurityLabelModel) -> Option<String> {
        (!m.label_provider.is_empty() && !m.object_type.is_empty() && !m.object_name.is_empty())
            .then(|| m.render_id())
    }

    const LIST_FILTERS: &'static [ListFilter] = &[ListFilter::NamePattern(
        "the labelled object's name (`object_name`)",
    )];

    /// Every label on a database, role, tablespace or subscription, and on
    /// the single-name objects of the provider's database. PostgreSQL
    /// never labels anything itself, so nothing is left out.
    async fn list(&self, query: ListQuery) -> DResult<Vec<SecurityLabelModel>> {
        let client = self.state.client().await?;
        let c = ErrorContext::new(&client.info.current_user, "security labels");
        let conn = client.pools.get(None).await.map_err(|e| pg_diag(&e, &c))?;
        let labels = sql::list(&**conn).await.map_err(|e| pg_diag(&e, &c))?;
        Ok(labels
            .into_iter()
            .filter(|l| query.name_matches(&l.object_name))
            .map(|l| {
                let m = SecurityLabelModel {
                    id: Tf::Null,
                    label_provider: l.provider,
                    object_type: l.object_type,
                    object_name: l.object_name,
                    label: l.label,
                };
                SecurityLabelModel {
                    id: Tf::Known(m.render_id()),
                    ..m
                }
            })
            .collect())
    }
}
