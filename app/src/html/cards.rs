//! The card grid: a column per node, a card per task, coloured by service (dense mode shows
//! marks instead: see `dense`). What a card and a column show is decided here for both
//! pages; the markup here is the viewer's (the control page's is its Leptos components).

use crate::html::{Esc, class_if, count};
use crate::model::{ManagerStatus, Node, TaskState};
use crate::protocol::Snapshot;
use crate::view::{self, Filters, ServiceColours, cpus_label, memory_label};
use std::fmt::Write;

/// What one card shows; the control page keys its cards by all of it, so a changed task
/// re-renders alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Card {
    pub id: String,
    pub service: String,
    /// `name.slot`, or the name alone for a global service's task.
    pub label: String,
    pub tag: String,
    pub state: TaskState,
    pub desired: TaskState,
    pub since: i64,
    pub message: String,
    pub error: Option<String>,
}

impl Card {
    /// The tooltip: everything the card shows, plus Docker's words.
    pub fn title(&self) -> String {
        let mut title = format!(
            "{} · {} · {} (desired {})",
            self.label,
            self.tag,
            self.state.label(),
            self.desired.label()
        );
        if !self.message.is_empty() {
            title += &format!(" · {}", self.message);
        }
        if let Some(error) = &self.error {
            title += &format!(" · {error}");
        }
        title
    }

    /// Not converged: Docker wants it running but it is not (yet), or the reverse.
    pub fn settling(&self) -> bool {
        self.state != self.desired
    }
}

/// Cards are built from tasks here, not in the view: the grid keys on them.
pub fn card(state: &crate::state::ClusterState, task: &crate::model::Task) -> Card {
    let service = view::service_name(state, task).to_string();
    Card {
        id: task.id.clone(),
        label: view::task_label(&service, task),
        service,
        tag: crate::model::image_tag(&task.image).to_string(),
        state: task.state,
        desired: task.desired_state,
        since: task.since,
        message: task.message.clone(),
        error: task.error.clone().filter(|e| !e.is_empty()),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    Stack(String),
    Card(Card),
}

/// One node's column (or the unassigned tasks'), keyed by the node's ID.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnView {
    pub key: String,
    pub node: Option<Node>,
    pub items: Vec<Item>,
}

impl ColumnView {
    pub fn hostname(&self) -> &str {
        self.node
            .as_ref()
            .map_or("unassigned", |n| n.hostname.as_str())
    }

    pub fn cards(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Item::Card(_)))
            .count()
    }
}

pub fn column_views(snapshot: &Snapshot, filters: &Filters) -> Vec<ColumnView> {
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
                items.extend(tasks.into_iter().map(|t| Item::Card(card(state, t))));
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

/// What an empty grid says instead (None while any column holds a task).
pub fn empty_summary(columns_empty: bool, filters: &Filters) -> Option<&'static str> {
    columns_empty.then_some(if filters.running_only {
        "No task is meant to be running. Turn off “running only” to see past tasks."
    } else {
        "No tasks."
    })
}

/// The grid element's classes.
pub fn grid_class(outdated: bool, highlighted: bool) -> String {
    format!(
        "grid{}{}",
        class_if(outdated, " outdated"),
        class_if(highlighted, " has-highlight")
    )
}

/// One column: its node's header and its cards.
pub fn write_column(
    column: &ColumnView,
    filters: &Filters,
    colours: &ServiceColours,
    now_secs: i64,
    out: &mut String,
) {
    let _ = write!(
        out,
        "<section class=\"node-column\" data-id=\"{}\" data-node=\"{}\">",
        Esc(&column.key),
        Esc(column.hostname())
    );
    write_node_header(column.node.as_ref(), column.cards(), out);
    out.push_str("<div class=\"cards\">");
    for item in &column.items {
        match item {
            Item::Stack(name) => {
                let _ = write!(out, "<h3 class=\"stack-heading\">{}</h3>", Esc(name));
            }
            Item::Card(card) => write_card(card, filters, colours, now_secs, out),
        }
    }
    out.push_str("</div></section>");
}

fn write_node_header(node: Option<&Node>, tasks: usize, out: &mut String) {
    let tasks = count(tasks, "task");
    let Some(node) = node else {
        let _ = write!(
            out,
            "<header class=\"node-header\"><h2>unassigned</h2>\
             <p class=\"meta\">pending: not placed on a node yet</p><p class=\"meta\">{tasks}</p></header>"
        );
        return;
    };
    let _ = write!(
        out,
        "<header class=\"node-header\"><h2>{}",
        Esc(&node.hostname)
    );
    if node.manager_status == Some(ManagerStatus::Leader) {
        out.push_str("<span class=\"leader\" title=\"Raft leader\"> ★ Leader</span>");
    }
    let _ = write!(
        out,
        "</h2><p class=\"meta\"><span class=\"role\">{}</span>",
        node.role.label()
    );
    if node.manager_status == Some(ManagerStatus::Unreachable) {
        out.push_str("<span class=\"state-down\"> (unreachable)</span>");
    }
    let (state, availability) = (node.state.label(), node.availability.label());
    let _ = write!(
        out,
        " · <span class=\"state state-{}\">{state}</span> · \
         <span class=\"availability availability-{}\">{availability}</span></p>\
         <p class=\"meta\">Docker {} · {} CPU · {}</p><p class=\"meta\">{tasks}</p>",
        state.to_ascii_lowercase(),
        availability.to_ascii_lowercase(),
        Esc(&node.engine_version),
        cpus_label(node.nano_cpus),
        memory_label(node.memory_bytes)
    );
    if !node.labels.is_empty() {
        let _ = write!(
            out,
            "<details class=\"labels\"><summary>{}</summary><ul>",
            count(node.labels.len(), "label")
        );
        for (key, value) in &node.labels {
            let _ = write!(out, "<li>{}={}</li>", Esc(key), Esc(value));
        }
        out.push_str("</ul></details>");
    }
    out.push_str("</header>");
}

/// A card. Its age is written at `now_secs` and kept up to date by the page from
/// `data-since`, without rewriting the card.
pub fn write_card(
    card: &Card,
    filters: &Filters,
    colours: &ServiceColours,
    now_secs: i64,
    out: &mut String,
) {
    let highlight = filters.highlight.as_deref() == Some(card.service.as_str());
    let settling = card.settling();
    let _ = write!(
        out,
        "<article class=\"task-card{}{}{}\" data-service=\"{}\" data-task-id=\"{}\" data-state=\"{}\" \
         data-since=\"{}\" style=\"{}\" title=\"{}\"><span class=\"name\">{}</span>\
         <span class=\"age\">{}</span><span class=\"tag\">{}</span><span class=\"states\">{}",
        class_if(highlight, " highlight"),
        class_if(settling, " settling"),
        class_if(card.error.is_some(), " failed"),
        Esc(&card.service),
        Esc(&card.id),
        card.state.label(),
        card.since,
        colours.style(&card.service),
        Esc(&card.title()),
        Esc(&card.label),
        view::age(card.since, now_secs),
        Esc(&card.tag),
        card.state.label(),
    );
    if settling {
        let _ = write!(out, " → {}", card.desired.label());
    }
    out.push_str("</span>");
    if let Some(error) = &card.error {
        let _ = write!(out, "<span class=\"error\">{}</span>", Esc(error));
    }
    out.push_str("</article>");
}
