//! `postgresql_effective_access` data source: every privilege a role can use
//! in one database, on every object, and by which route (granted to it,
//! through which chain of memberships, PUBLIC, a predefined role, or being
//! a superuser), as `has_table_privilege` and its siblings answer.
//!
//! It reads the same catalog model as the plan's effective-access report
//! ([`crate::pg::access`]), so what a `check` block asserts and what a
//! reviewer reads in a plan come from one computation.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::access::{Access, PUBLIC};
use crate::pg::kinds::ObjectKind;
use crate::protocol::model::{computed, optional, required};
use crate::protocol::{DResult, DataSourceType, Diagnostic, Diagnostics, Tf};

use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::state::ProviderState;
use crate::resources::support::validators;

model! {
    /// One privilege on one object.
    pub struct AccessEntry {
        object_type: String = computed(
            "`database`, `schema`, `table` (also views, materialized views, foreign and \
             partitioned tables), `sequence`, `function` (also procedures and aggregates), \
             `foreign_data_wrapper`, `foreign_server` or `column`.",
        ),
        schema: String = computed(
            "Schema of the object; empty for a database, a foreign-data wrapper or a foreign \
             server.",
        ),
        name: String = computed(
            "Name of the object; for functions with the identity arguments, as \
             `f(integer, text)`; for columns the table.",
        ),
        column: Option<String> = computed("The column, for `column` entries."),
        object: String = computed(
            "The object as written in SQL: `app.orders`, `app.f(integer)`, \
             `app.orders(tenant_id)`, `app` for a schema, database, foreign-data wrapper or \
             foreign server.",
        ),
        privilege: String = computed("The privilege, e.g. `SELECT`."),
        source: String = computed(
            "How the role holds it: `direct` (granted to the role, or it owns the object), \
             `membership` (granted to a role it inherits from), `public` (granted to PUBLIC), \
             `predefined` (`pg_read_all_data`, `pg_write_all_data`, `pg_maintain`) or \
             `superuser`.",
        ),
        granted_to: String = computed(
            "The role whose grant gives it: the role itself, the role at the end of `via`, or \
             `public`.",
        ),
        via: Vec<String> = computed(
            "The chain of memberships from the role to `granted_to`, nearest first; empty when \
             no membership is involved.",
        ),
    }
}

model! {
    /// A role the one read uses privileges of, or can SET ROLE to.
    pub struct MembershipEntry {
        role: String = computed("The role."),
        via: Vec<String> = computed("The chain of memberships leading to it, nearest first."),
        inherits: bool = computed(
            "Whether the role's privileges are used without SET ROLE (every link inherits: the \
             grant's INHERIT option on PostgreSQL 16+, the member's INHERIT attribute before).",
        ),
        can_set_role: bool = computed(
            "Whether SET ROLE to it is allowed (every link has the SET option on PostgreSQL 16+).",
        ),
    }
}

model! {
    /// A `postgresql_effective_access` read.
    pub struct EffectiveAccessModel {
        id: Tf<String> = computed("`<database>/<role>`."),
        role: String = required(
            "The role (exact, case-sensitive), or `public` for what every role gets.",
        )
        .each(validators::role_name),
        database: Option<String> = optional(
            "Database whose objects to list (databases themselves are listed whatever it is); \
             the provider's database when unset.",
        )
        .each(validators::database_name),
        superuser: Tf<bool> = computed("Whether the role is a superuser (passes every check)."),
        privileges: Tf<Vec<AccessEntry>> = computed(
            "Every privilege the role can use without SET ROLE, one entry per object and \
             privilege, sorted by object type, schema, name, column and privilege. Objects in \
             `pg_catalog`, `information_schema` and the other `pg_*` schemas are left out. \
             Privileges on objects created later (default privileges) are not listed.",
        ),
        memberships: Tf<Vec<MembershipEntry>> = computed(
            "Every role the role is a member of, directly or not, whether it inherits its \
             privileges and whether it can SET ROLE to it, sorted by role.",
        ),
    }
    view EffectiveAccessView;
}

/// The entries of one role's access, in a stable order.
fn entries(a: &Access) -> Vec<AccessEntry> {
    let mut out = Vec::new();
    for (id, routes) in &a.held {
        for (p, via) in routes {
            out.push(AccessEntry {
                object_type: id.kind.as_str().to_string(),
                schema: if id.kind == ObjectKind::Database {
                    String::new()
                } else {
                    id.schema.clone()
                },
                name: id.name.clone(),
                column: id.column.clone(),
                object: id.to_string(),
                privilege: p.name().to_string(),
                source: via.source().to_string(),
                granted_to: via.holder().unwrap_or(&a.role).to_string(),
                via: via.chain().to_vec(),
            });
        }
    }
    out
}

/// The `postgresql_effective_access` data source.
pub struct EffectiveAccessDataSource {
    state: Arc<ProviderState>,
}

impl EffectiveAccessDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> EffectiveAccessDataSource {
        EffectiveAccessDataSource { state }
    }
}

#[async_trait]
impl DataSourceType for EffectiveAccessDataSource {
    type Model = EffectiveAccessModel;
    const NAME: &'static str = "postgresql_effective_access";

    fn description(&self) -> String {
        "Lists every privilege a role can use in one database, on databases, schemas, tables, \
         sequences, functions and columns, and through which membership it gets each one: the \
         answers `has_table_privilege` and its siblings give, with the route. Memberships are \
         followed transitively, honouring the INHERIT attribute (before PostgreSQL 16) and the \
         per-grant INHERIT and SET options (16 and later). Use it to assert access in `check` \
         blocks and tests. Fails when the role does not exist."
            .into()
    }

    async fn read(&self, config: EffectiveAccessModel) -> DResult<EffectiveAccessModel> {
        let client = self.state.client().await?;
        let role = &config.role;
        let ctx = ErrorContext::new(&client.info.current_user, format!("role {role:?}"))
            .needs("access to the pg_catalog tables of roles, memberships and objects");
        let catalog = client
            .access_catalog(config.database.as_deref())
            .await
            .or_diag(&ctx)?;
        if role != PUBLIC && catalog.role(role).is_none() {
            return Err(Diagnostics::from(
                Diagnostic::error(
                    "Role Not Found",
                    format!(
                        "No role named {role:?} exists. Role names are case-sensitive and must \
                         match exactly; create the role first or correct the name."
                    ),
                )
                .at("role"),
            ));
        }
        let access = catalog.access(role);
        let inherits = &access.uses;
        let mut memberships: Vec<MembershipEntry> = catalog
            .all_memberships(role)
            .into_iter()
            .filter(|(r, _)| r != role)
            .map(|(r, chain)| MembershipEntry {
                inherits: inherits.contains_key(&r),
                can_set_role: access.can_set.contains_key(&r),
                via: inherits
                    .get(&r)
                    .or_else(|| access.can_set.get(&r))
                    .cloned()
                    .unwrap_or(chain),
                role: r,
            })
            .collect();
        memberships.sort_by(|a, b| a.role.cmp(&b.role));
        Ok(EffectiveAccessModel {
            id: Tf::Known(format!("{}/{role}", catalog.database)),
            superuser: Tf::Known(access.superuser),
            privileges: Tf::Known(entries(&access)),
            memberships: Tf::Known(memberships),
            ..config
        })
    }
}
