//! `postgresql_role`: a PostgreSQL role, with the reference provider's
//! attribute names and defaults so existing configurations carry over.
//!
//! Passwords reach the server only as SCRAM-SHA-256 verifiers computed here.
//! `roles` is managed only when set: memberships granted elsewhere (for
//! example by `postgresql_grant_role`) never show as a diff.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::pg::error::PgError;
use crate::pg::role::{self as sql, RoleFlags, RoleSettings, RoleSpec, RoleUpdate};
use crate::pg::scram;
use crate::protocol::{
    Attribute, Block, DResult, Diagnostic, Diagnostics, PlanInput, Planned, Resource, Schema, Type,
    Value,
};

use super::errors::{pg_diag, ErrorContext};
use super::planned::PlannedRole;
use super::state::{Client, ProviderState};
use super::util::{boolean, check_identifier, int, string, strings};

/// Names PostgreSQL reserves or that denote something other than a role.
const RESERVED_NAMES: &[&str] = &[
    "public",
    "none",
    "current_user",
    "session_user",
    "current_role",
];

/// The boolean attributes, their defaults and descriptions.
const FLAGS: &[(&str, bool, &str)] = &[
    (
        "superuser",
        false,
        "Whether the role is a superuser, bypassing every permission check.",
    ),
    (
        "create_database",
        false,
        "Whether the role may create databases (CREATEDB).",
    ),
    (
        "create_role",
        false,
        "Whether the role may create, alter and drop other roles (CREATEROLE).",
    ),
    (
        "inherit",
        true,
        "Whether the role automatically uses the privileges of roles it is a member of (INHERIT).",
    ),
    ("login", false, "Whether the role may log in (LOGIN)."),
    (
        "replication",
        false,
        "Whether the role may start streaming replication (REPLICATION).",
    ),
    (
        "bypass_row_level_security",
        false,
        "Whether the role bypasses every row-level security policy (BYPASSRLS).",
    ),
];

/// The `postgresql_role` resource.
pub struct RoleResource {
    state: Arc<ProviderState>,
}

impl RoleResource {
    /// A role resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> RoleResource {
        RoleResource { state }
    }

    fn ctx(client: &Client, name: &str) -> ErrorContext {
        ErrorContext {
            connected_as: client.info.current_user.clone(),
            privilege_needed: Some(
                "the CREATEROLE attribute (and SUPERUSER to manage superuser, replication or \
                 bypass_row_level_security roles; on PostgreSQL 16 and later also ADMIN OPTION on \
                 the role being changed)"
                    .into(),
            ),
            import_command: Some(format!(
                "terraform import postgresql_role.<resource name> '{}'",
                name.replace('\'', "'\\''")
            )),
            object: format!("role {name:?}"),
        }
    }
}

