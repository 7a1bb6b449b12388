//! The meeting point of the one cluster-state owner and any number of viewers. The owner
//! publishes; each change is serialized once into a frame shared by every viewer. The
//! broadcast ring is bounded, so a viewer that falls behind costs no memory: it is told it
//! lagged and resyncs from the current snapshot.
//!
//! The snapshot a viewer starts from (or is resynced with) is serialized at most once per
//! version and the frame shared too: at 20,000 tasks it is megabytes of JSON, which every
//! join used to build again. Under churn every version is new, so a viewer may also start
//! from a frame built less than `REUSE_FOR` ago and catch up through the frames sent since
//! (`recent`): a crowd reconnecting at once costs a build a second, not one each.
//!
//! Its locks recover from poisoning: a panic in the owner (which the supervisor restarts)
//! must not turn every later read into a panic. Nothing is left half-written under them:
//! each critical section builds the new value first and assigns it last.

use super::messages::{delta_json, snapshot_json};
use super::recent::Recent;
use crate::metrics::DockerMetrics;
use flotilla_app::protocol::{EngineStatus, ServerMsg, Snapshot};
use flotilla_app::state::{ClusterState, diff_refs};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, watch};
use tokio::time::Instant;

/// How many frames a viewer may fall behind before it is resynced.
pub const FRAME_BUFFER: usize = 256;
/// How old a built snapshot frame may be and still start a viewer, who then catches up.
const REUSE_FOR: Duration = Duration::from_secs(1);

/// A serialized server message, shared by all viewers.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The state's sequence number after this frame.
    pub seq: u64,
    /// Every frame sent is numbered, one past the last: a viewer that started from a
    /// version and caught up knows which frames it has.
    pub order: u64,
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
    /// The order of the frame that made this version (see `Frame::order`).
    order: u64,
    frame: Arc<OnceLock<Arc<str>>>,
}

impl Published {
    /// A new version, its frame not yet built: whatever replaces the snapshot replaces the
    /// cell with it, so a frame never outlives the state it shows.
    fn new(snapshot: Snapshot, order: u64) -> Published {
        Published {
            snapshot: Arc::new(snapshot),
            order,
            frame: Arc::default(),
        }
    }
}

/// The version viewers see now and the frames that led to it.
#[derive(Default)]
struct Latest {
    published: Published,
    recent: Recent,
}

/// A snapshot frame as built, kept (without its state) to start viewers for `REUSE_FOR`.
#[derive(Clone)]
struct Built {
    order: u64,
    json: Arc<str>,
    at: Instant,
}

/// Where a viewer starts: a snapshot frame, shared (none when it resumes a version it
/// holds), then the frames sent after it. `order` is that of the last frame it holds.
#[derive(Clone, Debug)]
pub struct Start {
    pub json: Option<Arc<str>>,
    pub catch_up: Vec<Frame>,
    pub order: u64,
}

pub struct Hub {
    /// Whose numbering the versions are in (see `Snapshot::epoch`).
    epoch: u64,
    current: RwLock<Latest>,
    /// The last snapshot frame built, whatever version it shows.
    built: Mutex<Option<Built>>,
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
        // Zero is what a snapshot without one reads as: never an epoch of ours.
        let epoch = getrandom::u64().unwrap_or(1).max(1);
        let mut first = Latest::default();
        first.published.snapshot = Arc::new(Snapshot {
            epoch,
            ..Snapshot::default()
        });
        Hub {
            epoch,
            current: RwLock::new(first),
            built: Mutex::new(None),
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
        let json = self.frame(&published);
        (published.snapshot, json)
    }

    /// The Arcs of the current version, cloned under the lock and nothing more: the frame
    /// is built (if need be) after the lock is let go.
    fn published(&self) -> Published {
        self.latest().published.clone()
    }

    fn latest(&self) -> std::sync::RwLockReadGuard<'_, Latest> {
        self.current.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The version's frame, built by the first who asks, and remembered as the last built.
    fn frame(&self, published: &Published) -> Arc<str> {
        let mut fresh = false;
        let json = published
            .frame
            .get_or_init(|| {
                fresh = true;
                snapshot_json(&published.snapshot).into()
            })
            .clone();
        if fresh {
            let built = Built {
                order: published.order,
                json: json.clone(),
                at: Instant::now(),
            };
            let mut last = self.built.lock().unwrap_or_else(PoisonError::into_inner);
            // Builds may finish out of order: keep the newest version.
            if last.as_ref().is_none_or(|b| b.order <= built.order) {
                *last = Some(built);
            }
        }
        json
    }

