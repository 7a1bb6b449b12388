//! The cluster page: rendered complete on the server from the current snapshot, then kept
//! live in the browser by the websocket feed.

use crate::TopBar;
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
use crate::view::{self, Filters};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The current snapshot, for the first render (and for hydration, which reuses the
/// server's answer instead of asking again).
#[server]
pub async fn get_snapshot() -> Result<Snapshot, ServerFnError> {
    let source = use_context::<crate::SnapshotSource>().ok_or_else(|| {
        ServerFnError::new("the server provides no cluster state (no SnapshotSource in context)")
    })?;
    source().map_err(ServerFnError::new)
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| get_snapshot());
    view! {
        <Suspense fallback=|| view! { <TopBar/><main><p class="summary">"Reading the cluster…"</p></main> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(snapshot) => Either::Left(view! { <Live snapshot/> }),
                    Err(e) => Either::Right(view! { <Unavailable error=e.to_string()/> }),
                }
            })}
        </Suspense>
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
fn Live(snapshot: Snapshot) -> impl IntoView {
    let cluster = RwSignal::new(snapshot);
    Session::provide();
    let link = RwSignal::new(Link::Connecting);
    let now = RwSignal::new(now_ms());
    // Effects run only in the browser: the server renders the snapshot and stops there.
    Effect::new(move |_| {
        crate::live::connect(cluster, link);
        set_interval(move || now.set(now_ms()), std::time::Duration::from_secs(1));
    });
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            let keys = ["running", "group", "dense", "service", "kiosk"];
            Filters::from_query(keys.iter().filter_map(|k| q.get_str(k).map(|v| (*k, v))))
        })
    });
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
    let problem = move || cluster.with(engine_problem);
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
    // Shared: a stack's stored file is loaded from the Stacks list into the deploy form.
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
