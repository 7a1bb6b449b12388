//! The services' colours on the control page.

use crate::protocol::Snapshot;
use crate::view::{self, ServiceColours};
use leptos::prelude::*;
use std::sync::Arc;

/// The services' colours, rebuilt only when the set of service names changes (not on every
/// task update): the grid and the services table each hold one.
pub fn service_colours(cluster: RwSignal<Arc<Snapshot>>) -> Memo<ServiceColours> {
    let names = Memo::new(move |_| cluster.with(|c| view::palette::service_names(&c.state)));
    Memo::new(move |_| names.with(|n| ServiceColours::new(n)))
}
