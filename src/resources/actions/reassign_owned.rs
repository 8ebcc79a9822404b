//! `postgresql_reassign_owned` action: retires a role database by database
//! with `REASSIGN OWNED BY role TO new_owner` and, when asked, `DROP OWNED
//! BY role`, one transaction per database, then reports what still holds
//! the role.
//!
//! A database that fails does not undo the others (each committed on its
//! own); the action then fails, naming it, and the report of what still
//! holds the role says where to look.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::roles::retire::{self, Retire};
use crate::pg::roles::sessions;
use crate::protocol::model::{optional, required};
use crate::protocol::{ActionType, DResult, Diagnostic, Diagnostics, Progress, Viewed};
use crate::resources::actions::checks;
use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// The configuration of a `postgresql_reassign_owned` action.
    pub struct ReassignOwnedModel {
        role: String = required(
            "The role that gives up what it owns. It must exist when the action runs.",
        )
        .each(validators::role_name),
        new_owner: String = required("The role that gets what `role` owns.")
            .each(validators::role_name),
        databases: Option<Vec<String>> = optional(
            "The databases to act in; every database that accepts connections when unset. \
             `REASSIGN OWNED` and `DROP OWNED` act only in the database they run in (and on \
             the objects all databases share), so a database left out keeps what the role owns \
             there.",
        )
        .each(validators::database_name),
        drop_owned: bool = optional(
            "After the reassign, also `DROP OWNED BY role` in each database: the privileges \
             granted to it, its default privileges, and policies that name it. With every \
             database reached, `DROP ROLE` then succeeds.",
        )
        .default(false),
    }
    view ReassignOwnedView;
}

impl ReassignOwnedModel {
    fn retire(&self) -> Retire {
        Retire {
            role: self.role.clone(),
            new_owner: self.new_owner.clone(),
            drop_owned: self.drop_owned,
        }
    }

    /// What the action will do, as the plan says it.
    fn intent(&self, databases: &str) -> String {
        let drop = if self.drop_owned {
            ", then drop what is left (DROP OWNED: privileges, policies, default privileges)"
        } else {
            ""
        };
        format!(
            "{} will reassign what {} owns to {} in {databases}{drop}.",
            ReassignOwnedAction::NAME,
            self.role,
            self.new_owner
        )
    }
}

/// The `postgresql_reassign_owned` action.
pub struct ReassignOwnedAction {
    state: Arc<ProviderState>,
}

impl ReassignOwnedAction {
    /// The action, using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> ReassignOwnedAction {
        ReassignOwnedAction { state }
    }

    fn ctx(client: &Client, role: &str) -> ErrorContext {
        ErrorContext::new(&client.info.current_user, format!("role {role:?}")).needs(
            "SUPERUSER, or CREATEROLE with the right to act as both roles (ADMIN OPTION on \
             them from PostgreSQL 16)",
        )
    }

    /// The databases to act in, each checked; errors name `databases`.
    async fn databases(&self, client: &Client, m: &ReassignOwnedModel) -> DResult<Vec<String>> {
        let ctx = Self::ctx(client, &m.role);
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        match &m.databases {
            None => retire::connectable_databases(&**conn).await.or_diag(&ctx),
            Some(given) => {
                let mut d = Diagnostics::new();
                for db in given {
                    if !checks::database_usable(&**conn, db).await.or_diag(&ctx)? {
                        d.push(checks::missing_database("databases", db));
                    }
                }
                if d.has_errors() {
                    return Err(d);
                }
                Ok(given.clone())
            }
        }
    }

    async fn plan_known(&self, m: &ReassignOwnedModel) -> DResult<Diagnostics> {
        let Some(client) = self.state.client_opt().await else {
            return Ok(checks::checked_at_invoke(
                Self::NAME,
                "The provider's configuration is not known yet",
            ));
        };
        if m.role == client.own_role() {
            return Err(checks::own_role("role", &m.role).into());
        }
        let ctx = Self::ctx(&client, &m.role);
        let databases = self.databases(&client, m).await?;
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let mut later = Vec::new();
        for (attr, role) in [("role", &m.role), ("new_owner", &m.new_owner)] {
            let found = checks::plan_role(&self.state, &**conn, attr, role)
                .await
                .or_diag(&ctx)?
                .map_err(Diagnostics::from)?;
            if !found {
                later.push(format!("{role:?}"));
            }
        }
        let mut d = Diagnostics::new();
        if !later.is_empty() {
            d.extend(checks::checked_at_invoke(
                Self::NAME,
                &format!("Role {} is created in this run", later.join(" and ")),
            ));
            return Ok(d);
        }
        let held: Vec<String> = retire::holders(&**conn, &m.role)
            .await
            .or_diag(&ctx)?
            .iter()
            .map(retire::Holder::describe)
            .collect();
        let now = if held.is_empty() {
            format!("{} owns nothing and holds no privilege now.", m.role)
        } else {
            format!("What {} holds now: {}.", m.role, held.join("; "))
        };
        d.push(Diagnostic::warning(
            "Ownership Will Change",
            format!("{} {now}", m.intent(&listed(&databases))),
        ));
        Ok(d)
    }
}

