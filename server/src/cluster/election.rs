//! Answers a manager gives while the swarm elects a leader. A manager that is not the leader
//! forwards each request to the leader; while there is none (the leader's node died, Raft is
//! voting) those requests fail for some seconds with "rpc error ..." texts. They are not the
//! engine going away: the owner retries them and keeps what it last saw, rather than
//! reconnecting and showing the panel as stale.

use std::fmt;
use std::time::Duration;
use tokio::time::Instant;

/// How long election answers are retried before the owner gives up and reconnects. Raft's
/// election timeout in swarm is about 10 s, but on the lab a survivor's `node ls` answered
/// again only 24.5 s after the leader was killed (server/tests/panel_on_swarm.rs); a lost
/// quorum never ends by itself, and is shown stale after this long.
pub const PATIENCE: Duration = Duration::from_secs(30);
/// The pause between retries while a leader is being elected.
pub const RETRY_EVERY: Duration = Duration::from_millis(500);

/// Whether an error's text is one of the answers a manager gives while it has no leader.
/// "not a swarm manager" is not one of them: a demoted node stays demoted.
pub fn is_election_answer(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    let leaderless = [
        "does not have a leader",
        "no elected cluster leader",
        "not the leader",
        "raft: no leader",
        "lost leadership",
    ];
    let forwarding = e.contains("rpc error")
        && [
            "deadlineexceeded",
            "unavailable",
            "deadline exceeded",
            "transport",
        ]
        .iter()
        .any(|hint| e.contains(hint));
    leaderless.iter().any(|hint| e.contains(hint)) || forwarding
}

/// Why a request made while following the engine failed, for what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hitch {
    /// The swarm is between leaders, or too slow to answer while the engine itself answers:
    /// retried, and the state shown is kept.
    Election(String),
    /// The engine is gone or refuses: reconnect, and say the state is stale.
    Lost(String),
}

impl Hitch {
    /// An error the engine answered with.
    pub fn of(error: &str) -> Hitch {
        if is_election_answer(error) {
            Hitch::Election(error.to_string())
        } else {
            Hitch::Lost(error.to_string())
        }
    }

    /// A request that got no answer within `limit`. A manager forwarding to a leader that
    /// died waits for its own deadline, so a living engine (it still answers a ping) is
    /// taken as a swarm between leaders, not as an engine gone.
    pub fn unanswered(limit: Duration, engine_answers: bool) -> Hitch {
        let waited = limit.as_secs_f64();
        if engine_answers {
            Hitch::Election(format!(
                "the swarm did not answer within {waited:.1} s while the engine does"
            ))
        } else {
            Hitch::Lost(format!("the engine did not answer within {waited:.1} s"))
        }
    }
}

impl fmt::Display for Hitch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hitch::Election(text) | Hitch::Lost(text) => f.write_str(text),
        }
    }
}

/// Since when requests have been failing with election answers, if they are.
#[derive(Default)]
pub struct Leaderless {
    since: Option<Instant>,
}

impl Leaderless {
    /// Whether `hitch` may be retried: an election, within the patience granted.
    pub fn patient(&mut self, hitch: &Hitch) -> bool {
        let Hitch::Election(error) = hitch else {
            return false;
        };
        let since = *self.since.get_or_insert_with(|| {
            tracing::info!(%error, "the swarm is electing a leader; retrying");
            Instant::now()
        });
        since.elapsed() < PATIENCE
    }
}

#[cfg(test)]
mod tests {
    use super::{Hitch, is_election_answer};
    use std::time::Duration;

    #[test]
    fn a_request_left_unanswered_is_an_election_only_while_the_engine_answers() {
        let limit = Duration::from_millis(2500);
        let cases = [
            (
                true,
                true,
                "the swarm did not answer within 2.5 s while the engine does",
            ),
            (false, false, "the engine did not answer within 2.5 s"),
        ];
        for (answers, election, text) in cases {
            let hitch = Hitch::unanswered(limit, answers);
            assert_eq!(matches!(hitch, Hitch::Election(_)), election, "{hitch}");
            assert_eq!(hitch.to_string(), text);
        }
        assert!(matches!(
            Hitch::of("rpc error: code = Unknown desc = raft: no elected cluster leader"),
            Hitch::Election(_)
        ));
        assert!(!matches!(
            Hitch::of("error trying to connect: Connection refused"),
            Hitch::Election(_)
        ));
    }

    #[test]
    fn tells_an_election_from_other_failures() {
        let cases = [
            (
                "Docker responded with status code 500: rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online.",
                true,
            ),
            (
                "rpc error: code = Unknown desc = raft: no elected cluster leader",
                true,
            ),
            (
                "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
                true,
            ),
            (
                "rpc error: code = Unavailable desc = connection error: desc = \"transport: error while dialing\"",
                true,
            ),
            ("node is not the leader", true),
            (
                "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.",
                false,
            ),
            (
                "error trying to connect: Connection refused (os error 111)",
                false,
            ),
            (
                "rpc error: code = NotFound desc = service x not found",
                false,
            ),
            ("", false),
        ];
        for (text, want) in cases {
            assert_eq!(is_election_answer(text), want, "{text}");
        }
    }
}
