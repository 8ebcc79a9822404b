//! The one way to run a statement PostgreSQL refuses inside a transaction
//! block (`CREATE DATABASE`, `CREATE SUBSCRIPTION … WITH (create_slot)`,
//! …): alone, in autocommit, on a connection of its own.
//!
//! A [`Session`] is that connection. Starting one borrows the roles a
//! provider role that is not a superuser needs to act as an object's owner
//! ([`Borrowed`]); [`Session::finish`] gives them back, whatever the
//! statements did, and returns their outcome. Whether or not it is
//! finished, a session records a write ([`Pools::note_write`]) when it ends,
//! so no catalog snapshot taken before it is reused, and its connection is
//! closed rather than pooled again, so nothing it set (a `SET` of
//! [`crate::pg::conn::quiet`], a borrowed role) reaches another caller.
//!
//! Each statement commits on its own: a failure after one of them leaves
//! what it did in place. Callers order their statements so that the state
//! Terraform records stays true (see DESIGN.md, "Transactions").

use deadpool_postgres::Object;
use tokio_postgres::Client;
use tokio_util::sync::CancellationToken;

use crate::pg::conn::acting::{Actor, Borrowed};
use crate::pg::conn::exec::{run_all, Statement};
use crate::pg::conn::pool::Pools;
use crate::pg::error::PgError;

/// Where a statement runs alone, and as whom.
#[derive(Debug, Clone, Copy)]
pub struct Alone<'a> {
    /// The database to connect to; `None` is the provider's own.
    pub database: Option<&'a str>,
    /// The provider's role.
    pub actor: &'a Actor,
    /// Roles whose privileges the statements need (an object's owner);
    /// borrowed for the session when the actor is not a superuser.
    pub acting_as: &'a [&'a str],
    /// What the statements do, for the log.
    pub what: &'a str,
}

/// A connection in autocommit for statements that cannot run in a
/// transaction block; see the module docs.
pub struct Session {
    pools: Pools,
    conn: Option<Object>,
    borrowed: Option<Borrowed>,
}

impl Session {
    /// Connects to `target.database` and borrows `target.acting_as` when
    /// needed. Nothing starts once `cancel` has fired.
    pub async fn start(
        pools: &Pools,
        target: Alone<'_>,
        cancel: &CancellationToken,
    ) -> Result<Session, PgError> {
        if cancel.is_cancelled() {
            return Err(PgError::Cancelled);
        }
        let conn = pools.get(target.database).await?;
        let mut session = Session {
            pools: pools.clone(),
            conn: Some(conn),
            borrowed: None,
        };
        log::debug!(
            "{}: running alone, outside a transaction block",
            target.what
        );
        let actor = target.actor;
        if !actor.superuser && !target.acting_as.is_empty() {
            let borrowed = Borrowed::start(
                pools,
                session.client(),
                &actor.me,
                target.acting_as,
                actor.version_num,
            )
            .await?;
            session.borrowed = Some(borrowed);
        }
        Ok(session)
    }

    /// The session's connection.
    pub fn client(&self) -> &Client {
        match &self.conn {
            Some(conn) => conn,
            // `conn` is taken only by `finish` and `drop`, which consume
            // the session.
            None => unreachable!("a session's connection is present until it ends"),
        }
    }

    /// Gives back what was borrowed and ends the session; returns
    /// `result`, or the error of giving back when `result` is fine.
    pub async fn finish<T, E: From<PgError>>(mut self, result: Result<T, E>) -> Result<T, E> {
        let given_back = match self.borrowed.take() {
            Some(b) => b.finish(self.client()).await,
            None => Ok(()),
        };
        drop(self);
        match (result, given_back) {
            (Err(e), _) => Err(e),
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(e.into()),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Snapshots taken before are stale now, whatever the outcome.
        self.pools.note_write();
        if let Some(conn) = self.conn.take() {
            drop(Object::take(conn));
        }
    }
}

/// Runs `statements` alone, in order, each committing on its own; see
/// [`Session`].
pub async fn run_statements(
    pools: &Pools,
    target: Alone<'_>,
    cancel: &CancellationToken,
    statements: &[Statement],
) -> Result<(), PgError> {
    let session = Session::start(pools, target, cancel).await?;
    let result = run_all(session.client(), statements).await;
    session.finish(result).await
}
