//! What this provider process has planned so far in the current run, so
//! that plan-time checks of one resource know about objects another resource
//! is about to create.
//!
//! Terraform plans every resource of a run in one provider process, in
//! dependency order and otherwise in parallel. A resource that references
//! another (a membership naming a `postgresql_role`) is planned after it and
//! finds it here. Resources planned side by side may come in either order,
//! so [`PlannedObjects::rls_planned`] can wait a moment for the other one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Attributes of a role as a `postgresql_role` plan states them (unknown
/// values are `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlannedRole {
    /// SUPERUSER.
    pub superuser: Option<bool>,
    /// BYPASSRLS.
    pub bypassrls: Option<bool>,
    /// CREATEROLE.
    pub createrole: Option<bool>,
    /// INHERIT.
    pub inherit: Option<bool>,
    /// LOGIN.
    pub login: Option<bool>,
}

/// A table, named the way both row-level-security resources name it: the
/// database (the provider's when the resource leaves it unset), schema and
/// table.
pub type TableKey = (String, String, String);

/// The registry; one per provider process, inside `ProviderState`.
#[derive(Debug, Default)]
pub struct PlannedObjects {
    roles: Mutex<BTreeMap<String, PlannedRole>>,
    rls_tables: Mutex<BTreeSet<TableKey>>,
    policy_tables: Mutex<BTreeSet<TableKey>>,
    /// Woken whenever a table is added to `rls_tables` or `policy_tables`.
    rls_noted: Notify,
}

impl PlannedObjects {
    /// Records a role that a `postgresql_role` plan creates, renames or keeps.
    pub fn note_role(&self, name: &str, role: PlannedRole) {
        self.roles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_string(), role);
    }

    /// A role planned in this run, if any.
    pub fn role(&self, name: &str) -> Option<PlannedRole> {
        self.roles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .copied()
    }

    /// Records that row-level security is planned on for a table.
    pub fn note_rls(&self, table: TableKey) {
        self.note(&self.rls_tables, table);
    }

    /// Records that a policy on a table is planned (kept, created or
    /// changed) in this run.
    pub fn note_policy(&self, table: TableKey) {
        self.note(&self.policy_tables, table);
    }

    fn note(&self, set: &Mutex<BTreeSet<TableKey>>, table: TableKey) {
        set.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(table);
        self.rls_noted.notify_waiters();
    }

    /// Whether row-level security is planned on for `table` in this run,
    /// waiting up to `wait` for a plan that has not arrived yet.
    pub async fn rls_planned(&self, table: &TableKey, wait: Duration) -> bool {
        self.wait_for(&self.rls_tables, table, wait).await
    }

    /// Whether a policy on `table` is planned in this run, waiting up to
    /// `wait` like [`PlannedObjects::rls_planned`].
    pub async fn policy_planned(&self, table: &TableKey, wait: Duration) -> bool {
        self.wait_for(&self.policy_tables, table, wait).await
    }

    async fn wait_for(
        &self,
        set: &Mutex<BTreeSet<TableKey>>,
        table: &TableKey,
        wait: Duration,
    ) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            // Registered before the check, so a note made between the check
            // and the wait still wakes us.
            let noted = self.rls_noted.notified();
            tokio::pin!(noted);
            noted.as_mut().enable();
            if set
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(table)
            {
                return true;
            }
            if tokio::time::timeout_at(deadline, noted).await.is_err() {
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn key(t: &str) -> TableKey {
        ("db".into(), "public".into(), t.into())
    }

    #[test]
    fn roles_are_remembered() {
        let p = PlannedObjects::default();
        p.note_role(
            "planned_x",
            PlannedRole {
                superuser: Some(true),
                ..Default::default()
            },
        );
        assert_eq!(p.role("planned_x").unwrap().superuser, Some(true));
        assert!(p.role("never_planned").is_none());
    }

    #[tokio::test]
    async fn rls_planned_later_is_waited_for() {
        let p = Arc::new(PlannedObjects::default());
        let waiter = {
            let p = p.clone();
            tokio::spawn(async move { p.rls_planned(&key("items"), Duration::from_secs(5)).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        p.note_rls(key("other"));
        p.note_rls(key("items"));
        assert!(waiter.await.unwrap());
        assert!(
            !p.rls_planned(&key("never"), Duration::from_millis(20))
                .await
        );
    }
}
