//! `postgresql_policy`: a row-level security policy on a table.
//!
//! The interesting part is the expressions. PostgreSQL stores `USING` and
//! `WITH CHECK` as parse trees and prints them back in its own style, so the
//! text a user wrote never matches the catalog literally. The state keeps
//! the user's text; whenever it has to be compared with something else, the
//! server normalizes both sides ([`crate::pg::sql::policy_expr::normalize`]):
//!
//! * Read compares the live policy with the normalization of the text in
//!   state and keeps the state's text when they are equal; otherwise it
//!   stores the live text, which shows as a diff (drift).
//! * The plan compares a changed configuration text with the prior text
//!   and keeps the prior one when both normalize to the same thing, so
//!   reformatting an expression plans nothing.
//!
//! When the server cannot normalize (the table or a function does not exist
//! yet because it is created in the same apply), the plan simply uses the
//! configured text, and the first refresh after apply settles it.
//!
//! On a table Citus distributes, the plan refuses what Citus would not
//! carry to the shards faithfully (see `docs/guides/citus.md`).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::catalog::is_system_schema;
use crate::pg::rls::policy::{self as sql, Clause, Command, PolicySpec, PUBLIC};
use crate::pg::rls::table::{self as table_sql, TableName};
use crate::pg::sql::policy_expr::{is_trivially_true, Probe};
use crate::protocol::model::{computed, optional, required};
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Plan, ResourceType, Tf, Value, Viewed,
};

use crate::resources::review::planned::PlannedRls;
use crate::resources::review::policy_checks::{
    always_true_warning, check_roles, citus_refusals, command_name, expression, normalize_all,
    per_row_setting_warnings, ClauseTexts, Exposure, CLAUSES,
};
use crate::resources::review::policy_report::{policy_report, PolicySide};
use crate::resources::review::rls_lints::owner_bypasses;
use crate::resources::rls::table_target::{
    database_attr, database_label, database_of, run_in_transaction, schema_attr, table_attr,
    table_diag, table_key, table_of, OnTable,
};
use crate::resources::support::errors::{ErrorContext, OrDiag};
use crate::resources::support::import_id::PolicyId;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// A `postgresql_policy` as Terraform holds it.
    pub struct PolicyModel {
        id: Tf<String> = computed(
            "`schema.table.name`, or `database.schema.table.name` when `database` is set. A part \
             that is empty or contains `.` or `\"` is written in double quotes with `\"` doubled \
             (`\"my.schema\".items.\"say \"\"hi\"\"\"`); other parts are taken exactly as written.",
        )
        .stable(),
        database: Option<String> = database_attr(),
        schema: String = schema_attr(),
        table: String = table_attr(),
        name: String = required(
            "Name of the policy, unique per table (at most 63 bytes). Changing it renames the \
             policy in place (`ALTER POLICY ... RENAME TO`).",
        )
        .each(validators::policy_name),
        command: String = optional(
            "The command the policy applies to: `ALL`, `SELECT`, `INSERT`, `UPDATE` or \
             `DELETE`. PostgreSQL cannot alter it in place.",
        )
        .default("ALL")
        .replaces()
        .each(command_name),
        permissive: bool = optional(
            "`true` for a PERMISSIVE policy (policies are combined with OR), `false` for \
             RESTRICTIVE (every restrictive policy must also pass, combined with AND). \
             PostgreSQL cannot alter it in place.",
        )
        .default(true)
        .replaces(),
        roles: BTreeSet<String> = optional(
            "Roles the policy applies to; `[\"public\"]` (the default) means every role and \
             cannot be mixed with other names. `current_user`, `session_user` and \
             `current_role` are refused: PostgreSQL stores the role they resolve to, not the \
             word. Changed in place.",
        )
        .default(Value::string_set([PUBLIC]))
        .each(validators::role_name),
        using: Option<String> = optional(
            "SQL condition deciding which existing rows are visible (`USING`); not allowed for \
             `INSERT`. Write it as you like: it is compared with the server's copy semantically \
             (the server parses both), so reformatting, casts, letter case or schema \
             qualification never show as a change, while a real change made outside Terraform \
             (including a renamed column or function) does. Changed in place; removing it \
             replaces the policy (PostgreSQL cannot drop a clause). Unqualified names are \
             resolved with the provider's connection `search_path`, once, when the policy is \
             created.",
        )
        .each(expression),
        with_check: Option<String> = optional(
            "SQL condition new and updated rows must satisfy (`WITH CHECK`); not allowed for \
             `SELECT` and `DELETE`. Without it, `ALL` and `UPDATE` policies check new rows with \
             `using`. Compared semantically like `using`; changed in place; removing it replaces \
             the policy.",
        )
        .each(expression),
    }
    view PolicyView;
}

