//! The control page's end of the live feed (`crate::feed`): what arrives goes through
//! `Snapshot::receive` into the page's cluster signal, and the link into its own.

use crate::components::connection::Link;
use crate::protocol::Snapshot;
use leptos::prelude::*;
use std::sync::Arc;

#[cfg(feature = "hydrate")]
pub fn connect(cluster: RwSignal<Arc<Snapshot>>, link: RwSignal<Link>) {
    struct Signals {
        cluster: RwSignal<Arc<Snapshot>>,
        link: RwSignal<Link>,
    }
    impl crate::feed::Watcher for Signals {
        fn since(&self) -> String {
            self.cluster
                .with_untracked(|shown| crate::protocol::since_param(shown))
        }
        fn message(&self, message: crate::protocol::ServerMsg) {
            // A delta after a gap changes nothing: no need to re-render. The browser holds
            // the only reference, so this changes the state in place.
            self.cluster
                .maybe_update(|shown| Arc::make_mut(shown).receive(message));
        }
        fn link(&self, link: Link) {
            self.link.set(link);
        }
    }
    crate::feed::connect(std::rc::Rc::new(Signals { cluster, link }));
}

#[cfg(not(feature = "hydrate"))]
pub fn connect(_cluster: RwSignal<Arc<Snapshot>>, _link: RwSignal<Link>) {}
