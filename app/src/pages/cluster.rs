//! The control page: the cluster, rendered complete on the server from the current snapshot
//! and kept live in the browser by the websocket feed, with the control UI. Only sessions
//! that may change things get it, never on a wall screen (a viewer's page is `html`).

use crate::TopBar;
use crate::address::Address;
use crate::components::audit_log::AuditLog;
use crate::components::connection::{ConnectionIndicator, Link};
use crate::components::create_service::CreateService;
use crate::components::grid::Grid;
use crate::components::kiosks::Kiosks;
use crate::components::networks::Networks;
use crate::components::nodes_table::NodesTable;
use crate::components::service_panel::ServicePanel;
use crate::components::services_table::ServicesTable;
use crate::components::session::{Session, SessionControl};
use crate::components::stack_deploy::{DeployDraft, StackDeploy};
use crate::components::stacks::Stacks;
use crate::components::toggles::Toggles;
use crate::html::screen::problem;
use crate::protocol::{EngineStatus, Snapshot};
#[cfg(not(feature = "ssr"))]
use crate::protocol::{PAGE_DATA_ID, PageData};
use crate::view;
use leptos::either::Either;
use leptos::prelude::*;
use std::sync::Arc;

/// What the page shows first: on the server, what it read for this request; in the browser,
/// what the server wrote into the page (hydration must build what the server rendered).
/// Read at once, so the page needs no resource, no suspense and no second request.
fn initial() -> Result<Arc<Snapshot>, String> {
    // On the server, the hub's own snapshot: shared by every render, never copied.
    #[cfg(feature = "ssr")]
    return use_context::<crate::PageState>()
        .ok_or_else(|| "the server provides no cluster state".to_string())?
        .snapshot;
    #[cfg(not(feature = "ssr"))]
    {
        let text = document()
            .get_element_by_id(PAGE_DATA_ID)
            .and_then(|element| element.text_content())
            .ok_or_else(|| "the page carries no cluster state".to_string())?;
        match serde_json::from_str::<PageData>(&text) {
            Ok(PageData::Snapshot(snapshot)) => Ok(Arc::new(snapshot)),
            Ok(PageData::Unavailable(error)) => Err(error),
            Err(e) => Err(format!("the page's cluster state is unreadable: {e}")),
        }
    }
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    match initial() {
        Ok(snapshot) => Either::Left(view! { <Live snapshot/> }),
        Err(error) => Either::Right(view! { <Unavailable error/> }),
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    return std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0);
}

#[component]
fn Live(snapshot: Arc<Snapshot>) -> impl IntoView {
    let cluster = RwSignal::new(snapshot);
    Session::provide();
    let link = RwSignal::new(Link::Connecting);
    let now = RwSignal::new(now_ms());
    // Effects run only in the browser: the server renders the snapshot and stops there.
    Effect::new(move |_| {
        crate::live::connect(cluster, link);
        set_interval(move || now.set(now_ms()), std::time::Duration::from_secs(1));
    });
    let filters = Address::provide().filters();
    let auto_dense =
        Memo::new(move |_| cluster.with(|c| filters.with(|f| view::auto_dense(&c.state, f))));
    let dense = Memo::new(move |_| {
        filters
            .with(|f| f.dense)
            .unwrap_or_else(|| auto_dense.get())
    });
    let outdated = Signal::derive(move || {
        matches!(link.get(), Link::Retrying { .. } | Link::Ended)
            || cluster.with(|c| matches!(c.engine, EngineStatus::Stale { .. }))
    });
    let problem = move || cluster.with(|c| problem(c));
    // Shared: a stack's stored file is loaded from the Stacks list into the form.
    let draft = DeployDraft::new();
    view! {
        <TopBar>
            <ConnectionIndicator cluster link now_ms=now/>
            <Toggles filters dense auto_dense/>
            <SessionControl/>
        </TopBar>
        <main>
            {move || problem().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            <ServicePanel cluster filters/>
            <Grid cluster filters dense now_ms=now outdated/>
            <ServicesTable cluster filters/>
            <CreateService cluster filters/>
            <NodesTable cluster/>
            <Networks cluster/>
            <Stacks cluster now_ms=now draft/>
            <StackDeploy cluster draft/>
            <AuditLog/>
            <Kiosks/>
        </main>
    }
    .into_any()
}

/// The page when the state cannot be read (the server provides it to every control
/// session, so this is a broken build or page, not a log-in: a viewer's page says that).
#[component]
fn Unavailable(error: String) -> impl IntoView {
    view! {
        <TopBar/>
        <main>
            <p class="error" role="alert">{error}</p>
        </main>
    }
}
