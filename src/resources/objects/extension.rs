//! `postgresql_extension`: an extension installed in one database, with the
//! reference provider's attributes, defaults and import ID
//! (`database.extension`).
//!
//! An extension that is already installed is adopted, as the reference
//! provider's `CREATE EXTENSION IF NOT EXISTS` did: configurations that
//! declare `plpgsql` (installed in every database) keep working. Adoption
//! then moves or updates it to what the configuration asks, in the same
//! transaction, so the first apply ends in agreement.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::exec::run_all;
use crate::pg::error::PgError;
use crate::pg::objects::extension::{self as sql, Installed};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, ResourceType, Tf, Value, Viewed,
};

use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::ExtensionId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_extension` as Terraform holds it.
    pub struct ExtensionModel {
        id: Tf<String> = computed(
            "`database.extension`; a part that is empty or contains `.` or `\"` is written in \
             double quotes with `\"` doubled.",
        )
        .stable(),
        name: String = required(
            "Name of the extension, as in `pg_available_extensions` (exact, case-sensitive).",
        )
        .replaces()
        .each(validators::extension_name),
        schema: Tf<String> = optional(
            "Schema for the extension's objects. Unset: the extension's own choice on creation \
             (the schema its control file names, else the first schema of the `search_path`, \
             usually `public`), and whatever schema it is in afterwards. Changing it moves the \
             extension in place (`ALTER EXTENSION ... SET SCHEMA`), which only relocatable \
             extensions allow; the plan says so for the others.",
        )
        .and_computed()
        .stable()
        .each(validators::schema_name),
        version: Tf<String> = optional(
            "Version to install or update to (`ALTER EXTENSION ... UPDATE TO`). Unset: the \
             default version on creation, and whatever version is installed afterwards, so an \
             update made outside Terraform plans no change. The plan checks that the server \
             offers the version and, for an update, an update path to it.",
        )
        .and_computed()
        .stable(),
        database: Tf<String> = optional(
            "Database to install the extension in. Default: the provider's `database`.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
        drop_cascade: bool = optional(
            "When destroyed, also drop the objects that depend on the extension (`DROP EXTENSION \
             ... CASCADE`), such as columns of its types. Otherwise the destroy fails while any \
             exist.",
        )
        .default(false),
        create_cascade: bool = optional(
            "When created, also install the extensions it requires (`CREATE EXTENSION ... \
             CASCADE`), for example `cube` for `earthdistance`. They are not managed by this \
             resource and stay when it is destroyed.",
        )
        .default(false),
    }
    view ExtensionView;
}

/// The import ID of extension `name` in `database` (`None`: the provider's).
fn extension_id(database: Option<&str>, name: &str) -> String {
    ExtensionId {
        database: database.map(str::to_string),
        name: name.to_string(),
    }
    .render()
}

impl ExtensionModel {
    /// The database, as set or as read (`None`: the provider's).
    fn database(&self) -> Option<&str> {
        self.database.known().map(String::as_str)
    }

    /// Takes what the catalog says.
    fn with_installed(self, database: String, installed: Installed) -> ExtensionModel {
        ExtensionModel {
            id: Tf::Known(extension_id(Some(&database), &self.name)),
            schema: Tf::Known(installed.schema),
            version: Tf::Known(installed.version),
            database: Tf::Known(database),
            ..self
        }
    }
}

fn ctx(client: &Client, name: &str, database: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("extension {name:?} in database {database:?}"),
    )
    .needs(
        "CREATE on the database, and SUPERUSER unless the extension is marked trusted (then \
         CREATE on the database suffices); dropping or altering it needs ownership",
    )
    .importable("postgresql_extension", &extension_id(Some(database), name))
}

/// The `postgresql_extension` resource.
pub struct ExtensionResource {
    state: Arc<ProviderState>,
}

impl ExtensionResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> ExtensionResource {
        ExtensionResource { state }
    }

    /// The database an extension lives in, named (never `None`).
    fn database_name(client: &Client, m: &ExtensionModel) -> String {
        m.database()
            .map_or_else(|| client.pools.settings().database.clone(), str::to_string)
    }

    /// Runs `change` on the extension in one transaction, then reads it
    /// there, so the state is what was committed.
    async fn change(
        &self,
        client: &Client,
        planned: ExtensionModel,
        change: Change,
    ) -> DResult<ExtensionModel> {
        let database = Self::database_name(client, &planned);
        let name = planned.name.clone();
        let work = (name.clone(), change);
        let installed = client
            .transaction(
                Some(&database),
                "changing an extension",
                &work,
                |tx, (name, change)| {
                    Box::pin(async move {
                        let before = sql::read(tx, name).await?;
                        let mut statements = Vec::new();
                        if let Change::Create { cascade, .. } = change {
                            if let Some(found) = &before {
                                log::info!(
                                    "extension {name:?} is already installed (version {} in \
                                     schema {:?}); adopting it",
                                    found.version,
                                    found.schema
                                );
                            }
                            statements.push(sql::create(
                                name,
                                change.schema(),
                                change.version(),
                                *cascade,
                            ));
                        }
                        run_all(tx, &statements).await?;
                        let now = sql::read(tx, name).await?;
                        let mut statements = Vec::new();
                        if let Some(now) = &now {
                            if let Some(s) = change.schema().filter(|s| *s != now.schema) {
                                statements.push(sql::set_schema(name, s));
                            }
                            if let Some(v) = change.version().filter(|v| *v != now.version) {
                                statements.push(sql::update_to(name, v));
                            }
                        }
                        run_all(tx, &statements).await?;
                        sql::read(tx, name).await
                    })
                },
            )
            .await
            .map_err(|e: PgError| pg_diag(&e, &ctx(client, &name, &database)))?;
        let installed = installed.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Extension Not Installed",
                format!(
                    "Extension {name:?} is not installed in database {database:?} after the \
                     change, although PostgreSQL reported no error. This is a bug; please \
                     report it."
                ),
            ))
        })?;
        Ok(planned.with_installed(database, installed))
    }
}

