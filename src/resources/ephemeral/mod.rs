//! Ephemeral resources (Terraform 1.10+, OpenTofu 1.11+): values that live
//! for one run and are never written to a plan or state file.
//!
//! * [`temporary_role`]: `postgresql_temporary_role`, a just-in-time login
//!   role with a random name and password, dropped when the run ends.

pub mod temporary_role;
