//! Row-level security.
//!
//! * [`table`]: a table as the RLS resources see it: its name, the lock
//!   every policy or switch change takes, the switches;
//! * [`policy`]: `CREATE`/`ALTER`/`DROP POLICY` and the policy read.

pub mod policy;
pub mod table;
