// Cases reuse the same tasks and services, so the table clones them rather than borrow.
#![allow(clippy::cloned_ref_to_slice_refs)]

use super::*;
use crate::model::*;

fn task(id: &str, service: &str, node: Option<&str>, state: TaskState) -> Task {
    Task {
        id: id.into(),
        service_id: service.into(),
        slot: Some(1),
        node_id: node.map(String::from),
        image: "echo:latest".into(),
        state,
        desired_state: TaskState::Running,
        message: String::new(),
        error: None,
        since: 0,
    }
}

fn service(id: &str, name: &str, stack: Option<&str>, replicas: u64) -> Service {
    Service {
        id: id.into(),
        name: name.into(),
        stack: stack.map(String::from),
        mode: ServiceMode::Replicated { replicas },
        image: "echo:latest".into(),
        running: 0,
        desired: replicas,
        update: None,
        ports: vec![],
        networks: vec![],
    }
}

fn with(tasks: &[Task], services: &[Service]) -> ClusterState {
    ClusterState {
        tasks: tasks.iter().map(|t| (t.id.clone(), t.clone())).collect(),
        services: services.iter().map(|s| (s.id.clone(), s.clone())).collect(),
        ..Default::default()
    }
}

#[test]
fn diff_table() {
    let t1 = task("t1", "s1", Some("n1"), TaskState::Running);
    let t1_moved = task("t1", "s1", Some("n2"), TaskState::Running);
    let t2 = task("t2", "s1", None, TaskState::Pending);
    let s1 = service("s1", "echo", None, 1);
    let s1_scaled = service("s1", "echo", None, 3);
    let cases: Vec<(&str, ClusterState, ClusterState, Vec<Change>)> = vec![
        (
            "nothing changed",
            with(&[t1.clone()], &[s1.clone()]),
            with(&[t1.clone()], &[s1.clone()]),
            vec![],
        ),
        (
            "task added",
            with(&[t1.clone()], &[]),
            with(&[t1.clone(), t2.clone()], &[]),
            vec![Change::Task(t2.clone())],
        ),
        (
            "task gone",
            with(&[t1.clone(), t2.clone()], &[]),
            with(&[t2.clone()], &[]),
            vec![Change::TaskGone("t1".into())],
        ),
        (
            "task moved",
            with(&[t1.clone()], &[]),
            with(&[t1_moved.clone()], &[]),
            vec![Change::Task(t1_moved)],
        ),
        (
            "service scaled while a task appears",
            with(&[], &[s1.clone()]),
            with(&[t2.clone()], &[s1_scaled.clone()]),
            vec![Change::Service(s1_scaled), Change::Task(t2)],
        ),
        (
            "everything gone",
            with(&[t1], &[s1]),
            ClusterState::default(),
            vec![
                Change::ServiceGone("s1".into()),
                Change::TaskGone("t1".into()),
            ],
        ),
    ];
    for (name, old, new, want) in cases {
        let changes = diff(&old, &new);
        assert_eq!(changes, want, "{name}");
        let mut applied = old.clone();
        apply(&mut applied, changes);
        assert_eq!(applied, new, "{name}: apply(old, diff(old, new)) != new");
    }
}

#[test]
fn removing_twice_is_harmless() {
    let mut state = with(&[task("t1", "s", None, TaskState::New)], &[]);
    apply(
        &mut state,
        [Change::TaskGone("t1".into()), Change::TaskGone("t1".into())],
    );
    assert_eq!(state, ClusterState::default());
}

#[test]
fn stacks_group_services_by_namespace() {
    let state = with(
        &[],
        &[
            service("a", "web_nginx", Some("web"), 3),
            service("b", "web_api", Some("web"), 3),
            service("c", "viz_app", Some("viz"), 1),
            service("d", "echo", None, 6),
        ],
    );
    let got: Vec<(String, usize)> = stacks(&state)
        .into_iter()
        .map(|s| (s.name, s.services))
        .collect();
    assert_eq!(got, [("viz".to_string(), 1), ("web".to_string(), 2)]);
}

/// xorshift64*: deterministic pseudo-random states, so a failure reproduces exactly.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const STATES: [TaskState; 5] = [
    TaskState::Pending,
    TaskState::Running,
    TaskState::Shutdown,
    TaskState::Failed,
    TaskState::Starting,
];

