//! `postgresql_user_mapping`: the credentials a role (or PUBLIC) uses on a
//! foreign server, with the reference provider's attributes and import ID
//! (`user_name.server_name`; `database.user_name.server_name` here).
//!
//! Options usually hold a password, so `options` is sensitive, and
//! `options_wo` (Terraform 1.11+) keeps options out of plan and state
//! altogether: they are sent on creation and whenever `options_wo_version`
//! or their names change. `options_wo_keys` records the names (never the
//! values), so that a refresh tells them from options set outside
//! Terraform. A provider role that may not read the mapping's options
//! keeps what the state says and sets every option again on each change.
//! The statements run with the server's statement logging off
//! where the provider's role may turn it off ([`quiet`]), and log every
//! value as `[redacted]`. Options change in place, option by option.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::quiet::{self, run_quietly};
use crate::pg::error::PgError;
use crate::pg::fdw::options::{self as opts, Options};
use crate::pg::fdw::user_mapping::{self as sql, is_public, MappingRow};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, Problem,
    ResourceType, Tf, Validator, Value,
};

use crate::resources::review::codes::Code;
use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext};
use crate::resources::support::import_id::UserMappingId;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_user_mapping` as Terraform holds it.
    pub struct UserMappingModel {
        id: Tf<String> = computed(
            "`database.user_name.server_name`; a part that is empty or contains `.` or `\"` is \
             written in double quotes with `\"` doubled.",
        )
        .stable(),
        user_name: String = required(
            "The role whose connections the mapping is for (exact, case-sensitive), or \
             `public` (in any case) for the PUBLIC mapping, which every role without a mapping \
             of its own uses. Name the role itself: the keywords `CURRENT_USER`, \
             `CURRENT_ROLE`, `SESSION_USER` and `USER` are refused.",
        )
        .replaces()
        .each(user_name),
        server_name: String = required(
            "The foreign server the mapping is for.",
        )
        .replaces()
        .each(server_name),
        options: Option<Options> = optional(
            "The mapping's options, typically the remote `user` and `password`; the names and \
             values the foreign-data wrapper accepts are its own. Sensitive, but stored in \
             state: use `options_wo` for the password to keep it out. Changes in place, \
             option by option; an option set outside Terraform shows as a change. Only a \
             superuser, the mapped role itself and (for PUBLIC) the server's owner can read \
             them back: for a provider role that cannot, changes outside Terraform do not \
             show, and each change it makes sets every option again.",
        )
        .sensitive()
        .validate(Validator::WithConfig(options_check)),
        options_wo: Option<Options> = optional(
            "Write-only options (Terraform 1.11+), such as `{ password = var.remote_password }`: \
             never stored in plan or state. Sent when the mapping is created and whenever \
             `options_wo_version` or the set of names changes; removing it drops them. Its \
             names may not also be in `options`.",
        )
        .sensitive()
        .write_only()
        .validate(Validator::WithConfig(options_wo_check))
        .validate(Validator::WithConfig(options_wo_version_missing)),
        options_wo_version: Option<String> = optional(
            "Any value; change it to send `options_wo` again. Required with `options_wo`.",
        ),
        options_wo_keys: Tf<BTreeSet<String>> = computed(
            "The names of the options `options_wo` set (never their values), so that a refresh \
             can tell them from options set outside Terraform. When one of them is dropped \
             outside Terraform, the next plan sends `options_wo` again.",
        )
        .stable(),
        database: Tf<String> = optional(
            "The database the server and its mapping live in. Default: the provider's \
             `database`. Not in the reference provider, where everything lives in the \
             provider's database.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
    }
}

/// The role keywords `CREATE USER MAPPING FOR` takes besides names: the
/// mapping would be stored under the resolved role's name.
const ROLE_KEYWORDS: [&str; 4] = ["CURRENT_USER", "CURRENT_ROLE", "SESSION_USER", "USER"];

fn user_name(attr: &str, name: &str) -> Option<Problem> {
    validators::role_name(attr, name).or_else(|| {
        ROLE_KEYWORDS.contains(&name).then(|| {
            Problem::new(
                "Role Keyword Not Supported",
                format!(
                    "{attr} is {name:?}, which PostgreSQL resolves to the role running the \
                     statement: the mapping would be stored under that role's name, and never \
                     match the configuration. Write the role's name instead (a role literally \
                     named so must be written in lower case)."
                ),
            )
        })
    })
}

fn server_name(attr: &str, name: &str) -> Option<Problem> {
    validators::identifier("Server Name", attr, name)
}

fn options_check(config: &Value) -> Option<Problem> {
    validators::option_names("options", config)
}

