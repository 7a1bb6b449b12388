//! The stacks, as `docker stack ls` lists them (those made with the CLI included, by their
//! namespace label), each opening onto its `stack services` and `stack ps` tables; for admins,
//! removing a stack after confirmation, and loading a stack deployed from the panel back into
//! the deploy form.

use crate::api::{Action, Done, Role};
use crate::client;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::components::stack_deploy::DeployDraft;
use crate::protocol::Snapshot;
use crate::stacks::DeployRequest;
use crate::view::stacks::{cli_error, current_state, stack_list, stack_services, stack_tasks};
use leptos::prelude::*;
use std::sync::Arc;

/// Names a URL may carry as they are; Docker's stack names always are (the CLI refuses
/// others), a label set by hand may not be, and such a stack is only listed.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Where the panel keeps the last file it deployed for a stack.
fn stored_path(stack: &str) -> String {
    format!("/api/stacks/{stack}/file")
}

#[component]
pub fn Stacks(
    cluster: RwSignal<Arc<Snapshot>>,
    now_ms: RwSignal<f64>,
    draft: DeployDraft,
) -> impl IntoView {
    let session = Session::get();
    let admin = session.may(Role::Admin);
    let rows = Memo::new(move |_| cluster.with(|c| stack_list(&c.state)));
    let names =
        Memo::new(move |_| rows.with(|r| r.iter().map(|s| s.name.clone()).collect::<Vec<_>>()));
    let outcome = RwSignal::new(Outcome::Idle);
    // The stack whose removal is being confirmed.
    let confirming = RwSignal::new(None::<String>);
    let remove = move |stack: String| {
        confirming.set(None);
        let path = Action::StackRemove.path(&stack);
        act(
            outcome,
            format!("removing stack {stack}…"),
            async move { client::post::<_, Done>(&path, &()).await },
            move |_| format!("removed stack {stack}"),
        );
    };
    let edit = move |stack: String| {
        let path = stored_path(&stack);
        act(
            outcome,
            format!("loading the last deployed file of {stack}…"),
            async move { client::get::<DeployRequest>(&path).await },
            move |request| {
                draft.load(request);
                format!("{stack} loaded into the deploy form")
            },
        );
    };
    view! {
        <section class="stacks">
            <h1>"Stacks"</h1>
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="summary">"No stacks: no service has a stack namespace label."</p> })}
            <table class="stack-table">
                <thead>
                    <tr><th>"Name"</th><th>"Services"</th><th></th></tr>
                </thead>
                <For each=move || names.get() key=|name| name.clone() let:name>
                    <StackRows cluster now_ms draft name=name.clone() admin confirming remove edit/>
                </For>
            </table>
            <OutcomeLine outcome/>
        </section>
    }
}

#[component]
fn StackRows(
    cluster: RwSignal<Arc<Snapshot>>,
    now_ms: RwSignal<f64>,
    draft: DeployDraft,
    name: String,
    admin: Signal<bool>,
    confirming: RwSignal<Option<String>>,
    remove: impl Fn(String) + Copy + Send + Sync + 'static,
    edit: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = StoredValue::new(name);
    let services =
        Memo::new(move |_| cluster.with(|c| stack_services(&c.state, &name.read_value())));
    let tasks = Memo::new(move |_| cluster.with(|c| stack_tasks(&c.state, &name.read_value())));
    let now_secs = move || (now_ms.get() / 1000.0) as i64;
    // Whether the panel keeps a file for this stack (deployed from here): asked once control
    // is granted, and again after each deploy, which may have stored one.
    let stored = RwSignal::new(false);
    Effect::new(move |_| {
        draft.deploys.track();
        let stack = name.get_value();
        if admin.get() && plain(&stack) {
            leptos::task::spawn_local(async move {
                let found = client::get::<DeployRequest>(&stored_path(&stack))
                    .await
                    .is_ok();
                stored.set(found);
            });
        }
    });
    let is_confirming =
        move || confirming.with(|c| c.as_deref() == Some(name.read_value().as_str()));
    let controls = move || {
        let stack = name.get_value();
        if !admin.get() || !plain(&stack) {
            return None;
        }
        Some(if is_confirming() {
            view! {
                <span class="confirm" role="alertdialog">
                    {format!("Remove stack {stack}: its services, networks, secrets and configs; volumes stay. ")}
                    <button type="button" class="remove confirm-remove" on:click=move |_| remove(name.get_value())>"Confirm"</button>
                    <button type="button" class="cancel-remove" on:click=move |_| confirming.set(None)>"Cancel"</button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <span class="stack-actions">
                    <Show when=move || stored.get()>
                        <button type="button" class="edit-stack" on:click=move |_| edit(name.get_value())>"Edit and redeploy"</button>
                    </Show>
                    <button type="button" class="remove remove-stack" on:click=move |_| confirming.set(Some(name.get_value()))>"Remove"</button>
                </span>
            }
            .into_any()
        })
    };
    view! {
        <tbody class="stack-group">
            <tr class="stack" data-stack=name.get_value()>
                <td class="name">{name.get_value()}</td>
                <td class="count">{move || services.with(Vec::len)}</td>
                <td class="stack-controls">{controls}</td>
            </tr>
            <tr class="stack-detail" data-stack=name.get_value()>
                <td colspan="3">
                    <details>
                        <summary>{move || format!("services and tasks of {}", name.read_value())}</summary>
                        <table class="stack-services">
                            <thead><tr><th>"ID"</th><th>"Name"</th><th>"Mode"</th><th>"Replicas"</th><th>"Image"</th><th>"Ports"</th></tr></thead>
                            <tbody>
                                <For each=move || services.get() key=|r| r.clone() let:row>
                                    <tr class="stack-service" data-service=row.name.clone()>
                                        <td class="id">{row.id}</td>
                                        <td>{row.name.clone()}</td>
                                        <td>{row.mode}</td>
                                        <td>{row.replicas}</td>
                                        <td class="image">{row.image}</td>
                                        <td>{row.ports}</td>
                                    </tr>
                                </For>
                            </tbody>
                        </table>
                        <table class="stack-tasks">
                            <thead><tr><th>"ID"</th><th>"Name"</th><th>"Image"</th><th>"Node"</th><th>"Desired state"</th><th>"Current state"</th><th>"Error"</th></tr></thead>
                            <tbody>
                                <For each=move || tasks.get() key=|r| r.clone() let:row>
                                    <tr class="stack-task" class:history=row.history data-state=row.state.label()>
                                        <td class="id">{row.id}</td>
                                        <td>{if row.history { format!(" \\_ {}", row.name) } else { row.name }}</td>
                                        <td class="image">{row.image}</td>
                                        <td>{row.node}</td>
                                        <td>{row.desired}</td>
                                        <td>{move || current_state(row.state, row.since, now_secs())}</td>
                                        <td class="error" title=row.error.clone()>{cli_error(&row.error)}</td>
                                    </tr>
                                </For>
                            </tbody>
                        </table>
                    </details>
                </td>
            </tr>
        </tbody>
    }
}
