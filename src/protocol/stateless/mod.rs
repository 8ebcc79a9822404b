//! The types that keep no state in Terraform: actions (Terraform 1.14+) and
//! ephemeral resources (Terraform 1.10+). What they do leaves no trace in a
//! plan or state file; the server in [`crate::protocol::server`] serves them
//! next to resources and data sources.
//!
//! * [`action`]: [`action::Action`] and its typed face
//!   [`action::ActionType`], with [`action::Progress`] for the progress
//!   events an invocation streams;
//! * [`ephemeral`]: [`ephemeral::EphemeralResource`] and its typed face
//!   [`ephemeral::EphemeralResourceType`]: open, renew, close.

pub mod action;
pub mod ephemeral;
