//! `postgresql_grant`: privileges of one role (or PUBLIC) on a database, a
//! schema, or objects in a schema, with the reference provider's attribute
//! names.
//!
//! Differences from the reference provider, all aimed at plans that only
//! show real changes and applies that never leave a running application
//! without access:
//! * `privileges` changes are applied by difference in one transaction:
//!   missing privileges are granted, unwanted ones revoked, kept ones never
//!   touched. `with_grant_option` also changes in place. Create leaves
//!   exactly the configured privileges, whatever the role held before.
//! * Drift is what the grantee lacks on some object of the scope (e.g. a
//!   table created later), read from the objects' ACLs in one query; objects
//!   the grantee owns never count.
//! * `ALL` stays `ALL` in state while the grantee holds every privilege.
//! * Changes to one schema (or database) are serialized with an advisory
//!   lock and retried on serialization failures, so parallel applies do not
//!   fail with "tuple concurrently updated".
//! * Import, with an ID that is unambiguous for any names (see [`GrantId`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::is_system_schema;
use crate::pg::conn::{locks, pipeline};
use crate::pg::grants::grant::{
    self as sql, grant_kind, split_signature, Change, GrantTarget, GRANT_KINDS, PUBLIC,
};
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::expand_privileges;
use crate::protocol::model::{computed, optional, required};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, Problem, ResourceType, Tf,
    Viewed,
};

use crate::resources::grants::privileges::{
    check_maintain, check_privilege_list, is_given, unset_is_empty,
};
use crate::resources::review::access_plans::{grant_lint, grant_report, GrantSpec};
use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext, OrDiag};
use crate::resources::support::import_id::GrantId;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_grant` as Terraform holds it.
    pub struct GrantModel {
        id: Tf<String> = computed(
            "Identifies the grant; the same text imports it (see the resource description).",
        )
        .stable(),
        role: String = required(
            "Role receiving the privileges, or `public` for every role (PUBLIC).",
        )
        .replaces()
        .each(validators::role_name),
        database: String = required(
            "Database holding the objects; for `object_type = \"database\"` the database \
             itself. The provider connects to it to grant.",
        )
        .replaces()
        .each(validators::database_name),
        schema: Option<String> = optional(
            "Schema holding the objects; for `object_type = \"schema\"` the schema itself. \
             Required for every type except `database`, `foreign_data_wrapper` and \
             `foreign_server`, where it must be left unset.",
        )
        .replaces()
        .each(validators::schema_name_or_empty),
        object_type: String = required(
            "Kind of object: `database`, `schema`, `table` (also views, materialized views, \
             foreign and partitioned tables), `sequence`, `function` (also aggregates), \
             `procedure`, `routine` (functions and procedures), `foreign_data_wrapper`, \
             `foreign_server` or `column`.",
        )
        .replaces()
        .each(object_type_name),
        objects: Option<BTreeSet<String>> = optional(
            "Names of the objects. Unset or empty means every object of the type in the schema, \
             including objects created later: a new object lacking the privileges shows as a \
             change, and the next apply grants them. Functions are given as `name` (every \
             overload) or `name(argument types)`. For `column`, exactly one table. Must be unset \
             for `database` and `schema`; required for `foreign_data_wrapper` and \
             `foreign_server`. Objects owned by `role` are skipped: owners hold every privilege \
             implicitly. On a change the old objects are revoked before the new ones are \
             granted; do not combine with `create_before_destroy`, whose destroy step would \
             revoke what the create step granted on objects in both lists.",
        )
        .replaces(),
        columns: Option<BTreeSet<String>> = optional(
            "Columns of the table in `objects`, for `object_type = \"column\"` only.",
        )
        .replaces()
        .each(validators::column_name),
        privileges: Option<BTreeSet<String>> = required(
            "Privileges to grant, e.g. `[\"SELECT\", \"INSERT\"]` (any case), or `[\"ALL\"]` \
             for every privilege of the type (`MAINTAIN` is included on PostgreSQL 17 and later). \
             Changes are applied in place and by difference: added privileges are granted, \
             removed ones revoked, kept ones never revoked. An empty set revokes what this \
             resource granted. Allowed per type: database `CREATE`, `CONNECT`, `TEMPORARY`; \
             schema `CREATE`, `USAGE`; table `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, \
             `REFERENCES`, `TRIGGER`, `MAINTAIN` (PostgreSQL 17+); sequence `USAGE`, `SELECT`, \
             `UPDATE`; function, procedure and routine `EXECUTE`; foreign data wrapper and server \
             `USAGE`; column `SELECT`, `INSERT`, `UPDATE`, `REFERENCES`.",
        ),
        with_grant_option: bool = optional(
            "Whether `role` may grant the privileges to others. Changed in place (`GRANT ... WITH \
             GRANT OPTION` or `REVOKE GRANT OPTION FOR`).",
        )
        .default(false),
    }
    view GrantView;
}

