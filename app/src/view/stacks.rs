//! The stacks as the docker CLI lists them, from the live state alone: `stack ls`,
//! `stack services` and `stack ps`, with the CLI's columns, words and order, so a stack made
//! with the CLI reads the same here. The deploy form's helpers are in `deploy`.

use crate::model::{PublishMode, Service, ServiceMode, TaskState, image_without_digest};
use crate::state::ClusterState;
use std::cmp::Ordering;

mod deploy;
pub use deploy::*;

/// `docker stack ls`: NAME, SERVICES.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackRow {
    pub name: String,
    pub services: usize,
}

/// `docker stack services`: ID, NAME, MODE, REPLICAS, IMAGE, PORTS.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub mode: String,
    pub replicas: String,
    pub image: String,
    pub ports: String,
}

/// `docker stack ps`: ID, NAME, IMAGE, NODE, DESIRED STATE, CURRENT STATE, ERROR. The
/// current state's age is left to `current_state`, so rows need not change every second.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskRow {
    pub id: String,
    /// `web_api.2`, or `web_agent.<node id>` for a global service's task.
    pub name: String,
    /// An earlier task of the same slot, which the CLI prints indented under the current one.
    pub history: bool,
    pub image: String,
    pub node: String,
    pub desired: String,
    pub desired_state: TaskState,
    pub state: TaskState,
    pub since: i64,
    /// The full error (the CLI quotes it and cuts it at 30 characters).
    pub error: String,
}

/// IDs as the CLI truncates them.
fn short_id(id: &str) -> String {
    id.chars().take(12).collect()
}

/// Every stack, those made by the CLI included: services grouped by their namespace label.
pub fn stack_list(state: &ClusterState) -> Vec<StackRow> {
    let mut rows: Vec<StackRow> = crate::state::stacks(state)
        .into_iter()
        .map(|s| StackRow {
            name: s.name,
            services: s.services,
        })
        .collect();
    rows.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    rows
}

pub fn stack_services(state: &ClusterState, stack: &str) -> Vec<ServiceRow> {
    let mut services: Vec<&Service> = state
        .services
        .values()
        .filter(|s| s.stack.as_deref() == Some(stack))
        .collect();
    services.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    services
        .into_iter()
        .map(|s| ServiceRow {
            id: short_id(&s.id),
            name: s.name.clone(),
            mode: match s.mode {
                ServiceMode::Replicated { .. } => "replicated",
                ServiceMode::Global => "global",
                ServiceMode::ReplicatedJob => "replicated job",
                ServiceMode::GlobalJob => "global job",
            }
            .to_string(),
            replicas: format!("{}/{}", s.running, s.desired),
            image: image_without_digest(&s.image).to_string(),
            ports: cli_ports(s),
        })
        .collect()
}

pub fn stack_tasks(state: &ClusterState, stack: &str) -> Vec<TaskRow> {
    let mut rows: Vec<TaskRow> = state
        .tasks
        .values()
        .filter_map(|t| {
            let service = state.services.get(&t.service_id)?;
            (service.stack.as_deref() == Some(stack)).then_some((service, t))
        })
        .map(|(service, t)| {
            let node_id = t.node_id.clone().unwrap_or_default();
            let name = match t.slot {
                Some(slot) if slot != 0 => format!("{}.{slot}", service.name),
                _ => format!("{}.{node_id}", service.name),
            };
            // The CLI resolves a node it cannot find to its ID.
            let node = state
                .nodes
                .get(&node_id)
                .map(|n| n.hostname.clone())
                .unwrap_or(node_id);
            TaskRow {
                id: short_id(&t.id),
                name,
                history: false,
                image: image_without_digest(&t.image).to_string(),
                node,
                desired: pretty(t.desired_state),
                desired_state: t.desired_state,
                state: t.state,
                since: t.since,
                error: t.error.clone().unwrap_or_default(),
            }
        })
        .collect();
    // By name, newest first within a slot. The CLI uses creation time (nanoseconds); the live
    // state has the last status change, in seconds and from each node's own clock. A slot's
    // newest task is the one the orchestrator still means to run (a replaced task is set to
    // shut down first), so that decides first, and tasks rejected within the same second (an
    // image that cannot be pulled) still list the current one on top; then the time.
    let retired = |t: &TaskRow| {
        matches!(
            t.desired_state,
            TaskState::Shutdown | TaskState::Remove | TaskState::Orphaned
        )
    };
    rows.sort_by(|a, b| {
        natural_cmp(&a.name, &b.name)
            .then(retired(a).cmp(&retired(b)))
            .then(b.since.cmp(&a.since))
    });
    for i in 1..rows.len() {
        rows[i].history = rows[i].name == rows[i - 1].name;
    }
    rows
}

