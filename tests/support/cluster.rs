//! A throw-away PostgreSQL server for acceptance tests.
//!
//! [`Cluster::start`] runs `initdb` into a fresh directory under `/tmp` and
//! starts the server with `pg_ctl` on a free loopback port, with SCRAM
//! password authentication for everybody (so the provider is exercised the
//! way it is used in production, not through `trust`). [`shared`] gives the
//! one cluster that all tests of a test binary share: starting a server
//! costs a second or two, and tests isolate themselves with
//! [`unique_name`] instead.
//!
//! PostgreSQL refuses to run as root, so when the harness is root the server
//! programs run as the `postgres` user (or `nobody`) through `runuser`.
//!
//! Statics are never dropped, so the shared cluster is cleaned up by a small
//! detached watchdog shell that waits for the test process to exit, then
//! stops the server and removes its directory.

use std::ffi::{CStr, CString};
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use rand::distr::{Alphanumeric, SampleString};
use tempfile::TempDir;

/// Name of the bootstrap superuser created by `initdb -U`.
const SUPERUSER: &str = "postgres";
/// Where Debian's PostgreSQL 15 lives on the development machines.
const DEBIAN_PG15_BIN: &str = "/usr/lib/postgresql/15/bin";
/// How often a start is retried when the picked port was taken meanwhile.
const START_ATTEMPTS: usize = 5;

/// How to start a [`Cluster`].
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// Directory holding `initdb`, `pg_ctl` and `postgres`; when `None` it
    /// comes from `PG_BIN`, then Debian's PostgreSQL 15, then
    /// `pg_config --bindir`.
    pub bin_dir: Option<PathBuf>,
    /// Extra server settings, passed as `-c name=value` after the defaults
    /// (so they win over them).
    pub settings: Vec<(String, String)>,
    /// Environment variables for the server process (set after the
    /// caller's `PG*` variables are removed), e.g. `PGPASSFILE` for the
    /// connections Citus opens from the server to other nodes.
    pub server_env: Vec<(String, String)>,
    /// The bootstrap superuser's password; random when `None`. Citus
    /// copies the coordinator's to its workers when it adds them, so the
    /// nodes of a Citus cluster share one.
    pub superuser_password: Option<String>,
    /// `pg_hba.conf` lines put before initdb's, so they win (e.g. a `pam`
    /// line for one role).
    pub hba: Vec<String>,
}

/// A running PostgreSQL server owned by the test process.
#[derive(Debug)]
pub struct Cluster {
    /// Holds the data directory, socket, log and nothing else. Kept alive so
    /// that a non-shared cluster's directory is removed when it is dropped.
    dir: TempDir,
    bin_dir: PathBuf,
    port: u16,
    password: String,
    server_version_num: i32,
    /// Unprivileged OS user the server runs as when the harness is root.
    run_as: Option<OsUser>,
    /// The cleanup shell; `Drop` ends it after cleaning up itself.
    watchdog: Option<Child>,
}

/// An OS account, as far as starting programs under it needs.
#[derive(Debug, Clone)]
struct OsUser {
    name: String,
    uid: u32,
    gid: u32,
}

static SHARED: OnceLock<Cluster> = OnceLock::new();
static LOGICAL: OnceLock<Cluster> = OnceLock::new();
static NAME_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The cluster shared by every test of this test process, started on first
/// use with default options.
pub fn shared() -> &'static Cluster {
    SHARED.get_or_init(|| Cluster::start(ClusterOptions::default()))
}

/// A second cluster shared like [`shared`], with `wal_level = logical`:
/// the publisher of the logical replication tests (whose subscriber is
/// [`shared`]), and the home of their logical replication slots.
pub fn shared_logical() -> &'static Cluster {
    LOGICAL.get_or_init(|| {
        Cluster::start(ClusterOptions {
            settings: vec![("wal_level".into(), "logical".into())],
            ..ClusterOptions::default()
        })
    })
}

/// A name no other test (in this or a concurrently running test process)
/// uses: `<prefix>_<pid>_<n>`. Lower case and without quotes-worthy
/// characters as long as `prefix` is, so it works as a bare SQL identifier.
pub fn unique_name(prefix: &str) -> String {
    let n = NAME_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}_{}_{n}", std::process::id())
}

