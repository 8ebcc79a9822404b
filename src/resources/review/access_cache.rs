//! The access catalog ([`crate::pg::access::Catalog`]) of each database,
//! read once per provider process and shared by every resource's plan.
//!
//! Terraform plans every resource of a run in one provider process, so a
//! plan of a hundred grants would otherwise read the same catalog a
//! hundred times. The catalog is not read again after the provider's own
//! changes: in the apply walk Terraform plans each resource once more just
//! before changing it, and reading the catalog again after every change
//! made that walk quadratic (2,000 grants: 17 s of provider CPU instead of
//! 1.7 s). The reports need no fresh read either: each starts from the
//! catalog plus what this run plans ([`crate::resources::review::planned`]), as in the plan
//! walk, so the apply walk repeats the plan's reports rather than drifting
//! from them. Changes made by other sessions during the run are not seen;
//! the next run (a new provider process) reads afresh.
//!
//! Self-contained on purpose: a catalog snapshot for refresh could share
//! the slot-per-database logic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::pg::access::{load::load, Catalog};
use crate::pg::conn::pool::Pools;
use crate::pg::error::PgError;

/// One database's catalog, once read.
type Slot = Arc<tokio::sync::Mutex<Option<Arc<Catalog>>>>;

/// The cache; one per provider process, inside `ProviderState`.
#[derive(Default)]
pub struct AccessCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl AccessCache {
    /// The catalog of `database` (`None`: the provider's), read on first
    /// use. Plans that ask at once wait for one read rather than each
    /// making their own.
    pub async fn get(
        &self,
        pools: &Pools,
        database: Option<&str>,
    ) -> Result<Arc<Catalog>, PgError> {
        let name = database.unwrap_or(&pools.settings().database).to_string();
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.clone())
            .or_default()
            .clone();
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref() {
            return Ok(c.clone());
        }
        let started = Instant::now();
        let mut conn = pools.get(Some(&name)).await?;
        let catalog = Arc::new(load(&mut conn).await?);
        log::debug!(
            "read the access catalog of database {name:?}: {} roles, {} memberships, {} objects \
             in {} ms",
            catalog.roles.len(),
            catalog.memberships.len(),
            catalog.objects.len(),
            started.elapsed().as_millis()
        );
        *cached = Some(catalog.clone());
        Ok(catalog)
    }
}
