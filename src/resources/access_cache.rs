//! The access catalog ([`crate::pg::access::Catalog`]) of each database,
//! read once per run and shared by every resource's plan.
//!
//! Terraform plans every resource of a run in one provider process, so a
//! plan of a hundred grants would otherwise read the same catalog a
//! hundred times. An entry stays valid until the provider itself changes
//! something ([`crate::pg::pool::Pools::write_generation`]): during an
//! apply, a resource planned after another one's change sees that change.
//! Changes made by other sessions during the run are not seen; the next
//! run (a new provider process) reads afresh.
//!
//! Self-contained on purpose: a catalog snapshot for refresh could share
//! the slot-per-database and the generation check.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::pg::access::{load::load, Catalog};
use crate::pg::error::PgError;

use super::state::Client;

/// One database's catalog and the write generation it was read at.
struct Cached {
    generation: u64,
    catalog: Arc<Catalog>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// The cache; one per provider process, inside `ProviderState`.
#[derive(Default)]
pub struct AccessCache {
    slots: Mutex<HashMap<String, Slot>>,
}

impl AccessCache {
    /// The catalog of `database` (`None`: the provider's), read now unless
    /// a read made since the provider's last change is at hand. Plans that
    /// ask at once wait for one read rather than each making their own.
    pub async fn get(
        &self,
        client: &Client,
        database: Option<&str>,
    ) -> Result<Arc<Catalog>, PgError> {
        let name = database
            .unwrap_or(&client.pools.settings().database)
            .to_string();
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.clone())
            .or_default()
            .clone();
        let mut cached = slot.lock().await;
        // Taken before the read: a change committed while reading makes the
        // result stale at once, never wrongly fresh.
        let generation = client.pools.write_generation();
        if let Some(c) = cached.as_ref().filter(|c| c.generation == generation) {
            return Ok(c.catalog.clone());
        }
        let started = Instant::now();
        let mut conn = client.pools.get(Some(&name)).await?;
        let catalog = Arc::new(load(&mut conn).await?);
        log::debug!(
            "read the access catalog of database {name:?}: {} roles, {} memberships, {} objects \
             in {} ms",
            catalog.roles.len(),
            catalog.memberships.len(),
            catalog.objects.len(),
            started.elapsed().as_millis()
        );
        *cached = Some(Cached {
            generation,
            catalog: catalog.clone(),
        });
        Ok(catalog)
    }
}
