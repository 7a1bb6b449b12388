//! A synthetic swarm, pure and deterministic: the same shape, seed and clock give the same
//! nodes, stacks, services, tasks and networks, down to every ID. Objects refer to each other
//! by index; `generate` makes them, `api` turns them into Docker's JSON shapes and `churn`
//! moves them.

use super::rng::Rng;

/// What to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub nodes: usize,
    pub tasks: usize,
    pub services: usize,
    pub seed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub manager: bool,
    pub leader: bool,
    pub ready: bool,
    pub drained: bool,
    pub addr: String,
    pub zone: usize,
    pub nano_cpus: i64,
    pub memory_bytes: i64,
    pub stamp: Stamp,
}

impl Node {
    /// Whether the scheduler places tasks here.
    pub fn eligible(&self) -> bool {
        self.ready && !self.drained
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub stack: Option<usize>,
    /// None for a global service.
    pub replicas: Option<u64>,
    /// What `churn` scales back to.
    pub base_replicas: u64,
    /// With its digest, as a task's container spec holds it.
    pub image: String,
    /// (published, target) of an ingress port.
    pub port: Option<(u16, u16)>,
    pub stamp: Stamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskState {
    Assigned,
    Preparing,
    Starting,
    Running,
    Failed,
    Shutdown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// Creation order: the oldest dead tasks are forgotten first.
    pub seq: u64,
    pub id: String,
    pub service: usize,
    /// None for a global service's task.
    pub slot: Option<u64>,
    pub node: usize,
    pub state: TaskState,
    /// Docker's desired state: running, or shutdown once the task is dead or replaced.
    pub live: bool,
    pub message: &'static str,
    pub error: Option<&'static str>,
    pub image: String,
    pub container: String,
    /// When `state` was reached (Unix seconds).
    pub since: i64,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: &'static str,
    pub swarm: bool,
    pub ingress: bool,
    pub stack: Option<usize>,
    pub stamp: Stamp,
}

/// Docker's object version (the Raft index of its last change) and timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub version: u64,
    pub created: i64,
    pub updated: i64,
}

#[derive(Clone, Debug)]
pub struct World {
    pub shape: Shape,
    pub cluster_id: String,
    pub nodes: Vec<Node>,
    pub stacks: Vec<String>,
    pub services: Vec<Service>,
    pub tasks: Vec<Task>,
    pub networks: Vec<Network>,
    /// The Raft index: every change takes the next one.
    pub index: u64,
    pub(super) rng: Rng,
    pub(super) next_task: u64,
}

/// The simulator's engine version, as nodes and `/version` report it.
pub const ENGINE_VERSION: &str = "27.3.1";

impl World {
    /// A stamp for an object made or changed at `at`.
    pub(super) fn stamp(&mut self, created: i64, at: i64) -> Stamp {
        self.index += 1;
        Stamp {
            version: self.index,
            created,
            updated: at,
        }
    }

    /// The network a stack's services are attached to.
    pub fn stack_network(&self, stack: usize) -> Option<&Network> {
        self.networks.iter().find(|n| n.stack == Some(stack))
    }

    /// Adds a live task; returns its position.
    pub(super) fn push_task(
        &mut self,
        service: usize,
        slot: Option<u64>,
        node: usize,
        state: TaskState,
        since: i64,
    ) -> usize {
        let seq = self.next_task;
        self.next_task += 1;
        let task = Task {
            seq,
            id: self.rng.object_id(seq),
            service,
            slot,
            node,
            state,
            live: true,
            message: message(state),
            error: None,
            image: self.services[service].image.clone(),
            container: self.rng.hex(64),
            since,
            stamp: self.stamp(since, since),
        };
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    /// A random eligible node, other than `not` when there is another; the leader if none
    /// is eligible (it always is: managers never go down here).
    pub(super) fn pick_node(&mut self, not: Option<usize>) -> usize {
        let n = self.nodes.len();
        let start = self.rng.below(n);
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.nodes[i].eligible() && Some(i) != not)
            .unwrap_or(0)
    }
}

/// The message Docker shows beside a task's state.
pub fn message(state: TaskState) -> &'static str {
    match state {
        TaskState::Assigned => "assigned",
        TaskState::Preparing => "preparing",
        TaskState::Starting => "starting",
        TaskState::Running => "started",
        TaskState::Failed => "started",
        TaskState::Shutdown => "shutdown",
    }
}