impl GrantModel {
    fn grant_id(&self) -> GrantId {
        let list =
            |s: &Option<BTreeSet<String>>| -> Vec<String> { s.iter().flatten().cloned().collect() };
        GrantId {
            role: self.role.clone(),
            database: self.database.clone(),
            schema: self.schema.clone().unwrap_or_default(),
            object_type: self.object_type.clone(),
            objects: list(&self.objects),
            columns: list(&self.columns),
        }
    }

    /// The id this grant is stored under (`role/database/schema/type/objects`).
    pub fn id_text(&self) -> String {
        self.grant_id().render()
    }

    /// The scope the grant applies to.
    fn target(&self) -> DResult<GrantTarget> {
        let object_type = grant_kind(&self.object_type).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Object Type",
                format!(
                    "object_type {:?} is not supported; use one of {}.",
                    self.object_type,
                    type_list()
                ),
            ))
        })?;
        let id = self.grant_id();
        Ok(GrantTarget {
            role: id.role,
            database: id.database,
            schema: id.schema,
            object_type,
            objects: id.objects,
            columns: id.columns,
        })
    }

    /// The privileges asked for, canonical and with `ALL` expanded.
    fn wanted(&self, ty: ObjectKind, version: Option<i32>) -> BTreeSet<String> {
        let privileges: Vec<&String> = self.privileges.iter().flatten().collect();
        expand_privileges(&privileges, ty, version)
    }
}

fn object_type_name(_attr: &str, name: &str) -> Option<Problem> {
    validators::object_type_problem(name, GRANT_KINDS.iter().map(|k| k.as_str()))
}

fn type_list() -> String {
    GRANT_KINDS
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the privileges in config mean the same as those in prior state
/// (case, `TEMP`, `ALL` versus its expansion).
fn same_privileges(a: &[String], b: &[String], ty: ObjectKind, version: Option<i32>) -> bool {
    expand_privileges(a, ty, version) == expand_privileges(b, ty, version)
}

/// The strings of a set, in order.
fn list(set: &BTreeSet<String>) -> Vec<String> {
    set.iter().cloned().collect()
}

impl GrantView {
    /// What the effective-access report reads; `None` while a part of it
    /// is not known.
    fn spec(&self) -> Option<GrantSpec> {
        let names = |v: &Tf<BTreeSet<String>>| match v {
            Tf::Null => Some(Vec::new()),
            Tf::Known(s) => Some(list(s)),
            Tf::Unknown => None,
        };
        Some(GrantSpec {
            role: self.role.as_str()?.to_string(),
            database: self.database.as_str()?.to_string(),
            schema: self.schema.as_str().unwrap_or_default().to_string(),
            object_type: self.object_type.as_str()?.to_string(),
            objects: names(&self.objects)?,
            columns: names(&self.columns)?,
            privileges: list(self.privileges.known()?),
        })
    }
}

/// What each object type asks of `schema`, `objects` and `columns`: rules
/// that depend on the value of `object_type`, so no attribute can declare
/// them.
struct ScopeRules<'a> {
    ty: ObjectKind,
    ty_name: &'a str,
    config: &'a GrantView,
}

