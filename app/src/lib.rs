//! Flotilla's Leptos app: the model shared with the server, and the pages. Built twice:
//! with `ssr` into the server binary, with `hydrate` into the WebAssembly the browser runs.

#![recursion_limit = "256"] // Leptos view types nest deeply in release builds

pub mod api;
pub mod backoff;
mod client;
mod components;
mod decode;
pub mod forms;
mod live;
pub mod model;
mod pages;
pub mod policy;
pub mod protocol;
pub mod stacks;
pub mod state;
pub mod view;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

/// How the server hands the current cluster snapshot to the page being rendered: provided
/// as context by the server binary (it reads the cluster-state owner), so this crate needs
/// no Docker client and the first page is complete without WebAssembly.
/// An Err (in words) when this request may not see the cluster (`--view token` without a
/// session).
#[cfg(feature = "ssr")]
pub type SnapshotSource =
    std::sync::Arc<dyn Fn() -> Result<protocol::Snapshot, String> + Send + Sync>;

/// Given the nonce leptos put on the page's inline scripts, sets the response's
/// Content-Security-Policy: provided as context by the server binary, which owns the headers.
#[cfg(feature = "ssr")]
pub type PageNonce = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(set_policy)) =
        (leptos::nonce::use_nonce(), use_context::<PageNonce>())
    {
        set_policy(&nonce);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="flotilla" href="/pkg/flotilla.css"/>
        <Title text="Flotilla"/>
        <Router>
            <Routes fallback=|| view! { <TopBar/><main><p class="error">"No such page."</p></main> }>
                // Async: the page is complete in the first response, so it is useful
                // before (and without) WebAssembly.
                <Route path=StaticSegment("") view=pages::cluster::ClusterPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// The bar across the top, which stays in view while the grid scrolls; pages put their live
/// status and controls in it.
#[component]
pub fn TopBar(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <header class="topbar">
            <span class="brand">"Flotilla"</span>
            <span class="tagline">"Docker Swarm, live"</span>
            {children.map(|children| children())}
        </header>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
