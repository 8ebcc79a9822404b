//! Databases and the objects in them.
//!
//! * [`database`][]: `postgresql_database`;
//! * [`schema`][]: `postgresql_schema`;
//! * [`extension`][]: `postgresql_extension`;
//! * [`function`][]: `postgresql_function`;
//! * [`security_label`][]: `postgresql_security_label`.

pub mod database;
pub mod extension;
pub mod function;
pub mod schema;
pub mod security_label;
