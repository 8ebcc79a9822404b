//! `postgresql_function`: a function, with the reference provider's
//! attributes, defaults and import ID (`database.schema.name(types)`).
//!
//! Values are compared the way PostgreSQL stores them, so that another
//! spelling of the same function never shows as a change: a body wrapped in
//! its own `$$ ... $$` is stored without them; types, defaults and the
//! result type are compared through [`sql::probe`] (PostgreSQL's own
//! rendering of the configured text), so `int` is `integer`. Keeping the
//! stored spelling in the plan needs Terraform's legacy type system, which
//! the reference provider's SDK used for the same reason.
//!
//! Whatever `CREATE OR REPLACE FUNCTION` can change is changed in place;
//! a new name or schema is `ALTER FUNCTION ... RENAME TO / SET SCHEMA`, which
//! keeps the function's grants and dependents. Changes PostgreSQL cannot
//! make in place (the argument list, the result type, removing a default)
//! replace the function.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model;
use crate::pg::error::PgError;
use crate::pg::objects::function::{self as sql, Arg, FunctionSpec, Stored, ARG_MODES};
use crate::pg::sql::quote::qualified;
use crate::pg::sql::type_name::{self, Place};
use crate::protocol::model::{computed, list_block, optional, required};
use crate::protocol::typed::refuse_newer;
use crate::protocol::validate::check_validators;
use crate::protocol::{
    DResult, Diagnostic, Diagnostics, ListFilter, ListQuery, Model, Plan, Problem, ResourceType,
    Tf, Validator, Value, Viewed,
};

use crate::resources::review::codes::Code;
use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::import_id::FunctionId;
use crate::resources::support::sdk_state;
use crate::resources::support::state::{Client, ProviderState};
use crate::resources::support::validators;

model! {
    /// One `arg` block.
    pub struct FunctionArgModel {
        r#type: String = required(
            "Type of the argument: one type name, as PostgreSQL writes it (`integer`, `text[]`, \
             `numeric(10,2)`, `public.my_type`, `\"My Schema\".\"T\"`, `character varying(10)`, \
             `timestamp(3) with time zone`, `int ARRAY`). Checked at plan time against the \
             grammar of a type; whether the type exists is left to PostgreSQL, since it may be \
             created in the same apply. Compared as PostgreSQL stores it, so `int` and \
             `integer`, or `varchar(10)` and `character varying`, are the same.",
        )
        .replaces()
        .each(arg_type),
        name: Option<String> = optional(
            "Name of the argument (exact, case-sensitive; it is always quoted).",
        )
        .replaces()
        .each(validators::function_name),
        mode: String = optional("`IN`, `OUT`, `INOUT` or `VARIADIC`.")
            .default("IN")
            .replaces()
            .validate(Validator::OneOf(ARG_MODES)),
        default: Option<String> = optional(
            "Default value, as an SQL expression (`7`, `'none'`, `now()`), for `IN`, `INOUT` and \
             `VARIADIC` arguments. Compared as PostgreSQL stores it (`'none'` is \
             `'none'::text`). Changed in place; removing a default replaces the function, \
             since PostgreSQL cannot remove one in place. Must be a single expression: \
             parentheses, quotes and comments closed, no `;`, and no `,` outside parentheses.",
        )
        .each(arg_default)
        .validate(Validator::WithConfig(default_needs_input)),
    }
    view FunctionArgView;
}

