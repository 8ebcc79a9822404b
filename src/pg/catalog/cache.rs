//! The catalog cache: every whole-catalog read the provider keeps in
//! memory, over the connection pools, and the one place that says when each
//! is read again.
//!
//! Terraform reads, plans and lists resources in parallel, thousands at a
//! time, in one provider process. Each kind of read below is taken at most
//! once per database and freshness period; concurrent callers wait for the
//! one load in flight, and a failed load is not kept.
//!
//! # When a read is taken again
//!
//! | reader | rule | why |
//! |---|---|---|
//! | [`CatalogCache::roles`], [`CatalogCache::memberships`], [`CatalogCache::databases`], [`CatalogCache::objects`], [`CatalogCache::default_acls`], [`CatalogCache::policies`] | [`Freshness::FollowsWrites`] | refresh, import and list answer from them, so they must see the provider's own changes |
//! | [`CatalogCache::access`] | [`Freshness::OncePerRun`] | plan-time access reports start from it plus what the run plans |
//!
//! **Follows writes.** Every COMMIT the provider sends bumps the pools'
//! write generation ([`Pools::write_generation`]); a read taken under an
//! older generation is taken again on next use. Changes made by other
//! sessions during one run are seen by the next run, as Terraform expects
//! (a plan reads each object once anyway).
//!
//! **Once per run.** The access catalog is read on first use and kept for
//! the life of the process. In the apply walk Terraform plans each resource
//! once more just before changing it; reading the catalog again after every
//! change made that walk quadratic (2,000 grants: 17 s of provider CPU
//! instead of 1.7 s). The reports need no fresh read: each starts from this
//! catalog plus the run's planned values, so the apply walk repeats the
//! plan's reports rather than drifting from them.
//!
//! The access catalog is built from the same role and membership reads as
//! the refresh snapshots (whichever generation is current when it is first
//! asked for), plus its own read of object and default ACLs: `pg_roles`
//! and `pg_auth_members` are read once, not twice.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::pg::access::{load::load, Catalog};
use crate::pg::catalog::databases::{read_databases, DatabaseCatalog};
use crate::pg::catalog::default_acl::{read_default_acls, DefaultAclCatalog};
use crate::pg::catalog::memberships::{read_memberships, MembershipCatalog};
use crate::pg::catalog::objects::{read_objects, ObjectCatalog};
use crate::pg::catalog::policies::{read_policies, PolicyCatalog};
use crate::pg::catalog::roles::{read_roles, RoleCatalog};
use crate::pg::conn::pool::Pools;
use crate::pg::error::PgError;

/// When a cached read is taken again; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// After any change the provider commits.
    FollowsWrites,
    /// Never, in this process.
    OncePerRun,
}

impl Freshness {
    /// The period a read taken now belongs to.
    fn period(self, pools: &Pools) -> u64 {
        match self {
            Freshness::FollowsWrites => pools.write_generation(),
            Freshness::OncePerRun => 0,
        }
    }
}

/// One read, valid for the period it was started in.
struct Slot<T> {
    period: u64,
    value: OnceCell<Arc<T>>,
}

/// Reads of one kind, by database.
struct Cache<T> {
    rule: Freshness,
    slots: Mutex<HashMap<String, Arc<Slot<T>>>>,
}

