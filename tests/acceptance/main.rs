//! Acceptance tests: a real `terraform` binary drives the provider Cargo just
//! built against a real PostgreSQL server that the harness starts itself.
//!
//! They need Terraform and PostgreSQL binaries and `TF_ACC=1` (as
//! terraform-plugin-testing does), so each is `#[ignore]`d with that reason:
//! a plain `cargo test` lists them as ignored. `scripts/test.sh` installs
//! the tools and runs this suite, `TF_ACC=1 cargo test --test acceptance --
//! --include-ignored`, for each supported PostgreSQL and Terraform version.
//! Run on purpose without `TF_ACC`, a test fails saying so. `tests/tooling.rs`
//! checks that every test calling [`acc`], [`acc_own_cluster`] or
//! [`enabled`] carries the attribute. One module per resource; [`acc`] gives
//! each test its runtime and cluster.

#[path = "../support/mod.rs"]
mod support;

mod access_lints;
mod access_review;
mod actions;
mod citus;
mod cloud_iam;
mod data_objects;
mod data_sources;
mod database;
mod default_privileges;
mod discovery;
mod effective_access;
mod ephemeral;
mod examples;
mod extension;
mod function;
mod functions;
mod grant;
mod grant_role;
mod interrupt;
mod leaving_out;
mod migration;
mod multi_tenant;
mod non_superuser;
mod packaging;
mod permission_sets;
mod physical_replication_slot;
mod policy;
mod provider;
mod publication;
mod pulumi_schema;
mod reach;
mod release;
mod replication_migration;
mod replication_slot;
mod role;
mod role_parameters;
mod round_trips;
mod row_level_security;
mod schema;
mod security_label;
mod server;
mod subscription;
mod user_mapping;

use support::{Cluster, ClusterOptions};

/// The cluster a test runs against.
pub enum ClusterRef {
    /// The one every test of this process shares.
    Shared(&'static Cluster),
    /// The test's own, stopped when the test ends.
    Own(Box<Cluster>),
}

impl std::ops::Deref for ClusterRef {
    type Target = Cluster;

    fn deref(&self) -> &Cluster {
        match self {
            ClusterRef::Shared(c) => c,
            ClusterRef::Own(c) => c,
        }
    }
}

/// Per-test context: the cluster and a runtime for SQL checks.
pub struct Acc {
    /// The PostgreSQL server the test uses.
    pub cluster: ClusterRef,
    /// Runs async SQL checks from synchronous test code.
    pub rt: tokio::runtime::Runtime,
}

impl Acc {
    /// Runs a future to completion (SQL checks between terraform commands).
    pub fn block<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// A superuser client on the `postgres` database.
    pub fn admin(&self) -> tokio_postgres::Client {
        self.block(self.cluster.admin())
    }

    /// A superuser client on database `db`.
    pub fn connect(&self, db: &str) -> tokio_postgres::Client {
        self.block(
            self.cluster
                .connect(db, self.cluster.superuser(), self.cluster.password()),
        )
    }

    /// Runs statements as the superuser on the `postgres` database.
    pub fn sql(&self, statements: &str) {
        let admin = self.admin();
        self.block(support::exec(&admin, statements));
    }

    /// Asserts boolean SQL expressions (`pg_has_role(...)`) on the
    /// `postgres` database, each with its expected value.
    pub fn expect(&self, checks: &[(&str, bool)]) {
        let admin = self.admin();
        self.block(support::expect_truths(&admin, checks));
    }

    /// A database of the test's own, dropped when the value is.
    pub fn database(&self, prefix: &str) -> TestDb<'_> {
        let name = support::unique_name(prefix);
        self.sql(&format!("CREATE DATABASE {}", support::ident(&name)));
        let client = self.connect(&name);
        TestDb {
            name,
            client,
            acc: self,
        }
    }
}

/// A database created for one test, with a superuser client on it.
pub struct TestDb<'a> {
    /// Its name (plain, lower case).
    pub name: String,
    /// A superuser session in it.
    pub client: tokio_postgres::Client,
    acc: &'a Acc,
}

impl TestDb<'_> {
    /// Runs statements in the database.
    pub fn exec(&self, statements: &str) {
        self.acc.block(support::exec(&self.client, statements));
    }

    /// The first column of the one row a query returns, as text.
    pub fn one(&self, sql: &str) -> String {
        self.acc
            .block(support::query_one_str(&self.client, sql, &[]))
    }

    /// The first column of every row, as text.
    pub fn strings(&self, sql: &str) -> Vec<String> {
        self.acc
            .block(support::query_strings(&self.client, sql, &[]))
    }

    /// Asserts boolean SQL expressions (`has_table_privilege(...)`) in the
    /// database, each with its expected value.
    pub fn expect(&self, checks: &[(&str, bool)]) {
        self.acc.block(support::expect_truths(&self.client, checks));
    }
}

impl Drop for TestDb<'_> {
    fn drop(&mut self) {
        // Best effort: a failing test should report its own failure, not
        // this one.
        let admin = self.acc.admin();
        let _ = self.acc.block(admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            support::ident(&self.name)
        )));
    }
}

/// Whether the Terraform under test is at least 1.`minor`; when not, says
/// that the test is skipped and why (actions need 1.14, ephemeral
/// resources 1.10), and the test returns early.
pub fn terraform_at_least(minor: u32, feature: &str) -> bool {
    let (major, got, patch) = support::terraform_version();
    let ok = major > 1 || (major == 1 && got >= minor);
    if !ok {
        eprintln!("skipped: {feature} need Terraform 1.{minor}+, this is {major}.{got}.{patch}");
    }
    ok
}

/// Checks that acceptance tests may run here: without `TF_ACC` it fails
/// the test, saying what to set, so that a test run on purpose (they are
/// `#[ignore]`d) never passes without having run. Returns `true` otherwise,
/// for call sites written `if !enabled() { return; }`.
pub fn enabled() -> bool {
    let set = std::env::var("TF_ACC").is_ok_and(|v| !v.is_empty());
    assert!(
        set,
        "acceptance tests need TF_ACC=1, PostgreSQL and Terraform: run scripts/test.sh, or \
         TF_ACC=1 cargo test --test acceptance -- --include-ignored (PG_BIN and \
         TF_ACC_TERRAFORM_PATH choose the binaries)"
    );
    true
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Returns the test context on the shared cluster; fails the test without
/// `TF_ACC` (see [`enabled`]). Always `Some`: the `Option` keeps the
/// `let Some(acc) = acc() else { return };` of every test valid. Tests keep
/// apart by naming everything they create with [`support::unique_name`],
/// mostly in databases of their own.
pub fn acc() -> Option<Acc> {
    enabled().then(|| Acc {
        cluster: ClusterRef::Shared(support::shared()),
        rt: runtime(),
    })
}

/// The test context on a cluster shared by some tests (such as
/// [`support::shared_logical`]); the caller checks [`enabled`] first.
pub fn acc_on(cluster: &'static Cluster) -> Acc {
    Acc {
        cluster: ClusterRef::Shared(cluster),
        rt: runtime(),
    }
}

/// Like [`acc`], on a cluster of the test's own: for tests that observe
/// what is cluster-wide (every role, every reader of a schema), which the
/// tests running beside them on the shared cluster keep changing, and for
/// tests that need other server settings.
pub fn acc_own_cluster(options: ClusterOptions) -> Option<Acc> {
    enabled().then(|| Acc {
        cluster: ClusterRef::Own(Box::new(Cluster::start(options))),
        rt: runtime(),
    })
}
