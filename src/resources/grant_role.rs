//! `postgresql_grant_role`: one role membership (`GRANT grant_role TO role`),
//! with the reference provider's attribute names, plus the per-grant INHERIT
//! and SET options of PostgreSQL 16 and later, import, and in-place updates.
//!
//! On PostgreSQL 16+ the same pair can be granted by several grantors; this
//! resource owns exactly the grant recorded for the provider's connection
//! (`granted_by`) and never touches the others. The SQL and the concurrency
//! handling live in [`crate::pg::grant_role`].
//!
//! Plan-time checks (missing roles, cycles, missing ADMIN OPTION, warnings
//! about powerful roles) need to know which roles the same apply will create.
//! Terraform does not tell providers that, but it plans a resource only after
//! the resources it references, in the same provider process; so
//! `postgresql_role` records every role it plans (in [`super::planned`]) and
//! the checks here skip roles found there.

use std::sync::Arc;

use async_trait::async_trait;

use crate::pg::grant_role::{
    self as sql, Authority, GrantError, GrantRow, MissingAuthority, Wanted, PG16,
};
use crate::protocol::{
    Attribute, Block, DResult, Diagnostic, Diagnostics, PlanInput, Planned, Resource, Schema, Type,
    Value,
};

use super::errors::{pg_diag, ErrorContext};
use super::planned::PlannedRole;
use super::state::{Client, ProviderState};
use super::util::{boolean, check_identifier, string};

/// Names that denote something other than a role in GRANT.
const PSEUDO_ROLES: &[&str] = &[
    "public",
    "none",
    "current_user",
    "session_user",
    "current_role",
];

/// Predefined roles whose membership is a privilege escalation in itself.
const POWERFUL_PREDEFINED: &[(&str, &str)] = &[
    (
        "pg_read_all_data",
        "read every table, view and sequence in every database",
    ),
    (
        "pg_write_all_data",
        "insert, update and delete rows of every table in every database",
    ),
    (
        "pg_execute_server_program",
        "run any program on the database server as the operating system user running PostgreSQL",
    ),
    (
        "pg_read_server_files",
        "read any file the database server can access",
    ),
    (
        "pg_write_server_files",
        "write any file the database server can access",
    ),
];

/// The resource ID: a JSON array of the member and the granted role, which
/// represents any pair of names unambiguously.
pub fn grant_id(member: &str, granted: &str) -> String {
    serde_json::Value::Array(vec![
        serde_json::Value::String(member.to_string()),
        serde_json::Value::String(granted.to_string()),
    ])
    .to_string()
}

/// Parses an import ID made by [`grant_id`] (any JSON spacing is accepted).
pub fn parse_id(id: &str) -> Result<(String, String), String> {
    let problem = match serde_json::from_str::<serde_json::Value>(id) {
        Err(e) => format!("it is not valid JSON ({e})"),
        Ok(serde_json::Value::Array(items)) => match items.as_slice() {
            [serde_json::Value::String(m), serde_json::Value::String(g)] => {
                if m.is_empty() || g.is_empty() {
                    "a role name is empty".to_string()
                } else {
                    return Ok((m.clone(), g.clone()));
                }
            }
            [_, _] => "both elements must be strings".to_string(),
            _ => format!("it has {} element(s) instead of two", items.len()),
        },
        Ok(_) => "it is not a JSON array".to_string(),
    };
    let mut msg = format!(
        "The import ID {id} is not valid: {problem}.\n\nExpected a JSON array of two strings, the \
         member role (attribute role) and then the granted role (attribute grant_role), exactly \
         as PostgreSQL spells them (case-sensitive):\n\n  \
         terraform import postgresql_grant_role.example '[\"app_user\",\"readers\"]'\n\n\
         Escape a double quote or backslash inside a name as in JSON (\\\" and \\\\)."
    );
    if !id.trim_start().starts_with('[') && (id.ends_with("_true") || id.ends_with("_false")) {
        msg.push_str(
            " (IDs of the form role_grantrole_bool from the reference provider are ambiguous \
             and cannot be imported.)",
        );
    }
    Err(msg)
}

