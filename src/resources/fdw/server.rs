//! `postgresql_server`: a foreign server in one database, with the
//! reference provider's attributes, defaults and import ID (the server
//! name; `database.server` here, since a server may live in a database
//! other than the provider's).
//!
//! Everything but the wrapper and the type changes in place, in one
//! transaction: a rename, the version, the options by difference (`ADD`,
//! `SET`, `DROP` of the options that differ from what the server holds) and
//! the owner. Changes take [`Lock::ForeignAcl`], as grants on servers do,
//! since an owner change rewrites the server's ACL.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::locks::{self, Lock};
use crate::pg::error::PgError;
use crate::pg::fdw::options::{self as opts, Options};
use crate::pg::fdw::server::{self as sql, NewServer, ServerRow};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    AttrPath, DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, Problem,
    ResourceType, Tf, Validator, Value,
};

use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext};
use crate::resources::support::import_id::ServerId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_server` as Terraform holds it.
    pub struct ServerModel {
        id: Tf<String> = computed(
            "`database.server_name`; a part that is empty or contains `.` or `\"` is written \
             in double quotes with `\"` doubled.",
        )
        .stable(),
        server_name: String = required(
            "The name of the foreign server. Changing it renames the server in place \
             (`ALTER SERVER ... RENAME TO`).",
        )
        .each(server_name),
        server_type: Option<String> = optional(
            "Optional server type, potentially useful to foreign-data wrappers. PostgreSQL \
             cannot change it in place. `\"\"` means unset, as in the reference provider.",
        )
        .replaces(),
        server_version: Option<String> = optional(
            "Optional server version, potentially useful to foreign-data wrappers. Changes in \
             place; removing it unsets it (`VERSION NULL`). `\"\"` means unset.",
        ),
        fdw_name: String = required(
            "The name of the foreign-data wrapper that manages the server, such as \
             `postgres_fdw` (installed with `postgresql_extension`).",
        )
        .replaces()
        .each(fdw_name),
        server_owner: Tf<String> = optional(
            "The role that owns the server. Unset: the provider's role on creation, and \
             whoever owns it afterwards. Changes in place (`ALTER SERVER ... OWNER TO`); the \
             new owner needs USAGE on the foreign-data wrapper unless it is a superuser.",
        )
        .and_computed()
        .stable()
        .each(validators::role_name),
        options: Option<Options> = optional(
            "The server's options, which typically say how to reach it (`host`, `port`, \
             `dbname` for `postgres_fdw`); the names and values the wrapper accepts are its \
             own. Changes in place, option by option; an option set outside Terraform shows as \
             a change. Not sensitive: keep passwords in `postgresql_user_mapping`.",
        )
        .validate(Validator::WithConfig(options_check)),
        drop_cascade: bool = optional(
            "When destroyed, also drop the objects that depend on the server, such as user \
             mappings and foreign tables (`DROP SERVER ... CASCADE`). Otherwise the destroy \
             fails while any exist.",
        )
        .default(false),
        database: Tf<String> = optional(
            "The database the server lives in. Default: the provider's `database`. Not in the \
             reference provider, where every server lives in the provider's database.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
    }
}

fn server_name(attr: &str, name: &str) -> Option<Problem> {
    validators::identifier("Server Name", attr, name)
}

fn fdw_name(attr: &str, name: &str) -> Option<Problem> {
    validators::identifier("Foreign-Data Wrapper Name", attr, name)
}

fn options_check(config: &Value) -> Option<Problem> {
    validators::option_names("options", config)
}

/// The import ID of server `name` in `database` (`None`: the provider's).
fn server_id(database: Option<&str>, name: &str) -> String {
    ServerId {
        database: database.map(str::to_string),
        name: name.to_string(),
    }
    .render()
}

/// A type or version as it is sent: `""` is unset.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// A type or version as the catalog has it, in the state's form: unset
/// stays `""` when the state wrote it so.
fn unset_as(prior: &Option<String>, read: Option<String>) -> Option<String> {
    match read.filter(|v| !v.is_empty()) {
        Some(v) => Some(v),
        None => prior.as_ref().filter(|p| p.is_empty()).cloned(),
    }
}

