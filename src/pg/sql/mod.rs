//! SQL text the provider writes: quoting, and the checks that keep text a
//! user configured one balanced piece of SQL before it is spliced into a
//! statement.
//!
//! * [`quote`]: identifiers and string literals;
//! * [`conninfo`]: libpq connection strings: checked, and redacted for logs
//!   and messages;
//! * [`policy_expr`]: the expression guard (policy `USING`/`WITH CHECK`,
//!   function defaults) and server-side normalization;
//! * [`type_name`]: the grammar of a type name in a function signature.

pub mod conninfo;
pub mod policy_expr;
pub mod quote;
pub mod type_name;
