//! The meeting point of the one cluster-state owner and any number of viewers. The owner
//! publishes; each change is serialized once into a frame shared by every viewer. The
//! broadcast ring is bounded, so a viewer that falls behind costs no memory: it is told it
//! lagged and resyncs from the current snapshot.
//!
//! Its locks recover from poisoning: a panic in the owner (which the supervisor restarts)
//! must not turn every later read into a panic. Nothing is left half-written under them:
//! each critical section builds the new value first and assigns it last.

use crate::metrics::DockerMetrics;
use flotilla_app::protocol::{EngineStatus, ServerMsg, Snapshot};
use flotilla_app::state::{ClusterState, diff};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
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

pub struct Hub {
    current: RwLock<Arc<Snapshot>>,
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
            current: RwLock::new(Arc::new(Snapshot::default())),
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
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A new viewer: its receiver, then the snapshot to start from. Subscribing first means
    /// no delta published in between is missed; deltas the snapshot already holds are
    /// recognised by their `seq` and skipped.
    pub fn join(&self) -> (broadcast::Receiver<Frame>, Arc<Snapshot>) {
        let frames = self.frames.subscribe();
        self.viewer_arrived.notify_one();
        (frames, self.snapshot())
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
            let changes = diff(&current.state, &next);
            if changes.is_empty() {
                return false;
            }
            let seq = current.seq + 1;
            *current = Arc::new(Snapshot {
                seq,
                state: next,
                engine: current.engine.clone(),
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
            if current.engine == engine {
                return;
            }
            let seq = current.seq;
            *current = Arc::new(Snapshot {
                seq,
                state: current.state.clone(),
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

/// The snapshot as a websocket message.
pub fn snapshot_json(snapshot: &Snapshot) -> String {
    serde_json::to_string(&ServerMsg::Snapshot(snapshot.clone())).expect("snapshots serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
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