impl Cluster {
    /// Initialises and starts a new server, panicking with the relevant
    /// output when that fails.
    pub fn start(opts: ClusterOptions) -> Cluster {
        let started = Instant::now();
        let bin_dir = opts.bin_dir.clone().unwrap_or_else(default_bin_dir);
        for prog in ["initdb", "pg_ctl", "postgres"] {
            assert!(
                bin_dir.join(prog).is_file(),
                "{prog} not found in {} (set PG_BIN, or run scripts/install-tools.sh pg 17)",
                bin_dir.display()
            );
        }
        let run_as = unprivileged_user();

        // Under /tmp (not $TMPDIR) so that every parent directory is
        // traversable by the unprivileged server user; a short path also
        // keeps the Unix socket path below its 107-byte limit.
        let dir = tempfile::Builder::new()
            .prefix("pgwarden-pg-")
            .tempdir_in("/tmp")
            .expect("create cluster temp dir");
        let password = opts
            .superuser_password
            .clone()
            .unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::rng(), 32));

        let mut cluster = Cluster {
            dir,
            bin_dir,
            port: 0,
            password,
            server_version_num: 0,
            run_as,
            watchdog: None,
        };
        if let Some(user) = &cluster.run_as {
            std::os::unix::fs::chown(cluster.dir.path(), Some(user.uid), Some(user.gid))
                .expect("chown cluster dir");
        }
        cluster.initdb();
        if !opts.hba.is_empty() {
            let path = cluster.data_dir().join("pg_hba.conf");
            let rest = fs::read_to_string(&path).expect("read pg_hba.conf");
            fs::write(&path, format!("{}\n{rest}", opts.hba.join("\n")))
                .expect("write pg_hba.conf");
        }
        let t_initdb = started.elapsed();
        let mut settings = cluster.tls_settings();
        settings.extend(opts.settings.iter().cloned());
        cluster.start_server(&settings, &opts.server_env);
        cluster.watchdog = Some(cluster.spawn_watchdog());
        cluster.server_version_num = cluster.query_version_num();
        eprintln!(
            "support::cluster: PostgreSQL {} on 127.0.0.1:{} in {} (initdb {:.2}s, total {:.2}s)",
            cluster.server_version_num,
            cluster.port,
            cluster.dir.path().display(),
            t_initdb.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        cluster
    }

    /// TCP port the server listens on (on 127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Address the server listens on.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// Name of the bootstrap superuser.
    pub fn superuser(&self) -> &'static str {
        SUPERUSER
    }

    /// Password of the bootstrap superuser.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Directory of the server programs in use.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// `server_version_num` of the running server, e.g. `170010`.
    pub fn server_version_num(&self) -> i32 {
        self.server_version_num
    }

    /// Major version of the running server, e.g. `17`.
    pub fn major_version(&self) -> i32 {
        self.server_version_num / 10000
    }

    /// The server's TLS certificate (PEM), made the way PostgreSQL's SSL
    /// docs make one: self-signed, CA:TRUE, naming `localhost` in its CN
    /// only. Every cluster offers TLS with it; `sslrootcert` can point here.
    pub fn server_cert_path(&self) -> PathBuf {
        self.dir.path().join("server.crt")
    }

    /// Writes the server certificate and key, and returns the settings that
    /// turn TLS on with them.
    fn tls_settings(&self) -> Vec<(String, String)> {
        let mut params = rcgen::CertificateParams::default();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().expect("generate server key");
        let cert = params.self_signed(&key).expect("self-sign server cert");
        let cert_path = self.server_cert_path();
        let key_path = self.dir.path().join("server.key");
        fs::write(&cert_path, cert.pem()).expect("write server.crt");
        fs::write(&key_path, key.serialize_pem()).expect("write server.key");
        // PostgreSQL refuses a key others can read, and reads it as its own user.
        fs::set_permissions(&key_path, fs::Permissions::from_mode(0o600)).expect("chmod key");
        if let Some(user) = &self.run_as {
            for path in [&cert_path, &key_path] {
                std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
                    .expect("chown TLS file");
            }
        }
        fs::set_permissions(&cert_path, fs::Permissions::from_mode(0o644)).expect("chmod cert");
        vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), cert_path.display().to_string()),
            ("ssl_key_file".into(), key_path.display().to_string()),
        ]
    }

    /// The server log. `log_statement=all` is on, so it records every
    /// statement the provider sent.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Current contents of the server log (empty if unreadable).
    pub fn log_contents(&self) -> String {
        fs::read(self.log_path())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Connects to `database` as `user`, panicking on failure. The
    /// connection task is spawned on the current Tokio runtime.
    pub async fn connect(
        &self,
        database: &str,
        user: &str,
        password: &str,
    ) -> tokio_postgres::Client {
        match self.try_connect(database, user, password).await {
            Ok(client) => client,
            Err(e) => panic!(
                "connect to {database} as {user} on port {}: {}",
                self.port,
                super::sql::db_err_text(&e)
            ),
        }
    }

    /// Like [`Cluster::connect`], but returns the error, for tests that
    /// expect a login to be refused.
    pub async fn try_connect(
        &self,
        database: &str,
        user: &str,
        password: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::Config::new()
            .host(self.host())
            .port(self.port)
            .dbname(database)
            .user(user)
            .password(password)
            .application_name("pgwarden-acceptance")
            .connect(tokio_postgres::NoTls)
            .await?;
        tokio::spawn(async move {
            // An error here is a dropped server connection; the client side
            // reports it to whoever uses the client next.
            let _ = connection.await;
        });
        Ok(client)
    }

    /// A superuser connection to the `postgres` database.
    pub async fn admin(&self) -> tokio_postgres::Client {
        self.connect("postgres", SUPERUSER, &self.password).await
    }

    /// The provider configuration, as the superuser on database `postgres`.
    pub fn provider_block(&self) -> String {
        self.provider_block_as(SUPERUSER, &self.password)
    }

    /// The provider configuration, as another role on database `postgres`
    /// (for tests of what a non-superuser provider may do).
    pub fn provider_block_as(&self, username: &str, password: &str) -> String {
        format!(
            r#"provider "postgresql" {{
  host     = "{host}"
  port     = {port}
  database = "postgres"
  username = {username}
  password = {password}
  sslmode  = "disable"
}}
"#,
            host = self.host(),
            port = self.port,
            username = super::quote::hcl(username),
            password = super::quote::hcl(password),
        )
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A command for one of the server programs, run as the unprivileged
    /// user when we are root (PostgreSQL refuses to run as root).
    fn pg_command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        let mut cmd = match &self.run_as {
            None => Command::new(path),
            Some(user) => {
                let mut cmd = as_user_command(user);
                cmd.arg(path);
                cmd
            }
        };
        // Keep the caller's libpq settings (PGDATA, PGPORT, ...) from
        // steering the server programs.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PG") {
                cmd.env_remove(key);
            }
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    fn initdb(&self) {
        let pwfile = self.dir.path().join("pwfile");
        fs::write(&pwfile, format!("{}\n", self.password)).expect("write pwfile");
        fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o600)).expect("chmod pwfile");
        if let Some(user) = &self.run_as {
            std::os::unix::fs::chown(&pwfile, Some(user.uid), Some(user.gid))
                .expect("chown pwfile");
        }
        let output = self
            .pg_command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            // The cluster is thrown away; skipping fsync saves most of
            // initdb's time.
            .arg("--no-sync")
            .output()
            .expect("run initdb");
        // The password lives on in memory only.
        let _ = fs::remove_file(&pwfile);
        assert!(
            output.status.success(),
            "initdb failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn start_server(&mut self, settings: &[(String, String)], env: &[(String, String)]) {
        let socket_dir = self.dir.path().to_path_buf();
        let socket_dir = socket_dir.to_str().expect("utf-8 temp dir");
        // pg_ctl hands -o to a shell: the temp dir path must stay unquoted-safe.
        assert!(
            socket_dir
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c)),
            "unexpected characters in {socket_dir}"
        );
        for attempt in 1..=START_ATTEMPTS {
            // Ask the kernel for a free port, then release it for the server.
            // Another process may grab it in between; then we retry.
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("pick free port")
                .port();
            let mut server_opts = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {socket_dir} -c log_statement=all \
                 -c logging_collector=off -c fsync=off -c max_connections=200 \
                 -c log_min_messages=warning"
            );
            for (name, value) in settings {
                server_opts.push_str(&format!(" -c {name}={value}"));
            }
            let output = self
                .pg_command("pg_ctl")
                .args(["start", "-w", "-t", "120", "-D"])
                .arg(self.data_dir())
                .arg("-l")
                .arg(self.log_path())
                .arg("-o")
                .arg(&server_opts)
                .envs(env.iter().map(|(k, v)| (k, v)))
                .output()
                .expect("run pg_ctl start");
            if output.status.success() {
                self.port = port;
                return;
            }
            let log = self.log_contents();
            let port_taken =
                log.contains("could not bind") || log.contains("Address already in use");
            if port_taken && attempt < START_ATTEMPTS {
                eprintln!("support::cluster: port {port} was taken, retrying");
                continue;
            }
            panic!(
                "pg_ctl start failed ({}):\n{}\n{}\n--- server log ---\n{log}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    /// Starts the detached shell that stops the server and removes its
    /// directory once this test process has exited, however it exits.
    fn spawn_watchdog(&self) -> Child {
        // The loop runs as ourselves: an unprivileged user could not
        // `kill -0` a root process and would clean up at once. Only pg_ctl
        // needs the server's user.
        let run_as = match &self.run_as {
            Some(user) => format!("{} ", shell_words(&as_user_argv(user))),
            None => String::new(),
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             {run_as}{pg_ctl} stop -D {data} -m immediate >/dev/null 2>&1; \
             rm -rf {dir}",
            pid = std::process::id(),
            pg_ctl = shell_quote(&self.bin_dir.join("pg_ctl").to_string_lossy()),
            data = shell_quote(&self.data_dir().to_string_lossy()),
            dir = shell_quote(&self.dir.path().to_string_lossy()),
        );
        Command::new("sh")
            .arg("-c")
            .arg(script)
            // Null stdio: an inherited stdout pipe would keep cargo (or CI's
            // output capture) waiting for EOF until the watchdog ends.
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Own process group, so a Ctrl-C aimed at `cargo test` does not
            // kill the watchdog before it has cleaned up.
            .process_group(0)
            .spawn()
            .expect("spawn cluster watchdog")
    }

    /// Reads `server_version_num` over a real password login, which also
    /// proves the server accepts connections. Runs on its own thread and
    /// runtime because `start` may be called from inside a Tokio runtime,
    /// where blocking on another future would panic.
    fn query_version_num(&self) -> i32 {
        let port = self.port;
        let password = self.password.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("build runtime");
            rt.block_on(async move {
                let (client, connection) = tokio_postgres::Config::new()
                    .host("127.0.0.1")
                    .port(port)
                    .dbname("postgres")
                    .user(SUPERUSER)
                    .password(&password)
                    .connect(tokio_postgres::NoTls)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("first login failed: {}", super::sql::db_err_text(&e))
                    });
                let conn_task = tokio::spawn(connection);
                let row = client
                    .query_one("SELECT current_setting('server_version_num')::int", &[])
                    .await
                    .expect("query server_version_num");
                drop(client);
                let _ = conn_task.await;
                row.get::<_, i32>(0)
            })
        })
        .join()
        .expect("version query thread panicked")
    }
}