/// The `postgresql_grant_role` resource.
pub struct GrantRoleResource {
    state: Arc<ProviderState>,
}

impl GrantRoleResource {
    /// A grant_role resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> GrantRoleResource {
        GrantRoleResource { state }
    }

    fn ctx(client: &Client, member: &str, granted: &str) -> ErrorContext {
        ErrorContext {
            connected_as: client.info.current_user.clone(),
            privilege_needed: Some(
                "ADMIN OPTION on the granted role (on PostgreSQL 15 and older, the CREATEROLE \
                 attribute also suffices; granting a superuser role needs SUPERUSER)"
                    .into(),
            ),
            import_command: Some(import_command(member, granted)),
            object: format!("membership of role {member:?} in role {granted:?}"),
        }
    }
}

fn import_command(member: &str, granted: &str) -> String {
    format!(
        "terraform import postgresql_grant_role.<resource name> '{}'",
        grant_id(member, granted).replace('\'', "'\\''")
    )
}

/// What the configuration or plan wants.
fn wanted(v: &Value) -> Wanted {
    Wanted {
        admin: boolean(v, "with_admin_option", false),
        inherit: v.get("inherit_option").as_bool(),
        set: v.get("set_option").as_bool(),
    }
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map(Value::bool).unwrap_or(Value::Null)
}

/// The state value for a catalog row.
fn state_of(member: &str, granted: &str, row: &GrantRow) -> Value {
    Value::object([
        ("id", Value::string(grant_id(member, granted))),
        ("role", Value::string(member)),
        ("grant_role", Value::string(granted)),
        ("with_admin_option", Value::bool(row.admin)),
        ("inherit_option", opt_bool(row.inherit)),
        ("set_option", opt_bool(row.set)),
        (
            "granted_by",
            row.grantor
                .clone()
                .map(Value::string)
                .unwrap_or(Value::Null),
        ),
    ])
}

fn version_text(version_num: i32) -> String {
    format!("{}.{}", version_num / 10_000, version_num % 10_000)
}

