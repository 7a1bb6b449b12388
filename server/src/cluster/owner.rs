//! The one task that owns the cluster state: connects to the manager (with backoff), lists
//! everything, then follows events. Docker emits no task events, so tasks are re-listed on
//! service and node events (coalesced) and on a timer while anyone watches (faster while a
//! change settles, for a bounded time after it); a full reconcile runs on a longer timer
//! because the daemon drops events for slow subscribers. Nobody watching: only the event
//! stream runs, and a viewer's arrival triggers a refresh.

use super::bounded::{Limit, bounded};
use super::election::{self, Hitch, Leaderless};
use super::hub::Hub;
use crate::docker::{ClusterEvent, Engine, ObjectKind, SwarmState};
use flotilla_app::backoff::Backoff;
use flotilla_app::protocol::EngineStatus;
use flotilla_app::state::{ClusterState, by_id, settling};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, sleep_until};

#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Task (and service count) re-list period while anyone watches.
    pub task_relist: Duration,
    /// Full re-list period while anyone watches.
    pub reconcile: Duration,
    /// Events arriving within this window cost one re-list.
    pub coalesce: Duration,
    /// A second re-list this long after the last event: the orchestrator creates and moves
    /// tasks shortly after it reports the service or node change, not at once.
    pub follow_up: Duration,
    /// Task re-list period while the orchestrator is settling after a change (see
    /// `state::settling`), for at most `settling_window` after the last service or node event.
    pub settling_relist: Duration,
    pub settling_window: Duration,
    /// Per-request timeout (until headers); a dead engine is noticed within it.
    pub request_timeout_secs: u64,
    /// While following, the least time a request gets before it counts as hung (it gets more
    /// on a swarm whose lists are slow; see `Limit`).
    pub answer_within: Duration,
    pub backoff: Backoff,
    /// While the engine is away, how often it is pinged: the backoff spaces out full
    /// reconnects, the ping brings a returning engine back within about this long.
    pub probe_every: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            task_relist: Duration::from_secs(1),
            reconcile: Duration::from_secs(30),
            coalesce: Duration::from_millis(50),
            follow_up: Duration::from_millis(300),
            settling_relist: Duration::from_millis(250),
            settling_window: Duration::from_secs(60),
            request_timeout_secs: 10,
            answer_within: Duration::from_secs(2),
            backoff: Backoff::DEFAULT,
            probe_every: Duration::from_secs(1),
        }
    }
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Good enough randomness to keep many panels from retrying in lockstep.
pub(super) fn jitter() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

/// Runs until the task is dropped; only a panic ends it early (see `supervisor`).
pub(super) async fn run(hub: Arc<Hub>, host: String, timing: Timing) {
    let mut attempt = 0;
    // A restarted owner keeps the time the data went stale, not the time it restarted.
    let mut stale_since = match hub.snapshot().engine {
        EngineStatus::Stale { since_ms, .. } => Some(since_ms),
        _ => None,
    };
    loop {
        let connected = Engine::connect_with_timeout(&host, timing.request_timeout_secs).await;
        // Its requests counted for /metrics (the hub holds the counters).
        let reason = match connected.map(|engine| engine.with_metrics(hub.docker_metrics())) {
            Err(e) => e.to_string(),
            Ok(engine) => match engine.swarm_state().await {
                Ok(SwarmState::Active { manager: true, .. }) => {
                    let reason = follow(&engine, &hub, timing, || {
                        attempt = 0;
                        stale_since = None;
                    })
                    .await;
                    tracing::warn!(%reason, "lost the engine");
                    reason
                }
                Ok(state) => {
                    let reason = match state {
                        SwarmState::Inactive => {
                            format!("{host} is not part of a swarm (docker swarm init)")
                        }
                        SwarmState::Active { .. } => {
                            format!("{host} is a swarm worker; point Flotilla at a manager")
                        }
                        SwarmState::Unsettled(s) => format!("{host} is in swarm state {s}"),
                    };
                    hub.publish_state(ClusterState::default());
                    hub.publish_engine(EngineStatus::NotManager { reason });
                    sleep(timing.backoff.cap).await;
                    continue;
                }
                Err(e) => e.to_string(),
            },
        };
        let since_ms = *stale_since.get_or_insert_with(now_ms);
        let delay = timing.backoff.delay(attempt, jitter());
        attempt = attempt.saturating_add(1);
        hub.publish_engine(EngineStatus::Stale {
            since_ms,
            reason,
            retry_in_ms: delay.as_millis() as u64,
        });
        if wait_or_answer(&host, delay, timing.probe_every).await {
            tracing::info!(%host, "the engine answers again; reconnecting");
        }
    }
}

