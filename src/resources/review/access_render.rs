//! The text of an effective-access report: one [`Delta`] as lines a
//! reviewer reads in `terraform plan`, and the cap on their number.

use std::collections::BTreeMap;

use crate::pg::access::diff::How;
use crate::pg::access::{chain_text, Catalog, Delta, Escalation, ObjectId};
use crate::pg::kinds::ObjectKind;
use crate::pg::privileges::Privs;

/// How many object names a line shows before "and N more".
const NAMES_SHOWN: usize = 5;

/// How many roles reachable only by SET ROLE get a preview of what that
/// SET ROLE would give.
const SET_ROLE_PREVIEWS: usize = 3;

/// `a, b, c, and 4 more`.
fn first_few<I: IntoIterator<Item = String>>(items: I, total: usize) -> String {
    let shown: Vec<String> = items.into_iter().take(NAMES_SHOWN).collect();
    let mut text = shown.join(", ");
    if total > shown.len() {
        text.push_str(&format!(", and {} more", total - shown.len()));
    }
    text
}

/// `privileges` grouped by kind of object and privilege, one line each:
/// `table SELECT on 3: app.a, app.b, app.c`.
fn privilege_lines(privileges: &BTreeMap<ObjectId, Privs>, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for kind in ObjectKind::ALL {
        let of_kind: Vec<(&ObjectId, &Privs)> =
            privileges.iter().filter(|(o, _)| o.kind == kind).collect();
        let all: Privs = of_kind.iter().fold(Privs::NONE, |a, (_, p)| a.union(**p));
        for p in all.iter() {
            let objects: Vec<String> = of_kind
                .iter()
                .filter(|(_, x)| x.contains(p))
                .map(|(o, _)| o.to_string())
                .collect();
            let n = objects.len();
            lines.push(format!(
                "{indent}{} {p} on {n}: {}",
                kind.as_str(),
                first_few(objects, n)
            ));
        }
    }
    lines
}