/// Options as the catalog has them, in the state's form: none stays `{}`
/// when the state wrote it so, and null otherwise.
fn options_as(prior: &Option<Options>, read: Options) -> Option<Options> {
    if read.is_empty() {
        prior.as_ref().map(|_| Options::new())
    } else {
        Some(read)
    }
}

impl ServerModel {
    /// The database, as set or as read (`None`: the provider's).
    fn database(&self) -> Option<&str> {
        self.database.known().map(String::as_str)
    }

    /// Takes what the catalog says.
    fn with_row(self, database: String, row: ServerRow) -> ServerModel {
        ServerModel {
            id: Tf::Known(server_id(Some(&database), &self.server_name)),
            server_type: unset_as(&self.server_type, row.server_type),
            server_version: unset_as(&self.server_version, row.version),
            fdw_name: row.fdw,
            server_owner: Tf::Known(row.owner),
            options: options_as(&self.options, row.options),
            database: Tf::Known(database),
            ..self
        }
    }
}

fn ctx(client: &Client, name: &str, database: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("foreign server {name:?} in database {database:?}"),
    )
    .needs(
        "USAGE on the foreign-data wrapper to create the server, and ownership of the server \
         (membership in its owner) to change or drop it",
    )
    .importable("postgresql_server", &server_id(Some(database), name))
}

/// The `postgresql_server` resource.
pub struct ServerResource {
    state: Arc<ProviderState>,
}

impl ServerResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> ServerResource {
        ServerResource { state }
    }

    /// The database a server lives in, named (never `None`).
    fn database_name(client: &Client, m: &ServerModel) -> String {
        m.database()
            .map_or_else(|| client.pools.settings().database.clone(), str::to_string)
    }

    /// Creates the server (`prior` `None`) or changes it into `planned`,
    /// in one transaction, then reads it there, so the state is what was
    /// committed.
    async fn apply(
        &self,
        client: &Client,
        prior: Option<&ServerModel>,
        planned: ServerModel,
    ) -> DResult<ServerModel> {
        let database = Self::database_name(client, &planned);
        let ctx = ctx(client, &planned.server_name, &database);
        let acting = client.actor();
        let work = (prior, &planned, &acting);
        let row = client
            .transaction(
                Some(&database),
                "changing a foreign server",
                &work,
                |tx, (prior, planned, acting)| {
                    Box::pin(async move {
                        locks::take(tx, vec![Lock::ForeignAcl]).await?;
                        let name = planned.server_name.as_str();
                        let wanted_options = planned.options.clone().unwrap_or_default();
                        let old_name = match prior {
                            None => {
                                run_all(
                                    tx,
                                    &[sql::create(&NewServer {
                                        name,
                                        server_type: given(&planned.server_type),
                                        version: given(&planned.server_version),
                                        fdw: &planned.fdw_name,
                                        options: &wanted_options,
                                    })],
                                )
                                .await?;
                                name
                            }
                            Some(p) => p.server_name.as_str(),
                        };
                        let Some(row) = sql::read(tx, old_name).await? else {
                            return Err(ChangeError::Diag(gone(old_name)));
                        };
                        let mut statements: Vec<Statement> = Vec::new();
                        if old_name != name {
                            statements.push(sql::rename(old_name, name));
                        }
                        let version = given(&planned.server_version);
                        if version != row.version.as_deref().filter(|v| !v.is_empty()) {
                            statements.push(sql::set_version(name, version));
                        }
                        let current: BTreeMap<String, Option<String>> = row
                            .options
                            .iter()
                            .map(|(k, v)| (k.clone(), Some(v.clone())))
                            .collect();
                        let wanted: BTreeMap<String, Option<String>> = wanted_options
                            .into_iter()
                            .map(|(k, v)| (k, Some(v)))
                            .collect();
                        statements
                            .extend(sql::alter_options(name, &opts::changes(&current, &wanted)));
                        let mut owners = vec![row.owner.as_str()];
                        if let Some(o) = planned.server_owner.known().filter(|o| **o != row.owner) {
                            statements.push(sql::set_owner(name, o));
                            owners.push(o);
                        }
                        let statements = acting.wrap(tx, &owners, statements).await?;
                        run_all(tx, &statements).await?;
                        sql::read(tx, name)
                            .await?
                            .ok_or_else(|| ChangeError::Diag(gone(name)))
                    })
                },
            )
            .await
            .map_err(|e| match e {
                ChangeError::Diag(d) => d,
                ChangeError::Pg(e) => pg_diag(&e, &ctx),
            })?;
        Ok(planned.with_row(database, row))
    }
}

