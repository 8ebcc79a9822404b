//! `postgresql_role`: a PostgreSQL role, with the reference provider's
//! attribute names and defaults so existing configurations carry over.
//!
//! Passwords reach the server only as SCRAM-SHA-256 verifiers computed here.
//! Every optional attribute left out of configuration plans its default,
//! as in the reference provider, except `roles`, which
//! `postgresql_grant_role` manages too: private state records whether
//! configuration manages it (see `protocol::private`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::conn::pool::ServerInfo;
use crate::pg::error::PgError;
use crate::pg::roles::role::{self as sql, RoleSettings, RoleSpec, RoleUpdate, ScopedParameters};
use crate::pg::roles::role_parameters::{self as parameters, Parameters};
use crate::pg::scram;
use crate::protocol::model::{computed, optional, required, TfValue};
use crate::protocol::typed::refuse_newer;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Model, Plan, Problem, ResourceType,
    Tf, Value, View,
};

use crate::resources::review::access_plans::{role_drop_report, role_report, RoleSide};
use crate::resources::review::membership_advice::privileged_login_warning;
use crate::resources::support::errors::{pg_diag, ErrorContext, OrDiag};
use crate::resources::support::import_id::NameId;
use crate::resources::support::role_flags::{access_flags_known, flags_of, with_flags};
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

const MAX_INT4: i64 = i32::MAX as i64;

model! {
    /// A `postgresql_role` as Terraform holds it.
    pub struct RoleModel {
        id: Tf<String> = computed("The role name.").stable(),
        name: String = required(
            "Name of the role. Changing it renames the role in place (`ALTER ROLE ... RENAME TO`).",
        )
        .each(validators::new_role_name),
        superuser: bool = optional(
            "Whether the role is a superuser, bypassing every permission check.",
        )
        .default(false),
        create_database: bool =
            optional("Whether the role may create databases (CREATEDB).").default(false),
        create_role: bool = optional(
            "Whether the role may create, alter and drop other roles (CREATEROLE).",
        )
        .default(false),
        inherit: bool = optional(
            "Whether the role automatically uses the privileges of roles it is a member of (INHERIT).",
        )
        .default(true),
        login: bool = optional("Whether the role may log in (LOGIN).").default(false),
        replication: bool = optional(
            "Whether the role may start streaming replication (REPLICATION).",
        )
        .default(false),
        bypass_row_level_security: bool = optional(
            "Whether the role bypasses every row-level security policy (BYPASSRLS).",
        )
        .default(false),
        connection_limit: i64 = optional(
            "Most concurrent connections the role may open; `-1` means no limit.",
        )
        .default(-1)
        .int_range(-1, MAX_INT4),
        valid_until: String = optional(
            "Time after which the role's password stops working, as a PostgreSQL timestamp, or \
             `infinity`. Compared as a timestamp, so formatting and time zones never cause a diff.",
        )
        .default("infinity"),
        password: Option<String> = optional(
            "Password of the role. Sent to the server only as a SCRAM-SHA-256 verifier computed by \
             the provider; a valid pre-computed `SCRAM-SHA-256$...` verifier or `md5...` hash is \
             sent as is; `\"\"` means no password. Stored in state (sensitive); use `password_wo` \
             to keep it out of state. When the provider can read `pg_authid`, a password changed \
             outside Terraform shows as a diff.",
        )
        .sensitive()
        .each(password_check),
        password_wo: Option<String> = optional(
            "Write-only password (Terraform 1.11+): never stored in plan or state. Sent, as a SCRAM \
             verifier, when the role is created and whenever `password_wo_version` changes. \
             Removing it together with `password_wo_version` takes the password away.",
        )
        .sensitive()
        .write_only()
        .each(password_check)
        // A password not known yet counts as set: a secret is never sent twice.
        .conflicts_with(&["password"])
        .unknown_counts_as_set()
        .saying(
            "Conflicting Password Attributes",
            "password and password_wo cannot both be set. Use password_wo (with \
             password_wo_version) to keep the password out of state, or password alone.",
        )
        .required_with(&["password_wo_version"])
        .saying(
            "Missing password_wo_version",
            "password_wo is never stored, so Terraform cannot tell when it changes. Set \
             password_wo_version, and change it whenever the password should be sent again.",
        ),
        password_wo_version: Option<String> = optional(
            "Any value; change it to send `password_wo` again. Required with `password_wo`.",
        ),
        encrypted_password: bool = optional(
            "Accepted for compatibility with the reference provider. Passwords are always sent as \
             SCRAM-SHA-256 verifiers.",
        )
        .default(true),
        encrypted: Option<String> =
            optional("Accepted for compatibility with the reference provider and ignored.")
                .deprecated("Has no effect; remove it."),
        roles: Tf<BTreeSet<String>> = optional(
            "Roles this role is a member of. A listed membership revoked outside Terraform shows \
             as a diff; memberships granted outside this attribute (for example by \
             `postgresql_grant_role`) do not. Removing a role from the list, or `[]`, revokes \
             what the list held. After an import it lists every current membership.",
        )
        .shared_with("postgresql_grant_role")
        .each(validators::role_name),
        search_path: Option<Vec<String>> = optional(
            "The role's default `search_path`, element by element (`ALTER ROLE ... SET search_path`).",
        )
        .each(validators::schema_name),
        statement_timeout: i64 = optional(
            "The role's `statement_timeout` in milliseconds; `0` leaves it unset.",
        )
        .default(0)
        .int_range(0, MAX_INT4),
        idle_in_transaction_session_timeout: i64 = optional(
            "The role's `idle_in_transaction_session_timeout` in milliseconds; `0` leaves it unset.",
        )
        .default(0)
        .int_range(0, MAX_INT4),
        assume_role: String = optional(
            "Role to switch to at login (`ALTER ROLE ... SET role`); empty leaves it unset.",
        )
        .default(""),
        parameters: Option<Parameters> = optional(
            "Configuration parameters set on the role for every database (`ALTER ROLE ... SET \
             name = value`), such as `{ work_mem = \"64MB\", \"pgaudit.log\" = \"ddl\" }`. \
             Values are strings, written as `SET` takes them; a list parameter such as \
             `temp_tablespaces` takes its elements comma-separated. A key removed from the map \
             is `RESET`, and a parameter set outside Terraform shows as a diff; leaving the \
             attribute out, or `{}`, resets every parameter the typed attributes do not own. \
             The typed attributes (`search_path`, `statement_timeout`, \
             `idle_in_transaction_session_timeout`, `assume_role` for `role`) keep working; set \
             each parameter in one place only. Parameters reserved to superusers need a \
             superuser provider role (or, on PostgreSQL 15 and later, `GRANT SET ON PARAMETER`).",
        )
        .check(map_problem),
        database_parameters: Option<BTreeMap<String, Parameters>> = optional(
            "Configuration parameters set on the role in one database only (`ALTER ROLE ... IN \
             DATABASE ... SET`), by database name: `{ app = { search_path = \"app, public\" } }`. \
             They take precedence over `parameters` in that database. As with `parameters`, \
             what is left out is `RESET`, and a setting made outside Terraform shows as a diff.",
        )
        .check(database_parameters_check),
        skip_drop_role: bool = optional(
            "When destroyed, leave the role in place and only forget it.",
        )
        .default(false),
        skip_reassign_owned: bool = optional(
            "When destroyed, skip `REASSIGN OWNED` to the provider's user and `DROP OWNED` in the \
             connected database. Otherwise they run when the role owns something or holds \
             privileges there (or owns a database or tablespace). A provider role that is not a \
             superuser gets the privileges of the role these statements need by granting itself \
             membership in it inside the destroy's transaction, revoked before the commit: that \
             takes CREATEROLE before PostgreSQL 16 and ADMIN OPTION on the role from PostgreSQL \
             16 (the role's creator holds it).",
        )
        .default(false),
    }
    view RoleView;
}

