//! The deploy form's pure helpers: a `.env` upload merged into the variables box, a plan's
//! summary and labels, and whether the swarm has moved on since a preview.

use crate::stacks::{Plan, PlanAction, StackObject};
use crate::state::ClusterState;
use std::collections::HashSet;

/// The key of a `KEY=value` line (an `export ` prefix allowed), None for blanks and comments.
fn line_key(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    line.split_once('=').map(|(key, _)| key.trim())
}

/// A `.env` upload merged into the variables box: its variables replace the box's lines of
/// the same key and the rest are appended; the box's other lines stay as typed. Comments and
/// blank lines of the file are dropped, a byte-order mark and CRLF line ends too. Quotes and
/// `export ` are kept: the server reads them as `.env` files write them.
pub fn merge_env(current: &str, env: &str) -> String {
    let env = env.strip_prefix('\u{feff}').unwrap_or(env);
    let mut incoming: Vec<(Option<&str>, &str)> = env
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| (line_key(l), l.trim()))
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut replaced: Vec<&str> = Vec::new();
    for line in current.lines() {
        let key = line_key(line);
        if key.is_some_and(|k| replaced.contains(&k)) {
            continue;
        }
        // The last of a key's lines in the file wins, as the server reads them.
        match incoming
            .iter()
            .rposition(|(k, _)| key.is_some() && *k == key)
        {
            Some(i) => {
                lines.push(incoming[i].1.to_string());
                incoming.retain(|(k, _)| *k != key);
                replaced.extend(key);
            }
            None => lines.push(line.to_string()),
        }
    }
    lines.extend(incoming.into_iter().map(|(_, l)| l.to_string()));
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

/// Items per action, in the order an apply does them: (action, count), zero counts left out.
pub fn plan_counts(plan: &Plan) -> Vec<(PlanAction, usize)> {
    [
        PlanAction::Create,
        PlanAction::Update,
        PlanAction::Remove,
        PlanAction::Unchanged,
    ]
    .into_iter()
    .map(|a| (a, plan.items.iter().filter(|i| i.action == a).count()))
    .filter(|(_, n)| *n > 0)
    .collect()
}

/// "2 to create, 1 to update, 3 unchanged"; "no changes (3 unchanged)" when nothing would.
pub fn plan_summary(plan: &Plan) -> String {
    let counts: Vec<String> = plan_counts(plan)
        .into_iter()
        .map(|(action, n)| match action {
            PlanAction::Create => format!("{n} to create"),
            PlanAction::Update => format!("{n} to update"),
            PlanAction::Remove => format!("{n} to remove"),
            PlanAction::Unchanged => format!("{n} unchanged"),
        })
        .collect();
    match (plan.is_no_change(), counts.is_empty()) {
        (true, true) => "no changes".into(),
        (true, false) => format!("no changes ({})", counts.join(", ")),
        (false, _) => counts.join(", "),
    }
}

/// Whether the live state contradicts a preview: a service or network it would create exists
/// now, or one it found (to keep, update or remove) is gone, as when the stack was removed or
/// deployed again since. Such a preview no longer says what an apply would do. Secrets and
/// configs are not in the live state, and are not judged.
pub fn plan_outdated(plan: &Plan, state: &ClusterState) -> bool {
    let services: HashSet<&str> = state.services.values().map(|s| s.name.as_str()).collect();
    let networks: HashSet<&str> = state.networks.values().map(|n| n.name.as_str()).collect();
    plan.items.iter().any(|item| {
        let live = match item.kind {
            StackObject::Service => &services,
            StackObject::Network => &networks,
            StackObject::Secret | StackObject::Config => return false,
        };
        let exists = live.contains(item.name.as_str());
        match item.action {
            PlanAction::Create => exists,
            PlanAction::Update | PlanAction::Unchanged | PlanAction::Remove => !exists,
        }
    })
}

pub fn kind_label(kind: StackObject) -> &'static str {
    match kind {
        StackObject::Network => "network",
        StackObject::Secret => "secret",
        StackObject::Config => "config",
        StackObject::Service => "service",
    }
}

pub fn action_label(action: PlanAction) -> &'static str {
    match action {
        PlanAction::Create => "create",
        PlanAction::Update => "update",
        PlanAction::Unchanged => "unchanged",
        PlanAction::Remove => "remove",
    }
}
