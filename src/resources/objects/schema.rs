//! `postgresql_schema`: a schema, with the reference provider's attribute
//! names, defaults and import ID (`database.schema`), including its
//! deprecated `policy` blocks, which grant CREATE and USAGE on the schema.
//!
//! Every change is one transaction in the schema's database. The `policy`
//! blocks are managed strictly: a removed block revokes what it granted,
//! and privileges revoked outside Terraform from a role a block names show
//! as drift. Privileges granted to roles no block names are left alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::locks::{self, Lock};
use crate::pg::error::PgError;
use crate::pg::objects::schema::{self as sql, Level, SchemaPrivileges, SchemaRow};
use crate::protocol::model::{computed, optional, required, set_block, SetBlocks};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    AttrPath, DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, Problem, ResourceType,
    Tf, Value, Viewed,
};

use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext};
use crate::resources::support::import_id::SchemaId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// One `policy` block of a `postgresql_schema`.
    pub struct SchemaPolicyModel {
        role: String = optional(
            "Role the privileges are granted to; `\"\"` (the default) means PUBLIC. Several \
             blocks for one role add up.",
        )
        .default("")
        .each(policy_role),
        create: bool = optional("Grant CREATE on the schema.").default(false),
        create_with_grant: bool = optional(
            "Grant CREATE with GRANT OPTION (implies `create`). Not for PUBLIC.",
        )
        .default(false),
        usage: bool = optional("Grant USAGE on the schema.").default(false),
        usage_with_grant: bool = optional(
            "Grant USAGE with GRANT OPTION (implies `usage`). Not for PUBLIC.",
        )
        .default(false),
    }
    view SchemaPolicyView;
}