impl RoleModel {
    /// What the model asks of the server.
    fn spec(&self) -> RoleSpec {
        RoleSpec {
            name: self.name.clone(),
            flags: flags_of(&self.to_value()),
            // Validated to lie within int4.
            connection_limit: i32::try_from(self.connection_limit).unwrap_or(-1),
            valid_until: self.valid_until.clone(),
            settings: RoleSettings {
                search_path: self.search_path.clone().unwrap_or_default(),
                statement_timeout_ms: self.statement_timeout,
                idle_in_transaction_session_timeout_ms: self.idle_in_transaction_session_timeout,
                assume_role: self.assume_role.clone(),
            },
        }
    }

    /// Takes what the catalog says over this model's catalog-backed
    /// attributes; the others (passwords, skip flags) stay as they are.
    fn with_row(mut self, row: &sql::RoleRow) -> RoleModel {
        let spec = &row.spec;
        self = with_flags(self, spec.flags);
        self.id = Tf::Known(spec.name.clone());
        self.name = spec.name.clone();
        self.connection_limit = i64::from(spec.connection_limit);
        self.valid_until = spec.valid_until.clone();
        let s = &spec.settings;
        // An unset search_path stays null rather than becoming [].
        if !(s.search_path.is_empty() && self.search_path.is_none()) {
            self.search_path = Some(s.search_path.clone());
        }
        self.statement_timeout = s.statement_timeout_ms;
        self.idle_in_transaction_session_timeout = s.idle_in_transaction_session_timeout_ms;
        self.assume_role = s.assume_role.clone();
        self
    }
}

