//! A three-node Citus cluster for the Citus acceptance suite: a coordinator
//! and two workers, each a [`Cluster`] on its own loopback port, started
//! from the Citus-enabled PostgreSQL that `scripts/install-tools.sh citus`
//! builds (its bin dir comes in `CITUS_PG_BIN`). [`shared_citus`] gives the
//! one cluster all Citus tests of a test binary share, started on first use.
//!
//! Authentication between nodes: Citus opens libpq connections from inside
//! the servers, to the other nodes and to itself, as the session's current
//! role (the superuser for DDL, a tenant role for a tenant's query). Every
//! server is started with `PGPASSFILE` pointing at one password file that the
//! harness owns and tests append to ([`CitusCluster::add_login`]). That keeps
//! SCRAM on every node, including the coordinator the provider logs in to,
//! and works for any role a test creates, whereas `trust` on the workers
//! would still leave the coordinator's connections to itself unsolved and
//! `pg_dist_authinfo` is per node and per role, and not synced to workers.
//! The provider sends passwords as SCRAM verifiers, which Citus copies
//! verbatim to the workers, so one line per role (any port) is enough.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use rand::distr::{Alphanumeric, SampleString};

use super::cluster::{give_to_server_user, Cluster, ClusterOptions};
use super::sql::{exec, query_one_str};

/// The environment variable naming the Citus-enabled bin dir.
pub const CITUS_PG_BIN_ENV: &str = "CITUS_PG_BIN";

/// A running coordinator with two workers, all registered in the
/// coordinator's `pg_dist_node`.
#[derive(Debug)]
pub struct CitusCluster {
    /// The node the provider connects to; it holds no shards of distributed
    /// tables, but a placement of every reference table.
    pub coordinator: Cluster,
    /// The two workers, where the shards live.
    pub workers: Vec<Cluster>,
    /// The password file every server reads (see the module docs).
    pgpass: PathBuf,
    /// Serialises appends to `pgpass` from tests running in parallel.
    pgpass_lock: Mutex<()>,
    /// Removes the password file's directory once the test process exits.
    _pgpass_watchdog: Child,
}

static SHARED_CITUS: OnceLock<CitusCluster> = OnceLock::new();

/// The Citus-enabled bin dir from `CITUS_PG_BIN`, or why there is none.
pub fn citus_bin_dir() -> Result<PathBuf, String> {
    match std::env::var_os(CITUS_PG_BIN_ENV).filter(|d| !d.is_empty()) {
        None => Err(format!(
            "{CITUS_PG_BIN_ENV} is not set (scripts/test.sh sets it from \
             `scripts/install-tools.sh citus` when the Citus source is available)"
        )),
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.join("postgres").is_file() {
                Ok(dir)
            } else {
                Err(format!(
                    "{CITUS_PG_BIN_ENV}={} has no postgres binary",
                    dir.display()
                ))
            }
        }
    }
}

/// The Citus cluster shared by every test of this test process.
pub fn shared_citus(bin_dir: &Path) -> &'static CitusCluster {
    SHARED_CITUS.get_or_init(|| CitusCluster::start(bin_dir))
}

