//! `postgresql_row_level_security`: the two row-level security switches of
//! a table, `ENABLE`/`DISABLE` and `FORCE`/`NO FORCE`.
//!
//! The table itself is not managed: creating the resource sets the
//! switches on an existing table, destroying it puts the table back to the
//! PostgreSQL default (disabled, not forced).

use std::sync::Arc;

use async_trait::async_trait;
use tokio_postgres::error::SqlState;

use crate::pg::policy::{self as sql, TableName};
use crate::protocol::{
    Attribute, Block, DResult, Diagnostic, Diagnostics, PlanInput, Planned, Resource, Schema, Type,
    Value,
};

use super::errors::ErrorContext;
use super::import_id::dotted;
use super::state::{Client, ProviderState};
use super::table_target::{
    self, database_label, database_of, is_missing_database, run_in_transaction, table_diag,
    table_key, table_of,
};
use super::util::{boolean, check_identifier_attrs};

/// The `postgresql_row_level_security` resource.
pub struct RowLevelSecurityResource {
    state: Arc<ProviderState>,
}

impl RowLevelSecurityResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> RowLevelSecurityResource {
        RowLevelSecurityResource { state }
    }
}

fn ctx(client: &Client, v: &Value) -> ErrorContext {
    let table = table_of(v)
        .map(|t| t.quoted())
        .unwrap_or_else(|| "?".into());
    ErrorContext {
        connected_as: client.info.current_user.clone(),
        privilege_needed: Some(
            "ownership of the table (directly, or through membership in the role that owns it)"
                .into(),
        ),
        import_command: None,
        object: format!("row-level security of table {table}"),
    }
}

/// `schema.table`, or `database.schema.table` when the database is set.
fn id_of(v: &Value) -> Value {
    let mut parts = Vec::new();
    if !v.get("database").is_null() {
        parts.push(v.get("database"));
    }
    parts.extend([v.get("schema"), v.get("table")]);
    let names: Option<Vec<&str>> = parts.iter().map(|p| p.as_str()).collect();
    match names {
        Some(n) => Value::string(dotted::render(&n)),
        None => Value::unknown(),
    }
}

fn target(v: &Value) -> DResult<(TableName, Option<String>)> {
    let table = table_of(v).ok_or_else(|| {
        Diagnostics::from(Diagnostic::error(
            "Incomplete Row-Level Security Settings",
            "The table is not known; this is a bug, please report it.",
        ))
    })?;
    Ok((table, database_of(v).flatten()))
}

impl RowLevelSecurityResource {
    async fn apply(&self, planned: &Value) -> DResult<Value> {
        let client = self.state.client().await?;
        let (table, database) = target(planned)?;
        let statement = sql::set_row_level_security(
            &table,
            boolean(planned, "enabled", true),
            boolean(planned, "forced", false),
        );
        run_in_transaction(&client, database.as_deref(), &table, &[statement])
            .await
            .map_err(|e| {
                table_diag(
                    &client,
                    &e,
                    database.as_deref(),
                    &table,
                    &ctx(&client, planned),
                )
            })?;
        let mut state = planned.clone();
        state.set("id", id_of(planned));
        Ok(state)
    }
}

#[async_trait]
impl Resource for RowLevelSecurityResource {
    fn type_name(&self) -> &'static str {
        "postgresql_row_level_security"
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![Attribute::computed(
            "id",
            Type::String,
            "`schema.table`, or `database.schema.table` when `database` is set; a part that is \
             empty or contains `.` or `\"` is written in double quotes with `\"` doubled.",
        )
        .stable()];
        attributes.extend(table_target::attributes());
        attributes.extend([
            Attribute::optional(
                "enabled",
                Type::Bool,
                "Whether row-level security is enabled (`ALTER TABLE ... ENABLE ROW LEVEL \
                 SECURITY`): with it, roles other than the owner, superusers and BYPASSRLS roles \
                 see only the rows some policy allows (none without policies).",
            )
            .with_default(Value::bool(true)),
            Attribute::optional(
                "forced",
                Type::Bool,
                "Whether row-level security applies to the table's owner too (`FORCE ROW LEVEL \
                 SECURITY`). Superusers and BYPASSRLS roles still bypass it.",
            )
            .with_default(Value::bool(false)),
        ]);
        Schema {
            version: 0,
            block: Block {
                description: "Manages whether row-level security is enabled and forced on an \
                    existing table. The provider's role must own the table. Changes are made in \
                    place; destroying the resource disables row-level security and removes FORCE \
                    (the PostgreSQL defaults), and so does moving it to another table, which \
                    replaces it. Changing the switches locks the table (ACCESS \
                    EXCLUSIVE); set `lock_timeout` in the provider block to fail fast.\n\n\
                    For a partitioned table, the plan warns when partitions do not have \
                    row-level security enabled: the parent's policies apply to queries on the \
                    parent only, not to queries that name a partition directly.\n\n\
                    Import with `schema.table` (the provider's database) or \
                    `database.schema.table`; quote a part containing `.` or `\"` in double \
                    quotes, doubling embedded `\"`: `terraform import \
                    postgresql_row_level_security.example 'public.items'`."
                    .into(),
                attributes,
                blocks: vec![],
            },
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        check_identifier_attrs(
            config,
            &[
                ("schema", "Schema Name"),
                ("table", "Table Name"),
                ("database", "Database Name"),
            ],
            &mut d,
        );
        d
    }

