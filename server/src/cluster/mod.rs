//! The cluster-state core: one owner task per watched manager, any number of viewers.

mod hub;
mod owner;

pub use hub::{Hub, snapshot_json};
pub use owner::{Timing, spawn};
