use super::*;
use crate::docker::SwarmState;
use flotilla_app::model::{Availability, ManagerStatus, NodeState, Role};

fn layout() -> LabLayout {
    LabLayout {
        name: "flotilla-lab".into(),
        api_port: 23750,
        registry_port: 5000,
        workers: 3,
        managers: 1,
        panel_port: 28080,
    }
}

#[test]
fn members_are_the_course_nodes() {
    let members = layout().members();
    let names: Vec<_> = members
        .iter()
        .map(|m| (m.hostname.as_str(), m.container.as_str(), m.host_port))
        .collect();
    assert_eq!(
        names,
        [
            ("manager", "flotilla-lab-manager", 23750),
            ("worker01", "flotilla-lab-worker01", 23751),
            ("worker02", "flotilla-lab-worker02", 23752),
            ("worker03", "flotilla-lab-worker03", 23753),
        ]
    );
}

#[test]
fn more_managers_come_first_and_keep_the_workers_ports() {
    let l = LabLayout {
        managers: 3,
        ..layout()
    };
    let members: Vec<_> = l
        .members()
        .into_iter()
        .map(|m| (m.hostname, m.host_port, m.role, m.panel_port))
        .collect();
    use SwarmRole::{Founder, Manager, Worker};
    let want = [
        ("manager", 23750, Founder, Some(28080)),
        ("manager02", 23754, Manager, Some(28081)),
        ("manager03", 23755, Manager, Some(28082)),
        ("worker01", 23751, Worker, None),
        ("worker02", 23752, Worker, None),
        ("worker03", 23753, Worker, None),
    ]
    .map(|(h, port, role, panel)| (h.to_string(), port, role, panel));
    assert_eq!(members, want);
    let manager02 = &l.managers()[1];
    let plan = l.node_plan(manager02, &NodeImages::Official, Privilege::Privileged);
    assert_eq!(
        plan.labels.get("io.flotilla.lab.role").map(String::as_str),
        Some("manager")
    );
}

#[test]
fn every_object_is_labelled_with_the_lab() {
    let l = layout();
    let plans = [
        l.registry_plan(&NodeImages::Official),
        l.node_plan(
            &l.manager(),
            &NodeImages::Local("img".into()),
            Privilege::Privileged,
        ),
        l.node_plan(
            &l.workers()[2],
            &NodeImages::Official,
            Privilege::AllCapsButSysResource,
        ),
    ];
    for plan in &plans {
        assert_eq!(
            plan.labels.get(LAB_LABEL).map(String::as_str),
            Some("flotilla-lab"),
            "{}",
            plan.name
        );
        assert_eq!(plan.network, "flotilla-lab");
        assert!(
            plan.volumes
                .iter()
                .all(|(v, _)| v.starts_with("flotilla-lab-")),
            "{:?}",
            plan.volumes
        );
    }
    assert_eq!(plans[0].aliases, ["registry"]);
    assert_eq!(plans[1].aliases, ["manager"]);
    assert_eq!(plans[2].hostname, "worker03");
}

#[test]
fn nodes_trust_the_lab_registry_and_expose_their_api() {
    let l = layout();
    for images in [NodeImages::Official, NodeImages::Local("x".into())] {
        let plan = l.node_plan(&l.manager(), &images, Privilege::Privileged);
        assert!(
            plan.cmd
                .contains(&"--insecure-registry=registry:5000".to_string())
        );
        assert!(plan.cmd.contains(&"--host=tcp://0.0.0.0:2375".to_string()));
        assert_eq!(plan.ports, [(2375, 23750), (8080, 28080)]);
        let worker = l.node_plan(&l.workers()[0], &images, Privilege::Privileged);
        assert_eq!(worker.ports, [(2375, 23751)], "workers serve no panel");
    }
    let official = l.node_plan(&l.manager(), &NodeImages::Official, Privilege::Privileged);
    assert_eq!(official.env, ["DOCKER_TLS_CERTDIR="]);
}

#[test]
fn registry_plan_publishes_on_the_chosen_host_port() {
    let l = LabLayout {
        registry_port: 5001,
        ..layout()
    };
    assert_eq!(l.registry_plan(&NodeImages::Official).ports, [(5000, 5001)]);
    assert_eq!(l.echo_image_on_host(), "localhost:5001/example/echo:latest");
}

#[test]
fn swarm_steps() {
    let active = |manager| SwarmState::Active {
        node_id: "x".into(),
        manager,
    };
    use SwarmRole::{Founder, Manager, Worker};
    let cases = [
        (SwarmState::Inactive, Founder, SwarmStep::Init),
        (SwarmState::Inactive, Manager, SwarmStep::Join(Manager)),
        (SwarmState::Inactive, Worker, SwarmStep::Join(Worker)),
        (active(true), Founder, SwarmStep::Nothing),
        (active(true), Manager, SwarmStep::Nothing),
        (active(false), Worker, SwarmStep::Nothing),
        (active(true), Worker, SwarmStep::Nothing),
    ];
    for (state, role, want) in cases {
        assert_eq!(swarm_step("n", &state, role), want, "{state:?} {role:?}");
    }
    for role in [Founder, Manager] {
        assert!(matches!(
            swarm_step("manager", &active(false), role),
            SwarmStep::Refuse(_)
        ));
    }
    assert!(matches!(
        swarm_step("w", &SwarmState::Unsettled("pending".into()), Worker),
        SwarmStep::Refuse(_)
    ));
}

fn node(id: &str, hostname: &str, manager_status: Option<ManagerStatus>) -> Node {
    Node {
        id: id.into(),
        hostname: hostname.into(),
        role: if manager_status.is_some() {
            Role::Manager
        } else {
            Role::Worker
        },
        availability: Availability::Active,
        state: NodeState::Ready,
        manager_status,
        engine_version: "20.10.24".into(),
        addr: "10.0.0.2".into(),
        nano_cpus: 2_000_000_000,
        memory_bytes: 1 << 30,
        labels: Default::default(),
    }
}

#[test]
fn node_table_has_docker_node_ls_columns() {
    let nodes = [
        node("abc", "manager", Some(ManagerStatus::Leader)),
        node("defgh", "worker01", None),
    ];
    let table = node_table(&nodes, "abc");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "ID      HOSTNAME   STATUS   AVAILABILITY   MANAGER STATUS   ENGINE VERSION"
    );
    assert_eq!(
        lines[1],
        "abc *   manager    Ready    Active         Leader           20.10.24"
    );
    assert_eq!(
        lines[2],
        "defgh   worker01   Ready    Active                          20.10.24"
    );
}
