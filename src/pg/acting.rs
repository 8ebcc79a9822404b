//! Acting as an object's owner: the temporary memberships a provider role
//! that is not a superuser needs for the ownership checks of CREATE ...
//! OWNER, ALTER ... OWNER TO and DROP, as the reference provider takes them.
//!
//! PostgreSQL lets a role create an object for another owner, or change or
//! drop an object, only when it may act as the owner: SET ROLE to it (for a
//! new owner; PostgreSQL 16 and later ask for the SET option) and use its
//! privileges (for the current owner; INHERIT). A role with CREATEROLE (and,
//! on PostgreSQL 16 and later, ADMIN OPTION on the owner) may grant itself
//! that membership for the duration of the change. Superusers need none of
//! this, and roles that already may act as the owner get nothing granted,
//! so nothing they hold is revoked afterwards either.

use deadpool_postgres::Object;
use tokio_postgres::GenericClient;

use super::error::PgError;
use super::exec::{run_all, Statement};
use super::grant::advisory_lock;
use super::pool::Pools;
use super::quote::ident;

/// Whether the current user may act as `role`: use its privileges and, on
/// PostgreSQL 16 and later, SET ROLE to it (before 16 membership gives both).
pub async fn can_act_as<C: GenericClient>(
    client: &C,
    role: &str,
    version_num: i32,
) -> Result<bool, PgError> {
    let sql = if version_num >= 160_000 {
        "SELECT pg_catalog.pg_has_role(current_user, $1, 'USAGE') \
            AND pg_catalog.pg_has_role(current_user, $1, 'SET')"
    } else {
        "SELECT pg_catalog.pg_has_role(current_user, $1, 'USAGE')"
    };
    let row = client
        .query_one(sql, &[&role])
        .await
        .map_err(|e| PgError::query(format!("checking membership in role {role:?}"), e))?;
    Ok(row.get(0))
}

/// The roles among `roles` the current user may not act as yet (each once,
/// in order); empty for a superuser.
pub async fn roles_to_borrow<C: GenericClient>(
    client: &C,
    roles: &[&str],
    is_superuser: bool,
    version_num: i32,
) -> Result<Vec<String>, PgError> {
    let mut out: Vec<String> = Vec::new();
    if is_superuser {
        return Ok(out);
    }
    for role in roles {
        if out.iter().any(|r| r == role) {
            continue;
        }
        if !can_act_as(client, role, version_num).await? {
            out.push((*role).to_string());
        }
    }
    Ok(out)
}

/// GRANT role TO member, with the privileges and SET ROLE that ownership
/// checks need (PostgreSQL 16 and later take them as options).
pub fn borrow(role: &str, member: &str, version_num: i32) -> Statement {
    Statement::plain(if version_num >= 160_000 {
        format!(
            "GRANT {} TO {} WITH INHERIT TRUE, SET TRUE",
            ident(role),
            ident(member)
        )
    } else {
        format!("GRANT {} TO {}", ident(role), ident(member))
    })
}

/// REVOKE role FROM member: gives back what [`borrow`] granted.
pub fn give_back(role: &str, member: &str) -> Statement {
    Statement::plain(format!("REVOKE {} FROM {}", ident(role), ident(member)))
}

/// The transaction-scoped advisory lock serializing the temporary
/// memberships of `member`: two changes in parallel must not revoke a
/// membership the other one still needs.
pub fn lock(member: &str) -> Statement {
    advisory_lock(&format!("pgwarden/acting-as:{}", ident(member)))
}

/// Memberships borrowed for statements that cannot run in a transaction
/// block (CREATE and DROP DATABASE), where a grant must be committed before
/// the statement that needs it: the grants are committed, and a transaction
/// on a connection of its own holds [`lock`] until [`Borrowed::finish`]
/// gives them back. (Changes that run in a transaction put [`borrow`] and
/// [`give_back`] around their statements instead, so nothing is ever
/// visible outside it.)
pub struct Borrowed {
    /// The connection holding the lock; closed, never pooled again, so its
    /// transaction and lock end with it whatever happens.
    lock: Option<Object>,
    roles: Vec<String>,
    member: String,
}

impl Borrowed {
    /// Nothing borrowed (a superuser needs nothing).
    pub fn none() -> Borrowed {
        Borrowed {
            lock: None,
            roles: Vec::new(),
            member: String::new(),
        }
    }

    /// Takes the lock of `member` (the provider's role), then grants it the
    /// roles among `roles` it may not act as yet, on `conn` (autocommit).
    pub async fn start<C: GenericClient>(
        pools: &Pools,
        conn: &C,
        member: &str,
        roles: &[&str],
        version_num: i32,
    ) -> Result<Borrowed, PgError> {
        let lock_conn = pools.get(None).await?;
        let mut out = Borrowed {
            lock: None,
            roles: Vec::new(),
            member: member.to_string(),
        };
        lock_conn
            .batch_execute("BEGIN")
            .await
            .map_err(|e| PgError::query("starting the membership lock's transaction", e))?;
        out.lock = Some(lock_conn);
        if let Some(l) = &out.lock {
            run_all(&***l, &[lock(member)]).await?;
        }
        for role in roles_to_borrow(conn, roles, false, version_num).await? {
            log::info!("granting role {role:?} to {member:?} for the duration of the change");
            if let Err(e) = run_all(conn, &[borrow(&role, member, version_num)]).await {
                out.finish(conn).await?;
                return Err(e);
            }
            out.roles.push(role);
        }
        Ok(out)
    }

    /// Revokes what was granted and releases the lock. The revokes run even
    /// after the change failed; the first error wins.
    pub async fn finish<C: GenericClient>(mut self, conn: &C) -> Result<(), PgError> {
        let mut result = Ok(());
        for role in std::mem::take(&mut self.roles) {
            if let Err(e) = run_all(conn, &[give_back(&role, &self.member)]).await {
                log::warn!("could not revoke the temporary membership in {role:?}: {e}");
                if result.is_ok() {
                    result = Err(e);
                }
            }
        }
        result
    }
}

impl Drop for Borrowed {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            // Closing the connection ends its transaction and the lock.
            drop(Object::take(lock));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrow_asks_for_inherit_and_set_on_16() {
        assert_eq!(
            borrow("o", "me", 160_000).sql,
            "GRANT \"o\" TO \"me\" WITH INHERIT TRUE, SET TRUE"
        );
        assert_eq!(borrow("o", "me", 150_000).sql, "GRANT \"o\" TO \"me\"");
        assert_eq!(give_back("o", "me").sql, "REVOKE \"o\" FROM \"me\"");
        assert!(lock("me").sql.contains("acting-as:\"me\""));
    }
}
