//! The effective-access report (`PGW001`): for a planned change to a
//! membership, grant, default privilege or role attribute, what the role
//! concerned, and every role that inherits from it, can do afterwards that
//! it could not before, and the reverse.
//!
//! A resource takes the catalog ([`review`]), makes a copy that knows the
//! roles this run creates ([`Review::base`]), applies its planned change to
//! a second copy with [`crate::pg::access::change`], and asks
//! [`Review::report`] for the warning. The catalog is read once per
//! database and run ([`crate::pg::catalog::cache`]); with `plan_access_report =
//! false` nothing is read.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::pg::access::{delta, Catalog, Delta, PUBLIC};
use crate::protocol::Diagnostic;

use crate::resources::review::access_render::{cap, delta_lines, summary_line};
use crate::resources::review::codes::Code;
use crate::resources::support::state::ProviderState;

/// How many roles affected through membership are looked at, and get a
/// line each.
const OTHERS_COMPUTED: usize = 10;

/// The catalog a report starts from.
pub struct Review {
    /// The catalog as read.
    pub catalog: Arc<Catalog>,
    /// `plan_access_report_max_lines`.
    pub max_lines: usize,
}

/// The catalog of `database` for a report, or `None` when there is to be no
/// report: turned off, no server yet (a deferred configuration), or the
/// catalog cannot be read. A report is never worth failing a plan for, so
/// the last is only logged.
pub async fn review(state: &ProviderState, database: Option<&str>) -> Option<Review> {
    let client = state.client_opt().await?;
    let max_lines = client.access_report?;
    match client.access_catalog(database).await {
        Ok(catalog) => Some(Review { catalog, max_lines }),
        Err(e) => {
            log::info!("no effective-access report: cannot read the catalog: {e}");
            None
        }
    }
}

impl Review {
    /// The catalog with the roles this run creates added (so that a new
    /// role's report shows the change, not its whole existence). Borrowed
    /// when it knows every role already: a plan of thousands of grants
    /// then copies the catalog once per grant (the side the change is
    /// applied to), not twice.
    pub fn base(&self, state: &ProviderState, roles: &[&str]) -> Cow<'_, Catalog> {
        let mut missing = roles
            .iter()
            .filter(|r| **r != PUBLIC && self.catalog.role(r).is_none())
            .peekable();
        if missing.peek().is_none() {
            return Cow::Borrowed(&self.catalog);
        }
        let mut c = (*self.catalog).clone();
        for r in missing {
            // A role not planned takes `CREATE ROLE`'s defaults, as do the
            // planned role's attributes not known yet.
            c.ensure_role(r, state.planned.role(r).unwrap_or_default());
        }
        Cow::Owned(c)
    }

    /// The warning for the change from `before` to `after` of `subject`'s
    /// access, `cause` finishing the summary (`through tenant_ro`); `None`
    /// when nothing anyone can do changes.
    pub fn report(
        &self,
        before: &Catalog,
        after: &Catalog,
        subject: &str,
        cause: &str,
    ) -> Option<Diagnostic> {
        let main = delta(before, after, subject);
        let (others, unchecked) = affected(before, after, subject);
        if main.is_empty() && others.is_empty() {
            return None;
        }
        let gains = main.gains() || others.iter().any(|(_, _, d)| d.gains());
        let losses = main.losses() || others.iter().any(|(_, _, d)| d.losses());
        let direction = match (gains, losses) {
            (true, true) => "gains and loses access",
            (false, true) => "loses access",
            _ => "gains access",
        };
        let who = if subject == PUBLIC {
            "PUBLIC (every role)".to_string()
        } else {
            subject.to_string()
        };
        let mut lines = vec![format!(
            "Effective access of {who} in database {:?}, from the catalog plus this plan \
             (as has_table_privilege and its siblings would answer after the apply):",
            after.database
        )];
        lines.extend(delta_lines(&main, after, "  "));
        if main.is_empty() {
            lines.push("  No change for the role itself.".into());
        }
        if !others.is_empty() {
            lines.push(format!(
                "Also affected, as they use {who}'s privileges or can SET ROLE to it:"
            ));
            for (member, chain, d) in &others {
                lines.push(format!("  {member} ({chain}): {}", summary_line(d, &main)));
            }
        }
        if unchecked > 0 {
            lines.push(format!(
                "{unchecked} more roles are members of {who} (directly or not) and were not \
                 looked at one by one."
            ));
        }
        lines.push(
            "(Warning only; the apply is not blocked. plan_access_report = false in the provider \
             block turns these reports off.)"
                .into(),
        );
        let lines = cap(lines, self.max_lines);
        Some(Code::AccessReport.warning(format!("{who} {direction} {cause}"), lines.join("\n")))
    }
}

/// Roles other than `subject` whose access changes because they use its
/// privileges or can SET ROLE to it (before or after), each with the chain
/// from it up to `subject` and its delta, nearest first; and how many more
/// roles are members that were not looked at (each costs a computation of
/// its access, so a group of thousands is not worth it in a plan).
fn affected(
    before: &Catalog,
    after: &Catalog,
    subject: &str,
) -> (Vec<(String, String, Delta)>, usize) {
    if subject == PUBLIC {
        return (Vec::new(), 0);
    }
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in [before, after] {
        for chains in [c.inheriting_members(subject), c.setting_members(subject)] {
            for (m, chain) in chains {
                if m != subject {
                    members.entry(m).or_insert(chain);
                }
            }
        }
    }
    let mut list: Vec<(String, Vec<String>)> = members.into_iter().collect();
    list.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(&b.0)));
    let rest = list.len().saturating_sub(OTHERS_COMPUTED);
    let shown = list
        .into_iter()
        .take(OTHERS_COMPUTED)
        .map(|(m, chain)| {
            // The chain runs down from subject; show it from the member up.
            let mut up: Vec<String> = chain.into_iter().rev().collect();
            up.push(subject.to_string());
            let d = delta(before, after, &m);
            (m, up.join(" → "), d)
        })
        .filter(|(_, _, d)| !d.is_empty())
        .collect();
    (shown, rest)
}
