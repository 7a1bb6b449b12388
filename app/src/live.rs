//! The browser's end of the live feed: one websocket, reconnected with capped, jittered
//! backoff when it closes or falls silent, each time saying which version it shows (so the
//! whole state is not sent again when the feed can lead on from it); every message goes
//! through `Snapshot::receive`.

use crate::components::connection::Link;
use crate::protocol::Snapshot;
use leptos::prelude::*;
use std::sync::Arc;

#[cfg(feature = "hydrate")]
pub fn connect(cluster: RwSignal<Arc<Snapshot>>, link: RwSignal<Link>) {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    let state = Rc::new(Feed {
        attempt: Cell::new(0),
        lost_ms: Cell::new(None),
        heard_ms: Cell::new(js_sys::Date::now()),
        open: RefCell::new(None),
    });
    // A link that died without closing (nothing heard, not even a beat, for too long) is
    // dropped here and reconnected like any other loss, as offline since it was last heard.
    let watched = state.clone();
    set_interval(
        move || {
            let silent =
                crate::protocol::silent_too_long(watched.heard_ms.get(), js_sys::Date::now());
            if link.get_untracked() == Link::Open && silent {
                // Its close event may never come on a dead connection: detach, close, retry.
                if let Some(connection) = watched.open.borrow_mut().take() {
                    connection.socket.set_onopen(None);
                    connection.socket.set_onmessage(None);
                    connection.socket.set_onclose(None);
                    let _ = connection.socket.close();
                }
                watched.lost_ms.set(Some(watched.heard_ms.get()));
                retry(cluster, link, watched.clone());
            }
        },
        std::time::Duration::from_secs(5),
    );
    open(cluster, link, state);
}

#[cfg(not(feature = "hydrate"))]
pub fn connect(_cluster: RwSignal<Arc<Snapshot>>, _link: RwSignal<Link>) {}

#[cfg(feature = "hydrate")]
struct Feed {
    attempt: std::cell::Cell<u32>,
    /// When the link was lost (browser clock, ms); kept across failed attempts.
    lost_ms: std::cell::Cell<Option<f64>>,
    /// When the server last said anything (browser clock, ms).
    heard_ms: std::cell::Cell<f64>,
    /// The socket and its handlers; replacing it drops the previous connection's closures.
    open: std::cell::RefCell<Option<Connection>>,
}

#[cfg(feature = "hydrate")]
struct Connection {
    socket: web_sys::WebSocket,
    _on_open: wasm_bindgen::closure::Closure<dyn FnMut()>,
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_close: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::CloseEvent)>,
}

/// Waits (capped, jittered backoff) and opens a new connection, showing the countdown.
#[cfg(feature = "hydrate")]
fn retry(cluster: RwSignal<Arc<Snapshot>>, link: RwSignal<Link>, feed: std::rc::Rc<Feed>) {
    use crate::backoff::Backoff;
    let attempt = feed.attempt.get();
    feed.attempt.set(attempt.saturating_add(1));
    let delay = Backoff::DEFAULT.delay(attempt, js_sys::Math::random());
    let now = js_sys::Date::now();
    let since_ms = feed.lost_ms.get().unwrap_or(now);
    feed.lost_ms.set(Some(since_ms));
    link.set(Link::Retrying {
        at_ms: now + delay.as_millis() as f64,
        since_ms,
    });
    set_timeout(move || open(cluster, link, feed), delay);
}

#[cfg(feature = "hydrate")]
fn open(cluster: RwSignal<Arc<Snapshot>>, link: RwSignal<Link>, feed: std::rc::Rc<Feed>) {
    use crate::protocol::{SINCE, WS_PATH, since_param};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let location = window().location();
    let scheme = if location.protocol().ok().as_deref() == Some("https:") {
        "wss"
    } else {
        "ws"
    };
    // The version shown (the page's, or the last before the link was lost): the feed sends
    // what came after it, or the whole state if it cannot.
    let since = cluster.with_untracked(|shown| since_param(shown));
    let url = format!(
        "{scheme}://{}{WS_PATH}?{SINCE}={since}",
        location.host().unwrap_or_default()
    );
    let reconnect = {
        let feed = feed.clone();
        move || retry(cluster, link, feed.clone())
    };
    let Ok(socket) = web_sys::WebSocket::new(&url) else {
        reconnect();
        return;
    };
    let on_open = {
        let feed = feed.clone();
        Closure::<dyn FnMut()>::new(move || {
            feed.lost_ms.set(None);
            feed.heard_ms.set(js_sys::Date::now());
            link.set(Link::Open);
        })
    };
    let on_message = {
        let feed = feed.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            // The backoff starts over only once the server has said something: a server that
            // accepts and at once drops connections must not be retried in a tight loop.
            feed.attempt.set(0);
            feed.heard_ms.set(js_sys::Date::now());
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<crate::protocol::ServerMsg>(&text) {
                // A delta after a gap changes nothing: no need to re-render.
                // The browser holds the only reference, so this changes the state in place.
                Ok(message) => cluster.maybe_update(|shown| Arc::make_mut(shown).receive(message)),
                Err(e) => leptos::logging::warn!("unreadable message from the server: {e}"),
            }
        })
    };
    let on_close = {
        let feed = feed.clone();
        Closure::<dyn FnMut(web_sys::CloseEvent)>::new(
            move |event: web_sys::CloseEvent| match event.code() {
                crate::api::ACCESS_ENDED => link.set(Link::Ended),
                crate::api::RESTARTING => {
                    feed.attempt.set(0);
                    reconnect()
                }
                _ => reconnect(),
            },
        )
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    *feed.open.borrow_mut() = Some(Connection {
        socket,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    });
}