/// What an apply does to an extension.
enum Change {
    /// Install it (or adopt it), then move or update it as asked.
    Create {
        schema: Option<String>,
        version: Option<String>,
        cascade: bool,
    },
    /// Move or update it as asked.
    Alter {
        schema: Option<String>,
        version: Option<String>,
    },
}

impl Change {
    fn schema(&self) -> Option<&str> {
        match self {
            Change::Create { schema, .. } | Change::Alter { schema, .. } => schema.as_deref(),
        }
    }

    fn version(&self) -> Option<&str> {
        match self {
            Change::Create { version, .. } | Change::Alter { version, .. } => version.as_deref(),
        }
    }
}

#[async_trait]
impl ResourceType for ExtensionResource {
    type Model = ExtensionModel;
    const NAME: &'static str = "postgresql_extension";

    fn description(&self) -> String {
        "Installs a PostgreSQL extension in a database. An extension that is already installed \
         is adopted, then moved or updated to the configured `schema` and `version`. \
         Installing most extensions needs a superuser; since PostgreSQL 13, extensions marked \
         `trusted` (such as `pgcrypto`, `hstore` or `pg_trgm`) need only CREATE on the \
         database.\n\n\
         Import with `database.extension` (or just `extension` for the provider's database): \
         `terraform import postgresql_extension.example 'mydb.pg_trgm'`."
            .into()
    }

    /// The reference provider's state (schema version 0, as this one's) may
    /// lack the cascade flags (older releases) and then needs the defaults.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        sdk_state::fill_defaults::<ExtensionModel>(&mut state);
        sdk_state::empty_strings_to_null(&mut state, &["schema", "version", "database"]);
        Ok(state)
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, ExtensionModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        let client = self.state.client_opt().await;
        // Unset database: the provider's, known now rather than after apply.
        if plan.planned.database.is_unknown() {
            if let Some(c) = &client {
                plan.planned.database = Tf::Known(c.pools.settings().database.clone());
            }
        }
        plan.planned.id = match (plan.planned.database.as_str(), plan.planned.name.as_str()) {
            (Some(db), Some(name)) => Tf::Known(extension_id(Some(db), name)),
            _ => Tf::Unknown,
        };

