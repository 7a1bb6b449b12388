//! One task in the card grid (dense mode shows marks instead: see `grid::dense`); its title
//! keeps everything a pointer can ask for.

use crate::components::toggles::{navigator, plain_click};
use crate::model::TaskState;
use crate::protocol::Snapshot;
use crate::view::{self, Filters, ServiceColours};
use leptos::prelude::*;
use std::sync::Arc;

/// What one card shows; cards are keyed by all of it, so a changed task re-renders alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Card {
    pub id: String,
    pub service: String,
    /// `name.slot`, or the name alone for a global service's task.
    pub label: String,
    pub tag: String,
    pub state: TaskState,
    pub desired: TaskState,
    pub since: i64,
    pub message: String,
    pub error: Option<String>,
}

impl Card {
    /// The tooltip: everything the card shows, plus Docker's words.
    fn title(&self) -> String {
        let mut title = format!(
            "{} · {} · {} (desired {})",
            self.label,
            self.tag,
            self.state.label(),
            self.desired.label()
        );
        if !self.message.is_empty() {
            title += &format!(" · {}", self.message);
        }
        if let Some(error) = &self.error {
            title += &format!(" · {error}");
        }
        title
    }
}

/// The services' colours, rebuilt only when the set of service names changes (not on every
/// task update): the grid and the services table each hold one, and every card reads it.
pub fn service_colours(cluster: RwSignal<Arc<Snapshot>>) -> Memo<ServiceColours> {
    let names = Memo::new(move |_| cluster.with(|c| view::palette::service_names(&c.state)));
    Memo::new(move |_| names.with(|n| ServiceColours::new(n)))
}

#[component]
pub fn TaskCard(
    card: Card,
    filters: Memo<Filters>,
    colours: Memo<ServiceColours>,
    now_ms: RwSignal<f64>,
) -> impl IntoView {
    let go = navigator();
    let service = card.service.clone();
    let style = {
        let service = service.clone();
        move || colours.with(|c| c.style(&service))
    };
    let highlight = {
        let service = service.clone();
        move || filters.with(|f| f.highlight.as_deref() == Some(service.as_str()))
    };
    let since = card.since;
    let age = move || view::age(since, (now_ms.get() / 1000.0) as i64);
    // Not converged: Docker wants it running but it is not (yet), or the reverse.
    let settling = card.state != card.desired;
    view! {
        <article
            class="task-card"
            class:highlight=highlight
            class:settling=settling
            class:failed=card.error.is_some()
            data-service=card.service.clone()
            data-task-id=card.id.clone()
            data-state=card.state.label()
            style=style
            title=card.title()
            on:click=move |ev| {
                if plain_click(&ev) {
                    go(filters.with_untracked(|f| f.toggle_highlight(&service)));
                }
            }
        >
            <span class="name">{card.label.clone()}</span>
            <span class="age">{age}</span>
            <span class="tag">{card.tag.clone()}</span>
            <span class="states">
                {card.state.label()}
                {settling.then(|| format!(" → {}", card.desired.label()))}
            </span>
            {card.error.clone().map(|e| view! { <span class="error">{e}</span> })}
        </article>
    }
}

/// Cards are built from tasks here, not in the view: the grid keys on them.
pub fn card(state: &crate::state::ClusterState, task: &crate::model::Task) -> Card {
    let service = view::service_name(state, task).to_string();
    Card {
        id: task.id.clone(),
        label: view::task_label(&service, task),
        service,
        tag: crate::model::image_tag(&task.image).to_string(),
        state: task.state,
        desired: task.desired_state,
        since: task.since,
        message: task.message.clone(),
        error: task.error.clone().filter(|e| !e.is_empty()),
    }
}
