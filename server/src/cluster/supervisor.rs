//! Keeps the state owner running. The owner is one task: if it panicked unsupervised, viewers
//! would go on hearing beats, and so "live", over data nobody updates any more. The
//! supervisor awaits it, tells every viewer at once that the state is stale and why, and
//! starts a new owner after a backoff; the new one says "live" once it has re-listed.

use super::hub::Hub;
use super::owner::{Timing, jitter, now_ms, run};
use flotilla_app::protocol::EngineStatus;
use std::any::Any;
use std::sync::Arc;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;
use tokio::time::{Instant, sleep};

/// Starts the supervised owner for the manager at `host`; the hub is how everyone else reads
/// it. `crash` is a test hook: when notified, the running owner panics.
pub fn spawn(host: String, timing: Timing, crash: Option<Arc<Notify>>) -> Arc<Hub> {
    let hub = Arc::new(Hub::default());
    tokio::spawn(supervise(hub.clone(), host, timing, crash));
    hub
}

/// `serve --test-hooks`: SIGUSR1 makes the running owner panic, so tests can watch the
/// supervisor work on the real binary. None (with a warning) if the signal cannot be taken.
pub fn crash_on_sigusr1() -> Option<Arc<Notify>> {
    let mut signals = match signal(SignalKind::user_defined1()) {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("warning: --test-hooks: cannot handle SIGUSR1: {e}");
            return None;
        }
    };
    let crash = Arc::new(Notify::new());
    let notify = crash.clone();
    tokio::spawn(async move {
        while signals.recv().await.is_some() {
            notify.notify_one();
        }
    });
    Some(crash)
}

async fn supervise(hub: Arc<Hub>, host: String, timing: Timing, crash: Option<Arc<Notify>>) {
    let mut attempt = 0;
    loop {
        let started = Instant::now();
        let owner = tokio::spawn(owner(hub.clone(), host.clone(), timing, crash.clone()));
        let why = match owner.await {
            Ok(()) => "it returned".to_string(),
            Err(e) if e.is_panic() => panic_message(e.into_panic()),
            Err(e) => e.to_string(),
        };
        // An owner that ran for a while is not in a crash loop: its successor starts the
        // backoff over. One that keeps dying at once backs off up to the cap.
        if started.elapsed() > timing.backoff.cap {
            attempt = 0;
        }
        let delay = timing.backoff.delay(attempt, jitter());
        attempt = attempt.saturating_add(1);
        tracing::error!(%why, ?delay, "the cluster-state owner stopped; restarting it");
        // Already stale: the data has been old since then, not since now.
        let since_ms = match hub.snapshot().engine {
            EngineStatus::Stale { since_ms, .. } => since_ms,
            _ => now_ms(),
        };
        hub.publish_engine(EngineStatus::Stale {
            since_ms,
            reason: format!("the state owner stopped: {why}; restarting"),
            retry_in_ms: delay.as_millis() as u64,
        });
        sleep(delay).await;
    }
}

async fn owner(hub: Arc<Hub>, host: String, timing: Timing, crash: Option<Arc<Notify>>) {
    let Some(crash) = crash else {
        return run(hub, host, timing).await;
    };
    tokio::select! {
        () = run(hub, host, timing) => {}
        () = crash.notified() => panic!("crash requested by the test hook (SIGUSR1)"),
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(message) => message.to_string(),
            Err(_) => "it panicked".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flotilla_app::backoff::Backoff;
    use std::time::Duration;

    fn engine_reason(json: &str) -> Option<String> {
        match serde_json::from_str(json).expect("a protocol message") {
            flotilla_app::protocol::ServerMsg::Engine {
                engine: EngineStatus::Stale { reason, .. },
            } => Some(reason),
            _ => None,
        }
    }

    #[tokio::test]
    async fn a_panicked_owner_is_reported_stale_and_restarted() {
        let timing = Timing {
            backoff: Backoff {
                base: Duration::from_millis(10),
                cap: Duration::from_millis(50),
            },
            ..Timing::default()
        };
        let crash = Arc::new(Notify::new());
        // Nothing listens on port 1: every owner fails to connect and says why.
        let hub = spawn("tcp://127.0.0.1:1".into(), timing, Some(crash.clone()));
        let (mut frames, _) = hub.join(None);
        crash.notify_one();
        let mut reasons = Vec::new();
        let restarted = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let frame = frames.recv().await.expect("the hub outlives the owner");
                let Some(reason) = engine_reason(&frame.json) else {
                    continue;
                };
                let from_supervisor = reason.starts_with("the state owner stopped");
                reasons.push(reason);
                // A later report that is not the supervisor's comes from a new owner.
                if !from_supervisor && reasons.iter().any(|r| r.contains("test hook")) {
                    return;
                }
            }
        })
        .await;
        assert!(restarted.is_ok(), "no restart seen; reasons: {reasons:?}");
        assert!(
            reasons.iter().any(|r| r
                == "the state owner stopped: crash requested by the test hook (SIGUSR1); restarting"),
            "{reasons:?}"
        );
    }
}