impl OnTable for PolicyModel {
    fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    fn table_name(&self) -> TableName {
        TableName {
            schema: self.schema.clone(),
            table: self.table.clone(),
        }
    }
}

impl PolicyModel {
    /// `schema.table.name`, or `database.schema.table.name`.
    fn id_text(&self) -> String {
        PolicyId {
            table: self.table_id(),
            name: self.name.clone(),
        }
        .render()
    }

    fn with_id(self) -> PolicyModel {
        PolicyModel {
            id: Tf::Known(self.id_text()),
            ..self
        }
    }

    /// What the model asks of the server.
    fn spec(&self) -> DResult<PolicySpec> {
        let command = Command::parse(&self.command).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid Policy Command",
                format!("command {:?} is not one the provider knows.", self.command),
            ))
        })?;
        Ok(PolicySpec {
            table: self.table_name(),
            name: self.name.clone(),
            command,
            permissive: self.permissive,
            roles: self.roles.iter().cloned().collect(),
            using: self.using.clone(),
            with_check: self.with_check.clone(),
        })
    }
}

impl PolicyView {
    /// The command; unset is `ALL`. `None` while not known.
    fn command(&self) -> Option<Command> {
        match &self.command {
            Tf::Null => Some(Command::All),
            c => c.as_str().and_then(Command::parse),
        }
    }

    /// The attribute holding a clause's expression.
    fn clause(&self, clause: Clause) -> &Tf<String> {
        match clause {
            Clause::Using => &self.using,
            Clause::WithCheck => &self.with_check,
        }
    }

    /// The attribute holding a clause's expression, to change it.
    fn clause_mut(&mut self, clause: Clause) -> &mut Tf<String> {
        match clause {
            Clause::Using => &mut self.using,
            Clause::WithCheck => &mut self.with_check,
        }
    }

    /// The texts of `using` and `with_check`, by attribute.
    fn texts(&self) -> ClauseTexts<'_> {
        [
            ("using", self.using.as_str()),
            ("with_check", self.with_check.as_str()),
        ]
    }

    /// What the policy report reads.
    fn side(&self) -> PolicySide {
        PolicySide {
            name: self.name.as_str().map(str::to_string),
            permissive: self.permissive.known().copied().unwrap_or(true),
            command: self.command.as_str().unwrap_or("ALL").to_string(),
            roles: self
                .roles
                .known()
                .map_or_else(|| vec![PUBLIC.to_string()], |r| r.iter().cloned().collect()),
            using: self.using.known().cloned(),
            with_check: self.with_check.known().cloned(),
        }
    }
}

fn clause_text(spec: &PolicySpec, clause: Clause) -> Option<&str> {
    match clause {
        Clause::Using => spec.using.as_deref(),
        Clause::WithCheck => spec.with_check.as_deref(),
    }
}

fn ctx(client: &Client, m: &PolicyModel) -> ErrorContext {
    ErrorContext::new(
        &client.info.current_user,
        format!("policy {:?} on table {}", m.name, m.table_name().quoted()),
    )
    .needs("ownership of the table (directly, or through membership in the role that owns it)")
    .importable("postgresql_policy", &m.id_text())
}

/// The `postgresql_policy` resource.
pub struct PolicyResource {
    state: Arc<ProviderState>,
}

impl PolicyResource {
    /// A policy resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> PolicyResource {
        PolicyResource { state }
    }
}

