//! The websocket handshake (RFC 6455, HTTP/1.1, which is all the listener speaks), done here
//! rather than by axum's extractor because the feed needs the websocket layer's frames: a
//! snapshot of megabytes goes out as one message in fragments of at most `FRAGMENT` bytes,
//! and axum's socket sends only whole messages. A whole message is copied into the
//! connection's write buffer, which keeps its capacity for the connection's life, so each of
//! a thousand viewers would hold a buffer the size of the largest snapshot it was ever sent
//! (6 MB at 20,000 tasks: 6.5 GiB in all, measured by benches/viewers.rs). In fragments, the
//! buffer never grows past one. Browsers and websocket clients put the message together.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Version, header};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Bytes;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// A viewer's end of the feed, once upgraded.
pub type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// The largest fragment of a message the feed sends, and so about the most its write buffer
/// holds: small beside a snapshot, large enough that a snapshot is not thousands of frames.
pub const FRAGMENT: usize = 16 * 1024;

/// Why a request to the feed's address is not a websocket handshake we take.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    #[error("the live feed is a websocket: use GET with `Connection: upgrade`")]
    NotUpgrade,
    #[error("the live feed speaks websocket over HTTP/1.1 only")]
    Version,
    #[error("`Upgrade` must be `websocket`")]
    UpgradeHeader,
    #[error("`Sec-WebSocket-Version` must be 13")]
    WebSocketVersion,
    #[error("`Sec-WebSocket-Key` is missing")]
    Key,
    #[error("this connection cannot be upgraded")]
    NotUpgradable,
}

impl HandshakeError {
    pub fn status(&self) -> StatusCode {
        match self {
            HandshakeError::Key => StatusCode::BAD_REQUEST,
            HandshakeError::NotUpgradable => StatusCode::INTERNAL_SERVER_ERROR,
            // Not a websocket handshake we speak: say which one we do.
            _ => StatusCode::UPGRADE_REQUIRED,
        }
    }
}

impl IntoResponse for HandshakeError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.to_string()).into_response();
        if self.status() == StatusCode::UPGRADE_REQUIRED {
            let headers = response.headers_mut();
            headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            headers.insert(
                header::SEC_WEBSOCKET_VERSION,
                HeaderValue::from_static("13"),
            );
        }
        response
    }
}

/// Whether a header holds `token` in its comma-separated list, case aside.
fn lists(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value.to_str().is_ok_and(|value| {
            value
                .split(',')
                .any(|item| item.trim().eq_ignore_ascii_case(token))
        })
    })
}

/// What a request must carry to be a handshake, checked before anything else about it; the
/// key, if it is one.
fn check(parts: &Parts) -> Result<HeaderValue, HandshakeError> {
    if parts.method != Method::GET || !lists(&parts.headers, header::CONNECTION, "upgrade") {
        return Err(HandshakeError::NotUpgrade);
    }
    if parts.version != Version::HTTP_11 {
        return Err(HandshakeError::Version);
    }
    if !lists(&parts.headers, header::UPGRADE, "websocket") {
        return Err(HandshakeError::UpgradeHeader);
    }
    if parts
        .headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .map(|v| v.as_bytes())
        != Some(b"13")
    {
        return Err(HandshakeError::WebSocketVersion);
    }
    parts
        .headers
        .get(header::SEC_WEBSOCKET_KEY)
        .cloned()
        .ok_or(HandshakeError::Key)
}

/// A checked handshake, not yet answered.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = HandshakeError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HandshakeError> {
        let key = check(parts)?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(HandshakeError::NotUpgradable)?;
        Ok(Upgrade { key, on_upgrade })
    }
}

impl Upgrade {
    /// Answers 101 and runs `viewer` on the socket once the client has it. `max_inbound`
    /// bounds what the client may send (message and frame); the buffers are sized for a
    /// peer that sends next to nothing and is sent fragments.
    pub fn accept<F, Fut>(self, max_inbound: usize, viewer: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let config = WebSocketConfig::default()
            .read_buffer_size(max_inbound)
            .write_buffer_size(FRAGMENT)
            .max_write_buffer_size(4 * FRAGMENT)
            .max_message_size(Some(max_inbound))
            .max_frame_size(Some(max_inbound));
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let io = TokioIo::new(upgraded);
                    viewer(WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await)
                        .await
                }
                Err(e) => tracing::debug!(error = %e, "the websocket upgrade failed"),
            }
        });
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        let accept = derive_accept_key(self.key.as_bytes());
        if let Ok(accept) = HeaderValue::from_str(&accept) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        }
        response
    }
}

