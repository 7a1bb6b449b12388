//! The live feed: one websocket per viewer. A snapshot first, then every frame the hub fans
//! out. A viewer that lags is resynced with a fresh snapshot; one whose socket stops taking
//! data is dropped after a timeout, so a stuck browser holds no more than its socket buffers.
//! A quiet feed carries a beat now and then, so the browser can tell quiet from dead.
//!
//! Nothing here is unbounded: viewers are counted (in all, and per client address) by seats
//! freed on drop, and what a viewer may send is capped, since it has nothing to say.

use crate::cluster::{Hub, Refusal, Seats};
use crate::control::{Control, ViewMode, auth::Session};
use crate::metrics::FeedMetrics;
use axum::extract::ws::{
    CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code,
    rejection::WebSocketUpgradeRejection,
};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use flotilla_app::protocol::ServerMsg;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

/// How long one send may take before the viewer is considered gone.
const SEND_LIMIT: Duration = Duration::from_secs(10);
/// The largest message (and frame) a viewer may send. Browsers send nothing but control
/// frames; anything near this is not our client.
const MAX_INBOUND: usize = 4 * 1024;
/// How long a refused viewer gets to answer our Close, so it reads the reason on a clean
/// close rather than a reset.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// What the feed's route needs: the hub, the beat period, the seats viewers take, control,
/// which says who may view, and the counters of what is sent.
#[derive(Clone)]
pub struct Feed {
    hub: Arc<Hub>,
    beat_every: Duration,
    seats: Arc<Seats>,
    control: Arc<Control>,
    counts: FeedMetrics,
    /// Cancelled when the panel is told to stop: every viewer is then told it restarts.
    stopping: CancellationToken,
}

impl Feed {
    pub fn new(
        hub: Arc<Hub>,
        beat_every: Duration,
        max_viewers: usize,
        per_ip: usize,
        control: Arc<Control>,
        counts: FeedMetrics,
        stopping: CancellationToken,
    ) -> Feed {
        Feed {
            hub,
            beat_every,
            seats: Seats::new(max_viewers, per_ip),
            control,
            counts,
            stopping,
        }
    }
}

/// The session a viewer's access rests on (with `--view token`, or a kiosk screen's), checked
/// again every beat: a revoked kiosk link or a logout ends the feed within one.
struct Pass {
    control: Arc<Control>,
    session: Session,
}

impl Pass {
    fn new(control: &Arc<Control>, session: Option<Session>) -> Option<Pass> {
        let session = session?;
        let depends = control.view == ViewMode::Token || session.kiosk.is_some();
        depends.then(|| Pass {
            control: control.clone(),
            session,
        })
    }

    fn holds(&self) -> bool {
        self.control.still_valid(&self.session)
    }
}

fn close_frame(refusal: &Refusal) -> CloseFrame {
    let (code, reason) = match refusal {
        // The panel as a whole is busy: a later retry may get in.
        Refusal::Full(max) => (
            close_code::AGAIN,
            format!("too many viewers: the panel serves at most {max}"),
        ),
        // This client holds too many already: its own doing, a policy refusal.
        Refusal::AddressFull(max) => (
            close_code::POLICY,
            format!(
                "too many viewers from one address: the panel serves at most {max} per address"
            ),
        ),
    };
    CloseFrame {
        code,
        reason: reason.into(),
    }
}

/// Host and Origin were checked in front of every route (`security::check`), so a foreign
/// page never gets here. A viewer over a limit is upgraded and then closed with the reason:
/// a plain HTTP refusal reaches a browser's script only as "failed".
pub async fn upgrade(
    State(feed): State<Feed>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let session = match feed.control.may_view(&headers) {
        Ok(session) => session,
        Err(refusal) => return refusal.into_response(),
    };
    if let Some(kiosk) = session.as_ref().and_then(|s| s.kiosk.as_deref()) {
        feed.control
            .kiosks
            .touch(kiosk, crate::control::audit::now_ms())
            .await;
    }
    let pass = Pass::new(&feed.control, session);
    let ws = match ws {
        Ok(ws) => ws.max_message_size(MAX_INBOUND).max_frame_size(MAX_INBOUND),
        Err(rejection) => return rejection.into_response(),
    };
    match feed.seats.take(peer.ip()) {
        // Taken before the upgrade and held by the viewer's task: a failed upgrade or an
        // ended viewer gives it back.
        Ok(seat) => ws.on_upgrade(move |socket| async move {
            let link = Link {
                hub: feed.hub,
                counts: feed.counts,
                client: peer.ip(),
                stopping: feed.stopping,
            };
            viewer(socket, &link, feed.beat_every, pass).await;
            drop(seat);
            // After `viewer` returned: its receiver is gone, so the count leaves it out.
            tracing::info!(client = %link.client, viewers = link.hub.viewers(), "viewer left");
        }),
        Err(refusal) => {
            tracing::debug!(%peer, ?refusal, "viewer refused");
            ws.on_upgrade(move |socket| refuse(socket, close_frame(&refusal)))
        }
    }
}

async fn refuse(mut socket: WebSocket, frame: CloseFrame) {
    let close = tokio::time::timeout(SEND_LIMIT, socket.send(Message::Close(Some(frame))));
    if matches!(close.await, Ok(Ok(()))) {
        let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
        let _ = tokio::time::timeout(CLOSE_WAIT, drain).await;
    }
}

