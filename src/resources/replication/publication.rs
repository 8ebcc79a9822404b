//! `postgresql_publication`: a publication for logical replication, with
//! the reference provider's attributes, defaults and import ID
//! (`database.publication`), plus `schemas` (`FOR TABLES IN SCHEMA`,
//! PostgreSQL 15) and `publish_generated_columns_param` (PostgreSQL 18).
//!
//! Everything but the database and `all_tables` changes in place, in one
//! transaction: the name, the owner, the tables and schemas (by
//! difference) and the parameters.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::exec::run_all;
use crate::pg::error::PgError;
use crate::pg::replication::publication::{
    self as sql, Change, Params, PublicationRow, Scope, Table, OPERATIONS,
};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, PlanInput, Planned, Problem,
    ResourceType, Tf, Validator, Value,
};

use crate::resources::replication::checks;
use crate::resources::review::replication_lints;
use crate::resources::support::errors::{pg_diag, ChangeError, ErrorContext};
use crate::resources::support::import_id::grammar::dotted;
use crate::resources::support::import_id::PublicationId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_publication` as Terraform holds it.
    pub struct PublicationModel {
        id: Tf<String> = computed(
            "`database.publication`; a part that is empty or contains `.` or `\"` is written \
             in double quotes with `\"` doubled.",
        )
        .stable(),
        name: String = required(
            "Name of the publication. Changing it renames the publication in place (`ALTER \
             PUBLICATION ... RENAME TO`).",
        )
        .each(publication_name),
        database: Tf<String> = optional(
            "Database of the publication. Default: the provider's `database`.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
        owner: Tf<String> = optional(
            "Role that owns the publication. Default: the provider's role. Changed in place; \
             when unset, an owner changed outside Terraform is kept.",
        )
        .and_computed()
        .stable()
        .each(validators::role_name),
        tables: Tf<BTreeSet<String>> = optional(
            "Tables to publish, each `schema.table` (a part containing `.` or `\"` in double \
             quotes, with `\"` doubled; names are taken as written, case-sensitive). Tables \
             are added and dropped in place, by difference (`ALTER PUBLICATION ... ADD TABLE` \
             / `DROP TABLE`). Unset: whatever the publication holds; with `all_tables`, every \
             table it publishes is listed here.",
        )
        .and_computed()
        .stable()
        .each(table_name)
        .validate(Validator::WithConfig(conflicts_with_all_tables)),
        all_tables: bool = optional(
            "Publish every table of the database, including tables created later (`FOR ALL \
             TABLES`; needs a superuser).",
        )
        .default(false)
        .replaces(),
        schemas: Option<BTreeSet<String>> = optional(
            "Schemas whose every table is published, including tables created in them later \
             (`FOR TABLES IN SCHEMA`; PostgreSQL 15 and later; needs a superuser). Added and \
             dropped in place. A schema added outside Terraform shows as a change.",
        )
        .each(validators::schema_name)
        .validate(Validator::WithConfig(conflicts_with_all_tables)),
        publish_param: Tf<Vec<String>> = optional(
            "Operations to publish: any of `insert`, `update`, `delete` and `truncate`. \
             Default: all four. Changed in place; the order is kept as written.",
        )
        .and_computed()
        .stable()
        .each(operation)
        .validate(Validator::WithConfig(operations_once)),
        publish_via_partition_root_param: bool = optional(
            "Publish the changes of a partitioned table's partitions as changes of the \
             partitioned table itself (`publish_via_partition_root`). Changed in place.",
        )
        .default(false),
        publish_generated_columns_param: Tf<String> = optional(
            "Whether the values of stored generated columns are published: `none` or \
             `stored` (`publish_generated_columns`; PostgreSQL 18 and later, where the default \
             is `none`). Changed in place.",
        )
        .and_computed()
        .stable()
        .validate(Validator::OneOf(&["none", "stored"])),
        drop_cascade: bool = optional(
            "When destroyed, also drop the objects that depend on the publication (`DROP \
             PUBLICATION ... CASCADE`).",
        )
        .default(false),
    }
}

