//! One task in the card grid (dense mode shows marks instead: see `grid::dense`); its title
//! keeps everything a pointer can ask for.

use crate::components::toggles::{navigator, plain_click};
pub use crate::html::cards::Card;
use crate::protocol::Snapshot;
use crate::view::{self, Filters, ServiceColours};
use leptos::prelude::*;
use std::sync::Arc;

/// The services' colours, rebuilt only when the set of service names changes (not on every
/// task update): the grid and the services table each hold one, and every card reads it.
pub fn service_colours(cluster: RwSignal<Arc<Snapshot>>) -> Memo<ServiceColours> {
    let names = Memo::new(move |_| cluster.with(|c| view::palette::service_names(&c.state)));
    Memo::new(move |_| names.with(|n| ServiceColours::new(n)))
}

#[component]
pub fn TaskCard(
    card: Card,
    filters: Memo<Filters>,
    colours: Memo<ServiceColours>,
    now_ms: RwSignal<f64>,
) -> impl IntoView {
    let go = navigator();
    let service = card.service.clone();
    let style = {
        let service = service.clone();
        move || colours.with(|c| c.style(&service))
    };
    let highlight = {
        let service = service.clone();
        move || filters.with(|f| f.highlight.as_deref() == Some(service.as_str()))
    };
    let since = card.since;
    let age = move || view::age(since, (now_ms.get() / 1000.0) as i64);
    let settling = card.settling();
    view! {
        <article
            class="task-card"
            class:highlight=highlight
            class:settling=settling
            class:failed=card.error.is_some()
            data-service=card.service.clone()
            data-task-id=card.id.clone()
            data-state=card.state.label()
            style=style
            title=card.title()
            on:click=move |ev| {
                if plain_click(&ev) {
                    go(filters.with_untracked(|f| f.toggle_highlight(&service)));
                }
            }
        >
            <span class="name">{card.label.clone()}</span>
            <span class="age">{age}</span>
            <span class="tag">{card.tag.clone()}</span>
            <span class="states">
                {card.state.label()}
                {settling.then(|| format!(" → {}", card.desired.label()))}
            </span>
            {card.error.clone().map(|e| view! { <span class="error">{e}</span> })}
        </article>
    }
}
