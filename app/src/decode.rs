//! Reading the server's messages in the browser. `ServerMsg` is internally tagged, and serde
//! reads such an enum by first buffering the whole message into a generic tree, then reading
//! the variant out of that tree: a second copy of every deserializer in the wasm (tens of KB)
//! and an extra allocation of the largest message, the snapshot. Here the tag is read first,
//! then the same text again as the variant's own struct. The wire format is unchanged; the
//! tests hold this to what serde's derived reading gives.

use crate::protocol::{EngineStatus, ServerMsg, Snapshot};
use crate::state::Change;
use serde::Deserialize;
use serde::de::Error as _;

#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct Delta {
    seq: u64,
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Engine {
    engine: EngineStatus,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // the server only writes messages
pub fn server_msg(text: &str) -> Result<ServerMsg, serde_json::Error> {
    let Tag { kind } = serde_json::from_str(text)?;
    Ok(match kind.as_str() {
        // The struct readers ignore the "type" field like any other unknown one.
        "snapshot" => ServerMsg::Snapshot(serde_json::from_str::<Snapshot>(text)?),
        "delta" => {
            let Delta { seq, changes } = serde_json::from_str(text)?;
            ServerMsg::Delta { seq, changes }
        }
        "engine" => {
            let Engine { engine } = serde_json::from_str(text)?;
            ServerMsg::Engine { engine }
        }
        "beat" => ServerMsg::Beat,
        other => {
            return Err(serde_json::Error::unknown_variant(
                other,
                &["snapshot", "delta", "engine", "beat"],
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Task, TaskState};
    use crate::state::ClusterState;

    fn messages() -> Vec<ServerMsg> {
        let task = Task {
            id: "t1".into(),
            service_id: "s1".into(),
            slot: None,
            node_id: Some("n1".into()),
            image: "nginx:1.27".into(),
            state: TaskState::Running,
            desired_state: TaskState::Running,
            message: "started \"quoted\"".into(),
            error: None,
            since: 1_700_000_000,
        };
        let mut state = ClusterState::default();
        state.tasks.insert(task.id.clone(), task.clone());
        vec![
            ServerMsg::Snapshot(Snapshot {
                seq: 3,
                state,
                engine: EngineStatus::Stale {
                    since_ms: 5,
                    reason: "refused".into(),
                    retry_in_ms: 500,
                },
            }),
            ServerMsg::Delta {
                seq: 4,
                changes: vec![Change::Task(task), Change::NodeGone("n9".into())],
            },
            ServerMsg::Engine {
                engine: EngineStatus::NotManager {
                    reason: "inactive".into(),
                },
            },
            ServerMsg::Beat,
        ]
    }

    #[test]
    fn reads_what_serde_writes_and_agrees_with_serde() {
        for message in messages() {
            let text = serde_json::to_string(&message).expect("serialize");
            assert_eq!(server_msg(&text).expect("read"), message, "{text}");
            // The tag need not come first.
            let moved = text.replacen('{', "{\"x\":[1,{\"type\":\"no\"}],", 1);
            assert_eq!(server_msg(&moved).expect("read"), message, "{moved}");
        }
    }

    #[test]
    fn refuses_what_serde_refuses() {
        let cases = [
            r#"{"type":"gossip","seq":1}"#,
            r#"{"seq":1,"changes":[]}"#,
            r#"{"type":"delta","seq":"one","changes":[]}"#,
            r#"{"type":"engine"}"#,
            "not json",
        ];
        for text in cases {
            assert!(server_msg(text).is_err(), "{text}");
            assert!(serde_json::from_str::<ServerMsg>(text).is_err(), "{text}");
        }
    }
}