model! {
    /// A `postgresql_function` as Terraform holds it.
    pub struct FunctionModel {
        id: Tf<String> = computed(
            "`database.schema.name(types)`, the types those of the input arguments as \
             configured, separated by `,`: `mydb.public.increment(integer)`. A database, schema \
             or name that is empty or contains `.`, `\"`, `(` or `)` is written in double quotes \
             with `\"` doubled.",
        ),
        database: Tf<String> = optional(
            "Database holding the function. Default: the provider's `database`.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(validators::database_name),
        schema: String = optional(
            "Schema of the function. Changed in place (`ALTER FUNCTION ... SET SCHEMA`).",
        )
        .default("public")
        .each(validators::schema_name),
        name: String = required(
            "Name of the function (exact, case-sensitive; it is always quoted). Changed in place \
             (`ALTER FUNCTION ... RENAME TO`), keeping its grants and dependents.",
        )
        .each(validators::function_name),
        returns: Tf<String> = optional(
            "Result type: a type (`integer`, `void`, `trigger`, written as for an argument's \
             `type`), `SETOF type`, `TABLE (column type, ...)` or `table.column%TYPE`; checked \
             at plan time against that grammar. Unset: the type of the one `OUT`/`INOUT` \
             argument, `record` for several, else `void`. Compared as PostgreSQL stores it.",
        )
        .and_computed()
        .stable()
        .replaces()
        .each(result_type),
        language: String = optional(
            "Language of the body (`plpgsql`, `sql`, or any installed language); case does not \
             matter. Changed in place.",
        )
        .default("plpgsql")
        .each(language_name),
        body: String = required(
            "The body: the text that goes between the dollar quotes of `AS $$ ... $$`. It may \
             also be written inside its own dollar quotes (`$$ ... $$` or `$tag$ ... $tag$`, \
             optionally after `AS` and followed by `;`): they and one whitespace character \
             inside each are removed, as the reference provider did, and the result is what is \
             stored and compared. Changed in place.",
        ),
        volatility: String = optional("`VOLATILE`, `STABLE` or `IMMUTABLE`. Changed in place.")
            .default("VOLATILE")
            .validate(Validator::OneOf(&["VOLATILE", "STABLE", "IMMUTABLE"])),
        parallel: String = optional(
            "Parallel safety: `UNSAFE`, `RESTRICTED` or `SAFE`. Changed in place.",
        )
        .default("UNSAFE")
        .note("PARALLEL exists since PostgreSQL 9.6, so on every supported version.")
        .validate(Validator::OneOf(&["UNSAFE", "RESTRICTED", "SAFE"])),
        security_definer: bool = optional(
            "Whether the function runs with its owner's privileges (`SECURITY DEFINER`) instead \
             of its caller's. PostgreSQL lets every role execute a new function, so the plan \
             warns while PUBLIC can execute such a function. Changed in place.",
        )
        .default(false),
        strict: bool = optional(
            "Whether the function returns null, without running, when any argument is null \
             (`STRICT`). Changed in place.",
        )
        .default(false),
        drop_cascade: bool = optional(
            "When destroyed, also drop the objects that depend on the function (`DROP FUNCTION \
             ... CASCADE`), such as triggers and defaults using it. Otherwise the destroy fails \
             while any exist.",
        )
        .default(false),
    }
    blocks {
        arg: Vec<FunctionArgModel> = list_block(
            "An argument; one block per argument, in order. Changing the list (a type, name or \
             mode, or the number of arguments) replaces the function: it is another function to \
             PostgreSQL.",
        ),
    }
    view FunctionView;
}

/// The forms a type may take, for messages.
const TYPE_FORMS: &str =
    "a type name, optionally schema-qualified and quoted, with type modifiers \
     and array bounds: \"integer\", \"numeric(10,2)\", \"text[]\", \"public.my_type\", \
     \"\\\"My Schema\\\".\\\"T\\\"\", \"character varying(10)\", \
     \"timestamp(3) with time zone\"";

fn arg_type(attr: &str, ty: &str) -> Option<Problem> {
    if ty.trim().is_empty() {
        return Some(Problem::new(
            "Empty Argument Type",
            format!("{attr} must name a type, for example \"integer\"."),
        ));
    }
    type_name::check(ty, Place::Argument).err().map(|why| {
        Problem::new(
            "Invalid Argument Type",
            format!("{attr} {ty:?} is not a single type: {why}. Write {TYPE_FORMS}."),
        )
    })
}

fn result_type(attr: &str, ty: &str) -> Option<Problem> {
    type_name::check(ty, Place::Result).err().map(|why| {
        Problem::new(
            "Invalid Result Type",
            format!(
                "{attr} {ty:?} is not a result type: {why}. Write {TYPE_FORMS}; or SETOF and \
                 such a type, TABLE (column type, ...), or table.column%TYPE."
            ),
        )
    })
}

/// A default: one expression (see [`sql::check_default`]).
fn arg_default(attr: &str, expr: &str) -> Option<Problem> {
    sql::check_default(expr).err().map(|why| {
        Problem::new(
            "Malformed Default",
            format!(
                "{attr} must be a single SQL expression, but {why}. Write only the value \
                 (\"7\", \"'none'\", \"now()\"), without DEFAULT."
            ),
        )
    })
}

/// The declared checks of the attributes, run again on a planned model
/// before any SQL: a value unknown at plan time is checked once known.
fn check_planned(m: &FunctionModel) -> DResult<()> {
    let mut d = Diagnostics::new();
    check_validators(&FunctionModel::block(""), &m.to_value(), &mut d);
    d.into_result()
}

fn default_needs_input(arg: &Value) -> Option<Problem> {
    (arg.get("mode").as_str() == Some("OUT")).then(|| {
        Problem::new(
            "Default On An OUT Argument",
            "Only input arguments (IN, INOUT, VARIADIC) can have a default. Remove default from \
             this argument.",
        )
    })
}

/// A language name: a plain identifier (matched without regard to case).
fn language_name(attr: &str, lang: &str) -> Option<Problem> {
    let mut chars = lang.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    (!ok).then(|| {
        Problem::new(
            "Invalid Language",
            format!(
                "{attr} {lang:?} is not a language name. Use the name of an installed language, \
                 such as \"plpgsql\" or \"sql\" (see pg_language)."
            ),
        )
    })
}

/// The result type PostgreSQL derives from the output arguments.
fn derived_returns(args: &[Arg]) -> String {
    let outs: Vec<&Arg> = args.iter().filter(|a| a.is_output()).collect();
    match outs.as_slice() {
        [] => "void".into(),
        [one] => one.ty.clone(),
        _ => "record".into(),
    }
}

/// The ID of a function in `database`; see [`FunctionId`].
fn render_id(database: &str, schema: &str, name: &str, args: &[Arg]) -> String {
    let types = args.iter().filter(|a| a.is_input()).map(|a| a.ty.as_str());
    FunctionId::new(database, schema, name, types).render()
}

impl FunctionArgModel {
    fn to_arg(&self) -> Arg {
        Arg {
            mode: self.mode.clone(),
            name: self.name.clone(),
            ty: self.r#type.clone(),
            default: self.default.clone(),
        }
    }

    fn of_arg(a: &Arg) -> FunctionArgModel {
        FunctionArgModel {
            r#type: a.ty.clone(),
            name: a.name.clone(),
            mode: a.mode.clone(),
            default: a.default.clone(),
        }
    }
}

impl FunctionModel {
    fn args(&self) -> Vec<Arg> {
        self.arg.iter().map(FunctionArgModel::to_arg).collect()
    }

    fn database(&self) -> Option<&str> {
        self.database.known().map(String::as_str)
    }

    fn signature(&self) -> String {
        sql::signature(&self.schema, &self.name, &self.args())
    }

    fn spec(&self) -> FunctionSpec {
        let args = self.args();
        FunctionSpec {
            schema: self.schema.clone(),
            name: self.name.clone(),
            returns: self
                .returns
                .known()
                .cloned()
                .unwrap_or_else(|| derived_returns(&args)),
            args,
            language: self.language.to_ascii_lowercase(),
            body: self.body.clone(),
            volatility: self.volatility.clone(),
            parallel: self.parallel.clone(),
            strict: self.strict,
            security_definer: self.security_definer,
        }
    }

    /// The model with its `database` and `id` filled in.
    fn with_id(self, database: String) -> FunctionModel {
        let id = render_id(&database, &self.schema, &self.name, &self.args());
        FunctionModel {
            id: Tf::Known(id),
            database: Tf::Known(database),
            ..self
        }
    }

    /// A model of what the catalog holds, in PostgreSQL's spelling.
    fn of_stored(s: &Stored, database: String) -> FunctionModel {
        FunctionModel {
            schema: s.schema.clone(),
            name: s.name.clone(),
            arg: s.args.iter().map(FunctionArgModel::of_arg).collect(),
            returns: Tf::Known(s.result.clone()),
            language: s.language.clone(),
            body: s.body.clone(),
            volatility: s.volatility.clone(),
            parallel: s.parallel.clone(),
            strict: s.strict,
            security_definer: s.security_definer,
            ..FunctionModel::default()
        }
        .with_id(database)
    }
}

/// Whether the state's spelling and the catalog's differ as text anywhere a
/// probe could tell them apart (types, defaults, result).
fn spelled_differently(state: &FunctionModel, live: &Stored) -> bool {
    state
        .arg
        .iter()
        .zip(&live.args)
        .any(|(s, l)| s.r#type != l.ty || s.default != l.default)
        || state.returns.known().is_some_and(|r| *r != live.result)
}

/// Whether the state's arguments are those of the catalog, position by
/// position, by mode and name (the parts compared as written).
fn same_shape(args: &[Arg], live: &[Arg]) -> bool {
    args.len() == live.len()
        && args
            .iter()
            .zip(live)
            .all(|(a, l)| a.mode == l.mode && a.name == l.name)
}

/// What a probe of the state's spelling gave.
enum Probe {
    /// The state's text is compared as text: it equals the catalog's, or
    /// the arguments differ in shape anyway.
    NotNeeded,
    /// The catalog form of the state's spelling.
    Done(Box<Stored>),
    /// The server could not say (no TEMPORARY privilege, say): a spelling
    /// that differs only as text is kept.
    Failed,
}

impl Probe {
    /// Whether the state's value, `text_equal` or not, stands for the live
    /// one; `pick` takes the compared part of the probe and live forms.
    fn same<T: PartialEq>(&self, text_equal: bool, live: &T, pick: impl Fn(&Stored) -> T) -> bool {
        text_equal
            || match self {
                Probe::NotNeeded => false,
                Probe::Done(p) => pick(p) == *live,
                Probe::Failed => true,
            }
    }
}

fn arg_type_at(s: &Stored, i: usize) -> Option<String> {
    s.args.get(i).map(|a| a.ty.clone())
}

fn arg_default_at(s: &Stored, i: usize) -> Option<Option<String>> {
    s.args.get(i).map(|a| a.default.clone())
}

/// The state after a read: the catalog's values, in the state's spelling
/// wherever PostgreSQL stores the two alike.
fn reconcile(current: FunctionModel, live: &Stored, probe: &Probe) -> FunctionModel {
    let arg = if same_shape(&current.args(), &live.args) {
        current
            .arg
            .iter()
            .zip(&live.args)
            .enumerate()
            .map(|(i, (s, l))| FunctionArgModel {
                r#type: if probe.same(s.r#type == l.ty, &Some(l.ty.clone()), |p| arg_type_at(p, i))
                {
                    s.r#type.clone()
                } else {
                    l.ty.clone()
                },
                default: if probe.same(s.default == l.default, &Some(l.default.clone()), |p| {
                    arg_default_at(p, i)
                }) {
                    s.default.clone()
                } else {
                    l.default.clone()
                },
                ..s.clone()
            })
            .collect()
    } else {
        live.args.iter().map(FunctionArgModel::of_arg).collect()
    };
    let returns = match current.returns.known() {
        Some(r) if probe.same(*r == live.result, &live.result, |p| p.result.clone()) => r.clone(),
        _ => live.result.clone(),
    };
    let language = if current.language.eq_ignore_ascii_case(&live.language) {
        current.language.clone()
    } else {
        live.language.clone()
    };
    FunctionModel {
        schema: live.schema.clone(),
        name: live.name.clone(),
        arg,
        returns: Tf::Known(returns),
        language,
        body: live.body.clone(),
        volatility: live.volatility.clone(),
        parallel: live.parallel.clone(),
        strict: live.strict,
        security_definer: live.security_definer,
        ..current
    }
}

/// The arguments of a plan or state, when all are known (an unset mode is
/// `IN`).
fn args_of(v: &FunctionView) -> Option<Vec<Arg>> {
    let opt = |x: &Tf<String>| -> Option<Option<String>> {
        match x {
            Tf::Unknown => None,
            x => Some(x.known().cloned()),
        }
    };
    v.arg
        .known()?
        .iter()
        .map(|a| {
            Some(Arg {
                mode: opt(&a.mode)?.unwrap_or_else(|| "IN".into()),
                name: opt(&a.name)?,
                ty: opt(&a.r#type)??,
                default: opt(&a.default)?,
            })
        })
        .collect()
}

fn ctx(client: &Client, what: &str, id: Option<&str>) -> ErrorContext {
    let c = ErrorContext::new(&client.info.current_user, format!("function {what}")).needs(
        "CREATE on the schema and USAGE on the language and the types it uses; changing or \
             dropping a function needs its ownership",
    );
    match id {
        Some(id) => c.importable("postgresql_function", id),
        None => c,
    }
}

/// [`pg_diag`], plus a function that already exists.
fn function_diag(e: &PgError, ctx: &ErrorContext) -> Diagnostics {
    if e.is_duplicate_function() {
        let mut detail = format!(
            "{}\n\nThe {} already exists in PostgreSQL but is not in the Terraform state.",
            e.db_message().unwrap_or_else(|| e.to_string()),
            ctx.object
        );
        if let Some(cmd) = &ctx.import_command {
            detail.push_str(&format!(
                " To manage the existing function, import it:\n\n  {cmd}"
            ));
        }
        return Diagnostic::error("Function Already Exists", detail).into();
    }
    pg_diag(e, ctx)
}

/// The `postgresql_function` resource.
pub struct FunctionResource {
    state: Arc<ProviderState>,
}

impl FunctionResource {
    /// A resource using the provider's shared connection.
    pub fn new(state: Arc<ProviderState>) -> FunctionResource {
        FunctionResource { state }
    }

    fn database_name(client: &Client, m: &FunctionModel) -> String {
        m.database()
            .map_or_else(|| client.pools.settings().database.clone(), str::to_string)
    }

    /// The plan-time check of a `security_definer` function: whether PUBLIC
    /// can execute it (or will, once created or replaced).
    async fn warn_security_definer(
        conn: &tokio_postgres::Client,
        me: &str,
        live: Option<&Stored>,
        plan: &Plan<'_, FunctionModel>,
    ) -> Option<Diagnostic> {
        if plan.planned.security_definer.known() != Some(&true) {
            return None;
        }
        let m = FunctionModel::from_view(&plan.planned)?;
        let public = match live {
            Some(l) if !plan.replaces() => Ok(l.public_execute),
            _ => sql::public_executes_new(conn, &m.schema).await,
        };
        public
            .unwrap_or(false)
            .then(|| security_definer_warning(&m, me, live))
    }
}

/// Where the planned text differs from the prior state's but PostgreSQL
/// stores both alike, the plan keeps the prior spelling: a language in
/// another case, and (through a probe of the planned text compared with the
/// live function) argument types, defaults and the result type.
async fn keep_prior_spellings(
    conn: &mut tokio_postgres::Client,
    prior: &FunctionModel,
    live: &Stored,
    plan: &mut FunctionView,
) {
    if let Some(lang) = plan.language.as_str() {
        if lang != prior.language && lang.eq_ignore_ascii_case(&prior.language) {
            plan.language = Tf::Known(prior.language.clone());
        }
    }
    let Some(planned) = FunctionModel::from_view(plan) else {
        return;
    };
    let planned_args = planned.args();
    let prior_args = prior.args();
    let returns_differ = matches!(
        (planned.returns.known(), prior.returns.known()),
        (Some(a), Some(b)) if a != b
    );
    let args_differ = planned_args != prior_args;
    if !(returns_differ || args_differ) || !same_shape(&planned_args, &prior_args) {
        return;
    }
    let probe = match sql::probe(conn, &planned.spec()).await {
        Ok(p) => p,
        Err(e) => {
            log::info!(
                "cannot ask PostgreSQL how it stores {}, so other spellings of its types show \
                 as changes: {e}",
                planned.signature()
            );
            return;
        }
    };
    if returns_differ && probe.result == live.result {
        if let Some(r) = prior.returns.known() {
            plan.returns = Tf::Known(r.clone());
        }
    }
    if !args_differ
        || probe.args.len() != planned_args.len()
        || live.args.len() != planned_args.len()
    {
        return;
    }
    let Tf::Known(items) = &mut plan.arg else {
        return;
    };
    for (i, item) in items.iter_mut().enumerate() {
        let (p, l, before) = (&probe.args[i], &live.args[i], &prior_args[i]);
        if planned_args[i].ty != before.ty && p.ty == l.ty {
            item.r#type = Tf::Known(before.ty.clone());
        }
        if planned_args[i].default != before.default && p.default == l.default {
            if let Some(d) = &before.default {
                item.default = Tf::Known(d.clone());
            }
        }
    }
}

/// The attributes whose change replaces the function, from the final plan:
/// the database, the result type, and the argument list (a type, name or
/// mode, the count, or a default removed).
fn recompute_replacement(plan: &mut Plan<'_, FunctionModel>) {
    plan.requires_replace.clear();
    let Some(prior) = plan.prior.clone() else {
        return;
    };
    if plan.planned.database != prior.database {
        plan.replace_on("database");
    }
    if plan.planned.returns != prior.returns {
        plan.replace_on("returns");
    }
    let changed = match (args_of(&plan.planned), args_of(&prior)) {
        (Some(new), Some(old)) => {
            new.len() != old.len()
                || new.iter().zip(&old).any(|(n, o)| {
                    n.ty != o.ty
                        || n.name != o.name
                        || n.mode != o.mode
                        || (o.default.is_some() && n.default.is_none())
                })
        }
        _ => true,
    };
    if changed {
        plan.replace_on("arg");
    }
}

fn security_definer_warning(m: &FunctionModel, me: &str, live: Option<&Stored>) -> Diagnostic {
    let owner = live.map_or(me, |l| l.owner.as_str());
    let objects: Vec<&str> = m
        .arg
        .iter()
        .filter(|a| a.mode != "OUT")
        .map(|a| a.r#type.as_str())
        .collect();
    let object = format!("{}({})", m.name, objects.join(", "));
    Code::SecurityDefinerPublic
        .warning(
            "PUBLIC Can Execute A SECURITY DEFINER Function",
            format!(
                "{} runs with the privileges of its owner ({owner:?}), and every role can execute \
             it: PostgreSQL grants EXECUTE on a new function to PUBLIC. A SECURITY DEFINER \
             function callable by everyone is the classic way around row-level security and \
             other privileges, since its owner usually owns the tables it reads.\n\n\
             Revoke EXECUTE from PUBLIC and grant it only to the roles that need it, for \
             example:\n\n\
             resource \"postgresql_grant\" \"revoke_public\" {{\n  \
               database    = {:?}\n  \
               role        = \"public\"\n  \
               schema      = {:?}\n  \
               object_type = \"function\"\n  \
               objects     = [{:?}]\n  \
               privileges  = []\n\
             }}\n\n\
             or stop PUBLIC from getting EXECUTE on every new function of {owner:?} with \
             ALTER DEFAULT PRIVILEGES FOR ROLE {owner:?} REVOKE EXECUTE ON FUNCTIONS FROM \
             PUBLIC (a postgresql_default_privileges with role = \"public\", owner = \
             {owner:?}, object_type = \"function\" and privileges = []). If this configuration \
             already does one of these, the warning goes away once it is applied. Also give \
             the function a safe search_path.",
                sql::signature(&m.schema, &m.name, &m.args()),
                m.database().unwrap_or_default(),
                m.schema,
                object,
            ),
        )
        .at("security_definer")
}

#[async_trait]
impl ResourceType for FunctionResource {
    type Model = FunctionModel;
    const NAME: &'static str = "postgresql_function";
    const VERSION: i64 = 1;
    const LEGACY_TYPE_SYSTEM: bool = true;

    fn description(&self) -> String {
        "Manages a function (not a procedure or aggregate). Its definition is compared the way \
         PostgreSQL stores it, so another spelling of the same thing (a body inside its own \
         `$$` quotes, `int` for `integer`) plans no change. Everything `CREATE OR REPLACE \
         FUNCTION` can change is changed in place, and so are the name and schema; a change to \
         the arguments or the result type replaces the function.\n\n\
         A function created by the provider is owned by the provider's role, and PostgreSQL \
         lets every role execute it; the plan warns when that holds for a `security_definer` \
         function.\n\n\
         Procedures (PostgreSQL 11+) and aggregates are not managed by this resource; bodies \
         written in the SQL-standard form (`BEGIN ATOMIC ... END` or `RETURN expression`, \
         PostgreSQL 14+) and C functions are not supported.\n\n\
         Import with `database.schema.name(argument types)` (or `schema.name(types)` for the \
         provider's database), the types of the input arguments separated by commas: \
         `terraform import postgresql_function.example 'mydb.public.increment(integer)'`."
            .into()
    }

    /// Version 0 is the reference provider's (SDKv2) layout: `arg` blocks
    /// hold `""` for an unset name or default and may hold `""` for the
    /// mode, and older releases lack the later attributes.
    fn upgrade(&self, version: i64, mut state: Value) -> DResult<Value> {
        refuse_newer(Self::NAME, version, Self::VERSION)?;
        if version == 0 {
            sdk_state::fill_defaults::<FunctionModel>(&mut state);
            sdk_state::empty_strings_to_null(&mut state, &["returns", "database"]);
            if let Some(Value::List(args)) = state.get_mut("arg") {
                for a in args.iter_mut() {
                    sdk_state::empty_strings_to_null(a, &["name", "default", "mode"]);
                    sdk_state::fill_block_defaults(FunctionArgModel::attributes(), a);
                }
            }
            if state.get("arg").is_null() {
                state.set("arg", Value::List(Vec::new()));
            }
        }
        Ok(state)
    }

    async fn modify_plan(&self, plan: &mut Plan<'_, FunctionModel>) -> Diagnostics {
        if let Tf::Known(items) = &mut plan.planned.arg {
            for item in items.iter_mut().filter(|i| i.mode.is_null()) {
                item.mode = Tf::Known("IN".into());
            }
        }
        if let Some(body) = plan.config.body.as_str() {
            plan.planned.body = Tf::Known(sql::normalize_body(body));
        }
        let client = self.state.client_opt().await;
        if plan.planned.database.is_unknown() {
            if let Some(c) = &client {
                plan.planned.database = Tf::Known(c.pools.settings().database.clone());
            }
        }
        if plan.planned.returns.is_unknown() && plan.config.returns.is_null() {
            if let Some(args) = args_of(&plan.planned) {
                plan.planned.returns = Tf::Known(derived_returns(&args));
            }
        }
        let mut d = Diagnostics::new();
        // The database may not exist yet (created in this same run): then
        // nothing is checked against the server.
        let mut conn = None;
        if let (Some(c), Some(db)) = (&client, plan.planned.database.as_str()) {
            conn = c.pools.get(Some(db)).await.ok();
        }
        let prior = plan.prior.as_ref().and_then(FunctionModel::from_view);
        let live = match (&conn, &prior) {
            (Some(conn), Some(p)) => sql::read(&***conn, &p.signature()).await.ok().flatten(),
            _ => None,
        };
        if let (Some(conn), Some(p), Some(l)) = (&mut conn, &prior, &live) {
            keep_prior_spellings(conn, p, l, &mut plan.planned).await;
        }
        recompute_replacement(plan);
        if let (Some(conn), Some(c)) = (&conn, &client) {
            let me = &c.info.current_user;
            if let Some(w) = Self::warn_security_definer(conn, me, live.as_ref(), plan).await {
                d.push(w);
            }
        }
        plan.planned.id = match FunctionModel::from_view(&plan.planned) {
            Some(m) => match m.database.known() {
                Some(db) => Tf::Known(render_id(db, &m.schema, &m.name, &m.args())),
                None => Tf::Unknown,
            },
            None => Tf::Unknown,
        };
        d
    }

    async fn create(&self, planned: FunctionModel, _: FunctionModel) -> DResult<FunctionModel> {
        check_planned(&planned)?;
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &planned);
        let planned = planned.with_id(database.clone());
        let id = planned.id.known().cloned();
        let statement = sql::create(&planned.spec(), false);
        client
            .run_statements(Some(&database), "creating a function", &[statement])
            .await
            .map_err(|e| function_diag(&e, &ctx(&client, &planned.signature(), id.as_deref())))?;
        Ok(planned)
    }

    async fn update(
        &self,
        prior: FunctionModel,
        planned: FunctionModel,
        _: FunctionModel,
    ) -> DResult<FunctionModel> {
        check_planned(&planned)?;
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &planned);
        let planned = planned.with_id(database.clone());
        let args = prior.args();
        let mut statements = Vec::new();
        if planned.schema != prior.schema {
            statements.push(sql::set_schema(
                &prior.schema,
                &prior.name,
                &args,
                &planned.schema,
            ));
        }
        if planned.name != prior.name {
            statements.push(sql::rename(
                &planned.schema,
                &prior.name,
                &args,
                &planned.name,
            ));
        }
        let definition_changed = FunctionModel {
            id: Tf::Null,
            schema: String::new(),
            name: String::new(),
            drop_cascade: false,
            ..planned.clone()
        } != FunctionModel {
            id: Tf::Null,
            schema: String::new(),
            name: String::new(),
            drop_cascade: false,
            ..prior.clone().with_id(database.clone())
        };
        if definition_changed {
            statements.push(sql::create(&planned.spec(), true));
        }
        client
            .run_statements(Some(&database), "changing a function", &statements)
            .await
            .map_err(|e| pg_diag(&e, &ctx(&client, &planned.signature(), None)))?;
        Ok(planned)
    }

    async fn delete(&self, prior: FunctionModel) -> DResult<()> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &prior);
        let statement = sql::drop(
            &prior.schema,
            &prior.name,
            &prior.args(),
            prior.drop_cascade,
        );
        match client
            .run_statements(Some(&database), "dropping a function", &[statement])
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if e.is_missing_database() => Ok(()),
            Err(e) => Err(pg_diag(&e, &ctx(&client, &prior.signature(), None))),
        }
    }

    async fn read(&self, current: FunctionModel) -> DResult<Option<FunctionModel>> {
        let client = self.state.client().await?;
        let database = Self::database_name(&client, &current);
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &current.signature(), None));
        let mut conn = match client.pools.get(Some(&database)).await {
            Ok(c) => c,
            Err(e) if e.is_missing_database() => return Ok(None),
            Err(e) => return Err(diag(&e)),
        };
        let Some(live) = sql::read(&**conn, &current.signature())
            .await
            .map_err(|e| diag(&e))?
        else {
            return Ok(None);
        };
        check_kind(&live, &current.signature())?;
        let probe =
            if same_shape(&current.args(), &live.args) && spelled_differently(&current, &live) {
                match sql::probe(&mut conn, &current.spec()).await {
                    Ok(p) => Probe::Done(Box::new(p)),
                    Err(e) => {
                        log::info!(
                        "cannot ask PostgreSQL how it stores {}; keeping the state's spelling of \
                         its types: {e}",
                        current.signature()
                    );
                        Probe::Failed
                    }
                }
            } else {
                Probe::NotNeeded
            };
        Ok(Some(reconcile(current, &live, &probe).with_id(database)))
    }

    async fn import(&self, id: &str) -> DResult<FunctionModel> {
        let client = self.state.client().await?;
        let FunctionId {
            database,
            schema,
            name,
            types,
        } = FunctionId::parse(id)?;
        let database = database.unwrap_or_else(|| client.pools.settings().database.clone());
        let signature = format!("{}({types})", qualified(&schema, &name));
        let diag = |e: &PgError| pg_diag(e, &ctx(&client, &signature, None));
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| diag(&e))?;
        let live = sql::read(&**conn, &signature)
            .await
            .map_err(|e| diag(&e))?
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Function Not Found",
                    format!(
                        "There is no function {signature} in database {database:?}. Names are \
                         case-sensitive and used exactly as written in the import ID; the \
                         argument types are those of the input arguments."
                    ),
                ))
            })?;
        check_kind(&live, &signature)?;
        Ok(FunctionModel::of_stored(&live, database))
    }

    /// The import ID itself: only the argument types tell overloaded
    /// functions apart, and an identity holds no nested blocks.
    const IDENTITY: &'static [&'static str] = &["id"];

    fn import_id(&self, m: &FunctionModel) -> Option<String> {
        match &m.id {
            Tf::Known(id) if !id.is_empty() => Some(id.clone()),
            _ => None,
        }
    }

    const LIST_FILTERS: &'static [ListFilter] = &[
        ListFilter::Database(""),
        ListFilter::Schema,
        ListFilter::NamePattern("the function's name"),
    ];

    /// Every plain function a user made in the database (not those of
    /// extensions or system schemas), as an import reads it.
    async fn list(&self, query: ListQuery) -> DResult<Vec<FunctionModel>> {
        let client = self.state.client().await?;
        let database = client.database_name(query.database.as_deref()).to_string();
        let c = ErrorContext::new(
            &client.info.current_user,
            format!("the functions in database {database:?}"),
        );
        let conn = client
            .pools
            .get(Some(&database))
            .await
            .map_err(|e| pg_diag(&e, &c))?;
        let mut out = Vec::new();
        for (signature, schema, name) in sql::list(&**conn).await.map_err(|e| pg_diag(&e, &c))? {
            if !query.schema_matches(&schema) || !query.name_matches(&name) {
                continue;
            }
            // Dropped since the list was read: nothing to show.
            if let Some(live) = sql::read(&**conn, &signature)
                .await
                .map_err(|e| pg_diag(&e, &c))?
            {
                out.push(FunctionModel::of_stored(&live, database.clone()));
            }
        }
        Ok(out)
    }
}

