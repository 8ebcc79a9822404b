//! Roles and memberships.
//!
//! * [`attributes`]: the boolean role attributes (SUPERUSER, LOGIN, ...),
//!   their table of columns and keywords, and [`attributes::RoleFlags`],
//!   the one type every module holding them uses;
//! * [`role`]: `CREATE`/`ALTER`/`DROP ROLE` and the single-role read;
//! * [`role_parameters`]: settings stored on a role (`ALTER ROLE … SET`);
//! * [`grant_role`]: memberships, PostgreSQL 16's per-grant options, and
//!   the transactions behind `postgresql_grant_role`;
//! * [`sessions`]: counting and ending a role's sessions;
//! * [`retire`]: `REASSIGN OWNED` and `DROP OWNED` database by database,
//!   and what still holds a role;
//! * [`temporary`]: short-lived login roles with a random name and password.

pub mod attributes;
pub mod grant_role;
pub mod retire;
pub mod role;
pub mod role_parameters;
pub mod sessions;
pub mod temporary;
