//! The live feed: one websocket per viewer. A snapshot first, then every frame the hub fans
//! out, each message sent in fragments of at most `FRAGMENT` bytes (see `upgrade`: the
//! connection's buffer never holds more than one). A viewer that lags is resynced with a fresh snapshot; one whose socket stops taking
//! data is dropped after a timeout, so a stuck browser holds no more than its socket buffers.
//! A quiet feed carries a beat now and then, so the browser can tell quiet from dead.
//!
//! Nothing here is unbounded: viewers are counted (in all, and per client address) by seats
//! freed on drop, and what a viewer may send is capped, since it has nothing to say.

use super::upgrade::{Socket, Upgrade, fragments};
use crate::cluster::{Hub, Refusal, Seats, Start};
use crate::control::{Control, ViewMode, auth::Session};
use crate::metrics::FeedMetrics;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use flotilla_app::protocol::{SINCE, ServerMsg, parse_since};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Utf8Bytes;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
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
            CloseCode::Again,
            format!("too many viewers: the panel serves at most {max}"),
        ),
        // This client holds too many already: its own doing, a policy refusal.
        Refusal::AddressFull(max) => (
            CloseCode::Policy,
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
    RawQuery(query): RawQuery,
    ws: Result<Upgrade, super::upgrade::HandshakeError>,
) -> Response {
    let since = match since(query.as_deref()) {
        Ok(since) => since,
        Err(refusal) => return refusal,
    };
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
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    match feed.seats.take(peer.ip()) {
        // Taken before the upgrade and held by the viewer's task: a failed upgrade or an
        // ended viewer gives it back.
        Ok(seat) => ws.accept(MAX_INBOUND, move |socket| async move {
            let link = Link {
                hub: feed.hub,
                counts: feed.counts,
                client: peer.ip(),
                stopping: feed.stopping,
            };
            viewer(socket, &link, feed.beat_every, pass, since).await;
            drop(seat);
            // After `viewer` returned: its receiver is gone, so the count leaves it out.
            tracing::info!(client = %link.client, viewers = link.hub.viewers(), "viewer left");
        }),
        Err(refusal) => {
            tracing::debug!(%peer, ?refusal, "viewer refused");
            ws.accept(MAX_INBOUND, move |socket| {
                refuse(socket, close_frame(&refusal))
            })
        }
    }
}

async fn refuse(mut socket: Socket, frame: CloseFrame) {
    let close = tokio::time::timeout(SEND_LIMIT, socket.send(Message::Close(Some(frame))));
    if matches!(close.await, Ok(Ok(()))) {
        let drain = async { while let Some(Ok(_)) = socket.next().await {} };
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

/// Sends one message, fragment by fragment, each flushed before the next: what waits in the
/// connection's buffer is never more than a fragment. False when the viewer is gone, the
/// drop counted: a fragment did not go out within SEND_LIMIT, or the connection broke.
async fn send(socket: &mut Socket, text: &Arc<str>, counts: &FeedMetrics) -> bool {
    let whole = async {
        for frame in fragments(text) {
            match tokio::time::timeout(SEND_LIMIT, socket.send(Message::Frame(frame))).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Err("error"),
                Err(_) => return Err("timeout"),
            }
        }
        Ok(())
    };
    let Err(dropped) = whole.await else {
        return true;
    };
    counts.dropped(dropped);
    tracing::debug!(
        reason = dropped,
        "viewer dropped: a send did not go through"
    );
    false
}

/// Tells the viewer why it is let go and gives it CLOSE_WAIT to take it.
async fn close(socket: &mut Socket, code: CloseCode, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, socket.send(Message::Close(Some(frame)))).await;
}

/// Sends a viewer where it starts: the snapshot frame, then the frames that catch it up.
/// The order reached, or None if the viewer is gone. Nothing of it is held after: old
/// versions pinned by viewers would add up.
async fn send_start(socket: &mut Socket, start: Start, counts: &FeedMetrics) -> Option<u64> {
    if let Some(json) = &start.json {
        if !send(socket, json, counts).await {
            return None;
        }
        counts.snapshots.inc();
    }
    for frame in &start.catch_up {
        if !send(socket, &frame.json, counts).await {
            return None;
        }
        if frame.is_delta {
            counts.deltas.inc();
        }
    }
    Some(start.order)
}

/// The version a viewer says it holds (`?since=EPOCH.SEQ`), checked before anything else.
#[allow(clippy::result_large_err)]
fn since(query: Option<&str>) -> Result<Option<(u64, u64)>, Response> {
    let given = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == SINCE)
        .map(|(_, value)| value);
    match given {
        None => Ok(None),
        Some(value) => parse_since(&value).map(Some).ok_or_else(|| {
            let message = format!("{SINCE}: expected EPOCH.SEQ, two whole numbers");
            (StatusCode::BAD_REQUEST, message).into_response()
        }),
    }
}

async fn viewer(
    mut socket: Socket,
    link: &Link,
    beat_every: Duration,
    pass: Option<Pass>,
    since: Option<(u64, u64)>,
) {
    let (hub, counts) = (&link.hub, &link.counts);
    // The snapshot's frame is the hub's, shared with every viewer of the same version; a
    // viewer that holds a version the hub can lead on from is sent no snapshot at all.
    let (mut frames, start) = hub.join(since);
    tracing::info!(client = %link.client, viewers = hub.viewers(), "viewer joined");
    // The last frame this viewer holds: those the receiver still has up to it are skipped.
    let Some(mut order) = send_start(&mut socket, start, counts).await else {
        return;
    };
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
                let code = CloseCode::from(flotilla_app::api::RESTARTING);
                close(&mut socket, code, "restarting: the panel is stopping; reconnect").await;
                return;
            }
            _ = check.tick(), if pass.is_some() => {
                if pass.as_ref().is_some_and(|p| !p.holds()) {
                    let code = CloseCode::from(flotilla_app::api::ACCESS_ENDED);
                    let reason = "access ended: the kiosk link was revoked or the session ended";
                    close(&mut socket, code, reason).await;
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
                Ok(frame) if frame.order <= order => {}
                Ok(frame) => {
                    if !send(&mut socket, &frame.json, counts).await {
                        return;
                    }
                    if frame.is_delta {
                        counts.deltas.inc();
                    }
                    order = frame.order;
                    quiet.as_mut().reset(tokio::time::Instant::now() + beat_every);
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "viewer lagged; resyncing");
                    counts.resyncs.inc();
                    match send_start(&mut socket, hub.start(), counts).await {
                        Some(reached) => order = reached,
                        None => return,
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.next() => match incoming {
                // Viewers send nothing we act on; pings are answered by tungstenite.
                Some(Ok(Message::Close(_))) | None => return,
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    // Over MAX_INBOUND, or not websocket at all: say so if the socket still
                    // takes it, and hang up.
                    tracing::debug!(error = %e, "viewer sent something unacceptable");
                    close(&mut socket, CloseCode::Policy, "a viewer may send at most 4 KiB at once").await;
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
        assert_eq!(full.code, CloseCode::Again);
        assert_eq!(
            full.reason.as_str(),
            "too many viewers: the panel serves at most 1000"
        );
        assert_eq!(
            close_frame(&Refusal::AddressFull(50)).code,
            CloseCode::Policy
        );
    }

    #[test]
    fn since_is_read_or_refused_by_name() {
        assert_eq!(since(None).ok(), Some(None));
        assert_eq!(since(Some("kiosk=1")).ok(), Some(None));
        assert_eq!(since(Some("since=3.9")).ok(), Some(Some((3, 9))));
        let refused = since(Some("since=yesterday")).err().expect("refused");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    }
}