model! {
    /// A `postgresql_schema` as Terraform holds it.
    pub struct SchemaModel {
        id: Tf<String> = computed(
            "`database.schema`; a part that is empty or contains `.` or `\"` is written in \
             double quotes with `\"` doubled.",
        )
        .stable(),
        name: String = required(
            "Name of the schema. Changing it renames the schema in place (`ALTER SCHEMA ... \
             RENAME TO`).",
        )
        .each(validators::schema_name),
        database: Tf<String> = optional(
            "Database holding the schema. Defaults to the provider's database.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
        owner: Tf<String> = optional(
            "Role that owns the schema. Defaults to the provider's role. Changed in place. When \
             unset, an owner changed outside Terraform is kept.",
        )
        .and_computed()
        .stable()
        .each(validators::role_name),
        if_not_exists: bool = optional(
            "When the schema already exists, take it over (changing its owner to `owner` when \
             set) instead of failing.",
        )
        .default(true),
        drop_cascade: bool = optional(
            "When destroyed, drop the objects in the schema with it (`DROP SCHEMA ... \
             CASCADE`). Otherwise a schema that still holds objects is not dropped.",
        )
        .default(false),
    }
    blocks {
        policy: SetBlocks<SchemaPolicyModel> = set_block(
            "Privileges on the schema. **Deprecated:** use `postgresql_grant` with `object_type \
             = \"schema\"`. Removing a block revokes what it granted.",
        ),
    }
    view SchemaView;
}

const POLICY_DEPRECATION: &str = "The policy blocks of postgresql_schema are deprecated, as in the \
     reference provider. Use postgresql_grant with object_type = \"schema\" instead (one per role), \
     and remove these blocks in the same change: the grant then keeps the privileges.";

fn policy_role(attr: &str, role: &str) -> Option<Problem> {
    if role.is_empty() {
        return None; // PUBLIC
    }
    validators::role_name(attr, role)
}

impl SchemaPolicyView {
    /// A block asking for a grant option for PUBLIC, which PostgreSQL
    /// refuses: the problem, at each `_with_grant` attribute the block sets.
    fn grant_option_for_public(&self) -> Vec<(&'static str, Problem)> {
        let public = match &self.role {
            Tf::Null => true,
            Tf::Known(r) => r.is_empty(),
            Tf::Unknown => false,
        };
        let with_grant = [
            ("create_with_grant", &self.create_with_grant),
            ("usage_with_grant", &self.usage_with_grant),
        ];
        let wanted = with_grant.iter().any(|(_, v)| v.known() == Some(&true));
        if !(public && wanted) {
            return Vec::new();
        }
        with_grant
            .iter()
            .filter(|(_, v)| v.known().is_some())
            .map(|(attr, _)| {
                let p = Problem::new(
                    "Grant Option For PUBLIC",
                    "PostgreSQL grants the grant option only to roles, not to PUBLIC (role = \
                     \"\"). Name a role, or use create and usage without _with_grant.",
                );
                (*attr, p)
            })
            .collect()
    }
}

impl SchemaPolicyModel {
    fn privileges(&self) -> SchemaPrivileges {
        SchemaPrivileges {
            create: Level::of(self.create, self.create_with_grant),
            usage: Level::of(self.usage, self.usage_with_grant),
        }
    }

    fn from_privileges(role: &str, p: SchemaPrivileges) -> SchemaPolicyModel {
        SchemaPolicyModel {
            role: role.to_string(),
            create: p.create == Level::Granted,
            create_with_grant: p.create == Level::WithGrantOption,
            usage: p.usage == Level::Granted,
            usage_with_grant: p.usage == Level::WithGrantOption,
        }
    }
}

/// The privileges the blocks ask for, per role: blocks for one role add up.
fn wanted(policies: &SetBlocks<SchemaPolicyModel>) -> BTreeMap<String, SchemaPrivileges> {
    let mut out: BTreeMap<String, SchemaPrivileges> = BTreeMap::new();
    for p in &policies.0 {
        let e = out.entry(p.role.clone()).or_default();
        *e = e.union(&p.privileges());
    }
    out
}

/// The statements taking the roles from what `from` asks to what `to` asks.
/// Roles `to` no longer names are skipped when `gone` says they were
/// dropped meanwhile (their privileges went with them).
fn policy_statements(
    schema: &str,
    owner: &str,
    from: &BTreeMap<String, SchemaPrivileges>,
    to: &BTreeMap<String, SchemaPrivileges>,
    gone: &[String],
) -> Vec<Statement> {
    let mut out = Vec::new();
    let roles = from
        .keys()
        .chain(to.keys().filter(|r| !from.contains_key(*r)));
    for role in roles {
        let before = from.get(role).copied().unwrap_or_default();
        let after = to.get(role).copied().unwrap_or_default();
        if !to.contains_key(role) && gone.contains(role) {
            continue;
        }
        // The owner holds everything implicitly; taking its grant option
        // away is not what a block for it means.
        if role == owner && !to.contains_key(role) {
            continue;
        }
        out.extend(sql::change_privileges(schema, role, before, after));
    }
    out
}

/// The import ID of schema `name` in `database` (`None`: the provider's).
fn schema_id(database: Option<&str>, name: &str) -> String {
    SchemaId {
        database: database.map(str::to_string),
        name: name.to_string(),
    }
    .render()
}

impl SchemaModel {
    fn with_id(self) -> SchemaModel {
        let id = match (self.database.known(), &self.name) {
            (Some(db), name) => Tf::Known(schema_id(Some(db), name)),
            (None, _) => self.id,
        };
        SchemaModel { id, ..self }
    }

    /// Takes the owner from the catalog, and the `policy` blocks too where
    /// the roles they name hold something else than they ask for (the
    /// owner, who holds everything, only when it holds less).
    fn with_row(self, row: &SchemaRow) -> SchemaModel {
        let asked = wanted(&self.policy);
        let mut policy = Vec::new();
        for (role, want) in &asked {
            let has = row.privileges_of(role);
            let matches = has == *want || (*role == row.owner && has.covers(want));
            if matches {
                policy.extend(self.policy.0.iter().filter(|p| p.role == *role).cloned());
            } else if !has.is_none() {
                policy.push(SchemaPolicyModel::from_privileges(role, has));
            }
        }
        SchemaModel {
            owner: Tf::Known(row.owner.clone()),
            policy: SetBlocks(policy),
            ..self
        }
        .with_id()
    }
}

fn ctx(client: &Client, database: &str, name: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("schema {name:?} in database {database:?}"),
    )
    .needs(
        "CREATE on the database, and the right to act as the schema's owner (membership in it; \
         the provider grants itself that membership inside the change when it has ADMIN OPTION \
         on the owner, or CREATEROLE before PostgreSQL 16)",
    )
    .importable("postgresql_schema", &schema_id(Some(database), name))
}

