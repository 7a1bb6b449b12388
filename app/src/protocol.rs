//! The websocket protocol, server to browser. JSON text frames: a snapshot first, then deltas
//! whose `seq` follows the snapshot's by one each; a gap means the viewer must wait for the
//! resync snapshot the server sends after it (it never has to ask).
//!
//! Enums are externally tagged (`{"delta":{...}}`, `"beat"`), serde's default: the browser
//! reads them in one pass. An internally tagged enum is read by buffering the whole message
//! into a generic tree first, which costs a second copy of every reader in the wasm and a
//! copy of the largest message, the snapshot.

use crate::state::{Change, ClusterState};
use serde::{Deserialize, Serialize};

/// How the server's link to the Docker engine stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineStatus {
    /// Never connected yet.
    #[default]
    Connecting,
    /// Following the engine's events; the state shown is current.
    Live,
    /// The engine answers but is not a swarm manager: there is no cluster to show.
    NotManager { reason: String },
    /// The link is lost: what is shown is as of `since_ms` (Unix milliseconds); the server
    /// tries again in `retry_in_ms`.
    Stale {
        since_ms: u64,
        reason: String,
        retry_in_ms: u64,
    },
}

/// The whole state at `seq`: what a new viewer starts from, what a lagging one is resynced
/// with, and what the server renders the first page from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: u64,
    /// Whose numbering `seq` is in: drawn at random when a panel starts, so a browser that
    /// resumes (see [`since_param`]) is never taken to hold a restarted panel's version.
    #[serde(default)]
    pub epoch: u64,
    pub state: ClusterState,
    pub engine: EngineStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMsg {
    Snapshot(Snapshot),
    Delta {
        seq: u64,
        changes: Vec<Change>,
    },
    Engine {
        engine: EngineStatus,
    },
    /// Sent when the feed has been quiet for a while: proof the link is alive, so a browser
    /// can tell a quiet cluster from a connection that died without closing.
    Beat,
}

/// What a page carries for the browser to hydrate from, in a JSON script element with the id
/// [`PAGE_DATA_ID`]. A snapshot is written exactly as the feed's snapshot message, so the
/// server writes the frame it already has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageData {
    Snapshot(Snapshot),
    /// Why this page may not show the cluster, in words.
    Unavailable(String),
}

pub const PAGE_DATA_ID: &str = "flotilla-state";

impl Snapshot {
    /// Takes one message from the server: a snapshot replaces everything, a delta applies
    /// only if it follows on (after a gap the server's resync snapshot is next), a status
    /// updates the engine's standing. Returns whether anything changed.
    pub fn receive(&mut self, message: ServerMsg) -> bool {
        match message {
            ServerMsg::Snapshot(snapshot) => *self = snapshot,
            ServerMsg::Delta { seq, changes } if seq == self.seq + 1 => {
                crate::state::apply(&mut self.state, changes);
                self.seq = seq;
            }
            ServerMsg::Delta { .. } => return false,
            ServerMsg::Engine { engine } => self.engine = engine,
            ServerMsg::Beat => return false,
        }
        true
    }
}

/// The path the browser opens.
pub const WS_PATH: &str = "/ws";

/// The feed's query parameter by which a browser says which version it holds, so the feed
/// sends only what came after (when it still has all of it) rather than the whole state
/// again: on a page's first connection (the page carried the state) and on a reconnection.
pub const SINCE: &str = "since";

/// `since`'s value for a snapshot: `EPOCH.SEQ`.
pub fn since_param(snapshot: &Snapshot) -> String {
    format!("{}.{}", snapshot.epoch, snapshot.seq)
}

/// `since`'s value read back: None unless it is two whole numbers joined by a dot.
pub fn parse_since(text: &str) -> Option<(u64, u64)> {
    let (epoch, seq) = text.split_once('.')?;
    Some((epoch.parse().ok()?, seq.parse().ok()?))
}

/// The server sends a beat after this long without sending anything else.
pub const BEAT_INTERVAL_MS: u64 = 15_000;