impl Drop for Cluster {
    /// Stops a non-shared cluster right away; the [`TempDir`] then removes
    /// its files. (The shared one lives in a static and is never dropped:
    /// its watchdog does this at process exit.)
    fn drop(&mut self) {
        if self.port == 0 {
            return; // never started
        }
        let _ = self
            .pg_command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.data_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(mut watchdog) = self.watchdog.take() {
            // SAFETY: kill(2) on the watchdog's own process group (it was
            // spawned with process_group(0)), which includes its `sleep`.
            unsafe { libc::kill(-(watchdog.id() as i32), libc::SIGKILL) };
            let _ = watchdog.wait();
        }
    }
}

/// Makes `path` owned by the OS user the servers run as (see
/// [`Cluster::start`]) when the harness is root; does nothing otherwise.
/// For files a server must read that the test writes, such as a password
/// file libpq refuses unless it is private to its reader.
pub fn give_to_server_user(path: &Path) {
    if let Some(user) = unprivileged_user() {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
            .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    }
}

/// `PG_BIN`, else Debian's PostgreSQL 15, else `pg_config --bindir`.
fn default_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if Path::new(DEBIAN_PG15_BIN).join("postgres").is_file() {
        return PathBuf::from(DEBIAN_PG15_BIN);
    }
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .unwrap_or_else(|e| {
            panic!("no PostgreSQL found: PG_BIN unset, no {DEBIAN_PG15_BIN}, pg_config: {e}")
        });
    assert!(output.status.success(), "pg_config --bindir failed");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// The user to run server programs as: `None` unless we are root, then
