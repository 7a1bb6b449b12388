//! The meeting point of the one cluster-state owner and any number of viewers. The owner
//! publishes; each change is serialized once into a frame shared by every viewer. The
//! broadcast ring is bounded, so a viewer that falls behind costs no memory: it is told it
//! lagged and resyncs from the current snapshot.
//!
//! The snapshot a viewer starts from (or is resynced with) is serialized at most once per
//! version and the frame shared too: at 20,000 tasks it is megabytes of JSON, which every
//! join used to build again.
//!
//! Its locks recover from poisoning: a panic in the owner (which the supervisor restarts)
//! must not turn every later read into a panic. Nothing is left half-written under them:
//! each critical section builds the new value first and assigns it last.

use crate::metrics::DockerMetrics;
use flotilla_app::protocol::{EngineStatus, ServerMsg, Snapshot};
use flotilla_app::state::{ClusterState, diff};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use tokio::time::Instant;

/// How many frames a viewer may fall behind before it is resynced.
pub const FRAME_BUFFER: usize = 256;

/// A serialized server message, shared by all viewers.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The state's sequence number after this frame.
    pub seq: u64,
    /// Deltas advance `seq`; engine-status frames do not.
    pub is_delta: bool,
    pub json: Arc<str>,
}

/// The state as last published, and its snapshot frame once someone asked for it.
///
/// The frame is built lazily, on the first ask after a publish, rather than eagerly at
/// publish: the owner publishes on every change (under churn, many times a second) and
/// usually nobody joins or resyncs in between, so an eager build would serialize the whole
/// state for nothing each time, on the owner's path. Lazily, a change costs nothing until a
/// viewer or a page wants the snapshot, and then once for all who want that version. The
/// cell is built outside the hub's lock, so the owner is never held up by a serialization;
/// askers of the same version who come meanwhile wait on the cell for the one build. A
/// panic in a build leaves the cell empty, not poisoned: the next asker builds it.
#[derive(Clone, Default)]
struct Published {
    snapshot: Arc<Snapshot>,
    frame: Arc<OnceLock<Arc<str>>>,
}

impl Published {
    /// A new version, its frame not yet built: whatever replaces the snapshot replaces the
    /// cell with it, so a frame never outlives the state it shows.
    fn new(snapshot: Snapshot) -> Published {
        Published {
            snapshot: Arc::new(snapshot),
            frame: Arc::default(),
        }
    }

    fn frame(&self) -> Arc<str> {
        self.frame
            .get_or_init(|| snapshot_json(&self.snapshot).into())
            .clone()
    }
}

/// The snapshot a viewer starts from and the same as a websocket message, shared by all who
/// asked for this version.
#[derive(Clone, Debug)]
pub struct Current {
    pub snapshot: Arc<Snapshot>,
    pub json: Arc<str>,
}

pub struct Hub {
    current: RwLock<Published>,
    frames: broadcast::Sender<Frame>,
    /// Woken when a viewer arrives, so the owner can refresh a state it let go stale while
    /// nobody watched.
    pub viewer_arrived: Notify,
    /// When the state was last read in full from Docker, and a counter of such reads.
    synced: Mutex<Option<Instant>>,
    syncs: watch::Sender<u64>,
    /// Where the engines of this cluster count their Docker requests: made here because the
    /// state owner connects its engine where only the hub reaches; `serve` registers it
    /// with the rest of the metrics.
    docker_metrics: DockerMetrics,
    /// Counts the swarm config events the owner saw (and its reconnections, when some may
    /// have been missed): the swarm store of kiosk links re-reads its configs on a change.
    config_events: watch::Sender<u64>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            current: RwLock::new(Published::default()),
            frames: broadcast::channel(FRAME_BUFFER).0,
            viewer_arrived: Notify::new(),
            synced: Mutex::new(None),
            syncs: watch::Sender::new(0),
            docker_metrics: DockerMetrics::default(),
            config_events: watch::Sender::new(0),
        }
    }
}

