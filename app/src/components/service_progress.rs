//! One service's progress, live, in the CLI's words: "overall progress: N out of M tasks",
//! one line per slot, the verdict, recent failures and the update status. Shown for the
//! highlighted service and for every service of a stack being deployed.

use crate::protocol::Snapshot;
use crate::view::progress::{Verdict, progress};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn ServiceProgress(cluster: RwSignal<Arc<Snapshot>>, id: String) -> impl IntoView {
    let progress = {
        let id = id.clone();
        Memo::new(move |_| cluster.with(|c| progress(&c.state, &id)))
    };
    let update = Memo::new(move |_| {
        cluster.with(|c| c.state.services.get(&id).and_then(|s| s.update.clone()))
    });
    let verdict = move || {
        progress.with(|p| match p.as_ref().map(|p| &p.verdict) {
            Some(Verdict::Converged) => ("converged", "verify: Service converged".to_string()),
            Some(Verdict::Working(why)) => ("working", format!("verify: {why}")),
            Some(Verdict::Trouble(why)) => ("trouble", format!("verify: {why}")),
            None => ("working", String::new()),
        })
    };
    view! {
        <div class="progress" aria-live="polite">
            <p class="overall">{move || progress.with(|p| p.as_ref().map(|p| p.overall()))}</p>
            <ul class="slots">
                {move || progress.with(|p| p.iter().flat_map(|p| p.slots.iter()).map(|line| {
                    let state = line.state.label();
                    view! {
                        <li class="slot" data-state=state>
                            <span class="slot-label">{format!("{}:", line.label)}</span>
                            " " <span class="slot-state">{state}</span>
                            {(!line.node.is_empty()).then(|| format!(" on {}", line.node))}
                            {(!line.note.is_empty()).then(|| view! { <span class="note">{format!(" ({})", line.note)}</span> })}
                        </li>
                    }
                }).collect_view())}
            </ul>
            <p class="verdict" data-verdict=move || verdict().0>{move || verdict().1}</p>
            {move || progress.with(|p| p.iter().flat_map(|p| p.failures.iter()).map(|f| view! { <p class="failure error">{f.clone()}</p> }).collect_view())}
            {move || update.get().map(|u| view! {
                <p class="update-status" data-update=u.state.label()>{format!("update status: {}", u.state.label())} {(!u.message.is_empty()).then(|| format!(" — {}", u.message))}</p>
            })}
        </div>
    }
}
