//! Subscriptions: the `CREATE`, `ALTER` and `DROP SUBSCRIPTION` statements
//! behind `postgresql_subscription`, and the read of one subscription.
//!
//! Three of them cannot run in a transaction block, and go through
//! [`crate::pg::conn::alone`]: `CREATE SUBSCRIPTION … WITH (create_slot =
//! true)`, `DROP SUBSCRIPTION` of a subscription with a replication slot,
//! and `ALTER SUBSCRIPTION … SET PUBLICATION` with its default refresh.
//! Statements carrying the connection string log it without its passwords
//! ([`Statement::with_conninfo`]).

use tokio_postgres::GenericClient;

use crate::pg::conn::exec::Statement;
use crate::pg::error::PgError;
use crate::pg::sql::quote::{ident, literal};

/// What `CREATE SUBSCRIPTION` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSpec {
    /// Its name.
    pub name: String,
    /// The publisher's libpq connection string.
    pub conninfo: String,
    /// The publications on the publisher.
    pub publications: Vec<String>,
    /// Whether to create the replication slot on the publisher.
    pub create_slot: bool,
    /// The slot's name; `None`: the subscription's name.
    pub slot_name: Option<String>,
}

fn publication_list(publications: &[String]) -> String {
    publications
        .iter()
        .map(|p| ident(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE SUBSCRIPTION … CONNECTION … PUBLICATION … WITH (…)`. With
/// `create_slot` it cannot run in a transaction block.
pub fn create(spec: &SubscriptionSpec) -> Statement {
    let mut with = vec![format!("create_slot = {}", spec.create_slot)];
    if let Some(slot) = &spec.slot_name {
        with.push(format!("slot_name = {}", literal(slot)));
    }
    Statement::with_conninfo(
        &format!("CREATE SUBSCRIPTION {} CONNECTION ", ident(&spec.name)),
        &spec.conninfo,
        &format!(
            " PUBLICATION {} WITH ({})",
            publication_list(&spec.publications),
            with.join(", ")
        ),
    )
}

/// `ALTER SUBSCRIPTION … RENAME TO`.
pub fn rename(name: &str, new: &str) -> Statement {
    Statement::plain(format!(
        "ALTER SUBSCRIPTION {} RENAME TO {}",
        ident(name),
        ident(new)
    ))
}

/// `ALTER SUBSCRIPTION … CONNECTION`: the workers restart with it; the
/// publisher is not contacted.
pub fn set_connection(name: &str, conninfo: &str) -> Statement {
    Statement::with_conninfo(
        &format!("ALTER SUBSCRIPTION {} CONNECTION ", ident(name)),
        conninfo,
        "",
    )
}

/// `ALTER SUBSCRIPTION … SET PUBLICATION`. With `refresh` (PostgreSQL's
/// default) the tables of the new publications start copying and those of
/// the old stop, which cannot run in a transaction block; without it, the
/// tables stay as they are until `REFRESH PUBLICATION`.
pub fn set_publications(name: &str, publications: &[String], refresh: bool) -> Statement {
    let mut sql = format!(
        "ALTER SUBSCRIPTION {} SET PUBLICATION {}",
        ident(name),
        publication_list(publications)
    );
    if !refresh {
        sql.push_str(" WITH (refresh = false)");
    }
    Statement::plain(sql)
}

/// Disassociates a subscription from its slot so that dropping it leaves
/// the slot on the publisher alone: `DISABLE`, then `SET (slot_name =
/// NONE)`. Both run in a transaction.
pub fn detach_slot(name: &str) -> Vec<Statement> {
    vec![
        Statement::plain(format!("ALTER SUBSCRIPTION {} DISABLE", ident(name))),
        Statement::plain(format!(
            "ALTER SUBSCRIPTION {} SET (slot_name = NONE)",
            ident(name)
        )),
    ]
}

/// `DROP SUBSCRIPTION IF EXISTS`: with a slot it connects to the publisher
/// to drop the slot there, and cannot run in a transaction block.
pub fn drop(name: &str) -> Statement {
    Statement::plain(format!("DROP SUBSCRIPTION IF EXISTS {}", ident(name)))
}

/// A subscription as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// Its name.
    pub name: String,
    /// Whether its workers run.
    pub enabled: bool,
    /// Its replication slot on the publisher; `None` after `slot_name =
    /// NONE`.
    pub slot_name: Option<String>,
    /// The publications it subscribes to.
    pub publications: Vec<String>,
    /// The connection string, when this session may read it (`subconninfo`
    /// is readable only by superusers and roles granted `SELECT` on it).
    pub conninfo: Option<String>,
}

/// Whether this session may read `pg_subscription.subconninfo`.
pub async fn can_read_conninfo<C: GenericClient>(client: &C) -> Result<bool, PgError> {
    let row = client
        .query_one(
            "SELECT pg_catalog.has_column_privilege('pg_catalog.pg_subscription', \
                                                   'subconninfo', 'SELECT')",
            &[],
        )
        .await
        .map_err(|e| PgError::query("checking access to subscriptions' connection strings", e))?;
    row.try_get(0)
        .map_err(|e| PgError::query("checking access to subscriptions' connection strings", e))
}

/// Reads subscription `name` of the connection's database (subscriptions
/// are in a shared catalog, so the database is part of the key); `None`
/// when there is none. `with_conninfo` reads the connection string too.
pub async fn read<C: GenericClient>(
    client: &C,
    name: &str,
    with_conninfo: bool,
) -> Result<Option<SubscriptionRow>, PgError> {
    let conninfo = if with_conninfo {
        "s.subconninfo"
    } else {
        "NULL::text"
    };
    let sql = format!(
        "SELECT s.subenabled, s.subslotname::text, s.subpublications, {conninfo} \
         FROM pg_catalog.pg_subscription s \
         WHERE s.subname = $1 \
           AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database \
                            WHERE datname = pg_catalog.current_database())"
    );
    let action = || format!("reading subscription {}", ident(name));
    let Some(row) = client
        .query_opt(&sql, &[&name])
        .await
        .map_err(|e| PgError::query(action(), e))?
    else {
        return Ok(None);
    };
    let get = |e| PgError::query(action(), e);
    Ok(Some(SubscriptionRow {
        name: name.to_string(),
        enabled: row.try_get(0).map_err(get)?,
        slot_name: row.try_get(1).map_err(get)?,
        publications: row.try_get(2).map_err(get)?,
        conninfo: row.try_get(3).map_err(get)?,
    }))
}

/// The names of every subscription of the connection's database.
pub async fn names<C: GenericClient>(client: &C) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "SELECT subname::text FROM pg_catalog.pg_subscription \
             WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database \
                              WHERE datname = pg_catalog.current_database()) \
             ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| PgError::query("listing subscriptions", e))?;
    rows.iter()
        .map(|r| {
            r.try_get(0)
                .map_err(|e| PgError::query("listing subscriptions", e))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_string_is_sent_but_not_logged() {
        let spec = SubscriptionSpec {
            name: "Sub 1".into(),
            conninfo: "host=pub dbname=app user=rep password=s3cr3t".into(),
            publications: vec!["p.1".into(), "P2".into()],
            create_slot: false,
            slot_name: Some("slot_1".into()),
        };
        let s = create(&spec);
        assert_eq!(
            s.sql,
            "CREATE SUBSCRIPTION \"Sub 1\" CONNECTION 'host=pub dbname=app user=rep \
             password=s3cr3t' PUBLICATION \"p.1\", \"P2\" WITH (create_slot = false, \
             slot_name = 'slot_1')"
        );
        assert!(!s.log.contains("s3cr3t"), "{}", s.log);
        let c = set_connection("s", "password='x y' host=h");
        assert_eq!(
            c.sql,
            "ALTER SUBSCRIPTION \"s\" CONNECTION 'password=''x y'' host=h'"
        );
        assert_eq!(
            c.log,
            "ALTER SUBSCRIPTION \"s\" CONNECTION 'password=[redacted] host=h'"
        );
    }

    #[test]
    fn publications_change_with_or_without_refresh() {
        let p = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            set_publications("s", &p, true).sql,
            "ALTER SUBSCRIPTION \"s\" SET PUBLICATION \"a\", \"b\""
        );
        assert_eq!(
            set_publications("s", &p, false).sql,
            "ALTER SUBSCRIPTION \"s\" SET PUBLICATION \"a\", \"b\" WITH (refresh = false)"
        );
        let d: Vec<String> = detach_slot("s").into_iter().map(|s| s.sql).collect();
        assert_eq!(
            d,
            [
                "ALTER SUBSCRIPTION \"s\" DISABLE",
                "ALTER SUBSCRIPTION \"s\" SET (slot_name = NONE)"
            ]
        );
        assert_eq!(
            rename("a", "b").sql,
            "ALTER SUBSCRIPTION \"a\" RENAME TO \"b\""
        );
        assert_eq!(drop("s").sql, "DROP SUBSCRIPTION IF EXISTS \"s\"");
    }
}
