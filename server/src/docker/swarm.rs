//! Swarm membership and the node list, converted to Flotilla's model at the boundary.

use super::timed::Endpoint;
use super::{Context, DockerError, Engine, Result};
use bollard::models::{self as m, LocalNodeState, SwarmInitRequest, SwarmJoinRequest};
use bollard::query_parameters::ListNodesOptions;
use flotilla_app::model::{Availability, ManagerStatus, Node, NodeState, Role};

/// This engine's own place in a swarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SwarmState {
    /// Not part of a swarm.
    Inactive,
    /// Joining, or in error; the text says which.
    Unsettled(String),
    Active {
        node_id: String,
        manager: bool,
    },
}

impl Engine {
    /// Whether the engine itself answers within `within`: dockerd serves `/_ping` without
    /// asking the swarm, so this tells a living engine whose swarm is slow (electing a
    /// leader) from one that is gone.
    pub async fn answers(&self, within: std::time::Duration) -> bool {
        let ping = self.timed(Endpoint::Ping, self.docker.ping());
        matches!(tokio::time::timeout(within, ping).await, Ok(Ok(_)))
    }

    pub async fn swarm_state(&self) -> Result<SwarmState> {
        let info = self
            .timed(Endpoint::Info, self.docker.info())
            .await
            .context(|| "reading engine info".into())?;
        let swarm = info.swarm.unwrap_or_default();
        Ok(match swarm.local_node_state.unwrap_or_default() {
            LocalNodeState::ACTIVE => SwarmState::Active {
                node_id: swarm.node_id.unwrap_or_default(),
                manager: swarm.control_available.unwrap_or(false),
            },
            LocalNodeState::INACTIVE | LocalNodeState::EMPTY => SwarmState::Inactive,
            other => SwarmState::Unsettled(format!(
                "{other}{}",
                swarm
                    .error
                    .filter(|e| !e.is_empty())
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )),
        })
    }

    /// `docker swarm init --advertise-addr <addr>`.
    pub async fn init_swarm(&self, advertise_addr: &str) -> Result<String> {
        let request = SwarmInitRequest {
            listen_addr: Some("0.0.0.0:2377".into()),
            advertise_addr: Some(advertise_addr.into()),
            ..Default::default()
        };
        self.docker
            .init_swarm(request)
            .await
            .context(|| format!("swarm init on {}", self.host()))
    }

    /// `docker swarm join-token -q manager|worker`.
    pub async fn join_token(&self, manager: bool) -> Result<String> {
        let swarm = self
            .docker
            .inspect_swarm()
            .await
            .context(|| "swarm inspect".into())?;
        let tokens = swarm.join_tokens.unwrap_or_default();
        let (token, role) = match manager {
            true => (tokens.manager, "manager"),
            false => (tokens.worker, "worker"),
        };
        token.ok_or_else(|| DockerError::Other(format!("the swarm has no {role} join token")))
    }

    /// `docker swarm join --token <token> <manager>`.
    pub async fn join_swarm(&self, manager_addr: &str, token: &str) -> Result<()> {
        let request = SwarmJoinRequest {
            listen_addr: Some("0.0.0.0:2377".into()),
            remote_addrs: Some(vec![manager_addr.into()]),
            join_token: Some(token.into()),
            ..Default::default()
        };
        self.docker
            .join_swarm(request)
            .await
            .context(|| format!("swarm join on {}", self.host()))
    }

    pub async fn list_nodes(&self) -> Result<Vec<Node>> {
        let nodes = self
            .timed(
                Endpoint::NodeList,
                self.docker.list_nodes(None::<ListNodesOptions>),
            )
            .await
            .context(|| "listing swarm nodes".into())?;
        let mut nodes: Vec<Node> = nodes.into_iter().map(node_from_docker).collect();
        nodes.sort_by(|a, b| a.hostname.cmp(&b.hostname));
        Ok(nodes)
    }
}

/// Docker's node object, reduced to what Flotilla shows. Missing fields become neutral
/// values rather than errors: a half-described node is still worth showing.
pub fn node_from_docker(n: m::Node) -> Node {
    let spec = n.spec.unwrap_or_default();
    let description = n.description.unwrap_or_default();
    let status = n.status.unwrap_or_default();
    let resources = description.resources.unwrap_or_default();
    let manager_status = n.manager_status.map(|ms| {
        if ms.leader == Some(true) {
            ManagerStatus::Leader
        } else if ms.reachability == Some(m::Reachability::REACHABLE) {
            ManagerStatus::Reachable
        } else {
            ManagerStatus::Unreachable
        }
    });
    Node {
        id: n.id.unwrap_or_default(),
        hostname: description.hostname.unwrap_or_default(),
        role: match spec.role {
            Some(m::NodeSpecRoleEnum::MANAGER) => Role::Manager,
            _ => Role::Worker,
        },
        availability: match spec.availability {
            Some(m::NodeSpecAvailabilityEnum::ACTIVE) => Availability::Active,
            Some(m::NodeSpecAvailabilityEnum::PAUSE) => Availability::Pause,
            Some(m::NodeSpecAvailabilityEnum::DRAIN) => Availability::Drain,
            _ => Availability::Unknown,
        },
        state: match status.state {
            Some(m::NodeState::READY) => NodeState::Ready,
            Some(m::NodeState::DOWN) => NodeState::Down,
            Some(m::NodeState::DISCONNECTED) => NodeState::Disconnected,
            _ => NodeState::Unknown,
        },
        manager_status,
        engine_version: description
            .engine
            .and_then(|e| e.engine_version)
            .unwrap_or_default(),
        addr: status.addr.unwrap_or_default(),
        nano_cpus: resources.nano_cpus.unwrap_or(0),
        memory_bytes: resources.memory_bytes.unwrap_or(0),
        labels: spec.labels.unwrap_or_default().into_iter().collect(),
    }
}
