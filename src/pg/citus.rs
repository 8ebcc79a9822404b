//! What the provider needs to know about Citus (distributed PostgreSQL):
//! whether a database runs it, and whether it distributes a table.
//!
//! Citus propagates most access-control DDL from the coordinator to its
//! workers, but not all of it, and not always faithfully (see
//! `docs/guides/citus.md`); the resources use these answers to refuse or warn
//! at plan time. The catalog tables only exist where the extension is
//! installed, so every question starts with a check that it is.

use tokio_postgres::GenericClient;

use crate::pg::error::PgError;

/// Whether the connected database has the Citus extension.
pub async fn installed<C: GenericClient>(client: &C) -> Result<bool, PgError> {
    client
        .query_one(
            "SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL",
            &[],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| PgError::query("checking for Citus", e))
}

/// Whether Citus distributes the table (distributed or reference table).
pub async fn is_distributed<C: GenericClient>(client: &C, table_oid: u32) -> Result<bool, PgError> {
    if !installed(client).await? {
        return Ok(false);
    }
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition \
                            WHERE logicalrelid = $1::oid)",
            &[&table_oid],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| PgError::query("checking whether Citus distributes the table", e))
}