        let (Some(client), Some(m)) = (client, ExtensionModel::from_view(&plan.planned)) else {
            return d;
        };
        let Some(database) = m.database().map(str::to_string) else {
            return d;
        };
        // The database may not exist yet (created in this same run).
        let Ok(conn) = client.pools.get(Some(&database)).await else {
            return d;
        };
        let available = match sql::available(&**conn, &m.name).await {
            Ok(a) => a,
            Err(e) => {
                log::debug!("not checking extension {:?} at plan time: {e}", m.name);
                return d;
            }
        };
        let Some(available) = available else {
            // Installed once, but its files have gone from the server since:
            // nothing to check against, and nothing the plan changes needs them.
            if !plan.creating() {
                return d;
            }
            d.push(
                Diagnostic::error(
                    "Extension Not Available",
                    format!(
                        "The server has no extension named {:?} (pg_available_extensions lists \
                         what its extension directory holds). Check the name (it is \
                         case-sensitive), or install the package that provides it on the \
                         server.",
                        m.name
                    ),
                )
                .at("name"),
            );
            return d;
        };
        let prior_version = plan.prior_of(|p| &p.version).into_known();
        let prior_version = prior_version.as_deref();
        if let Some(v) = m
            .version
            .known()
            .filter(|v| Some(v.as_str()) != prior_version)
        {
            if !available.versions.contains(v) {
                d.push(
                    Diagnostic::error(
                        "Extension Version Not Available",
                        format!(
                            "The server offers extension {:?} in version(s) {}, not {v:?}. Use \
                             one of those, or leave version unset for the default.",
                            m.name,
                            available.versions.join(", ")
                        ),
                    )
                    .at("version"),
                );
            } else if let Some(from) = prior_version {
                match sql::has_update_path(&**conn, &m.name, from, v).await {
                    Ok(Some(false)) => d.push(
                        Diagnostic::error(
                            "No Update Path",
                            format!(
                                "Extension {:?} has no update path from version {from:?} to \
                                 {v:?} (pg_extension_update_paths), so ALTER EXTENSION ... \
                                 UPDATE TO would fail. Extensions rarely support going back \
                                 to an older version: keep {from:?}, or destroy and re-create \
                                 the extension.",
                                m.name
                            ),
                        )
                        .at("version"),
                    ),
                    Ok(_) => {}
                    Err(e) => log::debug!("not checking the update path: {e}"),
                }
            }
        }
        let prior_schema = plan.prior_of(|p| &p.schema).into_known();
        let prior_schema = prior_schema.as_deref();
        if let (Some(s), Some(from)) = (m.schema.known(), prior_schema) {
            if s != from && !available.relocatable {
                d.push(
                    Diagnostic::error(
                        "Extension Cannot Move",
                        format!(
                            "Extension {:?} is not relocatable, so PostgreSQL cannot move it \
                             from schema {from:?} to {s:?}. Keep {from:?}, or destroy the \
                             extension and create it again in the new schema (`terraform apply \
                             -replace=...`).",
                            m.name
                        ),
                    )
                    .at("schema"),
                );
            }
        }
        d
    }

    async fn create(&self, planned: ExtensionModel, _: ExtensionModel) -> DResult<ExtensionModel> {
        let client = self.state.client().await?;
        let change = Change::Create {
            schema: planned.schema.known().cloned(),
            version: planned.version.known().cloned(),
            cascade: planned.create_cascade,
        };
        self.change(&client, planned, change).await
    }

    async fn update(
        &self,
        prior: ExtensionModel,
        planned: ExtensionModel,
        _: ExtensionModel,
    ) -> DResult<ExtensionModel> {
        let client = self.state.client().await?;
        let changed =
            |p: &Tf<String>, q: &Tf<String>| p.known().filter(|v| q.known() != Some(*v)).cloned();
        let change = Change::Alter {
            schema: changed(&planned.schema, &prior.schema),
            version: changed(&planned.version, &prior.version),
        };
        self.change(&client, planned, change).await
    }

    async fn delete(&self, prior: ExtensionModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &prior);
        let statement = sql::drop(&prior.name, prior.drop_cascade);
        match client
            .run_statements(Some(&database), "dropping an extension", &[statement])
            .await
        {
            Ok(()) => Ok(()),
            // The whole database is gone, and the extension with it.
            Err(e) if e.is_missing_database() => Ok(()),
            Err(e) => Err(pg_diag(&e, &ctx(&client, &prior.name, &database))),
        }
    }

    async fn read(&self, current: ExtensionModel) -> DResult<Option<ExtensionModel>> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &current);
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &current.name, &database));
        let conn = match client.pools.get(Some(&database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let installed = sql::read(&**conn, &current.name)
            .await
            .map_err(|e| diag(&e))?;
        Ok(installed.map(|i| current.clone().with_installed(database.clone(), i)))
    }

    async fn import(&self, id: &str) -> DResult<ExtensionModel> {
        let client = self.state.client().await?;
        let ExtensionId { database, name } = ExtensionId::parse(id)?;
        let database = database.unwrap_or_else(|| client.pools.settings().database.clone());
        let wanted = ExtensionModel {
            name: name.clone(),
            database: Tf::Known(database.clone()),
            ..ExtensionModel::default()
        };
        ResourceType::read(self, wanted).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Extension Not Installed",
                format!(
                    "Extension {name:?} is not installed in database {database:?} (or the \
                     database does not exist). Names are case-sensitive."
                ),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "name"];

    fn import_id(&self, m: &ExtensionModel) -> Option<String> {
        if m.name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(extension_id(database.map(String::as_str), &m.name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::Schema,
        ListFilter::NamePattern("the extension's name"),
    ];

    /// Every extension installed in the database but `plpgsql` (which
    /// `initdb` installs), as an import reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<ExtensionModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let diag = |e: &PgError| {
            pg_diag(
                e,
                &ErrorContext::new(
                    &client.info.current_user,
                    format!("the extensions in database {database:?}"),
                ),
            )
        };
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| diag(&e))?;
        let installed = sql::list_installed(&**conn).await.map_err(|e| diag(&e))?;
        Ok(installed
            .into_iter()
            .filter(|(name, i)| query.name_matches(name) && query.schema_matches(&i.schema))
            .map(|(name, i)| {
                ExtensionModel {
                    name,
                    ..ExtensionModel::default()
                }
                .with_installed(database.clone(), i)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_state_gets_defaults() {
        let r = ExtensionResource::new(Arc::new(ProviderState::default()));
        let old = Value::object([
            ("id", Value::string("postgres.pg_trgm")),
            ("name", Value::string("pg_trgm")),
            ("schema", Value::string("public")),
            ("version", Value::string("1.6")),
            ("database", Value::string("postgres")),
            ("drop_cascade", Value::bool(true)),
        ]);
        let new = ResourceType::upgrade(&r, 0, old).unwrap();
        assert_eq!(new.get("create_cascade"), &Value::bool(false));
        assert_eq!(new.get("drop_cascade"), &Value::bool(true));
        assert_eq!(new.get("version"), &Value::string("1.6"));
    }
}