/// The diagnostic for a failed change; a schema that still holds objects
/// gets advice of its own.
fn schema_diag(e: &PgError, ctx: &ErrorContext) -> Diagnostics {
    if e.is_dependent_objects_still_exist() {
        return Diagnostic::error(
            "Schema Not Empty",
            format!(
                "{}\n\nThe {} still holds objects, so it was not dropped. Set drop_cascade = \
                 true to drop them with it, or move or drop them first.",
                e.db_message().unwrap_or_else(|| e.to_string()),
                ctx.object
            ),
        )
        .into();
    }
    pg_diag(e, ctx)
}

fn change_result(r: Result<(), ChangeError>, ctx: &ErrorContext) -> DResult<()> {
    match r {
        Ok(()) => Ok(()),
        Err(ChangeError::Diag(d)) => Err(d),
        Err(ChangeError::Pg(e)) => Err(schema_diag(&e, ctx)),
    }
}

/// The `postgresql_schema` resource.
pub struct SchemaResource {
    state: Arc<ProviderState>,
}

impl SchemaResource {
    /// A schema resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> SchemaResource {
        SchemaResource { state }
    }

    /// Reads the schema in `current` (its database resolved) into it. A
    /// refresh reads it from the database's catalog snapshot, so refreshing
    /// many schemas costs one query; right after a change (`fresh`) it is
    /// read alone instead, rather than reloading the whole snapshot for it.
    async fn read_into(
        &self,
        client: &Client,
        current: SchemaModel,
        fresh: bool,
    ) -> DResult<Option<SchemaModel>> {
        let database = current
            .database
            .known()
            .cloned()
            .unwrap_or_else(|| client.pools.settings().database.clone());
        let ctx = ctx(client, &database, &current.name);
        let row = if fresh {
            let conn = match client.pools.get(Some(&database)).await {
                Ok(c) => c,
                Err(e) if e.is_missing_database() => return Ok(None),
                Err(e) => return Err(pg_diag(&e, &ctx)),
            };
            sql::read_schema(&**conn, &current.name)
                .await
                .map_err(|e| pg_diag(&e, &ctx))?
        } else {
            let catalog = match client.object_catalog(Some(&database)).await {
                Ok(c) => c,
                Err(e) if e.is_missing_database() => return Ok(None),
                Err(e) => return Err(pg_diag(&e, &ctx)),
            };
            catalog.schema(&current.name).map(SchemaRow::from_catalog)
        };
        Ok(row.map(|r| {
            SchemaModel {
                database: Tf::Known(database),
                ..current
            }
            .with_row(&r)
        }))
    }
}

#[async_trait]
impl ResourceType for SchemaResource {
    type Model = SchemaModel;
    const NAME: &'static str = "postgresql_schema";
    const VERSION: i64 = 1;

    fn description(&self) -> String {
        "Manages a schema. Renaming it and changing its owner happen in place; moving it to \
         another database replaces it. Destroying it drops it, refusing while it holds objects \
         unless `drop_cascade` is set.\n\n\
         The `policy` blocks are deprecated (use `postgresql_grant` with `object_type = \
         \"schema\"`), but still managed: each grants CREATE and USAGE on the schema to a role \
         or PUBLIC, removing one revokes what it granted, and a privilege revoked outside \
         Terraform shows as a change.\n\n\
         Import with `database.schema` (or just `schema`, in the provider's database); put a \
         name containing `.` or `\"` in double quotes, doubling embedded `\"`: `terraform \
         import postgresql_schema.example 'mydb.app'`."
            .into()
    }