fn random_state(rng: &mut Rng) -> ClusterState {
    let mut state = ClusterState::default();
    for _ in 0..rng.below(6) {
        let id = format!("s{}", rng.below(8));
        state.services.insert(
            id.clone(),
            service(&id, &format!("svc{}", rng.below(3)), None, rng.below(5)),
        );
    }
    for _ in 0..rng.below(40) {
        let id = format!("t{}", rng.below(60));
        let node = match rng.below(4) {
            0 => None,
            n => Some(format!("n{n}")),
        };
        let state_now = STATES[rng.below(STATES.len() as u64) as usize];
        state.tasks.insert(
            id.clone(),
            task(
                &id,
                &format!("s{}", rng.below(8)),
                node.as_deref(),
                state_now,
            ),
        );
    }
    for _ in 0..rng.below(4) {
        let id = format!("net{}", rng.below(5));
        let network = Network {
            id: id.clone(),
            name: id.clone(),
            driver: "overlay".into(),
            scope: "swarm".into(),
            attachable: rng.below(2) == 0,
            ingress: false,
            stack: None,
        };
        state.networks.insert(id, network);
    }
    state
}

#[test]
fn property_apply_of_diff_reaches_the_new_state() {
    let mut rng = Rng(0x5eed_f107_111a);
    for case in 0..2000 {
        let old = random_state(&mut rng);
        let new = random_state(&mut rng);
        let changes = diff(&old, &new);
        let mut applied = old.clone();
        apply(&mut applied, changes.clone());
        assert_eq!(applied, new, "case {case}");
        // A chain of states, applied delta by delta, ends at the last one.
        let third = random_state(&mut rng);
        apply(&mut applied, diff(&new, &third));
        assert_eq!(applied, third, "case {case} (chain)");
        // And a no-op diff is empty.
        assert!(diff(&new, &new).is_empty());
        // The borrowed changes are the same changes, written out the same.
        let borrowed = diff_refs(&old, &new);
        let (borrowed, owned) = (
            serde_json::to_string(&borrowed),
            serde_json::to_string(&changes),
        );
        assert_eq!(borrowed.unwrap(), owned.unwrap(), "case {case} (borrowed)");
        // Keying a list in any order gives the map `collect` gives.
        let mut listed: Vec<Task> = old.tasks.values().cloned().collect();
        listed.reverse();
        let swaps = listed.len();
        for i in 0..swaps {
            listed.swap(i, rng.below(swaps as u64) as usize);
        }
        assert_eq!(by_id(listed, |t| &t.id), old.tasks, "case {case} (by_id)");
    }
}

#[test]
fn settling_table() {
    let running = task("t1", "s1", Some("n1"), TaskState::Running);
    let starting = task("t2", "s1", Some("n1"), TaskState::Starting);
    let mut stopping = task("t3", "s1", Some("n1"), TaskState::Running);
    stopping.desired_state = TaskState::Shutdown;
    let converged = Service {
        running: 1,
        ..service("s1", "echo", None, 1)
    };
    let short = service("s1", "echo", None, 1);
    let updating = Service {
        update: Some(UpdateStatus {
            state: UpdateState::Updating,
            message: String::new(),
        }),
        ..converged.clone()
    };
    let paused = Service {
        update: Some(UpdateStatus {
            state: UpdateState::Paused,
            message: String::new(),
        }),
        ..converged.clone()
    };
    let cases = [
        (
            "all running",
            with(&[running.clone()], &[converged.clone()]),
            false,
        ),
        (
            "a task starting",
            with(&[running.clone(), starting], &[converged.clone()]),
            true,
        ),
        (
            "old task stopping",
            with(&[running.clone(), stopping], &[converged.clone()]),
            false,
        ),
        ("short of desired", with(&[], &[short]), true),
        (
            "update in flight",
            with(&[running.clone()], &[updating]),
            true,
        ),
        (
            "paused: waits for a person",
            with(&[running], &[paused]),
            false,
        ),
        ("empty", ClusterState::default(), false),
    ];
    for (name, state, want) in cases {
        assert_eq!(settling(&state), want, "{name}");
    }
}

mod keyed;
