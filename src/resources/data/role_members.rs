//! `postgresql_role_members` data source: who is a member of a role, with
//! each grant's ADMIN, INHERIT and SET options and its grantor.
//!
//! PostgreSQL 16 made INHERIT and SET per-grant options and records one grant
//! per grantor. On older servers the data source reports what those options
//! amount to there, so configurations read the same on every version.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::audit::{self, Membership};
use crate::protocol::model::{computed, required};
use crate::protocol::{DResult, DataSourceType, Diagnostic, Diagnostics, Tf};

use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::state::ProviderState;
use crate::resources::support::validators;

model! {
    /// One grant of the role.
    pub struct MemberEntry {
        member: String = computed("The member."),
        admin_option: bool = computed("ADMIN option."),
        inherit_option: bool = computed("INHERIT option."),
        set_option: bool = computed("SET option."),
        grantor: Option<String> = computed("Grantor."),
    }
}

model! {
    /// A `postgresql_role_members` read.
    pub struct RoleMembersModel {
        id: Tf<String> = computed("The role name."),
        role: String = required(
            "Name of the role whose members to list (exact, case-sensitive). Predefined roles \
             such as `pg_read_all_data` work too.",
        )
        .each(validators::role_name),
        members: Tf<Vec<MemberEntry>> = computed(
            "One entry per grant, sorted by member then grantor. On PostgreSQL 16 and later a \
             member granted the role by several grantors appears once per grantor; its effective \
             options are the union of those grants. Each entry has `member`; `admin_option` (may \
             grant the role to others); `inherit_option` (uses the role's privileges without `SET \
             ROLE`); `set_option` (may `SET ROLE` to it); and `grantor`. On PostgreSQL 15 and \
             older, which have no per-grant INHERIT or SET options, `inherit_option` is the \
             member's own `inherit` attribute (what decided inheritance there) and `set_option` \
             is always `true` (every member could `SET ROLE`); `grantor` is null when the recorded \
             grantor role has since been dropped, which those versions allowed.",
        ),
    }
    view RoleMembersView;
}

impl From<&Membership> for MemberEntry {
    fn from(m: &Membership) -> Self {
        MemberEntry {
            member: m.member.clone(),
            admin_option: m.admin_option,
            inherit_option: m.inherit_option,
            set_option: m.set_option,
            grantor: m.grantor.clone(),
        }
    }
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
impl DataSourceType for RoleMembersDataSource {
    type Model = RoleMembersModel;
    const NAME: &'static str = "postgresql_role_members";

    fn description(&self) -> String {
        "Lists the direct members of a role (`GRANT role TO member`) with the options of each \
         grant. Members of members are not expanded. Fails when the role does not exist."
            .into()
    }

    async fn read(&self, config: RoleMembersModel) -> DResult<RoleMembersModel> {
        let client = self.state.client().await?;
        let role = &config.role;
        let ctx = ErrorContext::new(&client.info.current_user, format!("role {role:?}"))
            .needs("access to the pg_roles and pg_auth_members catalogs");
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let members = audit::role_members(&**conn, role, client.info.version_num)
            .await
            .or_diag(&ctx)?
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
        Ok(RoleMembersModel {
            id: Tf::Known(role.clone()),
            members: Tf::Known(members.iter().map(MemberEntry::from).collect()),
            ..config
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Model;

    #[test]
    fn dropped_grantor_is_null() {
        let v = MemberEntry::from(&Membership {
            member: "m".into(),
            admin_option: false,
            inherit_option: true,
            set_option: true,
            grantor: None,
        })
        .to_value();
        assert!(v.get("grantor").is_null());
        assert_eq!(v.get("member").as_str(), Some("m"));
    }
}
