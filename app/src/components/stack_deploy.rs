//! "Deploy stack": a compose file pasted or loaded (with the files it names and the variables
//! it interpolates), previewed as the plan the server would carry out, then applied, with the
//! live progress of every service of the stack. Apply is offered only for inputs that were
//! previewed as they are: any edit asks for a new preview, so nothing unseen is applied.

mod files;
mod plan;

use crate::api::{Action, Refusal, Role};
use crate::client;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::protocol::Snapshot;
use crate::stacks::{ApplyReport, DeployRequest, Plan, ResolveImage, UploadedFile};
use crate::view::stacks::{kind_label, merge_env, plan_outdated, plan_summary};
use files::{ComposeFiles, OtherFiles};
use leptos::prelude::*;
use plan::{PlanView, ReportView, StackProgress};
use std::sync::Arc;

/// The form's inputs, shared with the Stacks section, whose "Edit and redeploy" fills them.
#[derive(Clone, Copy)]
pub struct DeployDraft {
    pub stack: RwSignal<String>,
    pub compose: RwSignal<Vec<UploadedFile>>,
    pub files: RwSignal<Vec<UploadedFile>>,
    pub variables: RwSignal<String>,
    pub prune: RwSignal<bool>,
    pub resolve_image: RwSignal<ResolveImage>,
    /// Bumped when a stored file is loaded, to bring the form into view.
    pub loaded: RwSignal<u32>,
    /// Bumped after each apply: a deploy may have stored a stack's file.
    pub deploys: RwSignal<u32>,
}

fn blank_compose() -> Vec<UploadedFile> {
    vec![UploadedFile {
        name: "docker-compose.yml".into(),
        text: String::new(),
    }]
}

impl DeployDraft {
    pub fn new() -> DeployDraft {
        DeployDraft {
            stack: RwSignal::new(String::new()),
            compose: RwSignal::new(blank_compose()),
            files: RwSignal::new(Vec::new()),
            variables: RwSignal::new(String::new()),
            prune: RwSignal::new(false),
            resolve_image: RwSignal::new(ResolveImage::default()),
            loaded: RwSignal::new(0),
            deploys: RwSignal::new(0),
        }
    }

    /// The request these inputs make (tracked: a Memo over it follows every edit).
    fn request(self) -> DeployRequest {
        DeployRequest {
            stack: self.stack.get().trim().to_string(),
            compose: self.compose.get(),
            files: self.files.get(),
            variables: self.variables.get(),
            prune: self.prune.get(),
            resolve_image: self.resolve_image.get(),
        }
    }

    /// Fills the form with a stored request (its other files carry names only).
    pub fn load(self, request: DeployRequest) {
        self.stack.set(request.stack);
        self.compose.set(if request.compose.is_empty() {
            blank_compose()
        } else {
            request.compose
        });
        self.files.set(request.files);
        self.variables.set(request.variables);
        self.prune.set(request.prune);
        self.resolve_image.set(request.resolve_image);
        self.loaded.update(|n| *n += 1);
    }
}

impl Default for DeployDraft {
    fn default() -> Self {
        DeployDraft::new()
    }
}

fn resolve_label(mode: ResolveImage) -> &'static str {
    match mode {
        ResolveImage::Always => "always",
        ResolveImage::Changed => "changed",
        ResolveImage::Never => "never",
    }
}

#[component]
pub fn StackDeploy(cluster: RwSignal<Arc<Snapshot>>, draft: DeployDraft) -> impl IntoView {
    let session = Session::get();
    let admin = session.may(Role::Admin);
    view! {
        <Show when=move || admin.get()>
            <DeployForm cluster draft/>
        </Show>
    }
}