/// A publication name PostgreSQL would refuse or truncate.
fn publication_name(attr: &str, name: &str) -> Option<Problem> {
    validators::identifier("Publication Name", attr, name)
}

/// A table that is not `schema.table`.
fn table_name(attr: &str, text: &str) -> Option<Problem> {
    match parse_table(text) {
        Ok(_) => None,
        Err(why) => Some(Problem::new(
            "Invalid Table Name",
            format!(
                "{attr} holds {text:?}, which is not schema.table: {why}. Name the schema too \
                 (public.orders), and put a name containing '.' or '\"' in double quotes with \
                 '\"' doubled: \"my.schema\".orders."
            ),
        )),
    }
}

/// `schema.table` in the ID grammar ([`dotted`]).
fn parse_table(text: &str) -> Result<Table, String> {
    let parts = dotted::parse(text)?;
    let [schema, name] =
        <[String; 2]>::try_from(parts).map_err(|p| format!("it has {} part(s), not 2", p.len()))?;
    for part in [&schema, &name] {
        if let Some(p) = validators::identifier("Name", "a part", part) {
            return Err(p.detail);
        }
    }
    Ok(Table { schema, name })
}

/// A table as the attribute writes it.
fn table_text(t: &Table) -> String {
    dotted::render(&[&t.schema, &t.name])
}

fn conflicts_with_all_tables(config: &Value) -> Option<Problem> {
    (config.get("all_tables").as_bool() == Some(true)).then(|| {
        Problem::new(
            "Conflicting configuration arguments",
            "all_tables = true publishes every table; tables and schemas cannot be set with \
             it. Remove one of them.",
        )
    })
}

fn operation(attr: &str, op: &str) -> Option<Problem> {
    (!OPERATIONS.contains(&op)).then(|| {
        Problem::new(
            "Invalid Operation",
            format!(
                "{attr} holds {op:?}; each item must be one of insert, update, delete and \
                 truncate."
            ),
        )
    })
}

fn operations_once(config: &Value) -> Option<Problem> {
    let items = config.get("publish_param").as_elements()?;
    if items.is_empty() {
        return Some(Problem::new(
            "Empty publish_param",
            "publish_param must name at least one operation. Leave it unset to publish all \
             four.",
        ));
    }
    let texts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    texts
        .iter()
        .enumerate()
        .find(|(i, t)| texts[..*i].contains(t))
        .map(|(_, t)| {
            Problem::new(
                "Duplicate Operation",
                format!("{t:?} is given twice in publish_param. Name each operation once."),
            )
        })
}

impl PublicationModel {
    fn database(&self) -> Option<&String> {
        self.database.known()
    }

    /// Takes what the catalog says, keeping the configured order of
    /// `publish_param` and an empty `schemas` as written.
    fn with_row(self, database: &str, row: PublicationRow) -> PublicationModel {
        let publish = match self.publish_param.known() {
            Some(mine) if same_set(mine, &row.publish) => mine.clone(),
            _ => row.publish,
        };
        let schemas: BTreeSet<String> = row.schemas.into_iter().collect();
        let schemas = match self.schemas {
            // `schemas = []`, as written.
            Some(mine) if mine.is_empty() && schemas.is_empty() => Some(mine),
            _ if schemas.is_empty() => None,
            _ => Some(schemas),
        };
        PublicationModel {
            id: Tf::Known(publication_id(Some(database), &row.name)),
            name: row.name,
            database: Tf::Known(database.to_string()),
            owner: Tf::Known(row.owner),
            tables: Tf::Known(row.tables.iter().map(table_text).collect()),
            all_tables: row.all_tables,
            schemas,
            publish_param: Tf::Known(publish),
            publish_via_partition_root_param: row.via_root,
            publish_generated_columns_param: row.generated_columns.into(),
            drop_cascade: self.drop_cascade,
        }
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    a == b
}

fn publication_id(database: Option<&str>, name: &str) -> String {
    PublicationId {
        database: database.map(str::to_string),
        name: name.to_string(),
    }
    .render()
}

fn ctx(client: &Client, name: &str, database: &str) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("publication {name:?} in database {database:?}"),
    )
    .needs(
        "CREATE on the database to create a publication, ownership of its tables to publish \
         them, and SUPERUSER for all_tables and schemas",
    )
    .importable(
        "postgresql_publication",
        &publication_id(Some(database), name),
    )
}