    /// A new viewer: its receiver, then where to start. Subscribing first means no frame
    /// sent in between is missed; frames the start already holds are known by their order.
    /// `since`: the version (epoch, seq) the viewer says it holds, to be led on from if it
    /// can be.
    pub fn join(&self, since: Option<(u64, u64)>) -> (broadcast::Receiver<Frame>, Start) {
        let frames = self.frames.subscribe();
        self.viewer_arrived.notify_one();
        let resumed = since.and_then(|(epoch, seq)| self.resume(epoch, seq));
        (frames, resumed.unwrap_or_else(|| self.start()))
    }

    /// Where a viewer starts (or restarts, after it lagged): the current version's frame if
    /// it is built; else a frame built less than `REUSE_FOR` ago and the deltas since, if
    /// they are all kept and no status came between; else the current version's frame,
    /// built now.
    pub fn start(&self) -> Start {
        self.start_at(Instant::now())
    }

    /// Where a viewer that holds version `seq` of epoch `epoch` (its page's, or what it had
    /// before it lost the link) starts: no snapshot, the frames since that version. None
    /// when that is not a version of this hub, or the frames since are not all kept.
    pub fn resume(&self, epoch: u64, seq: u64) -> Option<Start> {
        if epoch != self.epoch {
            return None;
        }
        let latest = self.latest();
        let catch_up = latest.recent.after_version(seq)?;
        Some(Start {
            json: None,
            order: latest.recent.last(),
            catch_up,
        })
    }

    fn start_at(&self, now: Instant) -> Start {
        let published = {
            let latest = self.latest();
            let published = &latest.published;
            if published.frame.get().is_none() {
                let built = self
                    .built
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let reusable = built.filter(|b| now.duration_since(b.at) < REUSE_FOR);
                // Only deltas after it: a status sent since would reach the viewer a message
                // after a snapshot that says otherwise, and the page would show the old one.
                if let Some(built) = reusable
                    && let Some(catch_up) = latest.recent.since(built.order)
                    && catch_up.iter().all(|frame| frame.is_delta)
                {
                    // The catch-up leads to the present, so ends at the last frame sent.
                    return Start {
                        order: latest.recent.last(),
                        json: Some(built.json),
                        catch_up,
                    };
                }
            }
            published.clone()
        };
        Start {
            json: Some(self.frame(&published)),
            catch_up: Vec::new(),
            order: published.order,
        }
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
        let (frame, replaced) = {
            let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
            let changes = diff_refs(&current.published.snapshot.state, &next);
            if changes.is_empty() {
                return false;
            }
            let seq = current.published.snapshot.seq + 1;
            // A delta nobody receives is not written (on a first list, it is all the state
            // there is). Counted under the lock: a viewer that subscribes after this reads
            // its start after the lock is let go, so starts from this version.
            let frame = (self.frames.receiver_count() > 0).then(|| Frame {
                seq,
                order: current.recent.next_order(),
                is_delta: true,
                json: delta_json(seq, &changes).into(),
            });
            drop(changes);
            let order = match &frame {
                Some(frame) => {
                    current.recent.push(frame.clone());
                    frame.order
                }
                None => current.recent.skip(seq),
            };
            let engine = current.published.snapshot.engine.clone();
            let next = Snapshot {
                seq,
                epoch: self.epoch,
                state: next,
                engine,
            };
            let next = Published::new(next, order);
            (frame, std::mem::replace(&mut current.published, next))
        };
        // The state replaced is freed (when no viewer still holds it) after the lock is let
        // go: at 20,000 tasks that takes longer than the diff.
        drop(replaced);
        // Sent after the snapshot is updated: a viewer joining in between sees the new
        // snapshot and skips this frame by its seq.
        if let Some(frame) = frame {
            let _ = self.frames.send(frame);
        }
        true
    }

    /// Records how the link to the engine stands; tells viewers if that changed.
    pub fn publish_engine(&self, engine: EngineStatus) {
        let frame = {
            let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
            if current.published.snapshot.engine == engine {
                return;
            }
            let seq = current.published.snapshot.seq;
            // The state is moved over, not copied, unless a viewer still holds the snapshot.
            let taken = std::mem::take(&mut current.published.snapshot);
            let mut snapshot = Arc::unwrap_or_clone(taken);
            snapshot.engine = engine.clone();
            let json =
                serde_json::to_string(&ServerMsg::Engine { engine }).expect("status serializes");
            // Kept whether or not anybody watches: a status is a few bytes.
            let frame = Frame {
                seq,
                order: current.recent.next_order(),
                is_delta: false,
                json: json.into(),
            };
            current.recent.push(frame.clone());
            current.published = Published::new(snapshot, frame.order);
            frame
        };
        let _ = self.frames.send(frame);
    }
}

#[cfg(test)]
mod tests;
