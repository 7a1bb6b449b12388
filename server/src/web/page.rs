//! The page and the front end's files: who each page is rendered for (which decides the
//! bundle it loads), the hashed asset names from the build's manifest, and how long
//! browsers may keep each file.

use crate::cluster::Hub;
use crate::control::Control;
use axum::http::{HeaderValue, header};
use flotilla_app::PageState;
use flotilla_app::address::filters_of;
use flotilla_app::api::Role;
use flotilla_app::audience::{Assets, Audience, MANIFEST, PageRequest};
use flotilla_app::protocol::PageData;
use leptos::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// The front end's files as `scripts/build-front.sh` named them. A panel started without a
/// built front end still serves its feed, probes and API: its pages say so in the log and
/// load names that are not there.
pub fn assets(site_root: &str) -> Arc<Assets> {
    let path = Path::new(site_root).join("pkg").join(MANIFEST);
    let read = std::fs::read_to_string(&path).map_err(|e| e.to_string());
    match read.and_then(|text| Assets::parse(&text)) {
        Ok(assets) => Arc::new(assets),
        Err(e) => {
            tracing::warn!(
                path = %path.display(),
                error = %e,
                "no front end manifest: pages will not load their scripts (run scripts/build-front.sh)"
            );
            Arc::new(Assets {
                bundles: Audience::ALL.map(|a| format!("flotilla-{}", a.bundle())),
                css: "flotilla.css".into(),
            })
        }
    }
}

/// The audience of a request: the control UI is for a session that may change something,
/// on a page that is not a wall screen (kiosk sessions and `?kiosk=1` pages are viewers).
pub fn audience(role: Option<Role>, from_kiosk: bool, query: &str) -> Audience {
    let may_change = role.is_some_and(|r| r >= Role::Operator);
    if may_change && !from_kiosk && !filters_of(query).kiosk {
        Audience::Control
    } else {
        Audience::Viewer
    }
}

/// Called where leptos_axum renders a page (the request's parts are in context): tells
/// the app who the page is for, what to load, and the state to render (the hub's current
/// snapshot and its feed message, shared, not copied; with `--view token` only sessions
/// see the cluster).
pub fn request_context(
    control: Arc<Control>,
    hub: Arc<Hub>,
    assets: Arc<Assets>,
) -> impl Fn() + Clone + Send + Sync {
    move || {
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return;
        };
        // The session is read once: refused (`--view token` without one) means there is none.
        let (state, session) = match control.may_view(&parts.headers) {
            Ok(session) => {
                let (snapshot, json) = hub.snapshot_and_json();
                let state = PageState {
                    snapshot: Ok(snapshot),
                    json,
                };
                (state, session)
            }
            Err(e) => {
                let json = serde_json::to_string(&PageData::Unavailable(e.to_string()));
                let state = PageState {
                    json: Arc::from(json.unwrap_or_default()),
                    snapshot: Err(e.to_string()),
                };
                (state, None)
            }
        };
        provide_context(state);
        let query = parts.uri.query().unwrap_or_default().to_string();
        provide_context(PageRequest {
            audience: audience(
                session.as_ref().map(|s| s.role),
                session.as_ref().is_some_and(|s| s.kiosk.is_some()),
                &query,
            ),
            path: parts.uri.path().to_string(),
            query,
            assets: (*assets).clone(),
        });
    }
}

/// Files under /pkg named in the manifest carry their content's hash: a browser may keep
/// them for a year without asking. Everything else is checked each time.
pub async fn cache_lifetime(
    axum::extract::State(assets): axum::extract::State<Arc<Assets>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let hashed = request
        .uri()
        .path()
        .strip_prefix("/pkg/")
        .is_some_and(|file| is_hashed(&assets, file));
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

fn is_hashed(assets: &Assets, file: &str) -> bool {
    file == assets.css
        || assets.bundles.iter().any(|stem| {
            file.strip_prefix(stem.as_str())
                .is_some_and(|rest| rest == ".js" || rest == "_bg.wasm")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences() {
        use Audience::*;
        let cases = [
            (None, false, "", Viewer),
            (Some(Role::Viewer), false, "", Viewer),
            (Some(Role::Operator), false, "", Control),
            (Some(Role::Admin), false, "running=0", Control),
            (Some(Role::Admin), false, "kiosk=1", Viewer),
            (Some(Role::Admin), true, "", Viewer),
            (Some(Role::Admin), false, "kiosk=0", Control),
        ];
        for (role, from_kiosk, query, want) in cases {
            assert_eq!(
                audience(role, from_kiosk, query),
                want,
                "{role:?} {from_kiosk} {query}"
            );
        }
    }

    #[test]
    fn hashed_files() {
        let assets = Assets {
            bundles: ["flotilla-view.ab12".into(), "flotilla-control.cd34".into()],
            css: "flotilla.ef56.css".into(),
        };
        let cases = [
            ("flotilla-view.ab12.js", true),
            ("flotilla-view.ab12_bg.wasm", true),
            ("flotilla-control.cd34_bg.wasm", true),
            ("flotilla.ef56.css", true),
            ("flotilla-view.ab12_bg.wasm.br", false),
            ("flotilla-view.js", false),
            ("manifest.txt", false),
        ];
        for (file, want) in cases {
            assert_eq!(is_hashed(&assets, file), want, "{file}");
        }
    }
}
