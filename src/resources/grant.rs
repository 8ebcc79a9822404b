//! `postgresql_grant`: privileges of one role (or PUBLIC) on a database, a
//! schema, or objects in a schema, with the reference provider's attribute
//! names.
//!
//! Differences from the reference provider, all aimed at plans that only
//! show real changes and applies that never leave a running application
//! without access:
//! * `privileges` changes are applied by difference in one transaction:
//!   missing privileges are granted, unwanted ones revoked, kept ones never
//!   touched. `with_grant_option` also changes in place.
//! * Drift is what the grantee lacks on some object of the scope (e.g. a
//!   table created later), read from the objects' ACLs in one query; objects
//!   the grantee owns never count.
//! * `ALL` stays `ALL` in state while the grantee holds every privilege.
//! * Changes to one schema (or database) are serialized with an advisory
//!   lock and retried on serialization failures, so parallel applies do not
//!   fail with "tuple concurrently updated".
//! * Import, with an ID that is unambiguous for any names (see [`GrantId`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use tokio_postgres::error::SqlState;

use crate::pg::error::PgError;
use crate::pg::exec::run_all;
use crate::pg::grant::{
    self as sql, expand_privileges, normalize_privilege, split_signature, Change, GrantTarget,
    ObjectType, OBJECT_TYPES,
};
use crate::protocol::{
    Attribute, Block, DResult, Diagnostic, Diagnostics, PlanInput, Planned, Resource, Schema, Type,
    Value,
};

use super::errors::{pg_diag, ChangeError, ErrorContext};
use super::state::{Client, ProviderState};
use super::util::{boolean, check_identifier, check_identifier_attrs, string, strings};

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

// ---------------------------------------------------------------------------
// Import IDs
// ---------------------------------------------------------------------------

/// Escapes the characters that separate ID parts (`/`, `,`) and the escape
/// character itself, so any name fits in an ID.
pub(crate) fn escape_id_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            ',' => out.push_str("%2C"),
            _ => out.push(c),
        }
    }
    out
}

/// Reverses [`escape_id_part`]; any `%XX` byte escape is accepted.
pub(crate) fn unescape_id_part(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    format!("{s:?} has a % that is not followed by two hex digits (write % as %25)")
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} decodes to invalid UTF-8"))
}

/// A comma-separated list of escaped names (empty string: empty list).
fn unescape_list(s: &str) -> Result<Vec<String>, String> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',').map(unescape_id_part).collect()
}

fn escape_list(items: &[String]) -> String {
    let mut sorted: Vec<&String> = items.iter().collect();
    sorted.sort();
    sorted
        .into_iter()
        .map(|s| escape_id_part(s))
        .collect::<Vec<_>>()
        .join(",")
}

/// The ID of a grant:
/// `<role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]]`.
///
/// Parts are separated by `/`, list items by `,`; inside a name `%`, `/`
/// and `,` are written `%25`, `%2F` and `%2C`, so every name is
/// representable and every ID has exactly one meaning. `schema` is empty
/// for database-level types; trailing empty parts are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantId {
    /// The grantee (`public` for PUBLIC).
    pub role: String,
    /// Database.
    pub database: String,
    /// Schema, or empty.
    pub schema: String,
    /// Object type as written in Terraform.
    pub object_type: String,
    /// Objects (empty: all of the type in the schema).
    pub objects: Vec<String>,
    /// Columns for `column`.
    pub columns: Vec<String>,
}

impl GrantId {
    /// The canonical text (lists sorted).
    pub fn format(&self) -> String {
        let mut parts = vec![
            escape_id_part(&self.role),
            escape_id_part(&self.database),
            escape_id_part(&self.schema),
            escape_id_part(&self.object_type),
            escape_list(&self.objects),
            escape_list(&self.columns),
        ];
        while parts.len() > 4 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        parts.join("/")
    }

