//! `postgresql_default_privileges`: the privileges a role gets on objects
//! that `owner` creates later (`ALTER DEFAULT PRIVILEGES FOR ROLE owner`),
//! database-wide or in one schema, with the reference provider's attribute
//! names.
//!
//! Unlike the reference provider, a change of `privileges` or
//! `with_grant_option` is applied in place by difference (no revoke-all
//! window), the resource can be imported, and drift is read from
//! `pg_default_acl` in one query.

use std::sync::Arc;

use async_trait::async_trait;

use crate::pg::default_privileges::{
    self as sql, expand_default_privileges, DefaultObjectType, DefaultTarget, DEFAULT_OBJECT_TYPES,
};
use crate::pg::exec::run_all;
use crate::pg::grant::{normalize_privilege, MAINTAIN_SINCE};
use crate::protocol::{
    AttrPath, Attribute, Block, DResult, Diagnostic, Diagnostics, PlanInput, Planned, Resource,
    Schema, Type, Value,
};

use super::errors::{pg_diag, ChangeError, ErrorContext};
use super::grant::{
    check_privilege_list, escape_id_part, is_empty_attr, is_missing_database, unescape_id_part,
};
use super::state::{Client, ProviderState};
use super::util::{boolean, check_identifier, check_identifier_attrs, string, strings};

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