/// "databases a and b", "database a".
fn listed(databases: &[String]) -> String {
    match databases {
        [one] => format!("database {one}"),
        many => format!("databases {}", many.join(", ")),
    }
}

#[async_trait]
impl ActionType for ReassignOwnedAction {
    type Model = ReassignOwnedModel;
    const NAME: &'static str = "postgresql_reassign_owned";

    fn description(&self) -> String {
        "Retires a role database by database: in each database, in one transaction, `REASSIGN \
         OWNED BY role TO new_owner`, then `DROP OWNED BY role` when `drop_owned` is set. It \
         reports per database what it did, and afterwards what still holds the role (an owned \
         object, a privilege, a policy), so that with `drop_owned` and every database reached \
         `DROP ROLE` succeeds. A role or database that does not exist is an error naming it, \
         and nothing is done. It does not end the role's sessions (see \
         `postgresql_terminate_sessions`) nor drop the role."
            .into()
    }

    async fn validate(&self, config: &ReassignOwnedView) -> Diagnostics {
        let (Some(role), Some(owner)) = (config.role.as_str(), config.new_owner.as_str()) else {
            return Diagnostics::new();
        };
        if role == owner {
            return Diagnostic::error(
                "Same Role Twice",
                format!(
                    "new_owner is {owner:?}, the role whose objects are to be reassigned. Name \
                     the role that should own them instead."
                ),
            )
            .at("new_owner")
            .into();
        }
        Diagnostics::new()
    }

    async fn plan(&self, config: &ReassignOwnedView) -> Diagnostics {
        let Some(m) = ReassignOwnedModel::from_view(config) else {
            return checks::checked_at_invoke(
                Self::NAME,
                "Its configuration is not known until apply",
            );
        };
        match self.plan_known(&m).await {
            Ok(d) | Err(d) => d,
        }
    }

    async fn invoke(
        &self,
        config: ReassignOwnedModel,
        progress: &Progress,
    ) -> DResult<Diagnostics> {
        let client = self.state.client().await?;
        if config.role == client.own_role() {
            return Err(checks::own_role("role", &config.role).into());
        }
        let ctx = Self::ctx(&client, &config.role);
        {
            let conn = client.pools.get(None).await.or_diag(&ctx)?;
            let mut missing = Diagnostics::new();
            for (attr, role) in [("role", &config.role), ("new_owner", &config.new_owner)] {
                if !sessions::role_exists(&**conn, role).await.or_diag(&ctx)? {
                    missing.push(checks::missing_role(attr, role));
                }
            }
            missing.into_result()?;
        }
        let databases = self.databases(&client, &config).await?;
        let plan = (config.retire(), client.actor());
        let mut failed = Diagnostics::new();
        for db in &databases {
            let outcome = client
                .transaction(
                    Some(db),
                    "reassigning what a role owns",
                    &plan,
                    |tx, (r, actor)| Box::pin(retire::retire_here(tx, r, actor)),
                )
                .await;
            match outcome {
                Ok(Some(done)) => progress.report(done.describe(db, &plan.0)),
                Ok(None) => {
                    failed.push(checks::missing_role("role", &config.role));
                    break;
                }
                Err(e) => {
                    progress.report(format!("{db}: failed, nothing changed there"));
                    let mut d = crate::resources::support::errors::pg_diag(&e, &ctx);
                    for x in &mut d.0 {
                        x.summary = format!("{} (database {db})", x.summary);
                    }
                    failed.extend(d);
                }
            }
        }
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let held = retire::holders(&**conn, &config.role).await.or_diag(&ctx)?;
        let mut out = Diagnostics::new();
        if held.is_empty() {
            progress.report(format!(
                "nothing holds {} any more: DROP ROLE {} will succeed",
                config.role, config.role
            ));
        } else {
            let lines: Vec<String> = held.iter().map(retire::Holder::describe).collect();
            progress.report(format!(
                "{} is still held: {}",
                config.role,
                lines.join("; ")
            ));
            let advice = if config.drop_owned {
                "Run the action again for the databases listed (or without `databases`), then \
                 DROP ROLE succeeds."
            } else {
                "Set drop_owned = true to drop privileges and policies too, and include every \
                 database listed; then DROP ROLE succeeds."
            };
            out.push(Diagnostic::warning(
                "Role Still Held",
                format!(
                    "After {}, role {:?} is still held by: {}. {advice}",
                    Self::NAME,
                    config.role,
                    lines.join("; ")
                ),
            ));
        }
        if failed.has_errors() {
            failed.extend(out);
            return Err(failed);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_says_what_will_happen() {
        let m = ReassignOwnedModel {
            role: "old".into(),
            new_owner: "heir".into(),
            databases: None,
            drop_owned: true,
        };
        let text = m.intent(&listed(&["a".into(), "b".into()]));
        assert!(text.contains("reassign what old owns to heir in databases a, b, then drop"));
        assert_eq!(listed(&["a".into()]), "database a");
    }
}
