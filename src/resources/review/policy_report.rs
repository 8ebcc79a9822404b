//! The policy report (`PGW002`): for a `postgresql_policy` created,
//! changed or destroyed, whose visibility of the table's rows widens,
//! narrows or changes.
//!
//! Comparing two conditions exactly is not possible in general, so the
//! direction comes from a few sure signs: a `USING` that becomes always
//! true, stops being `false`, or becomes `<old> OR ...` widens; the reverse,
//! or `<old> AND ...`, narrows;
//! anything else "changes". A permissive policy added (or a restrictive one
//! dropped) widens; the reverse narrows. Roles that see every row anyway
//! (superusers, BYPASSRLS roles, the owner and roles using its privileges
//! unless FORCE is on) and roles with no privilege on the table are left
//! out: nothing changes for them.

use std::collections::BTreeMap;

use crate::pg::access::{Catalog, ObjectId, PUBLIC};
use crate::pg::kinds::ObjectKind;
use crate::pg::rls::table::{TableInfo, TableName};
use crate::pg::sql::policy_expr::is_trivially_true;
use crate::protocol::Diagnostic;

use crate::resources::review::access_render::cap;
use crate::resources::review::access_review::review;
use crate::resources::review::codes::Code;
use crate::resources::support::state::ProviderState;

/// Which way one role's visibility moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Way {
    Widens,
    Narrows,
    Changes,
}

impl Way {
    fn word(self) -> &'static str {
        match self {
            Way::Widens => "widens",
            Way::Narrows => "narrows",
            Way::Changes => "changes",
        }
    }
}

/// One side (prior or planned) of a `postgresql_policy`, as the report
/// reads it: an attribute not known yet reads as its default.
#[derive(Debug, Clone)]
pub struct PolicySide {
    /// `name`, when known.
    pub name: Option<String>,
    /// `permissive`.
    pub permissive: bool,
    /// `command`.
    pub command: String,
    /// `roles`; `public` when not known.
    pub roles: Vec<String>,
    /// `using`.
    pub using: Option<String>,
    /// `with_check`.
    pub with_check: Option<String>,
}

