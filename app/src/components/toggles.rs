//! View toggles, and how a click changes the filters: the URL query is the only place they
//! live, so every change is a navigation. Without scripts the toggles are GET forms (and the
//! services table's names are links), so a static page can still be switched and bookmarked;
//! with scripts the click is taken over and the URL replaced in place, so neither the history
//! nor the scroll position fills up with view changes.

use crate::view::Filters;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
// Where a click leads: the address (see `crate::address`).
pub use crate::address::navigator;

/// A plain primary click; modified ones (new tab, new window) are left to the browser.
pub fn plain_click(ev: &MouseEvent) -> bool {
    ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key())
}

/// A listener for a part written as HTML whose items (those matching `selector`, each with
/// a `data-service`) highlight their service on a plain click, a second click clearing it.
/// The click is taken over (a row's link is followed in place).
pub fn highlight_on_click(
    selector: &'static str,
    filters: Memo<Filters>,
) -> impl Fn(MouseEvent) + Clone + 'static {
    use leptos::wasm_bindgen::JsCast;
    let go = navigator();
    move |ev: MouseEvent| {
        if !plain_click(&ev) {
            return;
        }
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok());
        let item = target.and_then(|t| t.closest(selector).ok().flatten());
        if let Some(service) = item.and_then(|i| i.get_attribute("data-service")) {
            ev.prevent_default();
            go(filters.with_untracked(|f| f.toggle_highlight(&service)));
        }
    }
}

/// A toggle button. `target` is where a click leads; the hidden fields carry it when the
/// form is submitted without scripts.
#[component]
pub fn Toggle(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] pressed: Signal<bool>,
    #[prop(into)] target: Signal<Filters>,
    #[prop(optional)] title: Option<&'static str>,
) -> impl IntoView {
    let go = navigator();
    let fields = move || {
        target
            .get()
            .pairs()
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
            .collect_view()
    };
    view! {
        <form method="get" action="/" class="toggle">
            {fields}
            <button
                type="submit"
                title=title
                aria-pressed=move || pressed.get().to_string()
                on:click=move |ev| {
                    if plain_click(&ev) {
                        ev.prevent_default();
                        go(target.get_untracked());
                    }
                }
            >
                {move || label.get()}
            </button>
        </form>
    }
}

/// The bar of toggles: running only, group by stack, dense, and (while one is chosen) the
/// highlighted service, to clear it.
#[component]
pub fn Toggles(filters: Memo<Filters>, dense: Memo<bool>, auto_dense: Memo<bool>) -> impl IntoView {
    let changed = move |change: fn(&mut Filters)| {
        Signal::derive(move || {
            let mut f = filters.get();
            change(&mut f);
            f
        })
    };
    let dense_label = move || {
        let auto = filters.with(|f| f.dense.is_none());
        if auto { "dense (auto)" } else { "dense" }.to_string()
    };
    let highlighted = move || filters.with(|f| f.highlight.clone());
    view! {
        <nav class="toggles" aria-label="View">
            <Toggle
                label="running only".to_string()
                title="Only tasks Docker wants running, including pending and starting ones"
                pressed=Signal::derive(move || filters.with(|f| f.running_only))
                target=changed(|f| f.running_only = !f.running_only)
            />
            <Toggle
                label="group by stack".to_string()
                pressed=Signal::derive(move || filters.with(|f| f.group_by_stack))
                target=changed(|f| f.group_by_stack = !f.group_by_stack)
            />
            <Toggle
                label=Signal::derive(dense_label)
                title="A strip of small marks per node; automatic past 200 tasks or 12 nodes"
                pressed=dense
                target=Signal::derive(move || filters.with(|f| f.toggle_dense(auto_dense.get())))
            />
            {move || {
                highlighted()
                    .map(|service| {
                        view! {
                            <Toggle
                                label=format!("highlight: {service} ✕")
                                title="Clear the highlight"
                                pressed=true
                                target=changed(|f| f.highlight = None)
                            />
                        }
                    })
            }}
        </nav>
    }
}
