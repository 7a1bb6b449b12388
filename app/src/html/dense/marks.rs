//! Dense mode's marks, written as text: one node's strip of task marks is set as the node
//! box's inner HTML. At 20,000 tasks a mark per task as a Leptos view costs the page tens of
//! thousands of reactive nodes to build, hydrate and diff; as text, the server writes it,
//! the browser's own parser builds it, and hydration leaves it alone. So everything here
//! escapes what it writes: names, images and errors come from Docker.
//!
//! A mark is an empty `<i>` whose classes say its state (`run`, `up`, `bad`, `old`, `unk`,
//! plus `mv` while Docker stops it), its service's colour (`h0`..`h23`: the palette's hue /
//! 15, `dk`/`lt`: its lightness step) and whether its service is highlighted (`hl`). Its
//! `title` says everything (label, state, image, age, error) and is its accessible name;
//! `tabindex` makes it reachable by keyboard, where CSS shows the title. Nothing else: at
//! 20,000 marks every attribute counts (a `data-service` and a `data-t` with the start time
//! were a third of the grid's gzipped size); what the page's handlers need about a mark, they
//! find by its position in its node's strip (`strips::Strip::marks`).

use crate::html::escape;
use crate::model::{Availability, ManagerStatus, Node, NodeState, TaskState};
use crate::view::{self, Swatch};
use std::fmt::Write;

/// Hue classes step by this (the palette's hues are all multiples of it).
pub const HUE_STEP: u16 = 15;

/// Between a title's fields; the age is field [`AGE_FIELD`].
const SEP: &str = " · ";
const AGE_FIELD: usize = 3;

/// One task as a mark shows it, borrowed from the cluster state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark<'a> {
    pub service: &'a str,
    pub slot: Option<u64>,
    pub state: TaskState,
    pub desired: TaskState,
    pub image: &'a str,
    pub since: i64,
    pub error: Option<&'a str>,
    pub swatch: Option<Swatch>,
    pub highlight: bool,
}

/// Being stopped: Docker wants it gone, and it is not gone yet.
fn stopping(mark: &Mark) -> bool {
    mark.desired > TaskState::Running && mark.state <= TaskState::Running
}

/// The look of a state: running solid, on its way up outlined, failed red, history faded.
pub fn state_class(state: TaskState) -> &'static str {
    use TaskState::*;
    match state {
        Running => "run",
        New | Allocated | Pending | Assigned | Accepted | Preparing | Ready | Starting => "up",
        Failed | Rejected => "bad",
        Complete | Shutdown | Remove | Orphaned => "old",
        Unknown => "unk",
    }
}

/// The colour classes of a swatch: ` h<hue/15>`, and ` dk` or ` lt` off the middle lightness.
pub fn write_colour(swatch: Swatch, out: &mut String) {
    // Rounded, so a hue off the 15° grid still gets the nearest class CSS has.
    let index = (swatch.hue + HUE_STEP / 2) / HUE_STEP % (360 / HUE_STEP);
    let _ = write!(out, " h{index}");
    match swatch.light {
        l if l < 0 => out.push_str(" dk"),
        l if l > 0 => out.push_str(" lt"),
        _ => {}
    }
}

/// `web_api.3 · running · registry:5000/web:1.2 · 5m`, with ` → shutdown` after the state
/// while Docker stops the task, and its error last. (Not ` → running` while it starts: every
/// task on its way up is.)
pub fn title(mark: &Mark, now_secs: i64) -> String {
    let mut title = match mark.slot {
        Some(slot) => format!("{}.{slot}", mark.service),
        None => mark.service.to_string(),
    };
    title += SEP;
    title += mark.state.label();
    if stopping(mark) {
        title += " → ";
        title += mark.desired.label();
    }
    title += SEP;
    title += crate::model::image_without_digest(mark.image);
    title += SEP;
    title += &view::age(mark.since, now_secs);
    if let Some(error) = mark.error {
        title += SEP;
        title += error;
    }
    title
}

/// The title with its age brought up to date (pointing at a mark does this: the strip
/// itself is only rewritten when its tasks change). None for a title not of [`title`]'s form.
pub fn retitle(title: &str, since: i64, now_secs: i64) -> Option<String> {
    let mut fields: Vec<&str> = title.splitn(AGE_FIELD + 2, SEP).collect();
    let age = view::age(since, now_secs);
    *fields.get_mut(AGE_FIELD)? = &age;
    Some(fields.join(SEP))
}

/// One mark; `stack_start` marks the first of a stack after another (`sg`: CSS draws a line
/// before it, in the gap marks have anyway, so a strip's rows are its marks' count over
/// `PER_ROW`).
pub fn write_mark(mark: &Mark, stack_start: bool, now_secs: i64, out: &mut String) {
    out.push_str("<i class=\"m ");
    out.push_str(state_class(mark.state));
    if stopping(mark) {
        out.push_str(" mv");
    }
    if let Some(swatch) = mark.swatch {
        write_colour(swatch, out);
    }
    if mark.highlight {
        out.push_str(" hl");
    }
    if stack_start {
        out.push_str(" sg");
    }
    out.push_str("\" tabindex=\"0\" title=\"");
    escape(&title(mark, now_secs), out);
    out.push_str("\"></i>");
}

/// A stack's name above its marks (only where there is room for words).
pub fn write_stack_name(stack: &str, out: &mut String) {
    out.push_str("<span class=\"stack-name\">");
    escape(if stack.is_empty() { "no stack" } else { stack }, out);
    out.push_str("</span>");
}

/// How a node stands, as a class: `down` (not ready, or a manager out of the quorum),
/// `drain` (not taking work), `pending` for the box of tasks no node has; None when well.
fn health(node: Option<&Node>) -> Option<&'static str> {
    let Some(node) = node else {
        return Some("pending");
    };
    if node.state != NodeState::Ready || node.manager_status == Some(ManagerStatus::Unreachable) {
        Some("down")
    } else if node.availability != Availability::Active {
        Some("drain")
    } else {
        None
    }
}

/// The node box's classes (its border says how the node stands, hostname shown or not).
pub fn node_class(node: Option<&Node>) -> &'static str {
    match health(node) {
        Some("down") => "node-column down",
        Some("drain") => "node-column drain",
        Some(_) => "node-column pending",
        None => "node-column",
    }
}

/// The node box's heading: its hostname (★ for the Raft leader), classed as it stands.
pub fn write_heading(node: Option<&Node>, out: &mut String) {
    match health(node) {
        Some(class) => {
            let _ = write!(out, "<h2 class=\"{class}\">");
        }
        None => out.push_str("<h2>"),
    }
    let Some(node) = node else {
        out.push_str("unassigned</h2>");
        return;
    };
    if node.manager_status == Some(ManagerStatus::Leader) {
        out.push_str("★ ");
    }
    escape(&node.hostname, out);
    out.push_str("</h2>");
}

/// The node box's title: what the dense heading leaves out.
pub fn node_title(node: Option<&Node>, tasks: usize) -> String {
    let tasks = format!("{tasks} task{}", if tasks == 1 { "" } else { "s" });
    let Some(node) = node else {
        return format!("unassigned · pending: not placed on a node yet · {tasks}");
    };
    let role = match node.manager_status {
        Some(status) => format!("{} ({})", node.role.label(), status.label()),
        None => node.role.label().to_string(),
    };
    [
        node.hostname.as_str(),
        &role,
        node.state.label(),
        node.availability.label(),
        &tasks,
    ]
    .join(SEP)
}
