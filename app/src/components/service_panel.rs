//! The highlighted service up close: its progress, live, in the CLI's words (overall
//! progress, one line per slot, the verdict, recent failures and the update status), and the
//! changes an operator makes to a running service: scale, new image, roll back, remove.

use crate::api::{Action, Done, Image, Role, Scale};
use crate::client;
use crate::components::service_progress::ServiceProgress;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::model::{Service, ServiceMode};
use crate::protocol::Snapshot;
use crate::view::Filters;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn ServicePanel(cluster: RwSignal<Arc<Snapshot>>, filters: Memo<Filters>) -> impl IntoView {
    let service = Memo::new(move |_| {
        let name = filters.with(|f| f.highlight.clone())?;
        cluster.with(|c| c.state.services.values().find(|s| s.name == name).cloned())
    });
    let id = Memo::new(move |_| service.with(|s| s.as_ref().map(|s| s.id.clone())));
    view! {
        {move || id.get().map(|id| view! { <Panel cluster service id/> })}
    }
}

#[component]
fn Panel(
    cluster: RwSignal<Arc<Snapshot>>,
    service: Memo<Option<Service>>,
    id: String,
) -> impl IntoView {
    let name = move || service.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    view! {
        <section class="service-panel" data-service=name>
            <h1>"Service " {name}</h1>
            <ServiceProgress cluster id=id.clone()/>
            <Actions service id/>
        </section>
    }
}

#[component]
fn Actions(service: Memo<Option<Service>>, id: String) -> impl IntoView {
    let session = Session::get();
    let operator = session.may(Role::Operator);
    let admin = session.may(Role::Admin);
    let outcome = RwSignal::new(Outcome::Idle);
    let replicas = RwSignal::new(String::new());
    let image = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let global = move || {
        service.with(|s| {
            s.as_ref()
                .is_some_and(|s| !matches!(s.mode, ServiceMode::Replicated { .. }))
        })
    };
    let id = StoredValue::new(id);
    let scale = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Scale {
            replicas: replicas.get_untracked(),
        };
        let n = body.replicas.trim().to_string();
        let path = Action::ServiceScale.path(&id.get_value());
        act(
            outcome,
            format!("scaling to {n}…"),
            async move { client::post::<_, Done>(&path, &body).await },
            move |_| format!("scaled to {n}"),
        );
    };
    let update_image = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Image {
            image: image.get_untracked(),
        };
        let path = Action::ServiceImage.path(&id.get_value());
        act(
            outcome,
            "starting the rolling update…",
            async move { client::post::<_, Done>(&path, &body).await },
            |_| "rolling update started".to_string(),
        );
    };
    let rollback = move |_| {
        let path = Action::ServiceRollback.path(&id.get_value());
        act(
            outcome,
            "rolling back…",
            async move { client::post::<_, Done>(&path, &()).await },
            |_| "rollback started".to_string(),
        );
    };
    // Once removed, the service leaves the live state and this panel with it.
    let remove = move |_| {
        confirming.set(false);
        let path = Action::ServiceRemove.path(&id.get_value());
        act(
            outcome,
            "removing…",
            async move { client::post::<_, Done>(&path, &()).await },
            |_| "removed".to_string(),
        );
    };
    view! {
        <Show when=move || operator.get()>
            <div class="service-actions">
                <form class="scale" on:submit=scale>
                    <label for="scale-replicas">"Replicas"</label>
                    <input id="scale-replicas" name="replicas" inputmode="numeric" size="5"
                        disabled=global
                        placeholder=move || service.with(|s| s.as_ref().map(|s| s.desired.to_string()).unwrap_or_default())
                        prop:value=move || replicas.get() on:input=move |ev| replicas.set(event_target_value(&ev))/>
                    <button type="submit" disabled=global title=move || global().then_some("global services run one task per node: they cannot be scaled")>"Scale"</button>
                </form>
                <form class="image" on:submit=update_image>
                    <label for="update-image">"Image"</label>
                    <input id="update-image" name="image" size="40"
                        placeholder=move || service.with(|s| s.as_ref().map(|s| s.image.clone()).unwrap_or_default())
                        prop:value=move || image.get() on:input=move |ev| image.set(event_target_value(&ev))/>
                    <button type="submit">"Update"</button>
                </form>
                <button type="button" class="rollback" on:click=rollback>"Roll back"</button>
                <Show when=move || admin.get()>
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="remove" on:click=move |_| confirming.set(true)>"Remove…"</button>
                    }>
                        <span class="confirm" role="alertdialog">
                            "Remove this service and all its tasks? "
                            <button type="button" class="remove confirm-remove" on:click=remove>"Yes, remove"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    </Show>
                </Show>
                <OutcomeLine outcome/>
            </div>
        </Show>
    }
}
