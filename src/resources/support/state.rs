//! The provider's configured connection, shared by every resource.
//!
//! ConfigureProvider runs once per provider process. When the configuration
//! is not known yet (a host coming from another resource during plan), the
//! provider stays deferred: planning works without a server, and anything
//! that needs one says so clearly.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::RwLock;
use tokio_postgres::Transaction;
use tokio_util::sync::CancellationToken;

use crate::pg::access::Catalog;
use crate::pg::catalog::cache::CatalogCache;
use crate::pg::catalog::databases::DatabaseCatalog;
use crate::pg::catalog::default_acl::DefaultAclCatalog;
use crate::pg::catalog::memberships::MembershipCatalog;
use crate::pg::catalog::objects::ObjectCatalog;
use crate::pg::catalog::policies::PolicyCatalog;
use crate::pg::catalog::roles::RoleCatalog;
use crate::pg::conn::acting::Actor;
use crate::pg::conn::alone::{self, Alone, Session};
use crate::pg::conn::exec::Statement;
use crate::pg::conn::pool::{Pools, ServerInfo};
use crate::pg::conn::tx::{self, TxError, TxFuture, TxTarget};
use crate::pg::error::PgError;
use crate::protocol::{DResult, Diagnostic, Diagnostics};

use crate::resources::review::planned::PlannedObjects;

/// A ready connection pool plus what we learned about the server.
pub struct Client {
    /// Pooled connections, one pool per database.
    pub pools: Pools,
    /// Server version and the connected user's capabilities.
    pub info: ServerInfo,
    /// `SET LOCAL lock_timeout` for DDL that locks tables, when configured.
    pub lock_timeout: Option<Duration>,
    /// Whether stored password hashes may be read to detect drift.
    pub read_passwords: bool,
    /// The effective-access report in plans: `None` when turned off
    /// (`plan_access_report = false`), else the most lines one report shows.
    pub access_report: Option<usize>,
    /// Fired by StopProvider: changes not yet committed are rolled back.
    pub stop: CancellationToken,
    /// The catalog reads that refreshes, imports, lists and plan-time
    /// reports answer from, and the rules for when each is read again.
    pub catalogs: CatalogCache,
    /// The provider block's `database_username`: the name of the provider's
    /// role inside the database, where user name maps make it differ from
    /// the login name.
    pub database_username: Option<String>,
}

impl Client {
    /// The provider's own role: `database_username` when set, else the
    /// role the server says the provider is logged in as. New databases
    /// belong to it by default, and a dropped role's objects go to it.
    pub fn own_role(&self) -> &str {
        self.database_username
            .as_deref()
            .unwrap_or(&self.info.current_user)
    }

    /// The provider's role as [`Actor::wrap`] needs it, to act with the
    /// privileges of other roles.
    pub fn actor(&self) -> Actor {
        Actor {
            me: self.own_role().to_string(),
            superuser: self.info.is_superuser,
            version_num: self.info.version_num,
        }
    }

    /// Runs `body` in one transaction on `database` (`None`: the provider's)
    /// and commits it; see [`tx::run`] for retries and cancellation.
    pub async fn transaction<C, T, E, F>(
        &self,
        database: Option<&str>,
        what: &str,
        ctx: &C,
        body: F,
    ) -> Result<T, E>
    where
        C: Sync + ?Sized,
        E: TxError,
        F: for<'t> FnMut(&'t Transaction<'t>, &'t C) -> TxFuture<'t, T, E>,
    {
        let target = TxTarget {
            database,
            lock_timeout: None,
            what,
        };
        tx::run(&self.pools, target, &self.stop, ctx, body).await
    }

    /// Runs statements in one transaction on `database`.
    pub async fn run_statements(
        &self,
        database: Option<&str>,
        what: &str,
        statements: &[Statement],
    ) -> Result<(), PgError> {
        self.run_with_timeout(database, None, what, statements)
            .await
    }

    /// Like [`Client::run_statements`], for DDL that locks a table: the
    /// provider's `lock_timeout` applies.
    pub async fn run_locking_statements(
        &self,
        database: Option<&str>,
        what: &str,
        statements: &[Statement],
    ) -> Result<(), PgError> {
        self.run_with_timeout(database, self.lock_timeout, what, statements)
            .await
    }

    /// A session for statements that cannot run in a transaction block, on
    /// `database`, with the roles of `acting_as` borrowed when the
    /// provider's role is not a superuser; see [`Session`].
    pub async fn alone(
        &self,
        database: Option<&str>,
        what: &str,
        acting_as: &[&str],
    ) -> Result<Session, PgError> {
        let actor = self.actor();
        let target = Alone {
            database,
            actor: &actor,
            acting_as,
            what,
        };
        Session::start(&self.pools, target, &self.stop).await
    }

    /// Runs statements that cannot run in a transaction block, alone on
    /// `database`, each committing on its own (see [`Client::alone`]).
    pub async fn run_alone(
        &self,
        database: Option<&str>,
        what: &str,
        acting_as: &[&str],
        statements: &[Statement],
    ) -> Result<(), PgError> {
        let actor = self.actor();
        let target = Alone {
            database,
            actor: &actor,
            acting_as,
            what,
        };
        alone::run_statements(&self.pools, target, &self.stop, statements).await
    }

    async fn run_with_timeout(
        &self,
        database: Option<&str>,
        lock_timeout: Option<Duration>,
        what: &str,
        statements: &[Statement],
    ) -> Result<(), PgError> {
        let target = TxTarget {
            database,
            lock_timeout,
            what,
        };
        tx::run_statements(&self.pools, target, &self.stop, statements).await
    }
}

