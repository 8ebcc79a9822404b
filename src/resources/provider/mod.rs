//! The provider itself.
//!
//! * [`config`]: the `provider "postgresql"` block: schema, environment
//!   fallbacks, connecting;
//! * [`reach`]: the `ssh_tunnel` block and `proxy`: the way to the server;
//! * [`functions`]: `provider::postgresql::quote_ident`, `quote_literal`
//!   and `scram_sha256_verifier`.

pub mod config;
pub mod functions;
pub mod reach;
