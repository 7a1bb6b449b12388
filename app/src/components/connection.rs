//! The connection indicator, always visible: is what the screen shows live, and if not,
//! since when and why.

use crate::protocol::{EngineStatus, Snapshot};
use crate::view::clock_utc;
use leptos::prelude::*;
use std::sync::Arc;

/// The browser's link to the panel's live feed.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser opens it
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Link {
    /// Not (yet) connected: the server's render, or JavaScript still loading.
    Connecting,
    Open,
    /// Closed since `since_ms`; the next attempt is due at `at_ms` (browser clock, ms).
    Retrying {
        at_ms: f64,
        since_ms: f64,
    },
    /// The server ended this screen's access (a revoked kiosk link, a lapsed session): no
    /// more reconnecting.
    Ended,
}

/// (data-state, text) for the indicator. Pure, so the wording is tested once.
///
/// A lost websocket comes first: whatever the engine status says was true when the link
/// dropped, so the honest statement is that this screen is cut off. With the link up (or
/// not opened yet, as in the server's render) the engine's standing is what matters; the
/// server's render never claims "live", since a page without scripts does not update.
pub fn indicator(engine: &EngineStatus, link: Link, now_ms: f64) -> (&'static str, String) {
    match (link, engine) {
        (Link::Ended, _) => (
            "ended",
            "access ended: this screen's link was revoked or its session lapsed; reload to log in"
                .into(),
        ),
        (Link::Retrying { at_ms, since_ms }, _) => {
            // Whole seconds as an integer: formatting an f64 would pull float printing into the wasm.
            let secs = ((at_ms - now_ms) / 1000.0).ceil().max(0.0) as u64;
            (
                "reconnecting",
                format!(
                    "reconnecting in {secs}s (offline since {})",
                    clock_utc(since_ms.max(0.0) as u64)
                ),
            )
        }
        (_, EngineStatus::NotManager { reason }) => {
            ("not-manager", format!("not a swarm manager: {reason}"))
        }
        (
            _,
            EngineStatus::Stale {
                since_ms, reason, ..
            },
        ) => (
            "stale",
            format!(
                "stale since {} (engine unreachable: {reason})",
                clock_utc(*since_ms)
            ),
        ),
        (Link::Open, EngineStatus::Live) => ("live", "live".into()),
        (Link::Open, EngineStatus::Connecting) => ("connecting", "waiting for the engine…".into()),
        (Link::Connecting, _) => ("connecting", "connecting…".into()),
    }
}

#[component]
pub fn ConnectionIndicator(
    cluster: RwSignal<Arc<Snapshot>>,
    link: RwSignal<Link>,
    now_ms: RwSignal<f64>,
) -> impl IntoView {
    let shown = move || cluster.with(|c| indicator(&c.engine, link.get(), now_ms.get()));
    view! {
        <div id="connection" role="status" data-state=move || shown().0>
            <span class="dot"></span>
            <span class="text">{move || shown().1}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording() {
        let stale = EngineStatus::Stale {
            since_ms: 1_795_716_122_000,
            reason: "connection refused".into(),
            retry_in_ms: 500,
        };
        let not_manager = EngineStatus::NotManager {
            reason: "inactive".into(),
        };
        let retrying = Link::Retrying {
            at_ms: 4_500.0,
            since_ms: 1_795_716_000_000.0,
        };
        let stale_text = "stale since 18:02:02 UTC (engine unreachable: connection refused)";
        let reconnecting = "reconnecting in 4s (offline since 18:00:00 UTC)";
        let cases = [
            (EngineStatus::Live, Link::Open, ("live", "live")),
            (
                EngineStatus::Live,
                Link::Connecting,
                ("connecting", "connecting…"),
            ),
            (
                EngineStatus::Connecting,
                Link::Open,
                ("connecting", "waiting for the engine…"),
            ),
            (EngineStatus::Live, retrying, ("reconnecting", reconnecting)),
            (stale.clone(), Link::Open, ("stale", stale_text)),
            // The server's render (no link yet) shows the engine's standing.
            (stale.clone(), Link::Connecting, ("stale", stale_text)),
            (stale, retrying, ("reconnecting", reconnecting)),
            (
                not_manager.clone(),
                Link::Open,
                ("not-manager", "not a swarm manager: inactive"),
            ),
            (
                not_manager,
                Link::Connecting,
                ("not-manager", "not a swarm manager: inactive"),
            ),
            (
                EngineStatus::Live,
                Link::Retrying {
                    at_ms: 0.0,
                    since_ms: 0.0,
                },
                (
                    "reconnecting",
                    "reconnecting in 0s (offline since 00:00:00 UTC)",
                ),
            ),
        ];
        for (engine, link, (state, text)) in cases {
            assert_eq!(
                indicator(&engine, link, 1_000.0),
                (state, text.to_string()),
                "{engine:?} {link:?}"
            );
        }
    }
}