impl ScopeRules<'_> {
    fn check_schema(&self, d: &mut Diagnostics) {
        let (ty, ty_name, schema) = (self.ty, self.ty_name, &self.config.schema);
        if ty.in_schema() {
            if schema.is_null() || schema.as_str() == Some("") {
                d.push(
                    Diagnostic::error(
                        "Missing Schema",
                        format!(
                            "object_type {ty_name:?} needs schema: the schema holding the \
                             objects (or, for \"schema\", the schema itself)."
                        ),
                    )
                    .at("schema"),
                );
            }
        } else if is_given(schema) {
            d.push(
                Diagnostic::error(
                    "Unexpected Schema",
                    format!("object_type {ty_name:?} is not in a schema; remove schema."),
                )
                .at("schema"),
            );
        }
    }

    fn check_objects(&self, d: &mut Diagnostics) {
        let (ty, ty_name) = (self.ty, self.ty_name);
        let (objects, columns) = (&self.config.objects, &self.config.columns);
        let object_count = objects.known().map(BTreeSet::len);
        match ty {
            ObjectKind::Database | ObjectKind::Schema if object_count.is_some_and(|n| n > 0) => {
                d.push(
                    Diagnostic::error(
                        "Unexpected Objects",
                        format!(
                            "object_type {ty_name:?} grants on the {} itself; remove objects.",
                            if ty == ObjectKind::Database {
                                "database"
                            } else {
                                "schema"
                            }
                        ),
                    )
                    .at("objects"),
                );
            }
            ObjectKind::ForeignDataWrapper | ObjectKind::ForeignServer
                if objects.is_null() || object_count == Some(0) =>
            {
                d.push(
                    Diagnostic::error(
                        "Missing Objects",
                        format!(
                            "object_type {ty_name:?} needs objects: the names of the foreign \
                             data wrappers or servers."
                        ),
                    )
                    .at("objects"),
                );
            }
            ObjectKind::Column => {
                if objects.is_null() || object_count.is_some_and(|n| n != 1) {
                    d.push(
                        Diagnostic::error(
                            "Exactly One Table Needed",
                            "object_type \"column\" needs objects with exactly one table name, \
                             and the columns in columns.",
                        )
                        .at("objects"),
                    );
                }
                if columns.is_null() || columns.known().is_some_and(BTreeSet::is_empty) {
                    d.push(
                        Diagnostic::error(
                            "Missing Columns",
                            "object_type \"column\" needs columns: the columns to grant on.",
                        )
                        .at("columns"),
                    );
                }
            }
            _ => {}
        }
        if ty != ObjectKind::Column && is_given(columns) {
            d.push(
                Diagnostic::error(
                    "Unexpected Columns",
                    "columns is only used with object_type = \"column\"; remove it or change \
                     object_type.",
                )
                .at("columns"),
            );
        }
        for item in objects.known().into_iter().flatten() {
            let name = if ty.is_routine() {
                split_signature(item).0
            } else {
                item
            };
            if let Some(p) = validators::identifier("Object Name", "objects", name) {
                d.push(Diagnostic::error(p.summary, p.detail).at("objects"));
            }
        }
    }
}

fn ctx(client: &Client, target: &GrantTarget) -> ErrorContext {
    let id = GrantId {
        role: target.role.clone(),
        database: target.database.clone(),
        schema: target.schema.clone(),
        object_type: target.object_type.as_str().to_string(),
        objects: target.objects.clone(),
        columns: target.columns.clone(),
    };
    ErrorContext::new(
        &client.info.current_user,
        format!(
            "grant of {} privileges to {:?} in database {:?}",
            target.object_type.as_str(),
            target.role,
            target.database
        ),
    )
    .needs(
        "ownership of the objects (or membership in their owner), or the privileges WITH GRANT \
         OPTION, or SUPERUSER",
    )
    .importable("postgresql_grant", &id.render())
}

/// Applies `change` to the scope in one transaction on the target database,
/// holding the scope's advisory lock, retrying lost races. With
/// `require_objects`, listed objects that do not exist are an error;
/// otherwise (destroy) they are skipped, and so is a missing grantee.
async fn apply_change(
    client: &Arc<Client>,
    target: &GrantTarget,
    change: &Change,
    require_objects: bool,
) -> DResult<()> {
    let result = client
        .transaction(
            Some(&target.database),
            "changing privileges",
            &(target, change),
            move |tx, &(target, change)| {
                Box::pin(async move {
                    let snapshot =
                        locks::take_then(tx, target.locks(), sql::read_acls_in(tx, target)).await?;
                    if require_objects {
                        check_exists(target, &snapshot).map_err(ChangeError::Diag)?;
                    } else if !snapshot.grantee_exists {
                        return Ok(());
                    }
                    let statements = sql::change_statements(target, &snapshot, change);
                    pipeline::run_pipelined(tx, &statements).await?;
                    Ok(())
                })
            },
        )
        .await;
    match result {
        Ok(()) => Ok(()),
        Err(ChangeError::Diag(d)) => Err(d),
        // Destroying a grant in a dropped database: nothing is left.
        Err(ChangeError::Pg(e)) if !require_objects && e.is_missing_database() => Ok(()),
        Err(ChangeError::Pg(e)) => Err(pg_diag(&e, &ctx(client, target))),
    }
}

