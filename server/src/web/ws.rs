//! The live feed: one websocket per viewer. A snapshot first, then every frame the hub fans
//! out. A viewer that lags is resynced with a fresh snapshot; one whose socket stops taking
//! data is dropped after a timeout, so a stuck browser holds no more than its socket buffers.
//! A quiet feed carries a beat now and then, so the browser can tell quiet from dead.

use super::origin::origin_allowed;
use crate::cluster::{Hub, snapshot_json};
use axum::extract::State;
use axum::extract::ws::{
    Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flotilla_app::protocol::ServerMsg;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How long one send may take before the viewer is considered gone.
const SEND_LIMIT: Duration = Duration::from_secs(10);

/// The Origin is checked before anything else, so a foreign page is refused even when its
/// request would not make a valid upgrade.
pub async fn upgrade(
    State((hub, beat_every)): State<(Arc<Hub>, Duration)>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    if !origin_allowed(header(header::ORIGIN), header(header::HOST)) {
        return (StatusCode::FORBIDDEN, "cross-origin websocket refused").into_response();
    }
    match ws {
        Ok(ws) => ws.on_upgrade(move |socket| viewer(socket, hub, beat_every)),
        Err(rejection) => rejection.into_response(),
    }
}

async fn send(socket: &mut WebSocket, text: &str) -> bool {
    let message = Message::Text(text.into());
    matches!(
        tokio::time::timeout(SEND_LIMIT, socket.send(message)).await,
        Ok(Ok(()))
    )
}

async fn viewer(mut socket: WebSocket, hub: Arc<Hub>, beat_every: Duration) {
    let (mut frames, snapshot) = hub.join();
    let mut seq = snapshot.seq;
    if !send(&mut socket, &snapshot_json(&snapshot)).await {
        return;
    }
    let beat = serde_json::to_string(&ServerMsg::Beat).expect("a unit variant serializes");
    // Reset by everything sent: a beat only fills silence.
    let quiet = tokio::time::sleep(beat_every);
    tokio::pin!(quiet);
    loop {
        tokio::select! {
            () = &mut quiet => {
                if !send(&mut socket, &beat).await {
                    return;
                }
                quiet.as_mut().reset(tokio::time::Instant::now() + beat_every);
            }
            frame = frames.recv() => match frame {
                Ok(frame) if frame.is_delta && frame.seq <= seq => {}
                Ok(frame) => {
                    if !send(&mut socket, &frame.json).await {
                        return;
                    }
                    seq = seq.max(frame.seq);
                    quiet.as_mut().reset(tokio::time::Instant::now() + beat_every);
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "viewer lagged; resyncing");
                    let snapshot = hub.snapshot();
                    seq = snapshot.seq;
                    if !send(&mut socket, &snapshot_json(&snapshot)).await {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                // Viewers send nothing we act on; pings are answered by axum.
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