#[component]
fn DeployForm(cluster: RwSignal<Arc<Snapshot>>, draft: DeployDraft) -> impl IntoView {
    let outcome = RwSignal::new(Outcome::Idle);
    let request = Memo::new(move |_| draft.request());
    // The last preview and the inputs it was made from.
    let previewed = RwSignal::new(None::<(DeployRequest, Plan)>);
    let report = RwSignal::new(None::<ApplyReport>);
    let same_inputs = Memo::new(move |_| {
        previewed.with(|p| {
            p.as_ref()
                .is_some_and(|(r, _)| request.with(|now| now == r))
        })
    });
    let plan = Memo::new(move |_| previewed.with(|p| p.as_ref().map(|(_, plan)| plan.clone())));
    // The swarm moved on since the preview (the stack removed from the Stacks section, or
    // deployed from elsewhere): the preview no longer says what an apply would do either.
    let outdated = Memo::new(move |_| {
        plan.with(|p| {
            p.as_ref()
                .is_some_and(|plan| cluster.with(|c| plan_outdated(plan, &c.state)))
        })
    });
    let fresh = Memo::new(move |_| same_inputs.get() && !outdated.get());
    let stale_note = Memo::new(move |_| match (same_inputs.get(), outdated.get()) {
        (false, _) => Some("The inputs changed since this preview: preview again to apply."),
        (true, true) => {
            Some("The stack changed on the swarm since this preview: preview again to apply.")
        }
        (true, false) => None,
    });
    let invalid = move |field: &'static str| {
        Signal::derive(move || {
            outcome.with(
                |o| matches!(o, Outcome::Failed(r) if r.fields.iter().any(|f| f.field == field)),
            )
        })
    };
    let (stack_invalid, variables_invalid) = (invalid("stack"), invalid("variables"));
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // A stored file just loaded: show the form it went into.
    Effect::new(move |_| {
        if draft.loaded.get() > 0 {
            previewed.set(None);
            #[cfg(feature = "hydrate")]
            if let Some(form) = form_ref.get_untracked() {
                form.scroll_into_view();
            }
        }
    });
    let preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = request.get_untracked();
        let sent = body.clone();
        act(
            outcome,
            format!("previewing {}…", body.stack),
            async move { client::post::<_, Plan>(Action::StackPreview.route(), &body).await },
            move |plan| {
                let summary = plan_summary(&plan);
                previewed.set(Some((sent, plan)));
                report.set(None);
                format!("preview: {summary}")
            },
        );
    };
    let apply = move |_| {
        if !fresh.get_untracked() {
            return;
        }
        let Some((body, _)) = previewed.get_untracked() else {
            return;
        };
        let stack = body.stack.clone();
        act(
            outcome,
            format!("deploying {stack}…"),
            async move {
                let answer =
                    client::post::<_, ApplyReport>(Action::StackDeploy.route(), &body).await;
                let answer = answer?;
                // The report shows what was done either way; a stop is also said as a refusal.
                let failed = answer.failed.as_ref().map(|(item, why)| {
                    format!(
                        "deploy stopped at {} {}: {why}. Nothing was rolled back.",
                        kind_label(item.kind),
                        item.name
                    )
                });
                report.set(Some(answer.clone()));
                previewed.set(None);
                draft.deploys.update(|n| *n += 1);
                match failed {
                    Some(error) => Err(Refusal {
                        error,
                        ..Refusal::default()
                    }),
                    None => Ok(answer),
                }
            },
            move |_| format!("deployed {stack}"),
        );
    };
    let env_loaded = move |read: Vec<UploadedFile>, refused: Vec<String>| {
        for file in read {
            draft.variables.update(|v| *v = merge_env(v, &file.text));
        }
        if !refused.is_empty() {
            outcome.set(Outcome::Failed(Refusal {
                error: refused.join("; "),
                ..Refusal::default()
            }));
        }
    };
    view! {
        <section class="stack-deploy">
            <h1>"Deploy stack"</h1>
            <form class="deploy-stack" node_ref=form_ref on:submit=preview>
                <div class="field">
                    <label for="stack-name">"Stack name"</label>
                    <input id="stack-name" name="stack" placeholder="ch03" autocomplete="off"
                        aria-invalid=move || stack_invalid.get().then_some("true")
                        prop:value=move || draft.stack.get() on:input=move |ev| draft.stack.set(event_target_value(&ev))/>
                </div>
                <ComposeFiles compose=draft.compose invalid=invalid("compose") outcome/>
                <OtherFiles files=draft.files invalid=invalid("files") outcome/>
                <fieldset class="variables">
                    <legend>"Variables for ${VAR} in the compose file: KEY=value lines"</legend>
                    <textarea name="variables" rows="4" spellcheck="false"
                        aria-invalid=move || variables_invalid.get().then_some("true")
                        placeholder="TAG=1.2\nPORT=8080"
                        prop:value=move || draft.variables.get() on:input=move |ev| draft.variables.set(event_target_value(&ev))></textarea>
                    <label class="file-pick">"Load a .env file "
                        <input type="file" name="env-upload" accept=".env,text/plain"
                            on:change=move |ev| files::read_chosen(&ev, env_loaded)/>
                    </label>
                </fieldset>
                <div class="deploy-options">
                    <label class="check">
                        <input type="checkbox" name="prune" prop:checked=move || draft.prune.get()
                            on:change=move |ev| draft.prune.set(event_target_checked(&ev))/>
                        "prune: remove services the file no longer has"
                    </label>
                    <label>"resolve image "
                        <select name="resolve-image" on:change=move |ev| {
                            let mode = match event_target_value(&ev).as_str() {
                                "changed" => ResolveImage::Changed,
                                "never" => ResolveImage::Never,
                                _ => ResolveImage::Always,
                            };
                            draft.resolve_image.set(mode);
                        }>
                            {[ResolveImage::Always, ResolveImage::Changed, ResolveImage::Never].map(|mode| view! {
                                <option value=resolve_label(mode) prop:selected=move || draft.resolve_image.get() == mode>{resolve_label(mode)}</option>
                            })}
                        </select>
                    </label>
                </div>
                <div class="deploy-buttons">
                    <button type="submit" class="preview" disabled=move || outcome.with(Outcome::is_pending)>"Preview"</button>
                    <button type="button" class="apply" on:click=apply
                        disabled=move || !fresh.get() || outcome.with(Outcome::is_pending)
                        title=move || (!fresh.get()).then_some("preview first: apply does what the preview showed")>
                        "Apply"
                    </button>
                </div>
            </form>
            <OutcomeLine outcome/>
            {move || plan.get().map(|plan| view! { <PlanView plan stale_note/> })}
            {move || report.get().map(|report| {
                let stack = report.stack.clone();
                view! {
                    <ReportView report/>
                    <StackProgress cluster stack/>
                }
            })}
        </section>
    }
}
