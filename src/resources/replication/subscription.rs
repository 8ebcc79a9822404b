//! `postgresql_subscription`: a subscription to publications on another
//! server, with the reference provider's attributes, defaults and import ID
//! (`database.subscription`), plus the write-only `conninfo_wo`.
//!
//! The reference provider replaced a subscription on any change, and a new
//! subscription copies every table again. Here the name, the connection
//! string and the publications change in place, and `create_slot` (read
//! only at destroy) without any statement; `database` and `slot_name`
//! still replace it.
//!
//! Three statements cannot run in a transaction block and run alone
//! ([`crate::pg::conn::alone`]): `CREATE SUBSCRIPTION` that creates its slot,
//! `SET PUBLICATION` with refresh, and `DROP SUBSCRIPTION` of a
//! subscription with a slot. An update runs `SET PUBLICATION` first and the
//! transaction of the rest (rename, connection) last, so whichever fails,
//! what committed before is read back ([`ResourceType::after_failure`]) and
//! the state tells the truth. Statements carrying the connection string run
//! with the server's statement logging off where the provider's role may
//! turn it off ([`crate::pg::conn::quiet`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::quiet::{can_silence, run_quietly, run_quietly_alone};
use crate::pg::error::PgError;
use crate::pg::replication::subscription::{self as sql, SubscriptionRow, SubscriptionSpec};
use crate::pg::sql::conninfo;
use crate::protocol::diagnostics::warn_in_apply;
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, Problem,
    ResourceType, Tf, Validator, Value,
};

