//! The browser's end of the live feed, for either bundle: one websocket, reconnected with
//! capped, jittered backoff when it closes or falls silent, each time saying which version
//! the page shows (so the whole state is not sent again when the feed can lead on from it).
//! What arrives, and how the link stands, goes to the page's [`Watcher`].

use crate::backoff::Backoff;
use crate::browser::{after, every, now_ms, window};
use crate::html::topbar::Link;
use crate::protocol::{SINCE, ServerMsg, WS_PATH, silent_too_long};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// What the page does with the feed.
pub trait Watcher {
    /// The version the page shows, as `?since=` wants it (`protocol::since_param`).
    fn since(&self) -> String;
    fn message(&self, message: ServerMsg);
    fn link(&self, link: Link);
}

struct Feed {
    watcher: Rc<dyn Watcher>,
    link: Cell<Link>,
    attempt: Cell<u32>,
    /// When the link was lost (browser clock, ms); kept across failed attempts.
    lost_ms: Cell<Option<f64>>,
    /// When the server last said anything (browser clock, ms).
    heard_ms: Cell<f64>,
    /// The socket and its handlers; replacing it drops the previous connection's closures.
    open: RefCell<Option<Connection>>,
}

struct Connection {
    socket: web_sys::WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_close: Closure<dyn FnMut(web_sys::CloseEvent)>,
}

impl Feed {
    fn set_link(&self, link: Link) {
        self.link.set(link);
        self.watcher.link(link);
    }
}

pub fn connect(watcher: Rc<dyn Watcher>) {
    let feed = Rc::new(Feed {
        watcher,
        link: Cell::new(Link::Connecting),
        attempt: Cell::new(0),
        lost_ms: Cell::new(None),
        heard_ms: Cell::new(now_ms()),
        open: RefCell::new(None),
    });
    // A link that died without closing (nothing heard, not even a beat, for too long) is
    // dropped here and reconnected like any other loss, as offline since it was last heard.
    let watched = feed.clone();
    every(5_000, move || {
        let silent = silent_too_long(watched.heard_ms.get(), now_ms());
        if watched.link.get() == Link::Open && silent {
            // Its close event may never come on a dead connection: detach, close, retry.
            if let Some(connection) = watched.open.borrow_mut().take() {
                connection.socket.set_onopen(None);
                connection.socket.set_onmessage(None);
                connection.socket.set_onclose(None);
                let _ = connection.socket.close();
            }
            watched.lost_ms.set(Some(watched.heard_ms.get()));
            retry(watched.clone());
        }
    });
    open(feed);
}

/// Waits (capped, jittered backoff) and opens a new connection, showing the countdown.
fn retry(feed: Rc<Feed>) {
    let attempt = feed.attempt.get();
    feed.attempt.set(attempt.saturating_add(1));
    let delay = Backoff::DEFAULT.delay(attempt, js_sys::Math::random());
    let now = now_ms();
    let since_ms = feed.lost_ms.get().unwrap_or(now);
    feed.lost_ms.set(Some(since_ms));
    feed.set_link(Link::Retrying {
        at_ms: now + delay.as_millis() as f64,
        since_ms,
    });
    after(delay.as_millis() as u32, move || open(feed));
}

fn open(feed: Rc<Feed>) {
    let location = window().location();
    let scheme = if location.protocol().ok().as_deref() == Some("https:") {
        "wss"
    } else {
        "ws"
    };
    // The version shown (the page's, or the last before the link was lost): the feed sends
    // what came after it, or the whole state if it cannot.
    let url = format!(
        "{scheme}://{}{WS_PATH}?{SINCE}={}",
        location.host().unwrap_or_default(),
        feed.watcher.since()
    );
    let Ok(socket) = web_sys::WebSocket::new(&url) else {
        retry(feed);
        return;
    };
    let on_open = {
        let feed = feed.clone();
        Closure::<dyn FnMut()>::new(move || {
            feed.lost_ms.set(None);
            feed.heard_ms.set(now_ms());
            feed.set_link(Link::Open);
        })
    };
    let on_message = {
        let feed = feed.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            // The backoff starts over only once the server has said something: a server that
            // accepts and at once drops connections must not be retried in a tight loop.
            feed.attempt.set(0);
            feed.heard_ms.set(now_ms());
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerMsg>(&text) {
                Ok(message) => feed.watcher.message(message),
                Err(e) => web_sys::console::warn_1(
                    &format!("unreadable message from the server: {e}").into(),
                ),
            }
        })
    };
    let on_close = {
        let feed = feed.clone();
        Closure::<dyn FnMut(web_sys::CloseEvent)>::new(
            move |event: web_sys::CloseEvent| match event.code() {
                crate::api::ACCESS_ENDED => feed.set_link(Link::Ended),
                crate::api::RESTARTING => {
                    feed.attempt.set(0);
                    retry(feed.clone())
                }
                _ => retry(feed.clone()),
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
