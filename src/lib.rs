//! A Terraform provider for PostgreSQL access control, written in Rust.
//!
//! # Layout
//!
//! The crate is split so that each side of the provider can be read on its own:
//!
//! * [`plugin`]: the go-plugin host glue Terraform expects from every provider
//!   process: the handshake line, AutoMTLS, the controller and stdio services.
//!   It knows nothing about schemas or PostgreSQL.
//! * [`protocol`]: the tfplugin6 gRPC service, the cty value codec, schema
//!   types, diagnostics and planning helpers. It knows nothing about PostgreSQL.
//! * [`pg`]: connection pooling, quoting, SCRAM verifiers, catalog reads and DDL
//!   builders. It knows nothing about Terraform.
//! * [`resources`]: one file per Terraform resource or data source, plus the
//!   provider configuration. This is the only place where the two sides meet.
//! * [`logging`]: hclog-compatible JSON log lines on stderr.

// Every public item says what it is for, and library code never panics on a
// value it did not prove: errors travel as `thiserror` types to diagnostics.
#![warn(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod logging;
pub mod pg;
pub mod plugin;
pub mod protocol;
pub mod resources;
