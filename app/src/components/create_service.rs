//! The create-service form: every field `docker service create` is commonly given, checked in
//! the browser as the user goes (a field once left, every field after a submit) with the same
//! validators the server runs again. On success the new service is highlighted, so its
//! progress shows at once.

mod rows;

use crate::api::{Action, Done, RegistryImages, Role};
use crate::client;
use crate::components::form_fields::{Choice, Errors, Input, Touched};
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::components::toggles::navigator;
use crate::forms::ServiceForm;
use crate::policy::check_form;
use crate::protocol::Snapshot;
use crate::view::Filters;
use leptos::prelude::*;
use rows::{Mounts, Networks, Ports};
use std::sync::Arc;

/// An input bound to one text field of the form.
macro_rules! text {
    ($form:ident, $errors:ident, $label:literal, $field:ident $(, $prop:ident = $value:expr)*) => {
        view! {
            <Input
                label=$label
                field=stringify!($field)
                value=Signal::derive(move || $form.with(|f| f.$field.clone()))
                set=Callback::new(move |v| $form.update(|f| f.$field = v))
                errors=$errors
                $($prop=$value)*
            />
        }
    };
}

/// A select bound to one text field of the form.
macro_rules! choice {
    ($form:ident, $errors:ident, $label:literal, $field:ident, $options:expr) => {
        view! {
            <Choice
                label=$label
                field=stringify!($field)
                options=$options
                value=Signal::derive(move || $form.with(|f| f.$field.clone()))
                set=Callback::new(move |v| $form.update(|f| f.$field = v))
                errors=$errors
            />
        }
    };
}

#[component]
pub fn CreateService(cluster: RwSignal<Arc<Snapshot>>, filters: Memo<Filters>) -> impl IntoView {
    let session = Session::get();
    let may = session.may(Role::Admin);
    let form = RwSignal::new(ServiceForm::default());
    let checked = RwSignal::new(false);
    let outcome = RwSignal::new(Outcome::Idle);
    let registry = RwSignal::new(RegistryImages::default());
    // The registry's images, offered in the image field: asked whenever control is granted.
    Effect::new(move |_| {
        if may.get() {
            leptos::task::spawn_local(async move {
                if let Ok(images) = client::get::<RegistryImages>("/api/registry").await {
                    registry.set(images);
                }
            });
        }
    });
    // Errors show for the fields the user has left, and for all of them after a submit.
    let touched = RwSignal::new(Vec::<String>::new());
    provide_context(Touched(touched));
    // The policy the server enforces, as it told this session: checked here too, and shown.
    let policy = Memo::new(move |_| {
        session
            .me
            .with(|m| m.as_ref().and_then(|m| m.policy.clone()))
    });
    let local = Memo::new(move |_| {
        let mut errors =
            policy.with(|p| form.with(|f| check_form(f, p.as_ref()).err().unwrap_or_default()));
        if !checked.get() {
            touched.with(|t| errors.retain(|e| t.contains(&e.field)));
        }
        errors
    });
    let errors: Errors = Signal::derive(move || {
        let mut list = local.get();
        if let Outcome::Failed(refusal) = outcome.get() {
            list.extend(refusal.fields);
        }
        list
    });
    let go = navigator();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        checked.set(true);
        let current = form.get_untracked();
        if let Err(problems) = policy.with_untracked(|p| check_form(&current, p.as_ref())) {
            outcome.set(Outcome::Failed(crate::api::Refusal {
                error: format!(
                    "{} field(s) to correct before anything is sent",
                    problems.len()
                ),
                ..Default::default()
            }));
            return;
        }
        let name = current.name.trim().to_string();
        let go = go.clone();
        act(
            outcome,
            format!("creating {name}…"),
            async move { client::post::<_, Done>(Action::ServiceCreate.route(), &current).await },
            move |_| {
                form.set(ServiceForm::default());
                checked.set(false);
                touched.set(vec![]);
                go(filters.with_untracked(|f| Filters {
                    highlight: Some(name.clone()),
                    ..f.clone()
                }));
                format!("created {name}: its progress is shown above")
            },
        );
    };
    view! {
        <Show when=move || may.get()>
            <section class="create-service">
                <details>
                    <summary><h1>"New service"</h1></summary>
                    {move || policy.get().map(|p| view! {
                        <ul class="policy" aria-label="What the panel allows">
                            {p.describe().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                        </ul>
                    })}
                    <form class="service-form" on:submit=submit.clone() novalidate>
                        <fieldset>
                            <legend>"Service"</legend>
                            {text!(form, errors, "Name", name, hint = "echo")}
                            {text!(form, errors, "Image", image, hint = "registry:5000/example/echo:latest", list = "registry-images")}
                            <datalist id="registry-images">
                                {move || registry.get().images.into_iter().map(|i| view! { <option value=i></option> }).collect_view()}
                            </datalist>
                            {move || registry.get().problem.map(|p| view! { <p class="summary">"Registry: " {p}</p> })}
                            {choice!(form, errors, "Mode", mode, &[("replicated", "replicated"), ("global", "global")])}
                            {text!(form, errors, "Replicas", replicas, hint = "1 (empty for global)")}
                            {text!(form, errors, "Command", command, hint = "words; \"quotes\" keep spaces")}
                            {text!(form, errors, "Args", args)}
                        </fieldset>
                        <fieldset>
                            <legend>"Environment and labels"</legend>
                            {text!(form, errors, "Env", env, lines = true, hint = "KEY=value, one per line")}
                            {text!(form, errors, "Labels", labels, lines = true, hint = "key=value, one per line")}
                        </fieldset>
                        <Ports form errors/>
                        <Mounts form errors/>
                        <Networks form errors cluster/>
                        <fieldset>
                            <legend>"Placement"</legend>
                            {text!(form, errors, "Constraints", constraints, lines = true, hint = "node.role==worker, one per line")}
                            {text!(form, errors, "Spread over", spread, lines = true, hint = "node.labels.zone, one per line")}
                        </fieldset>
                        <fieldset>
                            <legend>"Resources"</legend>
                            {text!(form, errors, "CPU limit", limit_cpus, hint = "0.5")}
                            {text!(form, errors, "Memory limit", limit_memory, hint = "256M")}
                            {text!(form, errors, "CPU reservation", reserve_cpus, hint = "0.25")}
                            {text!(form, errors, "Memory reservation", reserve_memory, hint = "128M")}
                        </fieldset>
                        <fieldset>
                            <legend>"Restart policy"</legend>
                            {choice!(form, errors, "Condition", restart_condition, &[("", "default (any)"), ("any", "any"), ("on-failure", "on-failure"), ("none", "none")])}
                            {text!(form, errors, "Delay", restart_delay, hint = "5s")}
                            {text!(form, errors, "Max attempts", restart_max_attempts, hint = "unlimited")}
                        </fieldset>
                        <fieldset>
                            <legend>"Update config"</legend>
                            {text!(form, errors, "Parallelism", update_parallelism, hint = "1")}
                            {text!(form, errors, "Delay", update_delay, hint = "10s")}
                            {choice!(form, errors, "Order", update_order, &[("", "default (stop-first)"), ("stop-first", "stop-first"), ("start-first", "start-first")])}
                            {choice!(form, errors, "Failure action", update_failure_action, &[("", "default (pause)"), ("pause", "pause"), ("continue", "continue"), ("rollback", "rollback")])}
                        </fieldset>
                        <div class="actions">
                            <button type="submit" disabled=move || outcome.with(Outcome::is_pending)>"Create service"</button>
                            <OutcomeLine outcome/>
                        </div>
                    </form>
                </details>
            </section>
        </Show>
    }
}
