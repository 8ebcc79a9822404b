//! `postgresql_database`: a database, with the reference provider's
//! attribute names, defaults and import ID (the database name).
//!
//! CREATE DATABASE, DROP DATABASE and ALTER DATABASE ... SET TABLESPACE
//! cannot run inside a transaction block, so they run alone in autocommit
//! (`pg::conn::alone`); every other change of one apply is one transaction
//! on the provider's database. A provider role that is not a superuser is granted membership
//! in the owner for the duration of a change that needs it (as the
//! reference provider does), and only when it lacks it.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::databases::{same_encoding_name, DatabaseCatalog};
use crate::pg::conn::exec::run_all;
use crate::pg::error::PgError;
use crate::pg::objects::database::{self as sql, DatabaseChange, DatabaseRow, DatabaseSpec};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    AttrPath, DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, Problem,
    ResourceType, Tf, Value,
};

use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext, OrDiag};
use crate::resources::support::import_id::NameId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

const MAX_INT4: i64 = i32::MAX as i64;

/// What CREATE DATABASE uses when `template` is not set (as the reference
/// provider does): template0 takes any encoding and locale.
const DEFAULT_TEMPLATE: &str = "template0";

/// What CREATE DATABASE uses when `encoding` is not set (as the reference
/// provider does).
const DEFAULT_ENCODING: &str = "UTF8";

