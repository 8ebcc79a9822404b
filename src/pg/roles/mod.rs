//! Roles and memberships.
//!
//! * [`role`]: `CREATE`/`ALTER`/`DROP ROLE` and the single-role read;
//! * [`role_parameters`]: settings stored on a role (`ALTER ROLE … SET`);
//! * [`grant_role`]: memberships, PostgreSQL 16's per-grant options, and
//!   the transactions behind `postgresql_grant_role`.

pub mod grant_role;
pub mod role;
pub mod role_parameters;
