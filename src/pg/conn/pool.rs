//! Connection pools: one per database on the configured server, created on
//! first use and shared by all callers.
//!
//! Access-control objects live in many databases (privileges on schemas and
//! tables can only be granted while connected to their database), so a
//! single pool is not enough; but opening a fresh connection for every
//! operation would make a large plan slow and could exhaust the server's
//! connection slots. Each database therefore gets a pool capped at
//! `max_connections`, whose connections are reused.
//!
//! TLS is set up in [`crate::pg::conn::tls`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use deadpool_postgres::{
    Hook, HookError, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
    TimeoutType,
};
use tokio_postgres::NoTls;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::pg::conn::iam::TokenSource;
use crate::pg::conn::reach::connect::{Connector, Route};
use crate::pg::conn::settings::ConnectSettings;
use crate::pg::conn::tls;
use crate::pg::error::PgError;

/// Session settings every connection pins right after it is opened, over
/// whatever the server, the database (`ALTER DATABASE ... SET`) or the
/// provider's role (`ALTER ROLE ... SET`) chose as defaults. The provider's
/// SQL depends on them:
/// * `standard_conforming_strings`: quoted literals and the policy
///   expression guard read a backslash as an ordinary character; with it
///   off, `'\''` would end a literal where the guard saw none end.
/// * `quote_all_identifiers`: expressions and names the server prints back
///   are compared with what the configuration says.
/// * `DateStyle` and `IntervalStyle`: timestamps read back as text (such as
///   `valid_until`) have one spelling.
pub const PINNED_SESSION_SETTINGS: &str = "SET standard_conforming_strings = on; \
     SET quote_all_identifiers = off; \
     SET DateStyle = 'ISO, MDY'; \
     SET IntervalStyle = postgres";

/// What [`Pools::check`] learns about the server and the login role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `server_version_num`, e.g. 150004.
    pub version_num: i32,
    /// The role we are logged in as.
    pub current_user: String,
    /// Whether that role is a superuser.
    pub is_superuser: bool,
    /// Whether that role has CREATEROLE.
    pub can_create_role: bool,
    /// Whether it may read `pg_authid` (needed to compare password hashes).
    pub can_read_authid: bool,
}

/// Per-database connection pools for one server.
#[derive(Clone)]
pub struct Pools {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ConnectSettings,
    /// `None` when connections are plaintext (sslmode disable, Unix socket).
    tls: Option<MakeRustlsConnect>,
    /// `None` for direct connections; else the tunnel or proxy every
    /// database's pool goes through (one SSH session for all of them).
    route: Option<Arc<Route>>,
    /// Where each new connection's password comes from with an IAM login.
    iam: Option<Arc<TokenSource>>,
    pools: Mutex<HashMap<String, Pool>>,
    /// Transactions that reached COMMIT (see [`Pools::write_generation`]).
    writes: AtomicU64,
}

impl std::fmt::Debug for Pools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pools")
            .field("settings", &self.inner.settings)
            .field("tls", &self.inner.tls.is_some())
            .field("route", &self.inner.route)
            .finish_non_exhaustive()
    }
}

impl Pools {
    /// Prepares pools for a server. Nothing connects yet; TLS files are read
    /// now so mistakes in them are reported before any work starts.
    ///
    /// TLS follows `sslmode` as libpq does; see [`tls::connector`].
    ///
    /// A client certificate and key are loaded when configured.
    pub fn new(settings: ConnectSettings) -> Result<Pools, PgError> {
        if settings.max_connections == 0 {
            return Err(PgError::Settings(
                "max_connections must be at least 1".to_owned(),
            ));
        }
        let tls = tls::connector(&settings)?;
        let route = if settings.reach.is_direct() {
            None
        } else {
            let route = Route::new(settings.reach.clone(), &settings.host).map_err(|cause| {
                PgError::Reach {
                    endpoint: settings.endpoint(),
                    cause,
                }
            })?;
            Some(Arc::new(route))
        };
        if settings.iam.is_some() && !settings.is_unix_socket() && tls.is_none() {
            return Err(PgError::Settings(
                "an IAM login sends a token as the password, which needs TLS: sslmode must not \
                 be disable"
                    .to_owned(),
            ));
        }
        let iam = settings
            .iam
            .clone()
            .map(|auth| Arc::new(TokenSource::new(auth)));
        Ok(Pools {
            inner: Arc::new(Inner {
                settings,
                tls,
                route,
                iam,
                pools: Mutex::new(HashMap::new()),
                writes: AtomicU64::new(0),
            }),
        })
    }

