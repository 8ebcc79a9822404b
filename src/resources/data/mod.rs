//! The data sources: read-only views of the catalog.
//!
//! * [`roles`][]: `postgresql_roles`;
//! * [`role_members`][]: `postgresql_role_members`;
//! * [`schema_access`][]: `postgresql_schema_access`;
//! * [`schemas`], [`tables`], [`sequences`]: `postgresql_schemas`,
//!   `postgresql_tables`, `postgresql_sequences`, with the pattern filters of
//!   [`name_filters`];
//! * [`effective_access`][]: `postgresql_effective_access`;
//! * [`lints`]: `postgresql_lints`, the findings no plan can decide.

pub mod effective_access;
pub mod lints;
pub mod name_filters;
pub mod role_members;
pub mod roles;
pub mod schema_access;
pub mod schemas;
pub mod sequences;
pub mod tables;