fn count(privileges: &BTreeMap<ObjectId, Privs>) -> (usize, usize) {
    (privileges.values().map(|p| p.len()).sum(), privileges.len())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `tenant_ro, readers (through tenant_ro → readers)`: the chain is shown
/// when it has more than the role itself.
fn roles_text(chains: &BTreeMap<String, Vec<String>>) -> String {
    let items = chains.iter().map(|(r, c)| {
        if c.len() > 1 {
            format!("{r} (through {})", chain_text(c))
        } else {
            r.clone()
        }
    });
    first_few(items, chains.len())
}

fn power_text(e: &Escalation) -> String {
    match e.how {
        How::Own => format!("{} itself", e.power),
        How::Inherited => format!("{} (inherited through {})", e.power, chain_text(&e.chain)),
        How::SetRole if e.power == e.holder => {
            format!("{} (by SET ROLE through {})", e.power, chain_text(&e.chain))
        }
        How::SetRole => format!(
            "{} of {} (by SET ROLE through {})",
            e.power,
            e.holder,
            chain_text(&e.chain)
        ),
    }
}

fn becomes_superuser(d: &Delta) -> bool {
    d.powers_gained
        .iter()
        .any(|e| e.how == How::Own && e.power == "SUPERUSER")
}

/// The lines describing one role's change; `after` is the catalog after
/// the change (for what SET ROLE would give).
pub fn delta_lines(d: &Delta, after: &Catalog, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let superuser = becomes_superuser(d);
    if superuser {
        lines.push(format!(
            "{indent}Becomes a superuser: passes every privilege check (all {} objects of \
             database {:?} and every other database), can SET ROLE to every role and bypasses \
             row-level security.",
            after.objects.len(),
            after.database
        ));
    } else if !d.gained.is_empty() {
        let (privileges, objects) = count(&d.gained);
        lines.push(format!(
            "{indent}Gains {} on {}:",
            plural(privileges, "privilege", "privileges"),
            plural(objects, "object", "objects")
        ));
        lines.extend(privilege_lines(&d.gained, &format!("{indent}  ")));
    }
    if !d.lost.is_empty() {
        let (privileges, objects) = count(&d.lost);
        lines.push(format!(
            "{indent}Loses {} on {}:",
            plural(privileges, "privilege", "privileges"),
            plural(objects, "object", "objects")
        ));
        lines.extend(privilege_lines(&d.lost, &format!("{indent}  ")));
    }
    if !d.uses_gained.is_empty() {
        lines.push(format!(
            "{indent}Inherits the privileges of {}: {}",
            plural(d.uses_gained.len(), "more role", "more roles"),
            roles_text(&d.uses_gained)
        ));
    }
    if !d.uses_lost.is_empty() {
        lines.push(format!(
            "{indent}No longer inherits the privileges of: {}",
            roles_text(&d.uses_lost)
        ));
    }
    let uses_after = after.privilege_roles(&d.role);
    let set_only: BTreeMap<String, Vec<String>> = d
        .set_gained
        .iter()
        .filter(|(r, _)| !uses_after.contains_key(*r))
        .map(|(r, c)| (r.clone(), c.clone()))
        .collect();
    if !set_only.is_empty() && !superuser {
        lines.push(format!(
            "{indent}Can SET ROLE to, without inheriting their privileges: {}",
            roles_text(&set_only)
        ));
        let mine = after.access(&d.role);
        for r in set_only.keys().take(SET_ROLE_PREVIEWS) {
            let theirs = after.access(r);
            let extra: BTreeMap<ObjectId, Privs> = theirs
                .held
                .keys()
                .map(|o| (o.clone(), theirs.privs_on(o).minus(mine.privs_on(o))))
                .filter(|(_, p)| !p.is_empty())
                .collect();
            if !extra.is_empty() {
                lines.push(format!("{indent}  After SET ROLE {r} it would also have:"));
                lines.extend(privilege_lines(&extra, &format!("{indent}    ")));
            }
        }
    }
    let set_lost: BTreeMap<String, Vec<String>> = d
        .set_lost
        .iter()
        .filter(|(r, _)| !d.uses_lost.contains_key(*r))
        .map(|(r, c)| (r.clone(), c.clone()))
        .collect();
    if !set_lost.is_empty() {
        lines.push(format!(
            "{indent}Can no longer SET ROLE to: {}",
            roles_text(&set_lost)
        ));
    }
    let powers: Vec<&Escalation> = d
        .powers_gained
        .iter()
        .filter(|e| !(superuser && e.how == How::Own && e.power == "SUPERUSER"))
        .collect();
    if !powers.is_empty() {
        lines.push(format!(
            "{indent}Powers within reach: {}",
            powers
                .iter()
                .map(|e| power_text(e))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if !d.powers_lost.is_empty() {
        lines.push(format!(
            "{indent}Powers no longer within reach: {}",
            d.powers_lost
                .iter()
                .map(power_text)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    for (future, p) in &d.future_gained {
        lines.push(format!("{indent}Gains on {future}: {p}"));
    }
    for (future, p) in &d.future_lost {
        lines.push(format!("{indent}Loses on {future}: {p}"));
    }
    lines
}

/// One line for a role affected through another: the same change, or a
/// count of what it gains and loses.
pub fn summary_line(d: &Delta, main: &Delta) -> String {
    if d.gained == main.gained
        && d.lost == main.lost
        && d.powers_gained.len() == main.powers_gained.len()
    {
        return "the same privilege changes".into();
    }
    let mut parts = Vec::new();
    let (g, go) = count(&d.gained);
    let (l, lo) = count(&d.lost);
    if g > 0 {
        parts.push(format!("gains {g} privileges on {go} objects"));
    }
    if l > 0 {
        parts.push(format!("loses {l} privileges on {lo} objects"));
    }
    if !d.powers_gained.is_empty() {
        parts.push(format!(
            "gains {}",
            d.powers_gained
                .iter()
                .map(power_text)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if !d.set_gained.is_empty() {
        parts.push(format!("can SET ROLE to {}", roles_text(&d.set_gained)));
    }
    if parts.is_empty() {
        parts.push("its memberships change".into());
    }
    parts.join("; ")
}

/// Cuts `lines` to `max`, saying how many were left out.
pub fn cap(mut lines: Vec<String>, max: usize) -> Vec<String> {
    if lines.len() > max {
        let cut = lines.len() - (max - 1);
        lines.truncate(max - 1);
        lines.push(format!(
            "… {cut} more lines cut (plan_access_report_max_lines = {max})."
        ));
    }
    lines
}
