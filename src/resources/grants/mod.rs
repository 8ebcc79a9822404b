//! Privileges on objects.
//!
//! * [`grant`]: the `postgresql_grant` resource;
//! * [`default_privileges`]: the `postgresql_default_privileges` resource;
//! * [`privileges`]: what the two share: privilege lists and their checks.

pub mod default_privileges;
pub mod grant;
pub mod privileges;