/// The ID: `<role>/<database>/<schema>/<owner>/<object_type>`, with `%`,
/// `/` and `,` inside names written `%25`, `%2F`, `%2C` and `schema` empty
/// for database-wide defaults.
fn format_id(role: &str, database: &str, schema: &str, owner: &str, object_type: &str) -> String {
    [role, database, schema, owner, object_type]
        .iter()
        .map(|p| escape_id_part(p))
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses an ID into (role, database, schema, owner, object_type).
fn parse_id(id: &str) -> Result<[String; 5], String> {
    let parts: Vec<&str> = id.split('/').collect();
    if parts.len() != 5 {
        return Err(format!(
            "{id:?} has {} parts separated by \"/\"; expected 5",
            parts.len()
        ));
    }
    let mut out: [String; 5] = Default::default();
    for (slot, part) in out.iter_mut().zip(parts) {
        *slot = unescape_id_part(part)?;
    }
    Ok(out)
}

fn id_of_value(v: &Value) -> Option<String> {
    for attr in ["role", "database", "schema", "owner", "object_type"] {
        if v.get(attr).is_unknown() {
            return None;
        }
    }
    Some(format_id(
        &string(v, "role")?,
        &string(v, "database")?,
        &string(v, "schema").unwrap_or_default(),
        &string(v, "owner")?,
        &string(v, "object_type")?,
    ))
}

fn type_list() -> String {
    DEFAULT_OBJECT_TYPES
        .iter()
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

fn target_of(v: &Value) -> DResult<(String, DefaultTarget)> {
    let ty = string(v, "object_type").unwrap_or_default();
    let object_type = DefaultObjectType::parse(&ty).ok_or_else(|| {
        Diagnostics::from(Diagnostic::error(
            "Invalid Object Type",
            format!(
                "object_type {ty:?} is not supported; use one of {}.",
                type_list()
            ),
        ))
    })?;
    Ok((
        string(v, "database").unwrap_or_default(),
        DefaultTarget {
            role: string(v, "role").unwrap_or_default(),
            owner: string(v, "owner").unwrap_or_default(),
            schema: string(v, "schema").unwrap_or_default(),
            object_type,
        },
    ))
}

fn ctx(client: &Client, database: &str, t: &DefaultTarget) -> ErrorContext {
    ErrorContext {
        connected_as: client.info.current_user.clone(),
        privilege_needed: Some(format!(
            "membership in role {:?} (ALTER DEFAULT PRIVILEGES FOR ROLE needs it), or SUPERUSER",
            t.owner
        )),
        import_command: Some(format!(
            "terraform import postgresql_default_privileges.<resource name> '{}'",
            format_id(
                &t.role,
                database,
                &t.schema,
                &t.owner,
                t.object_type.as_str()
            )
            .replace('\'', "'\\''")
        )),
        object: format!(
            "default privileges of {:?} on {} created by {:?}",
            t.role,
            t.object_type.as_str(),
            t.owner
        ),
    }
}

/// Moves the default ACL entry to `want` in one locked transaction.
async fn apply(
    client: &Arc<Client>,
    database: &str,
    target: &DefaultTarget,
    want: &std::collections::BTreeSet<String>,
    with_grant_option: bool,
    destroying: bool,
) -> DResult<()> {
    let result = client
        .transaction(
            Some(database),
            "changing default privileges",
            &(database, target, want),
            move |tx, &(database, target, want)| {
                Box::pin(async move {
                    run_all(tx, &[target.lock_statement()]).await?;
                    let current = sql::read_default_acl(tx, target).await?;
                    if destroying
                        && !(current.grantee_exists
                            && current.owner_exists
                            && current.schema_exists)
                    {
                        return Ok(());
                    }
                    check_exists(database, target, &current).map_err(ChangeError::Diag)?;
                    let statements = target.change_statements(&current, want, with_grant_option);
                    run_all(tx, &statements).await?;
                    Ok(())
                })
            },
        )
        .await;
    match result {
        Ok(()) => Ok(()),
        Err(ChangeError::Diag(d)) => Err(d),
        Err(ChangeError::Pg(e)) if destroying && is_missing_database(&e) => Ok(()),
        Err(ChangeError::Pg(e)) => Err(pg_diag(&e, &ctx(client, database, target))),
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

#[async_trait]
impl Resource for DefaultPrivilegesResource {
    fn type_name(&self) -> &'static str {
        "postgresql_default_privileges"
    }

    fn schema(&self) -> Schema {
        let attributes = vec![
            Attribute::computed("id", Type::String, "Identifies the default privileges; the same text imports them (see the resource description).").stable(),
            Attribute::required("role", Type::String, "Role receiving the privileges on future objects, or `public` for every role.").replaces(),
            Attribute::required("database", Type::String, "Database the defaults apply in. The provider connects to it.").replaces(),
            Attribute::required("owner", Type::String, "Role whose future objects get the privileges (`ALTER DEFAULT PRIVILEGES FOR ROLE owner`): the role that will create the tables, usually the migration user. The provider's user must be a member of it or a superuser.").replaces(),
            Attribute::optional("schema", Type::String, "Schema the defaults apply in; unset means the whole database. Must be unset for `object_type = \"schema\"`. Per-schema defaults add to the database-wide ones; they cannot take away privileges granted database-wide.").replaces(),
            Attribute::required("object_type", Type::String, "Kind of future object: `table`, `sequence`, `function`, `routine` (the same defaults as `function`), `type` or `schema`.").replaces(),
            Attribute::required("privileges", Type::set(Type::String), "Privileges objects created later get, or `[\"ALL\"]`. Changed in place by difference: kept privileges are never revoked. Allowed: table `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, `MAINTAIN` (PostgreSQL 17+); sequence `USAGE`, `SELECT`, `UPDATE`; function and routine `EXECUTE`; type `USAGE`; schema `USAGE`, `CREATE`."),
            Attribute::optional("with_grant_option", Type::Bool, "Whether `role` may grant the privileges on those objects to others. Changed in place.").with_default(Value::bool(false)),
        ];
        Schema {
            version: 0,
            block: Block {
                description: "Sets the privileges a role gets on objects another role (`owner`) creates later, \
                    with `ALTER DEFAULT PRIVILEGES FOR ROLE owner [IN SCHEMA schema] GRANT ...`. Existing objects are \
                    not affected; grant on them with `postgresql_grant`. A change made outside Terraform shows as \
                    a diff (read from `pg_default_acl`). When no database-wide entry exists, PostgreSQL's built-in \
                    defaults apply (for example EXECUTE on functions for PUBLIC), and they are what is read.\n\n\
                    **Import** with the ID `<role>/<database>/<schema>/<owner>/<object_type>`, `schema` empty for \
                    database-wide defaults, and `%`, `/` and `,` inside names written `%25`, `%2F` and `%2C`: \
                    `terraform import postgresql_default_privileges.read 'reader/mydb/public/app_owner/table'` or \
                    `'reader/mydb//app_owner/sequence'`. `privileges` and `with_grant_option` are read from the server."
                    .into(),
                attributes,
                blocks: vec![],
            },
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        check_identifier_attrs(
            config,
            &[
                ("role", "Role Name"),
                ("owner", "Role Name"),
                ("database", "Database Name"),
            ],
            &mut d,
        );
        if let Some(schema) = config.get("schema").as_str().filter(|s| !s.is_empty()) {
            if let Some(e) = check_identifier("schema", "Schema Name", schema) {
                d.push(e);
            }
        }
        let Some(ty_name) = config.get("object_type").as_str() else {
            return d;
        };
        let Some(ty) = DefaultObjectType::parse(ty_name) else {
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
        let schema = config.get("schema");
        if ty == DefaultObjectType::Schema && !is_empty_attr(schema) && !schema.is_unknown() {
            d.push(
                Diagnostic::error(
                    "Schema Not Allowed For Schemas",
                    "Default privileges on schemas are database-wide (PostgreSQL has no IN SCHEMA form \
                     for them); remove schema.",
                )
                .at("schema"),
            );
        }
        if let Some(privs) = config.get("privileges").as_string_set() {
            check_privilege_list(
                &privs,
                &ty.privileges(None),
                &format!("object_type {ty_name:?}"),
                &mut d,
            );
        }
        d
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        if plan.is_destroy() {
            return d;
        }
        let version = self.state.client_opt().await.map(|c| c.info.version_num);
        let ty = plan
            .value
            .get("object_type")
            .as_str()
            .and_then(DefaultObjectType::parse);
        if let (Some(ty), Some(planned), Some(prior)) = (
            ty,
            plan.value.get("privileges").as_string_set(),
            input.prior.get("privileges").as_string_set(),
        ) {
            if expand_default_privileges(&planned, ty, version)
                == expand_default_privileges(&prior, ty, version)
            {
                plan.value
                    .set("privileges", input.prior.get("privileges").clone());
            }
        }
        if !input.prior.is_null()
            && is_empty_attr(plan.value.get("schema"))
            && is_empty_attr(input.prior.get("schema"))
        {
            plan.requires_replace
                .retain(|p| *p != AttrPath::attr("schema"));
        }
        let id = id_of_value(&plan.value).map_or_else(Value::unknown, Value::string);
        plan.value.set("id", id);
        if let (Some(DefaultObjectType::Table), Some(version), Some(privs)) =
            (ty, version, plan.value.get("privileges").as_string_set())
        {
            if version < MAINTAIN_SINCE
                && privs.iter().any(|p| normalize_privilege(p) == "MAINTAIN")
            {
                d.push(
                    Diagnostic::error(
                        "MAINTAIN Needs PostgreSQL 17",
                        format!(
                            "The MAINTAIN privilege exists from PostgreSQL 17 on; this server is version {}. Remove MAINTAIN.",
                            version / 10_000
                        ),
                    )
                    .at("privileges"),
                );
            }
        }
        d
    }

    async fn create(&self, planned: &Value, _config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let (database, target) = target_of(planned)?;
        let want = expand_default_privileges(
            &strings(planned, "privileges"),
            target.object_type,
            Some(client.info.version_num),
        );
        let wgo = boolean(planned, "with_grant_option", false);
        apply(&client, &database, &target, &want, wgo, false).await?;
        Ok(planned.clone())
    }

    async fn update(&self, _prior: &Value, planned: &Value, config: &Value) -> DResult<Value> {
        self.create(planned, config).await
    }

    async fn delete(&self, prior: &Value) -> DResult<()> {
        let client = self.state.client().await?;
        let (database, target) = target_of(prior)?;
        apply(
            &client,
            &database,
            &target,
            &Default::default(),
            false,
            true,
        )
        .await
    }

    async fn read(&self, current: &Value) -> DResult<Option<Value>> {
        let client = self.state.client().await?;
        let (database, target) = target_of(current)?;
        let conn = match client.pools.get(Some(&database)).await {
            Ok(c) => c,
            Err(e) if is_missing_database(&e) => return Ok(None),
            Err(e) => return Err(pg_diag(&e, &ctx(&client, &database, &target))),
        };
        let acl = sql::read_default_acl(&**conn, &target)
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &database, &target)))?;
        if !(acl.grantee_exists && acl.owner_exists && acl.schema_exists) {
            return Ok(None);
        }
        let mut state = current.clone();
        if current.get("privileges").is_null() {
            // Import: what the entry grants now.
            if acl.held.is_empty() {
                return Ok(None);
            }
            state.set("with_grant_option", Value::bool(acl.grantable == acl.held));
            state.set("privileges", Value::string_set(acl.held));
        } else {
            let wgo = boolean(current, "with_grant_option", false);
            let actual = if wgo { acl.grantable } else { acl.held };
            let prior = expand_default_privileges(
                &strings(current, "privileges"),
                target.object_type,
                Some(client.info.version_num),
            );
            if prior != actual {
                state.set("privileges", Value::string_set(actual));
            }
            if current.get("with_grant_option").is_null() {
                state.set("with_grant_option", Value::bool(false));
            }
        }
        if let Some(id) = id_of_value(&state) {
            state.set("id", Value::string(id));
        }
        Ok(Some(state))
    }

    async fn import(&self, id: &str) -> DResult<Value> {
        let [role, database, schema, owner, object_type] = parse_id(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "{e}. The ID is <role>/<database>/<schema>/<owner>/<object_type> (schema empty for \
                     database-wide defaults; %, / and , inside names written %25, %2F and %2C), for \
                     example reader/mydb/public/app_owner/table."
                ),
            ))
        })?;
        if DefaultObjectType::parse(&object_type).is_none() {
            return Err(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "object type {object_type:?} in the ID is not one of {}.",
                    type_list()
                ),
            )
            .into());
        }
        Ok(Value::object([
            (
                "id",
                Value::string(format_id(&role, &database, &schema, &owner, &object_type)),
            ),
            ("role", Value::string(role)),
            ("database", Value::string(database)),
            (
                "schema",
                if schema.is_empty() {
                    Value::Null
                } else {
                    Value::string(schema)
                },
            ),
            ("owner", Value::string(owner)),
            ("object_type", Value::string(object_type)),
            ("privileges", Value::Null),
            ("with_grant_option", Value::Null),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = format_id("a/b", "db", "", "o,w%", "table");
        assert_eq!(id, "a%2Fb/db//o%2Cw%25/table");
        assert_eq!(
            parse_id(&id).unwrap(),
            [
                "a/b".to_string(),
                "db".into(),
                "".into(),
                "o,w%".into(),
                "table".into()
            ]
        );
        assert!(parse_id("a/b/c/d").is_err());
    }
}
