//! The part of the Docker Engine API the panel reads, over the synthetic world: ping, version,
//! info, the node, service, task and network lists and inspects, the event stream, and empty
//! secret and config lists. Read-only: anything else is refused the way Docker refuses.
//! Query strings (filters) are ignored: the panel's state owner lists everything unfiltered.

use super::world::World;
use super::{api, system};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// A route, its `/v1.xx` prefix taken off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Ping,
    Version,
    Info,
    Nodes,
    Node(String),
    Services,
    Service(String),
    Tasks,
    Networks,
    Network(String),
    Events,
    Secrets,
    Configs,
}

/// Which route a path is; None for any other.
pub fn route(path: &str) -> Option<Route> {
    let path = without_version(path);
    let parts: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    let id = |id: &str| (!id.is_empty()).then(|| id.to_string());
    Some(match parts.as_slice() {
        ["_ping"] => Route::Ping,
        ["version"] => Route::Version,
        ["info"] => Route::Info,
        ["nodes"] => Route::Nodes,
        ["nodes", n] => Route::Node(id(n)?),
        ["services"] => Route::Services,
        ["services", s] => Route::Service(id(s)?),
        ["tasks"] => Route::Tasks,
        ["networks"] => Route::Networks,
        ["networks", n] => Route::Network(id(n)?),
        ["events"] => Route::Events,
        ["secrets"] => Route::Secrets,
        ["configs"] => Route::Configs,
        _ => return None,
    })
}

/// `/v1.47/nodes` -> `/nodes`; a path without a version prefix is left as it is.
fn without_version(path: &str) -> &str {
    let Some(rest) = path.strip_prefix("/v") else {
        return path;
    };
    let Some(slash) = rest.find('/') else {
        return path;
    };
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match rest[..slash].split_once('.') {
        Some((major, minor)) if is_number(major) && is_number(minor) => &rest[slash..],
        _ => path,
    }
}

/// The world, the lists as last serialized (a list is made again only after a change), and
/// the event stream's subscribers.
pub struct Shared {
    sim: Mutex<Sim>,
    events: broadcast::Sender<Bytes>,
}

struct Sim {
    world: World,
    lists: [Option<Bytes>; 4],
}

#[derive(Clone, Copy)]
enum List {
    Nodes,
    Services,
    Tasks,
    Networks,
}

/// How many event lines a slow reader of `/events` may fall behind; past it, it misses some
/// (as with Docker, which drops events for slow subscribers).
const EVENT_BUFFER: usize = 4096;

impl Shared {
    pub fn new(world: World) -> Arc<Shared> {
        Arc::new(Shared {
            sim: Mutex::new(Sim {
                world,
                lists: Default::default(),
            }),
            events: broadcast::channel(EVENT_BUFFER).0,
        })
    }

    /// Makes `changes` changes at `now` and sends their events.
    pub fn churn(&self, changes: usize, now: i64) {
        if changes == 0 {
            return;
        }
        let churned = {
            let mut sim = self.sim.lock().unwrap_or_else(PoisonError::into_inner);
            sim.lists = Default::default();
            sim.world.churn(changes, now)
        };
        let nanos = now.saturating_mul(1_000_000_000);
        for event in &churned.events {
            let mut line =
                serde_json::to_vec(&system::event(event, nanos)).expect("events serialize");
            line.push(b'\n');
            // Nobody following is not an error.
            let _ = self.events.send(line.into());
        }
    }

    /// A read of the world.
    pub fn with_world<T>(&self, read: impl FnOnce(&World) -> T) -> T {
        read(
            &self
                .sim
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .world,
        )
    }

    fn list(&self, list: List) -> Bytes {
        let mut sim = self.sim.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bytes) = &sim.lists[list as usize] {
            return bytes.clone();
        }
        let w = &sim.world;
        let json = match list {
            List::Nodes => serde_json::to_vec(&w.nodes.iter().map(api::node).collect::<Vec<_>>()),
            List::Services => {
                let counts = api::service_counts(w);
                let services: Vec<_> = (w.services.iter().zip(counts))
                    .map(|(s, c)| api::service(w, s, c))
                    .collect();
                serde_json::to_vec(&services)
            }
            List::Tasks => {
                serde_json::to_vec(&w.tasks.iter().map(|t| api::task(w, t)).collect::<Vec<_>>())
            }
            List::Networks => serde_json::to_vec(
                &w.networks
                    .iter()
                    .map(|n| api::network(w, n))
                    .collect::<Vec<_>>(),
            ),
        };
        let bytes = Bytes::from(json.expect("Docker's models serialize"));
        sim.lists[list as usize] = Some(bytes.clone());
        bytes
    }
}

