//! Flotilla's own view of a swarm: plain serde types shared by the server and the browser.
//! The browser never sees Docker's API types, and nothing here carries secret material.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Worker,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Active,
    Pause,
    Drain,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Ready,
    Down,
    Disconnected,
    #[serde(other)]
    Unknown,
}

/// A manager's standing in the Raft quorum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagerStatus {
    Leader,
    Reachable,
    Unreachable,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: Role,
    pub availability: Availability,
    pub state: NodeState,
    /// None for workers.
    pub manager_status: Option<ManagerStatus>,
    pub engine_version: String,
    pub addr: String,
    pub nano_cpus: i64,
    pub memory_bytes: i64,
    pub labels: BTreeMap<String, String>,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Worker => "worker",
        }
    }
}

impl Availability {
    pub fn label(self) -> &'static str {
        match self {
            Availability::Active => "Active",
            Availability::Pause => "Pause",
            Availability::Drain => "Drain",
            Availability::Unknown => "Unknown",
        }
    }
}

impl NodeState {
    pub fn label(self) -> &'static str {
        match self {
            NodeState::Ready => "Ready",
            NodeState::Down => "Down",
            NodeState::Disconnected => "Disconnected",
            NodeState::Unknown => "Unknown",
        }
    }
}

impl UpdateState {
    pub fn label(self) -> &'static str {
        match self {
            UpdateState::Updating => "updating",
            UpdateState::Paused => "paused",
            UpdateState::Completed => "completed",
            UpdateState::RollbackStarted => "rolling back",
            UpdateState::RollbackPaused => "rollback paused",
            UpdateState::RollbackCompleted => "rolled back",
        }
    }
}

impl ManagerStatus {
    pub fn label(self) -> &'static str {
        match self {
            ManagerStatus::Leader => "Leader",
            ManagerStatus::Reachable => "Reachable",
            ManagerStatus::Unreachable => "Unreachable",
        }
    }
}

impl Node {
    /// Whole CPUs, as `docker node inspect` reports NanoCPUs / 1e9.
    pub fn cpus(&self) -> f64 {
        self.nano_cpus as f64 / 1e9
    }

    /// Memory in GiB, one decimal.
    pub fn memory_gib(&self) -> f64 {
        (self.memory_bytes as f64 / (1u64 << 30) as f64 * 10.0).round() / 10.0
    }
}

/// How a service schedules its tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMode {
    Replicated { replicas: u64 },
    Global,
    ReplicatedJob,
    GlobalJob,
}

/// `Service.UpdateStatus.State`: where a rolling update (or its rollback) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    Updating,
    Paused,
    Completed,
    RollbackStarted,
    RollbackPaused,
    RollbackCompleted,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UpdateStatus {
    pub state: UpdateState,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishMode {
    Ingress,
    Host,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublishedPort {
    pub target: u32,
    /// None when Docker has not assigned one yet (or for host mode without one).
    pub published: Option<u32>,
    /// tcp, udp or sctp.
    pub protocol: String,
    pub mode: PublishMode,
}

/// A swarm service. Deliberately without env, labels, secrets or configs: a viewer sees
/// placement and health, not what the service is told.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    /// From the `com.docker.stack.namespace` label.
    pub stack: Option<String>,
    pub mode: ServiceMode,
    /// The image as written, without a pinned digest.
    pub image: String,
    pub running: u64,
    pub desired: u64,
    pub update: Option<UpdateStatus>,
    pub ports: Vec<PublishedPort>,
    /// IDs of the networks its tasks attach to.
    pub networks: Vec<String>,
}

/// Task states in the order Docker moves through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    New,
    Allocated,
    Pending,
    Assigned,
    Accepted,
    Preparing,
    Ready,
    Starting,
    Running,
    Complete,
    Shutdown,
    Failed,
    Rejected,
    Remove,
    Orphaned,
    #[serde(other)]
    Unknown,
}

impl TaskState {
    pub fn label(self) -> &'static str {
        match self {
            TaskState::New => "new",
            TaskState::Allocated => "allocated",
            TaskState::Pending => "pending",
            TaskState::Assigned => "assigned",
            TaskState::Accepted => "accepted",
            TaskState::Preparing => "preparing",
            TaskState::Ready => "ready",
            TaskState::Starting => "starting",
            TaskState::Running => "running",
            TaskState::Complete => "complete",
            TaskState::Shutdown => "shutdown",
            TaskState::Failed => "failed",
            TaskState::Rejected => "rejected",
            TaskState::Remove => "remove",
            TaskState::Orphaned => "orphaned",
            TaskState::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub service_id: String,
    /// Replicated services number their tasks; global ones do not.
    pub slot: Option<u64>,
    /// None while the scheduler has not placed it.
    pub node_id: Option<String>,
    pub image: String,
    pub state: TaskState,
    pub desired_state: TaskState,
    /// Docker's status message ("started", "no suitable node ...").
    pub message: String,
    pub error: Option<String>,
    /// Unix seconds of the last status change.
    pub since: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: String,
    /// swarm, local or global.
    pub scope: String,
    pub attachable: bool,
    pub ingress: bool,
    pub stack: Option<String>,
}

/// Strips a pinned digest: `registry:5000/example/echo:latest@sha256:...` -> `...:latest`.
pub fn image_without_digest(image: &str) -> &str {
    image.split('@').next().unwrap_or(image)
}

/// The tag part of an image reference, for small cards (`latest` when none is written).
pub fn image_tag(image: &str) -> &str {
    let image = image_without_digest(image);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[i + 1..],
        _ => "latest",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_parts() {
        let cases = [
            (
                "registry:5000/example/echo:latest@sha256:abc",
                "registry:5000/example/echo:latest",
                "latest",
            ),
            (
                "registry:5000/example/echo",
                "registry:5000/example/echo",
                "latest",
            ),
            ("nginx:1.27", "nginx:1.27", "1.27"),
        ];
        for (image, bare, tag) in cases {
            assert_eq!(image_without_digest(image), bare);
            assert_eq!(image_tag(image), tag);
        }
    }
}
