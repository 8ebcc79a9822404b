//! What this provider process has planned so far in the current run, so
//! that a plan-time check of one resource can take into account what
//! another resource planned *before it* will do.
//!
//! Terraform plans every resource of a run in one provider process, in
//! dependency order and otherwise in parallel. A resource that references
//! another (a membership naming a `postgresql_role`, a policy whose `table`
//! is a `postgresql_row_level_security`'s) or `depends_on` it is planned
//! only after that one's plan has returned, so it always finds it here.
//! Resources planned side by side may come in either order, and nothing
//! here waits for them: no plan-time check may hang on a sibling that the
//! plan cannot see.
//!
//! So a check treats an entry as a refinement of the catalog, never as the
//! only ground for a finding: a plan-time lint speaks from what its own
//! resource's configuration says plus the catalog, and an entry may only
//! take back a finding that the planned sibling will make untrue (or stand
//! in for the catalog about a role the same run creates). Findings that
//! need a sibling to be *absent* ("row-level security on, but no policy")
//! are not plan-time lints at all; the `postgresql_lints` data source
//! reports them after apply.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use crate::pg::roles::attributes::RoleFlags;

/// The switches of a table as a `postgresql_row_level_security` plan
/// states them (unknown values are `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlannedRls {
    /// ENABLE ROW LEVEL SECURITY.
    pub enabled: Option<bool>,
    /// FORCE ROW LEVEL SECURITY.
    pub forced: Option<bool>,
}

impl PlannedRls {
    /// Whether, after the apply, the table's owner is sure not to bypass
    /// the policies by way of these switches: FORCE is planned on, or row
    /// level security is planned off (then nobody is held by policies).
    pub fn owner_held_or_off(self) -> bool {
        self.forced == Some(true) || self.enabled == Some(false)
    }
}

/// A table, named the way both row-level-security resources name it: the
/// database (the provider's when the resource leaves it unset), schema and
/// table.
pub type TableKey = (String, String, String);

/// The registry; one per provider process, inside `ProviderState`.
#[derive(Debug, Default)]
pub struct PlannedObjects {
    roles: Mutex<BTreeMap<String, RoleFlags>>,
    rls: Mutex<BTreeMap<TableKey, PlannedRls>>,
}

impl PlannedObjects {
    /// Records a role that a `postgresql_role` plan creates, renames or
    /// keeps, with the attributes the plan states (those not known yet at
    /// `CREATE ROLE`'s defaults).
    pub fn note_role(&self, name: &str, role: RoleFlags) {
        self.roles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_string(), role);
    }

    /// A role planned earlier in this run, if any.
    pub fn role(&self, name: &str) -> Option<RoleFlags> {
        self.roles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .copied()
    }

    /// Records the switches a `postgresql_row_level_security` plan sets on
    /// a table.
    pub fn note_rls(&self, table: TableKey, rls: PlannedRls) {
        self.rls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(table, rls);
    }

    /// The switches planned earlier in this run for `table`, if any. Never
    /// waits: a sibling planned later is simply not seen.
    pub fn rls(&self, table: &TableKey) -> Option<PlannedRls> {
        self.rls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(table)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str) -> TableKey {
        ("db".into(), "public".into(), t.into())
    }

    #[test]
    fn roles_are_remembered() {
        let p = PlannedObjects::default();
        p.note_role(
            "planned_x",
            RoleFlags {
                superuser: true,
                ..Default::default()
            },
        );
        assert!(p.role("planned_x").unwrap().superuser);
        assert!(p.role("never_planned").is_none());
    }

    #[test]
    fn rls_switches_are_remembered_without_waiting() {
        let p = PlannedObjects::default();
        let forced = PlannedRls {
            enabled: Some(true),
            forced: Some(true),
        };
        p.note_rls(key("items"), forced);
        assert_eq!(p.rls(&key("items")), Some(forced));
        assert_eq!(p.rls(&key("never")), None);
        assert!(forced.owner_held_or_off());
        let off = PlannedRls {
            enabled: Some(false),
            forced: Some(false),
        };
        assert!(off.owner_held_or_off());
        let bypassed = PlannedRls {
            enabled: Some(true),
            forced: Some(false),
        };
        assert!(!bypassed.owner_held_or_off());
        assert!(!PlannedRls::default().owner_held_or_off());
    }
}
