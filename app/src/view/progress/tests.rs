use super::*;
use crate::model::{
    Availability, Node, NodeState, Role, Service, ServiceMode, Task, TaskState, UpdateState,
    UpdateStatus,
};

fn node(id: &str) -> Node {
    Node {
        id: id.into(),
        hostname: format!("host-{id}"),
        role: Role::Worker,
        availability: Availability::Active,
        state: NodeState::Ready,
        manager_status: None,
        engine_version: String::new(),
        addr: String::new(),
        nano_cpus: 0,
        memory_bytes: 0,
        labels: Default::default(),
    }
}

fn service(mode: ServiceMode, update: Option<UpdateState>) -> Service {
    Service {
        id: "s".into(),
        name: "echo".into(),
        stack: None,
        mode,
        image: "echo".into(),
        running: 0,
        desired: 0,
        update: update.map(|state| UpdateStatus {
            state,
            message: "update paused due to failure".into(),
        }),
        ports: vec![],
        networks: vec![],
    }
}

/// (id, slot, node, state, desired, since, error)
type T<'a> = (
    &'a str,
    Option<u64>,
    &'a str,
    TaskState,
    TaskState,
    i64,
    Option<&'a str>,
);

fn state(service: Service, tasks: &[T]) -> ClusterState {
    let mut s = ClusterState::default();
    for id in ["a", "b"] {
        s.nodes.insert(id.into(), node(id));
    }
    s.services.insert(service.id.clone(), service);
    for &(id, slot, node, st, desired, since, error) in tasks {
        s.tasks.insert(
            id.into(),
            Task {
                id: id.into(),
                service_id: "s".into(),
                slot,
                node_id: Some(node.into()),
                image: "echo".into(),
                state: st,
                desired_state: desired,
                message: "starting".into(),
                error: error.map(String::from),
                since,
            },
        );
    }
    s
}

use TaskState::{Failed, Preparing, Running, Shutdown};

#[test]
fn verdicts() {
    let rep = |n| ServiceMode::Replicated { replicas: n };
    // (name, service, tasks, running, wanted, verdict)
    type Case<'a> = (&'a str, Service, Vec<T<'a>>, usize, usize, Verdict);
    let cases: Vec<Case> = vec![
        (
            "all running",
            service(rep(2), None),
            vec![
                ("1", Some(1), "a", Running, Running, 1, None),
                ("2", Some(2), "b", Running, Running, 1, None),
            ],
            2,
            2,
            Verdict::Converged,
        ),
        (
            "one preparing",
            service(rep(2), None),
            vec![
                ("1", Some(1), "a", Running, Running, 1, None),
                ("2", Some(2), "b", Preparing, Running, 1, None),
            ],
            1,
            2,
            Verdict::Working("waiting for 1 task(s)".into()),
        ),
        (
            "scaled down: the removed slot is history",
            service(rep(1), None),
            vec![
                ("1", Some(1), "a", Running, Running, 1, None),
                ("2", Some(2), "b", Running, Shutdown, 1, None),
            ],
            1,
            1,
            Verdict::Converged,
        ),
        (
            "failing: the error is the reason",
            service(rep(1), None),
            vec![
                ("1", Some(1), "a", Failed, Shutdown, 1, Some("exit 1")),
                ("2", Some(1), "a", Preparing, Running, 2, None),
            ],
            0,
            1,
            Verdict::Trouble("tasks are failing (failed: exit 1)".into()),
        ),
        (
            "paused update",
            service(rep(1), Some(UpdateState::Paused)),
            vec![("1", Some(1), "a", Running, Running, 1, None)],
            1,
            1,
            Verdict::Trouble("update paused: roll back, or update again with a fix".into()),
        ),
        (
            "updating",
            service(rep(1), Some(UpdateState::Updating)),
            vec![("1", Some(1), "a", Running, Running, 1, None)],
            1,
            1,
            Verdict::Working("updating…".into()),
        ),
        (
            "global: one per node",
            service(ServiceMode::Global, None),
            vec![
                ("1", None, "a", Running, Running, 1, None),
                ("2", None, "b", Running, Running, 1, None),
            ],
            2,
            2,
            Verdict::Converged,
        ),
        (
            "scaled to zero",
            service(rep(0), None),
            vec![],
            0,
            0,
            Verdict::Converged,
        ),
    ];
    for (name, service, tasks, running, wanted, verdict) in cases {
        let p = progress(&state(service, &tasks), "s").expect(name);
        assert_eq!((p.running, p.wanted), (running, wanted), "{name}");
        assert_eq!(p.verdict, verdict, "{name}");
    }
}

#[test]
fn slot_lines_name_node_and_reason() {
    let s = state(
        service(ServiceMode::Replicated { replicas: 2 }, None),
        &[
            ("1", Some(1), "a", Running, Running, 1, None),
            (
                "2",
                Some(2),
                "b",
                Failed,
                Shutdown,
                1,
                Some("no such image"),
            ),
            ("3", Some(2), "b", Preparing, Running, 2, None),
        ],
    );
    let p = progress(&s, "s").unwrap();
    assert_eq!(p.overall(), "overall progress: 1 out of 2 tasks");
    let lines: Vec<_> = p
        .slots
        .iter()
        .map(|l| (l.label.as_str(), l.state, l.node.as_str(), l.note.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("1/2", Running, "host-a", ""),
            ("2/2", Preparing, "host-b", "starting")
        ]
    );
    assert_eq!(p.failures, ["failed: no such image"]);
    assert!(progress(&s, "gone").is_none());
}
