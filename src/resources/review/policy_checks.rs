//! The checks and reviewer warnings of `postgresql_policy`: what a
//! configuration may say, what the server thinks of its expressions, and
//! what a reviewer should know about the plan (a policy that exposes every
//! row, a policy Citus would not carry to the shards faithfully).

use crate::pg::rls::policy::{Clause, Command, PUBLIC};
use crate::pg::rls::table::{self as table_sql, TableInfo, TableName};
use crate::pg::sql::policy_expr::{
    check_expression, has_subquery, normalize, per_row_current_setting, Probe, ProbeError,
};
use crate::protocol::{Diagnostic, Diagnostics, Problem};

use crate::resources::review::codes::Code;
use crate::resources::support::state::Client;
use crate::resources::support::validators;

/// The expression attributes and the clause each one is.
pub const CLAUSES: [(&str, Clause); 2] =
    [("using", Clause::Using), ("with_check", Clause::WithCheck)];

/// The texts of `using` and `with_check` in a plan, each with its
/// attribute (as [`CLAUSES`] orders them); `None` when unset or not known.
pub type ClauseTexts<'a> = [(&'static str, Option<&'a str>); 2];

/// Role names that PostgreSQL resolves to a concrete role when the policy
/// is created, so the catalog never holds what was written.
const PSEUDO_ROLES: &[&str] = &["current_user", "session_user", "current_role"];

/// The `command` attribute: one of the keywords, in upper case.
pub fn command_name(attr: &str, c: &str) -> Option<Problem> {
    Command::parse(c).is_none().then(|| {
        Problem::new(
            "Invalid Policy Command",
            format!(
                "{attr} is {c:?}; use one of {} (upper case).",
                Command::ALL.map(Command::keyword).join(", ")
            ),
        )
    })
}

/// Refusals for a policy on a table Citus distributes: /// configured (verified with Citus 13.2): it creates RESTRICTIVE policies as
/// PERMISSIVE ones on every shard, which widens access where the
/// configuration narrows it, and it refuses subqueries in policies.
pub fn citus_refusals(
    permissive: Option<bool>,
    texts: &ClauseTexts<'_>,
    info: &TableInfo,
    using_normalized: &Option<String>,
) -> Diagnostics {
    let _ = info;
    let mut d = Diagnostics::new();
    if permissive == Some(false) {
        d.push(
            Diagnostic::error(
                "Restrictive Policy On A Citus Table",
                "This table is distributed by Citus, and Citus (13.2) creates RESTRICTIVE policies \
                 as PERMISSIVE ones on every shard: the policy would be ORed with the others on the \
                 workers and widen access where it should narrow it, while the coordinator shows \
                 it as restrictive. Write the restriction into the permissive policies' \
                 expressions instead (for example `tenant_id = ... AND <restriction>`).",
            )
            .at("permissive"),
        );
    }
    for (attr, text) in texts {
        let text = match (*attr, using_normalized) {
            ("using", Some(n)) => Some(n.as_str()),
            _ => *text,
        };
        if text.is_some_and(has_subquery) {
            d.push(
                Diagnostic::error(
                    "Subquery In A Policy On A Citus Table",
                    format!(
                        "This table is distributed by Citus, which refuses subqueries in policies \
                         of distributed tables (\"Subqueries are not supported in policies on \
                         distributed tables\"; on CREATE POLICY it fails with an internal error \
                         instead). Rewrite {attr} without a subquery, for example with a function \
                         of the row's columns or with current_setting()."
                    ),
                )
                .at(attr),
            );
        }
    }
    d
}

