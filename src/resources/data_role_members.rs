//! `postgresql_role_members` data source: who is a member of a role, with
//! each grant's ADMIN, INHERIT and SET options and its grantor.
//!
//! PostgreSQL 16 made INHERIT and SET per-grant options and records one grant
//! per grantor. On older servers the data source reports what those options
//! amount to there, so configurations read the same on every version.

use std::sync::Arc;

use async_trait::async_trait;

use crate::pg::audit::{self, Membership};
use crate::protocol::{
    Attribute, Block, DResult, DataSource, Diagnostic, Diagnostics, Schema, Type, Value,
};

use super::errors::{pg_diag, ErrorContext};
use super::state::ProviderState;
use super::util::{check_identifier, string};

fn member_object_type() -> Type {
    Type::object([
        ("member", Type::String),
        ("admin_option", Type::Bool),
        ("inherit_option", Type::Bool),
        ("set_option", Type::Bool),
        ("grantor", Type::String),
    ])
}

fn member_value(m: &Membership) -> Value {
    Value::object([
        ("member", Value::string(&m.member)),
        ("admin_option", Value::bool(m.admin_option)),
        ("inherit_option", Value::bool(m.inherit_option)),
        ("set_option", Value::bool(m.set_option)),
        (
            "grantor",
            m.grantor.as_deref().map_or(Value::Null, Value::string),
        ),
    ])
}

/// The `postgresql_role_members` data source.
pub struct RoleMembersDataSource {
    state: Arc<ProviderState>,
}

impl RoleMembersDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> RoleMembersDataSource {
        RoleMembersDataSource { state }
    }
}

#[async_trait]
impl DataSource for RoleMembersDataSource {
    fn type_name(&self) -> &'static str {
        "postgresql_role_members"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description:
                    "Lists the direct members of a role (`GRANT role TO member`) with the \
                    options of each grant. Members of members are not expanded. Fails when the \
                    role does not exist."
                        .into(),
                attributes: vec![
                    Attribute::computed("id", Type::String, "The role name."),
                    Attribute::required(
                        "role",
                        Type::String,
                        "Name of the role whose members to list (exact, case-sensitive). \
                         Predefined roles such as `pg_read_all_data` work too.",
                    ),
                    Attribute::computed(
                        "members",
                        Type::list(member_object_type()),
                        "One entry per grant, sorted by member then grantor. On PostgreSQL 16 and \
                         later a member granted the role by several grantors appears once per \
                         grantor; its effective options are the union of those grants. Each entry \
                         has `member`; `admin_option` (may grant the role to others); \
                         `inherit_option` (uses the role's privileges without `SET ROLE`); \
                         `set_option` (may `SET ROLE` to it); and `grantor`. On PostgreSQL 15 and \
                         older, which have no per-grant INHERIT or SET options, `inherit_option` \
                         is the member's own `inherit` attribute (what decided inheritance there) \
                         and `set_option` is always `true` (every member could `SET ROLE`); \
                         `grantor` is null when the recorded grantor role has since been dropped, \
                         which those versions allowed.",
                    ),
                ],
                blocks: vec![],
            },
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(role) = config.get("role").as_str() {
            if let Some(e) = check_identifier("role", "Role Name", role) {
                d.push(e);
            }
        }
        d
    }

    async fn read(&self, config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let role = string(config, "role").unwrap_or_default();
        let ctx = ErrorContext {
            connected_as: client.info.current_user.clone(),
            privilege_needed: Some("access to the pg_roles and pg_auth_members catalogs".into()),
            import_command: None,
            object: format!("role {role:?}"),
        };
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let members = audit::role_members(&**conn, &role, client.info.version_num)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?
            .ok_or_else(|| {
                Diagnostics::from(
                    Diagnostic::error(
                        "Role Not Found",
                        format!(
                            "No role named {role:?} exists. Role names are case-sensitive and \
                             must match exactly; create the role first or correct the name."
                        ),
                    )
                    .at("role"),
                )
            })?;
        let mut state = config.clone();
        state.set("id", Value::string(&role));
        state.set(
            "members",
            Value::List(members.iter().map(member_value).collect()),
        );
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_grantor_is_null() {
        let v = member_value(&Membership {
            member: "m".into(),
            admin_option: false,
            inherit_option: true,
            set_option: true,
            grantor: None,
        });
        assert!(v.get("grantor").is_null());
        assert_eq!(v.get("member").as_str(), Some("m"));
    }
}
