//! The sessions of a role: counting them and ending them with
//! `pg_terminate_backend`.
//!
//! Revoking LOGIN or a membership leaves open sessions with the rights they
//! had, so a revocation takes effect only once those sessions end. Which
//! sessions are meant is decided in one query: the client backends of the
//! role (and, when asked, of every role that is a member of it, directly or
//! through other roles), in one database or all, never the provider's own
//! role nor the session running the query.

use std::collections::BTreeMap;

use tokio_postgres::GenericClient;

use crate::pg::error::PgError;

/// Which sessions are meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFilter {
    /// The role whose sessions end.
    pub role: String,
    /// Only sessions connected to this database; every database when `None`.
    pub database: Option<String>,
    /// Also the sessions of the roles that are members of `role`.
    pub include_members: bool,
}

/// The sessions a filter finds, or ended: how many per database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionCount {
    /// Sessions per database name.
    pub per_database: BTreeMap<String, u64>,
}

impl SessionCount {
    /// How many in all.
    pub fn total(&self) -> u64 {
        self.per_database.values().sum()
    }

    /// "3 sessions of app in 2 databases", or "no session of app".
    pub fn describe(&self, role: &str) -> String {
        let total = self.total();
        let dbs = self.per_database.len();
        match total {
            0 => format!("no session of {role}"),
            1 => format!("1 session of {role} in database {}", self.first_db()),
            n if dbs == 1 => format!("{n} sessions of {role} in database {}", self.first_db()),
            n => format!("{n} sessions of {role} in {dbs} databases"),
        }
    }

    fn first_db(&self) -> &str {
        self.per_database
            .keys()
            .next()
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// The client backends a filter means, as `pid, datname`; `$1` is the role,
/// `$2` the database (or NULL), `$3` whether members count. The provider's
/// own role is left out whatever the filter says, so the provider never
/// cuts the connections it works with.
const TARGETS: &str = "WITH RECURSIVE target AS ( \
         SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $1 \
         UNION \
         SELECT m.member FROM pg_catalog.pg_auth_members m JOIN target t ON m.roleid = t.oid \
         WHERE $3 \
     ) \
     SELECT a.pid, a.datname::text FROM pg_catalog.pg_stat_activity a \
     WHERE a.usesysid IN (SELECT oid FROM target) \
       AND a.backend_type = 'client backend' \
       AND a.pid <> pg_catalog.pg_backend_pid() \
       AND a.usename IS DISTINCT FROM SESSION_USER \
       AND a.usename IS DISTINCT FROM CURRENT_USER \
       AND ($2::text IS NULL OR a.datname = $2::text)";

/// Whether the role exists.
pub async fn role_exists<C: GenericClient>(client: &C, role: &str) -> Result<bool, PgError> {
    let row = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
            &[&role],
        )
        .await
        .map_err(|e| PgError::query(format!("looking up role {role:?}"), e))?;
    Ok(row.is_some())
}

/// Whether the database exists.
pub async fn database_exists<C: GenericClient>(
    client: &C,
    database: &str,
) -> Result<bool, PgError> {
    let row = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1",
            &[&database],
        )
        .await
        .map_err(|e| PgError::query(format!("looking up database {database:?}"), e))?;
    Ok(row.is_some())
}

/// Counts the sessions `filter` means, without ending any.
pub async fn count<C: GenericClient>(
    client: &C,
    filter: &SessionFilter,
) -> Result<SessionCount, PgError> {
    let mut out = SessionCount::default();
    for (_, db) in targets(client, filter).await? {
        *out.per_database.entry(db).or_default() += 1;
    }
    Ok(out)
}

/// How long to wait for each ended session to be gone (PostgreSQL 14 and
/// later), so that what follows (a check, DROP OWNED) no longer meets it.
const WAIT_MS: i64 = 5000;

/// Ends the sessions `filter` means and counts those that ended.
///
/// The sessions are chosen first and ended by process ID in a second
/// query: in one query the planner may call `pg_terminate_backend` before
/// the conditions that spare the provider's own sessions. It acts at once,
/// whatever becomes of the transaction it was called in; from PostgreSQL
/// 14 on it also waits for each session to be gone.
pub async fn terminate<C: GenericClient>(
    client: &C,
    filter: &SessionFilter,
    version_num: i32,
) -> Result<SessionCount, PgError> {
    let found = targets(client, filter).await?;
    let mut out = SessionCount::default();
    if found.is_empty() {
        return Ok(out);
    }
    let pids: Vec<i32> = found.iter().map(|(pid, _)| *pid).collect();
    let call = if version_num >= 140_000 {
        format!("pg_catalog.pg_terminate_backend(t.pid, {WAIT_MS})")
    } else {
        "pg_catalog.pg_terminate_backend(t.pid)".to_string()
    };
    let sql = format!("SELECT t.pid FROM pg_catalog.unnest($1::int4[]) AS t(pid) WHERE {call}");
    let action = format!("ending the sessions of role {:?}", filter.role);
    let rows = client
        .query(sql.as_str(), &[&pids])
        .await
        .map_err(|e| PgError::query(action.clone(), e))?;
    for row in rows {
        let pid: i32 = row
            .try_get(0)
            .map_err(|e| PgError::query(action.clone(), e))?;
        if let Some((_, db)) = found.iter().find(|(p, _)| *p == pid) {
            *out.per_database.entry(db.clone()).or_default() += 1;
        }
    }
    Ok(out)
}

/// The process ID and database of each session `filter` means.
async fn targets<C: GenericClient>(
    client: &C,
    filter: &SessionFilter,
) -> Result<Vec<(i32, String)>, PgError> {
    let action = format!("finding the sessions of role {:?}", filter.role);
    let rows = client
        .query(
            TARGETS,
            &[&filter.role, &filter.database, &filter.include_members],
        )
        .await
        .map_err(|e| PgError::query(action.clone(), e))?;
    rows.iter()
        .map(|row| {
            let pid: i32 = row
                .try_get(0)
                .map_err(|e| PgError::query(action.clone(), e))?;
            let db: Option<String> = row
                .try_get(1)
                .map_err(|e| PgError::query(action.clone(), e))?;
            Ok((pid, db.unwrap_or_default()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(pairs: &[(&str, u64)]) -> SessionCount {
        SessionCount {
            per_database: pairs.iter().map(|(d, n)| ((*d).to_string(), *n)).collect(),
        }
    }

    #[test]
    fn describes_counts_as_a_person_would() {
        assert_eq!(count(&[]).describe("app"), "no session of app");
        assert_eq!(
            count(&[("a", 1)]).describe("app"),
            "1 session of app in database a"
        );
        assert_eq!(
            count(&[("a", 2)]).describe("app"),
            "2 sessions of app in database a"
        );
        assert_eq!(
            count(&[("a", 2), ("b", 1)]).describe("app"),
            "3 sessions of app in 2 databases"
        );
    }

    #[test]
    fn members_follow_only_when_asked() {
        // The recursive arm is guarded by the include_members parameter.
        assert!(TARGETS.contains("WHERE $3"));
        assert!(TARGETS.contains("pg_backend_pid()"));
    }
}
