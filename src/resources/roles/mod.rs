//! Roles and memberships.
//!
//! * [`role`]: the `postgresql_role` resource;
//! * [`grant_role`]: the `postgresql_grant_role` resource.

pub mod grant_role;
pub mod role;
