//! The placement grid: a column per node, a card per task, coloured by service.

use crate::model::{ManagerStatus, Node, TaskState};
use crate::protocol::Snapshot;
use crate::view::{self, Filters, service_hue, task_label};
use leptos::prelude::*;

/// What one card shows; cards are keyed by all of it, so a changed task re-renders alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Card {
    id: String,
    service: String,
    label: String,
    tag: String,
    state: TaskState,
    desired: TaskState,
    since: i64,
    error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Item {
    Stack(String),
    Card(Card),
}

#[derive(Clone, Debug, PartialEq)]
struct ColumnView {
    key: String,
    node: Option<Node>,
    items: Vec<Item>,
}

fn column_views(snapshot: &Snapshot, filters: &Filters) -> Vec<ColumnView> {
    let state = &snapshot.state;
    view::columns(state, filters)
        .into_iter()
        .map(|column| {
            let mut items = Vec::new();
            for (stack, tasks) in column.groups {
                if filters.group_by_stack {
                    items.push(Item::Stack(if stack.is_empty() {
                        "no stack".into()
                    } else {
                        stack
                    }));
                }
                items.extend(tasks.into_iter().map(|t| {
                    let service = view::service_name(state, t).to_string();
                    Item::Card(Card {
                        id: t.id.clone(),
                        label: task_label(&service, t),
                        service,
                        tag: crate::model::image_tag(&t.image).to_string(),
                        state: t.state,
                        desired: t.desired_state,
                        since: t.since,
                        error: t.error.clone(),
                    })
                }));
            }
            ColumnView {
                key: column
                    .node
                    .map(|n| n.id.clone())
                    .unwrap_or_else(|| "unassigned".into()),
                node: column.node.cloned(),
                items,
            }
        })
        .collect()
}

#[component]
pub fn Grid(
    cluster: RwSignal<Snapshot>,
    filters: Memo<Filters>,
    now_ms: RwSignal<f64>,
) -> impl IntoView {
    let columns = Memo::new(move |_| cluster.with(|c| filters.with(|f| column_views(c, f))));
    let dense = Memo::new(move |_| {
        let (tasks, nodes) = columns.with(|cols| {
            (
                cols.iter().map(|c| c.items.len()).sum::<usize>(),
                cols.len(),
            )
        });
        filters.with(|f| f.is_dense(tasks, nodes))
    });
    let highlighted = move || filters.with(|f| f.highlight.is_some());
    view! {
        <div class="grid" class:dense=move || dense.get() class=("has-highlight", highlighted)>
            <For
                each={move || columns.get().into_iter().map(|c| (c.key.clone(), c.node.clone())).collect::<Vec<_>>()}
                key=|(key, node)| (key.clone(), format!("{node:?}"))
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
                                    children=move |item| render_item(item, filters, now_ms)
                                />
                            </div>
                        </section>
                    }
                }
            />
        </div>
    }
}

fn render_item(item: Item, filters: Memo<Filters>, now_ms: RwSignal<f64>) -> AnyView {
    match item {
        Item::Stack(name) => view! { <h3 class="stack-heading">{name}</h3> }.into_any(),
        Item::Card(card) => {
            let service = card.service.clone();
            let highlight =
                move || filters.with(|f| f.highlight.as_deref() == Some(service.as_str()));
            let since = card.since;
            let age = move || view::age(since, (now_ms.get() / 1000.0) as i64);
            let title = format!(
                "{} · {} · {} (desired {}){}",
                card.label,
                card.tag,
                card.state.label(),
                card.desired.label(),
                card.error
                    .as_ref()
                    .map(|e| format!(" · {e}"))
                    .unwrap_or_default()
            );
            let slot = card
                .label
                .rsplit_once('.')
                .map(|(_, s)| s.to_string())
                .unwrap_or_default();
            view! {
                <article
                    class="task-card"
                    class:highlight=highlight
                    class:failed=card.error.is_some()
                    data-service=card.service.clone()
                    data-task-id=card.id.clone()
                    data-state=card.state.label()
                    style=format!("--svc-hue: {}", service_hue(&card.service))
                    title=title
                >
                    <span class="chip">{slot}</span>
                    <span class="name">{card.label.clone()}</span>
                    <span class="tag">{card.tag.clone()}</span>
                    <span class="states">{card.state.label()} " / " {card.desired.label()}</span>
                    <span class="age">{age}</span>
                    {card.error.clone().map(|e| view! { <span class="error">{e}</span> })}
                </article>
            }
            .into_any()
        }
    }
}

#[component]
fn NodeHeader(
    node: Option<Node>,
    hostname: String,
    count: impl Fn() -> usize + Send + Sync + 'static,
) -> impl IntoView {
    let Some(node) = node else {
        return view! {
            <header class="node-header">
                <h2>{hostname}</h2>
                <p class="meta">"tasks no node runs yet"</p>
                <p class="meta">{move || format!("{} tasks", count())}</p>
            </header>
        }
        .into_any();
    };
    let leader = node.manager_status == Some(ManagerStatus::Leader);
    let labels: Vec<(String, String)> = node.labels.clone().into_iter().collect();
    view! {
        <header class="node-header">
            <h2>
                {hostname}
                {leader.then(|| view! { <span class="leader" title="Raft leader">" ★"</span> })}
            </h2>
            <p class="meta">
                <span class="role">{node.role.label()}</span>
                " · "
                <span class=format!("state state-{}", node.state.label().to_lowercase())>{node.state.label()}</span>
                " · "
                <span class=format!("availability availability-{}", node.availability.label().to_lowercase())>
                    {node.availability.label()}
                </span>
            </p>
            <p class="meta">
                {format!("Docker {} · {} CPU · {} GiB", node.engine_version, node.cpus(), node.memory_gib())}
            </p>
            <p class="meta">{move || format!("{} tasks", count())}</p>
            {(!labels.is_empty()).then(|| view! {
                <details class="labels">
                    <summary>{format!("{} labels", labels.len())}</summary>
                    <ul>
                        {labels.into_iter().map(|(k, v)| view! { <li>{k} "=" {v}</li> }).collect_view()}
                    </ul>
                </details>
            })}
        </header>
    }
    .into_any()
}