/// The server vanished in the middle of a change.
fn gone(name: &str) -> Diagnostics {
    Diagnostic::error(
        "Foreign Server Not Found",
        format!(
            "Foreign server {name:?} does not exist (dropped outside Terraform since the last \
             refresh?). Run terraform apply again: the refresh will plan to create it."
        ),
    )
    .into()
}

#[async_trait]
impl ResourceType for ServerResource {
    type Model = ServerModel;
    const NAME: &'static str = "postgresql_server";

    fn description(&self) -> String {
        "Creates and manages a foreign server (`CREATE SERVER`) in a database: the remote \
         source a foreign-data wrapper such as `postgres_fdw` reaches. The server's \
         credentials belong in `postgresql_user_mapping`.\n\n\
         Import with `database.server_name` (or just `server_name` for the provider's \
         database): `terraform import postgresql_server.example 'mydb.warehouse'`."
            .into()
    }

    /// The reference provider's state (schema version 0, as this one's)
    /// stores unset strings as `""` and no options as `{}`, and has no
    /// `database`.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        sdk_state::fill_defaults::<ServerModel>(&mut state);
        sdk_state::empty_strings_to_null(
            &mut state,
            &["server_type", "server_version", "server_owner", "database"],
        );
        if state.get("options").as_map().is_some_and(|m| m.is_empty()) {
            state.set("options", Value::Null);
        }
        Ok(state)
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let client = self.state.client_opt().await;
        // Unset database: the provider's, known now rather than after apply.
        if plan.value.get("database").is_unknown() {
            if let Some(c) = &client {
                plan.value.set(
                    "database",
                    Value::string(c.pools.settings().database.clone()),
                );
            }
        }
        let id = match (
            plan.value.get("database").as_str(),
            plan.value.get("server_name").as_str(),
        ) {
            (Some(db), Some(name)) => Value::string(server_id(Some(db), name)),
            _ => Value::unknown(),
        };
        plan.value.set("id", id);
        // `""` and unset are one to PostgreSQL: no replacement between them.
        let unset = |v: &Value| v.is_null() || v.as_str() == Some("");
        if unset(plan.value.get("server_type")) && unset(input.prior.get("server_type")) {
            plan.requires_replace
                .retain(|p| *p != AttrPath::attr("server_type"));
        }

