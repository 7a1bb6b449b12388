//! Dense mode's data: per node (in the grid's order), its visible tasks grouped by stack and
//! sorted, written out as a strip of marks (`html`), in one pass over the cluster.
//!
//! This runs on every change the page takes in (at most twice a second: see `dense`), so
//! the pass over every task is kept lean: no allocation, no sorting, binary searches, and a
//! cheap hash of what can change about each task, summed per node (a sum does not depend on
//! the order, so nothing is sorted to compare). A node whose fingerprint (its own fields,
//! that sum and its count) is the previous build's keeps its previous strip, the same
//! `Arc`s, so the node box showing it sees no change; only changed nodes are sorted and
//! written out again. Any change of the filters, the colours or the services' names and
//! stacks, or between the grid and the column layout (stack names are written only in the
//! grid), rewrites every strip.

use super::fingerprint::{fingerprint, services_hash, task_hash};
use super::layout::Layout;
use super::marks::{self as html, Mark};
use crate::model::{Node, Role, Service, Task};
use crate::state::ClusterState;
use crate::view::{self, Filters, ServiceColours};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The box of tasks no node has (yet): pending, or on a node that is gone.
pub const UNASSIGNED: &str = "unassigned";

/// One node box.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Strip {
    fingerprint: u64,
    /// Classes of the node box: `node-column`, and `down`, `drain` or `pending` as its
    /// heading says.
    pub class: &'static str,
    pub hostname: Arc<str>,
    pub title: Arc<str>,
    /// The heading and the marks.
    pub html: Arc<str>,
    /// Each mark's service and start, in the order of the marks (for the page's handlers).
    pub marks: Arc<[Pointed]>,
    pub tasks: usize,
}

impl Strip {
    /// Rows of marks in a node box of the column layout, whose strips are `PER_ROW` marks
    /// wide: the CSS sizes each box by this rather than by its content, so a change in one
    /// box is laid out in that box alone.
    pub fn rows(&self) -> usize {
        self.tasks.div_ceil(super::layout::PER_ROW as usize)
    }
}

/// What pointing at a mark needs to know: the service a click highlights, and the start of
/// the task, whose age the title brings up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pointed {
    pub service: Arc<str>,
    pub since: i64,
}

/// Every node box, and what they were built with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Strips {
    filters: Filters,
    colours: ServiceColours,
    services: u64,
    pub layout: Layout,
    /// Node IDs (and [`UNASSIGNED`]) in the grid's order.
    pub order: Vec<String>,
    pub by_key: BTreeMap<String, Strip>,
}

/// A visible task and what it is sorted and grouped by.
struct Entry<'a> {
    stack: &'a str,
    service: &'a str,
    task: &'a Task,
}

impl Strips {
    /// The node boxes for `state`; `prev`'s strips are reused where nothing they show changed.
    pub fn build(
        state: &ClusterState,
        filters: &Filters,
        colours: &ServiceColours,
        now_secs: i64,
        prev: Option<&Strips>,
    ) -> Strips {
        // The order of `view::columns`: managers first, then by hostname; unassigned last.
        // The lookups below search the maps' keys (IDs) in their order (`by_key`, `find`):
        // sorted slices, not hash maps, for less code in the wasm.
        let by_id = by_key(&state.nodes);
        let mut shown: Vec<usize> = (0..by_id.len()).collect();
        shown.sort_by(|&a, &b| {
            let (a, b) = (by_id[a].2, by_id[b].2);
            (a.role != Role::Manager, &a.hostname).cmp(&(b.role != Role::Manager, &b.hostname))
        });
        let nodes: Vec<&Node> = shown.iter().map(|&i| by_id[i].2).collect();
        let mut place = vec![0; by_id.len()];
        for (at, &i) in shown.iter().enumerate() {
            place[i] = at;
        }
        // One bucket per node, the last for tasks without one; each with its sum. (Services
        // are looked up only for the nodes written out again, below.)
        let per_node = state.tasks.len() / (nodes.len() + 1) + 4;
        let mut buckets: Vec<(u64, Vec<&Task>)> = (0..=nodes.len())
            .map(|_| (0, Vec::with_capacity(per_node)))
            .collect();
        for task in state
            .tasks
            .values()
            .filter(|t| view::is_visible(t, filters))
        {
            let at = task
                .node_id
                .as_deref()
                .and_then(|id| Some(place[find(&by_id, id)?]));
            let (sum, tasks) = &mut buckets[at.unwrap_or(nodes.len())];
            *sum = sum.wrapping_add(task_hash(task));
            tasks.push(task);
        }
        if buckets.last().is_some_and(|(_, b)| b.is_empty()) {
            buckets.pop();
        }

        let services_hash = services_hash(state);
        let prev = prev.filter(|p| p.filters == *filters && p.colours == *colours);
        let prev = prev.filter(|p| p.services == services_hash);
        let services = by_key(&state.services);
        let keys: Vec<&str> = (0..buckets.len())
            .map(|i| nodes.get(i).map(|n| n.id.as_str()).unwrap_or(UNASSIGNED))
            .collect();
        let fingerprints: Vec<u64> = buckets
            .iter()
            .enumerate()
            .map(|(i, (sum, b))| fingerprint(nodes.get(i).copied(), *sum, b.len()))
            .collect();
        let kept = |prev, i: usize| kept(prev, keys[i], fingerprints[i]);
        let counts: Vec<usize> = buckets.iter().map(|(_, b)| b.len()).collect();
        let layout = Layout::choose(&counts);
        let prev = prev.filter(|p| p.layout.columns() == layout.columns());

        let mut order = Vec::with_capacity(buckets.len());
        let mut by_key = BTreeMap::new();
        for (i, (_, tasks)) in buckets.iter().enumerate() {
            let node = nodes.get(i).copied();
            let strip = match kept(prev, i) {
                Some(strip) => strip.clone(),
                None => {
                    let mut bucket: Vec<Entry> =
                        tasks.iter().map(|t| entry(&services, t, filters)).collect();
                    let bucket = &mut bucket[..];
                    sort(bucket);
                    Strip {
                        fingerprint: fingerprints[i],
                        class: html::node_class(node),
                        hostname: node.map_or(UNASSIGNED, |n| n.hostname.as_str()).into(),
                        title: html::node_title(node, bucket.len()).into(),
                        html: strip_html(node, bucket, filters, colours, layout, now_secs).into(),
                        marks: pointed(bucket),
                        tasks: bucket.len(),
                    }
                }
            };
            order.push(keys[i].to_string());
            by_key.insert(keys[i].to_string(), strip);
        }
        Strips {
            filters: filters.clone(),
            colours: colours.clone(),
            services: services_hash,
            layout,
            order,
            by_key,
        }
    }