/// The role parameters the typed attributes own, with the attribute that
/// owns each.
const TYPED_PARAMETERS: [(&str, &str); 4] = [
    ("search_path", "search_path"),
    ("statement_timeout", "statement_timeout"),
    (
        "idle_in_transaction_session_timeout",
        "idle_in_transaction_session_timeout",
    ),
    ("role", "assume_role"),
];

/// The typed attribute that owns a parameter, if one does.
fn typed_owner(parameter: &str) -> Option<&'static str> {
    TYPED_PARAMETERS
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(parameter))
        .map(|(_, attr)| *attr)
}

impl RoleModel {
    /// Shows the catalog's parameters in the maps: a typed attribute whose
    /// parameter `parameters` names reads as its default, and each map
    /// shows every parameter of its scope, so one set outside Terraform is
    /// a diff. An empty map stays as the state spelled it (null or `{}`).
    fn with_parameters(mut self, row: &sql::RoleRow) -> RoleModel {
        let none = Parameters::new();
        let named = self.parameters.as_ref().unwrap_or(&none);
        for name in named.keys() {
            match typed_owner(name) {
                Some("search_path") => self.search_path = None,
                Some("statement_timeout") => self.statement_timeout = 0,
                Some("idle_in_transaction_session_timeout") => {
                    self.idle_in_transaction_session_timeout = 0
                }
                Some("assume_role") => self.assume_role = String::new(),
                _ => {}
            }
        }
        let shown = parameters_view(&row.parameters, Some(named), true);
        self.parameters = spelled_like(&self.parameters, shown);
        let shown =
            database_parameters_view(&row.database_parameters, self.database_parameters.as_ref());
        self.database_parameters = spelled_like(&self.database_parameters, shown);
        self
    }
}

/// The catalog's parameters in one scope as a map attribute shows them.
/// With `typed`, parameters a typed attribute owns are left to it unless
/// `managed` names them. A parameter `managed` names keeps its spelling
/// there (PostgreSQL stores a known parameter's canonical spelling) and, when
/// it is the same setting, its value's text.
fn parameters_view(catalog: &Parameters, managed: Option<&Parameters>, typed: bool) -> Parameters {
    catalog
        .iter()
        .filter_map(
            |(name, value)| match managed.and_then(|m| parameters::find(m, name)) {
                Some((key, wanted)) => {
                    let value = if parameters::same_value(name, wanted, value) {
                        wanted
                    } else {
                        value
                    };
                    Some((key.clone(), value.clone()))
                }
                None if typed && typed_owner(name).is_some() => None,
                None => Some((name.clone(), value.clone())),
            },
        )
        .collect()
}

/// [`parameters_view`] for each database. A database the configuration
/// lists with no parameters stays listed.
fn database_parameters_view(
    catalog: &BTreeMap<String, Parameters>,
    managed: Option<&BTreeMap<String, Parameters>>,
) -> BTreeMap<String, Parameters> {
    let mut out: BTreeMap<String, Parameters> = catalog
        .iter()
        .map(|(db, params)| {
            let wanted = managed.and_then(|m| m.get(db));
            (db.clone(), parameters_view(params, wanted, false))
        })
        .collect();
    for (db, params) in managed.into_iter().flatten() {
        if params.is_empty() {
            out.entry(db.clone()).or_default();
        }
    }
    out
}

/// The problem with one map of parameters, `attr` naming it in messages.
fn map_problem(attr: &str, map: &Value) -> Option<Problem> {
    let entries = map.as_map()?;
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in entries {
        if let Some(why) = parameters::name_problem(name) {
            return Some(Problem::new(
                "Invalid Parameter Name",
                format!("{attr} has the key {name:?}, which is not a parameter name: {why}."),
            ));
        }
        if let Some(other) = seen.iter().find(|s| s.eq_ignore_ascii_case(name)) {
            return Some(Problem::new(
                "Parameter Set Twice",
                format!(
                    "{attr} has both {other:?} and {name:?}. PostgreSQL parameter names ignore \
                     case, so they are the same parameter; keep one."
                ),
            ));
        }
        seen.push(name);
        if value.is_null() {
            return Some(Problem::new(
                "Missing Parameter Value",
                format!(
                    "{attr}[{name:?}] is null. Give the value as a string, or remove the key to \
                     reset the parameter."
                ),
            ));
        }
    }
    None
}

impl RoleView {
    /// What the effective-access report reads; `None` while the name is
    /// not known.
    fn side(&self) -> Option<RoleSide> {
        let value = self.to_value();
        Some(RoleSide {
            name: self.name.as_str()?.to_string(),
            attrs: access_flags_known(&value).then(|| flags_of(&value)),
            roles: self.roles.clone(),
        })
    }