/// The simulator's routes: one handler, since every path may carry a version prefix.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(answer).with_state(shared)
}

pub async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    axum::serve(listener, router(shared)).await
}

fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

/// Docker's error shape: `{"message": ...}`, which clients show.
fn refusal(status: StatusCode, message: &str) -> Response {
    json(
        status,
        serde_json::json!({ "message": message }).to_string(),
    )
}

fn one<T: serde::Serialize>(what: &str, id: &str, found: Option<T>) -> Response {
    match found {
        Some(object) => json(
            StatusCode::OK,
            serde_json::to_vec(&object).expect("Docker's models serialize"),
        ),
        None => refusal(StatusCode::NOT_FOUND, &format!("{what} {id} not found")),
    }
}

async fn answer(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    let Some(route) = route(uri.path()) else {
        return refusal(StatusCode::NOT_FOUND, "page not found");
    };
    let head = method == Method::HEAD && route == Route::Ping;
    if method != Method::GET && !head {
        return refusal(
            StatusCode::NOT_IMPLEMENTED,
            "flotilla sim is read-only: a synthetic swarm for scale benchmarks, not a real engine",
        );
    }
    let ok = StatusCode::OK;
    match route {
        Route::Ping => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (
                    header::HeaderName::from_static("api-version"),
                    system::API_VERSION,
                ),
                (header::HeaderName::from_static("swarm"), "active/manager"),
            ],
            if head { "" } else { "OK" },
        )
            .into_response(),
        Route::Version => json(
            ok,
            serde_json::to_vec(&system::version()).expect("serializes"),
        ),
        Route::Info => json(
            ok,
            serde_json::to_vec(&shared.with_world(system::info)).expect("serializes"),
        ),
        Route::Nodes => json(ok, shared.list(List::Nodes)),
        Route::Services => json(ok, shared.list(List::Services)),
        Route::Tasks => json(ok, shared.list(List::Tasks)),
        Route::Networks => json(ok, shared.list(List::Networks)),
        Route::Node(id) => one(
            "node",
            &id,
            shared.with_world(|w| {
                w.nodes
                    .iter()
                    .find(|n| n.id == id || n.hostname == id)
                    .map(api::node)
            }),
        ),
        Route::Service(id) => one(
            "service",
            &id,
            shared.with_world(|w| {
                let counts = api::service_counts(w);
                let at = w.services.iter().position(|s| s.id == id || s.name == id)?;
                Some(api::service(w, &w.services[at], counts[at]))
            }),
        ),
        Route::Network(id) => one(
            "network",
            &id,
            shared.with_world(|w| {
                let n = w.networks.iter().find(|n| n.id == id || n.name == id)?;
                Some(api::network_inspect(w, n))
            }),
        ),
        Route::Secrets | Route::Configs => json(ok, "[]"),
        Route::Events => json(ok, Body::from_stream(events(shared.events.subscribe()))),
    }
}

/// Event lines as they come; a reader that fell behind skips what it missed.
fn events(
    receiver: broadcast::Receiver<Bytes>,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(line) => return Some((Ok(line), receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{Route, route};

    #[test]
    fn paths_are_routed_with_or_without_a_version() {
        let id = |s: &str| s.to_string();
        let cases = [
            ("/_ping", Some(Route::Ping)),
            ("/v1.47/_ping", Some(Route::Ping)),
            ("/v1.53/nodes", Some(Route::Nodes)),
            ("/nodes/abc", Some(Route::Node(id("abc")))),
            ("/v1.47/services/web", Some(Route::Service(id("web")))),
            ("/v1.47/tasks", Some(Route::Tasks)),
            ("/networks/n1", Some(Route::Network(id("n1")))),
            ("/v1.47/events", Some(Route::Events)),
            ("/v1.47/configs", Some(Route::Configs)),
            ("/secrets", Some(Route::Secrets)),
            ("/version", Some(Route::Version)),
            ("/info", Some(Route::Info)),
            ("/nodes/", None),
            ("/v1.47/", None),
            ("/vx.1/nodes", None),
            ("/v1/nodes", None),
            ("/containers/json", None),
            ("/nodes/a/b", None),
            ("", None),
        ];
        for (path, want) in cases {
            assert_eq!(route(path), want, "{path:?}");
        }
    }
}