    /// Parses an ID; the error says what is wrong.
    pub fn parse(id: &str) -> Result<GrantId, String> {
        let parts: Vec<&str> = id.split('/').collect();
        if !(4..=6).contains(&parts.len()) {
            return Err(format!(
                "{id:?} has {} parts separated by \"/\"; expected 4 to 6",
                parts.len()
            ));
        }
        let part = |i: usize| parts.get(i).copied().unwrap_or("");
        Ok(GrantId {
            role: unescape_id_part(part(0))?,
            database: unescape_id_part(part(1))?,
            schema: unescape_id_part(part(2))?,
            object_type: unescape_id_part(part(3))?,
            objects: unescape_list(part(4))?,
            columns: unescape_list(part(5))?,
        })
    }

    /// The ID of a (possibly partly unknown) value; `None` while any part
    /// is unknown.
    fn of_value(v: &Value) -> Option<GrantId> {
        for attr in [
            "role",
            "database",
            "schema",
            "object_type",
            "objects",
            "columns",
        ] {
            if !v.get(attr).is_wholly_known() {
                return None;
            }
        }
        Some(GrantId {
            role: string(v, "role")?,
            database: string(v, "database")?,
            schema: string(v, "schema").unwrap_or_default(),
            object_type: string(v, "object_type")?,
            objects: strings(v, "objects"),
            columns: strings(v, "columns"),
        })
    }
}

// ---------------------------------------------------------------------------
// Shared helpers (also used by postgresql_default_privileges)
// ---------------------------------------------------------------------------

/// Whether connecting failed because the database does not exist.
pub(crate) fn is_missing_database(e: &PgError) -> bool {
    e.sqlstate() == Some(&SqlState::INVALID_CATALOG_NAME)
}

/// Checks a privilege list: known names for the type, `ALL` alone.
pub(crate) fn check_privilege_list(
    privileges: &[String],
    allowed: &[&str],
    what: &str,
    d: &mut Diagnostics,
) {
    let canon: Vec<String> = privileges.iter().map(|p| normalize_privilege(p)).collect();
    let has_all = canon.iter().any(|p| p == "ALL" || p == "ALL PRIVILEGES");
    if has_all && canon.len() > 1 {
        d.push(
            Diagnostic::error(
                "ALL Combined With Other Privileges",
                "privileges holds ALL together with other privileges. ALL already means every \
                 privilege of the object type; use [\"ALL\"] alone or list the privileges.",
            )
            .at("privileges"),
        );
    }
    for (raw, p) in privileges.iter().zip(&canon) {
        if p != "ALL" && p != "ALL PRIVILEGES" && !allowed.contains(&p.as_str()) {
            d.push(
                Diagnostic::error(
                    "Invalid Privilege",
                    format!(
                        "{raw:?} is not a privilege of {what}. Allowed: {}, or ALL.",
                        allowed.join(", ")
                    ),
                )
                .at("privileges"),
            );
        }
    }
}

/// Whether the privileges in config mean the same as those in prior state
/// (case, `TEMP`, `ALL` versus its expansion).
fn same_privileges(a: &[String], b: &[String], ty: ObjectType, version: Option<i32>) -> bool {
    expand_privileges(a, ty, version) == expand_privileges(b, ty, version)
}

/// Whether an optional string or set attribute is null or empty.
pub(crate) fn is_empty_attr(v: &Value) -> bool {
    v.is_null() || v.as_str() == Some("") || v.as_elements().is_some_and(<[Value]>::is_empty)
}

// ---------------------------------------------------------------------------
// The resource
// ---------------------------------------------------------------------------

/// Reads the grant target from a planned or prior state value.
fn target_of(v: &Value) -> DResult<GrantTarget> {
    let ty = string(v, "object_type").unwrap_or_default();
    let object_type = ObjectType::parse(&ty).ok_or_else(|| {
        Diagnostics::from(Diagnostic::error(
            "Invalid Object Type",
            format!(
                "object_type {ty:?} is not supported; use one of {}.",
                type_list()
            ),
        ))
    })?;
    let mut objects = strings(v, "objects");
    objects.sort();
    let mut columns = strings(v, "columns");
    columns.sort();
    Ok(GrantTarget {
        role: string(v, "role").unwrap_or_default(),
        database: string(v, "database").unwrap_or_default(),
        schema: string(v, "schema").unwrap_or_default(),
        object_type,
        objects,
        columns,
    })
}