/// A shared frame as a payload, without a copy of its own: a snapshot is megabytes, and a
/// thousand viewers joining at once would each hold one.
fn shared(text: &Arc<str>) -> Bytes {
    struct Shared(Arc<str>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            self.0.as_bytes()
        }
    }
    Bytes::from_owner(Shared(text.clone()))
}

/// A text message as websocket frames of at most `FRAGMENT` bytes each: one frame when it
/// fits, else a first Text frame and continuations, the last one final. Slices of the shared
/// frame, never copies; a fragment may end inside a character (the client joins the bytes
/// before it decodes them).
pub fn fragments(text: &Arc<str>) -> impl Iterator<Item = Frame> {
    let bytes = shared(text);
    let count = bytes.len().div_ceil(FRAGMENT).max(1);
    (0..count).map(move |i| {
        let piece = bytes.slice(i * FRAGMENT..bytes.len().min((i + 1) * FRAGMENT));
        let opcode = if i == 0 { Data::Text } else { Data::Continue };
        Frame::message(piece, OpCode::Data(opcode), i + 1 == count)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(edit: impl FnOnce(&mut Request<()>)) -> Parts {
        let mut request = Request::get("/ws")
            .header("connection", "keep-alive, Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .body(())
            .expect("a request");
        edit(&mut request);
        request.into_parts().0
    }

    #[test]
    fn handshakes_are_checked_field_by_field() {
        type Edit = fn(&mut Request<()>);
        let cases: [(&str, Edit, Result<(), HandshakeError>); 7] = [
            ("a browser's handshake", |_| {}, Ok(())),
            (
                "a POST",
                |r| *r.method_mut() = Method::POST,
                Err(HandshakeError::NotUpgrade),
            ),
            (
                "a plain GET",
                |r| {
                    r.headers_mut().remove("connection");
                },
                Err(HandshakeError::NotUpgrade),
            ),
            (
                "HTTP/1.0",
                |r| *r.version_mut() = Version::HTTP_10,
                Err(HandshakeError::Version),
            ),
            (
                "another protocol",
                |r| {
                    r.headers_mut()
                        .insert("upgrade", HeaderValue::from_static("h2c"));
                },
                Err(HandshakeError::UpgradeHeader),
            ),
            (
                "an old draft",
                |r| {
                    r.headers_mut()
                        .insert("sec-websocket-version", HeaderValue::from_static("8"));
                },
                Err(HandshakeError::WebSocketVersion),
            ),
            (
                "no key",
                |r| {
                    r.headers_mut().remove("sec-websocket-key");
                },
                Err(HandshakeError::Key),
            ),
        ];
        for (what, edit, expected) in cases {
            assert_eq!(check(&parts(edit)).map(|_| ()), expected, "{what}");
        }
    }

    #[test]
    fn the_accept_key_is_rfc_6455s() {
        // The RFC's own example (section 1.3).
        assert_eq!(
            derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn big_messages_go_out_in_fragments_that_join_up() {
        // Two fragments and a bit, with characters of two and three bytes across the cuts.
        let text: Arc<str> = "é€x".repeat(FRAGMENT / 3 + 7).into();
        for (text, count) in [
            (text, 3),
            (Arc::from("{\"beat\":null}"), 1),
            (Arc::from(""), 1),
        ] {
            let frames: Vec<Frame> = fragments(&text).collect();
            assert_eq!(frames.len(), count, "{} bytes", text.len());
            let mut joined = Vec::new();
            for (i, frame) in frames.iter().enumerate() {
                let header = frame.header();
                let opcode = if i == 0 { Data::Text } else { Data::Continue };
                assert_eq!(header.opcode, OpCode::Data(opcode));
                assert_eq!(header.is_final, i + 1 == count);
                assert!(frame.payload().len() <= FRAGMENT);
                joined.extend_from_slice(frame.payload());
            }
            assert_eq!(joined, text.as_bytes());
        }
    }
}
