//! `postgresql_grant_role`: one role membership (`GRANT grant_role TO role`),
//! with the reference provider's attribute names, plus the per-grant INHERIT
//! and SET options of PostgreSQL 16 and later, import, and in-place updates.
//!
//! On PostgreSQL 16+ the same pair can be granted by several grantors; this
//! resource owns exactly the grant recorded for the provider's connection
//! (`granted_by`) and never touches the others. The SQL and the concurrency
//! handling live in [`crate::pg::roles::grant_role`], the advice in
//! [`crate::resources::review::membership_advice`].
//!
//! Plan-time checks (missing roles, cycles, missing ADMIN OPTION, warnings
//! about powerful roles) need to know which roles the same apply will create.
//! Terraform does not tell providers that, but it plans a resource only after
//! the resources it references, in the same provider process; so
//! `postgresql_role` records every role it plans (in [`crate::resources::review::planned`]) and
//! the checks here skip roles found there.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::access::{Catalog, GrantOptions};
use crate::pg::catalog::roles::RoleCatalog;
use crate::pg::roles::attributes::RoleFlags;
use crate::pg::roles::grant_role::{self as sql, Authority, GrantError, GrantRow, Wanted, PG16};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, Problem, ResourceType, Tf,
};

use crate::resources::review::access_review::review;
use crate::resources::review::membership_advice::{
    cycle_diag, escalation_warning, grant_diag, import_command, missing_role, not_authorized,
    version_text, POWERFUL_PREDEFINED,
};
use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::import_id::MembershipId;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators::identifier;

/// Names that denote something other than a role in GRANT.
const PSEUDO_ROLES: &[&str] = &[
    "public",
    "none",
    "current_user",
    "session_user",
    "current_role",
];

const PG16_NOTE: &str =
    "Requires PostgreSQL 16 or later: on older servers it is always null, and setting it is an error.";

model! {
    /// A `postgresql_grant_role` as Terraform holds it.
    pub struct GrantRoleModel {
        id: Tf<String> = computed(
            "JSON array of `role` and `grant_role`, e.g. `[\"app_user\",\"readers\"]`; also the \
             import ID.",
        )
        .stable(),
        role: String = required("The member: the role that receives the membership.")
            .replaces()
            .each(member_name),
        grant_role: String = required("The role whose membership is granted.")
            .replaces()
            .each(granted_name),
        with_admin_option: bool = optional(
            "Whether the member may grant `grant_role` to others (ADMIN OPTION). Changed in place. \
             On PostgreSQL 16 and later it is turned off with `REVOKE ADMIN OPTION FOR`, which \
             fails while the member has granted the role to others with it.",
        )
        .default(false),
        inherit_option: Tf<bool> = optional(
            "Whether the member uses the privileges of `grant_role` automatically (INHERIT \
             option). When unset, PostgreSQL's default applies (the member's INHERIT attribute at \
             grant time) and the recorded value is shown. Changed in place.",
        )
        .and_computed()
        .stable()
        .note(PG16_NOTE),
        set_option: Tf<bool> = optional(
            "Whether the member may `SET ROLE` to `grant_role` (SET option). When unset, \
             PostgreSQL's default (`true`) applies and the recorded value is shown. Changed in \
             place.",
        )
        .and_computed()
        .stable()
        .note(PG16_NOTE),
        granted_by: Tf<String> = computed(
            "The grantor PostgreSQL recorded for this grant: the bootstrap superuser when the \
             provider connects as any superuser, otherwise the provider's user or the role through \
             which it holds ADMIN OPTION. On PostgreSQL 15 and older the grantor is informational \
             (null when it names a dropped role).",
        )
        .stable(),
    }
    view GrantRoleView;
}

/// The import ID of the membership of `member` in `granted`.
fn membership_id(member: &str, granted: &str) -> String {
    MembershipId {
        member: member.to_string(),
        granted: granted.to_string(),
    }
    .render()
}