use crate::resources::replication::checks;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::SubscriptionId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_subscription` as Terraform holds it.
    pub struct SubscriptionModel {
        id: Tf<String> = computed("`database.subscription`.").stable(),
        name: String = required(
            "Name of the subscription. Changing it renames the subscription in place (`ALTER \
             SUBSCRIPTION ... RENAME TO`); its slot on the publisher keeps its name.",
        )
        .each(subscription_name),
        database: Tf<String> = optional(
            "Database the subscription writes into. Default: the provider's `database`.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
        conninfo: Option<String> = optional(
            "Connection string to the publisher, in libpq's keyword/value or URI form \
             (`host=pub.example.com dbname=app user=replicator password=...`). Stored in \
             state (sensitive); use `conninfo_wo` to keep it out. Changed in place (`ALTER \
             SUBSCRIPTION ... CONNECTION`). A connection string changed outside Terraform \
             shows as a change only when the provider's role may read \
             `pg_subscription.subconninfo` (superusers); otherwise the state keeps what was \
             applied.",
        )
        .sensitive()
        .each(conninfo_syntax)
        .validate(Validator::WithConfig(conninfo_conflict)),
        conninfo_wo: Option<String> = optional(
            "Write-only connection string (Terraform 1.11+): never stored in plan or state. \
             Sent when the subscription is created and whenever `conninfo_wo_version` changes. \
             Changes made outside Terraform are not detected.",
        )
        .sensitive()
        .write_only()
        .each(conninfo_syntax)
        .validate(Validator::WithConfig(conninfo_wo_version_missing)),
        conninfo_wo_version: Option<String> = optional(
            "Any value; change it to send `conninfo_wo` again. Required with `conninfo_wo`.",
        ),
        publications: BTreeSet<String> = required(
            "Publications on the publisher to subscribe to. Changed in place (`ALTER \
             SUBSCRIPTION ... SET PUBLICATION`, which starts copying the tables of the new \
             ones); a publication removed outside Terraform shows as a change.",
        )
        .each(publication_name)
        .validate(Validator::WithConfig(publications_not_empty)),
        create_slot: bool = optional(
            "Whether the subscription creates its replication slot on the publisher when it is \
             created, and so drops it when it is destroyed. When false, the slot must exist (a \
             `postgresql_replication_slot` on the publisher, say) and is left there at destroy. \
             Changing it changes only what a destroy does.",
        )
        .default(true),
        slot_name: Tf<String> = optional(
            "Name of the replication slot on the publisher. Default: the subscription's name \
             (which must then be a valid slot name).",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(checks::slot_name),
    }
}

fn subscription_name(attr: &str, name: &str) -> Option<Problem> {
    validators::identifier("Subscription Name", attr, name)
}

fn publication_name(attr: &str, name: &str) -> Option<Problem> {
    validators::identifier("Publication Name", attr, name)
}

/// A connection string libpq cannot read; the message names no value.
fn conninfo_syntax(attr: &str, text: &str) -> Option<Problem> {
    conninfo::check(text).err().map(|why| {
        Problem::new(
            "Invalid Connection String",
            format!(
                "{attr} is not a connection string libpq can read: {why}. Write keyword = value \
                 pairs separated by spaces (host=pub.example.com dbname=app user=replicator), \
                 with a value holding spaces in single quotes, or a postgresql:// URI."
            ),
        )
    })
}

fn conninfo_conflict(config: &Value) -> Option<Problem> {
    (!config.get("conninfo_wo").is_null()).then(|| {
        Problem::new(
            "Conflicting Connection Strings",
            "conninfo and conninfo_wo cannot both be set. Use conninfo_wo (with \
             conninfo_wo_version) to keep the connection string out of state, or conninfo \
             alone.",
        )
    })
}

fn conninfo_wo_version_missing(config: &Value) -> Option<Problem> {
    config.get("conninfo_wo_version").is_null().then(|| {
        Problem::new(
            "Missing conninfo_wo_version",
            "conninfo_wo is never stored, so Terraform cannot tell when it changes. Set \
             conninfo_wo_version, and change it whenever the connection string should be sent \
             again.",
        )
    })
}

fn publications_not_empty(config: &Value) -> Option<Problem> {
    config
        .get("publications")
        .as_elements()
        .is_some_and(<[Value]>::is_empty)
        .then(|| {
            Problem::new(
                "No Publication",
                "publications must name at least one publication on the publisher.",
            )
        })
}

fn subscription_id(database: Option<&str>, name: &str) -> String {
    SubscriptionId {
        database: database.map(str::to_string),
        name: name.to_string(),
    }
    .render()
}

impl SubscriptionModel {
    /// Takes what the catalog says; the connection string only when it was
    /// read.
    fn with_row(self, database: &str, row: SubscriptionRow) -> SubscriptionModel {
        SubscriptionModel {
            id: Tf::Known(subscription_id(Some(database), &row.name)),
            name: row.name,
            database: Tf::Known(database.to_string()),
            conninfo: row.conninfo.or(self.conninfo),
            publications: row.publications.into_iter().collect(),
            slot_name: row.slot_name.into(),
            ..self
        }
    }

    /// The state of a subscription just created or changed as `self` says,
    /// when reading it back did not work.
    fn planned_state(self, database: &str) -> SubscriptionModel {
        let slot = match self.slot_name {
            Tf::Known(s) => s,
            _ => self.name.clone(),
        };
        SubscriptionModel {
            id: Tf::Known(subscription_id(Some(database), &self.name)),
            database: Tf::Known(database.to_string()),
            slot_name: Tf::Known(slot),
            ..self
        }
    }
}

fn ctx(client: &Client, name: &str, database: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("subscription {name:?} in database {database:?}"),
    )
    .needs(
        "SUPERUSER before PostgreSQL 16; from 16, membership in pg_create_subscription and \
         CREATE on the database to create a subscription, and its ownership to change or drop \
         it",
    )
    .importable(
        "postgresql_subscription",
        &subscription_id(Some(database), name),
    )
}

/// `d` without the secrets of the connection strings `conninfos`, which a
/// server message might quote.
fn scrubbed(d: Diagnostics, conninfos: &[&str]) -> Diagnostics {
    Diagnostics(
        d.0.into_iter()
            .map(|mut diag| {
                for c in conninfos {
                    diag.detail = conninfo::scrub(&diag.detail, c);
                    diag.summary = conninfo::scrub(&diag.summary, c);
                }
                diag
            })
            .collect(),
    )
}

/// The `postgresql_subscription` resource.
pub struct SubscriptionResource {
    state: Arc<ProviderState>,
}

impl SubscriptionResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> SubscriptionResource {
        SubscriptionResource { state }
    }

    /// Reads subscription `name` of `database` into `base`; the connection
    /// string is read when `conninfo` asks and the role may.
    async fn read_as(
        &self,
        client: &Client,
        database: &str,
        name: &str,
        base: SubscriptionModel,
        conninfo: bool,
    ) -> Result<Option<SubscriptionModel>, PgError> {
        let conn = match client.pools.get(Some(database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(e),
        };
        let with_conninfo = conninfo && sql::can_read_conninfo(&**conn).await?;
        let row = sql::read(&**conn, name, with_conninfo).await?;
        Ok(row.map(|r| base.with_row(database, r)))
    }

    /// Runs `statements` carrying a connection string in one transaction
    /// on `database`, quietly where the role may.
    async fn quiet_transaction(
        &self,
        client: &Client,
        database: &str,
        what: &str,
        statements: Vec<crate::pg::conn::exec::Statement>,
    ) -> Result<(), PgError> {
        let work = (statements, client.info.version_num);
        client
            .transaction(Some(database), what, &work, |tx, (statements, version)| {
                Box::pin(async move {
                    let silence = can_silence(tx, *version).await?;
                    run_quietly(tx, silence, statements).await
                })
            })
            .await
    }

    /// Runs `statements` alone on `database` (see
    /// [`crate::pg::conn::alone`]), quietly where the role may.
    async fn quiet_alone(
        &self,
        client: &Client,
        database: &str,
        what: &str,
        statements: &[crate::pg::conn::exec::Statement],
    ) -> Result<(), PgError> {
        let session = client.alone(Some(database), what, &[]).await?;
        let result = match can_silence(session.client(), client.info.version_num).await {
            Ok(silence) => run_quietly_alone(session.client(), silence, statements).await,
            Err(e) => Err(e),
        };
        session.finish(result).await
    }

    /// Drops a subscription, keeping its slot on the publisher.
    async fn drop_detached(
        &self,
        client: &Client,
        database: &str,
        name: &str,
    ) -> Result<(), PgError> {
        let mut statements = sql::detach_slot(name);
        statements.push(sql::drop(name));
        client
            .run_statements(Some(database), "dropping a subscription", &statements)
            .await
    }
}

#[async_trait]
impl ResourceType for SubscriptionResource {
    type Model = SubscriptionModel;
    const NAME: &'static str = "postgresql_subscription";

    fn description(&self) -> String {
        "Manages a subscription, the receiving side of PostgreSQL's logical replication: it \
         connects to a publisher, copies the tables of its publications, then applies their \
         changes as they happen. Creating one needs a superuser before PostgreSQL 16 (from 16, \
         membership in `pg_create_subscription`), and the subscriber must be able to reach the \
         publisher.\n\n\
         The name, `conninfo` (or `conninfo_wo`) and `publications` change in place, without \
         copying the data again; `create_slot` changes only what a destroy does. Changing \
         `database` or `slot_name` replaces the subscription, and a new subscription copies \
         every table again.\n\n\
         The connection string is sensitive: it never appears in plans, diagnostics or the \
         provider's log. The statements that carry it run with the server's statement logging \
         turned off for their session (`log_statement`, `log_min_error_statement`, \
         `log_min_duration_statement`) when the provider's role may change those settings: a \
         superuser, or from PostgreSQL 15 a role granted `SET` on them (`GRANT SET ON PARAMETER \
         log_statement, log_min_error_statement, log_min_duration_statement TO ...`). Otherwise \
         a server that logs statements writes the connection string, password included, into \
         its log: prefer a password file (`passfile`) on the subscriber's server, or a \
         certificate, to a password in the string.\n\n\
         Destroying it drops its slot on the publisher too, when `create_slot` is true. When \
         the publisher cannot be reached, the subscription is disabled, detached from the slot \
         (`slot_name = NONE`) and dropped, with a warning naming the slot left behind on the \
         publisher.\n\n\
         Import with `database.subscription` (or just the name for one in the provider's \
         database): `terraform import postgresql_subscription.orders 'app.orders'`. The \
         connection string is read on import when the provider's role may read it; \
         `create_slot` takes its default."
            .into()
    }

    /// The reference provider's state (schema version 0, as this one's)
    /// holds `""` for an unset `slot_name` and lacks the write-only
    /// attributes.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        sdk_state::fill_defaults::<SubscriptionModel>(&mut state);
        sdk_state::empty_strings_to_null(
            &mut state,
            &["slot_name", "database", "conninfo_wo_version"],
        );
        Ok(state)
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let (c, wo) = (config.get("conninfo"), config.get("conninfo_wo"));
        if c.is_null() && wo.is_null() {
            return Diagnostic::error(
                "Missing Connection String",
                "Set conninfo (stored in state, sensitive) or conninfo_wo with \
                 conninfo_wo_version (Terraform 1.11+, never stored): the subscription must know \
                 how to reach the publisher.",
            )
            .at("conninfo")
            .into();
        }
        Diagnostics::new()
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let client = self.state.client_opt().await;
        checks::plan_database(client.as_deref(), &mut plan.value);
        let id = match (
            plan.value.get("database").as_str(),
            plan.value.get("name").as_str(),
        ) {
            (Some(db), Some(name)) => Value::string(subscription_id(Some(db), name)),
            _ => Value::unknown(),
        };
        plan.value.set("id", id);
        let creating = input.prior.is_null();
        if creating && input.config.get("slot_name").is_null() {
            if let Some(name) = input.config.get("name").as_str() {
                if let Some(p) = checks::slot_name("the subscription's name", name) {
                    d.push(
                        Diagnostic::error(
                            "Set slot_name",
                            format!(
                                "{} The slot on the publisher takes the subscription's name \
                                 unless slot_name is set: set slot_name to a valid slot name.",
                                p.detail
                            ),
                        )
                        .at("slot_name"),
                    );
                }
            }
        }
        if let (true, Some(client)) = (creating, client) {
            if !client.info.is_superuser && client.info.version_num < 160_000 {
                d.push(Diagnostic::error(
                    "Subscription Needs A Superuser",
                    format!(
                        "Before PostgreSQL 16 only a superuser may create a subscription, and \
                         the provider connects as {:?}, which is not one (this server runs \
                         {}). Configure the provider with a superuser for this resource, or \
                         upgrade to PostgreSQL 16, where membership in pg_create_subscription \
                         suffices.",
                        client.info.current_user,
                        checks::version_text(client.info.version_num)
                    ),
                ));
            }
        }
        d
    }

    async fn create(
        &self,
        planned: SubscriptionModel,
        config: SubscriptionModel,
    ) -> DResult<SubscriptionModel> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, planned.database.known());
        let conninfo = config
            .conninfo_wo
            .clone()
            .or_else(|| planned.conninfo.clone())
            .unwrap_or_default();
        let spec = SubscriptionSpec {
            name: planned.name.clone(),
            conninfo: conninfo.clone(),
            publications: planned.publications.iter().cloned().collect(),
            create_slot: planned.create_slot,
            slot_name: planned.slot_name.known().cloned(),
        };
        let statements = [sql::create(&spec)];
        let result = if planned.create_slot {
            // Creating the slot on the publisher cannot run in a
            // transaction block.
            self.quiet_alone(&client, &database, "creating a subscription", &statements)
                .await
        } else {
            self.quiet_transaction(
                &client,
                &database,
                "creating a subscription",
                statements.to_vec(),
            )
            .await
        };
        if let Err(e) = result {
            let d = pg_diag(&e, &ctx(&client, &planned.name, &database));
            return Err(scrubbed(d, &[&conninfo]));
        }
        // Created: from here on nothing may fail, or the state would lose it.
        // A write-only connection string stays out of the state.
        let name = planned.name.clone();
        let with_conninfo = planned.conninfo.is_some();
        match self
            .read_as(&client, &database, &name, planned.clone(), with_conninfo)
            .await
        {
            Ok(Some(m)) => Ok(m),
            _ => Ok(planned.planned_state(&database)),
        }
    }

    async fn update(
        &self,
        prior: SubscriptionModel,
        planned: SubscriptionModel,
        config: SubscriptionModel,
    ) -> DResult<SubscriptionModel> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, planned.database.known());
        let c = ctx(&client, &planned.name, &database);
        let new_conninfo = match (&config.conninfo_wo, &planned.conninfo) {
            (Some(wo), _) if planned.conninfo_wo_version != prior.conninfo_wo_version => {
                Some(wo.clone())
            }
            (_, Some(p)) if planned.conninfo != prior.conninfo => Some(p.clone()),
            _ => None,
        };
        let secrets: Vec<&str> = [&new_conninfo, &prior.conninfo]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();

        // 1. The publications, under the old name: with refresh this cannot
        //    run in a transaction block.
        if planned.publications != prior.publications {
            let publications: Vec<String> = planned.publications.iter().cloned().collect();
            let enabled = {
                let conn = client.pools.get(Some(&database)).await;
                match conn {
                    Ok(conn) => sql::read(&**conn, &prior.name, false)
                        .await
                        .map_err(|e| pg_diag(&e, &c))?
                        .is_none_or(|r| r.enabled),
                    Err(e) => return Err(pg_diag(&e, &c)),
                }
            };
            let statement = sql::set_publications(&prior.name, &publications, enabled);
            let result = if enabled {
                client
                    .run_alone(
                        Some(&database),
                        "changing a subscription's publications",
                        &[],
                        &[statement],
                    )
                    .await
            } else {
                warn_in_apply(Diagnostic::warning(
                    "Subscription Disabled",
                    format!(
                        "Subscription {:?} is disabled, and PostgreSQL refreshes the tables of \
                         a subscription only while it is enabled: its publications were changed \
                         without copying the tables of the new ones. After enabling it, run \
                         ALTER SUBSCRIPTION ... REFRESH PUBLICATION.",
                        prior.name
                    ),
                ));
                client
                    .run_statements(
                        Some(&database),
                        "changing a subscription's publications",
                        &[statement],
                    )
                    .await
            };
            result.map_err(|e| scrubbed(pg_diag(&e, &c), &secrets))?;
        }

        // 2. The connection string and the name, in one transaction.
        let mut statements = Vec::new();
        if let Some(conninfo) = &new_conninfo {
            statements.push(sql::set_connection(&prior.name, conninfo));
        }
        if planned.name != prior.name {
            statements.push(sql::rename(&prior.name, &planned.name));
        }
        if !statements.is_empty() {
            self.quiet_transaction(&client, &database, "changing a subscription", statements)
                .await
                .map_err(|e| scrubbed(pg_diag(&e, &c), &secrets))?;
        }
        // Done: from here on nothing may fail, or the state would be stale.
        let name = planned.name.clone();
        let with_conninfo = planned.conninfo.is_some();
        match self
            .read_as(&client, &database, &name, planned.clone(), with_conninfo)
            .await
        {
            Ok(Some(m)) => Ok(m),
            _ => Ok(planned.planned_state(&database)),
        }
    }

    /// What committed before an update failed. Its last step renames the
    /// subscription and sets its connection string in one transaction:
    /// when the old name is still there, that step did not commit, and the
    /// prior state is the base (the publications, changed first, are read
    /// from the catalog); otherwise it did. A create has nothing to say:
    /// nothing can fail after its one statement, and a subscription found
    /// under the planned name after a failed create is someone else's.
    async fn after_failure(
        &self,
        prior: Option<SubscriptionModel>,
        planned: SubscriptionModel,
    ) -> Option<SubscriptionModel> {
        let prior = prior?;
        let client = self.state.client().await.ok()?;
        let database = checks::database_of(&client, planned.database.known());
        let name = prior.name.clone();
        let with_conninfo = prior.conninfo.is_some();
        let now = self
            .read_as(&client, &database, &name, prior, with_conninfo)
            .await
            .ok()?;
        if now.is_some() {
            return now;
        }
        let name = planned.name.clone();
        let with_conninfo = planned.conninfo.is_some();
        self.read_as(&client, &database, &name, planned, with_conninfo)
            .await
            .ok()?
    }

    async fn delete(&self, prior: SubscriptionModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, prior.database.known());
        let c = ctx(&client, &prior.name, &database);
        let row = match client.pools.get(Some(&database)).await {
            Ok(conn) => sql::read(&**conn, &prior.name, false)
                .await
                .map_err(|e| pg_diag(&e, &c))?,
            // The database is gone, and the subscription with it.
            Err(e) if e.is_missing_database() => return Ok(()),
            Err(e) => return Err(pg_diag(&e, &c)),
        };
        let Some(row) = row else {
            return Ok(());
        };
        let Some(slot) = row.slot_name.clone().filter(|_| prior.create_slot) else {
            // The slot stays on the publisher (the reference provider's
            // create_slot = false), or there is none: one transaction.
            return self
                .drop_detached(&client, &database, &prior.name)
                .await
                .map_err(|e| pg_diag(&e, &c));
        };
        // Dropping the slot on the publisher cannot run in a transaction
        // block.
        let dropped = client
            .run_alone(
                Some(&database),
                "dropping a subscription",
                &[],
                &[sql::drop(&prior.name)],
            )
            .await;
        match dropped {
            Ok(()) => Ok(()),
            Err(e) if e.is_connection_failure() => {
                let why = e.db_message().unwrap_or_else(|| e.to_string());
                self.drop_detached(&client, &database, &prior.name)
                    .await
                    .map_err(|e| pg_diag(&e, &c))?;
                warn_in_apply(Diagnostic::warning(
                    "Replication Slot Left Behind",
                    format!(
                        "The publisher of subscription {:?} could not be reached ({}), so the \
                         subscription was disabled, detached from its replication slot and \
                         dropped, and the slot {slot:?} is still on the publisher. A slot \
                         nobody reads keeps WAL there forever: once the publisher is back, \
                         drop it there with SELECT pg_drop_replication_slot('{slot}');",
                        prior.name,
                        why.lines().next().unwrap_or_default()
                    ),
                ));
                Ok(())
            }
            Err(e) => Err(pg_diag(&e, &c)),
        }
    }

    async fn read(&self, current: SubscriptionModel) -> DResult<Option<SubscriptionModel>> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, current.database.known());
        let name = current.name.clone();
        // The connection string is read only when the state holds one: a
        // write-only one stays out of state.
        let with_conninfo = current.conninfo.is_some();
        self.read_as(&client, &database, &name, current, with_conninfo)
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &name, &database)))
    }

    async fn import(&self, id: &str) -> DResult<SubscriptionModel> {
        let client = self.state.client().await?;
        let SubscriptionId { database, name } = SubscriptionId::parse(id)?;
        let database = checks::database_of(&client, database.as_ref());
        let base = SubscriptionModel {
            name: name.clone(),
            ..SubscriptionModel::default()
        };
        self.read_as(&client, &database, &name, base, true)
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &name, &database)))?
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Subscription Not Found",
                    format!(
                        "There is no subscription {name:?} in database {database:?}. Names are \
                         case-sensitive."
                    ),
                ))
            })
    }

    const IDENTITY: &'static [&'static str] = &["database", "name"];

    fn import_id(&self, m: &SubscriptionModel) -> Option<String> {
        if m.name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(subscription_id(database.map(String::as_str), &m.name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::NamePattern("the subscription's name"),
    ];

    /// Every subscription of the database, as an import reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<SubscriptionModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let c = ErrorContext::new(
            &client.info.current_user,
            format!("the subscriptions in database {database:?}"),
        );
        let names = {
            let conn = client
                .pools
                .get(Some(&database))
                .await
                .map_err(|e| pg_diag(&e, &c))?;
            sql::names(&**conn).await.map_err(|e| pg_diag(&e, &c))?
        };
        let mut out = Vec::new();
        for name in names.into_iter().filter(|n| query.name_matches(n)) {
            let base = SubscriptionModel {
                name: name.clone(),
                ..SubscriptionModel::default()
            };
            if let Some(m) = self
                .read_as(&client, &database, &name, base, true)
                .await
                .map_err(|e| pg_diag(&e, &c))?
            {
                out.push(m);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Model;

    #[test]
    fn the_catalog_wins_but_an_unread_connection_string_is_kept() {
        let mine = SubscriptionModel {
            name: "s".into(),
            conninfo: Some("host=a password=x".into()),
            create_slot: false,
            ..SubscriptionModel::default()
        };
        let row = SubscriptionRow {
            name: "s".into(),
            enabled: true,
            slot_name: Some("slot".into()),
            publications: vec!["b".into(), "a".into()],
            conninfo: None,
        };
        let m = mine.clone().with_row("db", row.clone());
        assert_eq!(m.conninfo.as_deref(), Some("host=a password=x"));
        assert_eq!(m.slot_name, Tf::Known("slot".into()));
        assert!(!m.create_slot);
        assert_eq!(m.id, Tf::Known("db.s".into()));
        let read = SubscriptionRow {
            conninfo: Some("host=b".into()),
            ..row
        };
        assert_eq!(
            mine.with_row("db", read).conninfo.as_deref(),
            Some("host=b")
        );
    }

    #[test]
    fn diagnostics_lose_the_password() {
        let d = scrubbed(
            Diagnostic::error("E", "failed with hunter2 in it").into(),
            &["host=h password=hunter2"],
        );
        assert_eq!(d.0[0].detail, "failed with [redacted] in it");
        assert!(conninfo_syntax("conninfo", "host=h password='hunter2")
            .is_some_and(|p| !p.detail.contains("hunter2")));
    }

    #[test]
    fn reference_state_upgrades() {
        let r = SubscriptionResource::new(Arc::new(ProviderState::default()));
        let old = Value::object([
            ("id", Value::string("db.s")),
            ("name", Value::string("s")),
            ("database", Value::string("db")),
            ("conninfo", Value::string("host=h")),
            ("publications", Value::string_set(["p".to_string()])),
            ("create_slot", Value::bool(true)),
            ("slot_name", Value::string("")),
        ]);
        let new = ResourceType::upgrade(&r, 0, old).unwrap();
        assert!(new.get("slot_name").is_null());
        assert!(SubscriptionModel::from_value(&new).is_ok());
    }
}
