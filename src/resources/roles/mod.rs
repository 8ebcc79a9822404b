//! Roles and memberships.
//!
//! * [`role`][]: `postgresql_role`;
//! * [`grant_role`][]: `postgresql_grant_role`.

pub mod grant_role;
pub mod role;
