//! Foreign data: servers and user mappings.
//!
//! * [`server`]: `CREATE`/`ALTER`/`DROP SERVER` and the server reads;
//! * [`user_mapping`]: `CREATE`/`ALTER`/`DROP USER MAPPING` and the mapping
//!   reads, with what the current role may see of their options;
//! * [`options`]: generic `OPTIONS (...)`, parsed from the catalog and
//!   changed by difference.

pub mod options;
pub mod server;
pub mod user_mapping;