    /// What a node box's `index`th mark is about.
    pub fn pointed(&self, key: &str, index: usize) -> Option<Pointed> {
        self.by_key.get(key)?.marks.get(index).cloned()
    }

    /// Whether no node box holds a task (but there are node boxes).
    pub fn no_tasks(&self) -> bool {
        !self.by_key.is_empty() && self.by_key.values().all(|s| s.tasks == 0)
    }
}

/// A map's entries in the order of its keys, each with its key's [`prefix`], for [`find`].
/// (A `BTreeMap`, and no other kind of map: its order is what makes the searches right.)
fn by_key<V>(map: &BTreeMap<String, V>) -> Vec<(u64, &str, &V)> {
    map.iter()
        .map(|(key, value)| (prefix(key), key.as_str(), value))
        .collect()
}

/// A key's first 8 bytes as a big-endian number, zeros past its end: ordered as the keys are,
/// so a search compares numbers, and whole keys only among those that share it. (Comparing
/// whole IDs in a plain binary search, 20 per task, was most of the time of a build.)
fn prefix(key: &str) -> u64 {
    let mut word = [0u8; 8];
    let n = key.len().min(8);
    word[..n].copy_from_slice(&key.as_bytes()[..n]);
    u64::from_be_bytes(word)
}

/// Where `key` is in `sorted` (from [`by_key`]).
fn find<V>(sorted: &[(u64, &str, V)], key: &str) -> Option<usize> {
    let p = prefix(key);
    let from = sorted.partition_point(|e| e.0 < p);
    let same = &sorted[from..];
    let same = &same[..same.partition_point(|e| e.0 == p)];
    let at = same.binary_search_by(|e| e.1.cmp(key)).ok()?;
    Some(from + at)
}

/// A task with its service's name and stack (when grouping by stack).
fn entry<'a>(
    services: &[(u64, &'a str, &'a Service)],
    task: &'a Task,
    filters: &Filters,
) -> Entry<'a> {
    let (service, stack) = match find(services, &task.service_id) {
        Some(i) => {
            let s = services[i].2;
            let stack = match &s.stack {
                Some(stack) if filters.group_by_stack => stack.as_str(),
                _ => "",
            };
            (s.name.as_str(), stack)
        }
        None => ("?", ""),
    };
    Entry {
        stack,
        service,
        task,
    }
}

/// `prev`'s strip for `key`, if what it shows has not changed.
fn kept<'a>(prev: Option<&'a Strips>, key: &str, fingerprint: u64) -> Option<&'a Strip> {
    let strip = prev?.by_key.get(key)?;
    (strip.fingerprint == fingerprint).then_some(strip)
}

/// By stack, service, slot, then ID.
fn sort(bucket: &mut [Entry]) {
    bucket.sort_unstable_by(|a, b| {
        (a.stack, a.service, a.task.slot, &a.task.id).cmp(&(
            b.stack,
            b.service,
            b.task.slot,
            &b.task.id,
        ))
    });
}

fn pointed(bucket: &[Entry]) -> Arc<[Pointed]> {
    let mut marks: Vec<Pointed> = Vec::with_capacity(bucket.len());
    for entry in bucket {
        // Neighbours often share a service: one name for all of them.
        let service = match marks.last() {
            Some(last) if *last.service == *entry.service => last.service.clone(),
            _ => entry.service.into(),
        };
        marks.push(Pointed {
            service,
            since: entry.task.since,
        });
    }
    marks.into()
}

fn strip_html(
    node: Option<&Node>,
    bucket: &[Entry],
    filters: &Filters,
    colours: &ServiceColours,
    layout: Layout,
    now_secs: i64,
) -> String {
    let mut out = String::with_capacity(64 + 160 * bucket.len());
    html::write_heading(node, &mut out);
    out.push_str("<div class=\"marks\">");
    // Stack names where there is room for words; elsewhere a line before each new stack.
    let named = filters.group_by_stack && layout == Layout::Grid;
    let mut previous: Option<&str> = None;
    for entry in bucket {
        let new_stack = previous != Some(entry.stack);
        if named && new_stack {
            html::write_stack_name(entry.stack, &mut out);
        }
        let task = entry.task;
        let mark = Mark {
            service: entry.service,
            slot: task.slot,
            state: task.state,
            desired: task.desired_state,
            image: &task.image,
            since: task.since,
            error: task.error.as_deref().filter(|e| !e.is_empty()),
            swatch: colours.get(entry.service),
            highlight: filters.highlight.as_deref() == Some(entry.service),
        };
        let stack_start = !named && new_stack && previous.is_some();
        html::write_mark(&mark, stack_start, now_secs, &mut out);
        previous = Some(entry.stack);
    }
    out.push_str("</div>");
    out
}