/// Only plain functions are this resource's.
fn check_kind(live: &Stored, signature: &str) -> DResult<()> {
    let what = match live.kind.as_str() {
        "f" => return Ok(()),
        "p" => "a procedure",
        "a" => "an aggregate",
        "w" => "a window function",
        _ => "not a plain function",
    };
    Err(Diagnostic::error(
        "Not A Function",
        format!(
            "{signature} is {what}, which postgresql_function does not manage. Remove it from \
             the configuration or state, or manage it with SQL."
        ),
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(mode: &str, ty: &str) -> Arg {
        Arg {
            mode: mode.into(),
            name: None,
            ty: ty.into(),
            default: None,
        }
    }

    /// What the declared validators say about a configuration: (summary,
    /// attribute path, detail).
    fn validate(config: &Value) -> Vec<(String, String, String)> {
        let mut d = Diagnostics::new();
        check_validators(&FunctionModel::block(""), config, &mut d);
        d.0.into_iter()
            .map(|x| {
                let at = x.attribute.map(|a| a.to_string()).unwrap_or_default();
                (x.summary, at, x.detail)
            })
            .collect()
    }

    fn config(returns: Value, args: Vec<(Value, Value)>) -> Value {
        let args = args
            .into_iter()
            .map(|(ty, default)| {
                Value::object([
                    ("type", ty),
                    ("default", default),
                    ("mode", Value::Null),
                    ("name", Value::Null),
                ])
            })
            .collect();
        Value::object([
            ("name", Value::string("f")),
            ("body", Value::string("select 1")),
            ("returns", returns),
            ("arg", Value::List(args)),
        ])
    }

    #[test]
    fn spliced_values_are_checked_naming_the_attribute() {
        let got = validate(&config(
            Value::string("integer SET search_path = pg_temp"),
            vec![
                (Value::string("int"), Value::string("1, b int")),
                (Value::string("int, extra int"), Value::Null),
            ],
        ));
        let at: Vec<(&str, &str)> = got
            .iter()
            .map(|(s, a, _)| (s.as_str(), a.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                ("Invalid Result Type", "returns"),
                ("Malformed Default", "arg[0].default"),
                ("Invalid Argument Type", "arg[1].type"),
            ]
        );
        assert!(got[0].2.starts_with(
            "returns \"integer SET search_path = pg_temp\" is not a result type: `SET` follows"
        ));
        assert!(got[1]
            .2
            .starts_with("arg[0].default must be a single SQL expression"));
        assert!(got[2]
            .2
            .starts_with("arg[1].type \"int, extra int\" is not a single type: `,` follows"));
    }

    #[test]
    fn unknown_values_wait_until_known() {
        let valid = config(
            Value::string("SETOF public.t"),
            vec![(
                Value::string("timestamp(3) with time zone[]"),
                Value::string("ARRAY[now(), now()]"),
            )],
        );
        assert_eq!(validate(&valid), vec![]);
        let unknown = config(Value::unknown(), vec![(Value::unknown(), Value::unknown())]);
        assert_eq!(validate(&unknown), vec![]);
        // Once known, the apply checks them before any SQL.
        let m = FunctionModel {
            name: "f".into(),
            arg: vec![FunctionArgModel {
                r#type: "int; drop table t".into(),
                mode: "IN".into(),
                ..FunctionArgModel::default()
            }],
            ..FunctionModel::default()
        };
        let d = check_planned(&m).unwrap_err();
        assert_eq!(d.0[0].summary, "Invalid Argument Type");
    }

    #[test]
    fn returns_follow_the_output_arguments() {
        assert_eq!(derived_returns(&[arg("IN", "integer")]), "void");
        assert_eq!(
            derived_returns(&[arg("IN", "integer"), arg("OUT", "text")]),
            "text"
        );
        assert_eq!(
            derived_returns(&[arg("INOUT", "integer"), arg("OUT", "text")]),
            "record"
        );
    }

    #[test]
    fn ids_round_trip_and_match_the_reference() {
        let args = [
            arg("IN", "integer"),
            arg("OUT", "integer"),
            arg("IN", "text"),
        ];
        assert_eq!(
            render_id("postgres", "public", "increment", &args),
            "postgres.public.increment(integer,text)"
        );
        let odd = render_id("my.db", "s(x)", "f\"g", &[arg("IN", "numeric(10,2)")]);
        assert_eq!(odd, "\"my.db\".\"s(x)\".\"f\"\"g\"(numeric(10,2))");
        let parsed = FunctionId::parse(&odd).unwrap();
        assert_eq!(
            (
                parsed.database.as_deref(),
                parsed.schema.as_str(),
                parsed.name.as_str()
            ),
            (Some("my.db"), "s(x)", "f\"g")
        );
        assert_eq!(parsed.types, "numeric(10,2)");
    }

    #[test]
    fn reference_state_upgrades() {
        let r = FunctionResource::new(Arc::new(ProviderState::default()));
        let old = Value::object([
            ("id", Value::string("postgres.public.increment(integer)")),
            ("database", Value::string("postgres")),
            ("schema", Value::string("public")),
            ("name", Value::string("increment")),
            (
                "arg",
                Value::List(vec![Value::object([
                    ("name", Value::string("i")),
                    ("type", Value::string("integer")),
                    ("mode", Value::string("")),
                    ("default", Value::string("")),
                ])]),
            ),
            ("returns", Value::string("integer")),
            ("body", Value::string("BEGIN\n    RETURN i + 1;\nEND;\n")),
        ]);
        let new = ResourceType::upgrade(&r, 0, old).unwrap();
        let a = &new.get("arg").as_elements().unwrap()[0];
        assert!(a.get("default").is_null());
        assert_eq!(a.get("mode"), &Value::string("IN"));
        assert_eq!(new.get("language"), &Value::string("plpgsql"));
        assert_eq!(new.get("volatility"), &Value::string("VOLATILE"));
        assert_eq!(new.get("strict"), &Value::bool(false));
        let m = FunctionModel::from_value(&new).unwrap();
        assert_eq!(m.arg[0].name.as_deref(), Some("i"));
    }
}
