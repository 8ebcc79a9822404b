//! Who can do what: a model of the catalog's access control and the
//! effective-access computation on it.
//!
//! * [`catalog`]: the model (roles, memberships, object ACLs, owners,
//!   default ACLs), keyed by name;
//! * [`load`]: reads it from one database with a few queries;
//! * [`graph`]: the membership graph (INHERIT and SET, PostgreSQL 16's
//!   per-grant options and the older INHERIT attribute);
//! * [`effective`]: every privilege a role can use and how it gets it;
//! * [`change`]: planned changes applied to a copy of the model;
//! * [`diff`]: what changes for a role between two models.
//!
//! Kinds of object and privileges are the provider's one vocabulary:
//! [`crate::pg::kinds`] and [`crate::pg::privileges`].
//!
//! The computation mirrors the server's privilege checks
//! (`has_*_privilege`), so a report built on it says what PostgreSQL will
//! enforce, not what the grants literally say.

pub mod catalog;
pub mod change;
pub mod diff;
pub mod effective;
pub mod graph;
pub mod load;

#[cfg(test)]
mod tests;

pub use catalog::{Catalog, ObjectId, PUBLIC};
pub use change::{GrantOptions, Scope};
pub use diff::{delta, Delta, Escalation, How};
pub use effective::{chain_text, Access, FutureId, Via};