/// Whether a feed that last said something at `last_ms` has been silent so long (three beats
/// missed) that the link must be taken as dead, though the browser has not seen it close:
/// a half-open TCP connection after a network change, a sleeping laptop, a proxy that
/// drops idle connections quietly.
pub fn silent_too_long(last_ms: f64, now_ms: f64) -> bool {
    now_ms - last_ms > (3 * BEAT_INTERVAL_MS) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Task, TaskState};

    #[test]
    fn messages_round_trip_through_json() {
        let task = Task {
            id: "t1".into(),
            service_id: "s1".into(),
            slot: Some(3),
            node_id: None,
            image: "registry:5000/example/echo:latest".into(),
            state: TaskState::Pending,
            desired_state: TaskState::Running,
            message: "pending task scheduling".into(),
            error: Some("no suitable node".into()),
            since: 1_700_000_000,
        };
        let mut state = ClusterState::default();
        state.tasks.insert(task.id.clone(), task.clone());
        let messages = [
            ServerMsg::Snapshot(Snapshot {
                seq: 7,
                epoch: 3,
                state,
                engine: EngineStatus::Live,
            }),
            ServerMsg::Delta {
                seq: 8,
                changes: vec![Change::Task(task), Change::ServiceGone("s9".into())],
            },
            ServerMsg::Engine {
                engine: EngineStatus::Stale {
                    since_ms: 1,
                    reason: "connection refused".into(),
                    retry_in_ms: 800,
                },
            },
            ServerMsg::Engine {
                engine: EngineStatus::NotManager {
                    reason: "inactive".into(),
                },
            },
            ServerMsg::Beat,
        ];
        for message in messages {
            let json = serde_json::to_string(&message).expect("serialize");
            let back: ServerMsg = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, message, "{json}");
        }
    }

    #[test]
    fn a_page_reads_the_feeds_snapshot_message() {
        let snapshot = Snapshot {
            seq: 4,
            ..Snapshot::default()
        };
        let frame = serde_json::to_string(&ServerMsg::Snapshot(snapshot.clone())).unwrap();
        let page: PageData = serde_json::from_str(&frame).expect("a page reads a frame");
        assert_eq!(page, PageData::Snapshot(snapshot));
    }

    /// The wire as the browser reads it: a change here is a protocol change.
    #[test]
    fn wire_shapes() {
        let cases = [
            (ServerMsg::Beat, r#""beat""#),
            (
                ServerMsg::Engine {
                    engine: EngineStatus::Live,
                },
                r#"{"engine":{"engine":"live"}}"#,
            ),
            (
                ServerMsg::Delta {
                    seq: 2,
                    changes: vec![Change::NodeGone("n1".into())],
                },
                r#"{"delta":{"seq":2,"changes":[{"node_gone":"n1"}]}}"#,
            ),
            (
                ServerMsg::Engine {
                    engine: EngineStatus::NotManager {
                        reason: "inactive".into(),
                    },
                },
                r#"{"engine":{"engine":{"not_manager":{"reason":"inactive"}}}}"#,
            ),
        ];
        for (message, want) in cases {
            assert_eq!(serde_json::to_string(&message).expect("serialize"), want);
        }
        let refused = [
            r#"{"gossip":{"seq":1}}"#,
            r#"{"delta":{"seq":"one","changes":[]}}"#,
            "not json",
        ];
        for text in refused {
            assert!(serde_json::from_str::<ServerMsg>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn receive_applies_in_order_and_ignores_gaps() {
        let mut shown = Snapshot::default();
        let gone = |id: &str| ServerMsg::Delta {
            seq: 0,
            changes: vec![Change::TaskGone(id.into())],
        };
        let with_seq = |m: ServerMsg, s: u64| match m {
            ServerMsg::Delta { changes, .. } => ServerMsg::Delta { seq: s, changes },
            other => other,
        };
        assert!(shown.receive(with_seq(gone("a"), 1)));
        assert_eq!(shown.seq, 1);
        assert!(
            !shown.receive(with_seq(gone("a"), 3)),
            "a gap is not applied"
        );
        assert!(
            !shown.receive(with_seq(gone("a"), 1)),
            "an old delta is not applied twice"
        );
        assert_eq!(shown.seq, 1);
        assert!(shown.receive(ServerMsg::Snapshot(Snapshot {
            seq: 9,
            ..Snapshot::default()
        })));
        assert_eq!(shown.seq, 9);
        assert!(shown.receive(ServerMsg::Engine {
            engine: EngineStatus::Live
        }));
        assert_eq!(shown.engine, EngineStatus::Live);
    }

    #[test]
    fn a_beat_changes_nothing_and_silence_has_a_limit() {
        let mut shown = Snapshot::default();
        assert!(!shown.receive(ServerMsg::Beat));
        assert_eq!(shown, Snapshot::default());
        let beat = BEAT_INTERVAL_MS as f64;
        let cases = [
            (0.0, false),
            (beat, false),
            (3.0 * beat, false),
            (3.0 * beat + 1.0, true),
        ];
        for (silence, dead) in cases {
            assert_eq!(silent_too_long(1000.0, 1000.0 + silence), dead, "{silence}");
        }
    }

    #[test]
    fn unknown_task_states_do_not_break_parsing() {
        let state: TaskState = serde_json::from_str("\"some_future_state\"").expect("parse");
        assert_eq!(state, TaskState::Unknown);
    }

    #[test]
    fn since_is_two_whole_numbers() {
        let snapshot = Snapshot {
            seq: 42,
            epoch: 7,
            ..Snapshot::default()
        };
        assert_eq!(since_param(&snapshot), "7.42");
        let cases: [(&str, Option<(u64, u64)>); 7] = [
            ("7.42", Some((7, 42))),
            ("0.0", Some((0, 0))),
            ("7", None),
            ("7.", None),
            (".42", None),
            ("7.-1", None),
            ("18446744073709551616.1", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_since(text), expected, "{text}");
        }
    }
}
