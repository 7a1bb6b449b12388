//! The page at `/`. A viewer's (nobody logged in, a viewer role, a wall screen) is written
//! by the app's HTML functions (`flotilla_app::html`) from the hub's snapshot: no Leptos
//! render, and a bundle without Leptos to keep it live. A session that may change things
//! gets the Leptos page and the control bundle.

use super::page::audience;
use super::security::page_csp;
use crate::cluster::Hub;
use crate::control::Control;
use axum::body::Body as HttpBody;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use flotilla_app::address::filters_of;
use flotilla_app::audience::{Assets, Audience};
use flotilla_app::html::document::{Body, Head, write_document};
use flotilla_app::html::screen::{Link, Screen};
use flotilla_app::html::topbar::SessionView;
use flotilla_app::protocol::PageData;
use flotilla_app::view::{ServiceColours, palette::service_names};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// leptos_axum's render of the control page, called for sessions that may change things.
pub type ControlPage =
    Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

#[derive(Clone)]
pub struct Pages {
    pub control: Arc<Control>,
    pub hub: Arc<Hub>,
    pub assets: Arc<Assets>,
    pub control_page: ControlPage,
}

pub async fn page(State(pages): State<Pages>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let query = parts.uri.query().unwrap_or_default().to_string();
    // The session is read once: refused (`--view token` without one) means there is none.
    let session = pages.control.may_view(&parts.headers);
    let signed_in = session.as_ref().ok().and_then(Option::as_ref);
    let role = signed_in.map(|s| s.role);
    let from_kiosk = signed_in.is_some_and(|s| s.kiosk.is_some());
    if audience(role, from_kiosk, &query) == Audience::Control {
        let request = Request::from_parts(parts, body);
        return (pages.control_page)(request).await.into_response();
    }
    let session_view = match role {
        _ if !pages.control.auth.any_token() => SessionView::ReadOnly,
        Some(role) => SessionView::SignedIn(role),
        None => SessionView::LogIn,
    };
    let view = session.map(|_| pages.hub.snapshot_and_json());
    let nonce = nonce();
    let csp = page_csp(&nonce);
    // At 20,000 tasks the page is megabytes of markup: written off the runtime's threads.
    let written = tokio::task::spawn_blocking(move || {
        let head = Head {
            bundle: pages.assets.bundle(Audience::Viewer),
            css: &pages.assets.css,
            nonce: &nonce,
        };
        match view {
            Ok((snapshot, json)) => {
                let filters = filters_of(&query);
                let colours = ServiceColours::new(service_names(&snapshot.state));
                let screen = Screen {
                    snapshot: &snapshot,
                    filters: &filters,
                    link: Link::Connecting,
                    now_ms: now_ms(),
                    colours: &colours,
                };
                let body = Body::Live {
                    screen,
                    json: &json,
                };
                write_document(&head, session_view, &body)
            }
            Err(refused) => {
                let error = refused.to_string();
                let json = serde_json::to_string(&PageData::Unavailable(error.clone()))
                    .unwrap_or_default();
                let body = Body::Unavailable {
                    error: &error,
                    json: &json,
                };
                write_document(&head, session_view, &body)
            }
        }
    })
    .await;
    match written {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                (header::CONTENT_SECURITY_POLICY, csp),
            ],
            HttpBody::from(html),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "writing a viewer's page failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The page's one inline script's nonce: 128 random bits, fresh per page.
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}
