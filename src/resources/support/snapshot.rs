//! Catalog snapshots: refreshes, imports and lists read every object of a
//! type in a database with one query ([`crate::pg::catalog`]) and answer
//! from memory, instead of sending one query per resource.
//!
//! A snapshot is taken at most once per type and database in a provider
//! process: Terraform reads resources in parallel, and every read of the
//! same type and database waits for the one load in flight. The provider's
//! own changes invalidate every snapshot: each COMMIT bumps the pools'
//! generation ([`crate::pg::conn::pool::Pools::write_generation`]), and a snapshot taken
//! under an older generation is read again on next use. Changes made by
//! others during one run are seen by the next run, as Terraform expects
//! (a plan reads each object once anyway).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::pg::catalog::databases::{read_databases, DatabaseCatalog};
use crate::pg::catalog::default_acl::{read_default_acls, DefaultAclCatalog};
use crate::pg::catalog::memberships::{read_memberships, MembershipCatalog};
use crate::pg::catalog::objects::{read_objects, ObjectCatalog};
use crate::pg::catalog::policies::{read_policies, PolicyCatalog};
use crate::pg::catalog::roles::{read_roles, RoleCatalog};
use crate::pg::conn::pool::Pools;
use crate::pg::error::PgError;

/// One snapshot, valid for the generation it was started under.
struct Slot<T> {
    generation: u64,
    value: OnceCell<Arc<T>>,
}

/// Snapshots of one type, by database.
struct Cache<T> {
    slots: Mutex<HashMap<String, Arc<Slot<T>>>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> Cache<T> {
    /// The snapshot of `database` for `generation`, loaded with `load`
    /// unless a load for it finished or is in flight (then this waits for
    /// it). A failed load is not kept: the next caller tries again.
    async fn get<F, Fut>(&self, database: &str, generation: u64, load: F) -> Result<Arc<T>, PgError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, PgError>>,
    {
        let slot = {
            // Only ever replaced whole, so consistent even after a panic.
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.get(database) {
                Some(s) if s.generation == generation => s.clone(),
                _ => {
                    let s = Arc::new(Slot {
                        generation,
                        value: OnceCell::new(),
                    });
                    slots.insert(database.to_string(), s.clone());
                    s
                }
            }
        };
        slot.value
            .get_or_try_init(|| async { load().await.map(Arc::new) })
            .await
            .cloned()
    }
}

/// Every snapshot of one configured connection.
#[derive(Default)]
pub struct Snapshots {
    roles: Cache<RoleCatalog>,
    databases: Cache<DatabaseCatalog>,
    memberships: Cache<MembershipCatalog>,
    objects: Cache<ObjectCatalog>,
    default_acls: Cache<DefaultAclCatalog>,
    policies: Cache<PolicyCatalog>,
}

/// Logs how long a load took, for `TF_LOG_PROVIDER=debug` profiles.
fn loaded<T>(what: &str, database: &str, started: Instant, r: &Result<T, PgError>) {
    match r {
        Ok(_) => log::debug!(
            "read the {what} of database {database:?} in {} ms",
            started.elapsed().as_millis()
        ),
        Err(e) => log::debug!("reading the {what} of database {database:?} failed: {e}"),
    }
}

impl Snapshots {
    /// Every role (cluster-wide; read through `database`), with password
    /// hashes when `read_passwords`.
    pub async fn roles(
        &self,
        pools: &Pools,
        database: &str,
        read_passwords: bool,
    ) -> Result<Arc<RoleCatalog>, PgError> {
        self.roles
            .get(database, pools.write_generation(), || async {
                let started = Instant::now();
                let conn = pools.get(Some(database)).await?;
                let r = read_roles(&**conn, read_passwords).await;
                loaded("roles", database, started, &r);
                r
            })
            .await
    }

    /// Every database of the cluster, read through the provider's own,
    /// `database`.
    pub async fn databases(
        &self,
        pools: &Pools,
        database: &str,
    ) -> Result<Arc<DatabaseCatalog>, PgError> {
        self.databases
            .get(database, pools.write_generation(), || async {
                let started = Instant::now();
                let conn = pools.get(None).await?;
                let r = read_databases(&**conn).await;
                loaded("databases", database, started, &r);
                r
            })
            .await
    }

    /// Every role membership (cluster-wide; read through `database`).
    pub async fn memberships(
        &self,
        pools: &Pools,
        database: &str,
        version_num: i32,
    ) -> Result<Arc<MembershipCatalog>, PgError> {
        self.memberships
            .get(database, pools.write_generation(), || async {
                let started = Instant::now();
                let conn = pools.get(Some(database)).await?;
                let r = read_memberships(&**conn, version_num).await;
                loaded("role memberships", database, started, &r);
                r
            })
            .await
    }

    /// Every object with its privileges and row-level security switches in
    /// `database`.
    pub async fn objects(
        &self,
        pools: &Pools,
        database: &str,
    ) -> Result<Arc<ObjectCatalog>, PgError> {
        self.objects
            .get(database, pools.write_generation(), || async {
                let started = Instant::now();
                let conn = pools.get(Some(database)).await?;
                let r = read_objects(&**conn).await;
                loaded("objects and privileges", database, started, &r);
                r
            })
            .await
    }

    /// Every default-privileges entry in `database`.
    pub async fn default_acls(
        &self,
        pools: &Pools,
        database: &str,
    ) -> Result<Arc<DefaultAclCatalog>, PgError> {
        self.default_acls
            .get(database, pools.write_generation(), || async {
                let started = Instant::now();
                let conn = pools.get(Some(database)).await?;
                let r = read_default_acls(&**conn).await;
                loaded("default privileges", database, started, &r);
                r
            })
            .await
    }

    /// Every policy in `database`, read under `lock_timeout`.
    pub async fn policies(
        &self,
        pools: &Pools,
        database: &str,
        lock_timeout: Option<Duration>,
    ) -> Result<Arc<PolicyCatalog>, PgError> {
        self.policies
            .get(database, pools.write_generation(), || async {
                let started = Instant::now();
                let mut conn = pools.get(Some(database)).await?;
                let r = read_policies(&mut conn, lock_timeout).await;
                loaded("policies", database, started, &r);
                r
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_load_per_generation_and_concurrent_readers_share_it() {
        let cache: Cache<usize> = Cache::default();
        let loads = AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok(7)
        };
        let (a, b) = tokio::join!(cache.get("db", 0, load), cache.get("db", 0, load));
        assert_eq!((*a.unwrap(), *b.unwrap()), (7, 7));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        cache.get("db", 0, load).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        // A commit happened: read again.
        cache.get("db", 1, load).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        // Another database has its own snapshot.
        cache.get("other", 1, load).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_load_is_tried_again() {
        let cache: Cache<usize> = Cache::default();
        let failed = cache
            .get("db", 0, || async { Err(PgError::Pool("down".into())) })
            .await;
        assert!(failed.is_err());
        let ok = cache.get("db", 0, || async { Ok(1) }).await;
        assert_eq!(*ok.unwrap(), 1);
    }
}
