//! What the page shows, decided by plain functions: which tasks are visible, how they fall
//! into node columns and stack groups, a colour per service (`palette`), ages and clock times.
//! Shared by the server render and the browser; unit-tested without either.

use crate::model::{Node, Role, Task, TaskState};
use crate::state::ClusterState;
use std::collections::BTreeMap;

pub mod palette;
pub use palette::{ServiceColours, Swatch};
pub mod progress;
pub mod stacks;
mod text;
pub use text::*;

/// The page's filters, kept in the URL query so a wall screen can be bookmarked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    /// Only tasks Docker wants running (including pending and starting ones); off shows
    /// history too (shutdown, failed, complete).
    pub running_only: bool,
    pub group_by_stack: bool,
    /// None: automatic (dense past DENSE_TASKS tasks or DENSE_NODES nodes).
    pub dense: Option<bool>,
    /// A service name whose tasks are highlighted.
    pub highlight: Option<String>,
    /// The wall-screen layout: the grid alone, grouped by stack, large and dark.
    pub kiosk: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            running_only: true,
            group_by_stack: false,
            dense: None,
            highlight: None,
            kiosk: false,
        }
    }
}

pub const DENSE_TASKS: usize = 200;
pub const DENSE_NODES: usize = 12;

impl Filters {
    /// From query pairs: `running=0|1`, `group=stack`, `dense=0|1`, `service=NAME`.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Filters {
        let mut f = Filters::default();
        for (key, value) in pairs {
            match key {
                "running" => f.running_only = value != "0",
                "group" => f.group_by_stack = value == "stack",
                "dense" => f.dense = Some(value == "1"),
                "service" if !value.is_empty() && value.len() <= 128 => {
                    f.highlight = Some(value.to_string())
                }
                "kiosk" => f.kiosk = value == "1",
                _ => {}
            }
        }
        // A wall screen is read from across the room: tasks by stack.
        f.group_by_stack |= f.kiosk;
        f
    }

    /// The query pairs (unencoded) that reproduce these filters; defaults are left out, so
    /// the plain URL is the default view.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.running_only {
            pairs.push(("running", "0".to_string()));
        }
        if self.group_by_stack {
            pairs.push(("group", "stack".to_string()));
        }
        if let Some(dense) = self.dense {
            pairs.push(("dense", u8::from(dense).to_string()));
        }
        if let Some(service) = &self.highlight {
            pairs.push(("service", service.clone()));
        }
        if self.kiosk {
            pairs.push(("kiosk", "1".to_string()));
        }
        pairs
    }

    /// The query string (without `?`) that reproduces these filters.
    pub fn to_query(&self) -> String {
        self.pairs()
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The page's address with these filters.
    pub fn href(&self) -> String {
        match self.to_query() {
            q if q.is_empty() => "/".to_string(),
            q => format!("/?{q}"),
        }
    }

    /// Highlights `service`, or clears the highlight when it is the one highlighted: a second
    /// click undoes the first.
    pub fn toggle_highlight(&self, service: &str) -> Filters {
        let highlight = (self.highlight.as_deref() != Some(service)).then(|| service.to_string());
        Filters {
            highlight,
            ..self.clone()
        }
    }

    /// Flips what is shown now (`auto` is what the automatic rule says). Choosing what the rule
    /// would pick anyway drops the choice, so the screen follows the rule again as it grows.
    pub fn toggle_dense(&self, auto: bool) -> Filters {
        let wanted = !self.dense.unwrap_or(auto);
        Filters {
            dense: (wanted != auto).then_some(wanted),
            ..self.clone()
        }
    }

    pub fn is_dense(&self, visible_tasks: usize, nodes: usize) -> bool {
        self.dense
            .unwrap_or(visible_tasks > DENSE_TASKS || nodes > DENSE_NODES)
    }
}

/// Percent-encodes what is not safe in a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether the automatic rule asks for dense cards: too many visible tasks or nodes for full
/// cards to stay readable on one screen.
pub fn auto_dense(state: &ClusterState, filters: &Filters) -> bool {
    let visible = state
        .tasks
        .values()
        .filter(|t| is_visible(t, filters))
        .count();
    visible > DENSE_TASKS || state.nodes.len() > DENSE_NODES
}

/// Running-only shows what Docker is trying to run (desired state running, which includes
/// pending and starting tasks); without it, history (shutdown, failed, complete) is shown too.
pub fn is_visible(task: &Task, filters: &Filters) -> bool {
    !filters.running_only || task.desired_state == TaskState::Running
}

/// One column of the grid: a node (or the tasks no node has yet), and its visible tasks
/// grouped by stack ("" when not grouping, or for services outside a stack).
pub struct Column<'a> {
    pub node: Option<&'a Node>,
    pub groups: Vec<(String, Vec<&'a Task>)>,
}

impl Column<'_> {
    pub fn task_count(&self) -> usize {
        self.groups.iter().map(|(_, t)| t.len()).sum()
    }
}

/// Nodes in a stable order: managers first, then by hostname; an "unassigned" column last
/// when any visible task has no node.
pub fn columns<'a>(state: &'a ClusterState, filters: &Filters) -> Vec<Column<'a>> {
    let mut nodes: Vec<&Node> = state.nodes.values().collect();
    nodes.sort_by(|a, b| {
        (a.role != Role::Manager, &a.hostname).cmp(&(b.role != Role::Manager, &b.hostname))
    });
    let mut by_node: BTreeMap<Option<&str>, Vec<&Task>> = BTreeMap::new();
    for task in state.tasks.values().filter(|t| is_visible(t, filters)) {
        let node = task
            .node_id
            .as_deref()
            .filter(|id| state.nodes.contains_key(*id));
        by_node.entry(node).or_default().push(task);
    }
    let group = |tasks: Vec<&'a Task>| -> Vec<(String, Vec<&'a Task>)> {
        let mut groups: BTreeMap<String, Vec<&Task>> = BTreeMap::new();
        for task in tasks {
            let service = state.services.get(&task.service_id);
            let stack = if filters.group_by_stack {
                service.and_then(|s| s.stack.clone()).unwrap_or_default()
            } else {
                String::new()
            };
            groups.entry(stack).or_default().push(task);
        }
        for tasks in groups.values_mut() {
            tasks.sort_by_key(|t| (service_name(state, t), t.slot, t.id.clone()));
        }
        groups.into_iter().collect()
    };
    let mut out: Vec<Column> = nodes
        .into_iter()
        .map(|node| Column {
            node: Some(node),
            groups: group(by_node.remove(&Some(node.id.as_str())).unwrap_or_default()),
        })
        .collect();
    if let Some(unplaced) = by_node.remove(&None) {
        out.push(Column {
            node: None,
            groups: group(unplaced),
        });
    }
    out
}

pub fn service_name<'a>(state: &'a ClusterState, task: &Task) -> &'a str {
    state
        .services
        .get(&task.service_id)
        .map(|s| s.name.as_str())
        .unwrap_or("?")
}

/// `echo.3` for replicated tasks, the service name alone for global ones.
pub fn task_label(service: &str, task: &Task) -> String {
    match task.slot {
        Some(slot) => format!("{service}.{slot}"),
        None => service.to_string(),
    }
}

#[cfg(test)]
mod tests;
