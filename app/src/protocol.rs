//! The websocket protocol, server to browser. JSON text frames: a snapshot first, then deltas
//! whose `seq` follows the snapshot's by one each; a gap means the viewer must wait for the
//! resync snapshot the server sends after it (it never has to ask).

use crate::state::{Change, ClusterState};
use serde::{Deserialize, Serialize};

/// How the server's link to the Docker engine stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
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
    pub state: ClusterState,
    pub engine: EngineStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Snapshot(Snapshot),
    Delta { seq: u64, changes: Vec<Change> },
    Engine { engine: EngineStatus },
}

/// The path the browser opens.
pub const WS_PATH: &str = "/ws";

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
        ];
        for message in messages {
            let json = serde_json::to_string(&message).expect("serialize");
            let back: ServerMsg = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, message, "{json}");
        }
    }

    #[test]
    fn unknown_task_states_do_not_break_parsing() {
        let state: TaskState = serde_json::from_str("\"some_future_state\"").expect("parse");
        assert_eq!(state, TaskState::Unknown);
    }
}
