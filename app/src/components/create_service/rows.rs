//! The create form's repeated parts: published ports and mounts (rows added and removed), and
//! the networks to attach (the swarm's own overlay networks, to tick).

use crate::components::form_fields::{Choice, Errors, Input, error_for};
use crate::forms::ServiceForm;
use crate::forms::service::{MountForm, PortForm};
use crate::protocol::Snapshot;
use leptos::prelude::*;
use std::sync::Arc;

/// A value and its setter for one text field of row `i` of a list in the form.
struct Bound {
    value: Signal<String>,
    set: Callback<String>,
}

fn bind<R: 'static>(
    form: RwSignal<ServiceForm>,
    rows: Rows<R>,
    i: usize,
    get: fn(&R) -> &String,
    set: fn(&mut R) -> &mut String,
) -> Bound {
    Bound {
        value: Signal::derive(move || {
            form.with(|f| rows.0(f).get(i).map(|r| get(r).clone()).unwrap_or_default())
        }),
        set: Callback::new(move |v| {
            form.update(|f| {
                if let Some(r) = rows.1(f).get_mut(i) {
                    *set(r) = v
                }
            })
        }),
    }
}

type Rows<R> = (
    fn(&ServiceForm) -> &[R],
    fn(&mut ServiceForm) -> &mut Vec<R>,
);
const PORTS: Rows<PortForm> = (|f| &f.ports, |f| &mut f.ports);
const MOUNTS: Rows<MountForm> = (|f| &f.mounts, |f| &mut f.mounts);

#[component]
pub fn Ports(form: RwSignal<ServiceForm>, errors: Errors) -> impl IntoView {
    let count = Memo::new(move |_| form.with(|f| f.ports.len()));
    view! {
        <fieldset class="rows">
            <legend>"Published ports"</legend>
            <For each=move || 0..count.get() key=|i| *i let:i>
                <div class="row">
                    { let b = bind(form, PORTS, i, |r| &r.target, |r| &mut r.target); view! { <Input label="Target" field=format!("ports[{i}].target") value=b.value set=b.set errors hint="80"/> } }
                    { let b = bind(form, PORTS, i, |r| &r.published, |r| &mut r.published); view! { <Input label="Published" field=format!("ports[{i}].published") value=b.value set=b.set errors hint="8080"/> } }
                    { let b = bind(form, PORTS, i, |r| &r.protocol, |r| &mut r.protocol); view! { <Choice label="Protocol" field=format!("ports[{i}].protocol") options=&[("tcp", "tcp"), ("udp", "udp"), ("sctp", "sctp")] value=b.value set=b.set errors/> } }
                    { let b = bind(form, PORTS, i, |r| &r.mode, |r| &mut r.mode); view! { <Choice label="Mode" field=format!("ports[{i}].mode") options=&[("ingress", "ingress"), ("host", "host")] value=b.value set=b.set errors/> } }
                    <button type="button" class="remove-row" on:click=move |_| form.update(|f| { if i < f.ports.len() { f.ports.remove(i); } })>"Remove"</button>
                </div>
            </For>
            <button type="button" class="add-row" on:click=move |_| form.update(|f| f.ports.push(PortForm::default()))>"Add port"</button>
        </fieldset>
    }
}

#[component]
pub fn Mounts(form: RwSignal<ServiceForm>, errors: Errors) -> impl IntoView {
    let count = Memo::new(move |_| form.with(|f| f.mounts.len()));
    view! {
        <fieldset class="rows">
            <legend>"Mounts"</legend>
            <For each=move || 0..count.get() key=|i| *i let:i>
                <div class="row">
                    { let b = bind(form, MOUNTS, i, |r| &r.kind, |r| &mut r.kind); view! { <Choice label="Type" field=format!("mounts[{i}].kind") options=&[("volume", "volume"), ("bind", "bind"), ("tmpfs", "tmpfs")] value=b.value set=b.set errors/> } }
                    { let b = bind(form, MOUNTS, i, |r| &r.source, |r| &mut r.source); view! { <Input label="Source" field=format!("mounts[{i}].source") value=b.value set=b.set errors hint="volume name or host path"/> } }
                    { let b = bind(form, MOUNTS, i, |r| &r.target, |r| &mut r.target); view! { <Input label="Target" field=format!("mounts[{i}].target") value=b.value set=b.set errors hint="/data"/> } }
                    <label class="check">
                        <input type="checkbox"
                            prop:checked=move || form.with(|f| f.mounts.get(i).is_some_and(|m| m.read_only))
                            on:change=move |ev| form.update(|f| if let Some(m) = f.mounts.get_mut(i) { m.read_only = event_target_checked(&ev) })/>
                        "read-only"
                    </label>
                    <button type="button" class="remove-row" on:click=move |_| form.update(|f| { if i < f.mounts.len() { f.mounts.remove(i); } })>"Remove"</button>
                </div>
            </For>
            <button type="button" class="add-row" on:click=move |_| form.update(|f| f.mounts.push(MountForm { kind: "volume".into(), ..Default::default() }))>"Add mount"</button>
        </fieldset>
    }
}

/// The swarm-scoped networks a service can join (not the ingress network, which Docker
/// attaches by itself when ports are published).
#[component]
pub fn Networks(
    form: RwSignal<ServiceForm>,
    errors: Errors,
    cluster: RwSignal<Arc<Snapshot>>,
) -> impl IntoView {
    let networks = Memo::new(move |_| {
        let mut names: Vec<String> = cluster.with(|c| {
            c.state
                .networks
                .values()
                .filter(|n| n.scope == "swarm" && !n.ingress)
                .map(|n| n.name.clone())
                .collect()
        });
        names.sort();
        names
    });
    let error = move || error_for(errors, "networks");
    view! {
        <fieldset class="networks">
            <legend>"Networks"</legend>
            <Show when=move || networks.with(|n| !n.is_empty()) fallback=|| view! { <p class="summary">"No overlay networks yet: create one below."</p> }>
                <For each=move || networks.get() key=|n| n.clone() let:name>
                    <label class="check">
                        <input type="checkbox" name="networks" value=name.clone()
                            prop:checked={
                                let name = name.clone();
                                move || form.with(|f| f.networks.contains(&name))
                            }
                            on:change={
                                let name = name.clone();
                                move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.update(|f| {
                                        f.networks.retain(|n| n != &name);
                                        if on {
                                            f.networks.push(name.clone());
                                        }
                                    })
                                }
                            }/>
                        {name.clone()}
                    </label>
                </For>
            </Show>
            {move || error().map(|e| view! { <span class="field-error" data-field="networks">{e}</span> })}
        </fieldset>
    }
}