/// The words of an expression, lower case, parentheses and spacing aside.
fn words(e: &str) -> String {
    e.to_ascii_lowercase()
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `longer` is `shorter` with more `keyword` (`or`, `and`) terms:
/// it holds `shorter` whole and has more of the keyword. A sure sign only
/// for a plain list of terms, which is what policies mostly are.
fn extends(longer: &str, shorter: &str, keyword: &str) -> bool {
    let (l, s) = (words(longer), words(shorter));
    let count = |t: &str| t.split(' ').filter(|w| *w == keyword).count();
    format!(" {l} ").contains(&format!(" {s} ")) && count(&l) > count(&s)
}

fn is_false(e: &str) -> bool {
    let s = e
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    s.eq_ignore_ascii_case("false")
}

/// How a condition moving from `old` to `new` changes what passes (`None`:
/// no change). A missing condition passes everything.
fn condition_way(old: Option<&str>, new: Option<&str>) -> Option<(Way, &'static str)> {
    if old == new {
        return None;
    }
    let always = |e: Option<&str>| e.is_none_or(is_trivially_true);
    let never = |e: Option<&str>| e.is_some_and(is_false);
    Some(match (old, new) {
        _ if always(new) => (Way::Widens, "it becomes always true"),
        _ if always(old) => (Way::Narrows, "it stops being always true"),
        _ if never(old) => (Way::Widens, "it stops being false"),
        _ if never(new) => (Way::Narrows, "it becomes false"),
        (Some(o), Some(n)) if extends(n, o, "or") => (Way::Widens, "it gains an OR"),
        (Some(o), Some(n)) if extends(o, n, "or") => (Way::Narrows, "it loses an OR"),
        (Some(o), Some(n)) if extends(n, o, "and") => (Way::Narrows, "it gains an AND"),
        (Some(o), Some(n)) if extends(o, n, "and") => (Way::Widens, "it loses an AND"),
        _ => (
            Way::Changes,
            "the two conditions cannot be compared exactly",
        ),
    })
}

/// The report, or `None` when it is off or nobody's visibility moves.
pub async fn policy_report(
    state: &ProviderState,
    database: Option<&str>,
    table: &TableName,
    info: Option<&TableInfo>,
    old: Option<&PolicySide>,
    new: Option<&PolicySide>,
) -> Option<Diagnostic> {
    let name = new
        .and_then(|n| n.name.as_deref())
        .or_else(|| old.and_then(|o| o.name.as_deref()))?;
    let review = review(state, database).await?;
    let catalog = &review.catalog;
    let mut lines = Vec::new();
    let mut ways: BTreeMap<String, Way> = BTreeMap::new();
    match (&old, &new) {
        (None, Some(n)) => {
            let way = if n.permissive {
                Way::Widens
            } else {
                Way::Narrows
            };
            lines.push(format!(
                "A new {} policy for {}: {} what its roles see.",
                kind(n.permissive),
                n.command,
                way.word()
            ));
            mark(&n.roles, way, &mut ways);
        }
        (Some(o), None) => {
            let way = if o.permissive {
                Way::Narrows
            } else {
                Way::Widens
            };
            lines.push(format!(
                "The {} policy for {} is dropped: {} what its roles see.",
                kind(o.permissive),
                o.command,
                way.word()
            ));
            mark(&o.roles, way, &mut ways);
        }
        (Some(o), Some(n)) => {
            let added: Vec<String> = n
                .roles
                .iter()
                .filter(|r| !o.roles.contains(r))
                .cloned()
                .collect();
            let removed: Vec<String> = o
                .roles
                .iter()
                .filter(|r| !n.roles.contains(r))
                .cloned()
                .collect();
            let kept: Vec<String> = n
                .roles
                .iter()
                .filter(|r| o.roles.contains(r))
                .cloned()
                .collect();
            let add_way = if n.permissive {
                Way::Widens
            } else {
                Way::Narrows
            };
            if !added.is_empty() {
                lines.push(format!("Roles added: {}.", added.join(", ")));
                mark(&added, add_way, &mut ways);
            }
            if !removed.is_empty() {
                lines.push(format!("Roles removed: {}.", removed.join(", ")));
                let way = if o.permissive {
                    Way::Narrows
                } else {
                    Way::Widens
                };
                mark(&removed, way, &mut ways);
            }
            if o.permissive != n.permissive {
                lines.push(format!("Becomes {}.", kind(n.permissive)));
                mark(&kept, add_way, &mut ways);
            }
            if o.command != n.command {
                lines.push(format!("Command {} → {}.", o.command, n.command));
                mark(&kept, Way::Changes, &mut ways);
            }
            for (attr, a, b) in [
                ("using", &o.using, &n.using),
                ("with_check", &o.with_check, &n.with_check),
            ] {
                if let Some((way, why)) = condition_way(a.as_deref(), b.as_deref()) {
                    lines.push(format!(
                        "{attr}: `{}` → `{}`: {} ({why}).",
                        a.as_deref().unwrap_or("(none)"),
                        b.as_deref().unwrap_or("(none)"),
                        way.word()
                    ));
                    mark(&kept, way, &mut ways);
                }
            }
        }
        (None, None) => return None,
    }
    let (shown, left_out) = affected(catalog, table, info, &ways);
    if shown.is_empty() {
        return None;
    }
    let mut by_way: BTreeMap<Way, Vec<String>> = BTreeMap::new();
    for (r, w) in &shown {
        by_way.entry(*w).or_default().push(r.clone());
    }
    let table_text = table.quoted();
    let summary = by_way
        .iter()
        .map(|(w, rs)| format!("{} for {}", w.word(), rs.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let mut detail = vec![format!(
        "Policy {name:?} on {table_text}, from the catalog plus this plan:"
    )];
    detail.extend(lines.into_iter().map(|l| format!("  {l}")));
    for (w, rs) in &by_way {
        detail.push(format!("Visibility {} for: {}", w.word(), rs.join(", ")));
    }
    if !left_out.is_empty() {
        detail.push(format!(
            "Not affected (they see every row anyway, or hold no privilege on the table): {}",
            left_out.join(", ")
        ));
    }
    detail.push("(Warning only; the apply is not blocked.)".into());
    let detail = cap(detail, review.max_lines);
    Some(Code::PolicyReport.warning(
        format!("Visibility of {table_text} {summary}"),
        detail.join("\n"),
    ))
}

/// Records `way` for each role; a role moved two ways "changes".
fn mark(roles: &[String], way: Way, ways: &mut BTreeMap<String, Way>) {
    for r in roles {
        let w = ways.entry(r.clone()).or_insert(way);
        if *w != way {
            *w = Way::Changes;
        }
    }
}

fn kind(permissive: bool) -> &'static str {
    if permissive {
        "PERMISSIVE"
    } else {
        "RESTRICTIVE"
    }
}

/// The roles whose visibility moves, and those left out.
fn affected(
    catalog: &Catalog,
    table: &TableName,
    info: Option<&TableInfo>,
    ways: &BTreeMap<String, Way>,
) -> (Vec<(String, Way)>, Vec<String>) {
    let id = ObjectId {
        kind: ObjectKind::Table,
        schema: table.schema.clone(),
        name: table.table.clone(),
        column: None,
    };
    let (mut shown, mut left_out) = (Vec::new(), Vec::new());
    for (r, w) in ways {
        if r == PUBLIC {
            shown.push(("every role (PUBLIC)".to_string(), *w));
            continue;
        }
        let sees_all = info.is_some_and(|i| catalog.bypasses_rls(r, &i.owner, i.rls_forced));
        // A table not read yet (created in this run) cannot be checked.
        let no_privilege =
            catalog.objects.iter().any(|o| o.id == id) && catalog.privileges_on(r, &id).is_empty();
        if sees_all || no_privilege {
            left_out.push(r.clone());
        } else {
            shown.push((r.clone(), *w));
        }
    }
    (shown, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_compare_by_sure_signs() {
        let way = |a: Option<&str>, b: Option<&str>| condition_way(a, b).map(|w| w.0);
        assert_eq!(way(Some("tenant_id = 1"), Some("tenant_id = 1")), None);
        assert_eq!(
            way(Some("tenant_id = 1"), Some("(true)")),
            Some(Way::Widens)
        );
        assert_eq!(way(Some("tenant_id = 1"), None), Some(Way::Widens));
        assert_eq!(way(Some("true"), Some("tenant_id = 1")), Some(Way::Narrows));
        assert_eq!(way(Some("false"), Some("tenant_id = 1")), Some(Way::Widens));
        assert_eq!(
            way(Some("tenant_id = 1"), Some("tenant_id = 1 OR is_admin")),
            Some(Way::Widens)
        );
        assert_eq!(
            way(Some("a = 1 or b = 2"), Some("a = 1")),
            Some(Way::Narrows)
        );
        assert_eq!(
            way(Some("tenant_id = 1"), Some("tenant_id = 2")),
            Some(Way::Changes)
        );
        assert_eq!(
            way(Some("orders = 1"), Some("ordinal = 1")),
            Some(Way::Changes)
        );
        assert_eq!(
            way(
                Some("tenant_id = 1 OR tenant_id = 2"),
                Some("tenant_id = 3")
            ),
            Some(Way::Changes)
        );
        assert_eq!(
            way(
                Some("(tenant_id = 1)"),
                Some("tenant_id = 1 AND NOT archived")
            ),
            Some(Way::Narrows)
        );
        assert_eq!(
            way(Some("tenant_id = 1"), Some("tenant_id = 10 OR x")),
            Some(Way::Changes)
        );
    }
}