fn options_wo_check(config: &Value) -> Option<Problem> {
    validators::option_names("options_wo", config).or_else(|| {
        let wo = config.get("options_wo").as_map()?;
        let plain = config.get("options").as_map()?;
        let both: Vec<&str> = wo
            .keys()
            .filter(|k| plain.contains_key(*k))
            .map(String::as_str)
            .collect();
        (!both.is_empty()).then(|| {
            Problem::new(
                "Option In Both Maps",
                format!(
                    "{} set in both options and options_wo. An option has one value: keep \
                     secrets in options_wo and the rest in options.",
                    both.iter()
                        .map(|k| format!("{k:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                        + if both.len() == 1 { " is" } else { " are" }
                ),
            )
        })
    })
}

fn options_wo_version_missing(config: &Value) -> Option<Problem> {
    config.get("options_wo_version").is_null().then(|| {
        Problem::new(
            "Missing options_wo_version",
            "options_wo is never stored, so Terraform cannot tell when its values change. Set \
             options_wo_version, and change it whenever the options should be sent again.",
        )
    })
}

/// Whether an option holds a password (`password`, `sslpassword`, ...).
fn is_password(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("password")
}

/// The import ID of a mapping in `database` (`None`: the provider's).
fn mapping_id(database: Option<&str>, user: &str, server: &str) -> String {
    UserMappingId {
        database: database.map(str::to_string),
        user: user.to_string(),
        server: server.to_string(),
    }
    .render()
}

/// The names of a write-only option map, as `options_wo_keys` holds them.
fn keys_of(options: &Option<Options>) -> Tf<BTreeSet<String>> {
    options
        .as_ref()
        .map_or(Tf::Null, |o| Tf::Known(o.keys().cloned().collect()))
}

impl UserMappingModel {
    /// The database, as set or as read (`None`: the provider's).
    fn database(&self) -> Option<&str> {
        self.database.known().map(String::as_str)
    }

    /// Takes what the catalog says. Options set by `options_wo` stay out
    /// of `options`; options the provider's role may not see keep their
    /// state.
    fn with_row(self, database: String, row: MappingRow) -> UserMappingModel {
        let id = Tf::Known(mapping_id(
            Some(&database),
            &self.user_name,
            &self.server_name,
        ));
        let database = Tf::Known(database);
        let Some(mut read) = row.options else {
            return UserMappingModel {
                id,
                database,
                ..self
            };
        };
        let wo_keys = match &self.options_wo_keys {
            Tf::Known(keys) => {
                let present: BTreeSet<String> = keys
                    .iter()
                    .filter(|k| read.remove(*k).is_some())
                    .cloned()
                    .collect();
                Tf::Known(present)
            }
            _ => Tf::Null,
        };
        let options = if read.is_empty() {
            self.options.as_ref().map(|_| Options::new())
        } else {
            Some(read)
        };
        UserMappingModel {
            id,
            options,
            options_wo_keys: wo_keys,
            database,
            ..self
        }
    }
}

fn ctx(client: &Client, user: &str, server: &str, database: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("user mapping for {user:?} on server {server:?} in database {database:?}"),
    )
    .needs(
        "ownership of the server (membership in its owner), or, for a mapping of the \
         provider's own role, USAGE on the server",
    )
    .importable(
        "postgresql_user_mapping",
        &mapping_id(Some(database), user, server),
    )
}

/// The mapping vanished in the middle of a change.
fn gone(user: &str, server: &str) -> Diagnostics {
    Diagnostic::error(
        "User Mapping Not Found",
        format!(
            "The user mapping for {user:?} on server {server:?} does not exist (dropped outside \
             Terraform since the last refresh?). Run terraform apply again: the refresh will \
             plan to create it."
        ),
    )
    .into()
}

/// The `postgresql_user_mapping` resource.
pub struct UserMappingResource {
    state: Arc<ProviderState>,
}

impl UserMappingResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> UserMappingResource {
        UserMappingResource { state }
    }

    /// The database a mapping lives in, named (never `None`).
    fn database_name(client: &Client, m: &UserMappingModel) -> String {
        m.database()
            .map_or_else(|| client.pools.settings().database.clone(), str::to_string)
    }

    /// PGW302, when the plan gives the PUBLIC mapping a password it did
    /// not have.
    fn public_password_lint(input: &PlanInput<'_>, plan: &Planned) -> Option<Diagnostic> {
        let user = plan.value.get("user_name").as_str()?;
        if !is_public(user) {
            return None;
        }
        let names = |v: &Value| -> Vec<String> {
            v.as_map()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        let plain = names(plan.value.get("options"));
        let wo = names(input.config.get("options_wo"));
        let secret: Vec<&String> = plain.iter().chain(&wo).filter(|k| is_password(k)).collect();
        let first = secret.first()?;
        let prior = input.prior;
        let had = prior.get("user_name").as_str().is_some_and(is_public)
            && (names(prior.get("options")).iter().any(|k| is_password(k))
                || prior
                    .get("options_wo_keys")
                    .as_string_set()
                    .unwrap_or_default()
                    .iter()
                    .any(|k| is_password(k)));
        if had {
            return None;
        }
        let server = plan.value.get("server_name").as_str().unwrap_or("?");
        let attr = if plain.contains(first) {
            "options"
        } else {
            "options_wo"
        };
        Some(
            Code::PublicMappingPassword
                .warning(
                    "PUBLIC User Mapping Carries A Password",
                    format!(
                        "The user mapping for PUBLIC on server {server:?} sets option {first:?}. \
                         Every role without a mapping of its own on the server, including \
                         roles created later, then connects with these credentials: any role \
                         that may read a foreign table on the server, or has USAGE on the \
                         server to create one, acts on the remote side as the mapped remote \
                         user. Map the roles that need the server one by one instead, or give \
                         the PUBLIC mapping a remote role that may do only what every local \
                         role may."
                    ),
                )
                .at(attr),
        )
    }

    /// Runs a mapping's statement quietly in one transaction on `database`.
    async fn run(
        &self,
        client: &Client,
        database: &str,
        what: &str,
        work: Work<'_>,
    ) -> Result<(), ChangeError> {
        let version = client.info.version_num;
        client
            .transaction(Some(database), what, &work, |tx, work| {
                Box::pin(async move {
                    let statements = match work {
                        Work::Create {
                            user,
                            server,
                            options,
                        } => {
                            vec![sql::create(user, server, options)]
                        }
                        Work::Alter {
                            user,
                            server,
                            prior,
                            wanted,
                        } => {
                            let Some(row) = sql::read(tx, user, server).await? else {
                                return Err(ChangeError::Diag(gone(user, server)));
                            };
                            let current = match row.options {
                                Some(o) => o.into_iter().map(|(k, v)| (k, Some(v))).collect(),
                                None => prior.clone(),
                            };
                            sql::alter(user, server, &opts::changes(&current, wanted))
                                .into_iter()
                                .collect()
                        }
                    };
                    if statements.is_empty() {
                        return Ok(());
                    }
                    let silence = quiet::can_silence(tx, version).await?;
                    run_quietly(tx, silence, &statements).await?;
                    Ok(())
                })
            })
            .await
    }
}

/// What an apply does to a mapping.
enum Work<'a> {
    /// `CREATE USER MAPPING` with every option.
    Create {
        user: &'a str,
        server: &'a str,
        options: Options,
    },
    /// `ALTER USER MAPPING`, by difference from what the mapping holds (or,
    /// when the provider's role may not see its options, from `prior`: the
    /// names the state knows, values unknown).
    Alter {
        user: &'a str,
        server: &'a str,
        prior: BTreeMap<String, Option<String>>,
        wanted: BTreeMap<String, Option<String>>,
    },
}