    async fn validate(&self, config: &SchemaView) -> Diagnostics {
        let mut d = Diagnostics::new();
        let Some(items) = config.policy.known() else {
            return d;
        };
        if items.is_empty() {
            return d;
        }
        d.push(Diagnostic::warning("Deprecated Attribute", POLICY_DEPRECATION).at("policy"));
        for item in items {
            for (attr, p) in item.grant_option_for_public() {
                let at = AttrPath::attr("policy").then_attr(attr);
                d.push(Diagnostic::error(p.summary, p.detail).at_path(&at));
            }
        }
        // Blocks that differ only in what they leave at its default are one
        // block to Terraform once planned, which it would refuse.
        let known: Vec<SchemaPolicyModel> = items
            .iter()
            .filter_map(SchemaPolicyModel::from_view)
            .collect();
        for (i, a) in known.iter().enumerate() {
            if known[..i].contains(a) {
                d.push(
                    Diagnostic::error(
                        "Duplicate Policy Block",
                        format!(
                            "Two policy blocks for role {:?} ask for the same privileges. Remove \
                             one of them.",
                            a.role
                        ),
                    )
                    .at("policy"),
                );
                break;
            }
        }
        d
    }

    /// Version 0 is the reference provider's (SDKv2) layout: `""` for
    /// strings it never set, policy blocks without the attributes older
    /// releases lacked, and nothing for attributes added later.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        if version == 0 {
            sdk_state::fill_defaults::<SchemaModel>(&mut state);
            sdk_state::empty_strings_to_null(&mut state, &["owner", "database"]);
            sdk_state::fill_block_set_defaults::<SchemaPolicyModel>(&mut state, "policy");
        }
        Ok(state)
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, SchemaModel>) -> Diagnostics {
        if plan.creating() && plan.config.database.is_null() {
            if let Some(client) = self.state.client_opt().await {
                plan.planned.database = Tf::Known(client.pools.settings().database.clone());
            }
        }
        let p = &plan.planned;
        plan.planned.id = match (p.database.as_str(), p.name.as_str()) {
            (Some(db), Some(name)) => Tf::Known(schema_id(Some(db), name)),
            _ => Tf::Unknown,
        };
        Diagnostics::new()
    }

    async fn create(&self, planned: SchemaModel, _: SchemaModel) -> DResult<SchemaModel> {
        let client = self.state.client().await?;
        let database = planned
            .database
            .known()
            .cloned()
            .unwrap_or_else(|| client.pools.settings().database.clone());
        let ctx = ctx(&client, &database, &planned.name);
        let acting = client.actor();
        let data = (&planned, &acting, &ctx);
        let result: Result<(), ChangeError> = client
            .transaction(
                Some(&database),
                "creating a schema",
                &data,
                |tx, (planned, acting, ctx)| {
                    Box::pin(async move {
                        let name = &planned.name;
                        let owner = planned.owner.known().map(String::as_str);
                        locks::take(tx, vec![Lock::SchemaAcl(name)]).await?;
                        let existing = sql::read_schema(tx, name).await?;
                        let (statements, owners) = match (&existing, owner) {
                            (None, _) => (
                                vec![sql::create_schema(name, owner, planned.if_not_exists)],
                                owner.into_iter().collect::<Vec<_>>(),
                            ),
                            (Some(_), _) if !planned.if_not_exists => {
                                return Err(ChangeError::Diag(
                                    Diagnostic::error(
                                        "Schema Already Exists",
                                        format!(
                                            "The {} already exists and if_not_exists is false. \
                                             Import it to manage it:\n\n  {}\n\nor set \
                                             if_not_exists = true to take it over.",
                                            ctx.object,
                                            ctx.import_command.clone().unwrap_or_default()
                                        ),
                                    )
                                    .into(),
                                ))
                            }
                            (Some(row), Some(o)) if row.owner != o => {
                                (vec![sql::alter_owner(name, o)], vec![row.owner.as_str(), o])
                            }
                            (Some(_), _) => (Vec::new(), Vec::new()),
                        };
                        let statements = acting.wrap(tx, &owners, statements).await?;
                        run_all(tx, &statements).await?;
                        // Grant on top of what the schema holds now (an
                        // existing one may hold some of it already).
                        let Some(row) = sql::read_schema(tx, name).await? else {
                            return Ok(());
                        };
                        let from = wanted(&planned.policy)
                            .keys()
                            .map(|r| (r.clone(), row.privileges_of(r)))
                            .collect();
                        let to: BTreeMap<_, _> = wanted(&planned.policy)
                            .into_iter()
                            .filter(|(r, want)| {
                                !(*r == row.owner && row.privileges_of(r).covers(want))
                            })
                            .collect();
                        let grants = policy_statements(name, &row.owner, &from, &to, &[]);
                        let grants = acting.wrap(tx, &[row.owner.as_str()], grants).await?;
                        run_all(tx, &grants).await?;
                        Ok(())
                    })
                },
            )
            .await;
        change_result(result, &ctx)?;
        let found = self
            .read_into(
                &client,
                SchemaModel {
                    database: Tf::Known(database.clone()),
                    ..planned
                },
                true,
            )
            .await?;
        found.ok_or_else(|| {
            Diagnostic::error(
                "Schema Vanished",
                format!(
                    "The {} was created but is gone again; something dropped it.",
                    ctx.object
                ),
            )
            .into()
        })
    }

    async fn update(
        &self,
        prior: SchemaModel,
        planned: SchemaModel,
        _: SchemaModel,
    ) -> DResult<SchemaModel> {
        let client = self.state.client().await?;
        let database = prior
            .database
            .known()
            .cloned()
            .unwrap_or_else(|| client.pools.settings().database.clone());
        let ctx = ctx(&client, &database, &planned.name);
        let acting = client.actor();
        let data = (&prior, &planned, &acting);
        let result: Result<(), ChangeError> = client
            .transaction(
                Some(&database),
                "changing a schema",
                &data,
                |tx, (prior, planned, acting)| {
                    Box::pin(async move {
                        let (old, new) = (&prior.name, &planned.name);
                        // Both names when renaming; one when not.
                        locks::take(tx, vec![Lock::SchemaAcl(old), Lock::SchemaAcl(new)]).await?;
                        let Some(row) = sql::read_schema(tx, old).await? else {
                            return Err(ChangeError::Diag(
                                Diagnostic::error(
                                    "Schema Not Found",
                                    format!(
                                        "Schema {old:?} no longer exists, so it cannot be \
                                         changed. Run terraform apply again to create it."
                                    ),
                                )
                                .into(),
                            ));
                        };
                        let mut owners = vec![row.owner.clone()];
                        let mut statements = Vec::new();
                        if old != new {
                            statements.push(sql::rename_schema(old, new));
                        }
                        let mut owner = row.owner.clone();
                        if let Some(o) = planned.owner.known().filter(|o| **o != row.owner) {
                            statements.push(sql::alter_owner(new, o));
                            owners.push(o.clone());
                            owner.clone_from(o);
                        }
                        let mut from = wanted(&prior.policy);
                        let to = wanted(&planned.policy);
                        if owner != row.owner {
                            // ALTER SCHEMA ... OWNER TO hands the old
                            // owner's privileges, its implicit ones too, to
                            // the new owner: the old one holds nothing now.
                            from.remove(&row.owner);
                        }
                        let mut gone = Vec::new();
                        for role in from
                            .keys()
                            .filter(|r| !r.is_empty() && !to.contains_key(*r))
                        {
                            if !sql::role_exists(tx, role).await? {
                                gone.push(role.clone());
                            }
                        }
                        statements.extend(policy_statements(new, &owner, &from, &to, &gone));
                        let owners: Vec<&str> = owners.iter().map(String::as_str).collect();
                        let statements = acting.wrap(tx, &owners, statements).await?;
                        run_all(tx, &statements).await?;
                        Ok(())
                    })
                },
            )
            .await;
        change_result(result, &ctx)?;
        let found = self
            .read_into(
                &client,
                SchemaModel {
                    database: Tf::Known(database),
                    ..planned
                },
                true,
            )
            .await?;
        found.ok_or_else(|| {
            Diagnostic::error(
                "Schema Vanished",
                format!(
                    "The {} was changed but is gone now; something dropped it.",
                    ctx.object
                ),
            )
            .into()
        })
    }

    async fn delete(&self, prior: SchemaModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = prior
            .database
            .known()
            .cloned()
            .unwrap_or_else(|| client.pools.settings().database.clone());
        let ctx = ctx(&client, &database, &prior.name);
        let acting = client.actor();
        let data = (&prior, &acting);
        let result: Result<(), ChangeError> = client
            .transaction(
                Some(&database),
                "dropping a schema",
                &data,
                |tx, (prior, acting)| {
                    Box::pin(async move {
                        locks::take(tx, vec![Lock::SchemaAcl(&prior.name)]).await?;
                        let Some(row) = sql::read_schema(tx, &prior.name).await? else {
                            return Ok(());
                        };
                        let statements = acting
                            .wrap(
                                tx,
                                &[row.owner.as_str()],
                                vec![sql::drop_schema(&prior.name, prior.drop_cascade)],
                            )
                            .await?;
                        run_all(tx, &statements).await?;
                        Ok(())
                    })
                },
            )
            .await;
        match result {
            // The whole database is gone, and the schema with it.
            Err(ChangeError::Pg(e)) if e.is_missing_database() => Ok(()),
            r => change_result(r, &ctx),
        }
    }

    async fn read(&self, current: SchemaModel) -> DResult<Option<SchemaModel>> {
        let client = self.state.client().await?;
        self.read_into(&client, current, false).await
    }

    async fn import(&self, id: &str) -> DResult<SchemaModel> {
        let client = self.state.client().await?;
        let SchemaId { database, name } = SchemaId::parse(id)?;
        let database = database.unwrap_or_else(|| client.pools.settings().database.clone());
        let wanted = SchemaModel {
            name: name.clone(),
            database: Tf::Known(database.clone()),
            ..SchemaModel::default()
        };
        let found = self.read_into(&client, wanted, false).await?;
        found.ok_or_else(|| {
            Diagnostic::error(
                "Schema Not Found",
                format!(
                    "There is no schema {name:?} in database {database:?}. Names are \
                     case-sensitive and used exactly as written in the import ID."
                ),
            )
            .into()
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "name"];

    fn import_id(&self, m: &SchemaModel) -> Option<String> {
        if m.name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(schema_id(database.map(String::as_str), &m.name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::NamePattern("the schema's name"),
    ];

    /// Every schema a user made in the database, as an import reads it:
    /// not `public`, the system schemas, or those of extensions. The
    /// deprecated `policy` blocks stay empty, as after an import: the
    /// privileges on the schema are listed as `postgresql_grant`.
    async fn list(&self, query: ListQuery) -> DResult<Vec<SchemaModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let c = ErrorContext::new(
            &client.info.current_user,
            format!("the schemas in database {database:?}"),
        );
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| pg_diag(&e, &c))?;
        let schemas = sql::list_schemas(&**conn)
            .await
            .map_err(|e| pg_diag(&e, &c))?;
        Ok(schemas
            .into_iter()
            .filter(|(name, _)| query.name_matches(name))
            .map(|(name, owner)| {
                SchemaModel {
                    name,
                    database: Tf::Known(database.clone()),
                    ..SchemaModel::default()
                }
                .with_row(&SchemaRow {
                    owner,
                    acl: Vec::new(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::objects::schema::AclEntry;
    use crate::protocol::Model;

    fn policy(role: &str, create: bool, usage: bool, with_grant: bool) -> SchemaPolicyModel {
        SchemaPolicyModel {
            role: role.into(),
            create: create && !with_grant,
            create_with_grant: create && with_grant,
            usage: usage && !with_grant,
            usage_with_grant: usage && with_grant,
        }
    }

    fn acl(grantee: &str, privilege: &str, grantable: bool) -> AclEntry {
        AclEntry {
            grantee: grantee.into(),
            privilege: privilege.into(),
            grantable,
        }
    }

    #[test]
    fn blocks_for_one_role_add_up() {
        let w = wanted(&SetBlocks(vec![
            policy("r", true, false, false),
            policy("r", false, true, true),
        ]));
        assert_eq!(
            w["r"],
            SchemaPrivileges {
                create: Level::Granted,
                usage: Level::WithGrantOption
            }
        );
    }

    #[test]
    fn read_keeps_blocks_that_hold_and_shows_drift() {
        let m = SchemaModel {
            name: "s".into(),
            database: Tf::Known("db".into()),
            policy: SetBlocks(vec![
                policy("a", true, false, false),
                policy("a", false, true, false),
                policy("b", true, true, false),
                policy("o", false, true, false),
                policy("gone", true, false, false),
            ]),
            ..SchemaModel::default()
        };
        let row = SchemaRow {
            owner: "o".into(),
            acl: vec![
                acl("o", "CREATE", true),
                acl("o", "USAGE", true),
                acl("a", "CREATE", false),
                acl("a", "USAGE", false),
                acl("b", "USAGE", false),
                acl("c", "USAGE", false),
            ],
        };
        let read = m.with_row(&row);
        assert_eq!(read.id, Tf::Known("db.s".into()));
        assert_eq!(read.owner, Tf::Known("o".into()));
        let mut got = read.policy.0.clone();
        got.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
        let mut want = vec![
            policy("a", true, false, false),
            policy("a", false, true, false),
            policy("b", false, true, false),
            policy("o", false, true, false),
        ];
        want.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
        assert_eq!(got, want);
    }

    #[test]
    fn changes_revoke_removed_blocks_but_not_from_dropped_roles() {
        let from = wanted(&SetBlocks(vec![
            policy("a", true, true, true),
            policy("gone", true, false, false),
            policy("", false, true, false),
        ]));
        let to = wanted(&SetBlocks(vec![policy("a", true, true, false)]));
        let sql: Vec<String> = policy_statements("s", "o", &from, &to, &["gone".into()])
            .into_iter()
            .map(|s| s.sql)
            .collect();
        assert_eq!(
            sql,
            [
                "REVOKE USAGE ON SCHEMA \"s\" FROM PUBLIC",
                "REVOKE GRANT OPTION FOR CREATE ON SCHEMA \"s\" FROM \"a\"",
                "REVOKE GRANT OPTION FOR USAGE ON SCHEMA \"s\" FROM \"a\"",
            ]
        );
    }

    #[test]
    fn grant_option_is_for_roles_only() {
        let block = |role: Tf<String>| SchemaPolicyView {
            role,
            usage_with_grant: Tf::Known(true),
            ..SchemaPolicyView::default()
        };
        let public = block(Tf::Known(String::new())).grant_option_for_public();
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].0, "usage_with_grant");
        assert!(!block(Tf::Null).grant_option_for_public().is_empty());
        assert!(block(Tf::Known("r".into()))
            .grant_option_for_public()
            .is_empty());
        assert!(block(Tf::Unknown).grant_option_for_public().is_empty());
    }

    #[test]
    fn reference_state_upgrades_to_this_layout() {
        let r = SchemaResource::new(Arc::new(ProviderState::default()));
        let v0 = Value::object([
            ("id", Value::string("db.s")),
            ("name", Value::string("s")),
            ("database", Value::string("db")),
            ("owner", Value::string("o")),
            (
                "policy",
                Value::List(vec![Value::object([
                    ("role", Value::string("r")),
                    ("usage", Value::bool(true)),
                ])]),
            ),
        ]);
        let up = ResourceType::upgrade(&r, 0, v0).unwrap();
        assert_eq!(up.get("if_not_exists"), &Value::bool(true));
        assert_eq!(up.get("drop_cascade"), &Value::bool(false));
        let m = SchemaModel::from_value(&up).unwrap();
        assert_eq!(m.policy.0, vec![policy("r", false, true, false)]);
    }
}
