//! Flotilla's app: the model shared with the server, and the pages. Built three ways: with
//! `ssr` into the server binary; with `hydrate` (and `control`) into the control bundle,
//! Leptos hydrating the page the server rendered with it; with `viewer` into the viewer
//! bundle, which has no Leptos: its page is HTML text (`html`), patched by `viewer`.

#![recursion_limit = "256"] // Leptos view types nest deeply in release builds

pub mod address;
pub mod api;
pub mod audience;
pub mod backoff;
#[cfg(feature = "browser")]
mod browser;
mod client;
#[cfg(any(feature = "ssr", feature = "hydrate"))]
mod components;
#[cfg(any(feature = "browser", feature = "ssr"))]
mod dom;
#[cfg(feature = "browser")]
mod feed;
#[cfg(test)]
mod fixtures;
pub mod forms;
pub mod html;
#[cfg(any(feature = "ssr", feature = "hydrate"))]
mod live;
pub mod model;
#[cfg(any(feature = "ssr", feature = "hydrate"))]
mod pages;
pub mod policy;
pub mod protocol;
pub mod stacks;
pub mod state;
pub mod view;
#[cfg(all(feature = "viewer", not(feature = "hydrate")))]
mod viewer;

#[cfg(any(feature = "ssr", feature = "hydrate"))]
use leptos::prelude::*;

/// What the server read for the page it renders, provided as context by the server binary
/// (it reads the cluster-state owner), so this crate needs no Docker client and the first
/// page is complete without WebAssembly.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct PageState {
    /// The snapshot, or (in words) why this request may not see the cluster (`--view
    /// token` without a session).
    pub snapshot: Result<std::sync::Arc<protocol::Snapshot>, String>,
    /// The same as [`protocol::PageData`] JSON, which the page carries for hydration.
    pub json: std::sync::Arc<str>,
}

/// Given the nonce leptos put on the page's inline scripts, sets the response's
/// Content-Security-Policy: provided as context by the server binary, which owns the headers.
#[cfg(feature = "ssr")]
pub type PageNonce = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// The HTML document around the app, rendered on the server: it loads the bundle of the
/// page's audience and the stylesheet, by the names the front end's manifest gives.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    if let (Some(nonce), Some(set_policy)) =
        (leptos::nonce::use_nonce(), use_context::<PageNonce>())
    {
        set_policy(&nonce);
    }
    let request = use_context::<audience::PageRequest>();
    let (options, css) = match &request {
        Some(request) => {
            let bundle = request.assets.bundle(request.audience);
            let mut options = options;
            options.output_name = std::sync::Arc::from(bundle);
            (options, request.assets.css.clone())
        }
        None => (options, String::new()),
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"Flotilla"</title>
                <link rel="stylesheet" href=format!("/pkg/{css}")/>
                // Only the control bundle hydrates a Leptos page (a viewer's `/` is written
                // by `html`); a viewer's "No such page." needs no script.
                {(request.as_ref().map(|r| r.audience) == Some(audience::Audience::Control))
                    .then(|| view! { <HydrationScripts options/> })}
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
            </head>
            <body>
                <App/>
                // What the page was rendered from, read by the browser as it hydrates (its
                // module script runs once the whole document is parsed). Last, after the
                // markup: at scale it is most of the page (6 MB of 8 at 20,000 tasks), and
                // in the head it held back the first paint and the discovery of the
                // stylesheet and the bundle until the parser had gone through all of it.
                // Every "<" is escaped, so nothing in it can end the element.
                {use_context::<PageState>().map(|state| view! {
                    <script id=protocol::PAGE_DATA_ID type="application/json"
                        inner_html=state.json.replace('<', "\\u003c")></script>
                })}
            </body>
        </html>
    }
}

/// The one page there is; any other address is answered "No such page." (the server sets
/// the status).
#[cfg(any(feature = "ssr", feature = "hydrate"))]
#[component]
pub fn App() -> impl IntoView {
    if address::is_the_page() {
        view! { <pages::cluster::ClusterPage/> }.into_any()
    } else {
        view! { <TopBar/><main><p class="error">"No such page."</p></main> }.into_any()
    }
}

/// The bar across the top, which stays in view while the grid scrolls; pages put their live
/// status and controls in it.
#[cfg(any(feature = "ssr", feature = "hydrate"))]
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
