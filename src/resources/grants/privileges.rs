//! What `postgresql_grant` and `postgresql_default_privileges` share: the
//! check of a privilege list, and the rule that an unset optional name or
//! list means the same as an empty one.

use crate::pg::privileges::{is_all, normalize_privilege, MAINTAIN_SINCE};
use std::collections::BTreeSet;

use crate::protocol::{Diagnostic, Diagnostics, Plan, Tf, Viewed};

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

/// A value that may be empty: a name or a list.
pub trait MaybeEmpty {
    /// Whether it is empty.
    fn is_empty_value(&self) -> bool;
}

impl MaybeEmpty for String {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}

impl MaybeEmpty for BTreeSet<String> {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}

/// Whether an optional name or list is null or empty (not: not known yet).
pub fn is_unset_or_empty<T: MaybeEmpty>(v: &Tf<T>) -> bool {
    match v {
        Tf::Null => true,
        Tf::Known(v) => v.is_empty_value(),
        Tf::Unknown => false,
    }
}

/// Whether an optional name or list is known to hold something.
pub fn is_given<T: MaybeEmpty>(v: &Tf<T>) -> bool {
    matches!(v, Tf::Known(v) if !v.is_empty_value())
}

/// Keeps a change between unset and empty from replacing the resource: for
/// the attribute `attr` (read with `field`) both mean the same.
pub fn unset_is_empty<M: Viewed, T: MaybeEmpty>(
    plan: &mut Plan<'_, M>,
    attr: &str,
    field: fn(&M::View) -> &Tf<T>,
) {
    let Some(prior) = &plan.prior else {
        return;
    };
    if is_unset_or_empty(field(&plan.planned)) && is_unset_or_empty(field(prior)) {
        plan.no_replace_on(attr);
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
