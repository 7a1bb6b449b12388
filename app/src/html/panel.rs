//! The highlighted service up close, as a viewer sees it: its progress, live, in the CLI's
//! words (overall progress, one line per slot, the verdict, recent failures and the update
//! status). The control page adds the changes an operator makes (its Leptos components).

use crate::html::Esc;
use crate::html::screen::Screen;
use crate::model::UpdateStatus;
use crate::state::ClusterState;
use crate::view::progress::{Progress, Verdict, progress};
use std::fmt::Write;

pub fn write_service_panel(screen: &Screen, out: &mut String) {
    let Some(name) = &screen.filters.highlight else {
        return;
    };
    let state = &screen.snapshot.state;
    let Some(service) = state.services.values().find(|s| &s.name == name) else {
        return;
    };
    let _ = write!(
        out,
        "<section class=\"service-panel\" data-service=\"{0}\"><h1>Service {0}</h1>",
        Esc(name)
    );
    write_service_progress(state, &service.id, out);
    out.push_str("</section>");
}

/// One service's progress (nothing for a service that is gone): shown for the highlighted
/// service, and on the control page for every service of a stack being deployed.
pub fn write_service_progress(state: &ClusterState, service_id: &str, out: &mut String) {
    let update = state
        .services
        .get(service_id)
        .and_then(|s| s.update.as_ref());
    write_progress(progress(state, service_id).as_ref(), update, out);
}

/// The verdict's `data-verdict` and words.
pub fn verdict(progress: Option<&Progress>) -> (&'static str, String) {
    match progress.map(|p| &p.verdict) {
        Some(Verdict::Converged) => ("converged", "verify: Service converged".to_string()),
        Some(Verdict::Working(why)) => ("working", format!("verify: {why}")),
        Some(Verdict::Trouble(why)) => ("trouble", format!("verify: {why}")),
        None => ("working", String::new()),
    }
}

fn write_progress(progress: Option<&Progress>, update: Option<&UpdateStatus>, out: &mut String) {
    out.push_str("<div class=\"progress\" aria-live=\"polite\"><p class=\"overall\">");
    if let Some(p) = progress {
        out.push_str(&p.overall());
    }
    out.push_str("</p><ul class=\"slots\">");
    for line in progress.iter().flat_map(|p| p.slots.iter()) {
        let state = line.state.label();
        let _ = write!(
            out,
            "<li class=\"slot\" data-state=\"{state}\"><span class=\"slot-label\">{}:</span> \
             <span class=\"slot-state\">{state}</span>",
            Esc(&line.label)
        );
        if !line.node.is_empty() {
            let _ = write!(out, " on {}", Esc(&line.node));
        }
        if !line.note.is_empty() {
            let _ = write!(out, "<span class=\"note\"> ({})</span>", Esc(&line.note));
        }
        out.push_str("</li>");
    }
    let (state, words) = verdict(progress);
    let _ = write!(
        out,
        "</ul><p class=\"verdict\" data-verdict=\"{state}\">{}</p>",
        Esc(&words)
    );
    for failure in progress.iter().flat_map(|p| p.failures.iter()) {
        let _ = write!(out, "<p class=\"failure error\">{}</p>", Esc(failure));
    }
    if let Some(u) = update {
        let state = u.state.label();
        let _ = write!(
            out,
            "<p class=\"update-status\" data-update=\"{state}\">update status: {state}"
        );
        if !u.message.is_empty() {
            let _ = write!(out, " — {}", Esc(&u.message));
        }
        out.push_str("</p>");
    }
    out.push_str("</div>");
}