/// The tables of a configured set, parsed (validated already).
fn tables_of(set: &BTreeSet<String>) -> Vec<Table> {
    set.iter().filter_map(|t| parse_table(t).ok()).collect()
}

/// The `postgresql_publication` resource.
pub struct PublicationResource {
    state: Arc<ProviderState>,
}

impl PublicationResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> PublicationResource {
        PublicationResource { state }
    }

    /// Runs `statements` (acting as `acting_as` when needed) and reads the
    /// publication `name` back, in one transaction on `database`.
    async fn change(
        &self,
        client: &Client,
        database: &str,
        name: &str,
        acting_as: Vec<String>,
        statements: Vec<crate::pg::conn::exec::Statement>,
    ) -> DResult<PublicationRow> {
        let version = client.info.version_num;
        let work = (
            statements,
            acting_as,
            client.actor(),
            name.to_string(),
            version,
        );
        let row = client
            .transaction(
                Some(database),
                "changing a publication",
                &work,
                |tx, (statements, acting_as, actor, name, version)| {
                    Box::pin(async move {
                        let roles: Vec<&str> = acting_as.iter().map(String::as_str).collect();
                        let all = actor.wrap(tx, &roles, statements.clone()).await?;
                        run_all(tx, &all).await?;
                        Ok::<_, ChangeError>(sql::read(tx, name, *version).await?)
                    })
                },
            )
            .await;
        let c = ctx(client, name, database);
        match row {
            Ok(Some(row)) => Ok(row),
            Ok(None) => Err(Diagnostic::error(
                "Publication Vanished",
                format!(
                    "Publication {name:?} is not in database {database:?} after the change, \
                     although PostgreSQL reported no error. Something dropped it meanwhile."
                ),
            )
            .into()),
            Err(ChangeError::Diag(d)) => Err(d),
            Err(ChangeError::Pg(e)) => Err(pg_diag(&e, &c)),
        }
    }

    /// The lints of a planned publication (see [`replication_lints`]).
    async fn lints(&self, client: &Client, prior: &Value, plan: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let (Some(database), Some(name)) =
            (plan.get("database").as_str(), plan.get("name").as_str())
        else {
            return d;
        };
        let Ok(conn) = client.pools.get(Some(database)).await else {
            // The database may be created by the same apply.
            return d;
        };
        match sql::wal_level(&**conn).await {
            Ok(level) if level != "logical" => {
                d.push(replication_lints::wal_level_not_logical(name, &level));
            }
            Ok(_) => {}
            Err(e) => log::debug!("not checking wal_level: {e}"),
        }
        let creating = prior.is_null();
        let (attr, scope): (&str, Option<Vec<String>>) =
            if plan.get("all_tables").as_bool() == Some(true) {
                if !creating {
                    return d;
                }
                ("all_tables", None)
            } else {
                let had: BTreeSet<&str> = prior
                    .get("schemas")
                    .as_elements()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let added: Vec<String> = plan
                    .get("schemas")
                    .as_elements()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|s| !had.contains(s))
                    .map(str::to_string)
                    .collect();
                if added.is_empty() {
                    return d;
                }
                ("schemas", Some(added))
            };
        match sql::tables_with_rls(&**conn, scope.as_deref()).await {
            Ok(tables) if !tables.is_empty() => {
                let quoted: Vec<String> = tables
                    .iter()
                    .map(|t| crate::pg::sql::quote::qualified(&t.schema, &t.name))
                    .collect();
                d.push(replication_lints::publishes_rls_tables(name, attr, &quoted));
            }
            Ok(_) => {}
            Err(e) => log::debug!("not checking for tables with row-level security: {e}"),
        }
        d
    }
}

#[async_trait]
impl ResourceType for PublicationResource {
    type Model = PublicationModel;
    const NAME: &'static str = "postgresql_publication";

