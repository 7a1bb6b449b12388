//! The top bar's parts: the connection indicator (always visible: is what the screen shows
//! live, and if not, since when and why), the view toggles, and who is at the controls.

use crate::api::{Me, Role};
use crate::html::Esc;
use crate::html::screen::Screen;
use crate::protocol::EngineStatus;
use crate::view::{Filters, clock_utc};
use std::fmt::Write;

/// The browser's link to the panel's live feed.
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

/// The top bar: the name, and what the page puts after it.
pub fn write_topbar(out: &mut String, then: impl FnOnce(&mut String)) {
    out.push_str(
        "<header class=\"topbar\"><span class=\"brand\">Flotilla</span>\
         <span class=\"tagline\">Docker Swarm, live</span>",
    );
    then(out);
    out.push_str("</header>");
}

pub fn write_connection(screen: &Screen, out: &mut String) {
    let (state, text) = indicator(&screen.snapshot.engine, screen.link, screen.now_ms);
    let _ = write!(
        out,
        "<div id=\"connection\" role=\"status\" data-state=\"{state}\"><span class=\"dot\"></span>\
         <span class=\"text\">{}</span></div>",
        Esc(&text)
    );
}

/// One toggle. Without scripts it is a GET form whose hidden fields carry `target`; with
/// them, a plain click on it goes to `data-href` in place (see `crate::viewer`).
fn write_toggle(label: &str, title: &str, pressed: bool, target: &Filters, out: &mut String) {
    out.push_str("<form method=\"get\" action=\"/\" class=\"toggle\">");
    for (name, value) in target.pairs() {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            Esc(&value)
        );
    }
    out.push_str("<button type=\"submit\"");
    if !title.is_empty() {
        let _ = write!(out, " title=\"{}\"", Esc(title));
    }
    let _ = write!(
        out,
        " aria-pressed=\"{pressed}\" data-href=\"{}\">{}</button></form>",
        Esc(&target.href()),
        Esc(label)
    );
}

/// The bar of toggles: running only, group by stack, dense, and (while one is chosen) the
/// highlighted service, to clear it.
pub fn write_toggles(screen: &Screen, out: &mut String) {
    let filters = screen.filters;
    let changed = |change: fn(&mut Filters)| {
        let mut f = filters.clone();
        change(&mut f);
        f
    };
    out.push_str("<nav class=\"toggles\" aria-label=\"View\">");
    write_toggle(
        "running only",
        "Only tasks Docker wants running, including pending and starting ones",
        filters.running_only,
        &changed(|f| f.running_only = !f.running_only),
        out,
    );
    write_toggle(
        "group by stack",
        "",
        filters.group_by_stack,
        &changed(|f| f.group_by_stack = !f.group_by_stack),
        out,
    );
    let auto = screen.auto_dense();
    write_toggle(
        if filters.dense.is_none() {
            "dense (auto)"
        } else {
            "dense"
        },
        "A strip of small marks per node; automatic past 200 tasks or 12 nodes",
        filters.dense.unwrap_or(auto),
        &filters.toggle_dense(auto),
        out,
    );
    if let Some(service) = &filters.highlight {
        write_toggle(
            &format!("highlight: {service} ✕"),
            "Clear the highlight",
            true,
            &changed(|f| f.highlight = None),
            out,
        );
    }
    out.push_str("</nav>");
}

/// Who is at the controls, as a viewer's page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionView {
    /// No token is set: nobody can log in.
    ReadOnly,
    LogIn,
    SignedIn(Role),
}

impl SessionView {
    pub fn of(me: &Me) -> SessionView {
        match me {
            Me { login: false, .. } => SessionView::ReadOnly,
            Me {
                signed_in: false, ..
            } => SessionView::LogIn,
            Me { role, .. } => SessionView::SignedIn(*role),
        }
    }
}

/// In the top bar: read-only (and how to change that), the log-in form, or the role. The
/// form posts as JSON from the viewer bundle (see `crate::viewer`), which loads the page
/// again once logged in: the server renders it for the session.
pub fn write_session(session: SessionView, out: &mut String) {
    match session {
        SessionView::ReadOnly => out.push_str(
            "<span class=\"session read-only\" title=\"Start the panel with FLOTILLA_ADMIN_TOKEN \
             (or FLOTILLA_ADMIN_TOKEN_FILE) set to enable control\">read-only: start the panel \
             with FLOTILLA_ADMIN_TOKEN to enable control</span>",
        ),
        SessionView::LogIn => out.push_str(
            "<form class=\"session login\" method=\"post\" action=\"/api/login\">\
             <input type=\"password\" name=\"token\" aria-label=\"access token\" \
             placeholder=\"access token\" autocomplete=\"current-password\">\
             <button type=\"submit\">Log in</button><p class=\"outcome\" role=\"status\" hidden></p></form>",
        ),
        SessionView::SignedIn(role) => {
            let role = role.label();
            let _ = write!(
                out,
                "<span class=\"session signed-in\"><span class=\"role\" data-role=\"{role}\">{role}</span>\
                 <button type=\"button\" class=\"log-out\">Log out</button></span>"
            );
        }
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
