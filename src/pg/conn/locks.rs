//! Every lock a change takes, and the order it takes them in.
//!
//! Terraform applies resources in parallel (ten at a time by default), and
//! PostgreSQL does not serialize catalog updates: two sessions rewriting the
//! same catalog row (an ACL, a `pg_default_acl` entry, a membership) fail
//! with "tuple concurrently updated" instead of waiting. So every change
//! first takes the locks below, in its own transaction, and holds them until
//! that transaction ends. They are all transaction-scoped: nothing is left
//! held by a failed or cancelled change.
//!
//! # The locks
//!
//! | lock | taken by | guards |
//! |---|---|---|
//! | [`Lock::Table`] | policies, row-level security | the table (`ACCESS EXCLUSIVE`) |
//! | [`Lock::SchemaAcl`] | grants on a schema or on all objects of a kind in it, schema changes | the ACLs in one schema |
//! | [`Lock::SchemaAclShared`] | grants on named objects of a schema | that no [`Lock::SchemaAcl`] holder changes them at once |
//! | [`Lock::ObjectAcl`] | grants on named objects of a schema (all overloads of a function, all columns of a table) | one object's ACLs |
//! | [`Lock::DatabaseAcl`] | grants on a database | the database's ACL |
//! | [`Lock::ForeignAcl`] | grants on foreign-data wrappers and servers, server changes | their ACLs (an owner change rewrites a server's) |
//! | [`Lock::DefaultAcl`] | default privileges | one `pg_default_acl` entry |
//! | [`Lock::OwnedObjects`] | dropping a role (REASSIGN/DROP OWNED) | objects no resource names |
//! | [`Lock::Role`] | role memberships | one role's memberships |
//! | [`Lock::ActingAs`] | [`crate::pg::conn::acting`] | the provider role's borrowed memberships |
//! | [`Lock::Reassign`] | handing over a database owner's objects | REASSIGN OWNED in one database |
//!
//! The advisory locks are keyed by text hashed with `hashtextextended`
//! under a `pgwarden/` prefix, except the two older numeric keys
//! ([`OWNED_OBJECTS_KEY`], [`ROLE_KEY_PREFIX`]), kept so that providers of
//! different versions applying at once still exclude each other. Advisory
//! locks are per database, like the catalog rows they guard (but for roles,
//! which every database shares and which are changed through the provider's
//! own database), so a change takes them connected to the database it
//! changes.
//!
//! # The order
//!
//! A transaction takes its locks in [`Rank`] order: the table first, then
//! the object locks, then [`Lock::ActingAs`] (which [`Actor::wrap`] takes
//! right before the statements it wraps), then [`Lock::Reassign`] (the first
//! of those statements). Locks of one rank are taken in the order of their
//! keys ([`take`] sorts them; two roles of one membership, lower OID first;
//! the old and new names of a renamed schema). Two transactions taking locks
//! in one order cannot wait on each other in a cycle, so they never
//! deadlock on these locks; a deadlock or race PostgreSQL still reports on
//! the catalog itself is retried by [`crate::pg::conn::tx`].
//!
//! [`Actor::wrap`]: crate::pg::conn::acting::Actor::wrap

use std::future::Future;

use tokio_postgres::{GenericClient, Transaction};

use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::pipeline;
use crate::pg::error::PgError;
use crate::pg::sql::quote::{ident, literal, qualified};

/// The key of [`Lock::OwnedObjects`]: "pgwarden" in ASCII.
pub const OWNED_OBJECTS_KEY: i64 = 0x7067_7761_7264_656e;

/// The high 32 bits of the key of [`Lock::Role`] ("PGWR"); the low 32 bits
/// are the role's OID, so keys never collide with each other and are
/// unlikely to collide with an application's own advisory locks.
pub const ROLE_KEY_PREFIX: i64 = 0x5047_5752;

