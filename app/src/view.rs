//! What the page shows, decided by plain functions: which tasks are visible, how they fall
//! into node columns and stack groups, a stable colour per service, ages and clock times.
//! Shared by the server render and the browser; unit-tested without either.

use crate::model::{Node, Role, Service, Task, TaskState};
use crate::state::ClusterState;
use std::collections::BTreeMap;

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
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            running_only: true,
            group_by_stack: false,
            dense: None,
            highlight: None,
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
                _ => {}
            }
        }
        f
    }

    /// The query string (without `?`) that reproduces these filters; defaults are left out.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.running_only {
            parts.push("running=0".to_string());
        }
        if self.group_by_stack {
            parts.push("group=stack".to_string());
        }
        if let Some(dense) = self.dense {
            parts.push(format!("dense={}", u8::from(dense)));
        }
        if let Some(service) = &self.highlight {
            parts.push(format!("service={}", encode(service)));
        }
        parts.join("&")
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

/// A hue (0-359) that depends only on the service name, so colours survive reloads and are
/// the same on every screen.
pub fn service_hue(name: &str) -> u16 {
    // FNV-1a: tiny, and spreads similar names apart.
    let hash = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (hash % 360) as u16
}

/// "42s", "5m", "3h", "2d".
pub fn age(since_secs: i64, now_secs: i64) -> String {
    let s = (now_secs - since_secs).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "14:02:11 UTC" from Unix milliseconds.
pub fn clock_utc(ms: u64) -> String {
    let secs = ms / 1000 % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// "replicated 3" / "global".
pub fn mode_label(service: &Service) -> String {
    match service.mode {
        crate::model::ServiceMode::Replicated { replicas } => format!("replicated {replicas}"),
        crate::model::ServiceMode::Global => "global".into(),
        crate::model::ServiceMode::ReplicatedJob => "replicated job".into(),
        crate::model::ServiceMode::GlobalJob => "global job".into(),
    }
}

/// "8000→8080/tcp (ingress)" for each published port.
pub fn ports_label(service: &Service) -> String {
    service
        .ports
        .iter()
        .map(|p| {
            let published = p
                .published
                .map(|n| n.to_string())
                .unwrap_or_else(|| "*".into());
            let mode = match p.mode {
                crate::model::PublishMode::Ingress => "ingress",
                crate::model::PublishMode::Host => "host",
            };
            format!("{published}→{}/{} ({mode})", p.target, p.protocol)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
