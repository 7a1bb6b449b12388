//! Change detection for dense mode's strips (see `strips`): a cheap hash of what can change
//! about each task, summed per node, and a node box's fingerprint from that sum.
//!
//! The fields are written to the hasher one by one rather than through `Hash` impls of
//! tuples: every type hashed that way is more code in the wasm, which has a budget.

use crate::model::{Node, Task};
use crate::state::ClusterState;

/// What can change about a task, hashed: its ID, slot, states, start and error. (Its
/// service, image and node are its ID's for good: Docker makes a new task to change them; a
/// service's name and stack are in `services_hash`. Its age is left out: a mark's title
/// brings that up to date when pointed at.) No names are hashed here: this runs per task.
pub fn task_hash(task: &Task) -> u64 {
    let mut h = Fx::default();
    h.write_str(&task.id);
    h.write_u64(task.slot.map_or(u64::MAX, |s| s));
    h.write_u64(((task.state as u64) << 8) | task.desired_state as u64);
    h.write_u64(task.since as u64);
    if let Some(error) = &task.error {
        h.write_str(error);
    }
    // Spread before summing: sums of raw Fx states would cancel too easily.
    mix(h.finish())
}

/// Every service's name and stack: when any changes, every strip is written again.
pub fn services_hash(state: &ClusterState) -> u64 {
    let mut h = Fx::default();
    for service in state.services.values() {
        h.write_str(&service.id);
        h.write_str(&service.name);
        match &service.stack {
            Some(stack) => h.write_str(stack),
            None => h.write_u64(u64::MAX),
        }
    }
    h.finish()
}

/// A node box's fingerprint: the node's own fields, its tasks' hash sum and count. Equal
/// fingerprints, the same strip (a 64-bit collision would leave one box stale until its next
/// change).
pub fn fingerprint(node: Option<&Node>, sum: u64, count: usize) -> u64 {
    let mut h = Fx::default();
    if let Some(n) = node {
        h.write_str(&n.hostname);
        let status = n.manager_status.map_or(u64::MAX, |s| s as u64);
        h.write_u64(((n.role as u64) << 16) | ((n.state as u64) << 8) | n.availability as u64);
        h.write_u64(status);
    }
    h.write_u64(sum);
    h.write_u64(count as u64);
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

impl Fx {
    /// The bytes, then their length: "ab" + "c" and "a" + "bc" differ.
    fn write_str(&mut self, text: &str) {
        self.write(text.as_bytes());
        self.write_u64(text.len() as u64);
    }

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
