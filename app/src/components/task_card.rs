//! One task in the grid: full card by default, a coloured chip with the slot in dense mode
//! (CSS hides the rest; the title keeps everything a pointer can ask for).

use crate::components::toggles::{navigator, plain_click};
use crate::model::TaskState;
use crate::view::{self, Filters, service_hue};
use leptos::prelude::*;

/// What one card shows; cards are keyed by all of it, so a changed task re-renders alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Card {
    pub id: String,
    pub service: String,
    /// `name.slot`, or the name alone for a global service's task.
    pub label: String,
    pub chip: String,
    pub tag: String,
    pub state: TaskState,
    pub desired: TaskState,
    pub since: i64,
    pub message: String,
    pub error: Option<String>,
}

impl Card {
    /// The tooltip: everything the card shows and what dense mode hides, plus Docker's words.
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

#[component]
pub fn TaskCard(card: Card, filters: Memo<Filters>, now_ms: RwSignal<f64>) -> impl IntoView {
    let go = navigator();
    let service = card.service.clone();
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
            style=format!("--svc-hue: {}", service_hue(&card.service))
            title=card.title()
            on:click=move |ev| {
                if plain_click(&ev) {
                    go(filters.with_untracked(|f| f.toggle_highlight(&service)));
                }
            }
        >
            <span class="chip">{card.chip.clone()}</span>
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
        chip: view::chip_label(task),
        service,
        tag: crate::model::image_tag(&task.image).to_string(),
        state: task.state,
        desired: task.desired_state,
        since: task.since,
        message: task.message.clone(),
        error: task.error.clone().filter(|e| !e.is_empty()),
    }
}