/// One viewer's side of the feed: the hub it follows, where what it is sent is counted, and
/// its address, for the log.
struct Link {
    hub: Arc<Hub>,
    counts: FeedMetrics,
    client: std::net::IpAddr,
    stopping: CancellationToken,
}

/// A shared frame as a message's payload, without a copy of its own: a snapshot is
/// megabytes, and a thousand viewers joining at once would each hold one. (The websocket
/// layer still copies it into the connection's write buffer, as it does every frame, and
/// that buffer keeps its capacity while the connection lasts: see benches/viewers.rs.)
fn shared_text(text: &Arc<str>) -> Utf8Bytes {
    struct Shared(Arc<str>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            self.0.as_bytes()
        }
    }
    let bytes = bytes::Bytes::from_owner(Shared(text.clone()));
    // A str is UTF-8: the check cannot fail, and costs a pass over bytes already in cache.
    Utf8Bytes::try_from(bytes).unwrap_or_else(|_| Utf8Bytes::from(&**text))
}

/// Sends one message; false when the viewer is gone, the drop counted: the send timed out
/// (the socket took nothing for SEND_LIMIT) or failed (the connection broke).
async fn send(socket: &mut WebSocket, text: &Arc<str>, counts: &FeedMetrics) -> bool {
    let message = Message::Text(shared_text(text));
    let dropped = match tokio::time::timeout(SEND_LIMIT, socket.send(message)).await {
        Ok(Ok(())) => return true,
        Ok(Err(_)) => "error",
        Err(_) => "timeout",
    };
    counts.dropped(dropped);
    tracing::debug!(
        reason = dropped,
        "viewer dropped: a send did not go through"
    );
    false
}

async fn viewer(mut socket: WebSocket, link: &Link, beat_every: Duration, pass: Option<Pass>) {
    let (hub, counts) = (&link.hub, &link.counts);
    // The snapshot's frame is the hub's, shared with every viewer of the same version.
    let (mut frames, start) = hub.join();
    tracing::info!(client = %link.client, viewers = hub.viewers(), "viewer joined");
    let mut seq = start.snapshot.seq;
    if !send(&mut socket, &start.json, counts).await {
        return;
    }
    // Not held for the viewer's life: old versions pinned by viewers would add up.
    drop(start);
    counts.snapshots.inc();
    let beat: Arc<str> = serde_json::to_string(&ServerMsg::Beat)
        .expect("a unit variant serializes")
        .into();
    // Reset by everything sent: a beat only fills silence.
    let quiet = tokio::time::sleep(beat_every);
    tokio::pin!(quiet);
    let mut check = tokio::time::interval(beat_every);
    check.reset();
    loop {
        tokio::select! {
            () = link.stopping.cancelled() => {
                let frame = CloseFrame {
                    code: flotilla_app::api::RESTARTING,
                    reason: "restarting: the panel is stopping; reconnect".into(),
                };
                let _ = tokio::time::timeout(CLOSE_WAIT, socket.send(Message::Close(Some(frame)))).await;
                return;
            }
            _ = check.tick(), if pass.is_some() => {
                if pass.as_ref().is_some_and(|p| !p.holds()) {
                    let frame = CloseFrame {
                        code: flotilla_app::api::ACCESS_ENDED,
                        reason: "access ended: the kiosk link was revoked or the session ended".into(),
                    };
                    let _ = tokio::time::timeout(CLOSE_WAIT, socket.send(Message::Close(Some(frame)))).await;
                    return;
                }
            }
            () = &mut quiet => {
                if !send(&mut socket, &beat, counts).await {
                    return;
                }
                quiet.as_mut().reset(tokio::time::Instant::now() + beat_every);
            }
            frame = frames.recv() => match frame {
                Ok(frame) if frame.is_delta && frame.seq <= seq => {}
                Ok(frame) => {
                    if !send(&mut socket, &frame.json, counts).await {
                        return;
                    }
                    if frame.is_delta {
                        counts.deltas.inc();
                    }
                    seq = seq.max(frame.seq);
                    quiet.as_mut().reset(tokio::time::Instant::now() + beat_every);
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "viewer lagged; resyncing");
                    counts.resyncs.inc();
                    let (snapshot, json) = hub.snapshot_and_json();
                    seq = snapshot.seq;
                    drop(snapshot);
                    if !send(&mut socket, &json, counts).await {
                        return;
                    }
                    counts.snapshots.inc();
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                // Viewers send nothing we act on; pings are answered by axum.
                Some(Ok(Message::Close(_))) | None => return,
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    // Over MAX_INBOUND, or not websocket at all: say so if the socket still
                    // takes it, and hang up.
                    tracing::debug!(error = %e, "viewer sent something unacceptable");
                    let frame = CloseFrame {
                        code: close_code::POLICY,
                        reason: "a viewer may send at most 4 KiB at once".into(),
                    };
                    let _ = tokio::time::timeout(
                        CLOSE_WAIT,
                        socket.send(Message::Close(Some(frame))),
                    )
                    .await;
                    return;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_limit() {
        let full = close_frame(&Refusal::Full(1000));
        assert_eq!(full.code, close_code::AGAIN);
        assert_eq!(
            full.reason.as_str(),
            "too many viewers: the panel serves at most 1000"
        );
        assert_eq!(
            close_frame(&Refusal::AddressFull(50)).code,
            close_code::POLICY
        );
    }
}