/// Turns a membership error into a diagnostic that says what to do.
fn grant_diag(e: &GrantError, client: &Client, member: &str, granted: &str) -> Diagnostics {
    let d = match e {
        GrantError::Pg(pg) => {
            let server = pg.db_message().unwrap_or_else(|| pg.to_string());
            match pg.sqlstate().map(|s| s.code()) {
                // dependent_privileges_exist
                Some("2BP01") => Diagnostic::error(
                    "Dependent Grants Exist",
                    format!(
                        "{server}\n\nRole {member:?} has used the ADMIN OPTION of this grant to grant \
                         role {granted:?} to other roles. PostgreSQL keeps the ADMIN OPTION while those \
                         grants exist. Revoke them first (they are the pg_auth_members rows of role \
                         {granted:?} whose grantor is {member:?}), then apply again."
                    ),
                ),
                // invalid_grant_operation: PostgreSQL's own cycle check.
                Some("0LP01") => Diagnostic::error(
                    "Role Membership Cycle",
                    format!(
                        "{server}\n\nGranting role {granted:?} to {member:?} would make a role a member \
                         of itself. Remove one of the memberships."
                    ),
                ),
                _ => return pg_diag(pg, &GrantRoleResource::ctx(client, member, granted)),
            }
        }
        GrantError::RoleMissing { name, is_member } => missing_role(name, *is_member, true),
        GrantError::Cycle { member, granted } => cycle_diag(member, granted),
        GrantError::AlreadyGranted {
            member,
            granted,
            grantor,
        } => Diagnostic::error(
            "Role Membership Already Granted",
            format!(
                "Role {member:?} already has a grant of role {granted:?}{} that is not in the \
                 Terraform state. To manage it, import it:\n\n  {}",
                grantor
                    .as_ref()
                    .map(|g| format!(" recorded with grantor {g:?}"))
                    .unwrap_or_default(),
                import_command(member, granted)
            ),
        ),
        GrantError::NotAuthorized {
            user,
            granted,
            reason,
        } => not_authorized(user, granted, *reason, client.info.version_num),
        GrantError::OptionsUnsupported { version_num } => Diagnostic::error(
            "Option Requires PostgreSQL 16",
            format!(
                "inherit_option and set_option need PostgreSQL 16 or later; this server runs {}. \
                 Remove them: on older servers inheritance follows the member's INHERIT attribute \
                 and every member may SET ROLE.",
                version_text(*version_num)
            ),
        ),
        GrantError::NotGranted {
            member,
            granted,
            grantor: None,
            ..
        } => Diagnostic::error(
            "Role Membership Not Found",
            format!(
                "Role {member:?} is not a member of role {granted:?}, so there is nothing to \
                 import. Let Terraform create the membership instead."
            ),
        ),
        GrantError::NotGranted {
            member,
            granted,
            grantor: Some(grantor),
            others,
        } => Diagnostic::error(
            "Role Membership Not Found",
            format!(
                "Role {member:?} has no grant of role {granted:?} recorded with grantor {grantor:?}, \
                 the grantor PostgreSQL records for grants made by the provider's user {:?}.{} This \
                 resource manages only that grant, so there is nothing to import. Let Terraform \
                 create it instead.",
                client.info.current_user,
                if others.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Grants of this pair by other grantors exist ({}); they are left alone.",
                        others
                            .iter()
                            .map(|o| format!("{o:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        ),
    };
    d.into()
}

fn missing_role(name: &str, is_member: bool, at_apply: bool) -> Diagnostic {
    let attr = if is_member { "role" } else { "grant_role" };
    let what = if is_member {
        "the member"
    } else {
        "the role being granted"
    };
    let mut detail = format!(
        "Role {name:?} ({what}, attribute {attr}) does not exist. Create it first, or fix the name \
         (role names are case-sensitive and used exactly as written)."
    );
    if !at_apply {
        detail.push_str(
            " If a postgresql_role resource in this configuration creates it, reference that \
             resource (for example role = postgresql_role.app.name) so Terraform plans and creates \
             it before this grant.",
        );
    }
    Diagnostic::error("Role Not Found", detail).at(attr)
}

fn cycle_diag(member: &str, granted: &str) -> Diagnostic {
    Diagnostic::error(
        "Role Membership Cycle",
        format!(
            "Granting role {granted:?} to role {member:?} would create a membership cycle: \
             {granted:?} is already a member of {member:?} (directly or through other roles), and \
             PostgreSQL does not allow a role to be a member of itself. Remove one of the two \
             memberships."
        ),
    )
    .at("grant_role")
}

fn not_authorized(
    user: &str,
    granted: &str,
    reason: MissingAuthority,
    version_num: i32,
) -> Diagnostic {
    let summary = match reason {
        MissingAuthority::SuperuserRole => "Granting A Superuser Role Needs A Superuser",
        _ => "Missing ADMIN OPTION",
    };
    let detail = match reason {
        MissingAuthority::SuperuserRole => format!(
            "Role {granted:?} is a superuser, and only superusers may grant superuser roles. The \
             provider connects as {user:?}, which is not a superuser."
        ),
        MissingAuthority::NoAdmin if version_num >= PG16 => format!(
            "The provider connects as {user:?}, which does not hold ADMIN OPTION on role \
             {granted:?}. Since PostgreSQL 16 only roles with ADMIN OPTION on a role may grant it \
             (a CREATEROLE user gets it automatically for the roles it creates). Have a superuser \
             run GRANT \"{granted}\" TO \"{user}\" WITH ADMIN OPTION, or configure the provider \
             with a role that has it."
        ),
        MissingAuthority::NoAdmin => format!(
            "The provider connects as {user:?}, which has neither the CREATEROLE attribute nor \
             ADMIN OPTION on role {granted:?}. Give it one of them, or configure the provider with \
             a role that has it."
        ),
        MissingAuthority::AdminNotInherited => format!(
            "The provider connects as {user:?}, which holds ADMIN OPTION on role {granted:?} only \
             through a membership granted WITH INHERIT FALSE. PostgreSQL records a grant in the name \
             of a role whose privileges the grantor inherits, so it cannot grant {granted:?}. Grant \
             {user:?} ADMIN OPTION on {granted:?} directly, or make that membership inherit."
        ),
    };
    Diagnostic::error(summary, detail).at("grant_role")
}

/// The reviewer warning for granting a role with powerful attributes, or
/// one of the predefined roles that amount to them. The summary names the
/// role: Terraform folds warnings with equal summaries into one.
fn escalation_warning(member: &str, granted: &str, flags: PlannedRole) -> Option<Diagnostic> {
    if let Some((_, power)) = POWERFUL_PREDEFINED.iter().find(|(n, _)| *n == granted) {
        return Some(
            Diagnostic::warning(
                format!("Granting Privileged Role {granted:?}"),
                format!(
                "This grants the predefined role {granted:?} to {member:?}, which lets it {power}. \
                 Check that {member:?} should have this power. (Warning only; the apply is not \
                 blocked.)"
            ),
            )
            .at("grant_role"),
        );
    }
    let mut attrs = Vec::new();
    if flags.superuser == Some(true) {
        attrs.push("SUPERUSER (bypasses every permission check)");
    }
    if flags.bypassrls == Some(true) {
        attrs.push("BYPASSRLS (ignores every row-level security policy)");
    }
    if flags.createrole == Some(true) {
        attrs.push("CREATEROLE (creates and administers roles)");
    }
    if attrs.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            format!("Granting Privileged Role {granted:?}"),
            format!(
                "This grants role {granted:?} to {member:?}. {granted:?} has {}. Role attributes \
                 are not inherited, but a member allowed to SET ROLE {granted:?} acts with them. \
                 Check that {member:?} should have this power. (Warning only; the apply is not \
                 blocked.)",
                attrs.join(", ")
            ),
        )
        .at("grant_role"),
    )
}

#[async_trait]
impl Resource for GrantRoleResource {
    fn type_name(&self) -> &'static str {
        "postgresql_grant_role"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description: "Grants membership in a role to another role (`GRANT grant_role TO role`).\n\n\
                    On PostgreSQL 16 and later a pair of roles can hold several grants, one per grantor. \
                    This resource manages exactly the grant made by the provider's connection: PostgreSQL \
                    records grants by any superuser with the bootstrap superuser as grantor, and grants by \
                    other roles with the role through which they hold ADMIN OPTION. It reads, changes and \
                    revokes only that grant (`REVOKE ... GRANTED BY`), and leaves grants by other grantors \
                    alone. It manages only the membership it names, so it can be used next to \
                    `postgresql_role.roles` for other memberships of the same role.\n\n\
                    Option changes are made in place. Concurrent grants that share a role are serialized \
                    with transaction-scoped advisory locks, so parallel applies do not fail.\n\n\
                    **Import** with a JSON array of the member (`role`) and the granted role (`grant_role`), \
                    which is unambiguous for any role names:\n\n\
                    ```shell\nterraform import postgresql_grant_role.example '[\"app_user\",\"readers\"]'\n```\n\n\
                    The grant imported is the one the provider's connection would make (see `granted_by`).".into(),
                attributes: vec![
                    Attribute::computed("id", Type::String, "JSON array of `role` and `grant_role`, e.g. `[\"app_user\",\"readers\"]`; also the import ID.").stable(),
                    Attribute::required("role", Type::String, "The member: the role that receives the membership.").replaces(),
                    Attribute::required("grant_role", Type::String, "The role whose membership is granted.").replaces(),
                    Attribute::optional("with_admin_option", Type::Bool, "Whether the member may grant `grant_role` to others (ADMIN OPTION). Changed in place. On PostgreSQL 16 and later it is turned off with `REVOKE ADMIN OPTION FOR`, which fails while the member has granted the role to others with it.").with_default(Value::bool(false)),
                    Attribute::optional("inherit_option", Type::Bool, "Whether the member uses the privileges of `grant_role` automatically (INHERIT option). When unset, PostgreSQL's default applies (the member's INHERIT attribute at grant time) and the recorded value is shown. Changed in place.").and_computed().stable().note("Requires PostgreSQL 16 or later: on older servers it is always null, and setting it is an error."),
                    Attribute::optional("set_option", Type::Bool, "Whether the member may `SET ROLE` to `grant_role` (SET option). When unset, PostgreSQL's default (`true`) applies and the recorded value is shown. Changed in place.").and_computed().stable().note("Requires PostgreSQL 16 or later: on older servers it is always null, and setting it is an error."),
                    Attribute::computed("granted_by", Type::String, "The grantor PostgreSQL recorded for this grant: the bootstrap superuser when the provider connects as any superuser, otherwise the provider's user or the role through which it holds ADMIN OPTION. On PostgreSQL 15 and older the grantor is informational (null when it names a dropped role).").stable(),
                ],
                blocks: vec![],
            },
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        for (attr, what) in [
            ("role", "Member Role Name"),
            ("grant_role", "Granted Role Name"),
        ] {
            if let Some(name) = config.get(attr).as_str() {
                if let Some(e) = check_identifier(attr, what, name) {
                    d.push(e);
                } else if PSEUDO_ROLES.contains(&name) {
                    d.push(
                        Diagnostic::error(
                            "Not A Role Name",
                            format!(
                                "{attr} is {name:?}, which PostgreSQL treats as a keyword rather than a \
                                 role (public, none, current_user, session_user, current_role). Use \
                                 the name of an actual role."
                            ),
                        )
                        .at(attr),
                    );
                }
            }
        }
        if let (Some(m), Some(g)) = (
            config.get("role").as_str(),
            config.get("grant_role").as_str(),
        ) {
            if m == g {
                d.push(cycle_diag(m, g));
            }
        }
        d
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let member = plan.value.get("role").as_str().map(str::to_string);
        let granted = plan.value.get("grant_role").as_str().map(str::to_string);
        let id = match (&member, &granted) {
            (Some(m), Some(g)) => Value::string(grant_id(m, g)),
            _ => Value::unknown(),
        };
        plan.value.set("id", id);
        let creating = input.prior.is_null();
        if let (true, Some(m), Some(g)) = (creating, &member, &granted) {
            // Name-based, so it needs no server.
            if let Some(w) = POWERFUL_PREDEFINED
                .iter()
                .any(|(n, _)| n == g)
                .then(|| escalation_warning(m, g, PlannedRole::default()))
                .flatten()
            {
                d.push(w);
            }
        }

        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let version = client.info.version_num;
        if version < PG16 {
            for attr in ["inherit_option", "set_option"] {
                let v = input.config.get(attr);
                if v.is_null() {
                    plan.value.set(attr, Value::Null);
                } else if !v.is_unknown() {
                    d.push(
                        Diagnostic::error(
                            "Option Requires PostgreSQL 16",
                            format!(
                                "{attr} needs PostgreSQL 16 or later; this server runs {}. Remove it: \
                                 on older servers inheritance follows the member's INHERIT attribute \
                                 and every member may SET ROLE.",
                                version_text(version)
                            ),
                        )
                        .at(attr),
                    );
                }
            }
            // Before 16, GRANT ... WITH ADMIN OPTION records the current user
            // as the new grantor.
            if !creating
                && plan.value.get("with_admin_option") != input.prior.get("with_admin_option")
            {
                plan.value.set("granted_by", Value::unknown());
            }
        }
        if !creating || d.has_errors() {
            return d;
        }
        let (Some(m), Some(g)) = (member, granted) else {
            return d;
        };
        let conn = match client.pools.get(None).await {
            Ok(c) => c,
            Err(e) => {
                d.extend(pg_diag(&e, &Self::ctx(&client, &m, &g)));
                return d;
            }
        };
        let facts = match sql::inspect(&**conn, version, &m, &g).await {
            Ok(f) => f,
            Err(e) => {
                d.extend(pg_diag(&e, &Self::ctx(&client, &m, &g)));
                return d;
            }
        };
        let planned_member = self.state.planned.role(&m);
        let planned_granted = self.state.planned.role(&g);
        if facts.member.is_none() && planned_member.is_none() {
            d.push(missing_role(&m, true, false));
        }
        if facts.granted.is_none() && planned_granted.is_none() {
            d.push(missing_role(&g, false, false));
        }
        if facts.cycle {
            d.push(cycle_diag(&m, &g));
        }
        if let Some(Authority::Missing(reason)) = facts.authority {
            d.push(not_authorized(&facts.current_user, &g, reason, version));
        }
        if !POWERFUL_PREDEFINED.iter().any(|(n, _)| *n == g) {
            let flags = planned_granted.or_else(|| {
                facts.granted.map(|f| PlannedRole {
                    superuser: Some(f.superuser),
                    bypassrls: Some(f.bypassrls),
                    createrole: Some(f.createrole),
                })
            });
            if let Some(w) = flags.and_then(|f| escalation_warning(&m, &g, f)) {
                d.push(w);
            }
        }
        d
    }

    async fn create(&self, planned: &Value, _config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let member = string(planned, "role").unwrap_or_default();
        let granted = string(planned, "grant_role").unwrap_or_default();
        let row = sql::create(
            &client.pools,
            &client.stop,
            client.info.version_num,
            &member,
            &granted,
            wanted(planned),
        )
        .await
        .map_err(|e| grant_diag(&e, &client, &member, &granted))?;
        Ok(state_of(&member, &granted, &row))
    }

    async fn update(&self, prior: &Value, planned: &Value, _config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let member = string(planned, "role").unwrap_or_default();
        let granted = string(planned, "grant_role").unwrap_or_default();
        let version = client.info.version_num;
        let Some(grantor) = self
            .owned_grantor(&client, prior, &member, &granted)
            .await?
        else {
            return Err(missing_role(&granted, false, true).into());
        };
        let row = sql::update(
            &client.pools,
            &client.stop,
            version,
            &member,
            &granted,
            &grantor,
            wanted(prior),
            wanted(planned),
        )
        .await
        .map_err(|e| grant_diag(&e, &client, &member, &granted))?;
        Ok(state_of(&member, &granted, &row))
    }

    async fn delete(&self, prior: &Value) -> DResult<()> {
        let client = self.state.client().await?;
        let member = string(prior, "role").unwrap_or_default();
        let granted = string(prior, "grant_role").unwrap_or_default();
        let Some(grantor) = self
            .owned_grantor(&client, prior, &member, &granted)
            .await?
        else {
            // The granted role is gone, and its memberships with it.
            return Ok(());
        };
        sql::delete(
            &client.pools,
            &client.stop,
            client.info.version_num,
            &member,
            &granted,
            &grantor,
        )
        .await
        .map_err(|e| grant_diag(&e, &client, &member, &granted))
    }

    async fn read(&self, current: &Value) -> DResult<Option<Value>> {
        let client = self.state.client().await?;
        let (member, granted) = match (string(current, "role"), string(current, "grant_role")) {
            (Some(m), Some(g)) => (m, g),
            _ => match string(current, "id").map(|id| parse_id(&id)) {
                Some(Ok(pair)) => pair,
                _ => return Ok(None),
            },
        };
        let version = client.info.version_num;
        let ctx = Self::ctx(&client, &member, &granted);
        let Some(grantor) = self
            .owned_grantor(&client, current, &member, &granted)
            .await?
        else {
            return Ok(None);
        };
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let row = sql::read_grant(&**conn, version, &member, &granted, &grantor)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        Ok(row.map(|r| state_of(&member, &granted, &r)))
    }

    async fn import(&self, id: &str) -> DResult<Value> {
        let (member, granted) = parse_id(id)
            .map_err(|msg| Diagnostics::from(Diagnostic::error("Invalid Import ID", msg)))?;
        let client = self.state.client().await?;
        let version = client.info.version_num;
        let ctx = Self::ctx(&client, &member, &granted);
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let diag = |e: GrantError| grant_diag(&e, &client, &member, &granted);
        let facts = sql::inspect(&**conn, version, &member, &granted)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        if facts.member.is_none() {
            return Err(missing_role(&member, true, true).into());
        }
        if facts.granted.is_none() {
            return Err(missing_role(&granted, false, true).into());
        }
        let grantor = if version >= PG16 {
            Some(
                sql::expected_grantor(&**conn, version, &granted)
                    .await
                    .map_err(diag)?,
            )
        } else {
            None
        };
        let by = grantor.clone().unwrap_or_default();
        match sql::read_grant(&**conn, version, &member, &granted, &by)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?
        {
            Some(row) => Ok(state_of(&member, &granted, &row)),
            None => {
                let others = sql::grantors(&**conn, &member, &granted)
                    .await
                    .map_err(|e| pg_diag(&e, &ctx))?;
                Err(diag(GrantError::NotGranted {
                    member: member.clone(),
                    granted: granted.clone(),
                    grantor,
                    others,
                }))
            }
        }
    }
}