#[async_trait]
impl ResourceType for UserMappingResource {
    type Model = UserMappingModel;
    const NAME: &'static str = "postgresql_user_mapping";

    fn description(&self) -> String {
        "Creates and manages a user mapping (`CREATE USER MAPPING`): the credentials a role, \
         or PUBLIC, uses on a foreign server.\n\n\
         The password never appears in plan output or diagnostics, and with `options_wo` \
         never in state. The provider runs the statements with the server's statement \
         logging turned off (`SET LOCAL log_statement = 'none'`, `log_min_error_statement = \
         'panic'`, `log_min_duration_statement = -1`) when its role may: a superuser, or on \
         PostgreSQL 15 and later a role granted `SET` on those three parameters (`GRANT SET \
         ON PARAMETER log_statement, log_min_error_statement, log_min_duration_statement TO \
         ...`). With a role that may not, a server logging statements (`log_statement = ddl` \
         or `all`) writes the password to its log. Extensions that record statement text, \
         such as `pg_stat_statements` with `track_utility`, are not affected by these \
         settings.\n\n\
         A mapping for `public` that carries a password gets the plan warning `PGW302`.\n\n\
         Import with `database.user_name.server_name` (or `user_name.server_name` for the \
         provider's database): `terraform import postgresql_user_mapping.example \
         'mydb.app.warehouse'`."
            .into()
    }

