//! Logical replication and replication slots.
//!
//! * [`publication`]: `CREATE`/`ALTER`/`DROP PUBLICATION`, the read of one,
//!   and what its lints read;
//! * [`subscription`]: `CREATE`/`ALTER`/`DROP SUBSCRIPTION` (some of them
//!   outside a transaction, as PostgreSQL requires) and the read of one;
//! * [`slot`]: logical and physical replication slots.

pub mod publication;
pub mod slot;
pub mod subscription;