/// Waits out `delay`, pinging the engine every `probe_every` meanwhile; true when it answered
/// before the delay was over. A dead engine costs a ping now and then, and one that comes back
/// is reconnected to at once rather than after the rest of a grown backoff.
async fn wait_or_answer(host: &str, delay: Duration, probe_every: Duration) -> bool {
    let until = Instant::now() + delay;
    let probe_timeout = probe_every.as_secs().max(1);
    loop {
        let next = (Instant::now() + probe_every).min(until);
        sleep_until(next).await;
        if next >= until {
            return false;
        }
        if Engine::connect_with_timeout(host, probe_timeout)
            .await
            .is_ok()
        {
            return true;
        }
    }
}

/// Lists everything into a fresh state.
pub async fn list_all(engine: &Engine, limit: Duration) -> Result<ClusterState, Hitch> {
    // One bound on the four lists together: one answer to wait for, one ping if none comes.
    let lists = async {
        tokio::try_join!(
            engine.list_nodes(),
            engine.list_services(),
            engine.list_tasks(),
            engine.list_networks(),
        )
    };
    let (nodes, services, tasks, networks) = bounded(engine, limit, lists).await?;
    Ok(ClusterState::from_lists(nodes, services, tasks, networks))
}

/// Re-lists what moves over the current state: tasks, services (running/desired counts) and
/// nodes. Nodes too, because a manager whose leader died stops passing on swarm events, and
/// a node going down must not wait for the next full reconcile.
async fn relist_moving(engine: &Engine, hub: &Hub, limit: Duration) -> Result<(), Hitch> {
    let lists = async {
        tokio::try_join!(
            engine.list_nodes(),
            engine.list_services(),
            engine.list_tasks()
        )
    };
    let (nodes, services, tasks) = bounded(engine, limit, lists).await?;
    // Only the networks are kept from the current state: copying all of it to replace the
    // rest cost more than the diff (at 20,000 tasks, a copy and a free of every task).
    let networks = hub.snapshot().state.networks.clone();
    hub.publish_state(ClusterState {
        nodes: by_id(nodes, |n| &n.id),
        services: by_id(services, |s| &s.id),
        tasks: by_id(tasks, |t| &t.id),
        networks,
    });
    hub.mark_synced();
    Ok(())
}

/// Lists everything and publishes it; learns from how long that took.
async fn reconcile(engine: &Engine, hub: &Hub, limit: &mut Limit) -> Result<(), Hitch> {
    let started = Instant::now();
    hub.publish_state(list_all(engine, limit.now).await?);
    hub.mark_synced();
    limit.learn(started.elapsed());
    Ok(())
}

/// Re-inspects the node or network an event names; returns whether tasks may have moved.
async fn apply_event(
    engine: &Engine,
    hub: &Hub,
    event: &ClusterEvent,
    limit: Duration,
) -> Result<bool, Hitch> {
    let mut next = hub.snapshot().state.clone();
    match event.kind {
        ObjectKind::Service => return Ok(true),
        ObjectKind::Node => match bounded(engine, limit, engine.inspect_node(&event.id)).await? {
            Some(node) => _ = next.nodes.insert(node.id.clone(), node),
            None => _ = next.nodes.remove(&event.id),
        },
        ObjectKind::Network => {
            match bounded(engine, limit, engine.inspect_network(&event.id)).await? {
                Some(network) => _ = next.networks.insert(network.id.clone(), network),
                None => _ = next.networks.remove(&event.id),
            }
        }
        // Followed so the stream's filter matches the design, but nothing of them is shown.
        ObjectKind::Secret | ObjectKind::Config => return Ok(false),
    }
    hub.publish_state(next);
    Ok(event.kind == ObjectKind::Node)
}

