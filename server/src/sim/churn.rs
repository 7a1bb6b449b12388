//! The swarm moving: tasks making their way to running, failing, moved to other nodes,
//! workers going down and coming back, services scaled by one. Each change takes the next
//! Raft index and stamps the objects it touches, as the orchestrator would; node and service
//! changes give the events Docker sends (it sends none for tasks). Dead tasks are kept as
//! history, the oldest forgotten past a bound, so the lists stay near the asked size.

use super::world::{TaskState, World, message};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Node,
    Service,
}

/// A change Docker reports on its event stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub id: String,
    pub name: String,
    pub action: &'static str,
}

/// What a round of churn did.
#[derive(Debug, Default)]
pub struct Churned {
    pub events: Vec<Event>,
    /// Tasks made or changed.
    pub tasks_touched: usize,
}

const EXIT: &str = "task: non-zero exit (137)";

impl World {
    /// Makes `changes` changes at `now` (Unix seconds).
    pub fn churn(&mut self, changes: usize, now: i64) -> Churned {
        let mut out = Churned::default();
        for _ in 0..changes {
            self.change(now, &mut out);
        }
        self.forget_dead();
        out
    }

    /// How many dead tasks are kept at most.
    pub fn history_cap(&self) -> usize {
        (self.shape.tasks / 10).max(16)
    }

    /// One change, drawn by weight; a kind with nothing to act on falls through to the next.
    fn change(&mut self, now: i64, out: &mut Churned) {
        let roll = self.rng.below(100);
        // A node going down touches all its tasks (tens of them): rare, as in a real swarm.
        let done = (roll < 55 && self.progress(now, out))
            || (roll < 75 && self.replace(TaskState::Failed, now, out))
            || (roll < 94 && self.replace(TaskState::Shutdown, now, out))
            || (roll < 95 && self.flip_node(now, out))
            || self.scale(now, out);
        if !done {
            // A swarm with nothing to scale (no replicated service): move what can move.
            let _ = self.progress(now, out) || self.replace(TaskState::Failed, now, out);
        }
    }

