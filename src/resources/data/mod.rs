//! The data sources: read-only views of the catalog.
//!
//! * [`roles`]: the `postgresql_roles` data source;
//! * [`role_members`]: the `postgresql_role_members` data source;
//! * [`schema_access`]: the `postgresql_schema_access` data source;
//! * [`schemas`], [`tables`], [`sequences`]: `postgresql_schemas`,
//!   `postgresql_tables`, `postgresql_sequences`, with the pattern filters of
//!   [`name_filters`];
//! * [`effective_access`]: the `postgresql_effective_access` data source;
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
