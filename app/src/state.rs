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

impl ClusterState {
    /// The state of four full lists, each keyed by ID.
    pub fn from_lists(
        nodes: Vec<Node>,
        services: Vec<Service>,
        tasks: Vec<Task>,
        networks: Vec<Network>,
    ) -> ClusterState {
        ClusterState {
            nodes: by_id(nodes, |n| &n.id),
            services: by_id(services, |s| &s.id),
            tasks: by_id(tasks, |t| &t.id),
            networks: by_id(networks, |n| &n.id),
        }
    }
}

/// A list keyed by each item's ID, as `collect` would key it (of two items with one ID, the
/// later wins). `collect` sorts the items themselves, moving a whole task (200 bytes) at each
/// step of a merge sort (about 10 ms of a 20,000-task list's keying, in a profile). Here the
/// order is found on small (ID prefix, position) pairs, and the map is built from items
/// already in order, which `collect` only checks.
pub fn by_id<T>(items: Vec<T>, id: impl Fn(&T) -> &String) -> BTreeMap<String, T> {
    let mut order: Vec<(u64, usize)> = (items.iter().enumerate())
        .map(|(at, item)| (id_prefix(id(item)), at))
        .collect();
    // Stable on ties (equal IDs keep their list order); the full IDs are read only where
    // their first eight bytes agree.
    order.sort_unstable_by(|(a_prefix, a_at), (b_prefix, b_at)| {
        (a_prefix.cmp(b_prefix))
            .then_with(|| id(&items[*a_at]).cmp(id(&items[*b_at])))
            .then(a_at.cmp(b_at))
    });
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    // An iterator of known length: `collect` gathers it into one allocation, not a doubling
    // series of copies of every item.
    (order.into_iter())
        .map(|(_, at)| slots[at].take().expect("each position once"))
        .map(|item| (id(&item).clone(), item))
        .collect()
}

/// The first eight bytes of an ID as a number that sorts as they do (zero-padded: a tie
/// with a longer ID is settled by comparing the two in full).
fn id_prefix(id: &str) -> u64 {
    let mut bytes = [0; 8];
    let len = id.len().min(8);
    bytes[..len].copy_from_slice(&id.as_bytes()[..len]);
    u64::from_be_bytes(bytes)
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

/// A `Change` by reference, written to JSON exactly as the `Change` it stands for: the
/// server serializes a delta from these, so publishing a list does not copy every object
/// that changed (on a first list, every object there is) only to write it out and drop it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeRef<'a> {
    Node(&'a Node),
    NodeGone(&'a str),
    Service(&'a Service),
    ServiceGone(&'a str),
    Task(&'a Task),
    TaskGone(&'a str),
    Network(&'a Network),
    NetworkGone(&'a str),
}

impl ChangeRef<'_> {
    pub fn to_change(self) -> Change {
        match self {
            ChangeRef::Node(n) => Change::Node(n.clone()),
            ChangeRef::NodeGone(id) => Change::NodeGone(id.into()),
            ChangeRef::Service(s) => Change::Service(s.clone()),
            ChangeRef::ServiceGone(id) => Change::ServiceGone(id.into()),
            ChangeRef::Task(t) => Change::Task(t.clone()),
            ChangeRef::TaskGone(id) => Change::TaskGone(id.into()),
            ChangeRef::Network(n) => Change::Network(n.clone()),
            ChangeRef::NetworkGone(id) => Change::NetworkGone(id.into()),
        }
    }
}

/// The changes that turn `old` into `new`, in a stable order (kind, then ID).
pub fn diff(old: &ClusterState, new: &ClusterState) -> Vec<Change> {
    (diff_refs(old, new).into_iter())
        .map(ChangeRef::to_change)
        .collect()
}

/// `diff`, borrowing from the two states: the same changes in the same order.
pub fn diff_refs<'a>(old: &'a ClusterState, new: &'a ClusterState) -> Vec<ChangeRef<'a>> {
    let mut changes = Vec::new();
    diff_map(
        &old.nodes,
        &new.nodes,
        ChangeRef::Node,
        ChangeRef::NodeGone,
        &mut changes,
    );
    diff_map(
        &old.services,
        &new.services,
        ChangeRef::Service,
        ChangeRef::ServiceGone,
        &mut changes,
    );
    diff_map(
        &old.tasks,
        &new.tasks,
        ChangeRef::Task,
        ChangeRef::TaskGone,
        &mut changes,
    );
    diff_map(
        &old.networks,
        &new.networks,
        ChangeRef::Network,
        ChangeRef::NetworkGone,
        &mut changes,
    );
    changes
}

fn diff_map<'a, T: PartialEq>(
    old: &'a BTreeMap<String, T>,
    new: &'a BTreeMap<String, T>,
    upsert: fn(&'a T) -> ChangeRef<'a>,
    gone: fn(&'a str) -> ChangeRef<'a>,
    out: &mut Vec<ChangeRef<'a>>,
) {
    use std::cmp::Ordering;
    // Both maps are sorted by ID: one walk over the two side by side, no lookups (at 20,000
    // tasks, a lookup per task was most of a diff's time), one comparison of IDs a step.
    let mut removed = Vec::new();
    let mut before = old.iter();
    let mut was = before.next();
    for (id, value) in new {
        let changed = loop {
            let Some((old_id, old_value)) = was else {
                break true;
            };
            match old_id.cmp(id) {
                Ordering::Less => removed.push(old_id.as_str()),
                Ordering::Equal => {
                    was = before.next();
                    break old_value != value;
                }
                Ordering::Greater => break true,
            }
            was = before.next();
        };
        if changed {
            out.push(upsert(value));
        }
    }
    removed.extend(was.into_iter().chain(before).map(|(id, _)| id.as_str()));
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