impl GrantRoleModel {
    /// The options the model asks for.
    fn wanted(&self) -> Wanted {
        Wanted {
            admin: self.with_admin_option,
            inherit: self.inherit_option.known().copied(),
            set: self.set_option.known().copied(),
        }
    }

    /// The state for a catalog row.
    fn of_row(member: &str, granted: &str, row: &GrantRow) -> GrantRoleModel {
        GrantRoleModel {
            id: Tf::Known(membership_id(member, granted)),
            role: member.to_string(),
            grant_role: granted.to_string(),
            with_admin_option: row.admin,
            inherit_option: row.inherit.into(),
            set_option: row.set.into(),
            granted_by: row.grantor.clone().into(),
        }
    }
}

fn role_name(what: &str, attr: &str, name: &str) -> Option<Problem> {
    identifier(what, attr, name).or_else(|| {
        PSEUDO_ROLES.contains(&name).then(|| {
            Problem::new(
                "Not A Role Name",
                format!(
                    "{attr} is {name:?}, which PostgreSQL treats as a keyword rather than a role \
                     (public, none, current_user, session_user, current_role). Use the name of an \
                     actual role."
                ),
            )
        })
    })
}

fn member_name(attr: &str, name: &str) -> Option<Problem> {
    role_name("Member Role Name", attr, name)
}

fn granted_name(attr: &str, name: &str) -> Option<Problem> {
    role_name("Granted Role Name", attr, name)
}

impl GrantRoleView {
    /// The member and the granted role, when both are known.
    fn pair(&self) -> Option<(String, String)> {
        Some((
            self.role.as_str()?.to_string(),
            self.grant_role.as_str()?.to_string(),
        ))
    }
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
            import_command: Some(import_command(member, granted)),
            ..ErrorContext::new(
                &client.info.current_user,
                format!("membership of role {member:?} in role {granted:?}"),
            )
            .needs(
                "ADMIN OPTION on the granted role (on PostgreSQL 15 and older, the CREATEROLE \
                 attribute also suffices; granting a superuser role needs SUPERUSER)",
            )
        }
    }

    fn diag(client: &Client, e: &GrantError, member: &str, granted: &str) -> Diagnostics {
        grant_diag(
            e,
            &Self::ctx(client, member, granted),
            &client.info.current_user,
            client.info.version_num,
            member,
            granted,
        )
    }

    /// The grantor of the grant this resource owns: the one in state (the
    /// grant it made), or for states without one (imported from another
    /// provider) the grantor the provider's connection gets. `None` when the
    /// granted role does not exist. Before 16 the grantor does not identify
    /// a grant, so any value will do.
    async fn owned_grantor(
        &self,
        client: &Client,
        state: &GrantRoleModel,
    ) -> DResult<Option<String>> {
        let version = client.info.version_num;
        if version < PG16 {
            return Ok(Some(state.granted_by.known().cloned().unwrap_or_default()));
        }
        if let Some(g) = state.granted_by.known() {
            return Ok(Some(g.clone()));
        }
        let (member, granted) = (&state.role, &state.grant_role);
        let conn = client
            .pools
            .get(None)
            .await
            .or_diag(&Self::ctx(client, member, granted))?;
        match sql::expected_grantor(&**conn, version, granted).await {
            Ok(g) => Ok(Some(g)),
            Err(GrantError::RoleMissing { .. }) => Ok(None),
            Err(e) => Err(Self::diag(client, &e, member, granted)),
        }
    }

    /// The effective-access report (PGW001) of granting, changing or
    /// revoking a membership: `prior` is null for a grant, `planned` for a
    /// revoke; both are set for an option change or a replacement.
    async fn access_warning(
        &self,
        prior: Option<&GrantRoleView>,
        planned: Option<&GrantRoleView>,
    ) -> Option<Diagnostic> {
        let (old, new) = (
            prior.and_then(GrantRoleView::pair),
            planned.and_then(GrantRoleView::pair),
        );
        if old.is_none() && new.is_none() {
            return None;
        }
        let review = review(&self.state, None).await?;
        let roles: Vec<&str> = old
            .iter()
            .chain(new.iter())
            .flat_map(|(m, g)| [m.as_str(), g.as_str()])
            .collect();
        let before = review.base(&self.state, &roles);
        let mut after = Catalog::clone(&before);
        let grantor = prior.and_then(|p| p.granted_by.as_str());
        if let Some((m, g)) = &old {
            if new.as_ref() != Some(&(m.clone(), g.clone())) {
                after.set_membership(m, g, grantor, None);
            }
        }
        if let (Some((m, g)), Some(planned)) = (&new, planned) {
            let same_pair = old.as_ref() == Some(&(m.clone(), g.clone()));
            let options = GrantOptions {
                admin: planned.with_admin_option.known().copied().unwrap_or(false),
                inherit: planned.inherit_option.known().copied(),
                set: planned.set_option.known().copied(),
            };
            after.set_membership(m, g, grantor.filter(|_| same_pair), Some(options));
        }
        let (subject, granted) = new.or(old)?;
        review
            .report(&before, &after, &subject, &format!("through {granted}"))
            .map(|w| w.at("grant_role"))
    }
}