/// Checks the `roles` set.
pub fn check_roles(names: &[&str], d: &mut Diagnostics) {
    if names.is_empty() {
        d.push(
            Diagnostic::error(
                "No Roles",
                "roles must name at least one role. Use [\"public\"] (the default) for a policy \
                 that applies to every role.",
            )
            .at("roles"),
        );
        return;
    }
    for name in names {
        if validators::role_name("roles", name).is_some() {
            // Reported by the attribute's own validator.
        } else if PSEUDO_ROLES.contains(&name.to_ascii_lowercase().as_str()) {
            d.push(
                Diagnostic::error(
                    "Pseudo-Role In roles",
                    format!(
                        "roles contains {name:?}. PostgreSQL replaces {} with the role running \
                         CREATE POLICY (here: the provider's login role) and stores that role, so \
                         the catalog would never match the configuration and every plan would \
                         show a change. Name the role explicitly instead.",
                        name.to_ascii_uppercase()
                    ),
                )
                .at("roles"),
            );
        }
    }
    if names.contains(&PUBLIC) && names.len() > 1 {
        d.push(
            Diagnostic::error(
                "public Mixed With Other Roles",
                format!(
                    "roles contains \"public\" and other roles ({}). \"public\" already means \
                     every role, and PostgreSQL would silently keep only PUBLIC, so every plan \
                     would show a change. Use [\"public\"] alone, or list the roles without it.",
                    names
                        .iter()
                        .filter(|n| **n != PUBLIC)
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at("roles"),
        );
    }
}

/// Checks an expression attribute's text.
pub fn expression(attr: &str, text: &str) -> Option<Problem> {
    if text.trim().is_empty() {
        Some(Problem::new(
            "Empty Policy Expression",
            format!(
                "{attr} is empty. Write a boolean SQL expression (for example \
                 \"tenant_id = current_setting('app.tenant_id')::int\"), or remove {attr}."
            ),
        ))
    } else {
        check_expression(text).err().map(|why| {
            Problem::new(
                "Malformed Policy Expression",
                format!(
                    "{attr} must be a single SQL expression, but {why}. Write only the condition, \
                     without the surrounding USING ( ) or WITH CHECK ( )."
                ),
            )
        })
    }
}

/// The normalized form of each probe, in order; all `None` when the server
/// could not run the probes at all.
pub struct Normalized(pub Vec<Option<Result<String, ProbeError>>>);

/// Asks PostgreSQL for the stored form of each expression, one probe per
/// expression, so that plans compare what the server would keep.
pub async fn normalize_all(
    client: &Client,
    database: Option<&str>,
    table: &TableName,
    probes: &[Probe<'_>],
) -> Normalized {
    if probes.is_empty() {
        return Normalized(Vec::new());
    }
    let none = || Normalized(probes.iter().map(|_| None).collect());
    let mut conn = match client.pools.get(database).await {
        Ok(c) => c,
        Err(e) => {
            log::info!("cannot normalize policy expressions: {e}");
            return none();
        }
    };
    match normalize(&mut conn, client.lock_timeout, table, probes).await {
        Ok(results) => Normalized(results.into_iter().map(Some).collect()),
        Err(e) => {
            log::info!("cannot normalize policy expressions: {e}");
            none()
        }
    }
}

/// What the plan learns from the server for the reviewer's warnings.
pub struct Exposure<'a> {
    /// The policy's name.
    pub policy: &'a str,
    /// Its table.
    pub table: &'a TableName,
    /// The roles it applies to.
    pub roles: &'a [String],
}

/// Warns about a permissive policy whose USING is always true for roles
/// that could not already see every row. A role counts as administrative
/// (no warning) when it can see every row without any policy: a superuser,
/// a role with BYPASSRLS, or the table's owner or a member of it, who can
/// switch row-level security off anyway. For such a role the policy adds
/// nothing; for anyone else it opens the whole table.
pub async fn always_true_warning(
    client: &Client,
    database: Option<&str>,
    e: Exposure<'_>,
    owner: Option<&str>,
) -> Option<Diagnostic> {
    let mut exposed: Vec<String> = Vec::new();
    let mut unverified: Vec<String> = Vec::new();
    if e.roles.iter().any(|r| r == PUBLIC) {
        exposed.push("every role (public)".into());
    } else {
        let known = match (owner, client.pools.get(database).await) {
            (Some(owner), Ok(conn)) => table_sql::roles_that_bypass(&**conn, e.roles, owner)
                .await
                .ok(),
            _ => None,
        };
        for r in e.roles {
            match known.as_ref().and_then(|k| k.iter().find(|(n, _)| n == r)) {
                Some((_, true)) => {}
                Some((_, false)) => exposed.push(format!("{r:?}")),
                None => unverified.push(format!("{r:?}")),
            }
        }
    }
    if exposed.is_empty() && unverified.is_empty() {
        return None;
    }
    let mut detail = format!(
        "Policy {:?} on {} is permissive and its using is always true",
        e.policy,
        e.table.quoted()
    );
    if !exposed.is_empty() {
        detail.push_str(&format!(
            ", so {} can read every row. Permissive policies are combined with OR, so this also \
             overrides every other permissive policy for them.",
            exposed.join(", ")
        ));
    } else {
        detail.push('.');
    }
    if !unverified.is_empty() {
        detail.push_str(&format!(
            " The provider cannot check {} yet (the role or the table does not exist before this \
             apply).",
            unverified.join(", ")
        ));
    }
    detail.push_str(
        " That is intended only for administrative roles. The provider treats a role as \
         administrative when it can already see every row without policies: a superuser, a role \
         with BYPASSRLS, or the table's owner or a member of the owner role. If the policy is \
         meant for tenants or applications, give it a real condition.",
    );
    Some(
        Code::PolicyExposesEveryRow
            .warning("Policy Exposes Every Row", detail)
            .at("using"),
    )
}

/// `PGW104`: `current_setting()` in `using` or `with_check` outside a
/// `(select ...)`, so it runs once per row instead of once per query, and
/// an index on the compared column cannot be used for it.
pub fn per_row_setting_warnings(texts: &ClauseTexts<'_>) -> Vec<Diagnostic> {
    texts
        .iter()
        .filter_map(|(attr, text)| {
            let text = (*text)?;
            per_row_current_setting(text).then(|| {
                Code::PerRowCurrentSetting
                    .warning(
                        format!("current_setting() Evaluated Per Row In {attr}"),
                        format!(
                            "{attr} `{text}` calls current_setting() outside a subquery, so \
                             PostgreSQL evaluates it once for every row it checks, and cannot use \
                             an index for the comparison. Wrap the call in a scalar subquery, for \
                             example `tenant_id = (select current_setting('app.tenant')::int)`: \
                             it is then evaluated once per query. (Warning only; the apply is \
                             not blocked.)"
                        ),
                    )
                    .at(attr)
            })
        })
        .collect()
}
