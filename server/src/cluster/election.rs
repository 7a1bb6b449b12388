//! Answers a manager gives while the swarm elects a leader. A manager that is not the leader
//! forwards each request to the leader; while there is none (the leader's node died, Raft is
//! voting) those requests fail for some seconds with "rpc error ..." texts. They are not the
//! engine going away: the owner retries them and keeps what it last saw, rather than
//! reconnecting and showing the panel as stale.

use std::time::Duration;

/// How long election answers are retried before the owner gives up and reconnects (Raft's
/// election timeout in swarm is about 10 s; a lost quorum never ends by itself).
pub const PATIENCE: Duration = Duration::from_secs(20);
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

#[cfg(test)]
mod tests {
    use super::is_election_answer;

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
