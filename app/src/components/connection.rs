//! The connection indicator, always visible: is what the screen shows live, and if not,
//! since when and why.

use crate::protocol::{EngineStatus, Snapshot};
use crate::view::clock_utc;
use leptos::prelude::*;

/// The browser's link to the panel's live feed.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser opens it
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Link {
    /// Not (yet) connected: the server's render, or JavaScript still loading.
    Connecting,
    Open,
    /// Closed; the next attempt is due at this time (browser clock, ms).
    Retrying {
        at_ms: f64,
    },
}

/// (data-state, text) for the indicator. Pure, so the wording is tested once.
pub fn indicator(engine: &EngineStatus, link: Link, now_ms: f64) -> (&'static str, String) {
    match (engine, link) {
        (EngineStatus::NotManager { reason }, _) => {
            ("not-manager", format!("not a swarm manager: {reason}"))
        }
        (
            EngineStatus::Stale {
                since_ms, reason, ..
            },
            _,
        ) => (
            "stale",
            format!("stale since {} ({reason})", clock_utc(*since_ms)),
        ),
        (_, Link::Retrying { at_ms }) => {
            let secs = ((at_ms - now_ms) / 1000.0).ceil().max(0.0);
            ("reconnecting", format!("reconnecting in {secs}s"))
        }
        (EngineStatus::Live, Link::Open) => ("live", "live".into()),
        (EngineStatus::Connecting, Link::Open) => ("connecting", "waiting for the engine…".into()),
        (_, Link::Connecting) => ("connecting", "connecting…".into()),
    }
}

#[component]
pub fn ConnectionIndicator(
    cluster: RwSignal<Snapshot>,
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
        let cases = [
            (EngineStatus::Live, Link::Open, ("live", "live")),
            (
                EngineStatus::Live,
                Link::Connecting,
                ("connecting", "connecting…"),
            ),
            (
                EngineStatus::Live,
                Link::Retrying { at_ms: 4_500.0 },
                ("reconnecting", "reconnecting in 4s"),
            ),
            (
                stale.clone(),
                Link::Open,
                ("stale", "stale since 18:02:02 UTC (connection refused)"),
            ),
            (
                stale,
                Link::Retrying { at_ms: 0.0 },
                ("stale", "stale since 18:02:02 UTC (connection refused)"),
            ),
            (
                EngineStatus::NotManager {
                    reason: "inactive".into(),
                },
                Link::Open,
                ("not-manager", "not a swarm manager: inactive"),
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
