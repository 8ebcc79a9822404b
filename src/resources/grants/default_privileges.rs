//! `postgresql_default_privileges`: the privileges a role gets on objects
//! that `owner` creates later (`ALTER DEFAULT PRIVILEGES FOR ROLE owner`),
//! database-wide or in one schema, with the reference provider's attribute
//! names.
//!
//! Unlike the reference provider, a change of `privileges` or
//! `with_grant_option` is applied in place by difference (no revoke-all
//! window), the resource can be imported, and drift is read from
//! `pg_default_acl` in one query.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::default_acl::builtin_default;
use crate::pg::citus;
use crate::pg::conn::{locks, pipeline};
use crate::pg::grants::default_privileges::{
    self as sql, default_kind, DefaultTarget, DEFAULT_KINDS,
};
use crate::pg::grants::grant::PUBLIC;
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
use crate::resources::review::access_plans::{default_privileges_report, DefaultSpec};
use crate::resources::review::codes::Code;
use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext, OrDiag};
use crate::resources::support::import_id::DefaultPrivilegesId;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_default_privileges` as Terraform holds it.
    pub struct DefaultPrivilegesModel {
        id: Tf<String> = computed(
            "Identifies the default privileges; the same text imports them (see the resource \
             description).",
        )
        .stable(),
        role: String = required(
            "Role receiving the privileges on future objects, or `public` for every role.",
        )
        .replaces()
        .each(validators::role_name),
        database: String = required(
            "Database the defaults apply in. The provider connects to it.",
        )
        .replaces()
        .each(validators::database_name),
        owner: String = required(
            "Role whose future objects get the privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE \
             owner`): the role that will create the tables, usually the migration user. The \
             provider's user must be a member of it or a superuser.",
        )
        .replaces()
        .each(validators::role_name),
        schema: Option<String> = optional(
            "Schema the defaults apply in; unset means the whole database. Must be unset for \
             `object_type = \"schema\"`. Per-schema defaults add to the database-wide ones; they \
             cannot take away privileges granted database-wide.",
        )
        .replaces()
        .each(validators::schema_name_or_empty),
        object_type: String = required(
            "Kind of future object: `table`, `sequence`, `function`, `routine` (the same defaults \
             as `function`), `type` or `schema`.",
        )
        .replaces()
        .each(object_type_name),
        privileges: Option<BTreeSet<String>> = required(
            "Privileges objects created later get, or `[\"ALL\"]`. Changed in place by \
             difference: kept privileges are never revoked. Allowed: table `SELECT`, `INSERT`, \
             `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, `MAINTAIN` (PostgreSQL \
             17+); sequence `USAGE`, `SELECT`, `UPDATE`; function and routine `EXECUTE`; type \
             `USAGE`; schema `USAGE`, `CREATE`.",
        ),
        with_grant_option: bool = optional(
            "Whether `role` may grant the privileges on those objects to others. Changed in place.",
        )
        .default(false),
    }
    view DefaultPrivilegesView;
}

/// The strings of a set, in order.
fn list(set: &BTreeSet<String>) -> Vec<String> {
    set.iter().cloned().collect()
}

impl DefaultPrivilegesView {
    /// What the effective-access report reads; `None` while a part of it
    /// is not known.
    fn spec(&self) -> Option<DefaultSpec> {
        Some(DefaultSpec {
            role: self.role.as_str()?.to_string(),
            database: self.database.as_str()?.to_string(),
            owner: self.owner.as_str()?.to_string(),
            schema: self.schema.as_str().map(str::to_string),
            object_type: self.object_type.as_str()?.to_string(),
            privileges: list(self.privileges.known()?),
        })
    }
}

impl DefaultPrivilegesModel {
    /// The ID; see [`DefaultPrivilegesId`].
    fn id_text(&self) -> String {
        DefaultPrivilegesId {
            role: self.role.clone(),
            database: self.database.clone(),
            schema: self.schema.clone().unwrap_or_default(),
            owner: self.owner.clone(),
            object_type: self.object_type.clone(),
        }
        .render()
    }