#[async_trait]
impl ResourceType for GrantRoleResource {
    type Model = GrantRoleModel;
    const NAME: &'static str = "postgresql_grant_role";

    fn description(&self) -> String {
        "Grants membership in a role to another role (`GRANT grant_role TO role`).\n\n\
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
         The grant imported is the one the provider's connection would make (see `granted_by`)."
            .into()
    }

    async fn validate(&self, config: &GrantRoleView) -> Diagnostics {
        match (config.role.as_str(), config.grant_role.as_str()) {
            (Some(m), Some(g)) if m == g => {
                let c = cycle_diag(m, g);
                Diagnostic::error(c.summary, c.detail)
                    .at("grant_role")
                    .into()
            }
            _ => Diagnostics::new(),
        }
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, GrantRoleModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        let member = plan.planned.role.known().cloned();
        let granted = plan.planned.grant_role.known().cloned();
        plan.planned.id = match (&member, &granted) {
            (Some(m), Some(g)) => Tf::Known(membership_id(m, g)),
            _ => Tf::Unknown,
        };
        let creating = plan.creating();
        if let (true, Some(m), Some(g)) = (creating, &member, &granted) {
            // Name-based, so it needs no server.
            if let Some(w) = POWERFUL_PREDEFINED
                .iter()
                .any(|(n, _)| n == g)
                .then(|| escalation_warning(m, g, RoleFlags::default()))
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
            let (config, planned) = (&plan.config, &mut plan.planned);
            let options = [
                (
                    "inherit_option",
                    &config.inherit_option,
                    &mut planned.inherit_option,
                ),
                ("set_option", &config.set_option, &mut planned.set_option),
            ];
            for (attr, configured, planned) in options {
                if configured.is_null() {
                    *planned = Tf::Null;
                } else if !configured.is_unknown() {
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
                && plan.planned.with_admin_option != plan.prior_of(|p| &p.with_admin_option)
            {
                plan.planned.granted_by = Tf::Unknown;
            }
        }
        if let Some(prior) = &plan.prior {
            let p = &plan.planned;
            let changed = plan.replaces()
                || (&p.with_admin_option, &p.inherit_option, &p.set_option)
                    != (
                        &prior.with_admin_option,
                        &prior.inherit_option,
                        &prior.set_option,
                    );
            if changed && !d.has_errors() {
                d.0.extend(self.access_warning(Some(prior), Some(p)).await);
            }
            return d;
        }
        if d.has_errors() {
            return d;
        }
        let (Some(m), Some(g)) = (member, granted) else {
            return d;
        };
        let ctx = Self::ctx(&client, &m, &g);
        let facts = match client.pools.get(None).await.or_diag(&ctx) {
            Ok(conn) => sql::inspect(&**conn, version, &m, &g).await.or_diag(&ctx),
            Err(e) => Err(e),
        };
        let facts = match facts {
            Ok(f) => f,
            Err(e) => {
                d.extend(e);
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
            let flags = planned_granted.or_else(|| facts.granted.map(|f| f.flags));
            if let Some(w) = flags.and_then(|f| escalation_warning(&m, &g, f)) {
                d.push(w);
            }
        }
        if !d.has_errors() {
            d.0.extend(self.access_warning(None, Some(&plan.planned)).await);
        }
        d
    }

    async fn plan_destroy(&self, prior: &GrantRoleView) -> Diagnostics {
        Diagnostics(
            self.access_warning(Some(prior), None)
                .await
                .into_iter()
                .collect(),
        )
    }

    async fn create(&self, planned: GrantRoleModel, _: GrantRoleModel) -> DResult<GrantRoleModel> {
        let client = self.state.client().await?;
        let (member, granted) = (&planned.role, &planned.grant_role);
        let row = sql::create(
            &client.pools,
            &client.stop,
            client.info.version_num,
            member,
            granted,
            planned.wanted(),
        )
        .await
        .map_err(|e| Self::diag(&client, &e, member, granted))?;
        Ok(GrantRoleModel::of_row(member, granted, &row))
    }

    async fn update(
        &self,
        prior: GrantRoleModel,
        planned: GrantRoleModel,
        _: GrantRoleModel,
    ) -> DResult<GrantRoleModel> {
        let client = self.state.client().await?;
        let (member, granted) = (&planned.role, &planned.grant_role);
        let Some(grantor) = self.owned_grantor(&client, &prior).await? else {
            return Err(missing_role(granted, false, true).into());
        };
        let row = sql::update(
            &client.pools,
            &client.stop,
            client.info.version_num,
            member,
            granted,
            &grantor,
            prior.wanted(),
            planned.wanted(),
        )
        .await
        .map_err(|e| Self::diag(&client, &e, member, granted))?;
        Ok(GrantRoleModel::of_row(member, granted, &row))
    }

    async fn delete(&self, prior: GrantRoleModel) -> DResult<()> {
        let client = self.state.client().await?;
        let Some(grantor) = self.owned_grantor(&client, &prior).await? else {
            // The granted role is gone, and its memberships with it.
            return Ok(());
        };
        let (member, granted) = (&prior.role, &prior.grant_role);
        sql::delete(
            &client.pools,
            &client.stop,
            client.info.version_num,
            member,
            granted,
            &grantor,
        )
        .await
        .map_err(|e| Self::diag(&client, &e, member, granted))
    }

    async fn read(&self, current: GrantRoleModel) -> DResult<Option<GrantRoleModel>> {
        let client = self.state.client().await?;
        let (member, granted) = (&current.role, &current.grant_role);
        let ctx = Self::ctx(&client, member, granted);
        let Some(grantor) = self.owned_grantor(&client, &current).await? else {
            return Ok(None);
        };
        let memberships = client.membership_catalog(None).await.or_diag(&ctx)?;
        Ok(memberships
            .grant(member, granted, &grantor)
            .map(|r| GrantRoleModel::of_row(member, granted, r)))
    }

    async fn import(&self, id: &str) -> DResult<GrantRoleModel> {
        let MembershipId { member, granted } = MembershipId::parse(id)?;
        let client = self.state.client().await?;
        let ctx = Self::ctx(&client, &member, &granted);
        let roles = client.role_catalog(None).await.or_diag(&ctx)?;
        if !roles.exists(&member) {
            return Err(missing_role(&member, true, true).into());
        }
        if !roles.exists(&granted) {
            return Err(missing_role(&granted, false, true).into());
        }
        let grantor = self
            .grantor_for(&client, &roles, &granted)
            .await
            .map_err(|e| Self::diag(&client, &e, &member, &granted))?;
        let memberships = client.membership_catalog(None).await.or_diag(&ctx)?;
        let by = grantor.clone().unwrap_or_default();
        match memberships.grant(&member, &granted, &by) {
            Some(row) => Ok(GrantRoleModel::of_row(&member, &granted, row)),
            None => {
                let others = memberships
                    .grants_of(&member, &granted)
                    .iter()
                    .map(|m| m.row.grantor.clone().unwrap_or_default())
                    .collect();
                Err(Self::diag(
                    &client,
                    &GrantError::NotGranted {
                        member: member.clone(),
                        granted: granted.clone(),
                        grantor,
                        others,
                    },
                    &member,
                    &granted,
                ))
            }
        }
    }

    const IDENTITY: &'static [&'static str] = &["role", "grant_role"];

    fn import_id(&self, m: &GrantRoleModel) -> Option<String> {
        (!m.role.is_empty() && !m.grant_role.is_empty())
            .then(|| membership_id(&m.role, &m.grant_role))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(
            "Memberships belong to the whole cluster, so every database lists the same ones.",
        ),
        ListFilter::NamePattern("the member's name (`role`)"),
    ];

    /// Every membership this provider's connection could manage: on
    /// PostgreSQL 16 and later only the grants recorded with the grantor it
    /// would use (see `granted_by`), which are the ones import finds. The
    /// memberships of PostgreSQL's own roles among themselves are left out.
    async fn list(&self, query: ListQuery) -> DResult<Vec<GrantRoleModel>> {
        let client = self.state.client().await?;
        let db = query.database.as_deref();
        let ctx = ErrorContext::new(&client.info.current_user, "role memberships");
        let roles = client.role_catalog(db).await.or_diag(&ctx)?;
        let memberships = client.membership_catalog(db).await.or_diag(&ctx)?;
        let mut grantors: HashMap<String, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        for m in memberships.iter() {
            if m.member_is_system
                || !query.name_matches(&m.member)
                || member_name("role", &m.member).is_some()
                || granted_name("grant_role", &m.granted).is_some()
            {
                continue;
            }
            if client.info.version_num >= PG16 {
                let expected = match grantors.get(&m.granted) {
                    Some(g) => g.clone(),
                    None => {
                        // A role the provider cannot grant has no grant it
                        // could manage.
                        let g = self
                            .grantor_for(&client, &roles, &m.granted)
                            .await
                            .ok()
                            .flatten();
                        grantors.insert(m.granted.clone(), g.clone());
                        g
                    }
                };
                if expected.is_none() || m.row.grantor != expected {
                    continue;
                }
            }
            out.push(GrantRoleModel::of_row(&m.member, &m.granted, &m.row));
        }
        Ok(out)
    }
}

impl GrantRoleResource {
    /// The grantor a grant of `granted` by the provider's connection is
    /// recorded with on PostgreSQL 16 and later (`None` before 16, where
    /// any grant of the pair is the one): the bootstrap superuser for a
    /// superuser, otherwise what the server would pick.
    async fn grantor_for(
        &self,
        client: &Client,
        roles: &RoleCatalog,
        granted: &str,
    ) -> Result<Option<String>, GrantError> {
        let version = client.info.version_num;
        if version < PG16 {
            return Ok(None);
        }
        if client.info.is_superuser {
            if let Some(b) = roles.bootstrap() {
                return Ok(Some(b.to_string()));
            }
        }
        let conn = client.pools.get(None).await?;
        sql::expected_grantor(&**conn, version, granted)
            .await
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_name_the_power() {
        let w = escalation_warning("m", "pg_read_all_data", RoleFlags::default()).unwrap();
        assert!(w.detail.contains("read every table"));
        let w = escalation_warning(
            "m",
            "boss",
            RoleFlags {
                superuser: true,
                bypass_row_level_security: true,
                ..RoleFlags::default()
            },
        )
        .unwrap();
        assert!(w.detail.contains("SUPERUSER") && w.detail.contains("BYPASSRLS"));
        assert!(escalation_warning("m", "plain", RoleFlags::default()).is_none());
    }
}
