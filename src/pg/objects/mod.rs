//! Databases and the objects in them that the provider manages whole.
//!
//! * [`database`]: `CREATE`/`ALTER`/`DROP DATABASE` (outside a transaction,
//!   as PostgreSQL requires);
//! * [`schema`]: schemas and their privileges as levels;
//! * [`extension`]: extensions, their versions and update paths;
//! * [`function`]: functions, compared as PostgreSQL stores them;
//! * [`security_label`]: `SECURITY LABEL FOR …`.

pub mod database;
pub mod extension;
pub mod function;
pub mod schema;
pub mod security_label;