    /// The settings these pools connect with.
    pub fn settings(&self) -> &ConnectSettings {
        &self.inner.settings
    }

    /// How many changing transactions this process has sent COMMIT for.
    /// Anything read from the catalog before the number last changed may
    /// be out of date: caches of catalog reads compare it.
    pub fn write_generation(&self) -> u64 {
        self.inner.writes.load(Ordering::Acquire)
    }

    /// Records that a changing transaction sent COMMIT (whatever the
    /// outcome: a commit that failed on the wire may still have happened).
    pub fn note_write(&self) {
        self.inner.writes.fetch_add(1, Ordering::AcqRel);
    }

    /// A connection to `database` (`None`: the settings' database), reused
    /// from the pool when one is idle.
    pub async fn get(&self, database: Option<&str>) -> Result<Object, PgError> {
        let database = database.unwrap_or(&self.inner.settings.database);
        let pool = self.pool_for(database)?;
        pool.get().await.map_err(|e| self.pool_error(e))
    }

    /// Closes the pool of `database`, if there is one: its idle connections
    /// end now, connections in use end when they are returned. A later
    /// [`Pools::get`] opens a new pool. DROP DATABASE, ALTER DATABASE
    /// RENAME and SET TABLESPACE refuse a database anyone is connected to,
    /// the provider's own pooled sessions included.
    pub fn close(&self, database: &str) {
        let pool = self
            .inner
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(database);
        if let Some(pool) = pool {
            log::debug!("closing the connections to database {database:?}");
            pool.close();
        }
    }

