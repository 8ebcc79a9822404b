//! What `postgresql_grant` and `postgresql_default_privileges` share: the
//! check of a privilege list, and the rule that an unset optional name or
//! list means the same as an empty one.

use crate::pg::privileges::{is_all, normalize_privilege, MAINTAIN_SINCE};
use crate::protocol::{Diagnostic, Diagnostics, Value};

/// Checks a privilege list: known names for the type, `ALL` alone.
pub fn check_privilege_list(
    privileges: &[String],
    allowed: &[&str],
    what: &str,
    d: &mut Diagnostics,
) {
    let canon: Vec<String> = privileges.iter().map(|p| normalize_privilege(p)).collect();
    let has_all = canon.iter().any(|p| is_all(p));
    if has_all && canon.len() > 1 {
        d.push(
            Diagnostic::error(
                "ALL Combined With Other Privileges",
                "privileges holds ALL together with other privileges. ALL already means every \
                 privilege of the object type; use [\"ALL\"] alone or list the privileges.",
            )
            .at("privileges"),
        );
    }
    for (raw, p) in privileges.iter().zip(&canon) {
        if !is_all(p) && !allowed.contains(&p.as_str()) {
            d.push(
                Diagnostic::error(
                    "Invalid Privilege",
                    format!(
                        "{raw:?} is not a privilege of {what}. Allowed: {}, or ALL.",
                        allowed.join(", ")
                    ),
                )
                .at("privileges"),
            );
        }
    }
}

/// Whether an optional string or set attribute is null or empty.
pub fn is_empty_attr(v: &Value) -> bool {
    v.is_null() || v.as_str() == Some("") || v.as_elements().is_some_and(<[Value]>::is_empty)
}

/// Keeps a change between unset and empty from replacing the resource: for
/// these attributes both mean the same.
pub fn unset_is_empty(prior: &Value, plan: &mut crate::protocol::Planned, attributes: &[&str]) {
    if prior.is_null() {
        return;
    }
    for attr in attributes {
        if is_empty_attr(plan.value.get(attr)) && is_empty_attr(prior.get(attr)) {
            plan.requires_replace
                .retain(|p| *p != crate::protocol::AttrPath::attr(attr));
        }
    }
}

/// MAINTAIN asked of a server older than 17, which lacks it.
pub fn check_maintain(version_num: i32, privileges: &[String]) -> Option<Diagnostic> {
    (version_num < MAINTAIN_SINCE
        && privileges
            .iter()
            .any(|p| normalize_privilege(p) == "MAINTAIN"))
    .then(|| {
        Diagnostic::error(
            "MAINTAIN Needs PostgreSQL 17",
            format!(
                "The MAINTAIN privilege exists from PostgreSQL 17 on; this server is version {}. \
                 Remove MAINTAIN (VACUUM, ANALYZE and REINDEX then need the table owner).",
                version_num / 10_000
            ),
        )
        .at("privileges")
    })
}
