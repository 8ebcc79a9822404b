//! `postgresql_temporary_role` ephemeral resource: a login role that lives
//! for one Terraform run. Open creates it with a random name, a random
//! password (sent only as a SCRAM verifier), `VALID UNTIL` now + ttl and
//! the memberships asked for; Renew moves `VALID UNTIL`; Close ends its
//! sessions, hands what it created to `reassign_to` in every database where
//! it owns something, and drops it. Nothing of it reaches a plan or state
//! file.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model;
use crate::pg::roles::retire::{self, Retire};
use crate::pg::roles::role::{drop_role, RoleDrop};
use crate::pg::roles::sessions::{self, SessionFilter};
use crate::pg::roles::temporary::{self, NewRole};
use crate::protocol::model::{computed, optional};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, EphemeralResourceType, Opened, Problem, Renewed, Tf,
};
use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

/// The shortest and longest `ttl` accepted.
const MIN_TTL: u64 = 60;
const MAX_TTL: u64 = 24 * 3600;

/// How many expired roles one Open cleans up at most, so that a backlog
/// does not hold up the run.
const CLEANUP_BATCH: usize = 20;

/// Seconds in a duration such as `15m`, `1h` or `1h30m` (units `s`, `m`,
/// `h`); `None` for anything else.
pub fn parse_ttl(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
        any = true;
    }
    (any && digits.is_empty()).then_some(total)
}

fn ttl_problem(attr: &str, v: &str) -> Option<Problem> {
    match parse_ttl(v) {
        None => Some(Problem::new(
            "Invalid Duration",
            format!(
                "{attr} is {v:?}, which is not a duration. Write a number and a unit, such as \
                 \"15m\", \"1h\" or \"1h30m\" (units s, m and h)."
            ),
        )),
        Some(s) if !(MIN_TTL..=MAX_TTL).contains(&s) => Some(Problem::new(
            "Duration Out Of Range",
            format!("{attr} is {v:?}; it must be from 1m to 24h."),
        )),
        Some(_) => None,
    }
}

fn prefix_problem(attr: &str, v: &str) -> Option<Problem> {
    // 16 random characters follow the prefix, within PostgreSQL's 63 bytes.
    if v.len() > 47 {
        return Some(Problem::new(
            "Prefix Too Long",
            format!("{attr} is {} bytes long; it may be at most 47.", v.len()),
        ));
    }
    (v.is_empty() || v.starts_with("pg_")).then(|| {
        Problem::new(
            "Invalid Prefix",
            format!(
                "{attr} must not be empty or start with pg_ (reserved by PostgreSQL); the \
                 default is tmp_."
            ),
        )
    })
}

model! {
    /// The configuration and results of a `postgresql_temporary_role`.
    pub struct TemporaryRoleModel {
        member_of: Option<std::collections::BTreeSet<String>> = optional(
            "The roles it is granted (with INHERIT and SET, as a plain GRANT gives them): the \
             reader or migrator role the job works as. The provider's role must be able to \
             grant them.",
        )
        .each(validators::role_name),
        ttl: String = optional(
            "How long it may log in: a duration such as `15m`, `1h` or `1h30m`, from 1m to \
             24h. `VALID UNTIL` is set to now + ttl when it is opened and again on each \
             renewal; Terraform renews it while a run still needs it.",
        )
        .default("1h")
        .each(ttl_problem),
        name_prefix: String = optional(
            "The start of its name; 16 random lower-case letters and digits follow.",
        )
        .default("tmp_")
        .each(prefix_problem),
        reassign_to: Option<String> = optional(
            "Who gets what the role created, when it is closed; the provider's own role when \
             unset.",
        )
        .each(validators::role_name),
        cleanup_expired: bool = optional(
            "When opened, also drop the temporary roles a run left behind: roles whose name \
             starts with `name_prefix`, that carry the provider's temporary-role comment and \
             whose `VALID UNTIL` has passed (a run that died before closing). What they \
             created goes to `reassign_to`, as on a normal close. At most 20 per open.",
        )
        .default(false),
        name: Tf<String> = computed("The role's name: `name_prefix` and 16 random characters."),
        password: Tf<String> = computed(
            "Its random password (32 letters and digits). Only a SCRAM-SHA-256 verifier of it \
             is sent to the server.",
        )
        .sensitive(),
        valid_until: Tf<String> = computed(
            "When it stops accepting logins, as set when it was opened (RFC 3339, UTC); a \
             renewal moves it.",
        ),
    }
    view TemporaryRoleView;
}

