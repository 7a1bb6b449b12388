//! A node's controls in the nodes table: availability (drain moves its tasks away), labels
//! added and removed, promote and demote. What changed shows in the table and the grid from
//! the live feed; only refusals are shown here.

use crate::api::{Action, Availability, Done, Labels, Role, RoleChange};
use crate::client;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::model::{self, Node};
use leptos::prelude::*;

fn send<B: serde::Serialize + 'static>(
    outcome: RwSignal<Outcome>,
    path: String,
    body: B,
    doing: String,
) {
    act(
        outcome,
        doing,
        async move { client::post::<_, Done>(&path, &body).await },
        |_| String::new(),
    );
}

#[component]
pub fn NodeActions(node: Node) -> impl IntoView {
    let session = Session::get();
    let operator = session.may(Role::Operator);
    let admin = session.may(Role::Admin);
    let outcome = RwSignal::new(Outcome::Idle);
    let new_label = RwSignal::new(String::new());
    let id = StoredValue::new(node.id.clone());
    let host = StoredValue::new(node.hostname.clone());
    let current = node.availability;
    let set_availability = move |ev| {
        let availability = match event_target_value(&ev).as_str() {
            "active" => model::Availability::Active,
            "pause" => model::Availability::Pause,
            "drain" => model::Availability::Drain,
            _ => return,
        };
        let doing = format!("{} {}…", availability.label(), host.get_value());
        send(
            outcome,
            Action::NodeAvailability.path(&id.get_value()),
            Availability { availability },
            doing,
        );
    };
    let (role_to, role_text) = match node.role {
        model::Role::Manager => (model::Role::Worker, "Demote"),
        model::Role::Worker => (model::Role::Manager, "Promote"),
    };
    let change_role = move |_| {
        send(
            outcome,
            Action::NodeRole.path(&id.get_value()),
            RoleChange { role: role_to },
            format!("{} to {}…", host.get_value(), role_to.label()),
        );
    };
    let add_label = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let add = new_label.get_untracked();
        new_label.set(String::new());
        send(
            outcome,
            Action::NodeLabels.path(&id.get_value()),
            Labels {
                add,
                remove: vec![],
            },
            "adding the label…".into(),
        );
    };
    let labels = node.labels.clone();
    view! {
        <td class="labels">
            {labels.into_iter().map(|(k, v)| {
                let key = k.clone();
                view! {
                    <span class="label" data-label=k.clone()>
                        {format!("{k}={v}")}
                        <Show when=move || admin.get()>
                            <button type="button" class="remove-label" title=format!("remove label {key}")
                                on:click={
                                    let key = key.clone();
                                    move |_| send(outcome, Action::NodeLabels.path(&id.get_value()), Labels { add: String::new(), remove: vec![key.clone()] }, "removing the label…".into())
                                }>"×"</button>
                        </Show>
                    </span>
                }
            }).collect_view()}
            <Show when=move || admin.get()>
                <form class="add-label" on:submit=add_label>
                    <input name="label" placeholder="key=value" size="10" aria-label=move || format!("new label for {}", host.get_value())
                        prop:value=move || new_label.get() on:input=move |ev| new_label.set(event_target_value(&ev))/>
                    <button type="submit">"Add"</button>
                </form>
            </Show>
        </td>
        <td class="node-actions">
            <Show when=move || operator.get()>
                <select name="availability" aria-label=move || format!("availability of {}", host.get_value()) on:change=set_availability>
                    {[model::Availability::Active, model::Availability::Pause, model::Availability::Drain].into_iter().map(|a| {
                        let value = a.label().to_ascii_lowercase();
                        view! { <option value=value selected=a == current>{a.label()}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <Show when=move || admin.get()>
                <button type="button" class="role-change" on:click=change_role>{role_text}</button>
            </Show>
            <OutcomeLine outcome/>
        </td>
    }
}