    fn target(&self) -> DResult<DefaultTarget> {
        let object_type = default_kind(&self.object_type).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Object Type",
                format!(
                    "object_type {:?} is not supported; use one of {}.",
                    self.object_type,
                    type_list()
                ),
            ))
        })?;
        Ok(DefaultTarget {
            role: self.role.clone(),
            owner: self.owner.clone(),
            schema: self.schema.clone().unwrap_or_default(),
            object_type,
        })
    }

    /// The privileges asked for, canonical and with `ALL` expanded.
    fn wanted(&self, ty: ObjectKind, version: Option<i32>) -> BTreeSet<String> {
        let privileges: Vec<String> = self.privileges.iter().flatten().cloned().collect();
        expand_privileges(&privileges, ty, version)
    }
}

fn object_type_name(_attr: &str, name: &str) -> Option<Problem> {
    validators::object_type_problem(name, DEFAULT_KINDS.iter().map(|k| k.as_str()))
}

fn type_list() -> String {
    DEFAULT_KINDS
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn ctx(client: &Client, m: &DefaultPrivilegesModel) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!(
            "default privileges of {:?} on {} created by {:?}",
            m.role, m.object_type, m.owner
        ),
    )
    .needs(format!(
        "membership in role {:?} (ALTER DEFAULT PRIVILEGES FOR ROLE needs it), or SUPERUSER",
        m.owner
    ))
    .importable("postgresql_default_privileges", &m.id_text())
}

/// Moves the default ACL entry to `want` in one locked transaction.
async fn apply(
    client: &Arc<Client>,
    model: &DefaultPrivilegesModel,
    target: &DefaultTarget,
    want: &BTreeSet<String>,
    with_grant_option: bool,
    destroying: bool,
) -> DResult<()> {
    let database = model.database.as_str();
    let result = client
        .transaction(
            Some(database),
            "changing default privileges",
            &(database, target, want),
            move |tx, &(database, target, want)| {
                Box::pin(async move {
                    let current = locks::take_then(
                        tx,
                        vec![target.lock()],
                        sql::read_default_acl(tx, target),
                    )
                    .await?;
                    if destroying
                        && !(current.grantee_exists
                            && current.owner_exists
                            && current.schema_exists)
                    {
                        return Ok(());
                    }
                    check_exists(database, target, &current).map_err(ChangeError::Diag)?;
                    let statements = target.change_statements(&current, want, with_grant_option);
                    pipeline::run_pipelined(tx, &statements).await?;
                    Ok(())
                })
            },
        )
        .await;
    match result {
        Ok(()) => Ok(()),
        Err(ChangeError::Diag(d)) => Err(d),
        Err(ChangeError::Pg(e)) if destroying && e.is_missing_database() => Ok(()),
        Err(ChangeError::Pg(e)) => Err(pg_diag(&e, &ctx(client, model))),
    }
}

fn check_exists(
    database: &str,
    t: &DefaultTarget,
    current: &sql::DefaultAcl,
) -> Result<(), Diagnostics> {
    let missing = |attr: &str, what: String| -> Diagnostics {
        Diagnostic::error(
            format!(
                "{} Not Found",
                if attr == "schema" { "Schema" } else { "Role" }
            ),
            format!("{what} does not exist. Create it first, or check the name (names are case-sensitive)."),
        )
        .at(attr)
        .into()
    };
    if !current.grantee_exists {
        return Err(missing("role", format!("Role {:?}", t.role)));
    }
    if !current.owner_exists {
        return Err(missing("owner", format!("Role {:?}", t.owner)));
    }
    if !current.schema_exists {
        return Err(missing(
            "schema",
            format!("Schema {:?} in database {database:?}", t.schema),
        ));
    }
    Ok(())
}

/// The `postgresql_default_privileges` resource.
pub struct DefaultPrivilegesResource {
    state: Arc<ProviderState>,
}

