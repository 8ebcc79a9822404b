//! Privileges on objects.
//!
//! * [`grant`][]: `postgresql_grant`;
//! * [`default_privileges`][]: `postgresql_default_privileges`;
//! * [`privileges`]: what the two share: privilege lists and their checks.

pub mod default_privileges;
pub mod grant;
pub mod privileges;
