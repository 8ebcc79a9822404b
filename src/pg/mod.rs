//! The PostgreSQL side: connections, SQL text, catalog reads and the
//! statements behind each resource. Nothing in here knows about Terraform;
//! `crate::resources` translates.
//!
//! * [`error`]: [`error::PgError`], worded for the person running
//!   Terraform, and the SQLSTATE predicates (the only place SQLSTATEs are
//!   named);
//! * [`scram`]: SCRAM-SHA-256 verifiers, computed here so no password is
//!   ever sent;
//! * [`citus`]: what the provider needs to know about Citus;
//! * [`kinds`]: [`kinds::ObjectKind`], the one enum of object kinds, with
//!   their Terraform, catalog and SQL spellings;
//! * [`privileges`]: the privilege table (each kind's privileges, version
//!   gates, ACL letters) and the [`privileges::Privs`] bit set;
//! * [`conn`]: pools, settings, TLS, `.pgpass`, the transaction runner,
//!   statement execution, locks and acting as an object's owner;
//! * [`sql`]: quoting, and the grammars that keep configured text (policy
//!   expressions, type names) one piece of SQL;
//! * [`catalog`]: whole-catalog readers (one query per kind and database)
//!   for refreshes, imports, lists, audits and lints;
//! * [`access`]: the model of who can do what, and effective access;
//! * [`roles`], [`grants`], [`rls`], [`objects`], [`replication`], [`fdw`]:
//!   per-domain statement builders and single-object reads, mirrored by the
//!   folders of `crate::resources`.

pub mod access;
pub mod catalog;
pub mod citus;
pub mod conn;
pub mod error;
pub mod fdw;
pub mod grants;
pub mod kinds;
pub mod objects;
pub mod privileges;
pub mod replication;
pub mod rls;
pub mod roles;
pub mod scram;
pub mod sql;
