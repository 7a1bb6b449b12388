//! A service's progress toward what it was asked to be, in the words `docker service
//! create/update` prints while it waits: "overall progress: N out of M tasks", one line per
//! slot, then "verify: Service converged" (or why not). Computed from the live state alone,
//! so it keeps going after a reload and shows changes made elsewhere too.

use crate::model::{ServiceMode, Task, TaskState, UpdateState};
use crate::state::ClusterState;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotLine {
    /// `3/6` for a replicated slot, the node's hostname for a global task.
    pub label: String,
    pub state: TaskState,
    pub node: String,
    /// The task's error, or its status message when it is not running.
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every wanted task runs and no update is in flight.
    Converged,
    /// Still on its way (tasks starting, an update rolling).
    Working(String),
    /// Stuck until someone acts: a paused update, tasks failing.
    Trouble(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub running: usize,
    pub wanted: usize,
    pub slots: Vec<SlotLine>,
    /// Recent task failures, newest first, each error text once.
    pub failures: Vec<String>,
    pub verdict: Verdict,
}

impl Progress {
    pub fn overall(&self) -> String {
        format!(
            "overall progress: {} out of {} tasks",
            self.running, self.wanted
        )
    }
}

/// Failures shown at most: the newest say what is wrong.
const MAX_FAILURES: usize = 3;

fn is_failure(state: TaskState) -> bool {
    matches!(state, TaskState::Failed | TaskState::Rejected)
}

/// None when the service is gone.
pub fn progress(state: &ClusterState, service_id: &str) -> Option<Progress> {
    let service = state.services.get(service_id)?;
    let tasks: Vec<&Task> = state
        .tasks
        .values()
        .filter(|t| t.service_id == service_id)
        .collect();
    // Tasks the orchestrator wants running; older ones of the same slot are history.
    let current: Vec<&Task> = tasks
        .iter()
        .copied()
        .filter(|t| t.desired_state <= TaskState::Running)
        .collect();
    let hostname = |t: &Task| {
        t.node_id
            .as_ref()
            .and_then(|id| state.nodes.get(id))
            .map(|n| n.hostname.clone())
            .unwrap_or_default()
    };
    let wanted = match service.mode {
        ServiceMode::Replicated { replicas } => replicas as usize,
        _ => current.len(),
    };
    let mut by_slot: BTreeMap<(u64, String), &Task> = BTreeMap::new();
    for t in &current {
        let key = match t.slot {
            Some(slot) => (slot, String::new()),
            None => (0, hostname(t)),
        };
        let newer = by_slot.get(&key).is_none_or(|old| t.since >= old.since);
        if newer {
            by_slot.insert(key, t);
        }
    }
    let slots: Vec<SlotLine> = by_slot
        .into_iter()
        .map(|((slot, host), t)| SlotLine {
            label: if slot > 0 {
                format!("{slot}/{wanted}")
            } else {
                host
            },
            state: t.state,
            node: hostname(t),
            note: match (&t.error, t.state) {
                (Some(error), _) => error.clone(),
                (None, TaskState::Running) => String::new(),
                (None, _) => t.message.clone(),
            },
        })
        .collect();
    let running = slots
        .iter()
        .filter(|s| s.state == TaskState::Running)
        .count();
    let mut failed: Vec<&Task> = tasks
        .iter()
        .copied()
        .filter(|t| is_failure(t.state))
        .collect();
    failed.sort_by_key(|t| std::cmp::Reverse(t.since));
    let mut failures: Vec<String> = Vec::new();
    for t in failed {
        let text = t.error.clone().unwrap_or_else(|| t.message.clone());
        let line = format!("{}: {text}", t.state.label());
        if !failures.contains(&line) && failures.len() < MAX_FAILURES {
            failures.push(line);
        }
    }
    let update = service.update.as_ref();
    let verdict = match update.map(|u| u.state) {
        // Docker's message is shown with the update status; the verdict says what to do.
        Some(UpdateState::Paused) => {
            Verdict::Trouble("update paused: roll back, or update again with a fix".into())
        }
        Some(UpdateState::RollbackPaused) => {
            Verdict::Trouble("rollback paused: update again with a working spec".into())
        }
        Some(s @ (UpdateState::Updating | UpdateState::RollbackStarted)) => {
            Verdict::Working(format!("{}…", s.label()))
        }
        _ if running >= wanted && slots.len() == wanted => Verdict::Converged,
        _ if !failures.is_empty() && running < wanted => {
            Verdict::Trouble(format!("tasks are failing ({})", failures[0]))
        }
        _ => Verdict::Working(format!(
            "waiting for {} task(s)",
            wanted.saturating_sub(running)
        )),
    };
    Some(Progress {
        running,
        wanted,
        slots,
        failures,
        verdict,
    })
}

#[cfg(test)]
mod tests;
