//! Probes for orchestrators and load balancers: `GET /healthz` (the process answers) and
//! `GET /readyz` (the panel is following a manager and its state is fresh). Both read what
//! the hub already holds: a probe every few seconds from every replica must not add one
//! Docker request, since flat Docker load is what the panel is for. Neither needs a session,
//! and neither says anything about the cluster: a refusal's reason is one fixed line.

use crate::cluster::Hub;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flotilla_app::protocol::EngineStatus;
use std::sync::Arc;
use std::time::Duration;

/// Why the panel is not ready, in words that name no node, service or host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("not connected to the engine yet")]
    Connecting,
    #[error("the engine is not a swarm manager")]
    NotManager,
    #[error("the link to the engine is lost; reconnecting")]
    Stale,
    #[error("the cluster state has not been read yet")]
    NeverRead,
    #[error("the cluster state is {age_secs} s old (limit {limit_secs} s)")]
    Old { age_secs: u64, limit_secs: u64 },
}

/// The readiness decision: following a manager's events (`Live`) and, while anyone watches
/// (the owner then re-lists every second or so), a last full read younger than `max_age`.
/// With nobody watching the owner lets re-lists stop by design, so age says nothing then.
pub fn readiness(
    engine: &EngineStatus,
    viewers: usize,
    sync_age: Duration,
    max_age: Duration,
) -> Result<(), NotReady> {
    match engine {
        EngineStatus::Connecting => Err(NotReady::Connecting),
        EngineStatus::NotManager { .. } => Err(NotReady::NotManager),
        EngineStatus::Stale { .. } => Err(NotReady::Stale),
        EngineStatus::Live if viewers == 0 || sync_age <= max_age => Ok(()),
        // `Hub::sync_age`'s "never": no re-list has succeeded since the panel started.
        EngineStatus::Live if sync_age == Duration::MAX => Err(NotReady::NeverRead),
        EngineStatus::Live => Err(NotReady::Old {
            age_secs: sync_age.as_secs(),
            limit_secs: max_age.as_secs(),
        }),
    }
}

/// What `/readyz` reads: the hub, and how old a watched state may be.
#[derive(Clone)]
pub struct Ready {
    pub hub: Arc<Hub>,
    pub max_age: Duration,
}

/// `GET /healthz`: the process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 "ready", or 503 with the reason.
pub async fn readyz(State(ready): State<Ready>) -> Response {
    let hub = &ready.hub;
    let engine = &hub.snapshot().engine;
    match readiness(engine, hub.viewers(), hub.sync_age(), ready.max_age) {
        Ok(()) => "ready".into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[test]
    fn ready_when_live_and_fresh_while_watched() {
        let limit = Duration::from_secs(30);
        let stale = EngineStatus::Stale {
            since_ms: 1,
            reason: "node-1.example: connection refused".into(),
            retry_in_ms: 500,
        };
        let not_manager = EngineStatus::NotManager {
            reason: "tcp://manager-1:2375 is a swarm worker".into(),
        };
        let secs = Duration::from_secs;
        let cases = [
            // (engine, viewers, sync age, want)
            (EngineStatus::Live, 0, secs(1), Ok(())),
            (EngineStatus::Live, 3, secs(1), Ok(())),
            (EngineStatus::Live, 3, secs(30), Ok(())),
            (
                EngineStatus::Live,
                3,
                secs(31),
                Err(NotReady::Old {
                    age_secs: 31,
                    limit_secs: 30,
                }),
            ),
            // Nobody watching: re-lists stop by design; live is enough.
            (EngineStatus::Live, 0, secs(3600), Ok(())),
            (EngineStatus::Live, 0, Duration::MAX, Ok(())),
            (
                EngineStatus::Live,
                1,
                Duration::MAX,
                Err(NotReady::NeverRead),
            ),
            (
                EngineStatus::Connecting,
                0,
                secs(0),
                Err(NotReady::Connecting),
            ),
            (stale.clone(), 0, secs(0), Err(NotReady::Stale)),
            (stale, 5, secs(0), Err(NotReady::Stale)),
            (not_manager, 0, secs(0), Err(NotReady::NotManager)),
        ];
        for (engine, viewers, age, want) in cases {
            assert_eq!(
                readiness(&engine, viewers, age, limit),
                want,
                "{engine:?} {viewers} {age:?}"
            );
        }
    }

    #[test]
    fn reasons_carry_no_cluster_data() {
        for why in [
            NotReady::Connecting,
            NotReady::NotManager,
            NotReady::Stale,
            NotReady::NeverRead,
            NotReady::Old {
                age_secs: 45,
                limit_secs: 30,
            },
        ] {
            let text = why.to_string();
            assert!(!text.contains('\n') && !text.is_empty(), "{text:?}");
            for leak in ["node", "tcp://", "example", "manager-1"] {
                assert!(!text.contains(leak), "{text:?} names {leak}");
            }
        }
    }

    fn router(hub: Arc<Hub>) -> axum::Router {
        axum::Router::new()
            .route("/healthz", axum::routing::get(healthz))
            .route("/readyz", axum::routing::get(readyz))
            .with_state(Ready {
                hub,
                max_age: Duration::from_secs(30),
            })
    }

    async fn get(hub: &Arc<Hub>, path: &str) -> (StatusCode, String) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = router(hub.clone()).oneshot(request).await.expect("answer");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn the_routes_answer_from_the_hub() {
        let hub = Arc::new(Hub::default());
        assert_eq!(get(&hub, "/healthz").await, (StatusCode::OK, "ok".into()));
        assert_eq!(
            get(&hub, "/readyz").await,
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not connected to the engine yet".into()
            )
        );
        hub.publish_engine(EngineStatus::Live);
        assert_eq!(get(&hub, "/readyz").await, (StatusCode::OK, "ready".into()));
        // Watched, and never synced: not ready until the owner has read the state.
        let (_viewer, _) = hub.join(None);
        assert_eq!(
            get(&hub, "/readyz").await,
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the cluster state has not been read yet".into()
            )
        );
        hub.mark_synced();
        assert_eq!(get(&hub, "/readyz").await, (StatusCode::OK, "ready".into()));
    }
}
