//! Re-running a whole transaction that lost a race with another session.
//!
//! GRANT, REVOKE, DROP OWNED and ALTER TABLE rewrite catalog rows without
//! waiting for each other, so parallel applies can fail one writer with a
//! serialization failure, a deadlock or "tuple concurrently updated"
//! ([`PgError::is_transient`]). The failed transaction was rolled back whole,
//! so running it again is safe; every resource does so through this one loop.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::error::PgError;

/// How often a transaction is run before its last error is returned.
pub const ATTEMPTS: u32 = 6;

/// How long to wait after the `attempt`-th run lost a race: growing, and
/// randomized so that colliding sessions spread out.
pub fn pause(attempt: u32) -> Duration {
    let base = 20u64 << attempt.min(5);
    Duration::from_millis(base + rand::rng().random_range(0..base))
}

/// `race` for operations whose error is a [`PgError`] itself.
pub fn transient(e: &PgError) -> Option<&PgError> {
    e.is_transient().then_some(e)
}

/// Runs `op` (one whole transaction) until it succeeds, fails with an error
/// `race` does not recognise, or has run [`ATTEMPTS`] times. `race` returns
/// the server error that makes a failure worth another run (usually when
/// [`PgError::is_transient`]). Pauses grow and are randomized so that
/// colliding sessions spread out.
pub async fn with_retry<T, E, F, Fut>(
    what: &str,
    race: impl Fn(&E) -> Option<&PgError>,
    mut op: F,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if attempt < ATTEMPTS && race(&e).is_some() => {
                let cause = race(&e).map(ToString::to_string).unwrap_or_default();
                let wait = pause(attempt);
                log::info!(
                    "{what}: attempt {attempt} collided with a concurrent change ({cause}); retrying in {} ms",
                    wait.as_millis()
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn a_failure_that_is_not_a_race_is_returned_at_once() {
        let runs = Cell::new(0);
        let r: Result<(), &str> = with_retry(
            "t",
            |_: &&str| None,
            || {
                runs.set(runs.get() + 1);
                async { Err("fatal") }
            },
        )
        .await;
        assert_eq!(r, Err("fatal"));
        assert_eq!(runs.get(), 1);
    }
}
