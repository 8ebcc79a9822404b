//! The provider itself.
//!
//! * [`config`]: the `provider "postgresql"` block: schema, environment
//!   fallbacks, connecting;
//! * [`functions`]: `provider::postgresql::quote_ident`, `quote_literal`
//!   and `scram_sha256_verifier`.

pub mod config;
pub mod functions;