        // The wrapper must exist, or be installable by this run.
        let fdw_changes = input.prior.is_null()
            || input.prior.get("fdw_name") != plan.value.get("fdw_name")
            || input.prior.get("database") != plan.value.get("database");
        let (Some(client), Some(fdw), Some(database), true) = (
            client,
            plan.value.get("fdw_name").as_str(),
            plan.value.get("database").as_str(),
            fdw_changes,
        ) else {
            return d;
        };
        // The database may not exist yet (created in this same run).
        let Ok(conn) = client.pools.get(Some(database)).await else {
            return d;
        };
        match sql::wrapper_status(&**conn, fdw).await {
            Ok((true, _)) => {}
            Ok((false, installed)) => d.push(
                Diagnostic::error(
                    "Foreign-Data Wrapper Not Found",
                    format!(
                        "Database {database:?} has no foreign-data wrapper named {fdw:?}, and \
                         the server offers no extension that would install it. Wrappers in \
                         the database: {}. Check the name (it is case-sensitive), or install \
                         the package that provides the wrapper on the server and create its \
                         extension with postgresql_extension.",
                        if installed.is_empty() {
                            "none".to_string()
                        } else {
                            installed.join(", ")
                        }
                    ),
                )
                .at("fdw_name"),
            ),
            Err(e) => log::debug!("not checking foreign-data wrapper {fdw:?}: {e}"),
        }
        d
    }

    async fn create(&self, planned: ServerModel, _: ServerModel) -> DResult<ServerModel> {
        let client = self.state.client().await?;
        self.apply(&client, None, planned).await
    }

    async fn update(
        &self,
        prior: ServerModel,
        planned: ServerModel,
        _: ServerModel,
    ) -> DResult<ServerModel> {
        let client = self.state.client().await?;
        self.apply(&client, Some(&prior), planned).await
    }

    async fn delete(&self, prior: ServerModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &prior);
        let acting = client.actor();
        let work = (&prior, &acting);
        let result: Result<(), ChangeError> = client
            .transaction(
                Some(&database),
                "dropping a foreign server",
                &work,
                |tx, (prior, acting)| {
                    Box::pin(async move {
                        locks::take(tx, vec![Lock::ForeignAcl]).await?;
                        let name = prior.server_name.as_str();
                        let Some(row) = sql::read(tx, name).await? else {
                            return Ok(());
                        };
                        let statements = acting
                            .wrap(tx, &[&row.owner], vec![sql::drop(name, prior.drop_cascade)])
                            .await?;
                        run_all(tx, &statements).await?;
                        Ok(())
                    })
                },
            )
            .await;
        match result {
            Ok(()) => Ok(()),
            Err(ChangeError::Diag(d)) => Err(d),
            // The whole database is gone, and the server with it.
            Err(ChangeError::Pg(e)) if e.is_missing_database() => Ok(()),
            Err(ChangeError::Pg(e)) => {
                Err(pg_diag(&e, &ctx(&client, &prior.server_name, &database)))
            }
        }
    }

    async fn read(&self, current: ServerModel) -> DResult<Option<ServerModel>> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &current);
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &current.server_name, &database));
        let conn = match client.pools.get(Some(&database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let row = sql::read(&**conn, &current.server_name)
            .await
            .map_err(|e| diag(&e))?;
        Ok(row.map(|r| current.clone().with_row(database.clone(), r)))
    }

    async fn import(&self, id: &str) -> DResult<ServerModel> {
        let client = self.state.client().await?;
        let ServerId { database, name } = ServerId::parse(id)?;
        let database = database.unwrap_or_else(|| client.pools.settings().database.clone());
        let wanted = ServerModel {
            server_name: name.clone(),
            database: Tf::Known(database.clone()),
            ..ServerModel::default()
        };
        ResourceType::read(self, wanted).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Foreign Server Not Found",
                format!(
                    "Database {database:?} has no foreign server named {name:?} (or the \
                     database does not exist). Names are case-sensitive."
                ),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "server_name"];

    fn import_id(&self, m: &ServerModel) -> Option<String> {
        if m.server_name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(server_id(database.map(String::as_str), &m.server_name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::NamePattern("the server's name"),
    ];

    /// Every foreign server of the database, as an import reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<ServerModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let diag = |e: &PgError| {
            pg_diag(
                e,
                &ErrorContext::new(
                    &client.info.current_user,
                    format!("the foreign servers in database {database:?}"),
                ),
            )
        };
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| diag(&e))?;
        let servers = sql::list(&**conn).await.map_err(|e| diag(&e))?;
        Ok(servers
            .into_iter()
            .filter(|(name, _)| query.name_matches(name))
            .map(|(name, row)| {
                ServerModel {
                    server_name: name,
                    ..ServerModel::default()
                }
                .with_row(database.clone(), row)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_state_gets_defaults_and_nulls() {
        let r = ServerResource::new(Arc::new(ProviderState::default()));
        let old = Value::object([
            ("id", Value::string("myserver")),
            ("server_name", Value::string("myserver")),
            ("server_type", Value::string("")),
            ("server_version", Value::string("")),
            ("server_owner", Value::string("postgres")),
            ("fdw_name", Value::string("postgres_fdw")),
            ("options", Value::Map(BTreeMap::new())),
        ]);
        let new = ResourceType::upgrade(&r, 0, old).unwrap();
        assert_eq!(new.get("drop_cascade"), &Value::bool(false));
        assert!(new.get("server_type").is_null());
        assert!(new.get("server_version").is_null());
        assert!(new.get("options").is_null());
        assert_eq!(new.get("server_owner"), &Value::string("postgres"));
    }

    #[test]
    fn unset_keeps_the_state_form() {
        assert_eq!(unset_as(&Some(String::new()), None), Some(String::new()));
        assert_eq!(unset_as(&None, Some(String::new())), None);
        assert_eq!(unset_as(&None, Some("1".into())), Some("1".into()));
        assert_eq!(
            options_as(&Some(Options::new()), Options::new()),
            Some(Options::new())
        );
        assert_eq!(options_as(&None, Options::new()), None);
    }
}
