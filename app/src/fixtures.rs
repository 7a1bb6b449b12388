//! Model values for unit tests, written once: a ready, active node (a leader if a manager)
//! and a one-replica service, with nothing else set.

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