impl Hub {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.published().snapshot
    }

    /// The current snapshot and its websocket message (`{"type":"snapshot",...}`), the
    /// message serialized at most once per version and shared: what a resync sends, and
    /// what a page renderer can embed.
    pub fn snapshot_and_json(&self) -> (Arc<Snapshot>, Arc<str>) {
        let published = self.published();
        let json = published.frame();
        (published.snapshot, json)
    }

    /// The two Arcs of the current version, cloned under the lock and nothing more: the
    /// frame is built (if need be) after the lock is let go.
    fn published(&self) -> Published {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A new viewer: its receiver, then the snapshot to start from, with its shared frame.
    /// Subscribing first means no delta published in between is missed; deltas the snapshot
    /// already holds are recognised by their `seq` and skipped.
    pub fn join(&self) -> (broadcast::Receiver<Frame>, Current) {
        let frames = self.frames.subscribe();
        self.viewer_arrived.notify_one();
        let (snapshot, json) = self.snapshot_and_json();
        (frames, Current { snapshot, json })
    }

    /// Called by the owner after every successful re-list.
    pub fn mark_synced(&self) {
        *self.synced.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        self.syncs.send_modify(|n| *n += 1);
    }

    /// How old the last re-list is (forever, if none has succeeded).
    pub fn sync_age(&self) -> Duration {
        self.synced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|t| t.elapsed())
            .unwrap_or(Duration::MAX)
    }

    /// A snapshot no older than `max_age` if the owner can make one within `wait`: what a
    /// page render uses, since it is not a viewer and nobody may be watching.
    pub async fn fresh_snapshot(&self, max_age: Duration, wait: Duration) -> Arc<Snapshot> {
        // Waiting helps when the engine answers or is being reached for the first time; a
        // stale panel renders what it has.
        let worth_waiting = matches!(
            self.snapshot().engine,
            flotilla_app::protocol::EngineStatus::Live
                | flotilla_app::protocol::EngineStatus::Connecting
        );
        if worth_waiting && self.sync_age() > max_age {
            let mut syncs = self.syncs.subscribe();
            let seen = *syncs.borrow_and_update();
            self.viewer_arrived.notify_one();
            let _ = tokio::time::timeout(wait, syncs.wait_for(|n| *n > seen)).await;
        }
        self.snapshot()
    }

    /// The counters an engine talking to this cluster's manager counts its requests with.
    pub fn docker_metrics(&self) -> DockerMetrics {
        self.docker_metrics.clone()
    }

    /// Called by the owner when a swarm config may have changed.
    pub fn config_changed(&self) {
        self.config_events.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Told of every [`Hub::config_changed`] from now on (several coalesce into one).
    pub fn config_changes(&self) -> watch::Receiver<u64> {
        self.config_events.subscribe()
    }

    pub fn viewers(&self) -> usize {
        self.frames.receiver_count()
    }

    /// Replaces the cluster state; publishes a delta if anything changed.
    pub fn publish_state(&self, next: ClusterState) -> bool {
        let frame = {
            let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
            let changes = diff(&current.snapshot.state, &next);
            if changes.is_empty() {
                return false;
            }
            let seq = current.snapshot.seq + 1;
            *current = Published::new(Snapshot {
                seq,
                state: next,
                engine: current.snapshot.engine.clone(),
            });
            let json = serde_json::to_string(&ServerMsg::Delta { seq, changes })
                .expect("deltas serialize");
            Frame {
                seq,
                is_delta: true,
                json: json.into(),
            }
        };
        // Sent after the snapshot is updated: a viewer joining in between sees the new
        // snapshot and skips this frame by its seq.
        let _ = self.frames.send(frame);
        true
    }

    /// Records how the link to the engine stands; tells viewers if that changed.
    pub fn publish_engine(&self, engine: EngineStatus) {
        let frame = {
            let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
            if current.snapshot.engine == engine {
                return;
            }
            let seq = current.snapshot.seq;
            *current = Published::new(Snapshot {
                seq,
                state: current.snapshot.state.clone(),
                engine: engine.clone(),
            });
            let json =
                serde_json::to_string(&ServerMsg::Engine { engine }).expect("status serializes");
            Frame {
                seq,
                is_delta: false,
                json: json.into(),
            }
        };
        let _ = self.frames.send(frame);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_message_is_written_as_serde_writes_a_server_msg() {
        let snapshot = Snapshot {
            seq: 9,
            state: state_with_network("n1"),
            engine: EngineStatus::Live,
        };
        let owned = serde_json::to_string(&ServerMsg::Snapshot(snapshot.clone())).unwrap();
        assert_eq!(snapshot_json(&snapshot), owned);
    }
    use flotilla_app::model::{Network, Task, TaskState};

    fn state_with_network(name: &str) -> ClusterState {
        let mut state = ClusterState::default();
        let network = Network {
            id: name.into(),
            name: name.into(),
            driver: "overlay".into(),
            scope: "swarm".into(),
            attachable: true,
            ingress: false,
            stack: None,
        };
        state.networks.insert(name.into(), network);
        state
    }

    #[test]
    fn unchanged_state_publishes_nothing() {
        let hub = Hub::default();
        let (mut rx, _) = hub.join();
        assert!(hub.publish_state(state_with_network("a")));
        assert!(!hub.publish_state(state_with_network("a")));
        assert_eq!(rx.try_recv().expect("one delta").seq, 1);
        assert!(rx.try_recv().is_err());
        assert_eq!(hub.snapshot().seq, 1);
    }

    #[test]
    fn engine_status_frames_do_not_advance_seq() {
        let hub = Hub::default();
        let (mut rx, _) = hub.join();
        hub.publish_engine(EngineStatus::Live);
        hub.publish_engine(EngineStatus::Live);
        let frame = rx.try_recv().expect("status frame");
        assert!(!frame.is_delta);
        assert_eq!(frame.seq, 0);
        assert!(
            rx.try_recv().is_err(),
            "an unchanged status is not sent again"
        );
        assert_eq!(hub.snapshot().engine, EngineStatus::Live);
    }

    /// What a viewer would make of the frame: the snapshot it carries.
    fn parsed(json: &str) -> Snapshot {
        match serde_json::from_str(json).expect("the frame parses") {
            ServerMsg::Snapshot(snapshot) => snapshot,
            other => panic!("not a snapshot: {other:?}"),
        }
    }

    #[test]
    fn one_version_is_serialized_once_and_shared() {
        let hub = Hub::default();
        hub.publish_state(state_with_network("a"));
        let (_rx, joined) = hub.join();
        let (snapshot, json) = hub.snapshot_and_json();
        assert!(Arc::ptr_eq(&joined.json, &json), "a second build of seq 1");
        assert!(Arc::ptr_eq(&joined.snapshot, &snapshot));
        assert_eq!(parsed(&json), *snapshot);
    }

    #[test]
    fn a_publish_or_a_status_change_makes_a_new_frame() {
        let hub = Hub::default();
        let (_, before) = hub.snapshot_and_json();

        assert!(hub.publish_state(state_with_network("a")));
        let (_, published) = hub.snapshot_and_json();
        assert!(!Arc::ptr_eq(&before, &published));
        let shown = parsed(&published);
        assert_eq!(shown.seq, 1);
        assert_eq!(shown.state, state_with_network("a"));

        // Unchanged state: no new version, the same frame.
        assert!(!hub.publish_state(state_with_network("a")));
        assert!(Arc::ptr_eq(&published, &hub.snapshot_and_json().1));

        hub.publish_engine(EngineStatus::Live);
        let (snapshot, status) = hub.snapshot_and_json();
        assert!(
            !Arc::ptr_eq(&published, &status),
            "a stale frame after a status change"
        );
        assert_eq!(parsed(&status).engine, EngineStatus::Live);
        assert_eq!(parsed(&status), *snapshot);
        // The same status again changes nothing, and keeps the frame.
        hub.publish_engine(EngineStatus::Live);
        assert!(Arc::ptr_eq(&status, &hub.snapshot_and_json().1));
    }

    #[test]
    fn viewers_joining_at_once_share_one_build() {
        let hub = Arc::new(Hub::default());
        hub.publish_state(state_with_network("a"));
        let frames: Vec<Arc<str>> = std::thread::scope(|scope| {
            let joins: Vec<_> = (0..8).map(|_| scope.spawn(|| hub.join().1.json)).collect();
            joins.into_iter().map(|j| j.join().expect("join")).collect()
        });
        assert!(frames.iter().all(|f| Arc::ptr_eq(f, &frames[0])));
    }

    #[test]
    fn a_panic_under_the_lock_does_not_break_later_readers() {
        let hub = Arc::new(Hub::default());
        let owner = hub.clone();
        let crashed = std::thread::spawn(move || {
            let _held = owner.current.write().expect("first use");
            panic!("the owner panics while publishing");
        })
        .join();
        assert!(crashed.is_err());
        assert!(hub.current.is_poisoned());
        hub.publish_engine(EngineStatus::Live);
        assert_eq!(hub.snapshot().engine, EngineStatus::Live);
        let (_, json) = hub.snapshot_and_json();
        assert_eq!(parsed(&json).engine, EngineStatus::Live);
    }

    #[test]
    fn a_viewer_that_falls_behind_is_told_it_lagged() {
        let hub = Hub::default();
        let (mut rx, _) = hub.join();
        for i in 0..(FRAME_BUFFER + 10) {
            let mut state = ClusterState::default();
            let task = Task {
                id: "t".into(),
                service_id: "s".into(),
                slot: Some(1),
                node_id: None,
                image: String::new(),
                state: TaskState::Pending,
                desired_state: TaskState::Running,
                message: format!("{i}"),
                error: None,
                since: 0,
            };
            state.tasks.insert("t".into(), task);
            hub.publish_state(state);
        }
        assert!(matches!(
            rx.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
        assert_eq!(hub.snapshot().seq, (FRAME_BUFFER + 10) as u64);
    }
}
