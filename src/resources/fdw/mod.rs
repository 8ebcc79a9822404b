//! Foreign data.
//!
//! * [`server`]: the `postgresql_server` resource;
//! * [`user_mapping`]: the `postgresql_user_mapping` resource.

pub mod server;
pub mod user_mapping;
