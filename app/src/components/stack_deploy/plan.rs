//! What a preview says an apply would do, what an apply did, and then the live progress of
//! every service of the stack until it converges.

use crate::components::service_progress::ServiceProgress;
use crate::protocol::Snapshot;
use crate::stacks::{ApplyReport, Plan, PlanAction, PlanItem};
use crate::view::stacks::{action_label, kind_label, natural_cmp, plan_summary};
use leptos::prelude::*;
use std::sync::Arc;

fn shown(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "(none)".into())
}

/// One object of the plan; an update lists the fields it changes, old -> new.
fn item_row(item: PlanItem) -> impl IntoView {
    let action = action_label(item.action);
    let changes = (item.action == PlanAction::Update && !item.changes.is_empty()).then(|| {
        view! {
            <ul class="changes">
                {item.changes.into_iter().map(|c| view! {
                    <li class="change" data-path=c.path.clone()>
                        <code class="path">{c.path.clone()}</code> ": "
                        <code class="old">{shown(&c.old)}</code> " -> "
                        <code class="new">{shown(&c.new)}</code>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <tr class=format!("plan-item {action}") data-kind=kind_label(item.kind) data-name=item.name.clone() data-action=action>
            <td class="kind">{kind_label(item.kind)}</td>
            <td class="name">{item.name.clone()}</td>
            <td class="action">{action}</td>
            <td class="detail">{changes}</td>
        </tr>
    }
}

/// The preview. Shown dimmed, with why, once the inputs or the swarm have changed since: it
/// no longer says what an apply would do.
#[component]
pub fn PlanView(plan: Plan, stale_note: Memo<Option<&'static str>>) -> impl IntoView {
    let summary = plan_summary(&plan);
    let Plan {
        stack,
        items,
        warnings,
    } = plan;
    view! {
        <div class="plan" class:stale=move || stale_note.with(Option::is_some) data-stack=stack.clone()>
            <h2>{format!("Preview of {stack}")}</h2>
            <p class="plan-summary">{summary}</p>
            {move || stale_note.get().map(|note| view! { <p class="stale-note">{note}</p> })}
            {(!warnings.is_empty()).then(|| view! {
                <ul class="plan-warnings">
                    {warnings.into_iter().map(|w| view! { <li class="warning">{w}</li> }).collect_view()}
                </ul>
            })}
            <table class="plan-items">
                <thead><tr><th>"Kind"</th><th>"Name"</th><th>"Action"</th><th>"Changes"</th></tr></thead>
                <tbody>{items.into_iter().map(item_row).collect_view()}</tbody>
            </table>
        </div>
    }
}

fn report_list(class: &'static str, title: &'static str, items: Vec<PlanItem>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <div class=class>
                <h3>{title}</h3>
                <ul>
                    {items.into_iter().map(|i| view! {
                        <li data-kind=kind_label(i.kind) data-name=i.name.clone()>
                            {format!("{} {} ({})", kind_label(i.kind), i.name, action_label(i.action))}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// What an apply did: done, where it stopped and why, what it did not reach.
#[component]
pub fn ReportView(report: ApplyReport) -> impl IntoView {
    let ApplyReport {
        stack,
        done,
        failed,
        not_done,
    } = report;
    let outcome = if failed.is_some() { "failed" } else { "done" };
    let failure = failed.map(|(item, why)| {
        view! {
            <p class="failed error" data-kind=kind_label(item.kind) data-name=item.name.clone()>
                {format!("failed: {} {}: {why}", kind_label(item.kind), item.name)}
            </p>
            <p class="not-rolled-back">"Nothing was rolled back: what is listed as done stays done."</p>
        }
    });
    let nothing = done.is_empty() && failure.is_none();
    view! {
        <div class="apply-report" data-stack=stack.clone() data-outcome=outcome>
            <h2>{format!("Deploy of {stack}")}</h2>
            {nothing.then(|| view! { <p class="done">"nothing to change"</p> })}
            {report_list("done", "Done", done)}
            {failure}
            {report_list("not-done", "Not done", not_done)}
        </div>
    }
}

/// Every service the stack now has, each with its live progress (found by name in the live
/// state, so a service created by the apply shows as soon as the feed brings it).
#[component]
pub fn StackProgress(cluster: RwSignal<Arc<Snapshot>>, stack: String) -> impl IntoView {
    let services = Memo::new(move |_| {
        cluster.with(|c| {
            let mut named: Vec<(String, String)> = c
                .state
                .services
                .values()
                .filter(|s| s.stack.as_deref() == Some(stack.as_str()))
                .map(|s| (s.name.clone(), s.id.clone()))
                .collect();
            named.sort_by(|a, b| natural_cmp(&a.0, &b.0));
            named
        })
    });
    view! {
        <div class="stack-progress">
            <For each=move || services.get() key=|pair| pair.clone() let:pair>
                <div class="stack-service-progress" data-service=pair.0.clone()>
                    <h3>{pair.0.clone()}</h3>
                    <ServiceProgress cluster id=pair.1.clone()/>
                </div>
            </For>
        </div>
    }
}
