//! `postgresql_terminate_sessions` action: ends the open sessions of a role
//! (and, when asked, of its members) with `pg_terminate_backend`, so that a
//! revoked LOGIN or membership takes effect now instead of when those
//! sessions happen to end.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::roles::sessions::{self, SessionCount, SessionFilter};
use crate::protocol::model::{optional, required};
use crate::protocol::{ActionType, DResult, Diagnostic, Diagnostics, Progress, Viewed};
use crate::resources::actions::checks;
use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext, OrDiag};
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// The configuration of a `postgresql_terminate_sessions` action.
    pub struct TerminateSessionsModel {
        role: String = required(
            "The role whose sessions end. It must exist when the action runs (a role created \
             in the same apply is checked then).",
        )
        .each(validators::role_name),
        database: Option<String> = optional(
            "End only the sessions connected to this database; sessions in every database when \
             unset.",
        )
        .each(validators::database_name),
        include_members: bool = optional(
            "Also end the sessions of the roles that are members of `role`, directly or \
             through other roles: the sessions that use its privileges by membership.",
        )
        .default(false),
    }
    view TerminateSessionsView;
}

impl TerminateSessionsModel {
    fn filter(&self) -> SessionFilter {
        SessionFilter {
            role: self.role.clone(),
            database: self.database.clone(),
            include_members: self.include_members,
        }
    }

    /// "app" or "app and its members", for messages.
    fn whose(&self) -> String {
        if self.include_members {
            format!("{} and its members", self.role)
        } else {
            self.role.clone()
        }
    }
}

/// The `postgresql_terminate_sessions` action.
pub struct TerminateSessionsAction {
    state: Arc<ProviderState>,
}

impl TerminateSessionsAction {
    /// The action, using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> TerminateSessionsAction {
        TerminateSessionsAction { state }
    }

    fn ctx(client: &Client, role: &str) -> ErrorContext {
        ErrorContext::new(&client.info.current_user, format!("sessions of role {role:?}"))
            .needs("SUPERUSER, or membership in pg_signal_backend (and it cannot end a superuser's sessions)")
    }

    async fn plan_known(&self, m: &TerminateSessionsModel) -> DResult<Diagnostics> {
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
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        if !checks::plan_role(&self.state, &**conn, "role", &m.role)
            .await
            .or_diag(&ctx)?
            .map_err(Diagnostics::from)?
        {
            return Ok(checks::checked_at_invoke(
                Self::NAME,
                &format!("Role {:?} is created in this run", m.role),
            ));
        }
        if let Some(db) = &m.database {
            if !checks::database_usable(&**conn, db).await.or_diag(&ctx)? {
                return Err(checks::missing_database("database", db).into());
            }
        }
        let now = sessions::count(&**conn, &m.filter()).await.or_diag(&ctx)?;
        Ok(Diagnostic::warning("Sessions Will End", will_end(&now, &m.whose())).into())
    }
}

/// What the plan says: "will end 3 sessions of app in 2 databases …".
fn will_end(now: &SessionCount, whose: &str) -> String {
    let name = TerminateSessionsAction::NAME;
    if now.total() == 0 {
        format!(
            "{name} finds {} open now; it will end any opened before it runs.",
            now.describe(whose)
        )
    } else {
        format!(
            "{name} will end {} open now, and any opened before it runs.",
            now.describe(whose)
        )
    }
}

#[async_trait]
impl ActionType for TerminateSessionsAction {
    type Model = TerminateSessionsModel;
    const NAME: &'static str = "postgresql_terminate_sessions";

    fn description(&self) -> String {
        "Ends the open sessions of a role with `pg_terminate_backend`, in one database or all, \
         and with `include_members` those of its members too. Revoking LOGIN or a membership \
         leaves open sessions with the rights they had; this action makes the revocation take \
         effect now. It never ends the provider's own sessions, nor those of any role it was not \
         asked about. A role or database that does not exist is an error that names it, and \
         nothing is ended. The provider's role needs SUPERUSER, or membership in \
         `pg_signal_backend` (which cannot end a superuser's sessions)."
            .into()
    }

    async fn plan(&self, config: &TerminateSessionsView) -> Diagnostics {
        let Some(m) = TerminateSessionsModel::from_view(config) else {
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
        config: TerminateSessionsModel,
        progress: &Progress,
    ) -> DResult<Diagnostics> {
        let client = self.state.client().await?;
        if config.role == client.own_role() {
            return Err(checks::own_role("role", &config.role).into());
        }
        let ctx = Self::ctx(&client, &config.role);
        let data = (config.filter(), client.info.version_num);
        let ended = client
            .transaction(None, "ending sessions", &data, |tx, (filter, version)| {
                Box::pin(async move {
                    if !sessions::role_exists(tx, &filter.role).await? {
                        let d = checks::missing_role("role", &filter.role);
                        return Err(ChangeError::Diag(d.into()));
                    }
                    if let Some(db) = &filter.database {
                        if !checks::database_usable(tx, db).await? {
                            let d = checks::missing_database("database", db);
                            return Err(ChangeError::Diag(d.into()));
                        }
                    }
                    Ok(sessions::terminate(tx, filter, *version).await?)
                })
            })
            .await
            .map_err(|e| match e {
                ChangeError::Diag(d) => d,
                ChangeError::Pg(e) => pg_diag(&e, &ctx),
            })?;
        progress.report(if ended.total() == 0 {
            format!(
                "{} was open; nothing to end",
                ended.describe(&config.whose())
            )
        } else {
            format!("terminated {}", ended.describe(&config.whose()))
        });
        Ok(Diagnostics::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_show_in_messages() {
        let m = TerminateSessionsModel {
            role: "app".into(),
            database: None,
            include_members: true,
        };
        assert_eq!(m.whose(), "app and its members");
        assert!(m.filter().include_members);
        let schema = <TerminateSessionsAction as crate::protocol::Action>::schema(
            &TerminateSessionsAction::new(Arc::new(ProviderState::default())),
        );
        let members = schema.block.attribute("include_members");
        assert!(members.is_some_and(|a| a.optional && !a.computed));
    }
}