#[async_trait]
impl ResourceType for PolicyResource {
    type Model = PolicyModel;
    const NAME: &'static str = "postgresql_policy";

    fn description(&self) -> String {
        "Manages a row-level security policy (`CREATE POLICY`) on a table. \
                    Row-level security must also be enabled on the table for the policy to take \
                    effect (see `postgresql_row_level_security`). The provider's role must own \
                    the table.\n\n\
                    Expressions are compared by letting the server parse them: the plan creates \
                    the policy on a temporary copy of the table (`CREATE TEMP TABLE ... (LIKE \
                    ...)`) inside a transaction that is rolled back, which needs the TEMP \
                    privilege on the database (granted to PUBLIC by default) and never locks the \
                    real table. When that is not possible yet (the table or a function used is \
                    created in the same apply) the configured text is used as is, and the first \
                    refresh after apply settles it. Without the TEMP privilege, an edited \
                    expression is always applied as a change, and changes made outside \
                    Terraform to an expression are not detected.\n\n\
                    When the table exists, the plan refuses an expression the server refuses on \
                    it (a column the table does not have, bad syntax, not boolean); a missing \
                    function or type is left for the apply, since the same apply may create it.\n\n\
                    Plan-time warnings: a permissive policy whose `using` is always true for \
                    roles that could not already see every row (anything but superusers, \
                    BYPASSRLS roles and the table's owner and its members), and a table whose \
                    row-level security is enabled but not forced while its owner can log in. \
                    Whether row-level security is enabled at all depends on other resources, so \
                    the `postgresql_lints` data source reports a policy on a table without it, \
                    after apply.\n\n\
                    Creating, changing and dropping a policy locks the table (ACCESS EXCLUSIVE); \
                    set `lock_timeout` in the provider block to fail fast instead of queueing \
                    behind long transactions.\n\n\
                    Import with `schema.table.name` (the provider's database) or \
                    `database.schema.table.name`; quote a part containing `.` or `\"` in double \
                    quotes, doubling embedded `\"`: `terraform import postgresql_policy.example \
                    'public.items.tenant_isolation'`."
            .into()
    }

    async fn validate(&self, config: &PolicyView) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(cmd) = config.command() {
            if !cmd.allows_with_check() && config.with_check.is_set() {
                d.push(
                    Diagnostic::error(
                        "with_check Not Allowed",
                        format!(
                            "A {} policy cannot have with_check: WITH CHECK applies to rows being \
                             written, which {} never does. Put the condition in using, or change \
                             command.",
                            cmd.keyword(),
                            cmd.keyword()
                        ),
                    )
                    .at("with_check"),
                );
            }
            if !cmd.allows_using() && config.using.is_set() {
                d.push(
                    Diagnostic::error(
                        "using Not Allowed",
                        "An INSERT policy cannot have using: USING filters existing rows, and \
                         INSERT only writes new ones. Put the condition in with_check.",
                    )
                    .at("using"),
                );
            }
        }
        if let Some(roles) = config.roles.known() {
            let names: Vec<&str> = roles.iter().map(String::as_str).collect();
            check_roles(&names, &mut d);
        }
        d
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, PolicyModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        plan.planned.id = match PolicyModel::from_view(&plan.planned) {
            Some(m) => Tf::Known(m.id_text()),
            None => Tf::Unknown,
        };
        let prior = plan.prior.clone();
        let creating = prior.is_none();
        if let Some(prior) = &prior {
            // PostgreSQL has no syntax to drop a clause from a policy.
            for (attr, clause) in CLAUSES {
                if prior.clause(clause).is_set() && plan.planned.clause(clause).is_null() {
                    plan.replace_on(attr);
                }
            }
        }
        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let planned = plan.planned.clone();
        let (Some(table), Some(database), Some(command)) = (
            table_of(&planned.schema, &planned.table),
            database_of(&planned.database),
            planned.command(),
        ) else {
            return d;
        };
        let database = database.as_deref();
        let in_place = !creating && !plan.replaces();

