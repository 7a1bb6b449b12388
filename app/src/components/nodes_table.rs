//! The nodes table, as `docker node ls` would list them (managers first), with each node's
//! labels and its controls (a viewer's table is `html::tables`).

use crate::components::node_actions::NodeActions;
use crate::model::{Node, Role};
use crate::protocol::Snapshot;
use crate::view::{cpus_label, memory_label};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn NodesTable(cluster: RwSignal<Arc<Snapshot>>) -> impl IntoView {
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
                        <th>"Labels"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || nodes.get()
                        // The whole node: a row is rebuilt when anything in it changes.
                        key=|n| n.clone()
                        children=move |n| {
                            let state_class = format!("state state-{}", n.state.label().to_ascii_lowercase());
                            view! {
                                <tr class="node" data-node-id=n.id.clone() data-node=n.hostname.clone()>
                                    <td class="hostname">{n.hostname.clone()}</td>
                                    <td>{n.role.label()}</td>
                                    <td class=state_class>{n.state.label()}</td>
                                    <td>{n.availability.label()}</td>
                                    <td>{n.manager_status.map(|m| m.label()).unwrap_or("")}</td>
                                    <td>{n.engine_version.clone()}</td>
                                    <td>{cpus_label(n.nano_cpus)}</td>
                                    <td>{memory_label(n.memory_bytes)}</td>
                                    <td>{n.addr.clone()}</td>
                                    <NodeActions node=n.clone()/>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </section>
    }
}