impl DefaultPrivilegesResource {
    /// A default-privileges resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> DefaultPrivilegesResource {
        DefaultPrivilegesResource { state }
    }
}

impl DefaultPrivilegesResource {
    /// Citus keeps default privileges on the coordinator (verified with
    /// 13.2): they reach the shards of tables created there and distributed
    /// afterwards, and nothing created on a worker directly.
    async fn citus_warning(&self, database: Option<&str>) -> Option<Diagnostic> {
        let client = self.state.client_opt().await?;
        let conn = client.pools.get(database).await.ok()?;
        if !citus::installed(&**conn).await.ok()? {
            return None;
        }
        Some(
            Code::CitusDefaultPrivileges.warning(
                "Default Privileges Stay On The Citus Coordinator",
                "This database runs Citus, which does not propagate ALTER DEFAULT PRIVILEGES to \
                 its workers. The privileges reach every shard of a table created on the \
                 coordinator and then distributed (Citus copies the table's ACL), but not objects \
                 created on a worker directly. Create objects through the coordinator, or grant \
                 on them with postgresql_grant.",
            )
            .at("database"),
        )
    }
}

#[async_trait]
impl ResourceType for DefaultPrivilegesResource {
    type Model = DefaultPrivilegesModel;
    const NAME: &'static str = "postgresql_default_privileges";

    fn description(&self) -> String {
        "Sets the privileges a role gets on objects another role (`owner`) creates later, with \
         `ALTER DEFAULT PRIVILEGES FOR ROLE owner [IN SCHEMA schema] GRANT ...`. Existing objects \
         are not affected; grant on them with `postgresql_grant`. A change made outside Terraform \
         shows as a diff (read from `pg_default_acl`). When no database-wide entry exists, \
         PostgreSQL's built-in defaults apply (for example EXECUTE on functions for PUBLIC), and \
         they are what is read.\n\n\
         **Import** with the ID `<role>/<database>/<schema>/<owner>/<object_type>`, `schema` empty \
         for database-wide defaults, and `%`, `/` and `,` inside names written `%25`, `%2F` and \
         `%2C`: `terraform import postgresql_default_privileges.read \
         'reader/mydb/public/app_owner/table'` or `'reader/mydb//app_owner/sequence'`. \
         `privileges` and `with_grant_option` are read from the server."
            .into()
    }

    async fn validate(&self, config: &DefaultPrivilegesView) -> Diagnostics {
        let mut d = Diagnostics::new();
        let Some(ty_name) = config.object_type.as_str() else {
            return d;
        };
        let Some(ty) = default_kind(ty_name) else {
            return d;
        };
        if ty == ObjectKind::Schema && is_given(&config.schema) {
            d.push(
                Diagnostic::error(
                    "Schema Not Allowed For Schemas",
                    "Default privileges on schemas are database-wide (PostgreSQL has no IN SCHEMA \
                     form for them); remove schema.",
                )
                .at("schema"),
            );
        }
        if let Some(privs) = config.privileges.known() {
            check_privilege_list(
                &list(privs),
                &ty.privilege_names(None),
                &format!("object_type {ty_name:?}"),
                &mut d,
            );
        }
        d
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, DefaultPrivilegesModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        let version = self.state.client_opt().await.map(|c| c.info.version_num);
        let ty = plan.planned.object_type.as_str().and_then(default_kind);
        let prior_privileges = plan.prior_of(|p| &p.privileges);
        if let (Some(ty), Some(planned), Some(prior)) = (
            ty,
            plan.planned.privileges.known(),
            prior_privileges.known(),
        ) {
            if expand_privileges(&list(planned), ty, version)
                == expand_privileges(&list(prior), ty, version)
            {
                plan.planned.privileges = prior_privileges.clone();
            }
        }
        unset_is_empty(plan, "schema", |v| &v.schema);
        plan.planned.id = DefaultPrivilegesModel::from_view(&plan.planned)
            .map_or(Tf::Unknown, |m| Tf::Known(m.id_text()));
        if ty == Some(ObjectKind::Table) {
            if let (Some(version), Some(privs)) = (version, plan.planned.privileges.known()) {
                d.0.extend(check_maintain(version, &list(privs)));
            }
        }
        if plan.creating() {
            if let Some(w) = self.citus_warning(plan.planned.database.as_str()).await {
                d.push(w);
            }
        }
        let changed =
            plan.creating() || plan.replaces() || plan.planned.privileges != prior_privileges;
        if changed && !d.has_errors() {
            let prior = plan.prior.as_ref().and_then(DefaultPrivilegesView::spec);
            let planned = plan.planned.spec();
            d.0.extend(
                default_privileges_report(&self.state, prior.as_ref(), planned.as_ref()).await,
            );
        }
        d
    }

