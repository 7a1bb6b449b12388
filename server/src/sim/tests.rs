use super::world::{Shape, TaskState, World};
use std::collections::{BTreeMap, BTreeSet, HashSet};

const NOW: i64 = 1_780_000_000;

fn shape(nodes: usize, tasks: usize, services: usize, seed: u64) -> Shape {
    Shape {
        nodes,
        tasks,
        services,
        seed,
    }
}

/// Small, odd and the benchmark's own: one node; no tasks; more services than tasks; a
/// swarm with globals; the scale bench's shape.
fn shapes() -> Vec<Shape> {
    vec![
        shape(1, 1, 1, 1),
        shape(3, 0, 2, 2),
        shape(7, 5, 40, 3),
        shape(50, 900, 45, 4),
        shape(1_000, 20_000, 500, 5),
    ]
}

#[test]
fn the_same_seed_makes_the_same_world() {
    for s in shapes() {
        let (a, b) = (World::generate(s, NOW), World::generate(s, NOW));
        assert_eq!(a.nodes, b.nodes, "{s:?}");
        assert_eq!(a.services, b.services, "{s:?}");
        assert_eq!(a.tasks, b.tasks, "{s:?}");
        assert_eq!(a.networks, b.networks, "{s:?}");
        let other = World::generate(
            Shape {
                seed: s.seed + 100,
                ..s
            },
            NOW,
        );
        assert_ne!(
            a.nodes[0].id, other.nodes[0].id,
            "another seed, other IDs: {s:?}"
        );
    }
}

#[test]
fn counts_are_as_asked_and_references_hold() {
    for s in shapes() {
        let w = World::generate(s, NOW);
        assert_eq!(
            (w.nodes.len(), w.services.len(), w.tasks.len()),
            (s.nodes, s.services, s.tasks),
            "{s:?}"
        );
        assert_eq!(w.nodes.iter().filter(|n| n.leader).count(), 1, "{s:?}");
        assert!(
            w.nodes[0].manager && w.nodes[0].eligible(),
            "the leader is up: {s:?}"
        );
        for t in &w.tasks {
            assert!(
                t.node < w.nodes.len() && t.service < w.services.len(),
                "{s:?}"
            );
        }
        for n in &w.networks {
            assert!(n.stack.is_none_or(|k| k < w.stacks.len()), "{s:?}");
        }
        assert_unique(w.nodes.iter().map(|n| &n.id), "node IDs", s);
        assert_unique(w.nodes.iter().map(|n| &n.hostname), "hostnames", s);
        assert_unique(w.services.iter().map(|x| &x.id), "service IDs", s);
        assert_unique(w.services.iter().map(|x| &x.name), "service names", s);
        assert_unique(w.networks.iter().map(|n| &n.name), "network names", s);
        assert_invariants(&w);
    }
}

#[test]
fn churn_keeps_the_invariants_and_is_deterministic() {
    for s in shapes() {
        let (mut a, mut b) = (World::generate(s, NOW), World::generate(s, NOW));
        let mut touched = 0;
        for round in 0..60 {
            let now = NOW + round;
            let (ca, cb) = (a.churn(37, now), b.churn(37, now));
            assert_eq!(ca.events, cb.events, "{s:?} round {round}");
            touched += ca.tasks_touched;
            assert_invariants(&a);
        }
        assert_eq!(a.tasks, b.tasks, "{s:?}");
        assert_eq!(a.nodes, b.nodes, "{s:?}");
        if s.tasks > 0 {
            assert!(touched > 0, "churn moved tasks: {s:?}");
        }
    }
}

#[test]
fn churn_bumps_versions_and_update_times() {
    let mut w = World::generate(shape(50, 900, 45, 9), NOW);
    let before: BTreeMap<String, (u64, i64)> = w
        .tasks
        .iter()
        .map(|t| (t.id.clone(), (t.stamp.version, t.stamp.updated)))
        .collect();
    let index = w.index;
    w.churn(50, NOW + 10);
    assert!(w.index > index);
    let mut changed = 0;
    for t in &w.tasks {
        match before.get(&t.id) {
            Some(&(version, _)) if version == t.stamp.version => {}
            Some(&(version, _)) => {
                assert!(t.stamp.version > version && t.stamp.updated == NOW + 10);
                changed += 1;
            }
            None => assert_eq!(t.stamp.created, NOW + 10, "a new task is made now"),
        }
    }
    assert!(changed > 0);
}

fn assert_unique<'a>(items: impl Iterator<Item = &'a String>, what: &str, s: Shape) {
    let mut seen = HashSet::new();
    for item in items {
        assert!(seen.insert(item), "{what}: {item} twice in {s:?}");
    }
}