/// Errors for a grantee, schema or listed objects that do not exist.
fn check_exists(target: &GrantTarget, snapshot: &sql::AclSnapshot) -> Result<(), Diagnostics> {
    if !snapshot.grantee_exists {
        return Err(Diagnostic::error(
            "Role Not Found",
            format!(
                "Role {:?} does not exist. Create it first (for example with postgresql_role, \
                 referencing its name so Terraform orders the two), or use \"public\" for every role.",
                target.role
            ),
        )
        .at("role")
        .into());
    }
    if !snapshot.container_exists {
        return Err(Diagnostic::error(
            "Schema Not Found",
            format!(
                "Schema {:?} does not exist in database {:?}. Create it first, or check the name \
                 (names are case-sensitive).",
                target.schema, target.database
            ),
        )
        .at("schema")
        .into());
    }
    let missing = target.missing(snapshot);
    if !missing.is_empty() {
        let what = if target.object_type == ObjectKind::Column {
            "columns"
        } else {
            "objects"
        };
        return Err(Diagnostic::error(
            "Objects Not Found",
            format!(
                "These {what} of type {} do not exist in {}: {}. Create them first, or check the \
                 names (case-sensitive; functions as name or name(argument types)).",
                target.object_type.as_str(),
                if target.schema.is_empty() {
                    format!("database {:?}", target.database)
                } else {
                    format!(
                        "schema {:?} of database {:?}",
                        target.schema, target.database
                    )
                },
                missing
                    .iter()
                    .map(|m| format!("{m:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .at(what)
        .into());
    }
    Ok(())
}

/// What the grantee holds over the scope: from the catalog snapshot of the
/// database when it can tell, else read from the server. `None` when the
/// database does not exist.
async fn scope_acls(
    client: &Arc<Client>,
    target: &GrantTarget,
) -> DResult<Option<sql::AclSnapshot>> {
    let ctx = ctx(client, target);
    match client.object_catalog(Some(&target.database)).await {
        Ok(catalog) => {
            let roles = client.role_catalog(None).await.or_diag(&ctx)?;
            let exists = roles.exists(&target.role);
            if let Some(s) = sql::acl_snapshot_from_catalog(target, &catalog, exists) {
                return Ok(Some(s));
            }
        }
        Err(e) if e.is_missing_database() => return Ok(None),
        Err(e) => return Err(pg_diag(&e, &ctx)),
    }
    let conn = match client.pools.get(Some(&target.database)).await {
        Ok(c) => c,
        Err(e) if e.is_missing_database() => return Ok(None),
        Err(e) => return Err(pg_diag(&e, &ctx)),
    };
    sql::read_acls(&**conn, target)
        .await
        .or_diag(&ctx)
        .map(Some)
}

/// The `postgresql_grant` resource.
pub struct GrantResource {
    state: Arc<ProviderState>,
}

impl GrantResource {
    /// A grant resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> GrantResource {
        GrantResource { state }
    }
}

#[async_trait]
impl ResourceType for GrantResource {
    type Model = GrantModel;
    const NAME: &'static str = "postgresql_grant";

    fn description(&self) -> String {
        "Grants privileges on a database, a schema, or objects in a schema to a role, and keeps \
         them granted: privileges missing on any object of the scope (for example a table created \
         after the apply) show as a change, and so do privileges beyond `privileges` held on every \
         object. Objects owned by the role never cause a diff. Use one resource per role, \
         database, schema, object type and objects: two resources granting different privileges \
         on the same objects to the same role would each see the other's privileges as drift.\n\n\
         Parallel applies on the same schema or database are serialized with a \
         transaction-scoped advisory lock, so `-parallelism` needs no tuning.\n\n\
         **Import** with the ID `<role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]]`: \
         parts separated by `/`, list items by `,`, and inside names `%`, `/` and `,` written as \
         `%25`, `%2F` and `%2C`. Leave `schema` empty for database-level types and omit `objects` \
         for \"every object\". Examples: `terraform import postgresql_grant.read \
         'app/mydb/public/table'`, `'app/mydb/public/table/orders,customers'`, \
         `'app/mydb//database'`, `'app/mydb/public/column/orders/id,total'`, \
         `'public/mydb/api/function/f(integer)'`. `privileges` and `with_grant_option` are read \
         from the server."
            .into()
    }

    async fn validate(&self, config: &GrantView) -> Diagnostics {
        let mut d = Diagnostics::new();
        let Some(ty_name) = config.object_type.as_str() else {
            return d;
        };
        let Some(ty) = grant_kind(ty_name) else {
            d.push(
                Diagnostic::error(
                    "Invalid Object Type",
                    format!(
                        "object_type {ty_name:?} is not supported; use one of {}.",
                        type_list()
                    ),
                )
                .at("object_type"),
            );
            return d;
        };
        let ctx = ScopeRules {
            ty,
            ty_name,
            config,
        };
        ctx.check_schema(&mut d);
        ctx.check_objects(&mut d);
        if let Some(privs) = config.privileges.known() {
            let privs: Vec<String> = privs.iter().cloned().collect();
            check_privilege_list(
                &privs,
                &ty.privilege_names(None),
                &format!("object_type {ty_name:?}"),
                &mut d,
            );
        }
        d
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, GrantModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        let client = self.state.client_opt().await;
        let version = client.as_ref().map(|c| c.info.version_num);
        let ty = plan.planned.object_type.as_str().and_then(grant_kind);
        let prior_privileges = plan.prior_of(|p| &p.privileges);

        // The same privileges spelled differently (case, TEMP, ALL) are no change.
        if let (Some(ty), Some(planned), Some(prior)) = (
            ty,
            plan.planned.privileges.known(),
            prior_privileges.known(),
        ) {
            if same_privileges(&list(planned), &list(prior), ty, version) {
                plan.planned.privileges = prior_privileges.clone();
            }
        }
        // Unset and empty mean the same; switching between them is no replacement.
        unset_is_empty(plan, "schema", |v| &v.schema);
        unset_is_empty(plan, "objects", |v| &v.objects);
        unset_is_empty(plan, "columns", |v| &v.columns);
        plan.planned.id = match GrantModel::from_view(&plan.planned) {
            Some(m) => Tf::Known(m.id_text()),
            None => Tf::Unknown,
        };

        if ty == Some(ObjectKind::Table) {
            if let (Some(version), Some(privs)) = (version, plan.planned.privileges.known()) {
                d.0.extend(check_maintain(version, &list(privs)));
            }
        }
        let changed =
            plan.creating() || plan.replaces() || plan.planned.privileges != prior_privileges;
        if changed && !d.has_errors() {
            let prior = plan.prior.as_ref().and_then(GrantView::spec);
            let planned = plan.planned.spec();
            d.0.extend(grant_lint(&self.state, prior.as_ref(), planned.as_ref()).await);
            d.0.extend(grant_report(&self.state, prior.as_ref(), planned.as_ref()).await);
        }
        d
    }

    async fn plan_destroy(&self, prior: &GrantView) -> Diagnostics {
        Diagnostics(
            grant_report(&self.state, prior.spec().as_ref(), None)
                .await
                .into_iter()
                .collect(),
        )
    }

    async fn create(&self, planned: GrantModel, _: GrantModel) -> DResult<GrantModel> {
        let client = self.state.client().await?;
        let target = planned.target()?;
        let version = Some(client.info.version_num);
        let want = planned.wanted(target.object_type, version);
        let with_grant_option = planned.with_grant_option;
        // The scope may already hold privileges granted outside Terraform:
        // after create it holds exactly the configured ones, so anything
        // else the type has is revoked where held (a kept privilege is never
        // revoked), and without with_grant_option so is the grant option.
        let all = expand_privileges(&["ALL"], target.object_type, version);
        let change = Change {
            revoke: all.difference(&want).cloned().collect(),
            grant: want,
            with_grant_option,
            drop_grant_option: !with_grant_option,
        };
        apply_change(&client, &target, &change, true).await?;
        Ok(GrantModel {
            id: Tf::Known(planned.id_text()),
            ..planned
        })
    }

    async fn update(
        &self,
        prior: GrantModel,
        planned: GrantModel,
        _: GrantModel,
    ) -> DResult<GrantModel> {
        let client = self.state.client().await?;
        let target = planned.target()?;
        let version = Some(client.info.version_num);
        let want = planned.wanted(target.object_type, version);
        let had = prior.wanted(target.object_type, version);
        let with_grant_option = planned.with_grant_option;
        let change = Change {
            revoke: had.difference(&want).cloned().collect(),
            grant: want,
            with_grant_option,
            drop_grant_option: prior.with_grant_option && !with_grant_option,
        };
        apply_change(&client, &target, &change, true).await?;
        Ok(GrantModel {
            id: Tf::Known(planned.id_text()),
            ..planned
        })
    }

    async fn delete(&self, prior: GrantModel) -> DResult<()> {
        let client = self.state.client().await?;
        let target = prior.target()?;
        let change = Change {
            grant: BTreeSet::new(),
            revoke: prior.wanted(target.object_type, Some(client.info.version_num)),
            with_grant_option: false,
            drop_grant_option: false,
        };
        apply_change(&client, &target, &change, false).await
    }

    async fn read(&self, current: GrantModel) -> DResult<Option<GrantModel>> {
        let client = self.state.client().await?;
        let target = current.target()?;
        let Some(snapshot) = scope_acls(&client, &target).await? else {
            return Ok(None);
        };
        let whole_object = matches!(
            target.object_type,
            ObjectKind::Database | ObjectKind::Schema
        );
        if !snapshot.grantee_exists
            || !snapshot.container_exists
            || (whole_object && snapshot.objects.is_empty())
        {
            return Ok(None);
        }
        let version = Some(client.info.version_num);
        let held = snapshot.held_everywhere(&target);
        let mut state = current.clone();
        if current.privileges.is_none() {
            // Import: report what the grantee holds everywhere.
            let Some(h) = held.filter(|h| !h.held.is_empty()) else {
                return Ok(None);
            };
            state.with_grant_option = h.grantable == h.held;
            state.privileges = Some(h.held);
        } else if let Some(h) = held {
            // Privileges held without the grant option the configuration
            // asks for (revoked outside Terraform) show as the option
            // missing, so the plan says what changed.
            let actual = if current.with_grant_option && h.grantable != h.held {
                state.with_grant_option = false;
                h.held
            } else if current.with_grant_option {
                h.grantable
            } else {
                h.held
            };
            if current.wanted(target.object_type, version) != actual {
                state.privileges = Some(actual);
            }
        }
        state.id = Tf::Known(state.id_text());
        Ok(Some(state))
    }

    async fn import(&self, id: &str) -> DResult<GrantModel> {
        let parsed = GrantId::parse(id)?;
        let Some(ty) = grant_kind(&parsed.object_type) else {
            return Err(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "object type {:?} in the ID is not one of {}.",
                    parsed.object_type,
                    type_list()
                ),
            )
            .into());
        };
        let opt_set = |v: Vec<String>| (!v.is_empty()).then(|| v.into_iter().collect());
        // privileges stays null: the read that follows fills it.
        Ok(GrantModel {
            id: Tf::Known(parsed.render()),
            schema: (!parsed.schema.is_empty()).then_some(parsed.schema),
            object_type: ty.as_str().to_string(),
            objects: opt_set(parsed.objects),
            columns: opt_set(parsed.columns),
            privileges: None,
            role: parsed.role,
            database: parsed.database,
            ..GrantModel::default()
        })
    }

    const IDENTITY: &'static [&'static str] = &[
        "role",
        "database",
        "schema",
        "object_type",
        "objects",
        "columns",
    ];

    fn import_id(&self, m: &GrantModel) -> Option<String> {
        (!m.role.is_empty() && !m.database.is_empty() && !m.object_type.is_empty())
            .then(|| m.id_text())
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::Schema,
        ListFilter::NamePattern("the grantee's name (`role`)"),
    ];

    /// The privileges granted on the database, its schemas, tables,
    /// sequences, functions, procedures, foreign-data wrappers and foreign
    /// servers, one resource per grantee, object type, schema and set of
    /// privileges, listing the objects that share them. Left out: what
    /// owners hold implicitly, PostgreSQL's built-in defaults (such as
    /// EXECUTE for PUBLIC on functions) and the initial privileges of
    /// `initdb` and extensions, objects in system schemas, and column
    /// grants.
    async fn list(&self, query: ListQuery) -> DResult<Vec<GrantModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let ctx = ErrorContext::new(
            &client.info.current_user,
            format!("the privileges in database {database:?}"),
        );
        let catalog = client.object_catalog(Some(&database)).await.or_diag(&ctx)?;
        let roles = client.role_catalog(None).await.or_diag(&ctx)?;
        type Key = (String, ObjectKind, String, Vec<String>, bool);
        let mut groups: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
        for o in catalog.objects() {
            let (ty, schema, name) = match o.kind {
                ObjectKind::Database => (o.kind, "", None),
                ObjectKind::Schema if is_system_schema(&o.name) => continue,
                ObjectKind::Schema => (o.kind, o.name.as_str(), None),
                ObjectKind::Table
                | ObjectKind::Sequence
                | ObjectKind::ForeignDataWrapper
                | ObjectKind::ForeignServer => (o.kind, o.schema.as_str(), Some(o.name.clone())),
                ObjectKind::Function | ObjectKind::Procedure => (
                    o.kind,
                    o.schema.as_str(),
                    Some(format!(
                        "{}({})",
                        o.name,
                        o.arg_types.as_deref().unwrap_or_default()
                    )),
                ),
                // The object catalog holds no other kind.
                _ => continue,
            };
            if query.schema.is_some() && (!ty.in_schema() || !query.schema_matches(schema)) {
                continue;
            }
            let mut grantees: Vec<&str> = o.acl.iter().map(|e| e.grantee.as_str()).collect();
            grantees.sort_unstable();
            grantees.dedup();
            for grantee in grantees {
                if grantee == o.owner
                    || !query.name_matches(grantee)
                    || (grantee != PUBLIC && !roles.exists(grantee))
                    || o.entries_of(grantee).all(|e| e.builtin)
                {
                    continue;
                }
                let held: BTreeSet<String> =
                    o.entries_of(grantee).map(|e| e.privilege.clone()).collect();
                let grantable: BTreeSet<String> = o
                    .entries_of(grantee)
                    .filter(|e| e.grantable)
                    .map(|e| e.privilege.clone())
                    .collect();
                let all_grantable = grantable == held;
                let key = (
                    grantee.to_string(),
                    ty,
                    schema.to_string(),
                    held.into_iter().collect(),
                    all_grantable,
                );
                groups.entry(key).or_default().extend(name.clone());
            }
        }
        Ok(groups
            .into_iter()
            .map(|((role, ty, schema, held, all_grantable), objects)| {
                let m = GrantModel {
                    id: Tf::Null,
                    role,
                    database: database.clone(),
                    schema: ty.in_schema().then_some(schema),
                    object_type: ty.as_str().to_string(),
                    objects: (!objects.is_empty()).then_some(objects),
                    columns: None,
                    privileges: Some(held.into_iter().collect()),
                    with_grant_option: all_grantable,
                };
                GrantModel {
                    id: Tf::Known(m.id_text()),
                    ..m
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_lists_are_checked() {
        let mut d = Diagnostics::new();
        check_privilege_list(
            &["select".into(), "usage".into()],
            &ObjectKind::Table.privilege_names(None),
            "table",
            &mut d,
        );
        assert_eq!(d.0.len(), 1);
        assert!(d.0[0].detail.contains("usage"));
        let mut d = Diagnostics::new();
        check_privilege_list(
            &["ALL".into(), "SELECT".into()],
            &["SELECT"],
            "table",
            &mut d,
        );
        assert_eq!(d.0[0].summary, "ALL Combined With Other Privileges");
        let mut d = Diagnostics::new();
        check_privilege_list(
            &["temp".into()],
            &ObjectKind::Database.privilege_names(None),
            "db",
            &mut d,
        );
        assert!(d.is_empty());
    }

    #[test]
    fn all_equals_its_expansion() {
        let all = vec!["ALL".to_string()];
        let listed: Vec<String> = ObjectKind::Table
            .privilege_names(Some(150_000))
            .iter()
            .map(|s| s.to_lowercase())
            .collect();
        assert!(same_privileges(
            &all,
            &listed,
            ObjectKind::Table,
            Some(150_000)
        ));
        assert!(!same_privileges(
            &all,
            &listed,
            ObjectKind::Table,
            Some(170_000)
        ));
    }
}