    async fn plan_destroy(&self, prior: &DefaultPrivilegesView) -> Diagnostics {
        Diagnostics(
            default_privileges_report(&self.state, prior.spec().as_ref(), None)
                .await
                .into_iter()
                .collect(),
        )
    }

    async fn create(
        &self,
        planned: DefaultPrivilegesModel,
        _: DefaultPrivilegesModel,
    ) -> DResult<DefaultPrivilegesModel> {
        let client = self.state.client().await?;
        let target = planned.target()?;
        let want = planned.wanted(target.object_type, Some(client.info.version_num));
        apply(
            &client,
            &planned,
            &target,
            &want,
            planned.with_grant_option,
            false,
        )
        .await?;
        Ok(DefaultPrivilegesModel {
            id: Tf::Known(planned.id_text()),
            ..planned
        })
    }

    async fn update(
        &self,
        _prior: DefaultPrivilegesModel,
        planned: DefaultPrivilegesModel,
        config: DefaultPrivilegesModel,
    ) -> DResult<DefaultPrivilegesModel> {
        self.create(planned, config).await
    }

    async fn delete(&self, prior: DefaultPrivilegesModel) -> DResult<()> {
        let client = self.state.client().await?;
        let target = prior.target()?;
        apply(&client, &prior, &target, &BTreeSet::new(), false, true).await
    }

