//! The services table on the control page, as a viewer's page writes it
//! (`html::tables`): clicking a row highlights its tasks in the grid (a second click clears
//! it). The names are links, so the table works without scripts and a highlight can be
//! opened in a new tab; a plain click anywhere on a row is taken over to change the address
//! in place.

use crate::components::colours::service_colours;
use crate::components::toggles::{navigator, plain_click};
use crate::html::tables::write_services;
use crate::protocol::Snapshot;
use crate::view::Filters;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::Element;
use std::sync::Arc;

#[component]
pub fn ServicesTable(cluster: RwSignal<Arc<Snapshot>>, filters: Memo<Filters>) -> impl IntoView {
    let colours = service_colours(cluster);
    let html = Memo::new(move |_| {
        let mut html = String::new();
        cluster.with(|c| {
            filters.with(|f| colours.with(|k| write_services(&c.state, f, k, &mut html)))
        });
        html
    });
    let go = navigator();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if !plain_click(&ev) {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
        let row = target.and_then(|t| t.closest("tr.service[data-service]").ok().flatten());
        if let Some(service) = row.and_then(|r| r.get_attribute("data-service")) {
            ev.prevent_default();
            go(filters.with_untracked(|f| f.toggle_highlight(&service)));
        }
    };
    view! { <div class="region" on:click=on_click inner_html=move || html.get()></div> }
}
