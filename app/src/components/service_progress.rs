//! One service's progress, live, in the CLI's words, as a viewer's page shows it
//! (`html::panel`): for the highlighted service and for every service of a stack being
//! deployed.

use crate::html::panel::write_service_progress;
use crate::protocol::Snapshot;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn ServiceProgress(cluster: RwSignal<Arc<Snapshot>>, id: String) -> impl IntoView {
    let html = Memo::new(move |_| {
        let mut html = String::new();
        cluster.with(|c| write_service_progress(&c.state, &id, &mut html));
        html
    });
    view! { <div class="region" inner_html=move || html.get()></div> }
}
