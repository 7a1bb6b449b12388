//! Requests made while following the engine, each with a time limit: a manager forwarding to
//! a leader that died hangs until its own deadline, and what the owner does next depends on
//! whether the engine itself still answers (see `election::Hitch`).

use super::election::Hitch;
use super::owner::Timing;
use crate::docker::Engine;
use std::future::Future;
use std::time::Duration;

/// Asks the engine, bounded by `limit`: a manager forwarding to a leader that died hangs
/// until its own deadline, and one hung request would hold up every event and re-list queued
/// behind it (a node shown down seconds after Docker says so).
pub(super) async fn bounded<T>(
    engine: &Engine,
    limit: Duration,
    request: impl Future<Output = crate::docker::Result<T>>,
) -> Result<T, Hitch> {
    match tokio::time::timeout(limit, request).await {
        Ok(answer) => answer.map_err(|e| Hitch::of(&e.to_string())),
        Err(_) => Err(Hitch::unanswered(limit, engine.answers(PING_WITHIN).await)),
    }
}

/// How long the engine gets to answer a ping once a request went unanswered.
const PING_WITHIN: Duration = Duration::from_secs(1);

/// How long a request may go unanswered before it counts as hung: a few times what the last
/// full list took (a large swarm lists slowly), never under `answer_within` nor over the
/// client's own per-request timeout, which is also the limit until a first list has taken
/// place.
#[derive(Clone, Copy)]
pub(super) struct Limit {
    pub(super) now: Duration,
    floor: Duration,
    ceiling: Duration,
}

impl Limit {
    pub(super) fn new(timing: &Timing) -> Limit {
        let ceiling = Duration::from_secs(timing.request_timeout_secs);
        let floor = timing.answer_within.min(ceiling);
        Limit {
            now: ceiling,
            floor,
            ceiling,
        }
    }

    pub(super) fn learn(&mut self, full_list_took: Duration) {
        self.now = (full_list_took * 4).max(self.floor).min(self.ceiling);
    }
}

#[cfg(test)]
mod tests {
    use super::{Limit, Timing};
    use std::time::Duration;

    #[test]
    fn the_limit_follows_the_last_full_list_within_its_bounds() {
        let ms = Duration::from_millis;
        let timing = Timing::default(); // 2 s at least, the client's 10 s at most
        let mut limit = Limit::new(&timing);
        assert_eq!(
            limit.now,
            ms(10_000),
            "no list seen yet: the client's own timeout"
        );
        for (took, want) in [
            (ms(40), ms(2_000)),
            (ms(900), ms(3_600)),
            (ms(4_000), ms(10_000)),
        ] {
            limit.learn(took);
            assert_eq!(limit.now, want, "a full list that took {took:?}");
        }
        let tight = Timing {
            request_timeout_secs: 1,
            ..Timing::default()
        };
        assert_eq!(
            Limit::new(&tight).now,
            ms(1_000),
            "the floor never exceeds the ceiling"
        );
    }
}