/// A lock held until the end of the transaction that takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lock<'a> {
    /// `LOCK TABLE ONLY ... IN ACCESS EXCLUSIVE MODE`. Changing a policy or
    /// an RLS switch needs that lock anyway, but `DROP POLICY` first takes a
    /// weaker one and then upgrades it, so two policies of one table dropped
    /// at once would deadlock. `ONLY`: partitions are not involved.
    Table {
        /// The schema.
        schema: &'a str,
        /// The table.
        table: &'a str,
    },
    /// The privileges on a schema and on every object in it: concurrent
    /// GRANTs on one object otherwise fail with "tuple concurrently
    /// updated", and a schema change rewrites the schema's ACL too.
    SchemaAcl(&'a str),
    /// [`Lock::SchemaAcl`]'s key in shared mode: a grant on named objects
    /// excludes grants and changes on the whole schema, but not grants on
    /// other objects of it, which then run in parallel.
    SchemaAclShared(&'a str),
    /// The privileges on one object of a schema: its row's ACL, and for a
    /// table the ACLs of its columns. Functions are keyed by name without
    /// arguments, so two spellings of one function share a key.
    ObjectAcl {
        /// The schema.
        schema: &'a str,
        /// The object's name.
        name: &'a str,
    },
    /// The privileges on a database.
    DatabaseAcl(&'a str),
    /// The privileges on the foreign-data wrappers and servers of the
    /// database, which `postgresql_server` also takes: renaming a server or
    /// changing its owner rewrites the row a grant on it rewrites.
    ForeignAcl,
    /// One `pg_default_acl` entry: concurrent changes fail with "tuple
    /// concurrently updated" or a unique violation.
    DefaultAcl {
        /// The role whose new objects get the privileges.
        owner: &'a str,
        /// The schema, or empty for database-wide defaults.
        schema: &'a str,
        /// `pg_default_acl.defaclobjtype`.
        kind: &'a str,
    },
    /// Statements that rewrite the ownership or ACLs of objects the
    /// provider does not name (REASSIGN OWNED and DROP OWNED when a role is
    /// dropped): two roles with privileges on one table, dropped in
    /// parallel, otherwise collide.
    OwnedObjects,
    /// The memberships of the role with this OID: a grant locks both of its
    /// roles, so grants sharing a role are serialized and others run in
    /// parallel.
    Role(u32),
    /// The memberships the provider's role `member` borrows to act as an
    /// object's owner: two changes in parallel must not revoke one the
    /// other still needs.
    ActingAs(&'a str),
    /// REASSIGN OWNED in database `name` (the statements a database owner
    /// change hands its objects over with).
    Reassign(&'a str),
}

/// Where a lock comes in a transaction's order; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// [`Lock::Table`].
    Table,
    /// The locks of what a change writes: ACLs, default ACLs, memberships,
    /// a dropped role's objects.
    Object,
    /// [`Lock::ActingAs`].
    Acting,
    /// [`Lock::Reassign`].
    Reassign,
}

impl Lock<'_> {
    /// Where the lock comes in a transaction's order.
    pub fn rank(&self) -> Rank {
        match self {
            Lock::Table { .. } => Rank::Table,
            Lock::SchemaAcl(_)
            | Lock::SchemaAclShared(_)
            | Lock::ObjectAcl { .. }
            | Lock::DatabaseAcl(_)
            | Lock::ForeignAcl
            | Lock::DefaultAcl { .. }
            | Lock::OwnedObjects
            | Lock::Role(_) => Rank::Object,
            Lock::ActingAs(_) => Rank::Acting,
            Lock::Reassign(_) => Rank::Reassign,
        }
    }

    /// The lock as ordered among others of its rank: a key's shared mode
    /// sorts as its exclusive mode, so every transaction meets the keys in
    /// one order whatever the modes it takes them in.
    fn key_order(&self) -> Lock<'_> {
        match self {
            Lock::SchemaAclShared(s) => Lock::SchemaAcl(s),
            other => other.clone(),
        }
    }

    /// The statement that takes the lock.
    pub fn statement(&self) -> Statement {
        match self {
            Lock::Table { schema, table } => Statement::plain(format!(
                "LOCK TABLE ONLY {} IN ACCESS EXCLUSIVE MODE",
                qualified(schema, table)
            )),
            Lock::SchemaAcl(schema) => keyed(&format!("acl:schema:{}", ident(schema))),
            Lock::SchemaAclShared(schema) => keyed_shared(&format!("acl:schema:{}", ident(schema))),
            Lock::ObjectAcl { schema, name } => {
                keyed(&format!("acl:object:{}:{}", ident(schema), ident(name)))
            }
            Lock::DatabaseAcl(database) => keyed(&format!("acl:database:{}", ident(database))),
            Lock::ForeignAcl => keyed("acl:foreign"),
            Lock::DefaultAcl {
                owner,
                schema,
                kind,
            } => keyed(&format!("defacl:{}:{}:{kind}", ident(owner), ident(schema))),
            Lock::OwnedObjects => numbered(OWNED_OBJECTS_KEY),
            Lock::Role(oid) => numbered((ROLE_KEY_PREFIX << 32) | i64::from(*oid)),
            Lock::ActingAs(member) => keyed(&format!("acting-as:{}", ident(member))),
            Lock::Reassign(database) => keyed(&format!("reassign:{}", ident(database))),
        }
    }
}

/// An advisory lock on a 64-bit hash of `pgwarden/<key>`.
fn keyed(key: &str) -> Statement {
    Statement::plain(format!(
        "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended({}, 0))",
        literal(&format!("pgwarden/{key}"))
    ))
}

/// [`keyed`] in shared mode: it waits only for holders in exclusive mode.
fn keyed_shared(key: &str) -> Statement {
    Statement::plain(format!(
        "SELECT pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended({}, 0))",
        literal(&format!("pgwarden/{key}"))
    ))
}

/// An advisory lock on a number.
fn numbered(key: i64) -> Statement {
    Statement::plain(format!("SELECT pg_catalog.pg_advisory_xact_lock({key})"))
}

/// The statements that take `locks` in the discipline's order: by rank,
/// then by key, each lock once. A key wanted both exclusive and shared is
/// taken exclusive only: asking for the other mode of a key already held
/// could wait on a second holder of it forever.
pub fn statements(mut locks: Vec<Lock<'_>>) -> Vec<Statement> {
    let exclusive: Vec<String> = locks
        .iter()
        .filter_map(|l| match l {
            Lock::SchemaAcl(s) => Some(s.to_string()),
            _ => None,
        })
        .collect();
    locks.retain(|l| !matches!(l, Lock::SchemaAclShared(s) if exclusive.iter().any(|e| e == s)));
    locks.sort_by(|a, b| {
        a.rank()
            .cmp(&b.rank())
            .then_with(|| a.key_order().cmp(&b.key_order()))
    });
    locks.dedup();
    locks.iter().map(Lock::statement).collect()
}

/// Takes `locks` on `client` (a transaction) in the discipline's order.
pub async fn take<C: GenericClient>(client: &C, locks: Vec<Lock<'_>>) -> Result<(), PgError> {
    run_all(client, &statements(locks)).await
}

/// Takes `locks` on `tx` and runs `read` behind them, sent together
/// ([`pipeline::run_then`]): the read starts only once every lock is held.
pub async fn take_then<T>(
    tx: &Transaction<'_>,
    locks: Vec<Lock<'_>>,
    read: impl Future<Output = Result<T, PgError>>,
) -> Result<T, PgError> {
    pipeline::run_then(tx, &statements(locks), read).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(lock: Lock<'_>) -> String {
        lock.statement().sql
    }

    /// The keys must never change: a provider of another version applying
    /// at the same time has to take the same locks.
    #[test]
    fn keys_are_stable() {
        let hashed = |key: &str| {
            format!(
                "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('{key}', 0))"
            )
        };
        assert_eq!(
            sql(Lock::SchemaAcl("it's")),
            hashed(r#"pgwarden/acl:schema:"it''s""#)
        );
        assert_eq!(
            sql(Lock::DatabaseAcl("db")),
            hashed(r#"pgwarden/acl:database:"db""#)
        );
        assert_eq!(sql(Lock::ForeignAcl), hashed("pgwarden/acl:foreign"));
        assert_eq!(
            sql(Lock::SchemaAclShared("s")),
            r#"SELECT pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended('pgwarden/acl:schema:"s"', 0))"#
        );
        assert_eq!(
            sql(Lock::ObjectAcl {
                schema: "s",
                name: "t"
            }),
            hashed(r#"pgwarden/acl:object:"s":"t""#)
        );
        assert_eq!(
            sql(Lock::DefaultAcl {
                owner: "o",
                schema: "",
                kind: "r"
            }),
            hashed(r#"pgwarden/defacl:"o":"":r"#)
        );
        assert_eq!(
            sql(Lock::ActingAs("me")),
            hashed(r#"pgwarden/acting-as:"me""#)
        );
        assert_eq!(sql(Lock::Reassign("d")), hashed(r#"pgwarden/reassign:"d""#));
        assert_eq!(OWNED_OBJECTS_KEY, 8_099_573_715_263_841_646);
        assert_eq!(
            sql(Lock::OwnedObjects),
            "SELECT pg_catalog.pg_advisory_xact_lock(8099573715263841646)"
        );
        assert_eq!(
            sql(Lock::Role(10)),
            format!(
                "SELECT pg_catalog.pg_advisory_xact_lock({})",
                0x5047_5752_0000_000a_i64
            )
        );
        assert_eq!(
            sql(Lock::Table {
                schema: "app",
                table: "Items"
            }),
            "LOCK TABLE ONLY \"app\".\"Items\" IN ACCESS EXCLUSIVE MODE"
        );
    }

    #[test]
    fn a_key_is_ordered_alike_in_both_modes_and_taken_once() {
        let got: Vec<String> = statements(vec![
            Lock::ObjectAcl {
                schema: "a",
                name: "t",
            },
            Lock::SchemaAclShared("z"),
            Lock::SchemaAcl("b"),
            Lock::SchemaAclShared("b"),
        ])
        .into_iter()
        .map(|s| s.sql)
        .collect();
        assert_eq!(
            got,
            vec![
                sql(Lock::SchemaAcl("b")),
                sql(Lock::SchemaAclShared("z")),
                sql(Lock::ObjectAcl {
                    schema: "a",
                    name: "t"
                }),
            ]
        );
    }

    #[test]
    fn role_keys_are_namespaced_and_distinct() {
        assert_ne!(sql(Lock::Role(10)), sql(Lock::Role(11)));
        assert!(sql(Lock::Role(u32::MAX))
            .contains(&((ROLE_KEY_PREFIX << 32) | 0xffff_ffff).to_string()));
    }

    #[test]
    fn locks_are_taken_by_rank_then_key_once_each() {
        let taken = statements(vec![
            Lock::Reassign("d"),
            Lock::ActingAs("me"),
            Lock::Role(20),
            Lock::SchemaAcl("b"),
            Lock::Role(10),
            Lock::SchemaAcl("a"),
            Lock::Table {
                schema: "s",
                table: "t",
            },
            Lock::Role(10),
        ]);
        let expected: Vec<Statement> = [
            Lock::Table {
                schema: "s",
                table: "t",
            },
            Lock::SchemaAcl("a"),
            Lock::SchemaAcl("b"),
            Lock::Role(10),
            Lock::Role(20),
            Lock::ActingAs("me"),
            Lock::Reassign("d"),
        ]
        .iter()
        .map(Lock::statement)
        .collect();
        assert_eq!(taken, expected);
    }
}