impl GrantRoleResource {
    /// The grantor of the grant this resource owns: the one in state (the
    /// grant it made), or for states without one (imported from another
    /// provider) the grantor the provider's connection gets. `None` when the
    /// granted role does not exist. Before 16 the grantor does not identify
    /// a grant, so any value will do.
    async fn owned_grantor(
        &self,
        client: &Client,
        state: &Value,
        member: &str,
        granted: &str,
    ) -> DResult<Option<String>> {
        let version = client.info.version_num;
        if version < PG16 {
            return Ok(Some(string(state, "granted_by").unwrap_or_default()));
        }
        if let Some(g) = string(state, "granted_by") {
            return Ok(Some(g));
        }
        let ctx = Self::ctx(client, member, granted);
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        match sql::expected_grantor(&**conn, version, granted).await {
            Ok(g) => Ok(Some(g)),
            Err(GrantError::RoleMissing { .. }) => Ok(None),
            Err(e) => Err(grant_diag(&e, client, member, granted)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_for_awkward_names() {
        for (m, g) in [
            ("app_user", "readers"),
            ("a_b", "c_d_true"),
            ("x|y", "p.q"),
            ("with \"quotes\"", "back\\slash"),
            ("sp ace", "rôle, 角色"),
            ("[", "]"),
        ] {
            let id = grant_id(m, g);
            assert_eq!(parse_id(&id), Ok((m.to_string(), g.to_string())), "{id}");
        }
        assert_eq!(grant_id("a", "b"), r#"["a","b"]"#);
        assert_eq!(
            parse_id(r#" [ "a" , "b" ] "#),
            Ok(("a".to_string(), "b".to_string()))
        );
    }

    #[test]
    fn bad_ids_explain_the_format() {
        for bad in [
            "a_b_false",
            "a|b",
            r#"["a"]"#,
            r#"["a","b","c"]"#,
            r#"["a",1]"#,
            r#"["","b"]"#,
            r#"{"role":"a"}"#,
            r#"["a","b"] x"#,
        ] {
            let err = parse_id(bad).unwrap_err();
            assert!(err.contains(r#"'["app_user","readers"]'"#), "{err}");
            assert!(err.contains(bad), "{err}");
        }
        assert!(parse_id("a_b_false")
            .unwrap_err()
            .contains("reference provider"));
    }

    #[test]
    fn warnings_name_the_power() {
        let w = escalation_warning("m", "pg_read_all_data", PlannedRole::default()).unwrap();
        assert!(w.detail.contains("read every table"));
        let w = escalation_warning(
            "m",
            "boss",
            PlannedRole {
                superuser: Some(true),
                bypassrls: Some(true),
                createrole: None,
            },
        )
        .unwrap();
        assert!(w.detail.contains("SUPERUSER") && w.detail.contains("BYPASSRLS"));
        assert!(escalation_warning("m", "plain", PlannedRole::default()).is_none());
    }
}