/// `postgres` if that account exists, else `nobody`.
fn unprivileged_user() -> Option<OsUser> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let user = lookup_user("postgres")
        .or_else(|| lookup_user("nobody"))
        .expect("running as root, but neither a postgres nor a nobody user exists");
    Some(user)
}

fn lookup_user(name: &str) -> Option<OsUser> {
    let c_name = CString::new(name).ok()?;
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to live, properly sized storage;
    // getpwnam_r (unlike getpwnam) keeps its strings in `buf`, so concurrent
    // lookups from parallel tests cannot overwrite each other.
    let rc = unsafe {
        libc::getpwnam_r(
            c_name.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string in `buf`.
    let name = unsafe { CStr::from_ptr(pwd.pw_name) }
        .to_string_lossy()
        .into_owned();
    Some(OsUser {
        name,
        uid: pwd.pw_uid,
        gid: pwd.pw_gid,
    })
}

/// The prefix that runs a program as `user`: `runuser` where available
/// (util-linux, Debian), else `setpriv`.
fn as_user_argv(user: &OsUser) -> Vec<String> {
    let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        .into_iter()
        .find(|p| Path::new(p).is_file());
    match runuser {
        Some(runuser) => vec![runuser.into(), "-u".into(), user.name.clone(), "--".into()],
        None => vec![
            "setpriv".into(),
            format!("--reuid={}", user.uid),
            format!("--regid={}", user.gid),
            "--clear-groups".into(),
            "--".into(),
        ],
    }
}

fn as_user_command(user: &OsUser) -> Command {
    let argv = as_user_argv(user);
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    cmd
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}
