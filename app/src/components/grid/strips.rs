//! Dense mode's data: per node (in the grid's order), its visible tasks grouped by stack and
//! sorted, written out as a strip of marks (`html`), in one pass over the cluster.
//!
//! This runs on every change the page takes in (at most twice a second: see `dense`), so
//! the pass over every task is kept lean: no allocation, no sorting, hash lookups, and a
//! cheap hash of what can change about each task, summed per node (a sum does not depend on
//! the order, so nothing is sorted to compare). A node whose fingerprint (its own fields,
//! that sum and its count) is the previous build's keeps its previous strip, the same
//! `Arc`s, so the node box showing it sees no change; only changed nodes are sorted and
//! written out again. Any change of the filters, the colours or the services' names and
//! stacks, or between the grid and the column layout (stack names are written only in the
//! grid), rewrites every strip.

use super::html::{self, Mark};
use super::layout::Layout;
use crate::model::{Node, Role, Task};
use crate::state::ClusterState;
use crate::view::{self, Filters, ServiceColours};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};
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

type Fast<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

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
        let mut nodes: Vec<&Node> = state.nodes.values().collect();
        nodes.sort_by(|a, b| {
            (a.role != Role::Manager, &a.hostname).cmp(&(b.role != Role::Manager, &b.hostname))
        });
        let index: Fast<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let names: Fast<&str, (&str, &str)> = state
            .services
            .values()
            .map(|s| {
                let stack = match &s.stack {
                    Some(stack) if filters.group_by_stack => stack.as_str(),
                    _ => "",
                };
                (s.id.as_str(), (s.name.as_str(), stack))
            })
            .collect();
        // One bucket per node, the last for tasks without one; each with its sum.
        let mut buckets: Vec<(u64, Vec<Entry>)> =
            (0..=nodes.len()).map(|_| (0, Vec::new())).collect();
        for task in state
            .tasks
            .values()
            .filter(|t| view::is_visible(t, filters))
        {
            let (service, stack) = names
                .get(task.service_id.as_str())
                .copied()
                .unwrap_or(("?", ""));
            let at = task.node_id.as_deref().and_then(|id| index.get(id));
            let (sum, entries) = &mut buckets[at.copied().unwrap_or(nodes.len())];
            *sum = sum.wrapping_add(task_hash(task));
            entries.push(Entry {
                stack,
                service,
                task,
            });
        }
        if buckets.last().is_some_and(|(_, b)| b.is_empty()) {
            buckets.pop();
        }

        let services = services_hash(state);
        let prev = prev.filter(|p| p.filters == *filters && p.colours == *colours);
        let prev = prev.filter(|p| p.services == services);
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
        for (i, (_, bucket)) in buckets.iter_mut().enumerate() {
            let node = nodes.get(i).copied();
            let strip = match kept(prev, i) {
                Some(strip) => strip.clone(),
                None => {
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
            services,
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

/// What can change about a task, hashed: its ID, slot, states, start and error. (Its
/// service, image and node are its ID's for good: Docker makes a new task to change them; a
/// service's name and stack are in `services_hash`. Its age is left out: a mark's title
/// brings that up to date when pointed at.) No names are hashed here: this runs per task.
fn task_hash(task: &Task) -> u64 {
    let mut h = Fx::default();
    h.write(task.id.as_bytes());
    h.write_u64(task.slot.map_or(u64::MAX, |s| s));
    h.write_u64(((task.state as u64) << 8) | task.desired_state as u64);
    h.write_u64(task.since as u64);
    if let Some(error) = &task.error {
        h.write(error.as_bytes());
    }
    // Spread before summing: sums of raw Fx states would cancel too easily.
    mix(h.finish())
}

/// Every service's name and stack: when any changes, every strip is written again.
fn services_hash(state: &ClusterState) -> u64 {
    let mut h = Fx::default();
    for service in state.services.values() {
        (&service.id, &service.name, &service.stack).hash(&mut h);
    }
    h.finish()
}

/// A node box's fingerprint: the node's own fields, its tasks' hash sum and count. Equal
/// fingerprints, the same strip (a 64-bit collision would leave one box stale until its next
/// change).
fn fingerprint(node: Option<&Node>, sum: u64, count: usize) -> u64 {
    let mut h = Fx::default();
    node.map(|n| {
        (
            &n.hostname,
            n.role,
            n.state,
            n.availability,
            n.manager_status,
        )
    })
    .hash(&mut h);
    (sum, count).hash(&mut h);
    mix(h.finish())
}

/// splitmix64's finaliser.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A small, fast, non-cryptographic hasher (the rotate-multiply of rustc's FxHash) for the
/// per-delta pass: keys here are Docker IDs and names from the cluster state, not chosen to
/// collide against it.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
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
