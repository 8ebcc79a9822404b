//! Logical replication and replication slots.
//!
//! * [`publication`]: the `postgresql_publication` resource;
//! * [`subscription`]: the `postgresql_subscription` resource;
//! * [`replication_slot`]: the `postgresql_replication_slot` resource;
//! * [`physical_replication_slot`]: the `postgresql_physical_replication_slot`
//!   resource;
//! * [`checks`]: what they share: version gates, slot names, the default
//!   database.

pub mod checks;
pub mod physical_replication_slot;
pub mod publication;
pub mod replication_slot;
pub mod subscription;
