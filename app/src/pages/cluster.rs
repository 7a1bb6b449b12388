//! The cluster page: rendered complete on the server from the current snapshot, then kept
//! live in the browser by the websocket feed.

use crate::TopBar;
use crate::address::Address;
use crate::audience::for_control;
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

/// Why there is nothing (or nothing current) to show, in plain words; None when the grid
/// speaks for itself.
fn engine_problem(snapshot: &Snapshot) -> Option<String> {
    let empty = snapshot.state.nodes.is_empty();
    match &snapshot.engine {
        EngineStatus::NotManager { reason } => Some(format!(
            "This engine is not a swarm manager, so there is no cluster to show: {reason}."
        )),
        EngineStatus::Stale { reason, .. } if empty => {
            Some(format!("The Docker engine cannot be reached: {reason}."))
        }
        EngineStatus::Connecting if empty => {
            Some("Waiting for the Docker engine: the cluster has not been read yet.".into())
        }
        EngineStatus::Live if empty => Some("The swarm reports no nodes.".into()),
        _ => None,
    }
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
    let problem = move || cluster.with(|c| engine_problem(c));
    // Chosen once: a wall screen keeps its layout for as long as it runs.
    if filters.with_untracked(|f| f.kiosk) {
        return view! {
            <div class="kiosk">
                <TopBar>
                    <ConnectionIndicator cluster link now_ms=now/>
                </TopBar>
                <main>
                    {move || problem().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                    <Grid cluster filters dense now_ms=now outdated/>
                </main>
            </div>
        }
        .into_any();
    }
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
            {for_control(|| view! { <CreateService cluster filters/> })}
            <NodesTable cluster/>
            {for_control(|| {
                // Shared: a stack's stored file is loaded from the Stacks list into the form.
                let draft = DeployDraft::new();
                view! {
                    <Networks cluster/>
                    <Stacks cluster now_ms=now draft/>
                    <StackDeploy cluster draft/>
                    <AuditLog/>
                    <Kiosks/>
                }
            })}
        </main>
    }
    .into_any()
}

/// The page when the cluster may not be shown: the panel wants a log-in (`--view token`),
/// or the state could not be read. Once a log-in succeeds, the page is loaded again.
#[component]
fn Unavailable(error: String) -> impl IntoView {
    let session = Session::provide();
    // Reloaded when a log-in happens here, not because a session already existed.
    Effect::new(move |before: Option<Option<bool>>| {
        let signed_in = session.me.with(|m| m.as_ref().map(|m| m.signed_in));
        if before == Some(Some(false)) && signed_in == Some(true) {
            let _ = window().location().reload();
        }
        signed_in
    });
    view! {
        <TopBar>
            <SessionControl/>
        </TopBar>
        <main>
            <p class="error" role="alert">{error}</p>
        </main>
    }
}