        // What to normalize: configured texts that are new or changed, and
        // for an in-place change the prior text to compare with.
        let mut probes: Vec<Probe> = Vec::new();
        let mut slots: Vec<(&str, Clause, Option<usize>, Option<usize>)> = Vec::new();
        let prior_command = prior
            .as_ref()
            .and_then(PolicyView::command)
            .unwrap_or(command);
        for (attr, clause) in CLAUSES {
            let Some(new) = planned.clause(clause).as_str() else {
                continue;
            };
            let old = prior.as_ref().and_then(|p| p.clause(clause).as_str());
            if old == Some(new) && !creating {
                slots.push((attr, clause, None, None));
                continue;
            }
            probes.push(Probe {
                command,
                clause,
                expr: new,
            });
            let new_i = probes.len() - 1;
            let old_i = match old {
                Some(o) if in_place => {
                    probes.push(Probe {
                        command: prior_command,
                        clause,
                        expr: o,
                    });
                    Some(probes.len() - 1)
                }
                _ => None,
            };
            slots.push((attr, clause, Some(new_i), old_i));
        }
        let normalized = normalize_all(&client, database, &table, &probes).await;
        let result =
            |i: Option<usize>| i.and_then(|i| normalized.0.get(i)).and_then(Option::as_ref);
        let mut using_normalized: Option<String> = None;
        for (attr, clause, new_i, old_i) in &slots {
            match (result(*new_i), result(*old_i)) {
                (Some(Ok(n)), Some(Ok(o))) if n == o => {
                    // Same expression, written differently: keep the prior
                    // text so nothing is planned.
                    *plan.planned.clause_mut(*clause) = plan.prior_of(|p| p.clause(*clause));
                }
                // The probe ran on a copy of the table, so the table exists:
                // the server refusing the expression (bad syntax, wrong
                // type, a column the table lacks) is final. A function or
                // type that is missing may come with the same apply.
                (Some(Err(e)), _) if e.is_refused_on_existing_table() => {
                    let hint = if e.is_undefined_column() {
                        format!(
                            "Correct {attr} to name only columns that {} has (a column renamed \
                             outside Terraform is known by its new name only).",
                            table.quoted()
                        )
                    } else {
                        format!("Correct {attr}.")
                    };
                    d.push(
                        Diagnostic::error(
                            "Invalid Policy Expression",
                            format!(
                                "PostgreSQL refuses {attr} `{}`: {}\n\n{hint}",
                                planned.clause(*clause).as_str().unwrap_or_default(),
                                e.message
                            ),
                        )
                        .at(attr),
                    )
                }
                _ => {}
            }
            if *attr == "using" {
                using_normalized = result(*new_i).and_then(|r| r.as_ref().ok()).cloned();
            }
        }
        if d.has_errors() {
            return d;
        }

