//! Dense mode: a box per node holding a strip of small task marks, for clusters too large for
//! cards (see `strips` for what a box holds, `layout` for how boxes fill a wall screen).
//!
//! A box's marks are HTML text (see `html`): one reactive node per box, not per task. The
//! grid listens once for all its marks, and finds what a mark is about by its box and its
//! place in it: a click (or Enter or Space on a focused mark) highlights the mark's service
//! as a card's click does, and pointing at or focusing a mark brings the age in its title up
//! to date.

use crate::components::colours::service_colours;
use crate::components::toggles::{navigator, plain_click};
use crate::dom::{position, refocus};
use crate::html::dense::marks::retitle;
use crate::html::dense::strips::Strips;
use crate::protocol::Snapshot;
use crate::view::Filters;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, Event};
use std::sync::Arc;
use std::time::Duration;

/// How often at most the strips follow the cluster.
const REBUILD_EVERY: Duration = Duration::from_millis(500);

#[component]
pub fn DenseGrid(
    cluster: RwSignal<Arc<Snapshot>>,
    filters: Memo<Filters>,
    now_ms: RwSignal<f64>,
    outdated: Signal<bool>,
) -> impl IntoView {
    let colours = service_colours(cluster);
    // Under churn the cluster changes several times a second (the panel coalesces changes
    // over 50 ms), and each build is a pass over every task: the strips follow it at most
    // every REBUILD_EVERY (a wall screen half a second behind reads the same); the filters
    // and colours at once.
    let rebuild = ArcTrigger::new();
    let pending = std::rc::Rc::new(std::cell::Cell::new(false));
    Effect::new({
        let rebuild = rebuild.clone();
        move |_| {
            cluster.track();
            if !pending.replace(true) {
                let (rebuild, pending) = (rebuild.clone(), pending.clone());
                set_timeout(
                    move || {
                        pending.set(false);
                        rebuild.notify();
                    },
                    REBUILD_EVERY,
                );
            }
        }
    });
    // Strips that show no change are kept as they were; the clock is read, not followed:
    // ages are brought up to date when pointed at.
    let strips = Memo::new_owning(move |prev: Option<Strips>| {
        rebuild.track();
        let now = seconds(now_ms.get_untracked());
        let next = cluster.with_untracked(|c| {
            filters.with(|f| colours.with(|k| Strips::build(&c.state, f, k, now, prev.as_ref())))
        });
        (next, true)
    });
    let order = Memo::new(move |_| strips.with(|s| s.order.clone()));
    let layout = Memo::new(move |_| strips.with(|s| s.layout));
    let no_tasks = Memo::new(move |_| strips.with(Strips::no_tasks));
    let highlighted = move || filters.with(|f| f.highlight.is_some());

    let go = navigator();
    let pointed = move |ev: &Event| {
        let (key, index) = position(&mark(ev)?)?;
        strips.with_untracked(|s| s.pointed(&key, index))
    };
    let highlight = move |ev: &Event| {
        if let Some(pointed) = pointed(ev) {
            go(filters.with_untracked(|f| f.toggle_highlight(&pointed.service)));
        }
    };
    let on_key = {
        let highlight = highlight.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if !matches!(ev.key().as_str(), "Enter" | " ") {
                return;
            }
            let Some(at) = mark(&ev).and_then(|m| position(&m)) else {
                return;
            };
            ev.prevent_default();
            highlight(&ev);
            // The highlight rewrites every box, the focused mark too: once it has, focus the
            // same place again, so the keyboard stays where it was.
            request_animation_frame(move || refocus(&at));
        }
    };
    let retitle = move |ev: &Event| {
        let (Some(mark), Some(pointed)) = (mark(ev), pointed(ev)) else {
            return;
        };
        let Some(title) = mark.get_attribute("title") else {
            return;
        };
        let now = seconds(now_ms.get_untracked());
        let fresh = retitle(&title, pointed.since, now);
        if let Some(fresh) = fresh.filter(|fresh| *fresh != title) {
            let _ = mark.set_attribute("title", &fresh);
        }
    };

    view! {
        <div
            class="grid dense"
            class:cols=move || layout.get().columns()
            class:nolabels=move || !layout.get().labels()
            class:outdated=move || outdated.get()
            class=("has-highlight", highlighted)
            style=move || layout.get().style()
            on:click=move |ev| {
                if plain_click(&ev) {
                    highlight(&ev);
                }
            }
            on:keydown=on_key
            on:mouseover=move |ev| retitle(&ev)
            on:focusin=move |ev| retitle(&ev)
        >
            <For
                each=move || order.get()
                key=|key| key.clone()
                children=move |key| {
                    let strip = {
                        let key = key.clone();
                        Memo::new(move |_| {
                            strips.with(|s| s.by_key.get(&key).cloned().unwrap_or_default())
                        })
                    };
                    view! {
                        <section
                            class=move || strip.with(|s| s.class)
                            style=move || strip.with(|s| format!("--rows: {}", s.rows()))
                            data-id=key.clone()
                            data-node=move || strip.with(|s| s.hostname.clone())
                            title=move || strip.with(|s| s.title.clone())
                            inner_html=move || strip.with(|s| s.html.clone())
                        ></section>
                    }
                }
            />
        </div>
        {move || no_tasks.get().then(|| super::empty_summary_view(filters))}
    }
}

fn seconds(ms: f64) -> i64 {
    (ms / 1000.0) as i64
}

/// The mark an event happened on, if any.
fn mark(ev: &Event) -> Option<Element> {
    crate::dom::mark(&ev.target()?.dyn_into::<Element>().ok()?)
}
