//! The connection indicator, always visible: is what the screen shows live, and if not,
//! since when and why (its wording: `html::topbar::indicator`).

pub use crate::html::topbar::{Link, indicator};
use crate::protocol::Snapshot;
use leptos::prelude::*;
use std::sync::Arc;

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
