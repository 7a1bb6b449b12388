//! The nodes of the swarm the panel watches, as a table.

use crate::model::Node;
use leptos::prelude::*;

/// Where the server gets the node list from; provided as context by the server binary, so
/// this crate needs no Docker client.
#[cfg(feature = "ssr")]
pub type NodeSource = std::sync::Arc<
    dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<Vec<Node>, String>> + Send>>
        + Send
        + Sync,
>;

#[server]
pub async fn list_nodes() -> Result<Vec<Node>, ServerFnError> {
    let source = use_context::<NodeSource>()
        .ok_or_else(|| ServerFnError::new("no node source configured"))?;
    source().await.map_err(ServerFnError::new)
}

#[component]
pub fn NodesPage() -> impl IntoView {
    let nodes = Resource::new(|| (), |_| list_nodes());
    view! {
        <section class="nodes">
            <h1>"Nodes"</h1>
            <Suspense fallback=|| view! { <p>"Asking the swarm…"</p> }>
                {move || Suspend::new(async move {
                    match nodes.await {
                        Ok(nodes) => view! { <NodeTable nodes/> }.into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert">
                                "The swarm cannot be read: " {error_text(&e)}
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}

#[component]
fn NodeTable(nodes: Vec<Node>) -> impl IntoView {
    let count = nodes.len();
    view! {
        <p class="summary">{format!("{count} node{}", if count == 1 { "" } else { "s" })}</p>
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
                {nodes
                    .into_iter()
                    .map(|n| {
                        let state_class = format!("state state-{}", n.state.label().to_lowercase());
                        view! {
                            <tr class="node" data-node-id=n.id.clone()>
                                <td class="hostname">{n.hostname.clone()}</td>
                                <td>{n.role.label()}</td>
                                <td class=state_class>{n.state.label()}</td>
                                <td>{n.availability.label()}</td>
                                <td>{n.manager_status.map(|m| m.label()).unwrap_or("")}</td>
                                <td>{n.engine_version.clone()}</td>
                                <td>{format!("{}", n.cpus())}</td>
                                <td>{format!("{} GiB", n.memory_gib())}</td>
                                <td>{n.addr.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