/// Follows the engine until the link breaks; returns why. `on_live` runs once the first full
/// list has been published.
async fn follow(engine: &Engine, hub: &Hub, timing: Timing, on_live: impl FnOnce()) -> String {
    // Subscribe before listing: whatever happens during the list arrives as an event.
    let mut events = Box::pin(engine.cluster_events());
    let mut leaderless = Leaderless::default();
    let mut limit = Limit::new(&timing);
    while let Err(hitch) = reconcile(engine, hub, &mut limit).await {
        if !leaderless.patient(&hitch) {
            return hitch.to_string();
        }
        sleep(election::RETRY_EVERY).await;
    }
    hub.publish_engine(EngineStatus::Live);
    on_live();
    // Config events may have been missed while the stream was down (kiosk links).
    hub.config_changed();

    let mut tasks_tick = interval(timing.task_relist);
    let mut settling_tick = interval(timing.settling_relist);
    let mut reconcile_tick = interval(timing.reconcile);
    for tick in [&mut tasks_tick, &mut settling_tick, &mut reconcile_tick] {
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tick.reset();
    }
    let mut relist_at: Option<Instant> = None;
    let mut follow_up_at: Option<Instant> = None;
    // A full re-list due again after a request failed during a leader election.
    let mut retry_at: Option<Instant> = None;
    let mut unseen_events = false;
    // Until when a change may still be settling: bounded, so a service that never converges
    // (an image that does not exist) does not keep the fast pace forever.
    let mut settling_until: Option<Instant> = None;
    loop {
        let due = [relist_at, follow_up_at].into_iter().flatten().min();
        let retry = async {
            match retry_at {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let coalesced = async {
            match due {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let watched = hub.viewers() > 0;
        let fast = watched
            && settling_until.is_some_and(|until| until > Instant::now())
            && settling(&hub.snapshot().state);
        let result = tokio::select! {
            event = events.next() => match event {
                None => return "the engine closed its event stream".into(),
                // Followed anew if the swarm is between leaders; what it missed meanwhile is
                // re-listed in full by the retry.
                Some(Err(e)) => {
                    events = Box::pin(engine.cluster_events());
                    Err(Hitch::of(&e.to_string()))
                }
                // Nothing shown, watched or not: passed on to the kiosk links' store.
                Some(Ok(event)) if event.kind == ObjectKind::Config => {
                    hub.config_changed();
                    Ok(())
                }
                Some(Ok(_)) if !watched => { unseen_events = true; Ok(()) }
                Some(Ok(event)) => apply_event(engine, hub, &event, limit.now).await.map(|tasks_may_move| {
                    if tasks_may_move {
                        relist_at.get_or_insert_with(|| Instant::now() + timing.coalesce);
                        follow_up_at = Some(Instant::now() + timing.follow_up);
                        settling_until = Some(Instant::now() + timing.settling_window);
                    }
                }),
            },
            _ = coalesced => {
                let now = Instant::now();
                relist_at = relist_at.filter(|at| *at > now);
                follow_up_at = follow_up_at.filter(|at| *at > now);
                relist_moving(engine, hub, limit.now).await
            }
            _ = tasks_tick.tick(), if watched => relist_moving(engine, hub, limit.now).await,
            _ = settling_tick.tick(), if fast => relist_moving(engine, hub, limit.now).await,
            _ = reconcile_tick.tick(), if watched => reconcile(engine, hub, &mut limit).await,
            () = retry => {
                retry_at = None;
                reconcile(engine, hub, &mut limit).await
            }
            _ = hub.viewer_arrived.notified() => {
                if unseen_events || hub.sync_age() > timing.task_relist {
                    unseen_events = false;
                    reconcile(engine, hub, &mut limit).await
                } else {
                    Ok(())
                }
            }
        };
        match result {
            // Over once a re-list made after the failure went through.
            Ok(()) if retry_at.is_none() => leaderless = Leaderless::default(),
            Ok(()) => {}
            // What was missed is re-listed in full once a leader answers; till then the
            // state shown is the last one seen, still the truth as far as anyone knows.
            Err(hitch) if leaderless.patient(&hitch) => {
                retry_at = Some(Instant::now() + election::RETRY_EVERY);
            }
            Err(hitch) => return hitch.to_string(),
        }
    }
}
