//! The feed's big messages written from borrows: wrapping the state or the changes in an
//! owned `ServerMsg` would copy all of it first. Each writes what serde writes for the owned
//! message (tested in hub/tests.rs), so the browser reads one protocol.

use flotilla_app::protocol::Snapshot;
use flotilla_app::state::ChangeRef;

/// `ServerMsg::Delta` written from borrowed changes, as serde writes the owned message.
pub fn delta_json(seq: u64, changes: &[ChangeRef<'_>]) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Message<'a> {
        Delta {
            seq: u64,
            changes: &'a [ChangeRef<'a>],
        },
    }
    serde_json::to_string(&Message::Delta { seq, changes }).expect("deltas serialize")
}

/// The snapshot as a websocket message, `ServerMsg::Snapshot` written from a borrow: wrapping
/// the state in a `ServerMsg` would copy all of it first.
pub fn snapshot_json(snapshot: &Snapshot) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Message<'a> {
        Snapshot(&'a Snapshot),
    }
    serde_json::to_string(&Message::Snapshot(snapshot)).expect("snapshots serialize")
}
