//! The placement grid: a column per node, a card per task, coloured by service; in dense
//! mode (`dense`), a box per node holding a strip of small task marks instead.

use crate::components::task_card::{TaskCard, service_colours};
use crate::html::cards::{Item, column_views};
use crate::model::{ManagerStatus, Node};
use crate::protocol::Snapshot;
use crate::view::{Filters, cpus_label, memory_label};
// Either, not AnyView, for branches: type erasure keeps every rendering path of both arms in
// the wasm, where Either keeps only those used.
use leptos::either::Either;
use leptos::prelude::*;
use std::sync::Arc;

mod dense;

#[component]
pub fn Grid(
    cluster: RwSignal<Arc<Snapshot>>,
    filters: Memo<Filters>,
    dense: Memo<bool>,
    now_ms: RwSignal<f64>,
    /// Dims the grid while what it shows may be out of date.
    #[prop(into)]
    outdated: Signal<bool>,
) -> impl IntoView {
    // Each mode builds what it shows only while it is shown.
    move || {
        if dense.get() {
            Either::Left(view! { <dense::DenseGrid cluster filters now_ms outdated/> })
        } else {
            Either::Right(view! { <CardGrid cluster filters now_ms outdated/> })
        }
    }
}

#[component]
fn CardGrid(
    cluster: RwSignal<Arc<Snapshot>>,
    filters: Memo<Filters>,
    now_ms: RwSignal<f64>,
    outdated: Signal<bool>,
) -> impl IntoView {
    let columns = Memo::new(move |_| cluster.with(|c| filters.with(|f| column_views(c, f))));
    let colours = service_colours(cluster);
    let highlighted = move || filters.with(|f| f.highlight.is_some());
    let no_tasks =
        move || columns.with(|cols| !cols.is_empty() && cols.iter().all(|c| c.items.is_empty()));
    view! {
        <div
            class="grid"
            class:outdated=move || outdated.get()
            class=("has-highlight", highlighted)
        >
            <For
                each={move || columns.get().into_iter().map(|c| (c.key.clone(), c.node.clone())).collect::<Vec<_>>()}
                key=|(key, node)| (key.clone(), node.clone())
                children=move |(key, node)| {
                    let items = {
                        let key = key.clone();
                        move || columns.with(|cols| cols.iter().find(|c| c.key == key).map(|c| c.items.clone()).unwrap_or_default())
                    };
                    let count = {
                        let items = items.clone();
                        move || items().iter().filter(|i| matches!(i, Item::Card(_))).count()
                    };
                    let hostname = node.as_ref().map(|n| n.hostname.clone()).unwrap_or_else(|| "unassigned".into());
                    view! {
                        <section class="node-column" data-node=hostname.clone()>
                            <NodeHeader node=node.clone() hostname=hostname.clone() count/>
                            <div class="cards">
                                <For
                                    each=items
                                    key=|item| item.clone()
                                    children=move |item| match item {
                                        Item::Stack(name) => Either::Left(view! { <h3 class="stack-heading">{name}</h3> }),
                                        Item::Card(card) => Either::Right(view! { <TaskCard card filters colours now_ms/> }),
                                    }
                                />
                            </div>
                        </section>
                    }
                }
            />
        </div>
        {move || no_tasks().then(|| empty_summary(filters))}
    }
}

/// What an empty grid says instead.
fn empty_summary(filters: Memo<Filters>) -> impl IntoView {
    view! {
        <p class="summary">
            {move || if filters.with(|f| f.running_only) {
                "No task is meant to be running. Turn off “running only” to see past tasks."
            } else {
                "No tasks."
            }}
        </p>
    }
}

fn task_count(n: usize) -> String {
    format!("{n} task{}", if n == 1 { "" } else { "s" })
}

#[component]
fn NodeHeader(
    node: Option<Node>,
    hostname: String,
    count: impl Fn() -> usize + Send + Sync + 'static,
) -> impl IntoView {
    let Some(node) = node else {
        return Either::Left(view! {
            <header class="node-header">
                <h2>{hostname}</h2>
                <p class="meta">"pending: not placed on a node yet"</p>
                <p class="meta">{move || task_count(count())}</p>
            </header>
        });
    };
    let leader = node.manager_status == Some(ManagerStatus::Leader);
    let unreachable = node.manager_status == Some(ManagerStatus::Unreachable);
    let labels: Vec<(String, String)> = node.labels.clone().into_iter().collect();
    Either::Right(view! {
        <header class="node-header">
            <h2>
                {hostname}
                {leader.then(|| view! { <span class="leader" title="Raft leader">" ★ Leader"</span> })}
            </h2>
            <p class="meta">
                <span class="role">{node.role.label()}</span>
                {unreachable.then(|| view! { <span class="state-down">" (unreachable)"</span> })}
                " · "
                <span class=format!("state state-{}", node.state.label().to_ascii_lowercase())>{node.state.label()}</span>
                " · "
                <span class=format!("availability availability-{}", node.availability.label().to_ascii_lowercase())>
                    {node.availability.label()}
                </span>
            </p>
            <p class="meta">
                {format!("Docker {} · {} CPU · {}", node.engine_version, cpus_label(node.nano_cpus), memory_label(node.memory_bytes))}
            </p>
            <p class="meta">{move || task_count(count())}</p>
            {(!labels.is_empty()).then(|| view! {
                <details class="labels">
                    <summary>{format!("{} label{}", labels.len(), if labels.len() == 1 { "" } else { "s" })}</summary>
                    <ul>
                        {labels.into_iter().map(|(k, v)| view! { <li>{k} "=" {v}</li> }).collect_view()}
                    </ul>
                </details>
            })}
        </header>
    })
}
