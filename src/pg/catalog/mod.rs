//! Whole-catalog reads: every object of one kind, in one query, for one
//! database (or for the cluster, for roles and memberships).
//!
//! They serve three callers alike: listing what exists (`terraform query`),
//! importing one object, and refreshing thousands of objects from one
//! snapshot instead of one query each. Each reader returns a value that
//! answers lookups by name in memory; the single-object reads elsewhere in
//! [`crate::pg`] remain for what a snapshot cannot answer on its own.
//!
//! What PostgreSQL creates by itself is marked, not dropped, so a lookup
//! still finds it (a configuration may manage it) while a listing can leave
//! it out: roles of the bootstrap and `pg_*` kind, objects in system schemas
//! (whose objects are not read at all; callers fall back to the
//! single-object reads there), privileges owners hold implicitly, built-in
//! defaults, and the initial privileges `initdb` and extensions record in
//! `pg_init_privs`.
//!
//! * [`cache`]: the reads the provider keeps, and when each is taken again;
//! * [`roles`], [`memberships`], [`databases`]: cluster-wide;
//! * [`objects`], [`default_acl`], [`policies`]: one database;
//! * [`audit`]: roles, members and schema readers for the audit data
//!   sources;
//! * [`object_list`]: schemas, tables and sequences by name pattern;
//! * [`table_lints`]: what the row-level-security lints read.

pub mod audit;
pub mod cache;
pub mod databases;
pub mod default_acl;
pub mod memberships;
pub mod object_list;
pub mod objects;
pub mod policies;
pub mod roles;
pub mod table_lints;

/// OIDs below this belong to objects `initdb` created (`FirstNormalObjectId`).
pub const FIRST_NORMAL_OID: u32 = 16_384;

/// Whether a schema is one of PostgreSQL's own: `pg_catalog`,
/// `information_schema`, `pg_toast` and the per-session temporary schemas.
pub fn is_system_schema(name: &str) -> bool {
    matches!(name, "pg_catalog" | "information_schema" | "pg_toast")
        || name.starts_with("pg_temp_")
        || name.starts_with("pg_toast_temp_")
}

/// The SQL condition that holds for schemas [`is_system_schema`] accepts,
/// for a `pg_namespace` row aliased `n`.
pub(crate) const SYSTEM_SCHEMA_SQL: &str = "(n.nspname IN ('pg_catalog', 'information_schema', \
     'pg_toast') OR n.nspname LIKE 'pg\\_temp\\_%' OR n.nspname LIKE 'pg\\_toast\\_temp\\_%')";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_schemas() {
        for s in [
            "pg_catalog",
            "information_schema",
            "pg_toast",
            "pg_temp_3",
            "pg_toast_temp_3",
        ] {
            assert!(is_system_schema(s), "{s}");
        }
        for s in ["public", "pg_app", "app"] {
            assert!(!is_system_schema(s), "{s}");
        }
    }
}
