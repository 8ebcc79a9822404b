//! `postgresql_roles` data source: the roles of the server with their
//! attributes and direct memberships, filtered by name pattern and login
//! capability. Meant for audits and for composing configurations (for
//! example `for_each` over every login role matching `app\_%`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::pg::audit::{self, RoleFilter, RoleInfo};
use crate::protocol::{
    Attribute, Block, DResult, DataSource, Diagnostic, Diagnostics, Schema, Type, Value,
};

use super::errors::{pg_diag, ErrorContext};
use super::state::ProviderState;
use super::util::string;

/// The attributes of one element of `roles`, with their types.
fn role_object_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("superuser", Type::Bool),
        ("create_database", Type::Bool),
        ("create_role", Type::Bool),
        ("inherit", Type::Bool),
        ("login", Type::Bool),
        ("replication", Type::Bool),
        ("bypass_row_level_security", Type::Bool),
        ("connection_limit", Type::Number),
        ("valid_until", Type::String),
        ("member_of", Type::list(Type::String)),
    ])
}

fn role_value(r: &RoleInfo) -> Value {
    Value::object([
        ("name", Value::string(&r.name)),
        ("superuser", Value::bool(r.superuser)),
        ("create_database", Value::bool(r.create_database)),
        ("create_role", Value::bool(r.create_role)),
        ("inherit", Value::bool(r.inherit)),
        ("login", Value::bool(r.login)),
        ("replication", Value::bool(r.replication)),
        (
            "bypass_row_level_security",
            Value::bool(r.bypass_row_level_security),
        ),
        (
            "connection_limit",
            Value::int(i64::from(r.connection_limit)),
        ),
        ("valid_until", Value::string(&r.valid_until)),
        ("member_of", Value::string_list(r.member_of.iter().cloned())),
    ])
}

/// The id: the filter, written out so equal filters give equal ids.
fn id_of(filter: &RoleFilter) -> String {
    serde_json::json!({
        "name_pattern": filter.name_pattern,
        "login": filter.login,
        "include_system": filter.include_system,
    })
    .to_string()
}

/// The `postgresql_roles` data source.
pub struct RolesDataSource {
    state: Arc<ProviderState>,
}

impl RolesDataSource {
    /// A data source using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> RolesDataSource {
        RolesDataSource { state }
    }
}

#[async_trait]
impl DataSource for RolesDataSource {
    fn type_name(&self) -> &'static str {
        "postgresql_roles"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description: "Lists PostgreSQL roles with their attributes and the roles they are \
                    directly a member of, optionally filtered by name pattern and by whether they \
                    can log in. Predefined `pg_*` roles are left out unless `include_system` is \
                    true. Roles are sorted by name (byte order)."
                    .into(),
                attributes: vec![
                    Attribute::computed(
                        "id",
                        Type::String,
                        "The filter as a JSON object (`name_pattern`, `login`, `include_system`); \
                         the same filter always gives the same id.",
                    ),
                    Attribute::optional(
                        "name_pattern",
                        Type::String,
                        "Only roles whose name matches this SQL `LIKE` pattern: `%` matches any \
                         run of characters, `_` any single character, and a backslash escapes the \
                         next one (`app\\\\_%` in HCL is the pattern `app\\_%`: names starting \
                         with `app_`). Case-sensitive; the whole name must match. Unset: every \
                         role.",
                    ),
                    Attribute::optional(
                        "login",
                        Type::Bool,
                        "Only roles that can (`true`) or cannot (`false`) log in. Unset: both.",
                    ),
                    Attribute::optional(
                        "include_system",
                        Type::Bool,
                        "Also list PostgreSQL's predefined roles (names starting with `pg_`, such \
                         as `pg_read_all_data`).",
                    )
                    .with_default(Value::bool(false)),
                    Attribute::computed(
                        "roles",
                        Type::list(role_object_type()),
                        "The matching roles, sorted by name. Each has `name`; the attributes \
                         `superuser`, `create_database`, `create_role`, `inherit`, `login`, \
                         `replication`, `bypass_row_level_security` and `connection_limit` (`-1` \
                         for no limit), named as in `postgresql_role`; `valid_until`, the password \
                         expiry in RFC 3339 UTC (for example `2030-01-01T00:00:00Z`) or \
                         `infinity` when the password never expires; and `member_of`, the roles it \
                         is directly a member of (sorted, each listed once even when granted by \
                         several grantors; memberships through other roles are not expanded).",
                    ),
                ],
                blocks: vec![],
            },
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(pattern) = config.get("name_pattern").as_str() {
            if let Some(problem) = audit::like_pattern_problem(pattern) {
                d.push(
                    Diagnostic::error(
                        "Invalid Name Pattern",
                        format!("name_pattern {pattern:?} is not a valid LIKE pattern: {problem}."),
                    )
                    .at("name_pattern"),
                );
            }
        }
        d
    }

    async fn read(&self, config: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let filter = RoleFilter {
            name_pattern: string(config, "name_pattern"),
            login: config.get("login").as_bool(),
            include_system: config.get("include_system").as_bool().unwrap_or(false),
        };
        let ctx = ErrorContext {
            connected_as: client.info.current_user.clone(),
            privilege_needed: Some("access to the pg_roles catalog view".into()),
            import_command: None,
            object: "role list".into(),
        };
        let conn = client
            .pools
            .get(None)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let roles = audit::list_roles(&**conn, &filter)
            .await
            .map_err(|e| pg_diag(&e, &ctx))?;
        let mut state = config.clone();
        state.set("id", Value::string(id_of(&filter)));
        state.set("include_system", Value::bool(filter.include_system));
        state.set("roles", Value::List(roles.iter().map(role_value).collect()));
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_value_matches_schema_type() {
        let r = RoleInfo {
            name: "app".into(),
            superuser: false,
            create_database: false,
            create_role: false,
            inherit: true,
            login: true,
            replication: false,
            bypass_row_level_security: false,
            connection_limit: -1,
            valid_until: "infinity".into(),
            member_of: vec!["readers".into()],
        };
        let v = role_value(&r);
        let Type::Object { attrs, .. } = role_object_type() else {
            panic!("not an object type")
        };
        let Value::Object(m) = &v else {
            panic!("not an object")
        };
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            attrs.keys().collect::<Vec<_>>()
        );
    }

    #[test]
    fn id_depends_only_on_filter() {
        let f = RoleFilter {
            name_pattern: Some("app\\_%".into()),
            login: Some(true),
            include_system: false,
        };
        assert_eq!(id_of(&f), id_of(&f.clone()));
        assert_eq!(
            id_of(&f),
            r#"{"name_pattern":"app\\_%","login":true,"include_system":false}"#
        );
        assert_ne!(id_of(&f), id_of(&RoleFilter::default()));
    }
}