    /// The reference provider's state (schema version 0, as this one's)
    /// stores no options as `{}`; the rest is unset.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        if state.get("options").as_map().is_some_and(|m| m.is_empty()) {
            state.set("options", Value::Null);
        }
        if state.get("database").as_str() == Some("") {
            state.set("database", Value::Null);
        }
        Ok(state)
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        if plan.is_destroy() {
            return d;
        }
        // Unset database: the provider's, known now rather than after apply.
        if plan.value.get("database").is_unknown() {
            if let Some(c) = self.state.client_opt().await {
                plan.value.set(
                    "database",
                    Value::string(c.pools.settings().database.clone()),
                );
            }
        }
        let id = match (
            plan.value.get("database").as_str(),
            plan.value.get("user_name").as_str(),
            plan.value.get("server_name").as_str(),
        ) {
            (Some(db), Some(user), Some(server)) => {
                Value::string(mapping_id(Some(db), user, server))
            }
            _ => Value::unknown(),
        };
        plan.value.set("id", id);
        // The names options_wo will set: a change sends them again.
        let wo = input.config.get("options_wo");
        let keys = match wo.as_map() {
            Some(m) => Value::string_set(m.keys().cloned()),
            None if wo.is_unknown() => Value::unknown(),
            None => Value::Null,
        };
        plan.value.set("options_wo_keys", keys);
        if let Some(warning) = Self::public_password_lint(&input, plan) {
            d.push(warning);
        }
        d
    }

    async fn create(
        &self,
        planned: UserMappingModel,
        config: UserMappingModel,
    ) -> DResult<UserMappingModel> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &planned);
        let (user, server) = (&planned.user_name, &planned.server_name);
        let mut options = planned.options.clone().unwrap_or_default();
        options.extend(config.options_wo.clone().unwrap_or_default());
        let work = Work::Create {
            user,
            server,
            options,
        };
        self.run(&client, &database, "creating a user mapping", work)
            .await
            .map_err(|e| change_diag(e, &ctx(&client, user, server, &database)))?;
        Ok(UserMappingModel {
            id: Tf::Known(mapping_id(Some(&database), user, server)),
            options_wo_keys: keys_of(&config.options_wo),
            database: Tf::Known(database.clone()),
            ..planned
        })
    }

    async fn update(
        &self,
        prior: UserMappingModel,
        planned: UserMappingModel,
        config: UserMappingModel,
    ) -> DResult<UserMappingModel> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &planned);
        let (user, server) = (&planned.user_name, &planned.server_name);
        let wo_keys = keys_of(&config.options_wo);
        let send_wo = planned.options_wo_version != prior.options_wo_version
            || wo_keys != prior.options_wo_keys;
        // What the state says the mapping holds, for a role that cannot
        // read it: the names of the options and of those options_wo set.
        // Their values may have changed unseen, so every wanted one is set
        // again.
        let mut held: BTreeMap<String, Option<String>> = prior
            .options
            .iter()
            .flatten()
            .map(|(k, _)| (k.clone(), None))
            .collect();
        if let Tf::Known(keys) = &prior.options_wo_keys {
            held.extend(keys.iter().map(|k| (k.clone(), None)));
        }
        let mut wanted: BTreeMap<String, Option<String>> = planned
            .options
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        wanted.extend(
            config
                .options_wo
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, send_wo.then_some(v))),
        );
        let work = Work::Alter {
            user,
            server,
            prior: held,
            wanted,
        };
        self.run(&client, &database, "changing a user mapping", work)
            .await
            .map_err(|e| change_diag(e, &ctx(&client, user, server, &database)))?;
        Ok(UserMappingModel {
            id: Tf::Known(mapping_id(Some(&database), user, server)),
            options_wo_keys: wo_keys,
            database: Tf::Known(database.clone()),
            ..planned
        })
    }

    async fn delete(&self, prior: UserMappingModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &prior);
        let statement = sql::drop(&prior.user_name, &prior.server_name);
        match client
            .run_statements(Some(&database), "dropping a user mapping", &[statement])
            .await
        {
            Ok(()) => Ok(()),
            // The whole database is gone, and the mapping with it.
            Err(e) if e.is_missing_database() => Ok(()),
            Err(e) => Err(pg_diag(
                &e,
                &ctx(&client, &prior.user_name, &prior.server_name, &database),
            )),
        }
    }

    async fn read(&self, current: UserMappingModel) -> DResult<Option<UserMappingModel>> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &current);
        let (user, server) = (&current.user_name, &current.server_name);
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, user, server, &database));
        let conn = match client.pools.get(Some(&database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let row = sql::read(&**conn, user, server)
            .await
            .map_err(|e| diag(&e))?;
        Ok(row.map(|r| current.clone().with_row(database.clone(), r)))
    }

    async fn import(&self, id: &str) -> DResult<UserMappingModel> {
        let client = self.state.client().await?;
        let UserMappingId {
            database,
            user,
            server,
        } = UserMappingId::parse(id)?;
        let database = database.unwrap_or_else(|| client.pools.settings().database.clone());
        let wanted = UserMappingModel {
            user_name: user.clone(),
            server_name: server.clone(),
            database: Tf::Known(database.clone()),
            ..UserMappingModel::default()
        };
        ResourceType::read(self, wanted).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "User Mapping Not Found",
                format!(
                    "Database {database:?} has no user mapping for {user:?} on server \
                     {server:?} (or the database does not exist). Names are case-sensitive; \
                     write public for the PUBLIC mapping."
                ),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "server_name", "user_name"];

    fn import_id(&self, m: &UserMappingModel) -> Option<String> {
        if m.user_name.is_empty() || m.server_name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(mapping_id(
            database.map(String::as_str),
            &m.user_name,
            &m.server_name,
        ))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::NamePattern("the mapped role's name (`public` for the PUBLIC mapping)"),
    ];

    /// Every user mapping of the database, as an import reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<UserMappingModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let diag = |e: &PgError| {
            pg_diag(
                e,
                &ErrorContext::new(
                    &client.info.current_user,
                    format!("the user mappings in database {database:?}"),
                ),
            )
        };
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| diag(&e))?;
        let mappings = sql::list(&**conn).await.map_err(|e| diag(&e))?;
        Ok(mappings
            .into_iter()
            .filter(|((_, user), _)| query.name_matches(user))
            .map(|((server, user), row)| {
                UserMappingModel {
                    user_name: user,
                    server_name: server,
                    ..UserMappingModel::default()
                }
                .with_row(database.clone(), row)
            })
            .collect())
    }
}

