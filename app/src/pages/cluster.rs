//! The cluster page: rendered complete on the server from the current snapshot, then kept
//! live in the browser by the websocket feed.

use crate::components::connection::{ConnectionIndicator, Link};
use crate::components::grid::Grid;
use crate::components::tables::{NodesTable, ServicesTable};
use crate::protocol::Snapshot;
use crate::view::Filters;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_snapshot() -> Result<Snapshot, ServerFnError> {
    let source = use_context::<crate::SnapshotSource>()
        .ok_or_else(|| ServerFnError::new("the server provides no cluster state"))?;
    Ok(source())
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| get_snapshot());
    view! {
        <Suspense fallback=|| view! { <p>"Reading the cluster…"</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(snapshot) => view! { <Live snapshot/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">"The cluster state is unavailable: " {e.to_string()}</p> }.into_any(),
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

#[component]
fn Live(snapshot: Snapshot) -> impl IntoView {
    let cluster = RwSignal::new(snapshot);
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
            let keys = ["running", "group", "dense", "service"];
            Filters::from_query(keys.iter().filter_map(|k| q.get_str(k).map(|v| (*k, v))))
        })
    });
    let href = move |change: fn(&mut Filters)| {
        move || {
            let mut f = filters.get();
            change(&mut f);
            format!("/?{}", f.to_query())
        }
    };
    let engine_problem = move || {
        cluster.with(|c| match &c.engine {
            crate::protocol::EngineStatus::NotManager { reason } => {
                Some(format!("This engine is not a swarm manager: {reason}."))
            }
            crate::protocol::EngineStatus::Stale { reason, .. } if c.state.nodes.is_empty() => {
                Some(format!("The Docker engine cannot be reached: {reason}."))
            }
            _ => None,
        })
    };
    view! {
        <div class="statusbar">
            <ConnectionIndicator cluster link now_ms=now/>
            <nav class="toggles" aria-label="View">
                <a href=href(|f| f.running_only = !f.running_only) aria-pressed=move || filters.with(|f| f.running_only.to_string())>
                    "running only"
                </a>
                <a href=href(|f| f.group_by_stack = !f.group_by_stack) aria-pressed=move || filters.with(|f| f.group_by_stack.to_string())>
                    "group by stack"
                </a>
                <a
                    href=href(|f| f.dense = match f.dense { None => Some(true), Some(true) => Some(false), Some(false) => None })
                    aria-pressed=move || filters.with(|f| (f.dense == Some(true)).to_string())
                >
                    {move || filters.with(|f| match f.dense { None => "dense: auto", Some(true) => "dense: on", Some(false) => "dense: off" })}
                </a>
            </nav>
        </div>
        {move || engine_problem().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        <Grid cluster filters now_ms=now/>
        <ServicesTable cluster filters/>
        <NodesTable cluster/>
    }
}
