//! The audit log, newest first, for those allowed to read it: read when opened and on
//! request (it is a record to consult, not a live feed).

use crate::api::{AuditEntry, Role};
use crate::client;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::view::clock_utc;
use leptos::prelude::*;

#[component]
pub fn AuditLog() -> impl IntoView {
    let session = Session::get();
    let operator = session.may(Role::Operator);
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let outcome = RwSignal::new(Outcome::Idle);
    let load = move || {
        act(
            outcome,
            "reading the audit log…",
            client::get::<Vec<AuditEntry>>("/api/audit"),
            move |mut list| {
                list.reverse();
                let count = list.len();
                entries.set(list);
                format!("{count} most recent entries")
            },
        );
    };
    view! {
        <Show when=move || operator.get()>
            <section class="audit">
                <details on:toggle=move |_| load()>
                    <summary><h1>"Audit log"</h1></summary>
                    <button type="button" class="refresh" on:click=move |_| load()>"Refresh"</button>
                    <OutcomeLine outcome/>
                    <table class="audit-table">
                        <thead><tr><th>"Time (UTC)"</th><th>"Who"</th><th>"Client"</th><th>"Action"</th><th>"Target"</th><th>"Detail"</th><th>"Outcome"</th></tr></thead>
                        <tbody>
                            {move || entries.get().into_iter().map(|e| {
                                let refused = e.outcome != "ok";
                                view! {
                                <tr class="audit-entry" class:refused=refused>
                                    <td>{clock_utc(e.time_ms)}</td>
                                    <td>{e.who}</td>
                                    <td class="client">{e.client}</td>
                                    <td class="action">{e.action}</td>
                                    <td>{e.target}</td>
                                    <td class="detail">{e.detail}</td>
                                    <td class="outcome">{e.outcome}</td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table>
                </details>
            </section>
        </Show>
    }
}
