//! The PostgreSQL side: connections, quoting, passwords, catalog reads, DDL.
//!
//! Nothing in here knows about Terraform; resources translate.

pub mod access;
pub mod acting;
pub mod audit;
pub mod catalog;
pub mod citus;
pub mod database;
pub mod default_privileges;
pub mod error;
pub mod exec;
pub mod extension;
pub mod function;
pub mod grant;
pub mod grant_role;
pub mod object_list;
pub mod pgpass;
pub mod policy;
pub mod policy_expr;
pub mod pool;
pub mod quote;
pub mod retry;
pub mod role;
pub mod role_parameters;
pub mod schema;
pub mod scram;
pub mod security_label;
pub mod settings;
pub mod table;
pub mod table_lints;
pub mod tls;
pub mod tx;
pub mod type_name;