/// A failed change as a diagnostic.
fn change_diag(e: ChangeError, ctx: &ErrorContext) -> Diagnostics {
    match e {
        ChangeError::Diag(d) => d,
        ChangeError::Pg(e) => pg_diag(&e, ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Options {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn model(options: Option<Options>, wo_keys: Tf<BTreeSet<String>>) -> UserMappingModel {
        UserMappingModel {
            user_name: "app".into(),
            server_name: "srv".into(),
            options,
            options_wo_keys: wo_keys,
            ..UserMappingModel::default()
        }
    }

    #[test]
    fn write_only_names_stay_out_of_options() {
        let read = MappingRow {
            options: Some(opts(&[("user", "u"), ("password", "p"), ("extra", "x")])),
        };
        let m = model(
            Some(opts(&[("user", "u")])),
            Tf::Known(["password".to_string(), "sslkey".to_string()].into()),
        )
        .with_row("db".into(), read);
        assert_eq!(m.options, Some(opts(&[("user", "u"), ("extra", "x")])));
        // sslkey was dropped outside Terraform: the plan will send it again.
        assert_eq!(
            m.options_wo_keys,
            Tf::Known(["password".to_string()].into())
        );
        assert_eq!(m.id, Tf::Known("db.app.srv".into()));
    }

    #[test]
    fn hidden_options_keep_the_state() {
        let m = model(Some(opts(&[("user", "u")])), Tf::Null)
            .with_row("db".into(), MappingRow { options: None });
        assert_eq!(m.options, Some(opts(&[("user", "u")])));
        let m = model(Some(Options::new()), Tf::Null).with_row(
            "db".into(),
            MappingRow {
                options: Some(Options::new()),
            },
        );
        assert_eq!(m.options, Some(Options::new()));
    }

    #[test]
    fn keywords_and_overlaps_are_refused() {
        assert_eq!(
            user_name("user_name", "CURRENT_USER").unwrap().summary,
            "Role Keyword Not Supported"
        );
        assert!(user_name("user_name", "public").is_none());
        assert!(user_name("user_name", "user").is_none());
        let config = Value::object([
            (
                "options",
                Value::Map([("password".to_string(), Value::string("a"))].into()),
            ),
            (
                "options_wo",
                Value::Map([("password".to_string(), Value::string("b"))].into()),
            ),
        ]);
        let p = options_wo_check(&config).unwrap();
        assert_eq!(p.summary, "Option In Both Maps");
        assert!(p.detail.contains("\"password\" is set"), "{}", p.detail);
        assert!(is_password("sslpassword") && is_password("Password"));
        assert!(!is_password("password_required"));
    }
}
