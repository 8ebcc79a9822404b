//! The provider itself.
//!
//! * [`config`]: the `provider "postgresql"` block: schema, environment
//!   fallbacks, connecting;
//! * [`iam`]: cloud IAM logins and the reference provider's schemes;
//! * [`reach`]: the `ssh_tunnel` block and `proxy`: the way to the server;
//! * [`functions`]: `provider::postgresql::quote_ident`, `quote_literal`
//!   and `scram_sha256_verifier`.

pub mod config;
pub mod functions;
pub mod iam;
pub mod reach;