fn type_list() -> String {
    OBJECT_TYPES
        .iter()
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
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
    ErrorContext {
        connected_as: client.info.current_user.clone(),
        privilege_needed: Some(
            "ownership of the objects (or membership in their owner), or the privileges WITH \
             GRANT OPTION, or SUPERUSER"
                .into(),
        ),
        import_command: Some(format!(
            "terraform import postgresql_grant.<resource name> '{}'",
            id.format().replace('\'', "'\\''")
        )),
        object: format!(
            "grant of {} privileges to {:?} in database {:?}",
            target.object_type.as_str(),
            target.role,
            target.database
        ),
    }
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
                    run_all(tx, &[target.lock_statement()]).await?;
                    let snapshot = sql::read_acls(tx, target).await?;
                    if require_objects {
                        check_exists(target, &snapshot).map_err(ChangeError::Diag)?;
                    } else if !snapshot.grantee_exists {
                        return Ok(());
                    }
                    let statements = sql::change_statements(target, &snapshot, change);
                    run_all(tx, &statements).await?;
                    Ok(())
                })
            },
        )
        .await;
    match result {
        Ok(()) => Ok(()),
        Err(ChangeError::Diag(d)) => Err(d),
        // Destroying a grant in a dropped database: nothing is left.
        Err(ChangeError::Pg(e)) if !require_objects && is_missing_database(&e) => Ok(()),
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
        let what = if target.object_type == ObjectType::Column {
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

#[async_trait]
impl Resource for GrantResource {
    fn type_name(&self) -> &'static str {
        "postgresql_grant"
    }

    fn schema(&self) -> Schema {
        let attributes = vec![
            Attribute::computed("id", Type::String, "Identifies the grant; the same text imports it (see the resource description).").stable(),
            Attribute::required("role", Type::String, "Role receiving the privileges, or `public` for every role (PUBLIC).").replaces(),
            Attribute::required("database", Type::String, "Database holding the objects; for `object_type = \"database\"` the database itself. The provider connects to it to grant.").replaces(),
            Attribute::optional("schema", Type::String, "Schema holding the objects; for `object_type = \"schema\"` the schema itself. Required for every type except `database`, `foreign_data_wrapper` and `foreign_server`, where it must be left unset.").replaces(),
            Attribute::required("object_type", Type::String, "Kind of object: `database`, `schema`, `table` (also views, materialized views, foreign and partitioned tables), `sequence`, `function` (also aggregates), `procedure`, `routine` (functions and procedures), `foreign_data_wrapper`, `foreign_server` or `column`.").replaces(),
            Attribute::optional("objects", Type::set(Type::String), "Names of the objects. Unset or empty means every object of the type in the schema, including objects created later: a new object lacking the privileges shows as a change, and the next apply grants them. Functions are given as `name` (every overload) or `name(argument types)`. For `column`, exactly one table. Must be unset for `database` and `schema`; required for `foreign_data_wrapper` and `foreign_server`. Objects owned by `role` are skipped: owners hold every privilege implicitly. On a change the old objects are revoked before the new ones are granted; do not combine with `create_before_destroy`, whose destroy step would revoke what the create step granted on objects in both lists.").replaces(),
            Attribute::optional("columns", Type::set(Type::String), "Columns of the table in `objects`, for `object_type = \"column\"` only.").replaces(),
            Attribute::required("privileges", Type::set(Type::String), "Privileges to grant, e.g. `[\"SELECT\", \"INSERT\"]` (any case), or `[\"ALL\"]` for every privilege of the type (`MAINTAIN` is included on PostgreSQL 17 and later). Changes are applied in place and by difference: added privileges are granted, removed ones revoked, kept ones never revoked. An empty set revokes what this resource granted. Allowed per type: database `CREATE`, `CONNECT`, `TEMPORARY`; schema `CREATE`, `USAGE`; table `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER`, `MAINTAIN` (PostgreSQL 17+); sequence `USAGE`, `SELECT`, `UPDATE`; function, procedure and routine `EXECUTE`; foreign data wrapper and server `USAGE`; column `SELECT`, `INSERT`, `UPDATE`, `REFERENCES`."),
            Attribute::optional("with_grant_option", Type::Bool, "Whether `role` may grant the privileges to others. Changed in place (`GRANT ... WITH GRANT OPTION` or `REVOKE GRANT OPTION FOR`).").with_default(Value::bool(false)),
        ];
        Schema {
            version: 0,
            block: Block {
                description: "Grants privileges on a database, a schema, or objects in a schema to a role, \
                    and keeps them granted: privileges missing on any object of the scope (for example a table \
                    created after the apply) show as a change, and so do privileges beyond `privileges` held on every \
                    object. Objects owned by the role never cause a diff. Use one resource per role, database, \
                    schema, object type and objects: two resources granting different privileges on the same \
                    objects to the same role would each see the other's privileges as drift.\n\n\
                    Parallel applies on the same schema or database are serialized with a transaction-scoped \
                    advisory lock, so `-parallelism` needs no tuning.\n\n\
                    **Import** with the ID `<role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]]`: \
                    parts separated by `/`, list items by `,`, and inside names `%`, `/` and `,` written as `%25`, \
                    `%2F` and `%2C`. Leave `schema` empty for database-level types and omit `objects` for \"every \
                    object\". Examples: `terraform import postgresql_grant.read 'app/mydb/public/table'`, \
                    `'app/mydb/public/table/orders,customers'`, `'app/mydb//database'`, \
                    `'app/mydb/public/column/orders/id,total'`, `'public/mydb/api/function/f(integer)'`. \
                    `privileges` and `with_grant_option` are read from the server."
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
            &[("role", "Role Name"), ("database", "Database Name")],
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
        let Some(ty) = ObjectType::parse(ty_name) else {
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
        if ty.in_schema() {
            if schema.is_null() || schema.as_str() == Some("") {
                d.push(
                    Diagnostic::error(
                        "Missing Schema",
                        format!("object_type {ty_name:?} needs schema: the schema holding the objects (or, for \"schema\", the schema itself)."),
                    )
                    .at("schema"),
                );
            }
        } else if !is_empty_attr(schema) && !schema.is_unknown() {
            d.push(
                Diagnostic::error(
                    "Unexpected Schema",
                    format!("object_type {ty_name:?} is not in a schema; remove schema."),
                )
                .at("schema"),
            );
        }
        let objects = config.get("objects");
        let object_count = objects.as_elements().map(<[Value]>::len);
        match ty {
            ObjectType::Database | ObjectType::Schema if object_count.is_some_and(|n| n > 0) => {
                d.push(
                    Diagnostic::error(
                        "Unexpected Objects",
                        format!(
                            "object_type {ty_name:?} grants on the {} itself; remove objects.",
                            if ty == ObjectType::Database {
                                "database"
                            } else {
                                "schema"
                            }
                        ),
                    )
                    .at("objects"),
                );
            }
            ObjectType::ForeignDataWrapper | ObjectType::ForeignServer
                if objects.is_null() || object_count == Some(0) =>
            {
                d.push(
                        Diagnostic::error(
                            "Missing Objects",
                            format!("object_type {ty_name:?} needs objects: the names of the foreign data wrappers or servers."),
                        )
                        .at("objects"),
                    );
            }
            ObjectType::Column => {
                if objects.is_null() || object_count.is_some_and(|n| n != 1) {
                    d.push(
                        Diagnostic::error(
                            "Exactly One Table Needed",
                            "object_type \"column\" needs objects with exactly one table name, and the columns in columns.",
                        )
                        .at("objects"),
                    );
                }
                let columns = config.get("columns");
                if columns.is_null() || columns.as_elements().is_some_and(<[Value]>::is_empty) {
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
        let columns = config.get("columns");
        if ty != ObjectType::Column && !columns.is_unknown() && !is_empty_attr(columns) {
            d.push(
                Diagnostic::error(
                    "Unexpected Columns",
                    "columns is only used with object_type = \"column\"; remove it or change object_type.",
                )
                .at("columns"),
            );
        }
        if let Some(items) = objects.as_elements() {
            for item in items.iter().filter_map(Value::as_str) {
                let name = if ty.is_routine() {
                    split_signature(item).0
                } else {
                    item
                };
                if let Some(e) = check_identifier("objects", "Object Name", name) {
                    d.push(e);
                }
            }
        }
        for item in columns
            .as_elements()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
        {
            if let Some(e) = check_identifier("columns", "Column Name", item) {
                d.push(e);
            }
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
        let client = self.state.client_opt().await;
        let version = client.as_ref().map(|c| c.info.version_num);
        let ty = plan
            .value
            .get("object_type")
            .as_str()
            .and_then(ObjectType::parse);

        // The same privileges spelled differently (case, TEMP, ALL) are no change.
        if let (Some(ty), Some(planned), Some(prior)) = (
            ty,
            plan.value.get("privileges").as_string_set(),
            input.prior.get("privileges").as_string_set(),
        ) {
            if same_privileges(&planned, &prior, ty, version) {
                plan.value
                    .set("privileges", input.prior.get("privileges").clone());
            }
        }
        // Unset and empty mean the same; switching between them is no replacement.
        if !input.prior.is_null() {
            for attr in ["schema", "objects", "columns"] {
                if is_empty_attr(plan.value.get(attr)) && is_empty_attr(input.prior.get(attr)) {
                    plan.requires_replace
                        .retain(|p| *p != crate::protocol::AttrPath::attr(attr));
                }
            }
        }
        let id = match GrantId::of_value(&plan.value) {
            Some(id) => Value::string(id.format()),
            None => Value::unknown(),
        };
        plan.value.set("id", id);

        if let (Some(ObjectType::Table), Some(version), Some(privs)) =
            (ty, version, plan.value.get("privileges").as_string_set())
        {
            if version < sql::MAINTAIN_SINCE
                && privs.iter().any(|p| normalize_privilege(p) == "MAINTAIN")
            {
                d.push(
                    Diagnostic::error(
                        "MAINTAIN Needs PostgreSQL 17",
                        format!(
                            "The MAINTAIN privilege exists from PostgreSQL 17 on; this server is version {}. \
                             Remove MAINTAIN (VACUUM, ANALYZE and REINDEX then need the table owner).",
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
        let target = target_of(planned)?;
        let version = Some(client.info.version_num);
        let want = expand_privileges(&strings(planned, "privileges"), target.object_type, version);
        let with_grant_option = boolean(planned, "with_grant_option", false);
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
        Ok(planned.clone())
    }

    async fn update(&self, prior: &Value, planned: &Value, _config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let target = target_of(planned)?;
        let version = Some(client.info.version_num);
        let want = expand_privileges(&strings(planned, "privileges"), target.object_type, version);
        let had = expand_privileges(&strings(prior, "privileges"), target.object_type, version);
        let with_grant_option = boolean(planned, "with_grant_option", false);
        let change = Change {
            revoke: had.difference(&want).cloned().collect(),
            grant: want,
            with_grant_option,
            drop_grant_option: boolean(prior, "with_grant_option", false) && !with_grant_option,
        };
        apply_change(&client, &target, &change, true).await?;
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value) -> DResult<()> {
        let client = self.state.client().await?;
        let target = target_of(prior)?;
        let version = Some(client.info.version_num);
        let change = Change {
            grant: BTreeSet::new(),
            revoke: expand_privileges(&strings(prior, "privileges"), target.object_type, version),
            with_grant_option: false,
            drop_grant_option: false,
        };
        apply_change(&client, &target, &change, false).await
    }

    async fn read(&self, current: &Value) -> DResult<Option<Value>> {
        let client = self.state.client().await?;
        let target = target_of(current)?;
        let conn = match client.pools.get(Some(&target.database)).await {
            Ok(c) => c,
            Err(e) if is_missing_database(&e) => return Ok(None),
            Err(e) => return Err(pg_diag(&e, &ctx(&client, &target))),
        };
        let snapshot = sql::read_acls(&**conn, &target)
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &target)))?;
        let whole_object = matches!(
            target.object_type,
            ObjectType::Database | ObjectType::Schema
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
        if current.get("privileges").is_null() {
            // Import: report what the grantee holds everywhere.
            let Some(h) = held.filter(|h| !h.held.is_empty()) else {
                return Ok(None);
            };
            let with_grant_option = h.grantable == h.held;
            state.set("privileges", Value::string_set(h.held));
            state.set("with_grant_option", Value::bool(with_grant_option));
        } else {
            let with_grant_option = boolean(current, "with_grant_option", false);
            if let Some(h) = held {
                let actual = if with_grant_option {
                    h.grantable
                } else {
                    h.held
                };
                let prior = strings(current, "privileges");
                if expand_privileges(&prior, target.object_type, version) != actual {
                    state.set("privileges", Value::string_set(actual));
                }
            }
            if current.get("with_grant_option").is_null() {
                state.set("with_grant_option", Value::bool(false));
            }
        }
        if let Some(id) = GrantId::of_value(&state) {
            state.set("id", Value::string(id.format()));
        }
        Ok(Some(state))
    }

    async fn import(&self, id: &str) -> DResult<Value> {
        let parsed = GrantId::parse(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "{e}. The ID is <role>/<database>/<schema>/<object_type>[/<objects>[/<columns>]], \
                     with list items separated by \",\" and %, / and , inside names written as %25, %2F \
                     and %2C; for example app/mydb/public/table/orders,customers."
                ),
            ))
        })?;
        let Some(ty) = ObjectType::parse(&parsed.object_type) else {
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
        let opt_string = |s: &str| {
            if s.is_empty() {
                Value::Null
            } else {
                Value::string(s)
            }
        };
        let opt_set = |v: &[String]| {
            if v.is_empty() {
                Value::Null
            } else {
                Value::string_set(v.iter().cloned())
            }
        };
        Ok(Value::object([
            ("id", Value::string(parsed.format())),
            ("role", Value::string(&parsed.role)),
            ("database", Value::string(&parsed.database)),
            ("schema", opt_string(&parsed.schema)),
            ("object_type", Value::string(ty.as_str())),
            ("objects", opt_set(&parsed.objects)),
            ("columns", opt_set(&parsed.columns)),
            ("privileges", Value::Null),
            ("with_grant_option", Value::Null),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_any_name() {
        let id = GrantId {
            role: "user@example.com".into(),
            database: "my/db".into(),
            schema: "a,b%c".into(),
            object_type: "table".into(),
            objects: vec!["t/2".into(), "t1".into()],
            columns: vec![],
        };
        let text = id.format();
        assert_eq!(text, "user@example.com/my%2Fdb/a%2Cb%25c/table/t%2F2,t1");
        assert_eq!(GrantId::parse(&text).unwrap(), id);
    }

    #[test]
    fn ids_drop_trailing_empty_parts() {
        let id = GrantId::parse("app/db//database").unwrap();
        assert_eq!(id.schema, "");
        assert!(id.objects.is_empty());
        assert_eq!(id.format(), "app/db//database");
        let col = GrantId::parse("app/db/s/column/t/b,a").unwrap();
        assert_eq!(col.columns, vec!["b".to_string(), "a".to_string()]);
        assert_eq!(col.format(), "app/db/s/column/t/a,b");
        assert!(GrantId::parse("app/db").is_err());
        assert!(GrantId::parse("a/b/c/d/e/f/g").is_err());
        assert!(GrantId::parse("a%2/b/c/table").is_err());
    }

    #[test]
    fn unicode_survives_escaping() {
        assert_eq!(
            unescape_id_part(&escape_id_part("rôle/ü,%")).unwrap(),
            "rôle/ü,%"
        );
        assert_eq!(unescape_id_part("%C3%BC").unwrap(), "ü");
    }

    #[test]
    fn privilege_lists_are_checked() {
        let mut d = Diagnostics::new();
        check_privilege_list(
            &["select".into(), "usage".into()],
            &ObjectType::Table.privileges(None),
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
            &ObjectType::Database.privileges(None),
            "db",
            &mut d,
        );
        assert!(d.is_empty());
    }

    #[test]
    fn all_equals_its_expansion() {
        let all = vec!["ALL".to_string()];
        let listed: Vec<String> = ObjectType::Table
            .privileges(Some(150_000))
            .iter()
            .map(|s| s.to_lowercase())
            .collect();
        assert!(same_privileges(
            &all,
            &listed,
            ObjectType::Table,
            Some(150_000)
        ));
        assert!(!same_privileges(
            &all,
            &listed,
            ObjectType::Table,
            Some(170_000)
        ));
    }
}
