//! `postgresql_roles` data source: the roles of the server with their
//! attributes and direct memberships, filtered by name pattern and login
//! capability. Meant for audits and for composing configurations (for
//! example `for_each` over every login role matching `app\_%`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::audit::{self, RoleFilter, RoleInfo};
use crate::protocol::model::{computed, optional};
use crate::protocol::{DResult, DataSourceType, Problem, Tf};

use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::role_flags::with_flags;
use crate::resources::support::state::ProviderState;

model! {
    /// One role of the list.
    pub struct RoleEntry {
        name: String = computed("Name."),
        superuser: bool = computed("SUPERUSER."),
        create_database: bool = computed("CREATEDB."),
        create_role: bool = computed("CREATEROLE."),
        inherit: bool = computed("INHERIT."),
        login: bool = computed("LOGIN."),
        replication: bool = computed("REPLICATION."),
        bypass_row_level_security: bool = computed("BYPASSRLS."),
        connection_limit: i64 = computed("CONNECTION LIMIT."),
        valid_until: String = computed("VALID UNTIL."),
        member_of: Vec<String> = computed("Direct memberships."),
    }
}

model! {
    /// A `postgresql_roles` read.
    pub struct RolesModel {
        id: Tf<String> = computed(
            "The filter as a JSON object (`name_pattern`, `login`, `include_system`); the same \
             filter always gives the same id.",
        ),
        name_pattern: Option<String> = optional(
            "Only roles whose name matches this SQL `LIKE` pattern: `%` matches any run of \
             characters, `_` any single character, and a backslash escapes the next one \
             (`app\\\\_%` in HCL is the pattern `app\\_%`: names starting with `app_`). \
             Case-sensitive; the whole name must match. Unset: every role.",
        )
        .each(like_pattern),
        login: Option<bool> = optional(
            "Only roles that can (`true`) or cannot (`false`) log in. Unset: both.",
        ),
        include_system: bool = optional(
            "Also list PostgreSQL's predefined roles (names starting with `pg_`, such as \
             `pg_read_all_data`).",
        )
        .default(false),
        roles: Tf<Vec<RoleEntry>> = computed(
            "The matching roles, sorted by name. Each has `name`; the attributes `superuser`, \
             `create_database`, `create_role`, `inherit`, `login`, `replication`, \
             `bypass_row_level_security` and `connection_limit` (`-1` for no limit), named as in \
             `postgresql_role`; `valid_until`, the password expiry in RFC 3339 UTC (for example \
             `2030-01-01T00:00:00Z`) or `infinity` when the password never expires; and \
             `member_of`, the roles it is directly a member of (sorted, each listed once even \
             when granted by several grantors; memberships through other roles are not \
             expanded).",
        ),
    }
    view RolesView;
}

impl From<&RoleInfo> for RoleEntry {
    fn from(r: &RoleInfo) -> Self {
        let entry = RoleEntry {
            name: r.name.clone(),
            connection_limit: i64::from(r.connection_limit),
            valid_until: r.valid_until.clone(),
            member_of: r.member_of.clone(),
            ..RoleEntry::default()
        };
        with_flags(entry, r.flags)
    }
}

fn like_pattern(attr: &str, pattern: &str) -> Option<Problem> {
    audit::like_pattern_problem(pattern).map(|problem| {
        Problem::new(
            "Invalid Name Pattern",
            format!("{attr} {pattern:?} is not a valid LIKE pattern: {problem}."),
        )
    })
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
impl DataSourceType for RolesDataSource {
    type Model = RolesModel;
    const NAME: &'static str = "postgresql_roles";

    fn description(&self) -> String {
        "Lists PostgreSQL roles with their attributes and the roles they are directly a member \
         of, optionally filtered by name pattern and by whether they can log in. Predefined \
         `pg_*` roles are left out unless `include_system` is true. Roles are sorted by name \
         (byte order)."
            .into()
    }

    async fn read(&self, config: RolesModel) -> DResult<RolesModel> {
        let client = self.state.client().await?;
        let filter = RoleFilter {
            name_pattern: config.name_pattern.clone(),
            login: config.login,
            include_system: config.include_system,
        };
        let ctx = ErrorContext::new(&client.info.current_user, "role list")
            .needs("access to the pg_roles catalog view");
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let roles = audit::list_roles(&**conn, &filter).await.or_diag(&ctx)?;
        Ok(RolesModel {
            id: Tf::Known(id_of(&filter)),
            roles: Tf::Known(roles.iter().map(RoleEntry::from).collect()),
            ..config
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_entry_matches_schema_type() {
        use crate::pg::roles::attributes::RoleFlags;
        use crate::protocol::{Model, Type, Value};
        let r = RoleInfo {
            name: "app".into(),
            flags: RoleFlags {
                login: true,
                ..RoleFlags::default()
            },
            connection_limit: -1,
            valid_until: "infinity".into(),
            member_of: vec!["readers".into()],
        };
        let v = RoleEntry::from(&r).to_value();
        let Type::List(elem) = <Vec<RoleEntry> as crate::protocol::model::TfValue>::ty() else {
            panic!("not a list type")
        };
        let Type::Object { attrs, .. } = *elem else {
            panic!("not an object type")
        };
        let Value::Object(m) = &v else {
            panic!("not an object")
        };
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            attrs.keys().collect::<Vec<_>>()
        );
        assert_eq!(v.get("login"), &Value::bool(true));
        assert_eq!(v.get("inherit"), &Value::bool(true));
        assert_eq!(v.get("superuser"), &Value::bool(false));
        // Each attribute the flag table names is a boolean.
        for f in crate::pg::roles::attributes::FLAGS {
            if let Some(ty) = attrs.get(f.name) {
                assert_eq!(ty, &Type::Bool, "{}", f.name);
            }
        }
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
