//! The control page's placement grid: a column per node, a card per task, coloured by
//! service; in dense mode (`dense`), a box per node holding a strip of small task marks
//! instead. The markup is a viewer's (`html`); the page's own are the listeners.

use crate::components::colours::service_colours;
use crate::components::toggles::highlight_on_click;
use crate::html::cards::{column_views, empty_summary, grid_class, write_column};
use crate::protocol::Snapshot;
use crate::view::Filters;
// Either, not AnyView, for branches: type erasure keeps every rendering path of both arms in
// the wasm, where Either keeps only those used.
use leptos::either::Either;
use leptos::prelude::*;
use std::sync::Arc;

mod dense;

#[component]
pub fn Grid(
    cluster: RwSignal<Arc<Snapshot>>,
    filters: Memo<Filters>,
    dense: Memo<bool>,
    now_ms: RwSignal<f64>,
    /// Dims the grid while what it shows may be out of date.
    #[prop(into)]
    outdated: Signal<bool>,
) -> impl IntoView {
    // Each mode builds what it shows only while it is shown.
    move || {
        if dense.get() {
            Either::Left(view! { <dense::DenseGrid cluster filters now_ms outdated/> })
        } else {
            Either::Right(view! { <CardGrid cluster filters now_ms outdated/> })
        }
    }
}

/// The card grid, written as a viewer's page writes it (`html::cards`): a column's markup is
/// put in place when it changes; the cards' ages are kept up to date in place
/// (`dom::refresh_ages`), so the clock rewrites nothing. One listener answers every card.
#[component]
fn CardGrid(
    cluster: RwSignal<Arc<Snapshot>>,
    filters: Memo<Filters>,
    now_ms: RwSignal<f64>,
    outdated: Signal<bool>,
) -> impl IntoView {
    let colours = service_colours(cluster);
    let columns = Memo::new(move |_| {
        let now = (now_ms.get_untracked() / 1000.0) as i64;
        cluster.with(|c| {
            filters.with(|f| {
                colours.with(|k| {
                    let views = column_views(c, f);
                    let empty = !views.is_empty() && views.iter().all(|v| v.items.is_empty());
                    let columns: Vec<(String, String)> = views
                        .iter()
                        .map(|view| {
                            let mut html = String::new();
                            write_column(view, f, k, now, &mut html);
                            (view.key.clone(), html)
                        })
                        .collect();
                    (columns, empty_summary(empty, f))
                })
            })
        })
    });
    Effect::new(move |_| {
        now_ms.track();
        crate::dom::refresh_ages();
    });
    let on_click = highlight_on_click("article.task-card[data-service]", filters);
    let class = move || grid_class(outdated.get(), filters.with(|f| f.highlight.is_some()));
    view! {
        <div class=class on:click=on_click>
            <For
                each=move || columns.with(|c| c.0.clone())
                key=|column| column.clone()
                children=|(_, html)| view! { <div class="region" inner_html=html></div> }
            />
        </div>
        {move || columns.with(|c| c.1).map(|text| view! { <p class="summary">{text}</p> })}
    }
}

/// What an empty grid says instead (dense mode's).
fn empty_summary_view(filters: Memo<Filters>) -> impl IntoView {
    move || {
        filters
            .with(|f| empty_summary(true, f))
            .map(|text| view! { <p class="summary">{text}</p> })
    }
}
