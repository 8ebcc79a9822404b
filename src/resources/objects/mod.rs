//! Databases and the objects in them.
//!
//! * [`database`]: the `postgresql_database` resource;
//! * [`schema`]: the `postgresql_schema` resource;
//! * [`extension`]: the `postgresql_extension` resource;
//! * [`function`]: the `postgresql_function` resource;
//! * [`security_label`]: the `postgresql_security_label` resource.

pub mod database;
pub mod extension;
pub mod function;
pub mod schema;
pub mod security_label;
