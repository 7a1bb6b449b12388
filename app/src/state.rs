//! The cluster as the browser holds it, and the changes that move it from one version to
//! the next. `apply(a, diff(a, b)) == b` is the property both sides rely on: the server
//! diffs consecutive states, every browser applies the result.

use crate::model::{Network, Node, Service, Task};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a viewer is shown, keyed by Docker ID.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterState {
    pub nodes: BTreeMap<String, Node>,
    pub services: BTreeMap<String, Service>,
    pub tasks: BTreeMap<String, Task>,
    pub networks: BTreeMap<String, Network>,
}

/// One object added or replaced, or removed by ID.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Node(Node),
    NodeGone(String),
    Service(Service),
    ServiceGone(String),
    Task(Task),
    TaskGone(String),
    Network(Network),
    NetworkGone(String),
}

/// The changes that turn `old` into `new`, in a stable order (kind, then ID).
pub fn diff(old: &ClusterState, new: &ClusterState) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_map(
        &old.nodes,
        &new.nodes,
        Change::Node,
        Change::NodeGone,
        &mut changes,
    );
    diff_map(
        &old.services,
        &new.services,
        Change::Service,
        Change::ServiceGone,
        &mut changes,
    );
    diff_map(
        &old.tasks,
        &new.tasks,
        Change::Task,
        Change::TaskGone,
        &mut changes,
    );
    diff_map(
        &old.networks,
        &new.networks,
        Change::Network,
        Change::NetworkGone,
        &mut changes,
    );
    changes
}

fn diff_map<T: PartialEq + Clone>(
    old: &BTreeMap<String, T>,
    new: &BTreeMap<String, T>,
    upsert: fn(T) -> Change,
    gone: fn(String) -> Change,
    out: &mut Vec<Change>,
) {
    // Both maps are sorted by ID: one walk over the two side by side, no lookups (at 20,000
    // tasks, a lookup per task was most of a diff's time).
    let mut removed = Vec::new();
    let mut before = old.iter().peekable();
    for (id, value) in new {
        while let Some((old_id, _)) = before.next_if(|(old_id, _)| *old_id < id) {
            removed.push(old_id.clone());
        }
        match before.next_if(|(old_id, _)| *old_id == id) {
            Some((_, was)) if was == value => {}
            _ => out.push(upsert(value.clone())),
        }
    }
    removed.extend(before.map(|(id, _)| id.clone()));
    out.extend(removed.into_iter().map(gone));
}

/// Applies changes in order. Removing what is absent is not an error: a viewer resynced
/// mid-stream may see a removal twice.
pub fn apply(state: &mut ClusterState, changes: impl IntoIterator<Item = Change>) {
    for change in changes {
        match change {
            Change::Node(n) => _ = state.nodes.insert(n.id.clone(), n),
            Change::NodeGone(id) => _ = state.nodes.remove(&id),
            Change::Service(s) => _ = state.services.insert(s.id.clone(), s),
            Change::ServiceGone(id) => _ = state.services.remove(&id),
            Change::Task(t) => _ = state.tasks.insert(t.id.clone(), t),
            Change::TaskGone(id) => _ = state.tasks.remove(&id),
            Change::Network(n) => _ = state.networks.insert(n.id.clone(), n),
            Change::NetworkGone(id) => _ = state.networks.remove(&id),
        }
    }
}

/// A stack as `docker stack ls` shows it: services grouped by their namespace label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSummary {
    pub name: String,
    pub services: usize,
}

pub fn stacks(state: &ClusterState) -> Vec<StackSummary> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for stack in state.services.values().filter_map(|s| s.stack.as_deref()) {
        *counts.entry(stack).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(name, services)| StackSummary {
            name: name.to_string(),
            services,
        })
        .collect()
}

/// Whether the orchestrator is still moving things: an update or rollback in flight, a
/// service short of (or over) its desired tasks, a task on its way to running. The server
/// re-lists tasks faster while this holds after a change, so progress reads as live as the
/// CLI's (which polls every 200 ms), and at its resting pace otherwise.
pub fn settling(state: &ClusterState) -> bool {
    use crate::model::{TaskState, UpdateState};
    let service_settling = |s: &crate::model::Service| {
        s.running != s.desired
            || matches!(
                s.update.as_ref().map(|u| u.state),
                Some(UpdateState::Updating | UpdateState::RollbackStarted)
            )
    };
    state.services.values().any(service_settling)
        || state
            .tasks
            .values()
            .any(|t| t.desired_state == TaskState::Running && t.state < TaskState::Running)
}

#[cfg(test)]
mod tests;
