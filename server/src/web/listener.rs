//! Serving connections with bounds `axum::serve` does not set: a client must send its request
//! headers within a timeout (and an idle keep-alive connection is closed after as long), open
//! connections are capped, and `/api` requests get a concurrency cap and a time limit
//! (`api_limit_layer`). Each connection carries its peer address as `ConnectInfo`.
//!
//! hyper's HTTP/1 builder is used directly rather than hyper-util's auto builder: the auto
//! builder first reads to tell HTTP/1 from HTTP/2 with no timer running, so a client that
//! connects and says nothing would be held forever.

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::{Layer, Service};

/// How long in-flight requests get to finish once the panel is told to stop: a change (a
/// stack deploy's, say) is answered before its connection closes. Idle connections close at
/// once. deploy/flotilla.yml's stop_grace_period leaves room for it.
const GRACE: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's headers; also how long a keep-alive connection
    /// may sit idle.
    pub header_timeout: Duration,
    /// Open HTTP connections at most (upgraded websockets are counted by the feed instead).
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `stopping` is cancelled, then lets in-flight requests
/// finish (for up to `GRACE`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop_when: tokio_util::sync::CancellationToken,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let shutdown = stop_when.cancelled();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Over the cap, hang up at once: a client left in the backlog would only wait.
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "connection refused: at the cap");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        // The peer address travels in each request, where `ConnectInfo` extractors find it.
        let service = hyper::service::service_fn(move |mut request: Request<_>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            // Each request is handled in a task of its own, detached from the connection: a
            // client that hangs up mid-request must not cancel a change (or its audit line)
            // that the panel has started.
            let handling = tokio::spawn(app.clone().call(request));
            async move {
                handling.await.unwrap_or_else(|e| {
                    tracing::error!(error = %e, "a request's handler failed");
                    Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response())
                })
            }
        });
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                // Mapped to (): the borrow `wait_for` returns must not live across an await.
                () = async { _ = stopping.wait_for(|stop| *stop).await } => {
                    // Finish the request in flight, if any, then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection gives its slot back when done: all slots free means all done.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(GRACE, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {GRACE:?}; stopping anyway");
    }
}

/// Resolves on SIGINT or SIGTERM (what `docker stop` and a swarm update send).
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot handle SIGTERM; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// A failed accept is about that one connection, or about this process being out of file
/// descriptors; neither should stop the panel. Out of descriptors, pause before retrying
/// rather than spin.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// A cap on `/api` requests in flight and a time limit on each. Over the cap, a request is
/// answered 503 at once (queueing would only hold more connections); past the time limit,
/// 504. Layer it onto the API router: `.layer(api_limit_layer(64, Duration::from_secs(30)))`.
/// The time limit drops the handler: a mutation may already have reached Docker by then.
pub fn api_limit_layer(max_concurrency: usize, timeout: Duration) -> ApiLimitLayer {
    ApiLimitLayer {
        permits: Arc::new(Semaphore::new(max_concurrency)),
        max_concurrency,
        timeout,
    }
}

#[derive(Clone, Debug)]
pub struct ApiLimitLayer {
    permits: Arc<Semaphore>,
    max_concurrency: usize,
    timeout: Duration,
}

impl<S> Layer<S> for ApiLimitLayer {
    type Service = ApiLimit<S>;

    fn layer(&self, inner: S) -> ApiLimit<S> {
        ApiLimit {
            inner,
            limits: self.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ApiLimit<S> {
    inner: S,
    limits: ApiLimitLayer,
}

impl<S> Service<Request> for ApiLimit<S>
where
    S: Service<Request, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service that was polled ready is the one to call; a clone takes its place.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let permit = self.limits.permits.clone().try_acquire_owned();
        let ApiLimitLayer {
            max_concurrency,
            timeout,
            ..
        } = self.limits;
        Box::pin(async move {
            let Ok(_permit) = permit else {
                let body = format!(
                    "the panel is busy: at most {max_concurrency} API requests at once; try again"
                );
                let busy = (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "1")],
                    body,
                );
                return Ok(busy.into_response());
            };
            match tokio::time::timeout(timeout, inner.call(request)).await {
                Ok(response) => response.map(IntoResponse::into_response),
                Err(_) => {
                    let body = format!("the request took longer than {}s", timeout.as_secs());
                    Ok((StatusCode::GATEWAY_TIMEOUT, body).into_response())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    fn get_request(path: &str) -> Request {
        Request::get(path)
            .body(axum::body::Body::empty())
            .expect("request")
    }

    #[tokio::test]
    async fn over_the_cap_is_answered_503_at_once_and_a_freed_slot_serves_again() {
        let release = Arc::new(Notify::new());
        let entered = Arc::new(Notify::new());
        let (held, arrived) = (release.clone(), entered.clone());
        let app = Router::new()
            .route(
                "/api/slow",
                get(move || async move {
                    arrived.notify_one();
                    held.notified().await;
                    "done"
                }),
            )
            .route("/api/fast", get(|| async { "fast" }))
            .layer(api_limit_layer(1, Duration::from_secs(60)));
        let slow = tokio::spawn(app.clone().oneshot(get_request("/api/slow")));
        entered.notified().await;
        let refused = app.clone().oneshot(get_request("/api/fast")).await;
        let refused = refused.expect("infallible");
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
        release.notify_one();
        let slow = slow.await.expect("no panic").expect("infallible");
        assert_eq!(slow.status(), StatusCode::OK);
        let served = app.oneshot(get_request("/api/fast")).await;
        assert_eq!(served.expect("infallible").status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_request_past_the_time_limit_is_answered_504() {
        let app = Router::new()
            .route("/api/never", get(std::future::pending::<&'static str>))
            .layer(api_limit_layer(4, Duration::from_millis(20)));
        let response = tokio::time::timeout(
            Duration::from_secs(10),
            app.oneshot(get_request("/api/never")),
        )
        .await
        .expect("the limit answers, not the test's deadline")
        .expect("infallible");
        assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    }
}