model! {
    /// A `postgresql_database` as Terraform holds it.
    pub struct DatabaseModel {
        id: Tf<String> = computed("The database name.").stable(),
        name: String = required(
            "Name of the database. Changing it renames the database in place (`ALTER DATABASE \
             ... RENAME TO`), which PostgreSQL refuses while anyone is connected to it.",
        )
        .each(validators::database_name),
        owner: Tf<String> = optional(
            "Role that owns the database. Defaults to the provider's role (`database_username` \
             when set). Changed in place. When unset, an owner changed outside Terraform is \
             kept.",
        )
        .and_computed()
        .stable()
        .each(validators::role_name),
        template: Tf<String> = optional(
            "Database to copy (`TEMPLATE`); `DEFAULT` means `template1`. Defaults to \
             `template0`. PostgreSQL does not record a database's template, so it is never \
             read back: after an import it is null, and setting it then changes nothing.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(keyword_or_name),
        encoding: Tf<String> = optional(
            "Character set encoding (`ENCODING`), e.g. `UTF8` or `LATIN1`; `DEFAULT` takes the \
             template's. Defaults to `UTF8`. Another spelling PostgreSQL reads as the same \
             encoding (`utf-8`) is kept as written.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(not_empty),
        lc_collate: Tf<String> = optional(
            "Collation order (`LC_COLLATE`), a locale of the server's operating system such as \
             `C` or `en_US.UTF-8`; `DEFAULT` or unset takes the template's. Compared with what \
             PostgreSQL stores, as written. This is the libc locale: the ICU (PostgreSQL 15 and \
             later) and builtin (PostgreSQL 17 and later) locale providers are not managed, a \
             new database keeps its template's provider.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(not_empty),
        lc_ctype: Tf<String> = optional(
            "Character classification (`LC_CTYPE`), as `lc_collate`; `DEFAULT` or unset takes \
             the template's.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(not_empty),
        tablespace_name: Tf<String> = optional(
            "Default tablespace of the database; `DEFAULT` means `pg_default`. Unset takes the \
             template's. Changed in place (`ALTER DATABASE ... SET TABLESPACE`, which moves \
             the database's files and which PostgreSQL refuses while anyone is connected to \
             it).",
        )
        .and_computed()
        .stable()
        .each(keyword_or_name),
        connection_limit: i64 = optional(
            "Most concurrent connections to the database; `-1` means no limit.",
        )
        .default(-1)
        .int_range(-1, MAX_INT4),
        allow_connections: bool = optional(
            "Whether anyone may connect to the database (`ALLOW_CONNECTIONS`). When false, \
             nobody can, the provider included.",
        )
        .default(true),
        is_template: Tf<bool> = optional(
            "Whether the database can be cloned by any role with CREATEDB (`IS_TEMPLATE`). \
             Defaults to false when the database is created; when unset afterwards, a change \
             made outside Terraform is kept.",
        )
        .and_computed()
        .stable(),
        alter_object_ownership: bool = optional(
            "When `owner` changes, also hand the objects of the old owner in this database to \
             the new one (`REASSIGN OWNED`). Other databases and tablespaces the old owner owns \
             keep their owner.",
        )
        .default(false),
    }
}

/// An empty string, which PostgreSQL would refuse or read as another value.
fn not_empty(attr: &str, v: &str) -> Option<Problem> {
    v.is_empty().then(|| {
        Problem::new(
            format!("Empty {attr}"),
            format!("{attr} must not be empty. Leave it unset for the default."),
        )
    })
}

/// A database or tablespace name, or the `DEFAULT` keyword.
fn keyword_or_name(attr: &str, v: &str) -> Option<Problem> {
    validators::identifier("Name", attr, v)
}

impl DatabaseModel {
    /// Takes what the catalog says over the model's catalog-backed
    /// attributes, keeping the model's spelling where it names the same
    /// thing (`DEFAULT`, an encoding alias).
    fn with_row(self, row: &DatabaseRow) -> DatabaseModel {
        let encoding = match self.encoding.known() {
            Some(e) if sql::is_default(e) || row.encoding_matches => e.clone(),
            _ => row.encoding.clone(),
        };
        let locale = |mine: &Tf<String>, server: &str| match mine.known() {
            Some(v) if sql::is_default(v) => v.clone(),
            _ => server.to_string(),
        };
        let tablespace = match self.tablespace_name.known() {
            Some(t) if sql::is_default(t) && row.tablespace == sql::DEFAULT_TABLESPACE => t.clone(),
            _ => row.tablespace.clone(),
        };
        DatabaseModel {
            id: Tf::Known(NameId::render(&row.name)),
            name: row.name.clone(),
            owner: Tf::Known(row.owner.clone()),
            // Never read back; unknown only right after a plan made without
            // a server, when the default was used.
            template: match self.template {
                Tf::Unknown => Tf::Known(DEFAULT_TEMPLATE.to_string()),
                t => t,
            },
            encoding: Tf::Known(encoding),
            lc_collate: Tf::Known(locale(&self.lc_collate, &row.lc_collate)),
            lc_ctype: Tf::Known(locale(&self.lc_ctype, &row.lc_ctype)),
            tablespace_name: Tf::Known(tablespace),
            connection_limit: i64::from(row.connection_limit),
            allow_connections: row.allow_connections,
            is_template: Tf::Known(row.is_template),
            alter_object_ownership: self.alter_object_ownership,
        }
    }
}

fn ctx(client: &Client, name: &str) -> ErrorContext {
    ErrorContext::new(&client.info.current_user, format!("database {name:?}"))
        .needs(
            "the CREATEDB attribute, and the right to act as the database's owner (membership \
             in it; the provider grants itself that membership for the change when it has \
             ADMIN OPTION on the owner, or CREATEROLE before PostgreSQL 16)",
        )
        .importable("postgresql_database", &NameId::render(name))
}

/// Whether an error means the database is in use: by sessions (`55006`),
/// or by sessions DROP DATABASE ... WITH (FORCE) may not end (`42501`).
fn is_in_use(e: &PgError) -> bool {
    (e.is_object_in_use() || e.is_insufficient_privilege())
        && e.db_message()
            .is_some_and(|m| m.contains("being accessed by other users") || m.contains("terminate"))
}

/// The diagnostic for a refusal because the database is in use, naming
/// what uses it.
async fn in_use_diag(
    client: &Client,
    e: &PgError,
    name: &str,
    action: &str,
    ctx: &ErrorContext,
) -> Diagnostics {
    if !is_in_use(e) {
        return pg_diag(e, ctx);
    }
    let server = e.db_message().unwrap_or_else(|| e.to_string());
    let listed = match client.pools.get(None).await {
        Ok(conn) => sql::blockers(&**conn, name).await.ok(),
        Err(_) => None,
    };
    let what = match listed {
        Some(b) if !b.is_empty() => format!("These keep it in use:\n{}", b.describe()),
        Some(_) => "Nothing uses it any more; apply again.".to_string(),
        None => "The sessions connected to it are listed in pg_stat_activity.".to_string(),
    };
    Diagnostic::error(
        "Database In Use",
        format!(
            "{server}\n\nPostgreSQL refused to {action} database {name:?} while it is in use. \
             {what}\n\nEnd those sessions (pg_terminate_backend, which the provider's role may \
             do only for its own roles' sessions, or for every non-superuser session with \
             pg_signal_backend), or wait for them to finish, then apply again."
        ),
    )
    .into()
}

/// The `postgresql_database` resource.
pub struct DatabaseResource {
    state: Arc<ProviderState>,
}

impl DatabaseResource {
    /// A database resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> DatabaseResource {
        DatabaseResource { state }
    }

    /// Reads the database named in `current` from the cluster's snapshot
    /// and merges it into `current`.
    async fn read_into(
        &self,
        client: &Client,
        current: DatabaseModel,
    ) -> DResult<Option<DatabaseModel>> {
        let name = current.name.clone();
        let c = ctx(client, &name);
        let catalog = client.database_catalog().await.or_diag(&c)?;
        let Some(row) = catalog.get(&name) else {
            return Ok(None);
        };
        let mut row = row.clone();
        if let Some(e) = current.encoding.known().filter(|e| !sql::is_default(e)) {
            row.encoding_matches = same_encoding_name(e, &row.encoding);
            if !row.encoding_matches {
                // Perhaps an alias (UNICODE for UTF8): only the server knows.
                let conn = client.pools.get(None).await.or_diag(&c)?;
                row.encoding_matches = sql::read_database(&**conn, &name, Some(e))
                    .await
                    .or_diag(&c)?
                    .is_some_and(|r| r.encoding_matches);
            }
        }
        Ok(Some(current.with_row(&row)))
    }

    /// REASSIGN OWNED in the database itself (reached by its name before
    /// this apply), from its current owner to `new_owner`.
    async fn reassign(&self, client: &Client, database: &str, new_owner: &str) -> DResult<()> {
        let data = (database.to_string(), new_owner.to_string(), client.actor());
        let result: Result<(), ChangeError> = client
            .transaction(
                Some(database),
                "handing over the objects of a database's owner",
                &data,
                move |tx, (database, new_owner, actor)| {
                    Box::pin(async move {
                        let Some(row) = sql::read_database(tx, database, None).await? else {
                            return Ok(());
                        };
                        if &row.owner == new_owner {
                            return Ok(());
                        }
                        let shared = sql::shared_objects_owned_by(tx, &row.owner, database).await?;
                        let statements = actor
                            .wrap(
                                tx,
                                &[row.owner.as_str(), new_owner.as_str()],
                                sql::reassign_owned(database, &row.owner, new_owner, &shared),
                            )
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
            Err(ChangeError::Pg(e)) => Err(pg_diag(&e, &ctx(client, database))),
        }
    }
}

#[async_trait]
impl ResourceType for DatabaseResource {
    type Model = DatabaseModel;
    const NAME: &'static str = "postgresql_database";
    const VERSION: i64 = 1;

    fn description(&self) -> String {
        "Manages a PostgreSQL database. Renaming it, changing its owner, connection settings and \
         tablespace happen in place; the encoding, locale and template can only be chosen when \
         it is created, so changing them replaces the database (its data is lost).\n\n\
         Destroying the database first forbids new connections (`ALLOW_CONNECTIONS false`) and \
         clears `IS_TEMPLATE`, ends the sessions still connected to it, then runs `DROP \
         DATABASE ... WITH (FORCE)` (PostgreSQL 13 and later). When something still keeps it \
         in use (sessions the provider's role may not end, prepared transactions, replication \
         slots), the error names them and the database is left as it was.\n\n\
         Import with the database name: `terraform import postgresql_database.example \
         'database name'`."
            .into()
    }

    /// Version 0 is the reference provider's (SDKv2) layout: `""` for
    /// strings it never set, and no value for attributes added after the
    /// state was written.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        if version == 0 {
            sdk_state::fill_defaults::<DatabaseModel>(&mut state);
            // The reference provider reads a missing template as template0.
            if state.get("template").as_str() == Some("") {
                state.set("template", Value::string(DEFAULT_TEMPLATE));
            }
            sdk_state::empty_strings_to_null(
                &mut state,
                &[
                    "owner",
                    "encoding",
                    "lc_collate",
                    "lc_ctype",
                    "tablespace_name",
                ],
            );
        }
        Ok(state)
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let name = plan.value.get("name").clone();
        plan.value.set("id", name);
        if input.prior.is_null() {
            // Show what CREATE DATABASE will say where the configuration
            // leaves it to the provider.
            let set_default = |plan: &mut Planned, attr: &str, v: Value| {
                if input.config.get(attr).is_null() {
                    plan.value.set(attr, v);
                }
            };
            set_default(plan, "template", Value::string(DEFAULT_TEMPLATE));
            set_default(plan, "encoding", Value::string(DEFAULT_ENCODING));
            set_default(plan, "is_template", Value::bool(false));
            if let Some(client) = self.state.client_opt().await {
                set_default(plan, "owner", Value::string(client.own_role()));
            }
        } else if input.prior.get("template").is_null() {
            // An imported database has no recorded template: naming one now
            // describes it, it does not ask for another database.
            plan.requires_replace
                .retain(|p| *p != AttrPath::attr("template"));
        }
        Diagnostics::new()
    }

    async fn create(&self, planned: DatabaseModel, _: DatabaseModel) -> DResult<DatabaseModel> {
        let client = self.state.client().await?;
        let name = planned.name.clone();
        let ctx = ctx(&client, &name);
        let owner = planned
            .owner
            .known()
            .cloned()
            .unwrap_or_else(|| client.own_role().to_string());
        let spec = DatabaseSpec {
            name: name.clone(),
            owner: owner.clone(),
            template: Some(
                planned
                    .template
                    .known()
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_TEMPLATE.into()),
            ),
            encoding: Some(
                planned
                    .encoding
                    .known()
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_ENCODING.into()),
            ),
            lc_collate: planned.lc_collate.known().cloned(),
            lc_ctype: planned.lc_ctype.known().cloned(),
            tablespace: planned.tablespace_name.known().cloned(),
            // Validated to lie within int4.
            connection_limit: i32::try_from(planned.connection_limit).unwrap_or(-1),
            allow_connections: planned.allow_connections,
            is_template: planned.is_template.known().copied().unwrap_or(false),
        };
        // CREATE DATABASE cannot run inside a transaction block.
        client
            .run_alone(
                None,
                "creating a database",
                &[owner.as_str()],
                &[sql::create_database(&spec)],
            )
            .await
            .or_diag(&ctx)?;
        let created = self
            .read_into(
                &client,
                DatabaseModel {
                    template: Tf::Known(spec.template.clone().unwrap_or_default()),
                    encoding: Tf::Known(spec.encoding.clone().unwrap_or_default()),
                    ..planned
                },
            )
            .await?;
        created.ok_or_else(|| {
            Diagnostic::error(
                "Database Vanished",
                format!("Database {name:?} was created but is gone again; something dropped it."),
            )
            .into()
        })
    }

    async fn update(
        &self,
        prior: DatabaseModel,
        planned: DatabaseModel,
        _: DatabaseModel,
    ) -> DResult<DatabaseModel> {
        let client = self.state.client().await?;
        let old = prior.name.clone();
        let new = planned.name.clone();
        let ctx = ctx(&client, &new);
        let owner_change = match (planned.owner.known(), prior.owner.known()) {
            (Some(p), q) if Some(p) != q => Some(p.clone()),
            _ => None,
        };
        let current_owner = prior
            .owner
            .known()
            .cloned()
            .unwrap_or_else(|| client.own_role().to_string());

        // 1. The tablespace first: SET TABLESPACE cannot run inside a
        //    transaction block, and going first means its failure (the
        //    likeliest: someone is connected) leaves nothing else changed.
        if let Some(ts) = planned.tablespace_name.known() {
            if prior.tablespace_name.known() != Some(ts) {
                client.pools.close(&old);
                if let Err(e) = client
                    .run_alone(
                        None,
                        "moving a database",
                        &[current_owner.as_str()],
                        &[sql::set_tablespace(&old, ts)],
                    )
                    .await
                {
                    return Err(in_use_diag(&client, &e, &old, "move", &ctx).await);
                }
            }
        }

        // 2. The old owner's objects, in the database itself.
        if let (Some(new_owner), true) = (&owner_change, planned.alter_object_ownership) {
            self.reassign(&client, &old, new_owner).await?;
        }

        // 3. Everything else, in one transaction.
        let change = DatabaseChange {
            old_name: old.clone(),
            rename: (new != old).then(|| new.clone()),
            owner: owner_change.clone(),
            connection_limit: (planned.connection_limit != prior.connection_limit)
                .then(|| i32::try_from(planned.connection_limit).unwrap_or(-1)),
            allow_connections: (planned.allow_connections != prior.allow_connections)
                .then_some(planned.allow_connections),
            is_template: match (planned.is_template.known(), prior.is_template.known()) {
                (Some(p), q) if Some(p) != q => Some(*p),
                _ => None,
            },
        };
        let statements = sql::alter_database(&change);
        if !statements.is_empty() {
            if change.rename.is_some() {
                // A database cannot be renamed while anyone is connected to
                // it, the provider's own pooled sessions included.
                client.pools.close(&old);
            }
            let mut acting_as = vec![current_owner.clone()];
            acting_as.extend(owner_change.iter().cloned());
            let data = (statements, acting_as, client.actor());
            let result: Result<(), PgError> = client
                .transaction(
                    None,
                    "changing a database",
                    &data,
                    move |tx, (statements, acting_as, actor)| {
                        Box::pin(async move {
                            let roles: Vec<&str> = acting_as.iter().map(String::as_str).collect();
                            let all = actor.wrap(tx, &roles, statements.clone()).await?;
                            run_all(tx, &all).await
                        })
                    },
                )
                .await;
            if let Err(e) = result {
                return Err(in_use_diag(&client, &e, &old, "rename", &ctx).await);
            }
        }

        let updated = self.read_into(&client, planned).await?;
        updated.ok_or_else(|| {
            Diagnostic::error(
                "Database Vanished",
                format!("Database {new:?} was changed but is gone now; something dropped it."),
            )
            .into()
        })
    }

    /// What is true after an update failed: `SET TABLESPACE` commits on its
    /// own before the rest, so the database is read back, under its old
    /// name while that is still there (the rename, in the last transaction,
    /// did not commit). A failed create has nothing to say: a database
    /// found under the planned name then may be someone else's.
    async fn after_failure(
        &self,
        prior: Option<DatabaseModel>,
        planned: DatabaseModel,
    ) -> Option<DatabaseModel> {
        let prior = prior?;
        let client = self.state.client().await.ok()?;
        if let Some(now) = self.read_into(&client, prior).await.ok()? {
            return Some(now);
        }
        self.read_into(&client, planned).await.ok()?
    }

    async fn delete(&self, prior: DatabaseModel) -> DResult<()> {
        let client = self.state.client().await?;
        let name = prior.name.clone();
        let ctx = ctx(&client, &name);
        let row = {
            let conn = client.pools.get(None).await.or_diag(&ctx)?;
            sql::read_database(&**conn, &name, None)
                .await
                .or_diag(&ctx)?
        };
        let Some(row) = row else {
            return Ok(());
        };
        // DROP DATABASE cannot run inside a transaction block.
        let session = client
            .alone(None, "dropping a database", &[row.owner.as_str()])
            .await
            .or_diag(&ctx)?;
        let result = self
            .drop_database(&client, session.client(), &row)
            .await
            .map_err(ChangeError::Diag);
        match session.finish(result).await {
            Ok(()) => Ok(()),
            Err(ChangeError::Diag(d)) => Err(d),
            Err(ChangeError::Pg(e)) => Err(pg_diag(&e, &ctx)),
        }
    }

    async fn read(&self, current: DatabaseModel) -> DResult<Option<DatabaseModel>> {
        let client = self.state.client().await?;
        self.read_into(&client, current).await
    }

    async fn import(&self, id: &str) -> DResult<DatabaseModel> {
        let client = self.state.client().await?;
        let id = NameId::parse(id).name;
        let id = id.as_str();
        let catalog = client.database_catalog().await.or_diag(&ctx(&client, id))?;
        let row = catalog.get(id);
        row.map(imported).ok_or_else(|| {
            Diagnostic::error(
                "Database Not Found",
                format!(
                    "No database named {id:?} exists. The import ID is the exact database name \
                     (case-sensitive)."
                ),
            )
            .into()
        })
    }

    const IDENTITY: &'static [&'static str] = &["name"];

    fn import_id(&self, m: &DatabaseModel) -> Option<String> {
        (!m.name.is_empty()).then(|| NameId::render(&m.name))
    }

    /// No `database` filter: databases belong to the whole cluster, and a
    /// `database` next to the database's own name would only confuse.
    const LIST_FILTERS: &'static [ListFilter] = &[ListFilter::NamePattern("the database's name")];

    /// Every database but those `initdb` creates (`template0`, `template1`
    /// and `postgres`) and those of managed services (`rdsadmin`,
    /// `cloudsqladmin`, `azure_maintenance`, `azure_sys`), as an import
    /// reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<DatabaseModel>> {
        let client = self.state.client().await?;
        let c = ErrorContext::new(&client.info.current_user, "the databases");
        let catalog = client.database_catalog().await.or_diag(&c)?;
        Ok(catalog
            .iter()
            .filter(|r| !DatabaseCatalog::is_builtin(&r.name) && query.name_matches(&r.name))
            .map(imported)
            .collect())
    }
}