    fn description(&self) -> String {
        "Manages a publication, the publishing side of PostgreSQL's logical replication: which \
         tables' changes a database sends to subscribers (`postgresql_subscription` on another \
         server). Renaming it, changing its owner, its tables and schemas and its parameters \
         happen in place; only `database` and `all_tables` replace it. The server needs \
         `wal_level = logical` for anything to be replicated; the plan warns (`PGW502`) when \
         it does not have it, and when a publication of every table or of whole schemas takes \
         in tables with row-level security (`PGW501`), whose rows all reach the subscribers.\n\n\
         Import with `database.publication` (or just the name for one in the provider's \
         database): `terraform import postgresql_publication.orders 'app.orders'`."
            .into()
    }

    /// The reference provider's state (schema version 0, as this one's)
    /// lacks the attributes added here and may hold a null
    /// `publish_via_partition_root_param`.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        sdk_state::fill_defaults::<PublicationModel>(&mut state);
        sdk_state::empty_strings_to_null(
            &mut state,
            &["owner", "database", "publish_generated_columns_param"],
        );
        if state
            .get("schemas")
            .as_elements()
            .is_some_and(<[Value]>::is_empty)
        {
            state.set("schemas", Value::Null);
        }
        Ok(state)
    }

    async fn modify_plan(&self, input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let client = self.state.client_opt().await;
        checks::plan_database(client.as_deref(), &mut plan.value);
        let id = match (
            plan.value.get("database").as_str(),
            plan.value.get("name").as_str(),
        ) {
            (Some(db), Some(name)) => Value::string(publication_id(Some(db), name)),
            _ => Value::unknown(),
        };
        plan.value.set("id", id);
        let Some(client) = client else {
            return d;
        };
        let version = client.info.version_num;
        let gates = [
            checks::too_old(
                input.config,
                "schemas",
                &Value::Null,
                15,
                version,
                "FOR TABLES IN SCHEMA",
            ),
            checks::too_old(
                input.config,
                "publish_generated_columns_param",
                &Value::Null,
                18,
                version,
                "publish_generated_columns",
            ),
        ];
        let refused = gates.iter().any(Option::is_some);
        d.0.extend(gates.into_iter().flatten());
        if refused {
            return d;
        }
        if version < 180_000 {
            // Not on this server: known to stay null.
            plan.value
                .set("publish_generated_columns_param", Value::Null);
        }
        if plan.value != *input.prior {
            d.extend(self.lints(&client, input.prior, &plan.value).await);
        }
        d
    }

    async fn create(
        &self,
        planned: PublicationModel,
        _: PublicationModel,
    ) -> DResult<PublicationModel> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, planned.database());
        let scope = if planned.all_tables {
            Scope::AllTables
        } else {
            Scope::Listed {
                tables: planned.tables.known().map(tables_of).unwrap_or_default(),
                schemas: planned.schemas.iter().flatten().cloned().collect(),
            }
        };
        let params = Params {
            publish: planned.publish_param.known().cloned(),
            via_root: planned.publish_via_partition_root_param.then_some(true),
            generated_columns: planned.publish_generated_columns_param.known().cloned(),
        };
        let mut statements = vec![sql::create(&planned.name, &scope, &params)];
        let mut acting_as = Vec::new();
        if let Some(owner) = planned.owner.known() {
            if owner != &client.info.current_user {
                statements.extend(sql::alter(&Change {
                    name: planned.name.clone(),
                    owner: Some(owner.clone()),
                    ..Change::default()
                }));
                acting_as.push(owner.clone());
            }
        }
        let row = self
            .change(&client, &database, &planned.name, acting_as, statements)
            .await?;
        Ok(planned.with_row(&database, row))
    }

    async fn update(
        &self,
        prior: PublicationModel,
        planned: PublicationModel,
        _: PublicationModel,
    ) -> DResult<PublicationModel> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, planned.database());
        let changed =
            |p: &Tf<String>, q: &Tf<String>| p.known().filter(|v| q.known() != Some(*v)).cloned();
        let (add_tables, drop_tables) = match (planned.tables.known(), prior.tables.known()) {
            (Some(new), old) if !planned.all_tables => {
                let empty = BTreeSet::new();
                let old = old.unwrap_or(&empty);
                (
                    tables_of(&new.difference(old).cloned().collect()),
                    tables_of(&old.difference(new).cloned().collect()),
                )
            }
            _ => (Vec::new(), Vec::new()),
        };
        let new_schemas = planned.schemas.clone().unwrap_or_default();
        let old_schemas = prior.schemas.clone().unwrap_or_default();
        let publish = match (planned.publish_param.known(), prior.publish_param.known()) {
            (Some(p), q) if q.is_none_or(|q| !same_set(p, q)) => Some(p.clone()),
            _ => None,
        };
        let owner = changed(&planned.owner, &prior.owner);
        let change = Change {
            name: prior.name.clone(),
            rename: (planned.name != prior.name).then(|| planned.name.clone()),
            owner: owner.clone(),
            add_tables,
            drop_tables,
            add_schemas: new_schemas.difference(&old_schemas).cloned().collect(),
            drop_schemas: old_schemas.difference(&new_schemas).cloned().collect(),
            params: Params {
                publish,
                via_root: (planned.publish_via_partition_root_param
                    != prior.publish_via_partition_root_param)
                    .then_some(planned.publish_via_partition_root_param),
                generated_columns: changed(
                    &planned.publish_generated_columns_param,
                    &prior.publish_generated_columns_param,
                ),
            },
        };
        let mut acting_as: Vec<String> = prior.owner.known().cloned().into_iter().collect();
        acting_as.extend(owner);
        let row = self
            .change(
                &client,
                &database,
                &planned.name,
                acting_as,
                sql::alter(&change),
            )
            .await?;
        Ok(planned.with_row(&database, row))
    }

    async fn delete(&self, prior: PublicationModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, prior.database());
        let owner: Vec<String> = prior.owner.known().cloned().into_iter().collect();
        let work = (
            vec![sql::drop(&prior.name, prior.drop_cascade)],
            owner,
            client.actor(),
        );
        let result = client
            .transaction(
                Some(&database),
                "dropping a publication",
                &work,
                |tx, (statements, owner, actor)| {
                    Box::pin(async move {
                        let roles: Vec<&str> = owner.iter().map(String::as_str).collect();
                        let all = actor.wrap(tx, &roles, statements.clone()).await?;
                        run_all(tx, &all).await
                    })
                },
            )
            .await;
        match result {
            Ok(()) => Ok(()),
            // The whole database is gone, and the publication with it.
            Err(e) if e.is_missing_database() => Ok(()),
            Err(e) => Err(pg_diag(&e, &ctx(&client, &prior.name, &database))),
        }
    }

    async fn read(&self, current: PublicationModel) -> DResult<Option<PublicationModel>> {
        let client = self.state.client().await?;
        let database = checks::database_of(&client, current.database());
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &current.name, &database));
        let conn = match client.pools.get(Some(&database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let row = sql::read(&**conn, &current.name, client.info.version_num)
            .await
            .map_err(|e| diag(&e))?;
        Ok(row.map(|r| current.clone().with_row(&database, r)))
    }

    async fn import(&self, id: &str) -> DResult<PublicationModel> {
        let client = self.state.client().await?;
        let PublicationId { database, name } = PublicationId::parse(id)?;
        let database = checks::database_of(&client, database.as_ref());
        let wanted = PublicationModel {
            name: name.clone(),
            database: Tf::Known(database.clone()),
            ..PublicationModel::default()
        };
        ResourceType::read(self, wanted).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Publication Not Found",
                format!(
                    "There is no publication {name:?} in database {database:?} (or no such \
                     database). Names are case-sensitive."
                ),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "name"];

    fn import_id(&self, m: &PublicationModel) -> Option<String> {
        if m.name.is_empty() {
            return None;
        }
        let database = m.database.known().filter(|db| !db.is_empty());
        Some(publication_id(database.map(String::as_str), &m.name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::NamePattern("the publication's name"),
    ];

    /// Every publication of the database, as an import reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<PublicationModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let diag = |e: &PgError| {
            pg_diag(
                e,
                &ErrorContext::new(
                    &client.info.current_user,
                    format!("the publications in database {database:?}"),
                ),
            )
        };
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| diag(&e))?;
        let mut out = Vec::new();
        for name in sql::names(&**conn).await.map_err(|e| diag(&e))? {
            if !query.name_matches(&name) {
                continue;
            }
            if let Some(row) = sql::read(&**conn, &name, client.info.version_num)
                .await
                .map_err(|e| diag(&e))?
            {
                out.push(PublicationModel::default().with_row(&database, row));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Model;

    fn row() -> PublicationRow {
        PublicationRow {
            name: "p".into(),
            owner: "o".into(),
            all_tables: false,
            publish: vec!["insert".into(), "update".into()],
            via_root: false,
            generated_columns: None,
            tables: vec![Table {
                schema: "my.s".into(),
                name: "T".into(),
            }],
            schemas: vec![],
        }
    }

    #[test]
    fn read_keeps_the_configured_order_and_an_empty_schema_list() {
        let mine = PublicationModel {
            name: "p".into(),
            publish_param: Tf::Known(vec!["update".into(), "insert".into()]),
            schemas: Some(BTreeSet::new()),
            ..PublicationModel::default()
        };
        let m = mine.with_row("db", row());
        assert_eq!(
            m.publish_param,
            Tf::Known(vec!["update".to_string(), "insert".to_string()])
        );
        assert_eq!(m.schemas, Some(BTreeSet::new()));
        assert_eq!(
            m.tables.known().unwrap().iter().next().unwrap(),
            "\"my.s\".T"
        );
        assert_eq!(m.id, Tf::Known("db.p".into()));
        let m = PublicationModel::default().with_row("db", row());
        assert_eq!(m.schemas, None);
        // A schema dropped outside Terraform is gone from the state.
        let mine = PublicationModel {
            schemas: Some(["s".to_string()].into()),
            ..PublicationModel::default()
        };
        assert_eq!(mine.with_row("db", row()).schemas, None);
    }

    #[test]
    fn tables_must_name_their_schema() {
        assert!(table_name("tables", "public.orders").is_none());
        assert!(table_name("tables", "\"my.s\".\"T\"\"x\"").is_none());
        let p = table_name("tables", "orders").unwrap();
        assert!(p.detail.contains("not schema.table"), "{}", p.detail);
        assert!(table_name("tables", "a.b.c").is_some());
        assert_eq!(
            parse_table("\"a.b\".c").unwrap(),
            Table {
                schema: "a.b".into(),
                name: "c".into()
            }
        );
    }

    #[test]
    fn publish_param_is_checked_as_a_whole() {
        let c = |items: &[&str]| {
            Value::object([(
                "publish_param",
                Value::string_list(items.iter().map(|s| s.to_string())),
            )])
        };
        assert!(operations_once(&c(&["insert", "update"])).is_none());
        assert!(operations_once(&c(&["insert", "insert"]))
            .unwrap()
            .detail
            .contains("\"insert\" is given twice"));
        assert!(operations_once(&c(&[])).is_some());
        assert!(operation("publish_param", "wrong_param").is_some());
    }

    #[test]
    fn reference_state_upgrades() {
        let r = PublicationResource::new(Arc::new(ProviderState::default()));
        let old = Value::object([
            ("id", Value::string("db.p")),
            ("name", Value::string("p")),
            ("database", Value::string("db")),
            ("owner", Value::string("o")),
            ("tables", Value::string_set(Vec::<String>::new())),
            ("all_tables", Value::bool(false)),
            ("publish_param", Value::string_list(["insert".to_string()])),
            ("publish_via_partition_root_param", Value::Null),
            ("drop_cascade", Value::bool(false)),
        ]);
        let new = ResourceType::upgrade(&r, 0, old).unwrap();
        assert_eq!(
            new.get("publish_via_partition_root_param"),
            &Value::bool(false)
        );
        assert!(PublicationModel::from_value(&new).is_ok());
    }
}
