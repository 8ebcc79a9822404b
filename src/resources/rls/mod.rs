//! Row-level security.
//!
//! * [`policy`][]: `postgresql_policy`;
//! * [`row_level_security`][]: `postgresql_row_level_security`;
//! * [`table_target`]: what the two share: the `database`/`schema`/`table`
//!   attributes and running table-locking DDL.

pub mod policy;
pub mod row_level_security;
pub mod table_target;