    /// Whether the typed attribute `attr` is set.
    fn typed_is_set(&self, attr: &str) -> bool {
        match attr {
            "search_path" => self.search_path.is_set(),
            "statement_timeout" => self.statement_timeout.is_set(),
            "idle_in_transaction_session_timeout" => {
                self.idle_in_transaction_session_timeout.is_set()
            }
            "assume_role" => self.assume_role.is_set(),
            _ => false,
        }
    }

    /// `parameters` must not set what a typed attribute sets too: the two
    /// would undo each other on every apply. (A malformed map is reported
    /// by its own check, and this one waits for it to be fixed.)
    fn parameter_set_twice(&self) -> Option<Problem> {
        let map = self.parameters.known()?;
        if map_problem("parameters", &TfValue::to_value(map)).is_some() {
            return None;
        }
        map.keys().find_map(|name| {
            let attr = typed_owner(name)?;
            self.typed_is_set(attr).then(|| {
                Problem::new(
                    "Parameter Set Twice",
                    format!(
                        "{name} is set both by the {attr} attribute and in parameters. Set it in \
                         one place: remove {attr}, or remove {name:?} from parameters."
                    ),
                )
            })
        })
    }
}

fn database_parameters_check(_attr: &str, value: &Value) -> Option<Problem> {
    let databases = value.as_map()?;
    databases.iter().find_map(|(db, map)| {
        if db.is_empty() {
            return Some(Problem::new(
                "Invalid Database Name",
                "database_parameters has an empty key; its keys are database names.",
            ));
        }
        if map.is_null() {
            return Some(Problem::new(
                "Missing Parameters",
                format!(
                    "database_parameters[{db:?}] is null. Give a map of parameters, or remove the \
                     database."
                ),
            ));
        }
        map_problem(&format!("database_parameters[{db:?}]"), map)
    })
}

/// The scopes of parameter changes: cluster-wide, then each database.
fn scopes<'a>(
    old: &'a Parameters,
    new: Option<&'a Parameters>,
    old_db: &'a BTreeMap<String, Parameters>,
    new_db: Option<&'a BTreeMap<String, Parameters>>,
    empty: &'a Parameters,
) -> Vec<ScopedParameters<'a>> {
    let mut out = Vec::new();
    if let Some(new) = new {
        out.push(ScopedParameters {
            database: None,
            old,
            new,
        });
    }
    if let Some(new_db) = new_db {
        let databases: BTreeSet<&String> = old_db.keys().chain(new_db.keys()).collect();
        for db in databases {
            out.push(ScopedParameters {
                database: Some(db),
                old: old_db.get(db).unwrap_or(empty),
                new: new_db.get(db).unwrap_or(empty),
            });
        }
    }
    out
}

fn known_unless_empty<K, V>(map: BTreeMap<K, V>) -> Option<BTreeMap<K, V>> {
    (!map.is_empty()).then_some(map)
}

/// `now` as the attribute shows it: an empty map stays null when the
/// state had null, and `{}` when it had a map.
fn spelled_like<K, V>(had: &Option<BTreeMap<K, V>>, now: BTreeMap<K, V>) -> Option<BTreeMap<K, V>> {
    if now.is_empty() && had.is_none() {
        None
    } else {
        Some(now)
    }
}

/// A password value PostgreSQL would take for something else.
fn password_check(attr: &str, password: &str) -> Option<Problem> {
    if password.starts_with("SCRAM-SHA-256$") {
        scram::parse_verifier(password).err().map(|e| {
            Problem::new(
                "Malformed SCRAM Verifier",
                format!(
                    "{attr} starts like a SCRAM-SHA-256 verifier but is not a valid one ({e}). \
                     PostgreSQL would silently treat it as a plain password. Supply a complete \
                     verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>) or the \
                     password itself."
                ),
            )
        })
    } else if scram::looks_like_hash(password) && !scram::is_md5_hash(password) {
        Some(Problem::new(
            "Malformed MD5 Password Hash",
            format!(
                "{attr} starts like an MD5 password hash but is not one (md5 followed by 32 hex \
                 digits)."
            ),
        ))
    } else {
        None
    }
}

/// The verifier to send for a password the user configured: a valid
/// pre-hashed value is sent as is, anything else is hashed here. The empty
/// string means "no password" (`PASSWORD NULL`), as it does to PostgreSQL,
/// which refuses to store an empty password.
fn verifier_for(password: &str) -> Option<String> {
    if password.is_empty() {
        None
    } else if scram::looks_like_hash(password) {
        Some(password.to_string())
    } else {
        Some(scram::new_verifier(password))
    }
}