/// The state an import gives for a database: what the catalog says, and
/// no template, since PostgreSQL does not record it.
fn imported(row: &DatabaseRow) -> DatabaseModel {
    DatabaseModel {
        name: row.name.clone(),
        template: Tf::Null,
        ..DatabaseModel::default()
    }
    .with_row(row)
}

impl DatabaseResource {
    /// Drops a database: forbid new connections and clear IS_TEMPLATE (one
    /// transaction), end the sessions left, DROP DATABASE (alone: it cannot
    /// run in a transaction block). When the drop fails, the two settings
    /// are put back, so the database is left as it was.
    async fn drop_database<C: tokio_postgres::GenericClient + Sync>(
        &self,
        client: &Client,
        conn: &C,
        row: &DatabaseRow,
    ) -> DResult<()> {
        let name = &row.name;
        let ctx = ctx(client, name);
        let prepare = sql::alter_database(&DatabaseChange {
            old_name: name.clone(),
            allow_connections: row.allow_connections.then_some(false),
            is_template: row.is_template.then_some(false),
            ..DatabaseChange::default()
        });
        if !prepare.is_empty() {
            client
                .run_statements(None, "preparing to drop a database", &prepare)
                .await
                .or_diag(&ctx)?;
        }
        client.pools.close(name);
        match sql::terminate_sessions(conn, name).await {
            Ok(n) if n > 0 => log::info!("ended {n} session(s) connected to database {name:?}"),
            Ok(_) => {}
            Err(e) => log::warn!("could not end the sessions in database {name:?}: {e}"),
        }
        let force = client.info.version_num >= 130_000;
        let Err(e) = run_all(conn, &[sql::drop_database(name, force)]).await else {
            return Ok(());
        };
        let diag = in_use_diag(client, &e, name, "drop", &ctx).await;
        let restore = sql::alter_database(&DatabaseChange {
            old_name: name.clone(),
            allow_connections: row.allow_connections.then_some(true),
            is_template: row.is_template.then_some(true),
            ..DatabaseChange::default()
        });
        if !restore.is_empty() {
            if let Err(e) = client
                .run_statements(
                    None,
                    "restoring a database that could not be dropped",
                    &restore,
                )
                .await
            {
                log::warn!("could not restore the settings of database {name:?}: {e}");
            }
        }
        Err(diag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Model;

    fn row() -> DatabaseRow {
        DatabaseRow {
            name: "d".into(),
            owner: "o".into(),
            encoding: "UTF8".into(),
            encoding_matches: true,
            lc_collate: "C".into(),
            lc_ctype: "C".into(),
            tablespace: "pg_default".into(),
            connection_limit: -1,
            allow_connections: true,
            is_template: false,
        }
    }

    #[test]
    fn read_keeps_the_configured_spelling_of_the_same_thing() {
        let mine = DatabaseModel {
            name: "d".into(),
            encoding: Tf::Known("utf-8".into()),
            lc_collate: Tf::Known("DEFAULT".into()),
            tablespace_name: Tf::Known("default".into()),
            template: Tf::Known("DEFAULT".into()),
            ..DatabaseModel::default()
        };
        let m = mine.clone().with_row(&row());
        assert_eq!(m.encoding, Tf::Known("utf-8".into()));
        assert_eq!(m.lc_collate, Tf::Known("DEFAULT".into()));
        assert_eq!(m.lc_ctype, Tf::Known("C".into()));
        assert_eq!(m.tablespace_name, Tf::Known("default".into()));
        assert_eq!(m.template, Tf::Known("DEFAULT".into()));
        let moved = DatabaseRow {
            tablespace: "fast".into(),
            encoding_matches: false,
            encoding: "LATIN1".into(),
            ..row()
        };
        let m = mine.with_row(&moved);
        assert_eq!(m.tablespace_name, Tf::Known("fast".into()));
        assert_eq!(m.encoding, Tf::Known("LATIN1".into()));
    }

    #[test]
    fn reference_state_upgrades_to_this_layout() {
        let r = DatabaseResource::new(Arc::new(ProviderState::default()));
        let v0 = Value::object([
            ("id", Value::string("d")),
            ("name", Value::string("d")),
            ("owner", Value::string("o")),
            ("template", Value::string("")),
            ("lc_collate", Value::string("")),
        ]);
        let up = ResourceType::upgrade(&r, 0, v0).unwrap();
        assert_eq!(up.get("template"), &Value::string("template0"));
        assert!(up.get("lc_collate").is_null());
        assert_eq!(up.get("alter_object_ownership"), &Value::bool(false));
        assert_eq!(up.get("connection_limit"), &Value::int(-1));
        assert!(DatabaseModel::from_value(&up).is_ok());
        assert!(ResourceType::upgrade(&r, 2, Value::Null).is_err());
    }
}