    /// The first position from a random start whose task matches.
    fn find_task(&mut self, matches: impl Fn(&super::world::Task) -> bool) -> Option<usize> {
        let n = self.tasks.len();
        let start = self.rng.below(n);
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| matches(&self.tasks[i]))
    }

    /// Moves a task at `at` into `state`.
    fn set_state(&mut self, at: usize, state: TaskState, now: i64) {
        let created = self.tasks[at].stamp.created;
        let stamp = self.stamp(created, now);
        let task = &mut self.tasks[at];
        task.state = state;
        task.message = message(state);
        task.since = now;
        task.stamp = stamp;
        if state > TaskState::Running {
            task.live = false;
        }
        if state == TaskState::Failed {
            task.error = Some(EXIT);
        }
    }

    /// A task on its way to running takes the next step.
    fn progress(&mut self, now: i64, out: &mut Churned) -> bool {
        let Some(at) = self.find_task(|t| t.live && t.state < TaskState::Running) else {
            return false;
        };
        let next = match self.tasks[at].state {
            TaskState::Assigned => TaskState::Preparing,
            TaskState::Preparing => TaskState::Starting,
            _ => TaskState::Running,
        };
        self.set_state(at, next, now);
        out.tasks_touched += 1;
        true
    }

    /// A running task of a replicated service ends (`Failed`, or `Shutdown` when it is moved)
    /// and a new one takes its slot on another node.
    fn replace(&mut self, end: TaskState, now: i64, out: &mut Churned) -> bool {
        let Some(at) =
            self.find_task(|t| t.live && t.state == TaskState::Running && t.slot.is_some())
        else {
            return false;
        };
        self.set_state(at, end, now);
        let (service, slot, node) = (
            self.tasks[at].service,
            self.tasks[at].slot,
            self.tasks[at].node,
        );
        let node = self.pick_node(Some(node));
        self.push_task(service, slot, node, TaskState::Assigned, now);
        out.tasks_touched += 2;
        true
    }

    /// A worker goes down (its tasks shut down, replicated ones placed elsewhere), or one
    /// that is down comes back (global services start on it again). At most one worker in
    /// twenty is down at once.
    fn flip_node(&mut self, now: i64, out: &mut Churned) -> bool {
        let workers = self.nodes.iter().filter(|n| !n.manager).count();
        if workers == 0 {
            return false;
        }
        let down = self.nodes.iter().filter(|n| !n.ready).count();
        let go_down = down == 0 || (down < (workers / 20).max(1) && self.rng.chance(50));
        let n = self.nodes.len();
        let start = self.rng.below(n);
        let Some(at) = (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| !self.nodes[i].manager && self.nodes[i].ready == go_down)
        else {
            return false;
        };
        let created = self.nodes[at].stamp.created;
        self.nodes[at].stamp = self.stamp(created, now);
        self.nodes[at].ready = !go_down;
        if go_down {
            let on_node: Vec<usize> = (0..self.tasks.len())
                .filter(|&i| self.tasks[i].live && self.tasks[i].node == at)
                .collect();
            for i in on_node {
                self.set_state(i, TaskState::Shutdown, now);
                self.tasks[i].message = "node is down";
                out.tasks_touched += 1;
                if let Some(slot) = self.tasks[i].slot {
                    let node = self.pick_node(Some(at));
                    self.push_task(
                        self.tasks[i].service,
                        Some(slot),
                        node,
                        TaskState::Assigned,
                        now,
                    );
                    out.tasks_touched += 1;
                }
            }
        } else if !self.nodes[at].drained {
            let globals: Vec<usize> = (0..self.services.len())
                .filter(|&s| self.services[s].replicas.is_none())
                .collect();
            for service in globals {
                self.push_task(service, None, at, TaskState::Assigned, now);
                out.tasks_touched += 1;
            }
        }
        out.events.push(Event {
            kind: EventKind::Node,
            id: self.nodes[at].id.clone(),
            name: self.nodes[at].hostname.clone(),
            action: "update",
        });
        true
    }

    /// A replicated service is scaled up by one, or back down to where it started.
    fn scale(&mut self, now: i64, out: &mut Churned) -> bool {
        let n = self.services.len();
        let start = self.rng.below(n);
        let Some(at) = (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.services[i].replicas.is_some())
        else {
            return false;
        };
        let replicas = self.services[at].replicas.unwrap_or(0);
        if replicas > self.services[at].base_replicas {
            let last = self.find_task(|t| t.live && t.service == at && t.slot == Some(replicas));
            if let Some(last) = last {
                self.set_state(last, TaskState::Shutdown, now);
                out.tasks_touched += 1;
            }
            self.services[at].replicas = Some(replicas - 1);
        } else {
            self.services[at].replicas = Some(replicas + 1);
            let node = self.pick_node(None);
            self.push_task(at, Some(replicas + 1), node, TaskState::Assigned, now);
            out.tasks_touched += 1;
        }
        let created = self.services[at].stamp.created;
        self.services[at].stamp = self.stamp(created, now);
        out.events.push(Event {
            kind: EventKind::Service,
            id: self.services[at].id.clone(),
            name: self.services[at].name.clone(),
            action: "update",
        });
        true
    }

    /// Forgets the oldest dead tasks past `history_cap`.
    fn forget_dead(&mut self) {
        let mut dead: Vec<u64> = self
            .tasks
            .iter()
            .filter(|t| !t.live)
            .map(|t| t.seq)
            .collect();
        let cap = self.history_cap();
        if dead.len() <= cap {
            return;
        }
        let excess = dead.len() - cap;
        let (_, &mut newest_forgotten, _) = dead.select_nth_unstable(excess - 1);
        self.tasks.retain(|t| t.live || t.seq > newest_forgotten);
    }
}
