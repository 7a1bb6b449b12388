//! What flotilla's integration tests, browser tests and bench share, each written once:
//!
//! - [`wait_until`]: polls a condition until it holds, or panics at a deadline naming it;
//! - [`Proxy`]: a TCP forwarder (to a TCP address or a unix socket) that a test can cut and
//!   restore, and that counts the HTTP requests passing through;
//! - [`Panel`]: a running `flotilla serve` on a free port, its output kept in a log file that
//!   is printed if the test panics, killed on drop;
//! - [`site_root`]: the tests' own front end build.
//!
//! Used only as a dev-dependency.

mod panel;
mod proxy;
mod site;
mod wait;

pub use panel::{Launch, Panel};
pub use proxy::{Proxy, Upstream};
pub use site::site_root;
pub use wait::{Outcome, POLL_EVERY, wait_until, wait_until_every};
