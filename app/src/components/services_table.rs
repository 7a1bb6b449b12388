//! The services table on the control page, as a viewer's page writes it
//! (`html::tables`): clicking a row highlights its tasks in the grid (a second click clears
//! it). The names are links, so the table works without scripts and a highlight can be
//! opened in a new tab; a plain click anywhere on a row is taken over to change the address
//! in place.

use crate::components::colours::service_colours;
use crate::components::toggles::highlight_on_click;
use crate::html::tables::write_services;
use crate::protocol::Snapshot;
use crate::view::Filters;
use leptos::prelude::*;
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
    let on_click = highlight_on_click("tr.service[data-service]", filters);
    view! { <div class="region" on:click=on_click inner_html=move || html.get()></div> }
}
