//! The networks, as `docker network ls` lists them plus the services attached to each, with
//! creating an overlay network (`docker network create --driver=overlay [--attachable]`) and
//! removing one no service uses.

use crate::api::{Action, Done, NetworkCreate, Role};
use crate::client;
use crate::components::session::{Outcome, OutcomeLine, Session, act};
use crate::model::Network;
use crate::protocol::Snapshot;
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Row {
    network: Network,
    services: Vec<String>,
}

/// Swarm-scoped networks first (the ones services use), then by name.
fn rows(snapshot: &Snapshot) -> Vec<Row> {
    let state = &snapshot.state;
    let mut rows: Vec<Row> = state
        .networks
        .values()
        .map(|n| {
            let mut services: Vec<String> = state
                .services
                .values()
                // Specs name networks by ID, or by name when created that way.
                .filter(|s| s.networks.iter().any(|t| t == &n.id || t == &n.name))
                .map(|s| s.name.clone())
                .collect();
            services.sort();
            Row {
                network: n.clone(),
                services,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.network.scope != "swarm", &a.network.name)
            .cmp(&(b.network.scope != "swarm", &b.network.name))
    });
    rows
}

#[component]
pub fn Networks(cluster: RwSignal<Arc<Snapshot>>) -> impl IntoView {
    let session = Session::get();
    let admin = session.may(Role::Admin);
    let rows = Memo::new(move |_| cluster.with(|c| rows(c)));
    let outcome = RwSignal::new(Outcome::Idle);
    let name = RwSignal::new(String::new());
    let attachable = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NetworkCreate {
            name: name.get_untracked(),
            attachable: attachable.get_untracked(),
        };
        let label = body.name.trim().to_string();
        act(
            outcome,
            format!("creating {label}…"),
            async move { client::post::<_, Done>(Action::NetworkCreate.route(), &body).await },
            move |_| {
                name.set(String::new());
                format!("created {label}")
            },
        );
    };
    let remove = move |id: String, label: String| {
        let path = Action::NetworkRemove.path(&id);
        act(
            outcome,
            format!("removing {label}…"),
            async move { client::post::<_, Done>(&path, &()).await },
            move |_| format!("removed {label}"),
        );
    };
    view! {
        <section class="networks">
            <h1>"Networks"</h1>
            <table class="network-table">
                <thead>
                    <tr><th>"Name"</th><th>"Driver"</th><th>"Scope"</th><th>"Attachable"</th><th>"Services"</th><th></th></tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.clone() let:row>
                        {
                            let Row { network, services } = row;
                            // Docker's own and built-in networks are not the panel's to remove.
                            let removable = network.scope == "swarm" && !network.ingress && services.is_empty();
                            let (id, label) = (network.id.clone(), network.name.clone());
                            view! {
                                <tr class="network" data-network=network.name.clone()>
                                    <td class="name">{network.name.clone()}</td>
                                    <td>{network.driver.clone()}</td>
                                    <td>{network.scope.clone()}</td>
                                    <td>{if network.attachable { "yes" } else { "" }}</td>
                                    <td class="attached">{services.join(", ")}</td>
                                    <td>
                                        <Show when=move || admin.get() && removable>
                                            <button type="button" class="remove-network" on:click={
                                                let (id, label) = (id.clone(), label.clone());
                                                move |_| remove(id.clone(), label.clone())
                                            }>"Remove"</button>
                                        </Show>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            <Show when=move || admin.get()>
                <form class="create-network" on:submit=create>
                    <label for="network-name">"New overlay network"</label>
                    <input id="network-name" name="name" placeholder="ch03" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <label class="check">
                        <input type="checkbox" name="attachable" prop:checked=move || attachable.get() on:change=move |ev| attachable.set(event_target_checked(&ev))/>
                        "attachable"
                    </label>
                    <button type="submit">"Create"</button>
                </form>
            </Show>
            <OutcomeLine outcome/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, ServiceMode};

    fn network(id: &str, name: &str, scope: &str) -> Network {
        Network {
            id: id.into(),
            name: name.into(),
            driver: "overlay".into(),
            scope: scope.into(),
            attachable: false,
            ingress: false,
            stack: None,
        }
    }

    fn service(name: &str, networks: &[&str]) -> Service {
        Service {
            id: name.into(),
            name: name.into(),
            stack: None,
            mode: ServiceMode::Global,
            image: String::new(),
            running: 0,
            desired: 0,
            update: None,
            ports: vec![],
            networks: networks.iter().map(|n| n.to_string()).collect(),
        }
    }

    #[test]
    fn attached_services_by_id_or_name_swarm_networks_first() {
        let mut snapshot = Snapshot::default();
        for n in [
            network("n1", "bridge", "local"),
            network("n2", "web", "swarm"),
            network("n3", "back", "swarm"),
        ] {
            snapshot.state.networks.insert(n.id.clone(), n);
        }
        for s in [service("b", &["n2"]), service("a", &["web", "n3"])] {
            snapshot.state.services.insert(s.id.clone(), s);
        }
        let got: Vec<(String, Vec<String>)> = rows(&snapshot)
            .into_iter()
            .map(|r| (r.network.name, r.services))
            .collect();
        let owned = |name: &str, services: &[&str]| {
            (
                name.to_string(),
                services.iter().map(|s| s.to_string()).collect(),
            )
        };
        let want = vec![
            owned("back", &["a"]),
            owned("web", &["a", "b"]),
            owned("bridge", &[]),
        ];
        assert_eq!(got, want);
    }
}
