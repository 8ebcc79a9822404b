//! Actions (Terraform 1.14+): day-2 work on access that is no resource.
//!
//! * [`terminate_sessions`]: `postgresql_terminate_sessions`, ending a
//!   role's open sessions so that a revocation takes effect now;
//! * [`reassign_owned`]: `postgresql_reassign_owned`, `REASSIGN OWNED` and
//!   `DROP OWNED` database by database, to retire a role;
//! * [`checks`]: the catalog checks both make at plan and at invoke.

pub mod checks;
pub mod reassign_owned;
pub mod terminate_sessions;