/// Replicated services have one live task per slot 1..=replicas, globals one per eligible
/// node; live tasks are at most running; task IDs are unique; the history stays bounded.
fn assert_invariants(w: &World) {
    let s = w.shape;
    assert_unique(w.tasks.iter().map(|t| &t.id), "task IDs", s);
    let eligible: BTreeSet<usize> = (0..w.nodes.len())
        .filter(|&i| w.nodes[i].eligible())
        .collect();
    let mut by_service = vec![Vec::new(); w.services.len()];
    for t in w.tasks.iter().filter(|t| t.live) {
        by_service[t.service].push(t);
    }
    for (service, live) in w.services.iter().zip(by_service) {
        assert!(live.iter().all(|t| t.state <= TaskState::Running), "{s:?}");
        match service.replicas {
            Some(replicas) => {
                let slots: BTreeSet<u64> = live.iter().filter_map(|t| t.slot).collect();
                assert_eq!(live.len() as u64, replicas, "{} in {s:?}", service.name);
                assert_eq!(slots, (1..=replicas).collect(), "{} in {s:?}", service.name);
            }
            None => {
                let nodes: BTreeSet<usize> = live.iter().map(|t| t.node).collect();
                assert_eq!(live.len(), nodes.len(), "{} in {s:?}", service.name);
                assert_eq!(nodes, eligible, "{} in {s:?}", service.name);
            }
        }
    }
    for t in &w.tasks {
        assert!(t.node < w.nodes.len() && t.service < w.services.len());
        assert_eq!(t.live, t.state <= TaskState::Running, "{s:?}");
    }
    let dead = w.tasks.iter().filter(|t| !t.live).count();
    assert!(dead <= w.history_cap(), "{dead} dead tasks in {s:?}");
}

#[test]
fn the_panel_reads_the_simulated_lists() {
    use super::api;
    use crate::docker::convert;
    let mut w = World::generate(shape(50, 900, 45, 6), NOW);
    w.churn(200, NOW + 1);
    let listed: Vec<_> = w.tasks.iter().map(|t| api::task(&w, t)).collect();
    let json = serde_json::to_vec(&listed).expect("serializes");
    let tasks: Vec<bollard::models::Task> =
        serde_json::from_slice(&json).expect("the task list decodes as Docker's");
    let tasks: Vec<_> = tasks.into_iter().map(convert::task).collect();
    let node_ids: HashSet<String> = w.nodes.iter().map(|n| n.id.clone()).collect();
    assert_eq!(tasks.len(), w.tasks.len());
    for (task, sim) in tasks.iter().zip(&w.tasks) {
        assert!(node_ids.contains(task.node_id.as_deref().unwrap_or_default()));
        assert_eq!(task.since, sim.since);
        assert_eq!(task.slot, sim.slot);
        assert!(
            !task.image.contains('@'),
            "the digest is dropped: {}",
            task.image
        );
    }
    let counts = api::service_counts(&w);
    let services: Vec<_> = (w.services.iter().zip(counts))
        .map(|(s, c)| convert::service(api::service(&w, s, c)))
        .collect();
    let stacked = services.iter().filter(|s| s.stack.is_some()).count();
    assert!(
        stacked > 0 && stacked < services.len(),
        "stacks and lone services"
    );
    assert!(
        services
            .iter()
            .any(|s| s.mode == flotilla_app::model::ServiceMode::Global)
    );
    assert!(services.iter().all(|s| s.desired > 0 || s.running == 0));
}

/// The real adapter, over HTTP: version negotiation, the version prefix, info, the lists, and
/// an event for a change the churn makes.
#[tokio::test]
async fn the_engine_adapter_follows_the_simulator() {
    use crate::docker::{Engine, ObjectKind, SwarmState};
    use futures_util::StreamExt;
    use std::time::Duration;
    let s = shape(30, 300, 20, 7);
    let shared = super::http::Shared::new(World::generate(s, NOW));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(super::http::serve(listener, shared.clone()));
    let engine = Engine::connect_with_timeout(&format!("tcp://{addr}"), 5)
        .await
        .expect("the simulator answers as an engine");
    let leader = shared.with_world(|w| w.nodes[0].id.clone());
    assert_eq!(
        engine.swarm_state().await.expect("info"),
        SwarmState::Active {
            node_id: leader,
            manager: true
        }
    );
    assert_eq!(engine.list_nodes().await.expect("nodes").len(), s.nodes);
    assert_eq!(
        engine.list_services().await.expect("services").len(),
        s.services
    );
    assert_eq!(engine.list_tasks().await.expect("tasks").len(), s.tasks);
    let networks = engine.list_networks().await.expect("networks");
    let first = engine
        .inspect_network(&networks[0].id)
        .await
        .expect("inspect");
    assert_eq!(first.as_ref(), Some(&networks[0]));
    assert_eq!(
        engine.inspect_node("nope").await.expect("a 404 is None"),
        None
    );

    // Changes are made until one reaches the stream: it is subscribed on its first poll.
    let mut events = Box::pin(engine.cluster_events());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let event = loop {
        tokio::select! {
            event = events.next() => break event.expect("the stream stays open").expect("an event"),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {
                assert!(tokio::time::Instant::now() < deadline, "no event within 10 s");
                shared.churn(20, NOW + 1);
            }
        }
    };
    assert!(
        matches!(event.kind, ObjectKind::Node | ObjectKind::Service),
        "{event:?}"
    );
    match event.kind {
        ObjectKind::Node => {
            let node = engine.inspect_node(&event.id).await.expect("inspect");
            assert!(node.is_some(), "the event names a node that exists");
        }
        _ => assert!(shared.with_world(|w| w.services.iter().any(|x| x.id == event.id))),
    }
}