/// Reads the spec Terraform wants from a planned or prior state value.
fn spec_of(v: &Value) -> RoleSpec {
    RoleSpec {
        name: string(v, "name").unwrap_or_default(),
        flags: RoleFlags {
            superuser: boolean(v, "superuser", false),
            create_database: boolean(v, "create_database", false),
            create_role: boolean(v, "create_role", false),
            inherit: boolean(v, "inherit", true),
            login: boolean(v, "login", false),
            replication: boolean(v, "replication", false),
            bypass_row_level_security: boolean(v, "bypass_row_level_security", false),
        },
        connection_limit: int(v, "connection_limit", -1) as i32,
        valid_until: string(v, "valid_until").unwrap_or_else(|| "infinity".into()),
        settings: RoleSettings {
            search_path: v
                .get("search_path")
                .as_elements()
                .map(|e| {
                    e.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            statement_timeout_ms: int(v, "statement_timeout", 0),
            idle_in_transaction_session_timeout_ms: int(
                v,
                "idle_in_transaction_session_timeout",
                0,
            ),
            assume_role: string(v, "assume_role").unwrap_or_default(),
        },
    }
}

/// The verifier to send for a password the user configured: a valid
/// pre-hashed value is sent as is, anything else is hashed here. The empty
/// string means "no password" (`PASSWORD NULL`), as it does to PostgreSQL,
/// which refuses to store an empty password.
fn verifier_for(password: &str) -> Option<String> {
    if password.is_empty() {
        None
    } else if scram::looks_like_hash(password) {
        Some(password.to_string())
    } else {
        Some(scram::new_verifier(password))
    }
}

/// Validates a password attribute value at plan time.
fn check_password(attr: &str, password: &str, d: &mut Diagnostics) {
    if password.starts_with("SCRAM-SHA-256$") {
        if let Err(e) = scram::parse_verifier(password) {
            d.push(
                Diagnostic::error(
                    "Malformed SCRAM Verifier",
                    format!(
                        "{attr} starts like a SCRAM-SHA-256 verifier but is not a valid one ({e}). \
                         PostgreSQL would silently treat it as a plain password. Supply a complete \
                         verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>) or the \
                         password itself."
                    ),
                )
                .at(attr),
            );
        }
    } else if scram::looks_like_hash(password) && !scram::is_md5_hash(password) {
        d.push(
            Diagnostic::error(
                "Malformed MD5 Password Hash",
                format!("{attr} starts like an MD5 password hash but is not one (md5 followed by 32 hex digits)."),
            )
            .at(attr),
        );
    }
}

/// Builds the state value Terraform sees from a catalog row.
fn state_from_row(row: &sql::RoleRow, base: &Value, roles: Value, password: Value) -> Value {
    let spec = &row.spec;
    let mut v = base.clone();
    if !matches!(v, Value::Object(_)) {
        v = Value::Object(Default::default());
    }
    v.set("id", Value::string(&spec.name));
    v.set("name", Value::string(&spec.name));
    let f = spec.flags;
    for (attr, on) in [
        ("superuser", f.superuser),
        ("create_database", f.create_database),
        ("create_role", f.create_role),
        ("inherit", f.inherit),
        ("login", f.login),
        ("replication", f.replication),
        ("bypass_row_level_security", f.bypass_row_level_security),
    ] {
        v.set(attr, Value::bool(on));
    }
    v.set(
        "connection_limit",
        Value::int(i64::from(spec.connection_limit)),
    );
    v.set("valid_until", Value::string(&spec.valid_until));
    let s = &spec.settings;
    let search_path = if s.search_path.is_empty() && base.get("search_path").is_null() {
        Value::Null
    } else {
        Value::string_list(s.search_path.iter().cloned())
    };
    v.set("search_path", search_path);
    v.set("statement_timeout", Value::int(s.statement_timeout_ms));
    v.set(
        "idle_in_transaction_session_timeout",
        Value::int(s.idle_in_transaction_session_timeout_ms),
    );
    v.set("assume_role", Value::string(&s.assume_role));
    v.set("roles", roles);
    v.set("password", password);
    for (attr, default) in [
        ("encrypted_password", true),
        ("skip_drop_role", false),
        ("skip_reassign_owned", false),
    ] {
        if v.get(attr).is_null() {
            v.set(attr, Value::bool(default));
        }
    }
    v
}

/// The diagnostic for a failed `valid_until` check. Only the server's
/// refusal of the text (SQLSTATE class 22, data exception) says the value is
/// wrong; anything else, a lost connection say, is reported as what it is.
fn valid_until_diag(e: &PgError, planned: &str, ctx: &ErrorContext) -> Diagnostics {
    if !e.sqlstate().is_some_and(|s| s.code().starts_with("22")) {
        return pg_diag(e, ctx);
    }
    Diagnostic::error(
        "Invalid valid_until",
        format!(
            "valid_until {planned:?} is not a timestamp PostgreSQL accepts: {}. Use for example \
             \"2030-01-01 00:00:00+00\" or \"infinity\".",
            e.db_message().unwrap_or_else(|| e.to_string())
        ),
    )
    .at("valid_until")
    .into()
}

#[async_trait]
impl Resource for RoleResource {
    fn type_name(&self) -> &'static str {
        "postgresql_role"
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![
            Attribute::computed("id", Type::String, "The role name.").stable(),
            Attribute::required("name", Type::String, "Name of the role. Changing it renames the role in place (`ALTER ROLE ... RENAME TO`)."),
        ];
        for (name, default, desc) in FLAGS {
            attributes.push(
                Attribute::optional(name, Type::Bool, desc).with_default(Value::bool(*default)),
            );
        }
        attributes.extend([
            Attribute::optional("connection_limit", Type::Number, "Most concurrent connections the role may open; `-1` means no limit.").with_default(Value::int(-1)).int_range(-1, i64::from(i32::MAX)),
            Attribute::optional("valid_until", Type::String, "Time after which the role's password stops working, as a PostgreSQL timestamp, or `infinity`. Compared as a timestamp, so formatting and time zones never cause a diff.").with_default(Value::string("infinity")),
            Attribute::optional("password", Type::String, "Password of the role. Sent to the server only as a SCRAM-SHA-256 verifier computed by the provider; a valid pre-computed `SCRAM-SHA-256$...` verifier or `md5...` hash is sent as is. Stored in state (sensitive); use `password_wo` to keep it out of state. When the provider can read `pg_authid`, a password changed outside Terraform shows as a diff.").sensitive(),
            Attribute::optional("password_wo", Type::String, "Write-only password (Terraform 1.11+): never stored in plan or state. Sent, as a SCRAM verifier, when the role is created and whenever `password_wo_version` changes.").sensitive().write_only(),
            Attribute::optional("password_wo_version", Type::String, "Any value; change it to send `password_wo` again. Required with `password_wo`."),
            Attribute::optional("encrypted_password", Type::Bool, "Accepted for compatibility with the reference provider. Passwords are always sent as SCRAM-SHA-256 verifiers.").with_default(Value::bool(true)),
            Attribute::optional("encrypted", Type::String, "Accepted for compatibility with the reference provider and ignored.").deprecated("Has no effect; remove it."),
            Attribute::optional("roles", Type::set(Type::String), "Roles this role is a member of. Managed only when set: memberships granted outside this attribute (for example by `postgresql_grant_role`) never cause a diff, while a listed membership revoked outside Terraform does. After an import it lists every current membership; a configuration that leaves it unset keeps them and plans no change.").and_computed().stable(),
            Attribute::optional("search_path", Type::list(Type::String), "The role's default `search_path`, element by element (`ALTER ROLE ... SET search_path`)."),
            Attribute::optional("statement_timeout", Type::Number, "The role's `statement_timeout` in milliseconds; `0` leaves it unset.").with_default(Value::int(0)).int_range(0, i64::from(i32::MAX)),
            Attribute::optional("idle_in_transaction_session_timeout", Type::Number, "The role's `idle_in_transaction_session_timeout` in milliseconds; `0` leaves it unset.").with_default(Value::int(0)).int_range(0, i64::from(i32::MAX)),
            Attribute::optional("assume_role", Type::String, "Role to switch to at login (`ALTER ROLE ... SET role`); empty leaves it unset.").with_default(Value::string("")),
            Attribute::optional("skip_drop_role", Type::Bool, "When destroyed, leave the role in place and only forget it.").with_default(Value::bool(false)),
            Attribute::optional("skip_reassign_owned", Type::Bool, "When destroyed, skip `REASSIGN OWNED` to the provider's user and `DROP OWNED` in the connected database.").with_default(Value::bool(false)),
        ]);
        Schema {
            version: 1,
            block: Block {
                description: "Manages a PostgreSQL role (a user or group). Import with the role name: `terraform import postgresql_role.example 'role name'`.".into(),
                attributes,
                blocks: vec![],
            },
        }
    }

    /// Version 0 is the reference provider's (SDKv2) layout, which stores
    /// unset lists as `[]` and unset strings as `""`; this provider stores
    /// null for them, so convert or every migrated role would plan a change.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        if version > 1 {
            return Err(Diagnostic::error(
                "State Written By A Newer Provider",
                format!("This postgresql_role was stored with schema version {version}; upgrade the provider."),
            )
            .into());
        }
        if version == 0 {
            for attr in ["roles", "search_path"] {
                if state
                    .get(attr)
                    .as_elements()
                    .is_some_and(<[Value]>::is_empty)
                {
                    state.set(attr, Value::Null);
                }
            }
            for attr in ["password", "password_wo_version", "encrypted"] {
                if state.get(attr).as_str() == Some("") {
                    state.set(attr, Value::Null);
                }
            }
        }
        Ok(state)
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(name) = config.get("name").as_str() {
            if let Some(e) = check_identifier("name", "Role Name", name) {
                d.push(e);
            } else if RESERVED_NAMES.contains(&name) || name.starts_with("pg_") {
                d.push(
                    Diagnostic::error(
                        "Reserved Role Name",
                        format!(
                            "{name:?} is reserved by PostgreSQL (the names public, none, current_user, \
                             session_user, current_role and anything starting with pg_). Choose another name."
                        ),
                    )
                    .at("name"),
                );
            }
        }
        let pw = config.get("password");
        let wo = config.get("password_wo");
        if !pw.is_null() && !wo.is_null() {
            d.push(
                Diagnostic::error(
                    "Conflicting Password Attributes",
                    "password and password_wo cannot both be set. Use password_wo (with \
                     password_wo_version) to keep the password out of state, or password alone.",
                )
                .at("password_wo"),
            );
        }
        if !wo.is_null() && config.get("password_wo_version").is_null() {
            d.push(
                Diagnostic::error(
                    "Missing password_wo_version",
                    "password_wo is never stored, so Terraform cannot tell when it changes. Set \
                     password_wo_version, and change it whenever the password should be sent again.",
                )
                .at("password_wo_version"),
            );
        }
        for attr in ["password", "password_wo"] {
            if let Some(p) = config.get(attr).as_str() {
                check_password(attr, p, &mut d);
            }
        }
        for (attr, what) in [("roles", "Role Name"), ("search_path", "Schema Name")] {
            if let Some(items) = config.get(attr).as_elements() {
                for item in items.iter().filter_map(Value::as_str) {
                    if let Some(e) = check_identifier(attr, what, item) {
                        d.push(e);
                    }
                }
            }
        }
        d
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let d = Diagnostics::new();
        // The id is the role name; a rename changes it, nothing else does.
        let name = plan.value.get("name").clone();
        plan.value.set("id", name);
        // Unset `roles` means "not managed": nothing to show on create. Once
        // a role exists, unset keeps whatever the state lists (after an
        // import, every membership), so an import plans clean.
        if input.prior.is_null() && input.config.get("roles").is_null() {
            plan.value.set("roles", Value::Null);
        }
        if let Some(name) = plan.value.get("name").as_str() {
            let role = PlannedRole {
                superuser: plan.value.get("superuser").as_bool(),
                bypassrls: plan.value.get("bypass_row_level_security").as_bool(),
                createrole: plan.value.get("create_role").as_bool(),
            };
            self.state.planned.note_role(name, role);
        }

        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let planned_vu = plan.value.get("valid_until").as_str().map(str::to_string);
        let prior_vu = input.prior.get("valid_until").as_str().map(str::to_string);
        // Only a value that is new can be wrong or a re-spelling; "infinity"
        // (the default) and an unchanged value cost no round trip.
        let is_infinity = |v: &str| v.trim().eq_ignore_ascii_case("infinity");
        if let (Some(planned), Some(prior)) = (&planned_vu, &prior_vu) {
            if is_infinity(planned) && is_infinity(prior) {
                plan.value.set("valid_until", Value::string(prior));
            }
        }
        let needs_check = planned_vu
            .as_deref()
            .filter(|p| !is_infinity(p) && prior_vu.as_deref() != Some(p));
        if let Some(planned) = needs_check.map(str::to_string) {
            let name = plan
                .value
                .get("name")
                .as_str()
                .unwrap_or_default()
                .to_string();
            let conn = match client.pools.get(None).await {
                Ok(c) => c,
                Err(e) => return pg_diag(&e, &Self::ctx(&client, &name)),
            };
            log::debug!("asking the server whether valid_until {planned:?} is a timestamp");
            if let Err(e) = sql::check_timestamp(&**conn, &planned).await {
                return valid_until_diag(&e, &planned, &Self::ctx(&client, &name));
            }
            // The same instant written differently is not a change.
            if let Some(prior) = prior_vu.filter(|p| *p != planned) {
                if let Ok(true) = sql::same_instant(&**conn, &prior, &planned).await {
                    plan.value.set("valid_until", Value::string(prior));
                }
            }
        }
        d
    }

    async fn create(&self, planned: &Value, config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let spec = spec_of(planned);
        let password = string(planned, "password").or_else(|| string(config, "password_wo"));
        let verifier = password.as_deref().and_then(verifier_for);
        let member_of = strings(planned, "roles");
        let statements = sql::create_role(&spec, verifier.as_deref(), &member_of);
        client
            .run_statements(None, "creating a role", &statements)
            .await
            .map_err(|e| pg_diag(&e, &Self::ctx(&client, &spec.name)))?;
        let mut state = planned.clone();
        state.set("id", Value::string(&spec.name));
        Ok(state)
    }

    async fn update(&self, prior: &Value, planned: &Value, config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let old = spec_of(prior);
        let new = spec_of(planned);
        let password_attr_changed = planned.get("password") != prior.get("password");
        let wo_version_changed =
            planned.get("password_wo_version") != prior.get("password_wo_version");
        // password_wo is checked first: moving from password to password_wo
        // also nulls password, and must set the new password, not clear it.
        let password_change = match string(config, "password_wo") {
            Some(p) if wo_version_changed || password_attr_changed => Some(verifier_for(&p)),
            _ if password_attr_changed => {
                Some(string(planned, "password").and_then(|p| verifier_for(&p)))
            }
            _ => None,
        };
        let (grant, revoke) = if planned.get("roles").is_null() {
            (Vec::new(), Vec::new())
        } else {
            let want: BTreeSet<String> = strings(planned, "roles").into_iter().collect();
            let had: BTreeSet<String> = strings(prior, "roles").into_iter().collect();
            (
                want.difference(&had).cloned().collect::<Vec<_>>(),
                had.difference(&want).cloned().collect::<Vec<_>>(),
            )
        };
        let statements = sql::alter_role(&RoleUpdate {
            old_name: &old.name,
            new: Some(&new),
            old: Some(&old),
            password: password_change.as_ref().map(|p| p.as_deref()),
            valid_until_changed: new.valid_until != old.valid_until,
            grant: &grant,
            revoke: &revoke,
        });
        client
            .run_statements(None, "changing a role", &statements)
            .await
            .map_err(|e| pg_diag(&e, &Self::ctx(&client, &new.name)))?;
        let mut state = planned.clone();
        state.set("id", Value::string(&new.name));
        Ok(state)
    }

    async fn delete(&self, prior: &Value) -> DResult<()> {
        let client = self.state.client().await?;
        let name = string(prior, "name").unwrap_or_default();
        let statements = sql::drop_role(
            &name,
            &client.info.current_user,
            !boolean(prior, "skip_reassign_owned", false),
            !boolean(prior, "skip_drop_role", false),
        );
        client
            .run_statements(None, "dropping a role", &statements)
            .await
            .map_err(|e| pg_diag(&e, &Self::ctx(&client, &name)))
    }

    async fn read(&self, current: &Value) -> DResult<Option<Value>> {
        let client = self.state.client().await?;
        let name = string(current, "name")
            .or_else(|| string(current, "id"))
            .unwrap_or_default();
        let ctx = Self::ctx(&client, &name);
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let vu = string(current, "valid_until");
        let Some(row) = sql::read_role(&**conn, &name, vu.as_deref())
            .await
            .map_err(|e| pg_diag(&e, &ctx))?
        else {
            return Ok(None);
        };
        // Listed memberships that were revoked outside Terraform drop out;
        // memberships granted elsewhere are not this attribute's business.
        let roles = match current.get("roles").as_string_set() {
            None => Value::Null,
            Some(listed) => {
                Value::string_set(listed.into_iter().filter(|r| row.member_of.contains(r)))
            }
        };
        let mut password = current.get("password").clone();
        if let (Some(pw), true) = (password.as_str(), client.read_passwords) {
            let stored = sql::read_password_hash(&**conn, &name)
                .await
                .map_err(|e| pg_diag(&e, &ctx))?;
            let still_valid = match &stored {
                // No password stored is what "" asks for.
                None => pw.is_empty(),
                Some(_) if pw.is_empty() => false,
                Some(s) if scram::looks_like_hash(pw) => s == pw,
                Some(s) => scram::password_matches_for(s, pw, &name),
            };
            if !still_valid {
                log::info!("password of role {name:?} was changed outside Terraform");
                password = Value::Null;
            }
        }
        Ok(Some(state_from_row(&row, current, roles, password)))
    }

    async fn import(&self, id: &str) -> DResult<Value> {
        let client = self.state.client().await?;
        let ctx = Self::ctx(&client, id);
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let row = sql::read_role(&**conn, id, None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Role Not Found",
                    format!("No role named {id:?} exists. The import ID is the exact role name (case-sensitive)."),
                ))
            })?;
        // On import, every current membership is shown, so the configuration
        // can list exactly what exists. No membership at all is null, as for
        // a configuration without `roles`: an empty set would plan a change
        // to null right after importing such a configuration.
        let roles = if row.member_of.is_empty() {
            Value::Null
        } else {
            Value::string_set(row.member_of.iter().cloned())
        };
        Ok(state_from_row(&row, &Value::Null, roles, Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_connection_is_not_an_invalid_valid_until() {
        let ctx = ErrorContext::default();
        for e in [
            PgError::Connect {
                endpoint: "127.0.0.1:5432".into(),
                cause: "connection closed".into(),
                sqlstate: None,
            },
            PgError::Pool("timed out waiting for a free connection".into()),
        ] {
            let d = valid_until_diag(&e, "infinity", &ctx);
            assert!(
                d.0.iter().all(|x| x.summary != "Invalid valid_until"),
                "{d:?}"
            );
        }
    }

    #[test]
    fn empty_password_means_none() {
        assert_eq!(verifier_for(""), None);
        assert!(verifier_for("x").is_some_and(|v| v.starts_with("SCRAM-SHA-256$")));
    }
}