impl<T> Cache<T> {
    fn new(rule: Freshness) -> Self {
        Cache {
            rule,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The read of `database` for `period`, loaded with `load` unless a
    /// load for it finished or is in flight (then this waits for it). A
    /// failed load is not kept: the next caller tries again.
    async fn get<F, Fut>(&self, database: &str, period: u64, load: F) -> Result<Arc<T>, PgError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, PgError>>,
    {
        let slot = {
            // Only ever replaced whole, so consistent even after a panic.
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.get(database) {
                Some(s) if s.period == period => s.clone(),
                _ => {
                    let s = Arc::new(Slot {
                        period,
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

    /// [`Cache::get`] in the period the cache's rule gives now; a load is
    /// timed and logged as the `what` of `database`.
    async fn current<F, Fut>(
        &self,
        pools: &Pools,
        database: &str,
        what: &str,
        load: F,
    ) -> Result<Arc<T>, PgError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, PgError>>,
    {
        self.get(database, self.rule.period(pools), || async {
            let started = Instant::now();
            let r = load().await;
            loaded(what, database, started, &r);
            r
        })
        .await
    }
}

/// Every cached catalog read of one configured connection.
pub struct CatalogCache {
    roles: Cache<RoleCatalog>,
    databases: Cache<DatabaseCatalog>,
    memberships: Cache<MembershipCatalog>,
    objects: Cache<ObjectCatalog>,
    default_acls: Cache<DefaultAclCatalog>,
    policies: Cache<PolicyCatalog>,
    access: Cache<Catalog>,
}

impl Default for CatalogCache {
    fn default() -> Self {
        CatalogCache {
            roles: Cache::new(Freshness::FollowsWrites),
            databases: Cache::new(Freshness::FollowsWrites),
            memberships: Cache::new(Freshness::FollowsWrites),
            objects: Cache::new(Freshness::FollowsWrites),
            default_acls: Cache::new(Freshness::FollowsWrites),
            policies: Cache::new(Freshness::FollowsWrites),
            access: Cache::new(Freshness::OncePerRun),
        }
    }
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

impl CatalogCache {
    /// Every role (cluster-wide; read through `database`), with password
    /// hashes when `read_passwords`.
    pub async fn roles(
        &self,
        pools: &Pools,
        database: &str,
        read_passwords: bool,
    ) -> Result<Arc<RoleCatalog>, PgError> {
        self.roles
            .current(pools, database, "roles", || async {
                let conn = pools.get(Some(database)).await?;
                read_roles(&**conn, read_passwords).await
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
            .current(pools, database, "databases", || async {
                let conn = pools.get(None).await?;
                read_databases(&**conn).await
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
            .current(pools, database, "role memberships", || async {
                let conn = pools.get(Some(database)).await?;
                read_memberships(&**conn, version_num).await
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
            .current(pools, database, "objects and privileges", || async {
                let conn = pools.get(Some(database)).await?;
                read_objects(&**conn).await
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
            .current(pools, database, "default privileges", || async {
                let conn = pools.get(Some(database)).await?;
                read_default_acls(&**conn).await
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
            .current(pools, database, "policies", || async {
                let mut conn = pools.get(Some(database)).await?;
                read_policies(&mut conn, lock_timeout).await
            })
            .await
    }

    /// The access catalog of `database` for plan-time reports: the role
    /// and membership reads above (`read_passwords` as for them, so both
    /// share one read) plus the object and default ACLs.
    pub async fn access(
        &self,
        pools: &Pools,
        database: &str,
        version_num: i32,
        read_passwords: bool,
    ) -> Result<Arc<Catalog>, PgError> {
        self.access
            .current(pools, database, "access catalog", || async {
                let (roles, memberships) = tokio::try_join!(
                    self.roles(pools, database, read_passwords),
                    self.memberships(pools, database, version_num),
                )?;
                let mut conn = pools.get(Some(database)).await?;
                let r = load(&mut conn, database, version_num, &roles, &memberships).await;
                if let Ok(c) = &r {
                    log::debug!(
                        "access catalog of database {database:?}: {} roles, {} memberships, {} \
                         objects",
                        c.roles.len(),
                        c.memberships.len(),
                        c.objects.len()
                    );
                }
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
    async fn one_load_per_period_and_concurrent_readers_share_it() {
        let cache: Cache<usize> = Cache::new(Freshness::FollowsWrites);
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
        // Another database has its own read.
        cache.get("other", 1, load).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_load_is_tried_again() {
        let cache: Cache<usize> = Cache::new(Freshness::FollowsWrites);
        let failed = cache
            .get("db", 0, || async { Err(PgError::Pool("down".into())) })
            .await;
        assert!(failed.is_err());
        let ok = cache.get("db", 0, || async { Ok(1) }).await;
        assert_eq!(*ok.unwrap(), 1);
    }
}
