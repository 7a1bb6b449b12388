//! The cluster-state core: one owner task per watched manager, kept running by a supervisor,
//! and any number of viewers, up to the seats there are.

mod bounded;
mod election;
mod hub;
mod messages;
mod owner;
mod recent;
mod seats;
mod supervisor;

pub use hub::{Hub, Start};
pub use messages::{delta_json, snapshot_json};
pub use owner::{Timing, list_all};
pub use seats::{Refusal, Seats};
pub use supervisor::{crash_on_sigusr1, spawn};
