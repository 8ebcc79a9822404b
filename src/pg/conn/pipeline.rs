//! Statements sent back to back in a transaction, without waiting for each
//! answer before sending the next: one round trip for the lot.
//!
//! tokio-postgres writes a request when its future is first polled, and the
//! server runs requests in the order they arrive. [`in_order`] polls every
//! future in list order each time, so the requests leave in that order, and
//! the first error in that order is the one returned.
//!
//! This is only safe inside a transaction block, which is why these take a
//! [`Transaction`]: there, a statement that fails aborts the transaction and
//! every later one fails with it, as if it had never been sent. In autocommit,
//! the statements after a failed one would still run.
//!
//! Each statement still goes through the extended query protocol, one
//! statement per text, as in [`run_all`](crate::pg::conn::exec::run_all).

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use futures::future::try_join;
use tokio_postgres::Transaction;

use crate::pg::conn::exec::{run_one, Statement};
use crate::pg::error::PgError;

/// Awaits every future of `futures`, polling them in list order, and
/// returns their values in that order; the first error (in list order among
/// those ready) ends the wait and drops the rest.
async fn in_order<F, T, E>(futures: Vec<F>) -> Result<Vec<T>, E>
where
    F: Future<Output = Result<T, E>>,
{
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (future, slot) in futures.iter_mut().zip(done.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            match future.as_mut().poll(cx) {
                Poll::Ready(Ok(v)) => *slot = Some(v),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => pending = true,
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(Ok(()))
        }
    })
    .await?;
    Ok(done.into_iter().flatten().collect())
}

/// Runs `statements` in order on `tx`, all sent at once, each through
/// [`run_one`].
pub async fn run_pipelined(tx: &Transaction<'_>, statements: &[Statement]) -> Result<(), PgError> {
    let each = statements.iter().map(|s| run_one(tx, s));
    in_order(each.collect()).await.map(drop)
}

/// Runs `statements` on `tx`, then `then` (a read on the same transaction),
/// sending `then` right behind them: for locks followed by the read they
/// guard. The server starts `then`, and takes its snapshot, only once every
/// statement before it is done, so a read behind a lock sees what the lock
/// holder committed.
pub async fn run_then<T>(
    tx: &Transaction<'_>,
    statements: &[Statement],
    then: impl Future<Output = Result<T, PgError>>,
) -> Result<T, PgError> {
    try_join(run_pipelined(tx, statements), then)
        .await
        .map(|((), value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A future that records when it is first polled, is pending once, and
    /// then yields `value`.
    fn step(
        log: &Arc<Mutex<Vec<String>>>,
        name: &'static str,
        value: Result<u8, &'static str>,
    ) -> impl Future<Output = Result<u8, &'static str>> {
        let log = Arc::clone(log);
        async move {
            log.lock().unwrap().push(format!("sent {name}"));
            tokio::task::yield_now().await;
            value
        }
    }

    #[tokio::test]
    async fn futures_start_in_list_order_and_values_keep_it() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let steps = vec![
            step(&log, "a", Ok(1)),
            step(&log, "b", Ok(2)),
            step(&log, "c", Ok(3)),
        ];
        assert_eq!(in_order(steps).await, Ok(vec![1, 2, 3]));
        assert_eq!(*log.lock().unwrap(), ["sent a", "sent b", "sent c"]);
    }

    #[tokio::test]
    async fn the_first_error_in_list_order_wins() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let steps = vec![
            step(&log, "a", Ok(1)),
            step(&log, "b", Err("lock timeout")),
            step(&log, "c", Err("transaction aborted")),
        ];
        assert_eq!(in_order(steps).await, Err("lock timeout"));
    }

    #[tokio::test]
    async fn an_empty_list_is_done_at_once() {
        let none: Vec<std::future::Ready<Result<u8, ()>>> = Vec::new();
        assert_eq!(in_order(none).await, Ok(Vec::new()));
    }
}
