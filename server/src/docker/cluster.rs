//! What the cluster-state owner asks of a manager: full lists, single objects after an
//! event, and the event stream itself.

use super::timed::{Endpoint, Outcome};
use super::{Context, Engine, Result, convert, swarm::node_from_docker};
use bollard::models::EventMessageTypeEnum;
use bollard::query_parameters::{
    EventsOptions, ListNetworksOptions, ListServicesOptions, ListTasksOptions,
};
use flotilla_app::model::{Network, Node, Service, Task};
use futures_util::{Stream, StreamExt};
use std::collections::HashMap;

/// The kinds of swarm object whose events the owner follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Service,
    Node,
    Network,
    Secret,
    Config,
}

/// One swarm event: which object, and what happened to it ("create", "update", "remove").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterEvent {
    pub kind: ObjectKind,
    pub id: String,
    pub action: String,
}

fn not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl Engine {
    pub async fn list_services(&self) -> Result<Vec<Service>> {
        let options = ListServicesOptions {
            status: Some(true),
            ..Default::default()
        };
        let services = self
            .timed(
                Endpoint::ServiceList,
                self.docker.list_services(Some(options)),
            )
            .await
            .context(|| "listing services".into())?;
        Ok(services.into_iter().map(convert::service).collect())
    }

    pub async fn list_tasks(&self) -> Result<Vec<Task>> {
        let tasks = self
            .timed(
                Endpoint::TaskList,
                self.docker.list_tasks(None::<ListTasksOptions>),
            )
            .await
            .context(|| "listing tasks".into())?;
        Ok(convert::tasks(tasks))
    }

    pub async fn list_networks(&self) -> Result<Vec<Network>> {
        let networks = self
            .timed(
                Endpoint::NetworkList,
                self.docker.list_networks(None::<ListNetworksOptions>),
            )
            .await
            .context(|| "listing networks".into())?;
        Ok(networks.into_iter().map(convert::network).collect())
    }

    /// The node, or None if it no longer exists.
    pub async fn inspect_node(&self, id: &str) -> Result<Option<Node>> {
        match self
            .timed(Endpoint::NodeInspect, self.docker.inspect_node(id))
            .await
        {
            Ok(node) => Ok(Some(node_from_docker(node))),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(e).context(|| format!("inspecting node {id}")),
        }
    }

    /// The network, or None if it no longer exists.
    pub async fn inspect_network(&self, id: &str) -> Result<Option<Network>> {
        match self
            .timed(
                Endpoint::NetworkInspect,
                self.docker.inspect_network(id, None),
            )
            .await
        {
            Ok(network) => Ok(Some(convert::inspected_network(network))),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(e).context(|| format!("inspecting network {id}")),
        }
    }

    /// Swarm-scoped events for services, nodes, networks, secrets and configs, from now on.
    /// The stream ends (or yields an error) when the link to the engine breaks. Counted once
    /// when opened, and again when it yields an error; a stream has no latency worth timing.
    pub fn cluster_events(&self) -> impl Stream<Item = Result<ClusterEvent>> + Send + 'static {
        self.count(Endpoint::Events, "ok");
        let metrics = self.metrics.clone();
        let types = ["service", "node", "network", "secret", "config"]
            .map(String::from)
            .to_vec();
        let filters = HashMap::from([("type".to_string(), types)]);
        let options = EventsOptions {
            filters: Some(filters),
            ..Default::default()
        };
        self.docker.events(Some(options)).filter_map(move |event| {
            let metrics = metrics.clone();
            async move {
                match event {
                    Err(e) => {
                        if let Some(metrics) = &metrics {
                            metrics.observe(Endpoint::Events.name(), e.outcome(), None);
                        }
                        Some(Err(e).context(|| "following engine events".into()))
                    }
                    Ok(message) => {
                        let kind = match message.typ? {
                            EventMessageTypeEnum::SERVICE => ObjectKind::Service,
                            EventMessageTypeEnum::NODE => ObjectKind::Node,
                            EventMessageTypeEnum::NETWORK => ObjectKind::Network,
                            EventMessageTypeEnum::SECRET => ObjectKind::Secret,
                            EventMessageTypeEnum::CONFIG => ObjectKind::Config,
                            _ => return None,
                        };
                        let id = message.actor.and_then(|a| a.id).unwrap_or_default();
                        Some(Ok(ClusterEvent {
                            kind,
                            id,
                            action: message.action.unwrap_or_default(),
                        }))
                    }
                }
            }
        })
    }
}