    /// Connects to the default database and reports what the provider needs
    /// to know about the server and its own role.
    pub async fn check(&self) -> Result<ServerInfo, PgError> {
        let client = self.get(None).await?;
        let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int4, \
                        current_user::text, \
                        coalesce((SELECT rolsuper FROM pg_catalog.pg_roles \
                                  WHERE rolname = current_user), false), \
                        has_table_privilege('pg_catalog.pg_authid', 'SELECT'), \
                        coalesce((SELECT rolcreaterole FROM pg_catalog.pg_roles \
                                  WHERE rolname = current_user), false)",
                &[],
            )
            .await
            .map_err(|e| PgError::query("checking the server version and login role", e))?;
        let get_err = |e| PgError::query("reading the server version and login role", e);
        Ok(ServerInfo {
            version_num: row.try_get(0).map_err(get_err)?,
            current_user: row.try_get(1).map_err(get_err)?,
            is_superuser: row.try_get(2).map_err(get_err)?,
            can_read_authid: row.try_get(3).map_err(get_err)?,
            can_create_role: row.try_get(4).map_err(get_err)?,
        })
    }

    fn pool_for(&self, database: &str) -> Result<Pool, PgError> {
        // The map is only ever inserted into whole, so it is consistent even
        // if another thread panicked while holding the lock.
        let mut pools = self
            .inner
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(pool) = pools.get(database) {
            return Ok(pool.clone());
        }

        let settings = &self.inner.settings;
        let pg_config = settings.pg_config(database);
        let manager_config = ManagerConfig {
            // Reuse without a round trip; a connection the server closed is
            // still detected and replaced.
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match (&self.inner.route, &self.inner.iam, &self.inner.tls) {
            (None, None, Some(tls)) => Manager::from_config(pg_config, tls.clone(), manager_config),
            (None, None, None) => Manager::from_config(pg_config, NoTls, manager_config),
            (route, iam, tls) => Manager::from_connect(
                pg_config,
                Connector {
                    route: route.clone(),
                    iam: iam.clone(),
                    tls: tls.clone(),
                    host: settings.host.clone(),
                    port: settings.port,
                },
                manager_config,
            ),
        };
        // tokio-postgres's connect_timeout covers only the TCP connect; the
        // create timeout also bounds the TLS handshake and authentication,
        // matching libpq's connect_timeout.
        let pool = Pool::builder(manager)
            .max_size(settings.max_connections)
            .runtime(Runtime::Tokio1)
            .post_create(Hook::async_fn(|client, _| {
                Box::pin(async move {
                    client
                        .batch_execute(PINNED_SESSION_SETTINGS)
                        .await
                        .map_err(HookError::Backend)
                })
            }))
            .create_timeout(settings.effective_connect_timeout())
            .build()
            .map_err(|e| {
                PgError::Pool(format!("creating the pool for database {database:?}: {e}"))
            })?;
        pools.insert(database.to_owned(), pool.clone());
        Ok(pool)
    }

    fn pool_error(&self, e: PoolError) -> PgError {
        let settings = &self.inner.settings;
        match e {
            PoolError::Backend(e) => PgError::connect(settings.endpoint(), &e),
            PoolError::Timeout(TimeoutType::Create) => PgError::Connect {
                endpoint: settings.endpoint(),
                cause: format!(
                    "timed out{}{}",
                    match settings.effective_connect_timeout() {
                        Some(t) => format!(" after {}s", t.as_secs_f64()),
                        None => String::new(),
                    },
                    self.inner
                        .route
                        .as_ref()
                        .map(|r| r.describe(&settings.host))
                        .unwrap_or_default()
                ),
                sqlstate: None,
            },
            PoolError::Timeout(TimeoutType::Wait) => {
                PgError::Pool("timed out waiting for a free connection".to_owned())
            }
            PoolError::Timeout(TimeoutType::Recycle) => {
                PgError::Pool("timed out checking an idle connection".to_owned())
            }
            PoolError::Closed => PgError::Pool("the pool has been closed".to_owned()),
            PoolError::NoRuntimeSpecified => {
                PgError::Pool("no async runtime configured".to_owned())
            }
            PoolError::PostCreateHook(HookError::Backend(e)) => {
                PgError::query("pinning the session settings of a new connection", e)
            }
            PoolError::PostCreateHook(e) => {
                PgError::Pool(format!("setting up a new connection: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::conn::settings::SslMode;

    fn settings() -> ConnectSettings {
        ConnectSettings {
            host: "127.0.0.1".to_owned(),
            password: Some("x".to_owned()),
            ..ConnectSettings::default()
        }
    }

    #[test]
    fn rejects_zero_connections() {
        let s = ConnectSettings {
            max_connections: 0,
            ..settings()
        };
        assert!(matches!(Pools::new(s), Err(PgError::Settings(_))));
    }

    #[test]
    fn verify_modes_need_root_cert() {
        for mode in [SslMode::VerifyCa, SslMode::VerifyFull] {
            let s = ConnectSettings {
                sslmode: mode,
                ..settings()
            };
            let err = Pools::new(s).unwrap_err().to_string();
            assert!(
                err.contains("sslrootcert") && err.contains(mode.as_str()),
                "{err}"
            );
        }
        for mode in [SslMode::Disable, SslMode::Prefer, SslMode::Require] {
            let s = ConnectSettings {
                sslmode: mode,
                ..settings()
            };
            assert!(Pools::new(s).is_ok(), "{mode}");
        }
        // No TLS over Unix sockets, so no root certificate is needed.
        let s = ConnectSettings {
            host: "/tmp".to_owned(),
            sslmode: SslMode::VerifyFull,
            ..settings()
        };
        assert!(Pools::new(s).is_ok());
    }

    #[test]
    fn bad_tls_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir
            .path()
            .join("missing.crt")
            .to_string_lossy()
            .into_owned();
        let empty = dir.path().join("empty.crt");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let empty = empty.to_string_lossy().into_owned();

        for root in [&missing, &empty] {
            let s = ConnectSettings {
                sslmode: SslMode::VerifyCa,
                sslrootcert: Some(root.clone()),
                ..settings()
            };
            match Pools::new(s) {
                Err(PgError::Tls { path, .. }) => assert_eq!(&path, root),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn silent_server_times_out() {
        // The kernel completes the TCP handshake for a listening socket even
        // if nobody accepts, so the startup message goes unanswered.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let s = ConnectSettings {
            port,
            sslmode: SslMode::Disable,
            connect_timeout: Some(std::time::Duration::from_millis(300)),
            ..settings()
        };
        let started = std::time::Instant::now();
        let err = Pools::new(s).unwrap().get(None).await.unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            err.to_string(),
            format!("could not connect to PostgreSQL at 127.0.0.1:{port}: timed out after 0.3s")
        );
        drop(listener);
    }

    #[tokio::test]
    async fn connection_refused_names_endpoint() {
        // Bind and drop a listener to find a port nothing listens on.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let s = ConnectSettings {
            port,
            sslmode: SslMode::Disable,
            password: Some("very-secret-pw".to_owned()),
            ..settings()
        };
        let pools = Pools::new(s).unwrap();
        let err = pools.get(None).await.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!(
                "could not connect to PostgreSQL at 127.0.0.1:{port}: "
            )),
            "{msg}"
        );
        assert!(msg.contains("refused"), "{msg}");
        assert!(!msg.contains("very-secret-pw"), "{msg}");
        assert!(err.sqlstate().is_none());
    }
}
