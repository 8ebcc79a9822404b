//! Shared harness for the acceptance tests (`mod support;` in each test
//! binary).
//!
//! - [`cluster`]: a throw-away PostgreSQL server ([`Cluster`]); [`shared`]
//!   is the one all tests of a binary use, [`shared_logical`] a second one
//!   with `wal_level = logical` for the replication tests, [`unique_name`]
//!   keeps their objects apart.
//! - [`terraform`]: a Terraform working directory ([`Workspace`]) wired to the
//!   provider binary Cargo just built, and the CLI lookup
//!   ([`terraform_binary`]).
//! - [`sql`]: catalog checks and statements with readable error messages.
//! - [`quote`]: values written into HCL and SQL, one way everywhere.
//! - [`steps`]: tests as lists of steps ([`TestCase`], [`Step`]), like
//!   terraform-plugin-testing.
//! - [`text`]: finding a sentence in Terraform's wrapped output ([`flat`],
//!   [`says`]).
//! - [`fs`]: copying example directories.
//! - [`http_stub`]: a loopback HTTP server standing in for cloud endpoints.
//! - [`provider_log`]: the provider's debug log of a workspace (the SQL it
//!   sent).
//! - [`bastion`]: an OpenSSH server ([`bastion::Sshd`]) and a SOCKS5
//!   proxy ([`bastion::Socks`]) on loopback ports, for the tunnel tests.
//! - [`citus`]: a coordinator and two workers running Citus
//!   ([`CitusCluster`], shared through [`shared_citus`]), from the
//!   PostgreSQL build `CITUS_PG_BIN` names.
//!
//! Tools come from `scripts/install-tools.sh`: `PG_BIN` selects the
//! PostgreSQL binaries, `TF_ACC_TERRAFORM_PATH` the Terraform CLI.

// Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code, unused_imports)]

pub mod bastion;
pub mod citus;
pub mod cluster;
pub mod fs;
pub mod http_stub;
pub mod provider_log;
pub mod quote;
pub mod sql;
pub mod steps;
pub mod terraform;
pub mod text;

pub use citus::{citus_bin_dir, shared_citus, CitusCluster};
pub use cluster::{shared, shared_logical, unique_name, Cluster, ClusterOptions};
pub use quote::{hcl, hcl_list, ident, literal, qualified, shell};
pub use sql::{
    db_err_text, exec, exists, expect_truths, query_one_str, query_opt_str, query_strings, truth,
};
pub use steps::{generated, Step, TestCase};
pub use terraform::{
    import_blocks, terraform_binary, terraform_version, Output, Running, Workspace,
};
pub use text::{expect_all, flat, says};
