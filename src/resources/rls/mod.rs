//! Row-level security.
//!
//! * [`policy`]: the `postgresql_policy` resource;
//! * [`row_level_security`]: the `postgresql_row_level_security` resource;
//! * [`table_target`]: what the two share: the `database`/`schema`/`table`
//!   attributes and running table-locking DDL.

pub mod policy;
pub mod row_level_security;
pub mod table_target;
