//! Retiring a role database by database: `REASSIGN OWNED BY role TO
//! new_owner`, then `DROP OWNED BY role` when asked, each database in a
//! transaction of its own (both statements act only on the connected
//! database, plus the objects every database shares), and what still holds
//! the role afterwards, from `pg_shdepend`.

use tokio_postgres::GenericClient;

use crate::pg::conn::acting::Actor;
use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::locks::{self, Lock};
use crate::pg::error::PgError;
use crate::pg::roles::role::leftovers;
use crate::pg::sql::quote::ident;

/// What to do in each database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retire {
    /// The role that gives up what it owns.
    pub role: String,
    /// The role that gets it.
    pub new_owner: String,
    /// Also `DROP OWNED BY role`: what it still owns after the reassign
    /// (nothing) and the privileges granted to it, its policies' roles and
    /// its default privileges.
    pub drop_owned: bool,
}

/// What happened in one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retired {
    /// It owned something there, which went to the new owner.
    pub reassigned: bool,
    /// `DROP OWNED` ran there.
    pub dropped: bool,
}

impl Retired {
    /// The report line for database `db`.
    pub fn describe(&self, db: &str, r: &Retire) -> String {
        match (self.reassigned, self.dropped) {
            (true, true) => format!(
                "{db}: reassigned what {} owned to {}, then dropped what was left \
                 (privileges, policies, default privileges)",
                r.role, r.new_owner
            ),
            (true, false) => format!("{db}: reassigned what {} owned to {}", r.role, r.new_owner),
            (false, true) => format!(
                "{db}: {} owned nothing; dropped its privileges, policies and default privileges",
                r.role
            ),
            (false, false) => format!("{db}: nothing of {} to reassign or drop", r.role),
        }
    }
}

/// Runs `r` in the caller's transaction, in the database it is connected
/// to; `None` when the role does not exist. The statements run with the
/// privileges of both roles, borrowed by `actor` when it lacks them.
pub async fn retire_here<C: GenericClient>(
    tx: &C,
    r: &Retire,
    actor: &Actor,
) -> Result<Option<Retired>, PgError> {
    // Two such changes over the same objects collide in the catalog.
    locks::take(tx, vec![Lock::OwnedObjects]).await?;
    let Some(left) = leftovers(tx, &r.role).await? else {
        return Ok(None);
    };
    let role = ident(&r.role);
    let mut statements = Vec::new();
    let done = Retired {
        reassigned: left.owns,
        dropped: r.drop_owned && left.any,
    };
    if done.reassigned {
        statements.push(Statement::plain(format!(
            "REASSIGN OWNED BY {role} TO {}",
            ident(&r.new_owner)
        )));
    }
    if done.dropped {
        statements.push(Statement::plain(format!("DROP OWNED BY {role}")));
    }
    if statements.is_empty() {
        return Ok(Some(done));
    }
    let statements = actor
        .wrap(tx, &[r.role.as_str(), r.new_owner.as_str()], statements)
        .await?;
    run_all(tx, &statements).await?;
    Ok(Some(done))
}

/// Every database that accepts connections, by name.
pub async fn connectable_databases<C: GenericClient>(client: &C) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "SELECT datname::text FROM pg_catalog.pg_database WHERE datallowconn ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| PgError::query("listing the databases", e))?;
    rows.iter()
        .map(|r| {
            r.try_get(0)
                .map_err(|e| PgError::query("listing the databases", e))
        })
        .collect()
}

/// What still depends on a role, per database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The database; `None` for the objects every database shares
    /// (databases it owns, tablespaces, privileges on them).
    pub database: Option<String>,
    /// Objects it owns there.
    pub owned: i64,
    /// Other dependencies there: privileges, policies, default privileges.
    pub other: i64,
}

impl Holder {
    /// "app: 2 owned objects, 3 privileges or policies".
    pub fn describe(&self) -> String {
        let place = self
            .database
            .as_deref()
            .map_or("shared objects (databases, tablespaces)".to_string(), |d| {
                format!("database {d}")
            });
        format!(
            "{place}: {} owned, {} privileges, policies or default privileges",
            self.owned, self.other
        )
    }
}

/// What still holds `role`, database by database (empty: it can be dropped).
pub async fn holders<C: GenericClient>(client: &C, role: &str) -> Result<Vec<Holder>, PgError> {
    let action = format!("reading what still depends on role {role:?}");
    let rows = client
        .query(
            "SELECT d.datname::text, \
                    count(*) FILTER (WHERE s.deptype = 'o'), \
                    count(*) FILTER (WHERE s.deptype <> 'o') \
             FROM pg_catalog.pg_shdepend s \
             JOIN pg_catalog.pg_roles r ON r.oid = s.refobjid \
             LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid \
             WHERE s.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass \
               AND r.rolname = $1 \
             GROUP BY d.datname ORDER BY d.datname NULLS FIRST",
            &[&role],
        )
        .await
        .map_err(|e| PgError::query(action.clone(), e))?;
    rows.iter()
        .map(|r| {
            Ok(Holder {
                database: r
                    .try_get(0)
                    .map_err(|e| PgError::query(action.clone(), e))?,
                owned: r
                    .try_get(1)
                    .map_err(|e| PgError::query(action.clone(), e))?,
                other: r
                    .try_get(2)
                    .map_err(|e| PgError::query(action.clone(), e))?,
            })
        })
        .collect()
}

/// The databases where `role` owns something or holds privileges (not the
/// shared objects, which any database's REASSIGN OWNED reaches).
pub async fn databases_holding<C: GenericClient>(
    client: &C,
    role: &str,
) -> Result<Vec<String>, PgError> {
    Ok(holders(client, role)
        .await?
        .into_iter()
        .filter_map(|h| h.database)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_say_what_happened() {
        let r = Retire {
            role: "old".into(),
            new_owner: "heir".into(),
            drop_owned: true,
        };
        let both = Retired {
            reassigned: true,
            dropped: true,
        };
        assert!(both
            .describe("app", &r)
            .starts_with("app: reassigned what old owned to heir"));
        assert_eq!(
            Retired::default().describe("app", &r),
            "app: nothing of old to reassign or drop"
        );
        let h = Holder {
            database: None,
            owned: 1,
            other: 0,
        };
        assert!(h.describe().starts_with("shared objects"));
    }
}