        // Warnings for reviewers, only when the policy is created or its
        // meaning changes.
        let p = &plan.planned;
        let changed = prior.as_ref().is_none_or(|o| {
            (&o.using, &o.with_check, &o.command) != (&p.using, &p.with_check, &p.command)
                || (&o.roles, &o.permissive) != (&p.roles, &p.permissive)
        });
        if !changed {
            return d;
        }
        d.0.extend(per_row_setting_warnings(&p.texts()));
        let info = match client.pools.get(database).await {
            Ok(conn) => table_sql::read_table(&**conn, &table).await.ok().flatten(),
            Err(_) => None,
        };
        d.0.extend(
            policy_report(
                &self.state,
                database,
                &table,
                info.as_ref(),
                prior.as_ref().map(PolicyView::side).as_ref(),
                Some(&plan.planned.side()),
            )
            .await,
        );
        if let Some(info) = &info {
            // PGW103 from the catalog: row-level security enabled earlier,
            // not forced, a login owner. Taken back only when a
            // `postgresql_row_level_security` planned before this policy
            // (one it references or depends on) forces it or turns it off.
            let key = table_key(&client, database, &table);
            let switches_fix_it = self
                .state
                .planned
                .rls(&key)
                .is_some_and(PlannedRls::owner_held_or_off);
            if info.rls_enabled && !info.rls_forced && info.owner_can_login && !switches_fix_it {
                d.push(owner_bypasses(&table, &info.owner).warning("table"));
            }
        }
        if let Some(info) = info.as_ref().filter(|i| i.citus) {
            let p = &plan.planned;
            d.extend(citus_refusals(
                p.permissive.known().copied(),
                &p.texts(),
                info,
                &using_normalized,
            ));
            if d.has_errors() {
                return d;
            }
        }
        let p = &plan.planned;
        let always_true = match (&using_normalized, p.using.as_str()) {
            (Some(n), _) => n == "true",
            (None, Some(text)) => is_trivially_true(text),
            (None, None) => false,
        };
        if always_true && p.permissive.known() != Some(&false) && command.allows_using() {
            let roles: Option<Vec<String>> = p.roles.known().map(|r| r.iter().cloned().collect());
            if let (Some(roles), Some(name)) = (roles, p.name.as_str()) {
                let exposure = Exposure {
                    policy: name,
                    table: &table,
                    roles: &roles,
                };
                let owner = info.as_ref().map(|i| i.owner.as_str());
                if let Some(w) = always_true_warning(&client, database, exposure, owner).await {
                    d.push(w);
                }
            }
        }
        d
    }

    async fn plan_destroy(&self, prior: &PolicyView) -> Diagnostics {
        let (Some(client), Some(table), Some(database)) = (
            self.state.client_opt().await,
            table_of(&prior.schema, &prior.table),
            database_of(&prior.database),
        ) else {
            return Diagnostics::new();
        };
        let database = database.as_deref();
        let info = match client.pools.get(database).await {
            Ok(conn) => table_sql::read_table(&**conn, &table).await.ok().flatten(),
            Err(_) => None,
        };
        let side = prior.side();
        let report = policy_report(
            &self.state,
            database,
            &table,
            info.as_ref(),
            Some(&side),
            None,
        );
        Diagnostics(report.await.into_iter().collect())
    }

    async fn create(&self, planned: PolicyModel, _: PolicyModel) -> DResult<PolicyModel> {
        let client = self.state.client().await?;
        let spec = planned.spec()?;
        let database = planned.database.as_deref();
        run_in_transaction(&client, database, &spec.table, &[sql::create_policy(&spec)])
            .await
            .map_err(|e| table_diag(&client, &e, database, &spec.table, &ctx(&client, &planned)))?;
        Ok(planned.with_id())
    }

    async fn update(
        &self,
        prior: PolicyModel,
        planned: PolicyModel,
        _: PolicyModel,
    ) -> DResult<PolicyModel> {
        let client = self.state.client().await?;
        let old = prior.spec()?;
        let new = planned.spec()?;
        let database = planned.database.as_deref();
        let statements = sql::alter_policy(&old, &new);
        if !statements.is_empty() {
            run_in_transaction(&client, database, &new.table, &statements)
                .await
                .map_err(|e| {
                    table_diag(&client, &e, database, &new.table, &ctx(&client, &planned))
                })?;
        }
        Ok(planned.with_id())
    }

    async fn delete(&self, prior: PolicyModel) -> DResult<()> {
        let client = self.state.client().await?;
        let spec = prior.spec()?;
        let database = prior.database.as_deref();
        match run_in_transaction(
            &client,
            database,
            &spec.table,
            &[sql::drop_policy(&spec.table, &spec.name)],
        )
        .await
        {
            Ok(()) => Ok(()),
            // The table (or its whole database) is gone, and the policy with it.
            Err(e) if e.is_missing_database() || e.is_undefined_table() => Ok(()),
            Err(e) => Err(table_diag(
                &client,
                &e,
                database,
                &spec.table,
                &ctx(&client, &prior),
            )),
        }
    }

    async fn read(&self, current: PolicyModel) -> DResult<Option<PolicyModel>> {
        let client = self.state.client().await?;
        let spec = current.spec()?;
        let database = current.database.clone();
        let diag = |e: &crate::pg::error::PgError| {
            table_diag(
                &client,
                e,
                database.as_deref(),
                &spec.table,
                &ctx(&client, &current),
            )
        };
        let policies = match client.policy_catalog(database.as_deref()).await {
            Ok(p) => p,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let Some(row) = policies.get(&spec.table, &spec.name).cloned() else {
            return Ok(None);
        };
        drop(policies);
        let command = row.command.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Unknown Policy Command",
                format!(
                    "Policy {:?} on {} has command {:?} in pg_policy, which this provider does \
                     not know. Upgrade the provider.",
                    spec.name,
                    spec.table.quoted(),
                    row.polcmd
                ),
            ))
        })?;

        // Keep the state's text when it means what the server holds.
        let mut probes = Vec::new();
        let mut slots = Vec::new();
        for (attr, clause) in CLAUSES {
            let live = match clause {
                Clause::Using => row.using.as_deref(),
                Clause::WithCheck => row.with_check.as_deref(),
            };
            let mine = clause_text(&spec, clause);
            match (mine, live) {
                (Some(m), Some(l)) if m != l => {
                    probes.push(Probe {
                        command,
                        clause,
                        expr: m,
                    });
                    slots.push((attr, mine, live, Some(probes.len() - 1)));
                }
                (Some(m), Some(_)) => slots.push((attr, Some(m), Some(m), None)),
                _ => slots.push((attr, mine, live, None)),
            }
        }
        let normalized = normalize_all(&client, database.as_deref(), &spec.table, &probes).await;
        let mut state = current.clone();
        for (attr, mine, live, probe) in slots {
            let keep_mine = match probe
                .and_then(|i| normalized.0.get(i))
                .and_then(Option::as_ref)
            {
                None if probe.is_none() => mine == live,
                // The server could not run the probe at all (no TEMP
                // privilege, a read-only server): nothing to compare with,
                // so trust the state rather than show a diff forever.
                None => true,
                Some(Ok(n)) => Some(n.as_str()) == live,
                // The state's text names something that no longer exists
                // (a renamed column or function): the policy changed.
                Some(Err(e)) if e.is_missing_dependency() => false,
                Some(Err(e)) => {
                    log::warn!(
                        "cannot compare {attr} of policy {:?} with the server's copy: {}",
                        spec.name,
                        e.message
                    );
                    true
                }
            };
            let value = if keep_mine { mine } else { live }.map(str::to_string);
            match attr {
                "using" => state.using = value,
                _ => state.with_check = value,
            }
        }
        Ok(Some(
            PolicyModel {
                command: command.keyword().to_string(),
                permissive: row.permissive,
                roles: row.roles.into_iter().collect(),
                ..state
            }
            .with_id(),
        ))
    }

    async fn import(&self, id: &str) -> DResult<PolicyModel> {
        let client = self.state.client().await?;
        let PolicyId { table, name } = PolicyId::parse(id)?;
        let database = table.database;
        let wanted = PolicyModel {
            database: database.clone(),
            schema: table.schema,
            table: table.table,
            name: name.clone(),
            ..PolicyModel::default()
        };
        let table = wanted.table_name();
        let found = ResourceType::read(self, wanted).await?;
        found.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Policy Not Found",
                format!(
                    "There is no policy {:?} on table {} in database {:?}. Names are \
                     case-sensitive and used exactly as written in the import ID.",
                    name,
                    table.quoted(),
                    database_label(&client, database.as_deref())
                ),
            ))
        })
    }

    const IDENTITY: &'static [&'static str] = &["database", "schema", "table", "name"];

    fn import_id(&self, m: &PolicyModel) -> Option<String> {
        (!m.table.is_empty() && !m.name.is_empty()).then(|| m.id_text())
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(
            "The listed policies then name it in `database`; unset, they leave `database` unset \
             too.",
        ),
        ListFilter::Schema,
        ListFilter::NamePattern("the policy's name"),
    ];

    /// Every policy, with its expressions as the server prints them
    /// (schema-qualified), as an import reads them.
    async fn list(&self, query: ListQuery) -> DResult<Vec<PolicyModel>> {
        let client = self.state.client().await?;
        let database = query.database.as_deref();
        let err_ctx = ErrorContext::new(
            &client.info.current_user,
            format!(
                "the policies in database {:?}",
                client.database_name(database)
            ),
        );
        let policies = client.policy_catalog(database).await.or_diag(&err_ctx)?;
        Ok(policies
            .iter()
            .filter(|(table, name, _)| {
                !is_system_schema(&table.schema)
                    && query.schema_matches(&table.schema)
                    && query.name_matches(name)
            })
            .filter_map(|(table, name, row)| {
                Some(
                    PolicyModel {
                        id: Tf::Null,
                        database: query.database.clone(),
                        schema: table.schema,
                        table: table.table,
                        name: name.to_string(),
                        command: row.command?.keyword().to_string(),
                        permissive: row.permissive,
                        roles: row.roles.iter().cloned().collect(),
                        using: row.using.clone(),
                        with_check: row.with_check.clone(),
                    }
                    .with_id(),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Model;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::object([
            ("id", Value::Null),
            ("database", Value::Null),
            ("schema", Value::Null),
            ("table", Value::string("items")),
            ("name", Value::string("p")),
            ("command", Value::Null),
            ("permissive", Value::Null),
            ("roles", Value::Null),
            ("using", Value::Null),
            ("with_check", Value::Null),
        ]);
        for (k, x) in pairs {
            v.set(*k, x.clone());
        }
        v
    }

    fn summaries(d: &Diagnostics) -> Vec<String> {
        d.0.iter().map(|x| x.summary.clone()).collect()
    }

    /// Everything validation runs: the declared validators, then the
    /// resource's own checks.
    async fn validate(v: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        crate::protocol::validate::check_validators(&PolicyModel::block(""), &v, &mut d);
        d.extend(
            crate::protocol::Resource::validate(
                &PolicyResource::new(Arc::new(ProviderState::default())),
                &v,
            )
            .await,
        );
        d
    }

    #[tokio::test]
    async fn validation_names_the_attribute() {
        let d = validate(config(&[
            ("command", Value::string("SELECT")),
            ("with_check", Value::string("true")),
        ]))
        .await;
        assert_eq!(summaries(&d), vec!["with_check Not Allowed"]);
        let d = validate(config(&[
            ("command", Value::string("INSERT")),
            ("using", Value::string("true")),
        ]))
        .await;
        assert_eq!(summaries(&d), vec!["using Not Allowed"]);
        let d = validate(config(&[("name", Value::string("x".repeat(64)))])).await;
        assert_eq!(summaries(&d), vec!["Policy Name Too Long"]);
        let d = validate(config(&[("roles", Value::string_set(["public", "app"]))])).await;
        assert_eq!(summaries(&d), vec!["public Mixed With Other Roles"]);
        let d = validate(config(&[("roles", Value::string_set(["CURRENT_USER"]))])).await;
        assert_eq!(summaries(&d), vec!["Pseudo-Role In roles"]);
        let d = validate(config(&[("using", Value::string("  "))])).await;
        assert_eq!(summaries(&d), vec!["Empty Policy Expression"]);
        let d = validate(config(&[(
            "using",
            Value::string("true) WITH CHECK (false"),
        )]))
        .await;
        assert_eq!(summaries(&d), vec!["Malformed Policy Expression"]);
        let d = validate(config(&[("command", Value::string("select"))])).await;
        assert_eq!(summaries(&d), vec!["Invalid Policy Command"]);
        let d = validate(config(&[
            ("roles", Value::string_set(["app", "admin"])),
            ("using", Value::string("tenant_id = 1")),
        ]))
        .await;
        assert!(d.is_empty(), "{d}");
    }

    #[test]
    fn ids() {
        let id = |v: &Value| PolicyModel::from_value_known(v).map(|m| m.id_text());
        let v = config(&[("schema", Value::string("my.s"))]);
        assert_eq!(id(&v).as_deref(), Some("\"my.s\".items.p"));
        let v = config(&[
            ("schema", Value::string("s")),
            ("database", Value::string("db")),
        ]);
        assert_eq!(id(&v).as_deref(), Some("db.s.items.p"));
        let v = config(&[("schema", Value::unknown())]);
        assert_eq!(id(&v), None);
    }
}