impl CitusCluster {
    /// Starts three servers with Citus preloaded, creates the extension in
    /// each and registers the coordinator and the workers; panics with the
    /// server's message when any step fails.
    pub fn start(bin_dir: &Path) -> CitusCluster {
        let started = Instant::now();
        let (pgpass, pgpass_watchdog) = make_pgpass_file();
        let opts = ClusterOptions {
            bin_dir: Some(bin_dir.to_path_buf()),
            settings: vec![
                ("shared_preload_libraries".into(), "citus".into()),
                // The servers listen on 127.0.0.1 only; Citus's default
                // `localhost` for a node's connections to itself may
                // resolve to ::1.
                ("citus.local_hostname".into(), "127.0.0.1".into()),
            ],
            server_env: vec![("PGPASSFILE".into(), pgpass.display().to_string())],
            // One for all: `citus_add_node` overwrites a worker's superuser
            // with the coordinator's, password included (the superuser is
            // a distributed role, as the extension's owner).
            superuser_password: Some(Alphanumeric.sample_string(&mut rand::rng(), 32)),
            hba: Vec::new(),
        };
        // initdb and start take a few seconds each; overlap them.
        let mut nodes: Vec<Cluster> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let opts = opts.clone();
                    s.spawn(move || Cluster::start(opts))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a Citus node failed to start"))
                .collect()
        });
        let coordinator = nodes.remove(0);
        let cluster = CitusCluster {
            coordinator,
            workers: nodes,
            pgpass,
            pgpass_lock: Mutex::new(()),
            _pgpass_watchdog: pgpass_watchdog,
        };
        cluster.add_login(
            cluster.coordinator.superuser(),
            cluster.coordinator.password(),
        );
        cluster.register_nodes();
        eprintln!(
            "support::citus: coordinator on port {}, workers on {:?}, ready in {:.1}s",
            cluster.coordinator.port(),
            cluster.workers.iter().map(|w| w.port()).collect::<Vec<_>>(),
            started.elapsed().as_secs_f64()
        );
        cluster
    }

    /// The coordinator, then the workers.
    pub fn nodes(&self) -> impl Iterator<Item = &Cluster> {
        std::iter::once(&self.coordinator).chain(self.workers.iter())
    }

    /// Lets the servers log in to every node as `role` with `password`: the
    /// coordinator needs it to run `role`'s queries on the workers.
    pub fn add_login(&self, role: &str, password: &str) {
        self.append_pgpass("127.0.0.1", "*", role, password);
    }

    fn append_pgpass(&self, host: &str, port: &str, user: &str, password: &str) {
        // Lines are matched in order and the first match wins, so a role's
        // later line never overrides an earlier one: tests use fresh names.
        let _guard = self
            .pgpass_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let line = format!(
            "{}:{}:*:{}:{}\n",
            pgpass_escape(host),
            pgpass_escape(port),
            pgpass_escape(user),
            pgpass_escape(password)
        );
        let mut file = OpenOptions::new()
            .append(true)
            .open(&self.pgpass)
            .unwrap_or_else(|e| panic!("open {}: {e}", self.pgpass.display()));
        file.write_all(line.as_bytes())
            .unwrap_or_else(|e| panic!("append to {}: {e}", self.pgpass.display()));
    }

    /// `CREATE EXTENSION citus` everywhere (workers first: it also turns on
    /// SSL, which the coordinator's connections require), then the node
    /// registrations, then a health check that has every node connect to
    /// every other, which proves the password file works.
    fn register_nodes(&self) {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.try_register()));
        if outcome.is_err() {
            // The servers' side of a failed setup is in their logs.
            for node in self.nodes() {
                let log = node.log_contents();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                eprintln!(
                    "--- log of the node on port {} (last lines) ---\n{}",
                    node.port(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            panic!("Citus setup failed (see the panic and the node logs above)");
        }
    }

    fn try_register(&self) {
        let coordinator = (
            self.coordinator.port(),
            self.coordinator.password().to_string(),
        );
        let workers: Vec<(u16, String)> = self
            .workers
            .iter()
            .map(|w| (w.port(), w.password().to_string()))
            .collect();
        // Own thread and runtime: this may run inside a test's runtime,
        // where blocking on another future would panic.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("build runtime");
            rt.block_on(async move {
                for (port, password) in workers.iter().chain([&coordinator]) {
                    let client = connect(*port, password).await;
                    exec(&client, "CREATE EXTENSION citus").await;
                }
                let client = connect(coordinator.0, &coordinator.1).await;
                exec(
                    &client,
                    &format!(
                        "SELECT citus_set_coordinator_host('127.0.0.1', {})",
                        coordinator.0
                    ),
                )
                .await;
                for (port, _) in &workers {
                    exec(
                        &client,
                        &format!("SELECT citus_add_node('127.0.0.1', {port})"),
                    )
                    .await;
                }
                let failed = query_one_str(
                    &client,
                    "SELECT count(*)::text || ' checks; failed: ' || \
                            coalesce(string_agg(from_nodeport || '->' || to_nodeport, ', ') \
                                     FILTER (WHERE result IS NOT TRUE), 'none') \
                     FROM citus_check_cluster_node_health()",
                    &[],
                )
                .await;
                assert_eq!(failed, "9 checks; failed: none", "node-to-node connections");
            })
        })
        .join()
        .expect("Citus setup failed");
    }
}

async fn connect(port: u16, password: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::Config::new()
        .host("127.0.0.1")
        .port(port)
        .dbname("postgres")
        .user("postgres")
        .password(password)
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to port {port}: {}", super::sql::db_err_text(&e)));
    tokio::spawn(async move {
        // Errors surface on the client's next use.
        let _ = connection.await;
    });
    client
}

/// Creates the empty password file in its own directory under `/tmp`,
/// readable by the servers' OS user only (libpq ignores a password file
/// that others can read), and a watchdog that removes the directory when
/// this test process exits (the shared cluster is never dropped).
fn make_pgpass_file() -> (PathBuf, Child) {
    let dir = tempfile::Builder::new()
        .prefix("pgwarden-citus-")
        .tempdir_in("/tmp")
        .expect("create pgpass dir")
        .keep();
    give_to_server_user(&dir);
    let path = dir.join("pgpass");
    fs::write(&path, "").expect("create pgpass");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod pgpass");
    give_to_server_user(&path);
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; rm -rf '{}'",
        std::process::id(),
        dir.display()
    );
    let watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Own process group: a Ctrl-C aimed at `cargo test` must not end
        // it before it has cleaned up.
        .process_group(0)
        .spawn()
        .expect("spawn pgpass watchdog");
    (path, watchdog)
}

/// Escapes `:` and `\` as the password file format requires.
fn pgpass_escape(s: &str) -> String {
    s.replace('\\', r"\\").replace(':', r"\:")
}