/// The diagnostic for a failed `valid_until` check. Only the server's
/// refusal of the text (SQLSTATE class 22, data exception) says the value is
/// wrong; anything else, a lost connection say, is reported as what it is.
fn valid_until_diag(e: &PgError, planned: &str, ctx: &ErrorContext) -> Diagnostics {
    if !e.is_data_exception() {
        return pg_diag(e, ctx);
    }
    Diagnostic::error(
        "Invalid valid_until",
        format!(
            "valid_until {planned:?} is not a timestamp PostgreSQL accepts: {}. Use for example \
             \"2030-01-01 00:00:00+00\" or \"infinity\".",
            e.db_message().unwrap_or_else(|| e.to_string())
        ),
    )
    .at("valid_until")
    .into()
}

fn is_infinity(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("infinity")
}

/// The `postgresql_role` resource.
pub struct RoleResource {
    state: Arc<ProviderState>,
}

impl RoleResource {
    /// A role resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> RoleResource {
        RoleResource { state }
    }

    fn ctx(client: &Client, name: &str) -> ErrorContext {
        ErrorContext::new(&client.info.current_user, format!("role {name:?}"))
            .needs(role_needs(&client.info, name))
            .importable("postgresql_role", &NameId::render(name))
    }
}

/// What the provider's role may lack to manage role `name`, leaving out what
/// it is known to have: a role with CREATEROLE is not told to get it.
fn role_needs(info: &ServerInfo, name: &str) -> String {
    let special = "SUPERUSER to manage superuser, replication or bypass_row_level_security \
                   roles (or to give these attributes)";
    let admin = format!(
        "ADMIN OPTION on role {name:?} (from PostgreSQL 16, CREATEROLE acts only on roles held \
         with ADMIN OPTION: those the provider's role created, or granted to it WITH ADMIN \
         OPTION), or {special}"
    );
    match (info.can_create_role, info.version_num >= 160_000) {
        (false, true) => format!("the CREATEROLE attribute, and {admin}"),
        (false, false) => format!("the CREATEROLE attribute, or {special}"),
        (true, true) => admin,
        (true, false) => special.to_string(),
    }
}

#[async_trait]
impl ResourceType for RoleResource {
    type Model = RoleModel;
    const NAME: &'static str = "postgresql_role";
    const VERSION: i64 = 1;

    fn description(&self) -> String {
        "Manages a PostgreSQL role (a user or group). Import with the role name: \
         `terraform import postgresql_role.example 'role name'`."
            .into()
    }