    async fn modify_plan(&self, _input: PlanInput<'_>, plan: &mut Planned) -> Diagnostics {
        let mut d = Diagnostics::new();
        let id = id_of(&plan.value);
        plan.value.set("id", id);
        if plan.value.get("enabled").as_bool() != Some(true) {
            return d;
        }
        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let (Some(table), Some(database)) = (table_of(&plan.value), database_of(&plan.value))
        else {
            return d;
        };
        // Policies planned in this run need not warn that RLS is off.
        self.state
            .planned
            .note_rls(table_key(&client, database.as_deref(), &table));
        let Ok(conn) = client.pools.get(database.as_deref()).await else {
            return d;
        };
        let Ok(Some(info)) = sql::read_table(&**conn, &table).await else {
            return d;
        };
        if info.kind != "p" {
            return d;
        }
        if let Ok(parts) = sql::partitions_without_rls(&**conn, info.oid).await {
            if !parts.is_empty() {
                d.push(
                    Diagnostic::warning(
                        "Partitions Without Row-Level Security",
                        format!(
                            "{} is partitioned, and row-level security on it applies only to \
                             queries on {}. These partitions do not have it enabled (unless that \
                             happens in this same apply), so anyone with privileges on them can \
                             read them directly, bypassing its policies: {}. Enable it on each \
                             partition too (and create the \
                             policies there), for example with one \
                             postgresql_row_level_security per partition, or do not grant \
                             privileges on the partitions.",
                            table.quoted(),
                            table.quoted(),
                            parts.join(", ")
                        ),
                    )
                    .at("enabled"),
                );
            }
        }
        d
    }

    async fn create(&self, planned: &Value, _config: &Value) -> DResult<Value> {
        self.apply(planned).await
    }

    async fn update(&self, _prior: &Value, planned: &Value, _config: &Value) -> DResult<Value> {
        self.apply(planned).await
    }

    async fn delete(&self, prior: &Value) -> DResult<()> {
        let client = self.state.client().await?;
        let (table, database) = target(prior)?;
        let statement = sql::set_row_level_security(&table, false, false);
        match run_in_transaction(&client, database.as_deref(), &table, &[statement]).await {
            Ok(()) => Ok(()),
            Err(e)
                if is_missing_database(&e) || e.sqlstate() == Some(&SqlState::UNDEFINED_TABLE) =>
            {
                Ok(())
            }
            Err(e) => Err(table_diag(
                &client,
                &e,
                database.as_deref(),
                &table,
                &ctx(&client, prior),
            )),
        }
    }

    async fn read(&self, current: &Value) -> DResult<Option<Value>> {
        let client = self.state.client().await?;
        let (table, database) = target(current)?;
        let diag = |e: &crate::pg::error::PgError| {
            table_diag(
                &client,
                e,
                database.as_deref(),
                &table,
                &ctx(&client, current),
            )
        };
        let conn = match client.pools.get(database.as_deref()).await {
            Ok(c) => c,
            Err(e) if is_missing_database(&e) => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let Some(info) = sql::read_table(&**conn, &table)
            .await
            .map_err(|e| diag(&e))?
        else {
            return Ok(None);
        };
        let mut state = current.clone();
        state.set("enabled", Value::bool(info.rls_enabled));
        state.set("forced", Value::bool(info.rls_forced));
        if state.get("schema").is_null() {
            state.set("schema", Value::string(&table.schema));
        }
        let id = id_of(&state);
        state.set("id", id);
        Ok(Some(state))
    }

    async fn import(&self, id: &str) -> DResult<Value> {
        let client = self.state.client().await?;
        let invalid = |why: String| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Import ID",
                format!(
                    "{why}. Use schema.table (the provider's database) or database.schema.table, \
                     for example public.items. Names are taken exactly as written; put a name \
                     containing '.' or '\"' in double quotes and double any '\"' inside it: \
                     \"my.schema\".items"
                ),
            ))
        };
        let parts = dotted::parse(id).map_err(|e| invalid(format!("{id:?}: {e}")))?;
        let (database, rest) = match parts.len() {
            2 => (None, &parts[..]),
            3 => (Some(parts[0].clone()), &parts[1..]),
            n => return Err(invalid(format!("{id:?} has {n} part(s), not 2 or 3"))),
        };
        let state = Value::object([
            (
                "database",
                database.clone().map(Value::string).unwrap_or(Value::Null),
            ),
            ("schema", Value::string(&rest[0])),
            ("table", Value::string(&rest[1])),
            ("id", Value::Null),
            ("enabled", Value::Null),
            ("forced", Value::Null),
        ]);
        let found = self.read(&state).await?;
        found.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Table Not Found",
                format!(
                    "There is no table {} in database {:?}. Names are case-sensitive and used \
                     exactly as written in the import ID.",
                    TableName {
                        schema: rest[0].clone(),
                        table: rest[1].clone()
                    }
                    .quoted(),
                    database_label(&client, database.as_deref())
                ),
            ))
        })
    }
}
