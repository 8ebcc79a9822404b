//! Acceptance tests: a real `terraform` binary drives the provider Cargo just
//! built against a real PostgreSQL server that the harness starts itself.
//!
//! They run only with `TF_ACC=1` (as terraform-plugin-testing does), because
//! they need Terraform and PostgreSQL binaries: `scripts/test.sh` installs
//! both and runs this suite for each supported PostgreSQL and Terraform
//! version. One module per resource; [`acc`] gives each test its runtime and
//! cluster.

#[path = "../support/mod.rs"]
mod support;

mod citus;
mod data_sources;
mod default_privileges;
mod examples;
mod grant;
mod grant_role;
mod interrupt;
mod migration;
mod multi_tenant;
mod packaging;
mod permission_sets;
mod policy;
mod provider;
mod role;
mod row_level_security;

use support::Cluster;

/// Per-test context: the shared cluster and a runtime for SQL checks.
pub struct Acc {
    /// The PostgreSQL server of this test process.
    pub cluster: &'static Cluster,
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
}

/// Returns the test context, or `None` (the test is skipped) without `TF_ACC`.
pub fn acc() -> Option<Acc> {
    if std::env::var("TF_ACC")
        .map(|v| v.is_empty())
        .unwrap_or(true)
    {
        eprintln!("skipped: set TF_ACC=1 to run acceptance tests (scripts/test.sh does)");
        return None;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    Some(Acc {
        cluster: support::shared(),
        rt,
    })
}
