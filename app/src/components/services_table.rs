//! The services table: one row per service; clicking a row highlights its tasks in the grid
//! (a second click clears it).

use crate::components::task_card::service_colours;
use crate::components::toggles::{navigator, plain_click};
use crate::model::Service;
use crate::protocol::Snapshot;
use crate::view::{Filters, mode_label, ports_label, update_label};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn ServicesTable(cluster: RwSignal<Arc<Snapshot>>, filters: Memo<Filters>) -> impl IntoView {
    let services = Memo::new(move |_| {
        let mut list: Vec<Service> = cluster.with(|c| c.state.services.values().cloned().collect());
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    });
    let colours = service_colours(cluster);
    view! {
        <section class="services">
            <h1>"Services"</h1>
            <Show when=move || services.with(|s| !s.is_empty()) fallback=|| view! { <p class="summary">"No services."</p> }>
                <table>
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Stack"</th>
                            <th>"Mode"</th>
                            <th>"Replicas"</th>
                            <th>"Image"</th>
                            <th>"Update"</th>
                            <th>"Ports"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || services.get()
                            // The whole service: a row is rebuilt when anything in it changes.
                            key=|s| s.clone()
                            children=move |s| {
                                let go = navigator();
                                let name = s.name.clone();
                                let selected = {
                                    let name = name.clone();
                                    Memo::new(move |_| filters.with(|f| f.highlight.as_deref() == Some(name.as_str())))
                                };
                                // The name is a link, so the table works without scripts and a
                                // highlight can be opened in a new tab; a plain click anywhere on
                                // the row is taken over to replace the URL in place.
                                let href = {
                                    let name = name.clone();
                                    move || filters.with(|f| f.toggle_highlight(&name).href())
                                };
                                let on_click = {
                                    let name = name.clone();
                                    move |ev: leptos::ev::MouseEvent| {
                                        if plain_click(&ev) {
                                            ev.prevent_default();
                                            go(filters.with_untracked(|f| f.toggle_highlight(&name)));
                                        }
                                    }
                                };
                                let swatch = {
                                    let name = name.clone();
                                    move || colours.with(|c| c.style(&name))
                                };
                                let converged = s.running == s.desired;
                                let update_title = s.update.as_ref().map(|u| u.message.clone()).unwrap_or_default();
                                let update = s.update.as_ref().map(|u| update_label(u.state));
                                view! {
                                    <tr
                                        class="service"
                                        class:selected=selected
                                        data-service=name.clone()
                                        on:click=on_click
                                    >
                                        <td class="name">
                                            <span class="swatch" style=swatch></span>
                                            <a href=href aria-current=move || selected.get().then_some("true")>{name.clone()}</a>
                                        </td>
                                        <td>{s.stack.clone().unwrap_or_default()}</td>
                                        <td>{mode_label(&s)}</td>
                                        <td class="replicas" class:behind=!converged>{format!("{}/{}", s.running, s.desired)}</td>
                                        <td class="image">{s.image.clone()}</td>
                                        <td class="update" title=update_title>
                                            {update}
                                        </td>
                                        <td class="ports">{ports_label(&s)}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