/// What Renew and Close need, kept in Terraform's memory only; never the
/// password.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Private {
    name: String,
    ttl: u64,
    reassign_to: String,
}

impl Private {
    fn decode(bytes: &[u8]) -> DResult<Private> {
        serde_json::from_slice(bytes).map_err(|e| {
            Diagnostic::error(
                "Unusable Private Data",
                format!(
                    "Terraform handed back private data this provider did not write ({e}). \
                     Nothing was changed. This is a bug; please report it."
                ),
            )
            .into()
        })
    }
}

/// When to renew: halfway through, so a slow run is never locked out.
fn renew_at(ttl: u64) -> SystemTime {
    SystemTime::now() + Duration::from_secs(ttl / 2)
}

/// The `postgresql_temporary_role` ephemeral resource.
pub struct TemporaryRole {
    state: Arc<ProviderState>,
}

impl TemporaryRole {
    /// The resource, using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> TemporaryRole {
        TemporaryRole { state }
    }

    fn ctx(client: &Client, role: &str) -> ErrorContext {
        ErrorContext::new(
            &client.info.current_user,
            format!("temporary role {role:?}"),
        )
        .needs("CREATEROLE, and the right to grant the roles in member_of")
    }

    /// The roles of `member_of` to grant now. Every role there and in
    /// `reassign_to` must exist, except one that a `postgresql_role` of this
    /// run creates: during the plan it does not exist yet, so it is left out
    /// with a warning (the role opened during apply, after it was created,
    /// gets it). Errors name the attribute.
    async fn memberships(
        &self,
        client: &Client,
        m: &TemporaryRoleModel,
    ) -> DResult<(Vec<String>, Diagnostics)> {
        let ctx = Self::ctx(client, "");
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let mut errors = Diagnostics::new();
        let mut warnings = Diagnostics::new();
        let mut grant = Vec::new();
        let wanted = m
            .member_of
            .iter()
            .flatten()
            .map(|r| ("member_of", r))
            .chain(m.reassign_to.iter().map(|r| ("reassign_to", r)));
        for (attr, role) in wanted {
            if sessions::role_exists(&**conn, role).await.or_diag(&ctx)? {
                if attr == "member_of" {
                    grant.push(role.clone());
                }
            } else if attr == "member_of" && self.state.planned.role(role).is_some() {
                warnings.push(
                    Diagnostic::warning(
                        "Membership Left Out Until Apply",
                        format!(
                            "Role {role:?} is created in this run and does not exist yet, so                              the temporary role opened now (for the plan) is not a member of                              it. The one opened during apply, after {role:?} is created, is."
                        ),
                    )
                    .at(attr),
                );
            } else {
                errors.push(
                    Diagnostic::error(
                        "Role Not Found",
                        format!(
                            "No role named {role:?} exists, so no temporary role was created. \
                             Role names are case-sensitive: correct {attr}, or create the role \
                             first."
                        ),
                    )
                    .at(attr),
                );
            }
        }
        errors.into_result()?;
        Ok((grant, warnings))
    }

    /// Close: no new logins, its sessions ended, what it owns handed to
    /// `reassign_to` database by database, then DROP ROLE. A role already
    /// gone is left at that.
    async fn retire(&self, client: &Client, p: &Private) -> DResult<()> {
        let ctx = Self::ctx(client, &p.name);
        let filter = SessionFilter {
            role: p.name.clone(),
            database: None,
            include_members: false,
        };
        let data = (filter, client.info.version_num);
        let exists = client
            .transaction(
                None,
                "ending a temporary role's sessions",
                &data,
                |tx, (f, v)| {
                    Box::pin(async move {
                        if !sessions::role_exists(tx, &f.role).await? {
                            return Ok(false);
                        }
                        crate::pg::conn::exec::run_all(tx, &[temporary::lock_out(&f.role)]).await?;
                        sessions::terminate(tx, f, *v).await?;
                        Ok(true)
                    })
                },
            )
            .await
            .or_diag(&ctx)?;
        if !exists {
            log::info!("temporary role {:?} is already gone", p.name);
            return Ok(());
        }
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let databases = retire::databases_holding(&**conn, &p.name)
            .await
            .or_diag(&ctx)?;
        drop(conn);
        let plan = (
            Retire {
                role: p.name.clone(),
                new_owner: p.reassign_to.clone(),
                drop_owned: true,
            },
            client.actor(),
        );
        for db in &databases {
            client
                .transaction(
                    Some(db),
                    "handing over what a temporary role owns",
                    &plan,
                    |tx, (r, actor)| Box::pin(retire::retire_here(tx, r, actor)),
                )
                .await
                .or_diag(&ctx)?;
        }
        let last = (
            RoleDrop {
                name: p.name.clone(),
                heir: p.reassign_to.clone(),
                reassign_owned: true,
                drop: true,
            },
            client.actor(),
        );
        client
            .transaction(
                None,
                "dropping a temporary role",
                &last,
                |tx, (d, actor)| Box::pin(drop_role(tx, d, actor)),
            )
            .await
            .or_diag(&ctx)
    }

    /// Drops the expired temporary roles a dead run left behind.
    async fn clean_up(&self, client: &Client, prefix: &str, heir: &str) -> DResult<()> {
        let ctx = Self::ctx(client, prefix);
        let conn = client.pools.get(None).await.or_diag(&ctx)?;
        let expired = temporary::expired(&**conn, prefix).await.or_diag(&ctx)?;
        drop(conn);
        for name in expired.into_iter().take(CLEANUP_BATCH) {
            log::info!("dropping expired temporary role {name:?}");
            let p = Private {
                name,
                ttl: 0,
                reassign_to: heir.to_string(),
            };
            self.retire(client, &p).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl EphemeralResourceType for TemporaryRole {
    type Model = TemporaryRoleModel;
    const NAME: &'static str = "postgresql_temporary_role";

    fn description(&self) -> String {
        "A login role for the length of one Terraform run: a CI job or an engineer works as a \
         short-lived member of a reader or migrator role, with no standing credential and \
         nothing in state. Opening it creates a `LOGIN` role with a random name and password \
         (only a SCRAM verifier is sent), `VALID UNTIL` now + `ttl`, and the memberships in \
         `member_of`; Terraform renews it while the run needs it. Closing it ends its \
         sessions, hands what it created to `reassign_to` in every database where it owns \
         something (then drops what is left, such as privileges granted to it), and drops the \
         role: nothing a job created is lost.\n\n\
         Terraform opens ephemeral resources during `plan` as well as `apply`: each plan that \
         needs the values creates and drops one role. If the provider dies before closing, \
         `VALID UNTIL` still blocks new logins (it does not end open sessions); a later open \
         with `cleanup_expired = true` drops such leftovers, and the \
         [actions guide](../guides/actions.md) shows how to find them by hand. The provider's \
         role needs CREATEROLE and the right to grant the roles in `member_of`."
            .into()
    }

    async fn open(&self, config: TemporaryRoleModel) -> DResult<(TemporaryRoleModel, Opened)> {
        let client = match self.state.client().await {
            Ok(c) => c,
            Err(d) if self.state.is_deferred().await => {
                let why = d.0.first().map(|x| x.detail.clone()).unwrap_or_default();
                return Ok((config, Opened::ProviderConfigUnknown { why }));
            }
            Err(d) => return Err(d),
        };
        let ttl = parse_ttl(&config.ttl).ok_or_else(|| {
            let p = ttl_problem("ttl", &config.ttl).unwrap_or_else(|| Problem::new("", ""));
            Diagnostics::from(Diagnostic::error(p.summary, p.detail).at("ttl"))
        })?;
        let (member_of, warnings) = self.memberships(&client, &config).await?;
        let heir = config
            .reassign_to
            .clone()
            .unwrap_or_else(|| client.own_role().to_string());
        if config.cleanup_expired {
            self.clean_up(&client, &config.name_prefix, &heir).await?;
        }
        let role = NewRole::generate(&config.name_prefix);
        let valid_until = temporary::from_now(ttl);
        let statements = role.create(&valid_until, &member_of);
        client
            .run_statements(None, "creating a temporary role", &statements)
            .await
            .or_diag(&Self::ctx(&client, &role.name))?;
        log::info!(
            "created temporary role {:?}, valid until {valid_until}",
            role.name
        );
        let private = Private {
            name: role.name.clone(),
            ttl,
            reassign_to: heir,
        };
        let private = serde_json::to_vec(&private).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Private Data Not Written",
                format!("The temporary role's private data could not be written: {e}."),
            ))
        })?;
        let opened = Opened::Open {
            result: crate::protocol::Value::Null,
            renew_at: Some(renew_at(ttl)),
            private,
            warnings,
        };
        let model = TemporaryRoleModel {
            name: Tf::Known(role.name.clone()),
            password: Tf::Known(role.password.clone()),
            valid_until: Tf::Known(valid_until),
            ..config
        };
        Ok((model, opened))
    }

    async fn renew(&self, private: &[u8]) -> DResult<Renewed> {
        let p = Private::decode(private)?;
        let client = self.state.client().await?;
        let valid_until = temporary::from_now(p.ttl);
        client
            .run_statements(
                None,
                "renewing a temporary role",
                &[temporary::extend(&p.name, &valid_until)],
            )
            .await
            .or_diag(&Self::ctx(&client, &p.name))?;
        log::info!("temporary role {:?} renewed until {valid_until}", p.name);
        Ok(Renewed {
            renew_at: Some(renew_at(p.ttl)),
            private: None,
        })
    }

    async fn close(&self, private: &[u8]) -> DResult<()> {
        // Nothing was opened (an unknown configuration during plan).
        if private.is_empty() {
            return Ok(());
        }
        let p = Private::decode(private)?;
        let client = self.state.client().await?;
        self.retire(&client, &p).await?;
        log::info!("temporary role {:?} closed and dropped", p.name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_are_durations() {
        assert_eq!(parse_ttl("15m"), Some(900));
        assert_eq!(parse_ttl("1h"), Some(3600));
        assert_eq!(parse_ttl("1h30m"), Some(5400));
        assert_eq!(parse_ttl("90s"), Some(90));
        for bad in ["", "1", "h", "1d", "1.5h", "-1h", "1h 30m", "soon"] {
            assert_eq!(parse_ttl(bad), None, "{bad}");
        }
        assert!(ttl_problem("ttl", "soon").is_some_and(|p| p.summary == "Invalid Duration"));
        assert!(ttl_problem("ttl", "30s").is_some());
        assert!(ttl_problem("ttl", "25h").is_some());
        assert!(ttl_problem("ttl", "1h").is_none());
    }

    #[test]
    fn private_data_has_no_password() {
        let p = Private {
            name: "tmp_x".into(),
            ttl: 60,
            reassign_to: "heir".into(),
        };
        let bytes = serde_json::to_vec(&p).expect("serializes");
        assert_eq!(Private::decode(&bytes).expect("decodes"), p);
        assert!(Private::decode(b"nonsense").is_err());
    }

    #[test]
    fn prefixes_leave_room_for_the_random_part() {
        assert!(prefix_problem("name_prefix", "tmp_").is_none());
        assert!(prefix_problem("name_prefix", "pg_x").is_some());
        assert!(prefix_problem("name_prefix", &"a".repeat(48)).is_some());
    }
}
