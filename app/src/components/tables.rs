//! The services table (click a name to highlight its tasks) and the nodes table.

use crate::model::{Node, Role, Service};
use crate::protocol::Snapshot;
use crate::view::{Filters, mode_label, ports_label, service_hue};
use leptos::prelude::*;

#[component]
pub fn ServicesTable(cluster: RwSignal<Snapshot>, filters: Memo<Filters>) -> impl IntoView {
    let services = Memo::new(move |_| {
        let mut list: Vec<Service> = cluster.with(|c| c.state.services.values().cloned().collect());
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    });
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
                            key=|s| format!("{s:?}")
                            children=move |s| {
                                let name = s.name.clone();
                                let selected = {
                                    let name = name.clone();
                                    move || filters.with(|f| f.highlight.as_deref() == Some(name.as_str()))
                                };
                                // A link, not a button: works without JavaScript and can be bookmarked.
                                let href = {
                                    let name = name.clone();
                                    move || {
                                        let mut f = filters.get();
                                        f.highlight = if f.highlight.as_deref() == Some(name.as_str()) { None } else { Some(name.clone()) };
                                        format!("/?{}", f.to_query())
                                    }
                                };
                                let converged = s.running == s.desired;
                                view! {
                                    <tr class="service" class:selected=selected data-service=name.clone()>
                                        <td>
                                            <span class="swatch" style=format!("--svc-hue: {}", service_hue(&name))></span>
                                            <a href=href>{name.clone()}</a>
                                        </td>
                                        <td>{s.stack.clone().unwrap_or_default()}</td>
                                        <td>{mode_label(&s)}</td>
                                        <td class:behind=!converged>{format!("{}/{}", s.running, s.desired)}</td>
                                        <td class="image">{s.image.clone()}</td>
                                        <td>
                                            {s.update.as_ref().map(|u| format!("{:?}", u.state).to_lowercase()).unwrap_or_default()}
                                        </td>
                                        <td>{ports_label(&s)}</td>
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

#[component]
pub fn NodesTable(cluster: RwSignal<Snapshot>) -> impl IntoView {
    let nodes = Memo::new(move |_| {
        let mut list: Vec<Node> = cluster.with(|c| c.state.nodes.values().cloned().collect());
        list.sort_by(|a, b| {
            (a.role != Role::Manager, &a.hostname).cmp(&(b.role != Role::Manager, &b.hostname))
        });
        list
    });
    let count = move || nodes.with(Vec::len);
    view! {
        <section class="nodes">
            <h1>"Nodes"</h1>
            <p class="summary">{move || format!("{} node{}", count(), if count() == 1 { "" } else { "s" })}</p>
            <table class="node-table">
                <thead>
                    <tr>
                        <th>"Hostname"</th>
                        <th>"Role"</th>
                        <th>"Status"</th>
                        <th>"Availability"</th>
                        <th>"Manager status"</th>
                        <th>"Engine"</th>
                        <th>"CPUs"</th>
                        <th>"Memory"</th>
                        <th>"Address"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || nodes.get()
                        key=|n| format!("{n:?}")
                        children=move |n| {
                            let state_class = format!("state state-{}", n.state.label().to_lowercase());
                            view! {
                                <tr class="node" data-node-id=n.id.clone()>
                                    <td class="hostname">{n.hostname.clone()}</td>
                                    <td>{n.role.label()}</td>
                                    <td class=state_class>{n.state.label()}</td>
                                    <td>{n.availability.label()}</td>
                                    <td>{n.manager_status.map(|m| m.label()).unwrap_or("")}</td>
                                    <td>{n.engine_version.clone()}</td>
                                    <td>{n.cpus().to_string()}</td>
                                    <td>{format!("{} GiB", n.memory_gib())}</td>
                                    <td>{n.addr.clone()}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </section>
    }
}
