//! The one way this provider changes anything: a transaction, run again when
//! it loses a race with another session, and cancellable up to the moment
//! COMMIT is sent but never after.
//!
//! Cancelling (Terraform's StopProvider after Ctrl-C) drops the transaction
//! body, and with it the transaction, which rolls back. Once COMMIT has gone
//! out the server decides the outcome, so the runner waits for it and
//! reports what really happened: a change that committed is reported as
//! done, never as "rolled back".

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::StatementCache;
use rand::Rng;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Transaction};
use tokio_util::sync::CancellationToken;

use crate::pg::conn::exec::{lock_timeout_statement, run_all, Statement};
use crate::pg::conn::pool::Pools;
use crate::pg::error::PgError;

tokio::task_local! {
    /// The statement cache of the connection the running body's
    /// transaction is on ([`run`] sets it), with that connection's client,
    /// so that [`prepared`] uses it for that connection only.
    static STATEMENTS: ConnStatements;
}

/// A pooled connection's statement cache, and which client it belongs to.
#[derive(Clone)]
struct ConnStatements {
    cache: Arc<StatementCache>,
    /// The client's address: stable while a transaction borrows it.
    client: usize,
}

/// The address [`ConnStatements::client`] compares.
fn address(client: &Client) -> usize {
    std::ptr::from_ref(client) as usize
}

/// `sql` prepared with parameter types `types` on `tx`'s connection: kept
/// with the pooled connection when `tx` is the transaction of a body [`run`]
/// runs, so a statement run once per grant of a large apply is parsed and
/// planned once per connection; prepared afresh anywhere else.
pub async fn prepared(
    tx: &Transaction<'_>,
    sql: &str,
    types: &[Type],
) -> Result<tokio_postgres::Statement, tokio_postgres::Error> {
    let here = address(tx.client());
    let cache = STATEMENTS
        .try_with(|s| (s.client == here).then(|| Arc::clone(&s.cache)))
        .ok()
        .flatten();
    match cache {
        Some(cache) => cache.prepare_typed(tx.client(), sql, types).await,
        None => tx.prepare_typed(sql, types).await,
    }
}

/// How often a transaction is run before its last error is returned.
pub const ATTEMPTS: u32 = 6;

/// How long to wait after the `attempt`-th run lost a race: growing, and
/// randomized so that colliding sessions spread out.
fn pause(attempt: u32) -> Duration {
    let base = 20u64 << attempt.min(5);
    Duration::from_millis(base + rand::rng().random_range(0..base))
}

/// What a transaction body returns: a boxed future borrowing the
/// transaction and the caller's context for as long as the body runs.
pub type TxFuture<'t, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>>;

/// Errors a transaction body may fail with: server errors, plus anything the
/// caller adds (for example a finding that stops the change before it is
/// sent).
pub trait TxError: From<PgError> + Send {
    /// The server error inside, if there is one; a transient one makes the
    /// runner try the whole transaction again.
    fn as_pg(&self) -> Option<&PgError>;
}

impl TxError for PgError {
    fn as_pg(&self) -> Option<&PgError> {
        Some(self)
    }
}

/// Where and how a transaction runs.
#[derive(Debug, Clone, Copy)]
pub struct TxTarget<'a> {
    /// The database to connect to; `None` is the provider's own.
    pub database: Option<&'a str>,
    /// `SET LOCAL lock_timeout` before the body, for DDL that locks tables.
    pub lock_timeout: Option<Duration>,
    /// What the change is, for log lines about retries.
    pub what: &'a str,
}

/// Runs `body` in a transaction on `target.database` and commits it.
///
/// `ctx` is handed to the body next to the transaction, so the body's
/// future can borrow the caller's data (`|tx, (a, b)| Box::pin(async move
/// { ... })`). A run that loses a race ([`PgError::is_transient`]) is rolled
/// back and started again from scratch, up to [`ATTEMPTS`] times.
/// When `cancel` fires before COMMIT is sent the result is
/// [`PgError::Cancelled`] and nothing was changed.
pub async fn run<C, T, E, F>(
    pools: &Pools,
    target: TxTarget<'_>,
    cancel: &CancellationToken,
    ctx: &C,
    mut body: F,
) -> Result<T, E>
where
    C: Sync + ?Sized,
    E: TxError,
    F: for<'t> FnMut(&'t Transaction<'t>, &'t C) -> TxFuture<'t, T, E>,
{
    let mut attempt = 1;
    loop {
        let outcome = run_once(pools, target, cancel, ctx, &mut body).await;
        let race = match &outcome {
            Err(e) if attempt < ATTEMPTS => e.as_pg().filter(|p| p.is_transient()),
            _ => None,
        };
        let Some(race) = race else { return outcome };
        let wait = pause(attempt);
        log::info!(
            "{}: attempt {attempt} collided with a concurrent change ({race}); retrying in {} ms",
            target.what,
            wait.as_millis()
        );
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cancel.cancelled() => return Err(PgError::Cancelled.into()),
        }
        attempt += 1;
    }
}

/// [`run`] for a fixed list of statements.
pub async fn run_statements(
    pools: &Pools,
    target: TxTarget<'_>,
    cancel: &CancellationToken,
    statements: &[Statement],
) -> Result<(), PgError> {
    run(pools, target, cancel, statements, |tx, statements| {
        Box::pin(run_all(tx, statements))
    })
    .await
}

async fn run_once<C, T, E, F>(
    pools: &Pools,
    target: TxTarget<'_>,
    cancel: &CancellationToken,
    ctx: &C,
    body: &mut F,
) -> Result<T, E>
where
    C: Sync + ?Sized,
    E: TxError,
    F: for<'t> FnMut(&'t Transaction<'t>, &'t C) -> TxFuture<'t, T, E>,
{
    if cancel.is_cancelled() {
        return Err(PgError::Cancelled.into());
    }
    let mut conn = tokio::select! {
        c = pools.get(target.database) => c?,
        () = cancel.cancelled() => return Err(PgError::Cancelled.into()),
    };
    let tx = conn
        .transaction()
        .await
        .map_err(|e| PgError::query("starting a transaction", e))?;
    let inner: &Transaction<'_> = &tx;
    let statements = ConnStatements {
        cache: Arc::clone(&tx.statement_cache),
        client: address(inner.client()),
    };
    let work = STATEMENTS.scope(statements, async {
        if let Some(t) = target.lock_timeout {
            run_all(inner, &[lock_timeout_statement(t)]).await?;
        }
        body(inner, ctx).await
    });
    // `biased`: a body that finished wins over a stop that arrived in the
    // same instant, so finished work is committed rather than thrown away.
    let value = tokio::select! {
        biased;
        r = work => r?,
        () = cancel.cancelled() => return Err(PgError::Cancelled.into()),
    };
    // From here on the outcome is the server's: COMMIT is awaited whatever
    // Terraform asks meanwhile, and its real result is returned.
    let committed = tx.commit().await;
    pools.note_write();
    committed.map_err(|e| PgError::query("committing the transaction", e))?;
    Ok(value)
}