    /// Version 0 is the reference provider's (SDKv2) layout, which stores
    /// unset lists as `[]` and unset strings as `""`; this provider stores
    /// null for them, so convert or every migrated role would plan a change.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        if version == 0 {
            sdk_state::empty_collections_to_null(&mut state, &["roles", "search_path"]);
            sdk_state::empty_strings_to_null(
                &mut state,
                &["password", "password_wo_version", "encrypted"],
            );
        }
        Ok(state)
    }

    async fn validate(&self, config: &RoleView) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(p) = config.parameter_set_twice() {
            d.push(Diagnostic::error(p.summary, p.detail).at("parameters"));
        }
        d
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, RoleModel>) -> Diagnostics {
        let mut d = Diagnostics::new();
        // The id is the role name; a rename changes it, nothing else does.
        plan.planned.id = plan.planned.name.clone();
        let planned_flags = flags_of(&plan.planned.to_value());
        if let Some(name) = plan.planned.name.as_str() {
            self.state.planned.note_role(name, planned_flags);
        }
        let prior_flags = plan.prior.as_ref().map(|p| flags_of(&p.to_value()));
        d.0.extend(privileged_login_warning(
            prior_flags.as_ref(),
            plan.planned.name.as_str(),
            &planned_flags,
        ));
        if !plan.replaces() {
            let prior = plan.prior.as_ref().and_then(RoleView::side);
            if let Some(planned) = plan.planned.side() {
                d.0.extend(role_report(&self.state, prior.as_ref(), &planned).await);
            }
        }

        let Some(client) = self.state.client_opt().await else {
            return d;
        };
        let planned_vu = plan.planned.valid_until.known().cloned();
        let prior_vu = plan.prior_of(|p| &p.valid_until).into_known();
        if let (Some(planned), Some(prior)) = (&planned_vu, &prior_vu) {
            if is_infinity(planned) && is_infinity(prior) {
                plan.planned.valid_until = Tf::Known(prior.clone());
            }
        }
        // Only a value that is new can be wrong or a re-spelling; "infinity"
        // (the default) and an unchanged value cost no round trip.
        let Some(planned) = planned_vu.filter(|p| !is_infinity(p) && prior_vu.as_ref() != Some(p))
        else {
            return d;
        };
        let name = plan.planned.name.as_str().unwrap_or_default();
        let ctx = Self::ctx(&client, name);
        let conn = match client.pools.get(None).await {
            Ok(c) => c,
            Err(e) => return pg_diag(&e, &ctx),
        };
        log::debug!("asking the server whether valid_until {planned:?} is a timestamp");
        if let Err(e) = sql::check_timestamp(&**conn, &planned).await {
            return valid_until_diag(&e, &planned, &ctx);
        }
        // The same instant written differently is not a change.
        if let Some(prior) = prior_vu.filter(|p| *p != planned) {
            if let Ok(true) = sql::same_instant(&**conn, &prior, &planned).await {
                plan.planned.valid_until = Tf::Known(prior);
            }
        }
        d
    }

    async fn plan_destroy(&self, prior: &RoleView) -> Diagnostics {
        let Some(name) = prior.name.as_str() else {
            return Diagnostics::new();
        };
        Diagnostics(
            role_drop_report(&self.state, name)
                .await
                .into_iter()
                .collect(),
        )
    }

    async fn create(&self, planned: RoleModel, config: RoleModel) -> DResult<RoleModel> {
        let client = self.state.client().await?;
        let spec = planned.spec();
        let password = planned.password.as_ref().or(config.password_wo.as_ref());
        let verifier = password.and_then(|p| verifier_for(p));
        let member_of: Vec<String> = planned
            .roles
            .known()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default();
        let (empty, no_databases) = (Parameters::new(), BTreeMap::new());
        let scopes = scopes(
            &empty,
            planned.parameters.as_ref(),
            &no_databases,
            planned.database_parameters.as_ref(),
            &empty,
        );
        let statements = sql::create_role(&spec, verifier.as_deref(), &member_of, &scopes);
        client
            .run_statements(None, "creating a role", &statements)
            .await
            .or_diag(&Self::ctx(&client, &spec.name))?;
        Ok(RoleModel {
            id: Tf::Known(NameId::render(&spec.name)),
            ..planned
        })
    }

    async fn update(
        &self,
        prior: RoleModel,
        planned: RoleModel,
        config: RoleModel,
    ) -> DResult<RoleModel> {
        let client = self.state.client().await?;
        let old = prior.spec();
        let new = planned.spec();
        let password_attr_changed = planned.password != prior.password;
        let wo_version_changed = planned.password_wo_version != prior.password_wo_version;
        // Leaving password_wo and its version out takes the password away,
        // as leaving password out does.
        let wo_removed = prior.password_wo_version.is_some()
            && planned.password_wo_version.is_none()
            && config.password_wo.is_none();
        // password_wo is checked first: moving from password to password_wo
        // also nulls password, and must set the new password, not clear it.
        let password_change = match &config.password_wo {
            Some(p) if wo_version_changed || password_attr_changed => Some(verifier_for(p)),
            _ if password_attr_changed || wo_removed => {
                Some(planned.password.as_deref().and_then(verifier_for))
            }
            _ => None,
        };
        // `roles` planned null is the revocation of what the state lists;
        // when configuration does not manage it, the plan kept the prior
        // value, so nothing changes.
        let no_roles = BTreeSet::new();
        let want = planned.roles.known().unwrap_or(&no_roles);
        let had = prior.roles.known().unwrap_or(&no_roles);
        let grant: Vec<String> = want.difference(had).cloned().collect();
        let revoke: Vec<String> = had.difference(want).cloned().collect();
        // Parameter changes are computed against the catalog, not the prior
        // state: a map that starts being managed must reset what it leaves
        // out. With neither map holding anything before or after, the
        // refresh saw no parameter to reset.
        let none = Parameters::new();
        let no_databases = BTreeMap::new();
        let wanted = planned.parameters.as_ref().unwrap_or(&none);
        let wanted_db = planned
            .database_parameters
            .as_ref()
            .unwrap_or(&no_databases);
        let (mut current, mut current_db) = (Parameters::new(), BTreeMap::new());
        let any = |m: &Option<Parameters>| m.as_ref().is_some_and(|m| !m.is_empty());
        let any_db =
            |m: &Option<BTreeMap<String, Parameters>>| m.as_ref().is_some_and(|m| !m.is_empty());
        if any(&prior.parameters)
            || any(&planned.parameters)
            || any_db(&prior.database_parameters)
            || any_db(&planned.database_parameters)
        {
            let ctx = Self::ctx(&client, &old.name);
            let conn = client.pools.get(None).await.or_diag(&ctx)?;
            if let Some(row) = sql::read_role(&**conn, &old.name, None)
                .await
                .or_diag(&ctx)?
            {
                let mut named = prior.parameters.clone().unwrap_or_default();
                named.extend(wanted.clone());
                current = parameters_view(&row.parameters, Some(&named), true);
                current_db = database_parameters_view(&row.database_parameters, Some(wanted_db));
            }
        }
        let scopes = scopes(&current, Some(wanted), &current_db, Some(wanted_db), &none);
        let statements = sql::alter_role(&RoleUpdate {
            old_name: &old.name,
            new: Some(&new),
            old: Some(&old),
            password: password_change.as_ref().map(|p| p.as_deref()),
            valid_until_changed: new.valid_until != old.valid_until,
            grant: &grant,
            revoke: &revoke,
            parameters: &scopes,
        });
        client
            .run_statements(None, "changing a role", &statements)
            .await
            .or_diag(&Self::ctx(&client, &new.name))?;
        Ok(RoleModel {
            id: Tf::Known(NameId::render(&new.name)),
            ..planned
        })
    }

    async fn delete(&self, prior: RoleModel) -> DResult<()> {
        if prior.skip_reassign_owned && prior.skip_drop_role {
            return Ok(());
        }
        let client = self.state.client().await?;
        let spec = sql::RoleDrop {
            name: prior.name.clone(),
            heir: client.own_role().to_string(),
            reassign_owned: !prior.skip_reassign_owned,
            drop: !prior.skip_drop_role,
        };
        let data = (spec, client.actor());
        client
            .transaction(None, "dropping a role", &data, |tx, (spec, actor)| {
                Box::pin(sql::drop_role(tx, spec, actor))
            })
            .await
            .or_diag(&Self::ctx(&client, &prior.name))
    }

    async fn read(&self, current: RoleModel) -> DResult<Option<RoleModel>> {
        let client = self.state.client().await?;
        let name = current.name.clone();
        let ctx = Self::ctx(&client, &name);
        let roles = client.role_catalog(None).await.or_diag(&ctx)?;
        let Some(entry) = roles.get(&name) else {
            return Ok(None);
        };
        let mut row = entry.row.clone();
        let mut stored_hash = entry.password_hash.clone();
        let wanted_vu = &current.valid_until;
        if wanted_vu == &row.spec.valid_until
            || (is_infinity(wanted_vu) && is_infinity(&row.spec.valid_until))
        {
            row.spec.valid_until = wanted_vu.clone();
        } else {
            // Another spelling of the instant (or a real change): only the
            // server parses timestamps as it did when the value was written.
            let conn = client.pools.get(None).await.or_diag(&ctx)?;
            let Some(fresh) = sql::read_role(&**conn, &name, Some(wanted_vu))
                .await
                .or_diag(&ctx)?
            else {
                return Ok(None);
            };
            row = fresh;
            if current.password.is_some() && client.read_passwords {
                stored_hash = sql::read_password_hash(&**conn, &name)
                    .await
                    .or_diag(&ctx)?;
            }
        }
        let mut password = current.password.clone();
        if let (Some(pw), true) = (&current.password, client.read_passwords) {
            let still_valid = match &stored_hash {
                // No password stored is what "" asks for.
                None => pw.is_empty(),
                Some(_) if pw.is_empty() => false,
                Some(s) if scram::looks_like_hash(pw) => s == pw,
                Some(s) => scram::password_matches_for(s, pw, &name),
            };
            if !still_valid {
                log::info!("password of role {name:?} was changed outside Terraform");
                password = None;
            }
        }
        // Listed memberships that were revoked outside Terraform drop out;
        // memberships granted elsewhere are not this attribute's business.
        let roles = match current.roles.known() {
            None => Tf::Null,
            Some(listed) => Tf::Known(
                listed
                    .iter()
                    .filter(|r| row.member_of.contains(r))
                    .cloned()
                    .collect(),
            ),
        };
        Ok(Some(
            RoleModel {
                roles,
                password,
                ..current.with_row(&row)
            }
            .with_parameters(&row),
        ))
    }

    async fn import(&self, id: &str) -> DResult<RoleModel> {
        let client = self.state.client().await?;
        let id = NameId::parse(id).name;
        let id = id.as_str();
        let ctx = Self::ctx(&client, id);
        let roles = client.role_catalog(None).await.or_diag(&ctx)?;
        let entry = roles.get(id).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Role Not Found",
                format!(
                    "No role named {id:?} exists. The import ID is the exact role name \
                     (case-sensitive)."
                ),
            ))
        })?;
        Ok(imported(&entry.row))
    }

    const IDENTITY: &'static [&'static str] = &["name"];

    fn import_id(&self, m: &RoleModel) -> Option<String> {
        (!m.name.is_empty()).then(|| NameId::render(&m.name))
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(
            "Roles belong to the whole cluster, so every database lists the same ones.",
        ),
        ListFilter::NamePattern("the role's name"),
    ];

    /// Every role but PostgreSQL's own (the bootstrap superuser, `pg_*`)
    /// and names the `name` attribute refuses. `roles` is left unset:
    /// memberships are listed as `postgresql_grant_role`, and managing one
    /// in both places would have each undo the other.
    async fn list(&self, query: ListQuery) -> DResult<Vec<RoleModel>> {
        let client = self.state.client().await?;
        let ctx = ErrorContext::new(&client.info.current_user, "roles");
        let roles = client
            .role_catalog(query.database.as_deref())
            .await
            .or_diag(&ctx)?;
        Ok(roles
            .iter()
            .filter(|r| !r.is_system())
            .map(|r| &r.row)
            .filter(|r| validators::new_role_name("name", &r.spec.name).is_none())
            .filter(|r| query.name_matches(&r.spec.name))
            .map(|r| RoleModel {
                roles: Tf::Null,
                ..imported(r)
            })
            .collect())
    }
}

