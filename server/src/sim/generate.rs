//! Making a synthetic swarm: nodes (a few managers, one the leader, a few down or drained),
//! stacks of services (a few global), their tasks spread over the eligible nodes, and the
//! networks, all drawn from the seed.

use super::rng::Rng;
use super::world::{Network, Node, Service, Shape, TaskState, World};

const STACK_WORDS: [&str; 12] = [
    "shop", "billing", "search", "auth", "media", "chat", "ledger", "maps", "mail", "feeds", "ads",
    "metrics",
];
const ROLES: [&str; 8] = [
    "web", "api", "worker", "db", "cache", "queue", "cron", "proxy",
];
const IMAGES: [&str; 8] = [
    "nginx:1.27",
    "redis:7.4",
    "postgres:16",
    "registry:5000/example/echo:latest",
    "traefik:v3.1",
    "grafana/grafana:11.2.0",
    "prom/prometheus:v2.54.1",
    "busybox:1.36",
];

impl World {
    /// Builds the swarm as it stands at `now` (Unix seconds): exactly `shape.nodes` nodes,
    /// `shape.services` services and `shape.tasks` tasks, nearly all running.
    pub fn generate(shape: Shape, now: i64) -> World {
        let mut rng = Rng::new(shape.seed);
        let cluster_id = rng.object_id(0);
        let mut world = World {
            shape,
            cluster_id,
            nodes: Vec::with_capacity(shape.nodes),
            stacks: Vec::new(),
            services: Vec::with_capacity(shape.services),
            tasks: Vec::with_capacity(shape.tasks),
            networks: Vec::new(),
            index: 10,
            rng,
            next_task: 0,
        };
        world.make_nodes(now);
        world.make_networks(now);
        world.make_services(now);
        world.make_tasks(now);
        world
    }

    fn make_nodes(&mut self, now: i64) {
        let n = self.shape.nodes;
        let managers = match n {
            0..=2 => 1,
            3..=99 => 3,
            _ => 5,
        }
        .min(n);
        let width = n.to_string().len();
        for i in 0..n {
            let manager = i < managers;
            let hostname = match manager {
                true => format!("manager-{}", i + 1),
                false => format!("worker-{:0width$}", i + 1 - managers),
            };
            let created = now - 90 * 86_400 + i as i64;
            let stamp = self.stamp(created, created);
            let node = Node {
                id: self.rng.object_id(i as u64),
                hostname,
                manager,
                leader: i == 0,
                // Managers stay up and active: the panel talks to the leader.
                ready: manager || !self.rng.chance(1),
                drained: !manager && self.rng.chance(1),
                addr: format!(
                    "10.{}.{}.{}",
                    1 + (i + 1) / 65_536,
                    ((i + 1) / 256) % 256,
                    (i + 1) % 256
                ),
                zone: i % 3,
                nano_cpus: [2, 4, 8, 16][self.rng.below(4)] * 1_000_000_000,
                memory_bytes: [4, 8, 16, 32, 64][self.rng.below(5)] << 30,
                stamp,
            };
            self.nodes.push(node);
        }
    }

    fn make_networks(&mut self, now: i64) {
        let created = now - 90 * 86_400;
        // Each engine's own networks are listed beside the swarm's, as a manager lists them.
        for (name, driver) in [("bridge", "bridge"), ("host", "host"), ("none", "null")] {
            self.push_network(name.into(), driver, false, false, None, created);
        }
        self.push_network("ingress".into(), "overlay", true, true, None, created);
        let stacks = (self.shape.services / 8).max(1);
        for k in 0..stacks {
            let word = STACK_WORDS[k % STACK_WORDS.len()];
            let name = match k / STACK_WORDS.len() {
                0 => word.to_string(),
                round => format!("{word}{round}"),
            };
            self.push_network(
                format!("{name}_default"),
                "overlay",
                true,
                false,
                Some(k),
                created,
            );
            self.stacks.push(name);
        }
    }

    fn push_network(
        &mut self,
        name: String,
        driver: &'static str,
        swarm: bool,
        ingress: bool,
        stack: Option<usize>,
        created: i64,
    ) {
        let index = self.networks.len() as u64;
        let network = Network {
            id: self.rng.object_id(index),
            name,
            driver,
            swarm,
            ingress,
            stack,
            stamp: self.stamp(created, created),
        };
        self.networks.push(network);
    }

    fn make_services(&mut self, now: i64) {
        let (s, t) = (self.shape.services, self.shape.tasks);
        let eligible = self.nodes.iter().filter(|n| n.eligible()).count().max(1);
        // A few global services, costing a task per eligible node each, at most a quarter of
        // the tasks; the rest of the tasks are spread evenly over the replicated ones.
        let globals = (s / 20).min(t / (4 * eligible));
        let replicated = (s - globals).max(1);
        let spread = t - globals * eligible;
        let mut in_stack = vec![0usize; self.stacks.len()];
        for i in 0..s {
            let stack = (i % 10 != 9).then_some(i % self.stacks.len());
            let role = ROLES[self.rng.below(ROLES.len())];
            let name = match stack {
                Some(k) => {
                    in_stack[k] += 1;
                    format!("{}_{role}{}", self.stacks[k], in_stack[k])
                }
                None => format!("{role}-{i}"),
            };
            let replicas = match i < globals {
                true => None,
                false => {
                    let k = i - globals;
                    Some((spread / replicated + usize::from(k < spread % replicated)) as u64)
                }
            };
            let image = format!(
                "{}@sha256:{}",
                IMAGES[self.rng.below(IMAGES.len())],
                self.rng.hex(64)
            );
            let port = matches!(role, "web" | "api" | "proxy").then(|| {
                (
                    30_000 + (i % 30_000) as u16,
                    if role == "api" { 8080 } else { 80 },
                )
            });
            let created = now - 30 * 86_400 + i as i64;
            let service = Service {
                id: self.rng.object_id(i as u64),
                name,
                stack,
                replicas,
                base_replicas: replicas.unwrap_or(0),
                image,
                port,
                stamp: self.stamp(created, created),
            };
            self.services.push(service);
        }
    }

    fn make_tasks(&mut self, now: i64) {
        for service in 0..self.services.len() {
            match self.services[service].replicas {
                None => {
                    for node in 0..self.nodes.len() {
                        if self.nodes[node].eligible() {
                            self.settled_task(service, None, node, now);
                        }
                    }
                }
                Some(replicas) => {
                    for slot in 1..=replicas {
                        let node = self.pick_node(None);
                        self.settled_task(service, Some(slot), node, now);
                    }
                }
            }
        }
    }

    /// A task made at generation: mostly running for a while, a few still on their way.
    fn settled_task(&mut self, service: usize, slot: Option<u64>, node: usize, now: i64) {
        let state = match self.rng.below(100) {
            0 => TaskState::Assigned,
            1 => TaskState::Preparing,
            2 => TaskState::Starting,
            _ => TaskState::Running,
        };
        let since = now - self.rng.below(7 * 86_400) as i64;
        self.push_task(service, slot, node, state, since);
    }
}
