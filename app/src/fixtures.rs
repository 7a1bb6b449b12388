//! Model values for unit tests, written once: a ready, active node (a leader if a manager),
//! a one-replica service and a task, with nothing else set, and a small cluster of them.

use crate::model::*;

pub fn node(id: &str, hostname: &str, role: Role) -> Node {
    Node {
        id: id.into(),
        hostname: hostname.into(),
        role,
        availability: Availability::Active,
        state: NodeState::Ready,
        manager_status: (role == Role::Manager).then_some(ManagerStatus::Leader),
        engine_version: "27.3.1".into(),
        addr: String::new(),
        nano_cpus: 0,
        memory_bytes: 0,
        labels: Default::default(),
    }
}

pub fn service(id: &str, name: &str, stack: Option<&str>) -> Service {
    Service {
        id: id.into(),
        name: name.into(),
        stack: stack.map(String::from),
        mode: ServiceMode::Replicated { replicas: 1 },
        image: String::new(),
        running: 0,
        desired: 0,
        update: None,
        ports: vec![],
        networks: vec![],
    }
}

pub fn task(id: &str, service: &str, node: Option<&str>, state: TaskState, slot: u64) -> Task {
    Task {
        id: id.into(),
        service_id: service.into(),
        slot: Some(slot),
        node_id: node.map(String::from),
        image: "registry:5000/web:1.2@sha256:abc".into(),
        state,
        desired_state: if state == TaskState::Shutdown {
            TaskState::Shutdown
        } else {
            TaskState::Running
        },
        message: String::new(),
        error: None,
        since: 1_000,
    }
}

/// Two stacks and a service outside any, on a manager and two workers (one empty), a task
/// with no node and one on a node that is gone, and one shut down.
pub fn cluster() -> crate::state::ClusterState {
    let mut s = crate::state::ClusterState::default();
    for n in [
        node("n2", "worker01", Role::Worker),
        node("n1", "zmanager", Role::Manager),
        node("n3", "worker02", Role::Worker),
    ] {
        s.nodes.insert(n.id.clone(), n);
    }
    for sv in [
        service("s1", "web_api", Some("web")),
        service("s2", "echo", None),
        service("s3", "ops_viz", Some("ops")),
    ] {
        s.services.insert(sv.id.clone(), sv);
    }
    for t in [
        task("t1", "s1", Some("n2"), TaskState::Running, 2),
        task("t2", "s1", Some("n2"), TaskState::Starting, 1),
        task("t3", "s2", Some("n2"), TaskState::Running, 1),
        task("t4", "s3", Some("n2"), TaskState::Failed, 1),
        task("t5", "s2", Some("n1"), TaskState::Running, 2),
        task("t6", "s2", Some("n3"), TaskState::Shutdown, 3),
        task("t7", "s2", None, TaskState::Pending, 4),
        task("t8", "s2", Some("gone"), TaskState::Running, 5),
    ] {
        s.tasks.insert(t.id.clone(), t);
    }
    s
}