/// The state an import gives for a role: everything the catalog says,
/// every current membership in `roles`, and every parameter the typed
/// attributes do not show.
fn imported(row: &sql::RoleRow) -> RoleModel {
    // No membership at all is null, as for a configuration without `roles`:
    // an empty set would plan a change to null right after importing such a
    // configuration.
    let roles = if row.member_of.is_empty() {
        Tf::Null
    } else {
        Tf::Known(row.member_of.iter().cloned().collect())
    };
    // The same goes for parameters: null when there is none.
    let parameters = parameters_view(&row.parameters, None, true);
    let database_parameters = database_parameters_view(&row.database_parameters, None);
    RoleModel {
        roles,
        parameters: known_unless_empty(parameters),
        database_parameters: known_unless_empty(database_parameters),
        ..RoleModel::default().with_row(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::roles::attributes::{RoleFlags, FLAGS};
    use crate::protocol::Type;

    #[test]
    fn a_createrole_provider_is_not_told_it_lacks_createrole() {
        let info = |can_create_role, version_num| ServerInfo {
            version_num,
            current_user: "provider".into(),
            is_superuser: false,
            can_read_authid: false,
            can_create_role,
        };
        let on17 = role_needs(&info(true, 170_000), "reader");
        assert!(!on17.contains("CREATEROLE attribute"), "{on17}");
        assert!(
            on17.starts_with("ADMIN OPTION on role \"reader\""),
            "{on17}"
        );
        let on15 = role_needs(&info(true, 150_000), "reader");
        assert!(
            !on15.contains("CREATEROLE") && on15.starts_with("SUPERUSER"),
            "{on15}"
        );
        assert!(role_needs(&info(false, 150_000), "reader").starts_with("the CREATEROLE attribute"));
        assert!(role_needs(&info(false, 160_000), "reader").contains("ADMIN OPTION on role"));
    }

    #[test]
    fn a_lost_connection_is_not_an_invalid_valid_until() {
        let ctx = ErrorContext::default();
        for e in [
            PgError::Connect {
                endpoint: "127.0.0.1:5432".into(),
                cause: "connection closed".into(),
                sqlstate: None,
            },
            PgError::Pool("timed out waiting for a free connection".into()),
        ] {
            let d = valid_until_diag(&e, "infinity", &ctx);
            assert!(
                d.0.iter().all(|x| x.summary != "Invalid valid_until"),
                "{d:?}"
            );
        }
    }

    #[test]
    fn empty_password_means_none() {
        assert_eq!(verifier_for(""), None);
        assert!(verifier_for("x").is_some_and(|v| v.starts_with("SCRAM-SHA-256$")));
    }

    #[test]
    fn every_flag_goes_from_the_catalog_to_the_spec() {
        let row = |flags| sql::RoleRow {
            spec: RoleSpec {
                name: "r".into(),
                flags,
                connection_limit: -1,
                valid_until: "infinity".into(),
                settings: RoleSettings::default(),
            },
            valid_until_matches: false,
            member_of: Vec::new(),
            parameters: Parameters::new(),
            database_parameters: BTreeMap::new(),
        };
        for flag in FLAGS {
            // Each flag alone on, then each alone off.
            for on in [true, false] {
                let flags = RoleFlags::from_fn(|f| (f.name == flag.name) == on);
                let m = RoleModel::default().with_row(&row(flags));
                assert_eq!(m.spec().flags, flags, "{}", flag.name);
                assert_eq!(m.to_value().get(flag.name), &Value::bool(on));
            }
        }
    }

    #[test]
    fn defaults_are_declared_once() {
        let m = RoleModel::default();
        assert!(m.inherit && m.encrypted_password && !m.login);
        assert_eq!(m.connection_limit, -1);
        assert_eq!(m.valid_until, "infinity");
        let attrs = RoleModel::attributes();
        // One boolean per entry of the flag table, defaulting as CREATE ROLE does.
        for f in FLAGS {
            let a = attrs.iter().find(|a| a.name == f.name);
            assert_eq!(a.map(|a| &a.ty), Some(&Type::Bool), "{}", f.name);
            assert_eq!(
                a.and_then(|a| a.default.clone()),
                Some(Value::bool(f.default))
            );
        }
        assert!(attrs
            .iter()
            .any(|a| a.name == "password_wo" && a.write_only && a.sensitive));
    }
}