/// The cached catalog reads ([`CatalogCache`]) of this connection.
impl Client {
    /// The database `database` names, the provider's own when `None`.
    pub fn database_name<'a>(&'a self, database: Option<&'a str>) -> &'a str {
        database.unwrap_or(&self.pools.settings().database)
    }

    /// Every role (cluster-wide; read through `database`), with password
    /// hashes when the provider may compare them.
    pub async fn role_catalog(&self, database: Option<&str>) -> Result<Arc<RoleCatalog>, PgError> {
        let db = self.database_name(database);
        self.catalogs
            .roles(&self.pools, db, self.read_passwords)
            .await
    }

    /// Every database of the cluster (read through the provider's own).
    pub async fn database_catalog(&self) -> Result<Arc<DatabaseCatalog>, PgError> {
        let db = self.database_name(None);
        self.catalogs.databases(&self.pools, db).await
    }

    /// Every role membership (cluster-wide; read through `database`).
    pub async fn membership_catalog(
        &self,
        database: Option<&str>,
    ) -> Result<Arc<MembershipCatalog>, PgError> {
        let db = self.database_name(database);
        self.catalogs
            .memberships(&self.pools, db, self.info.version_num)
            .await
    }

    /// Every object with its privileges and row-level security switches in
    /// `database`.
    pub async fn object_catalog(
        &self,
        database: Option<&str>,
    ) -> Result<Arc<ObjectCatalog>, PgError> {
        let db = self.database_name(database);
        self.catalogs.objects(&self.pools, db).await
    }

    /// Every default-privileges entry in `database`.
    pub async fn default_acl_catalog(
        &self,
        database: Option<&str>,
    ) -> Result<Arc<DefaultAclCatalog>, PgError> {
        let db = self.database_name(database);
        self.catalogs.default_acls(&self.pools, db).await
    }

    /// Every policy in `database`.
    pub async fn policy_catalog(
        &self,
        database: Option<&str>,
    ) -> Result<Arc<PolicyCatalog>, PgError> {
        let db = self.database_name(database);
        self.catalogs
            .policies(&self.pools, db, self.lock_timeout)
            .await
    }

    /// The access catalog of `database` for plan-time reports, read once
    /// per run.
    pub async fn access_catalog(&self, database: Option<&str>) -> Result<Arc<Catalog>, PgError> {
        let db = self.database_name(database);
        self.catalogs
            .access(&self.pools, db, self.info.version_num, self.read_passwords)
            .await
    }
}

enum Conn {
    Unconfigured,
    /// Configuration had unknown values: we are planning before they exist.
    Deferred,
    Ready(Arc<Client>),
}

/// Connection state shared by the provider and its resources.
pub struct ProviderState {
    conn: RwLock<Conn>,
    /// Cancelled when Terraform asks the provider to stop.
    stop: CancellationToken,
    /// What resources have planned in this run, for each other's checks.
    pub planned: PlannedObjects,
}

impl Default for ProviderState {
    fn default() -> Self {
        ProviderState {
            conn: RwLock::new(Conn::Unconfigured),
            stop: CancellationToken::new(),
            planned: PlannedObjects::default(),
        }
    }
}

impl ProviderState {
    /// The token that StopProvider fires; every transaction watches it.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Stops work in flight: transactions not yet committed roll back.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Records a working client.
    pub async fn set_ready(&self, client: Client) {
        *self.conn.write().await = Conn::Ready(Arc::new(client));
    }

    /// Records that the configuration is not known yet.
    pub async fn set_deferred(&self) {
        *self.conn.write().await = Conn::Deferred;
    }

    /// The client, or a diagnostic saying why there is none.
    pub async fn client(&self) -> DResult<Arc<Client>> {
        match &*self.conn.read().await {
            Conn::Ready(c) => Ok(c.clone()),
            Conn::Deferred => Err(Diagnostics::from(Diagnostic::error(
                "Provider Configuration Not Known Yet",
                "The postgresql provider's configuration depends on values that are only known \
                 after apply, so it cannot reach the server yet. Apply the resources it depends \
                 on first (for example with -target), then run this again.",
            ))),
            Conn::Unconfigured => Err(Diagnostics::from(Diagnostic::error(
                "Provider Not Configured",
                "Terraform did not configure the postgresql provider before using it. This is a \
                 bug; please report it.",
            ))),
        }
    }

    /// Whether the provider's configuration was not known when it was
    /// configured (it depends on a resource not created yet).
    pub async fn is_deferred(&self) -> bool {
        matches!(&*self.conn.read().await, Conn::Deferred)
    }

    /// The client when one is available (plan-time checks are skipped otherwise).
    pub async fn client_opt(&self) -> Option<Arc<Client>> {
        match &*self.conn.read().await {
            Conn::Ready(c) => Some(c.clone()),
            _ => None,
        }
    }
}
