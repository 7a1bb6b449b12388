//! The browser's end of the live feed: one websocket, reconnected with capped, jittered
//! backoff; every message goes through `Snapshot::receive`.

use crate::components::connection::Link;
use crate::protocol::Snapshot;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
pub fn connect(cluster: RwSignal<Snapshot>, link: RwSignal<Link>) {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    let state = Rc::new(Feed {
        attempt: Cell::new(0),
        open: RefCell::new(None),
    });
    open(cluster, link, state);
}

#[cfg(not(feature = "hydrate"))]
pub fn connect(_cluster: RwSignal<Snapshot>, _link: RwSignal<Link>) {}

#[cfg(feature = "hydrate")]
struct Feed {
    attempt: std::cell::Cell<u32>,
    /// The socket and its handlers; replacing it drops the previous connection's closures.
    open: std::cell::RefCell<Option<Connection>>,
}

#[cfg(feature = "hydrate")]
struct Connection {
    _socket: web_sys::WebSocket,
    _handlers: (
        wasm_bindgen::closure::Closure<dyn FnMut()>,
        wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
        wasm_bindgen::closure::Closure<dyn FnMut(web_sys::CloseEvent)>,
    ),
}

#[cfg(feature = "hydrate")]
fn open(cluster: RwSignal<Snapshot>, link: RwSignal<Link>, feed: std::rc::Rc<Feed>) {
    use crate::backoff::Backoff;
    use crate::protocol::{ServerMsg, WS_PATH};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let location = window().location();
    let scheme = if location.protocol().ok().as_deref() == Some("https:") {
        "wss"
    } else {
        "ws"
    };
    let url = format!(
        "{scheme}://{}{WS_PATH}",
        location.host().unwrap_or_default()
    );
    let retry = {
        let feed = feed.clone();
        move || {
            let attempt = feed.attempt.get();
            feed.attempt.set(attempt.saturating_add(1));
            let delay = Backoff::DEFAULT.delay(attempt, js_sys::Math::random());
            link.set(Link::Retrying {
                at_ms: js_sys::Date::now() + delay.as_millis() as f64,
            });
            let feed = feed.clone();
            set_timeout(move || open(cluster, link, feed), delay);
        }
    };
    let Ok(socket) = web_sys::WebSocket::new(&url) else {
        retry();
        return;
    };
    let on_open = {
        let feed = feed.clone();
        Closure::<dyn FnMut()>::new(move || {
            feed.attempt.set(0);
            link.set(Link::Open);
        })
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerMsg>(&text) {
                Ok(message) => cluster.update(|shown| _ = shown.receive(message)),
                Err(e) => leptos::logging::warn!("unreadable message from the server: {e}"),
            }
        });
    let on_close = {
        let retry = retry.clone();
        Closure::<dyn FnMut(web_sys::CloseEvent)>::new(move |_: web_sys::CloseEvent| retry())
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    *feed.open.borrow_mut() = Some(Connection {
        _socket: socket,
        _handlers: (on_open, on_message, on_close),
    });
}