    async fn read(
        &self,
        current: DefaultPrivilegesModel,
    ) -> DResult<Option<DefaultPrivilegesModel>> {
        let client = self.state.client().await?;
        let target = current.target()?;
        let ctx = ctx(&client, &current);
        let catalog = match client.default_acl_catalog(Some(&current.database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(pg_diag(&e, &ctx)),
        };
        let roles = client.role_catalog(None).await.or_diag(&ctx)?;
        let version = client.info.version_num;
        let acl = sql::default_acl_from_catalog(
            &target,
            &catalog,
            version,
            roles.exists(&target.role),
            roles.exists(&target.owner),
        );
        if !(acl.grantee_exists && acl.owner_exists && acl.schema_exists) {
            return Ok(None);
        }
        let mut state = current.clone();
        if current.privileges.is_none() {
            // Import: what the entry grants now.
            if acl.held.is_empty() {
                return Ok(None);
            }
            state.with_grant_option = acl.grantable == acl.held;
            state.privileges = Some(acl.held);
        } else {
            // Privileges held without the grant option the configuration
            // asks for (revoked outside Terraform) show as the option
            // missing, so the plan says what changed.
            let actual = if current.with_grant_option && acl.grantable != acl.held {
                state.with_grant_option = false;
                acl.held
            } else if current.with_grant_option {
                acl.grantable
            } else {
                acl.held
            };
            if current.wanted(target.object_type, Some(version)) != actual {
                state.privileges = Some(actual);
            }
        }
        state.id = Tf::Known(state.id_text());
        Ok(Some(state))
    }

    async fn import(&self, id: &str) -> DResult<DefaultPrivilegesModel> {
        let DefaultPrivilegesId {
            role,
            database,
            schema,
            owner,
            object_type,
        } = DefaultPrivilegesId::parse(id)?;
        if default_kind(&object_type).is_none() {
            return Err(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "object type {object_type:?} in the ID is not one of {}.",
                    type_list()
                ),
            )
            .into());
        }
        // privileges stays null: the read that follows fills it.
        let model = DefaultPrivilegesModel {
            role,
            database,
            schema: (!schema.is_empty()).then_some(schema),
            owner,
            object_type,
            privileges: None,
            ..DefaultPrivilegesModel::default()
        };
        Ok(DefaultPrivilegesModel {
            id: Tf::Known(model.id_text()),
            ..model
        })
    }

    const IDENTITY: &'static [&'static str] =
        &["role", "database", "schema", "owner", "object_type"];

    fn import_id(&self, m: &DefaultPrivilegesModel) -> Option<String> {
        (!m.role.is_empty() && !m.database.is_empty() && !m.owner.is_empty()).then(|| m.id_text())
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::Schema,
        ListFilter::NamePattern("the grantee's name (`role`)"),
    ];

    /// Every grantee of every `pg_default_acl` entry, one resource each.
    /// Left out: the owner's own privileges and PUBLIC's built-in ones
    /// (EXECUTE on functions, USAGE on types) in database-wide entries,
    /// which PostgreSQL puts there itself.
    async fn list(&self, query: ListQuery) -> DResult<Vec<DefaultPrivilegesModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let err_ctx = ErrorContext::new(
            &client.info.current_user,
            format!("the default privileges in database {database:?}"),
        );
        let catalog = client
            .default_acl_catalog(Some(&database))
            .await
            .or_diag(&err_ctx)?;
        let roles = client.role_catalog(None).await.or_diag(&err_ctx)?;
        let version = client.info.version_num;
        let mut out = Vec::new();
        for (key, entries) in catalog.iter() {
            let Some(ty) = ObjectKind::from_defacl_code(&key.objtype) else {
                continue;
            };
            if query.schema.is_some()
                && (key.schema.is_empty() || !query.schema_matches(&key.schema))
            {
                continue;
            }
            let builtin = builtin_default(ty, &key.owner, version);
            let mut grantees: Vec<&str> = entries.iter().map(|e| e.grantee.as_str()).collect();
            grantees.sort_unstable();
            grantees.dedup();
            for grantee in grantees {
                let mine = || entries.iter().filter(move |e| e.grantee == grantee);
                let held: BTreeSet<String> = mine().map(|e| e.privilege.clone()).collect();
                let grantable: BTreeSet<String> = mine()
                    .filter(|e| e.grantable)
                    .map(|e| e.privilege.clone())
                    .collect();
                let is_builtin = key.schema.is_empty()
                    && grantable.is_empty()
                    && held
                        == builtin
                            .iter()
                            .filter(|e| e.grantee == grantee)
                            .map(|e| e.privilege.clone())
                            .collect::<BTreeSet<_>>();
                if grantee == key.owner
                    || is_builtin
                    || held.is_empty()
                    || !query.name_matches(grantee)
                    || (grantee != PUBLIC && !roles.exists(grantee))
                {
                    continue;
                }
                let m = DefaultPrivilegesModel {
                    id: Tf::Null,
                    role: grantee.to_string(),
                    database: database.clone(),
                    owner: key.owner.clone(),
                    schema: (!key.schema.is_empty()).then(|| key.schema.clone()),
                    object_type: ty.as_str().to_string(),
                    with_grant_option: grantable == held,
                    privileges: Some(held),
                };
                out.push(DefaultPrivilegesModel {
                    id: Tf::Known(m.id_text()),
                    ..m
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let model = DefaultPrivilegesModel {
            role: "a/b".into(),
            database: "db".into(),
            owner: "o,w%".into(),
            object_type: "table".into(),
            ..DefaultPrivilegesModel::default()
        };
        let id = model.id_text();
        assert_eq!(id, "a%2Fb/db//o%2Cw%25/table");
        let parsed = DefaultPrivilegesId::parse(&id).unwrap();
        assert_eq!((parsed.role, parsed.owner), ("a/b".into(), "o,w%".into()));
    }
}
