//! Flotilla's own view of a swarm: plain serde types shared by the server and the browser.
//! The browser never sees Docker's API types, and nothing here carries secret material.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Worker,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Active,
    Pause,
    Drain,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Ready,
    Down,
    Disconnected,
    #[serde(other)]
    Unknown,
}

/// A manager's standing in the Raft quorum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagerStatus {
    Leader,
    Reachable,
    Unreachable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