/// CURRENT STATE: "Running 5 minutes ago".
pub fn current_state(state: TaskState, since: i64, now_secs: i64) -> String {
    let ago = human_duration(now_secs - since).to_lowercase();
    format!("{} {ago} ago", pretty(state))
}

/// ERROR as the CLI prints it: quoted, cut at 30 characters.
pub fn cli_error(error: &str) -> String {
    if error.is_empty() {
        return String::new();
    }
    let cut: String = if error.chars().count() > 30 {
        error.chars().take(29).chain(['…']).collect()
    } else {
        error.to_string()
    };
    format!("\"{cut}\"")
}

/// The CLI's `PrettyPrint` of a state: capitalised.
fn pretty(state: TaskState) -> String {
    let label = state.label();
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// go-units' `HumanDuration`, which the CLI's ages use ("About a minute", "3 hours").
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    let minutes = s / 60;
    // Go rounds the hours.
    let hours = (s + 1800) / 3600;
    match () {
        _ if s < 1 => "Less than a second".into(),
        _ if s == 1 => "1 second".into(),
        _ if s < 60 => format!("{s} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 14 => format!("{} days", hours / 24),
        _ if hours < 24 * 60 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 730 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", s / 3600 / 24 / 365),
    }
}

/// PORTS as `docker service ls` prints them: ingress ports only, by protocol then published
/// port, consecutive ones folded into ranges (`*:8000-8001->80-81/tcp`).
pub fn cli_ports(service: &Service) -> String {
    let mut ports: Vec<(&str, u32, u32)> = service
        .ports
        .iter()
        .filter(|p| p.mode == PublishMode::Ingress)
        .map(|p| (p.protocol.as_str(), p.published.unwrap_or(0), p.target))
        .collect();
    ports.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    // (protocol, published start, published end, target start, target end)
    let mut out = Vec::new();
    let mut range: (&str, u32, u32, u32, u32) = ("", 0, 0, 0, 0);
    let print = |r: (&str, u32, u32, u32, u32)| {
        let part = |a: u32, b: u32| match b > a {
            true => format!("{a}-{b}"),
            false => a.to_string(),
        };
        format!("*:{}->{}/{}", part(r.1, r.2), part(r.3, r.4), r.0)
    };
    for (protocol, published, target) in ports {
        let is_range = range.4 != range.3;
        // Unsigned, as in Go: a smaller port wraps around and starts a new range.
        let new = protocol != range.0
            || published.wrapping_sub(range.2) > 1
            || target.wrapping_sub(range.4) > 1
            || (is_range && target <= range.4);
        if new {
            if range.1 > 0 {
                out.push(print(range));
            }
            range = (protocol, published, published, target, target);
        } else {
            range.2 = published;
            range.4 = target;
        }
    }
    if range.1 > 0 {
        out.push(print(range));
    }
    out.join(", ")
}

/// The order the CLI sorts names in (`sortorder.NaturalLess`): digit runs by value, so
/// `web.2` comes before `web.10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, db) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        if da != db {
            // Digits before other characters.
            return if da {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if !da {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
            continue;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (za, zb) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let by_value = (i - za)
            .cmp(&(j - zb))
            .then_with(|| a[za..i].cmp(&b[zb..j]))
            // Fewer leading zeros first.
            .then(za.cmp(&zb));
        if by_value != Ordering::Equal {
            return by_value;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests;
