//! Waiting on a condition with a deadline: no fixed sleeps in the tests, only this poll.

use std::future::Future;
use std::time::Duration;

/// How often [`wait_until`] asks again.
pub const POLL_EVERY: Duration = Duration::from_millis(200);

/// What a check answers: done (with a value) or not yet. `Option` says only "not yet";
/// `Result<T, String>` also says what it saw, which the panic at the deadline repeats.
pub trait Outcome {
    type Value;
    /// Ok(value) when done; Err(what was seen, if anything) when not yet.
    fn into_outcome(self) -> Result<Self::Value, Option<String>>;
}

impl<T> Outcome for Option<T> {
    type Value = T;
    fn into_outcome(self) -> Result<T, Option<String>> {
        self.ok_or(None)
    }
}

impl<T> Outcome for Result<T, String> {
    type Value = T;
    fn into_outcome(self) -> Result<T, Option<String>> {
        self.map_err(Some)
    }
}

/// Polls `check` every [`POLL_EVERY`] until it answers done (`Some` / `Ok`), and returns its
/// value; panics after `limit`, naming `what` and the last thing `check` saw. A check that
/// hangs is cut off at the deadline too.
pub async fn wait_until<O, F, Fut>(what: &str, limit: Duration, check: F) -> O::Value
where
    O: Outcome,
    F: FnMut() -> Fut,
    Fut: Future<Output = O>,
{
    wait_until_every(what, limit, POLL_EVERY, check).await
}

/// As [`wait_until`], asking every `every` (a measurement that must not blur the moment a
/// change shows polls more often).
pub async fn wait_until_every<O, F, Fut>(
    what: &str,
    limit: Duration,
    every: Duration,
    mut check: F,
) -> O::Value
where
    O: Outcome,
    F: FnMut() -> Fut,
    Fut: Future<Output = O>,
{
    let deadline = tokio::time::Instant::now() + limit;
    let mut answered = false;
    let mut last = None;
    loop {
        if let Ok(outcome) = tokio::time::timeout_at(deadline, check()).await {
            answered = true;
            match outcome.into_outcome() {
                Ok(value) => return value,
                Err(seen) => last = seen.or(last),
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let seen = match (last, answered) {
                (Some(seen), _) => format!("; last seen: {seen}"),
                (None, true) => String::new(),
                (None, false) => "; the check never answered".to_string(),
            };
            panic!("gave up after {limit:?} waiting for {what}{seen}");
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_the_value_once_the_check_holds() {
        let mut calls = 0;
        let value = wait_until("the third call", Duration::from_secs(5), || {
            calls += 1;
            let n = calls;
            async move { (n == 3).then_some(n) }
        })
        .await;
        assert_eq!(value, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "waiting for never; last seen: nope")]
    async fn panics_at_the_deadline_with_what_was_seen() {
        wait_until("never", Duration::from_millis(300), || async {
            Err::<(), _>("nope".to_string())
        })
        .await;
    }

    #[tokio::test]
    #[should_panic(expected = "waiting for a hang; the check never answered")]
    async fn cuts_off_a_check_that_hangs() {
        wait_until("a hang", Duration::from_millis(300), || {
            std::future::pending::<Option<()>>()
        })
        .await;
    }
}
