use super::*;
use crate::model::*;
use crate::stacks::{Plan, PlanAction, PlanItem, StackObject};

fn service(id: &str, name: &str, stack: Option<&str>, mode: ServiceMode) -> Service {
    Service {
        id: id.into(),
        name: name.into(),
        stack: stack.map(String::from),
        mode,
        image: "nginx:1.27@sha256:abc".into(),
        running: 1,
        desired: 2,
        update: None,
        ports: vec![],
        networks: vec![],
    }
}

fn task(id: &str, service: &str, slot: Option<u64>, node: Option<&str>, since: i64) -> Task {
    Task {
        id: id.into(),
        service_id: service.into(),
        slot,
        node_id: node.map(String::from),
        image: "nginx:1.27@sha256:abc".into(),
        state: TaskState::Running,
        desired_state: TaskState::Running,
        message: String::new(),
        error: None,
        since,
    }
}

fn port(published: Option<u32>, target: u32, protocol: &str, mode: PublishMode) -> PublishedPort {
    PublishedPort {
        target,
        published,
        protocol: protocol.into(),
        mode,
    }
}

fn state() -> ClusterState {
    let mut s = ClusterState::default();
    let replicated = ServiceMode::Replicated { replicas: 2 };
    for sv in [
        service("s1aaaaaaaaaaaaaaaa", "web_web10", Some("web"), replicated),
        service("s2", "web_web2", Some("web"), ServiceMode::Global),
        service("s3", "echo", None, replicated),
        service("s4", "viz_viz", Some("viz"), replicated),
        service("s5", "ch10_x", Some("ch10"), replicated),
        service("s6", "ch9_x", Some("ch9"), replicated),
    ] {
        s.services.insert(sv.id.clone(), sv);
    }
    s.nodes.insert(
        "n1".into(),
        Node {
            id: "n1".into(),
            hostname: "manager1".into(),
            role: Role::Manager,
            availability: Availability::Active,
            state: NodeState::Ready,
            manager_status: None,
            engine_version: String::new(),
            addr: String::new(),
            nano_cpus: 0,
            memory_bytes: 0,
            labels: Default::default(),
        },
    );
    let mut old = task(
        "t0ldtask0000000000",
        "s1aaaaaaaaaaaaaaaa",
        Some(1),
        Some("n1"),
        10,
    );
    old.desired_state = TaskState::Shutdown;
    old.state = TaskState::Failed;
    old.error = Some("task: non-zero exit (1): the container said no".into());
    for t in [
        old,
        task("t1", "s1aaaaaaaaaaaaaaaa", Some(1), Some("n1"), 100),
        task("t2", "s1aaaaaaaaaaaaaaaa", Some(10), Some("n1"), 50),
        task("t3", "s1aaaaaaaaaaaaaaaa", Some(2), None, 50),
        task("t4", "s2", None, Some("n9"), 50),
        task("t5", "s3", Some(1), Some("n1"), 50),
    ] {
        s.tasks.insert(t.id.clone(), t);
    }
    s
}

#[test]
fn stack_ls_counts_services_by_namespace_in_natural_order() {
    let got: Vec<(String, usize)> = stack_list(&state())
        .into_iter()
        .map(|r| (r.name, r.services))
        .collect();
    let want = [("ch9", 1), ("ch10", 1), ("viz", 1), ("web", 2)];
    assert_eq!(got, want.map(|(n, c)| (n.to_string(), c)));
}

#[test]
fn stack_services_rows_as_the_cli() {
    let mut s = state();
    if let Some(sv) = s.services.get_mut("s1aaaaaaaaaaaaaaaa") {
        sv.ports = vec![port(Some(8080), 80, "tcp", PublishMode::Ingress)];
    }
    let rows = stack_services(&s, "web");
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["web_web2", "web_web10"]);
    assert_eq!(rows[0].mode, "global");
    let web10 = &rows[1];
    assert_eq!(web10.id, "s1aaaaaaaaaa");
    assert_eq!(
        (web10.mode.as_str(), web10.replicas.as_str()),
        ("replicated", "1/2")
    );
    assert_eq!(web10.image, "nginx:1.27");
    assert_eq!(web10.ports, "*:8080->80/tcp");
    assert!(stack_services(&s, "nope").is_empty());
}

#[test]
fn stack_ps_names_sorts_and_indents_history() {
    let rows = stack_tasks(&state(), "web");
    let got: Vec<(&str, bool, &str)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.history, r.node.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("web_web2.n9", false, "n9"),
            ("web_web10.1", false, "manager1"),
            ("web_web10.1", true, "manager1"),
            ("web_web10.2", false, ""),
            ("web_web10.10", false, "manager1"),
        ]
    );
    let old = &rows[2];
    assert_eq!(old.id, "t0ldtask0000");
    assert_eq!(old.desired, "Shutdown");
    assert_eq!(old.image, "nginx:1.27");
    assert_eq!(
        current_state(old.state, old.since, 310),
        "Failed 5 minutes ago"
    );
    assert_eq!(cli_error(&old.error), "\"task: non-zero exit (1): the …\"");
    assert_eq!(cli_error("short"), "\"short\"");
    assert_eq!(cli_error(""), "");
}

/// Tasks rejected within the same second (an image that cannot be pulled): the one still
/// meant to run is the current one, listed first, whatever the map's order.
#[test]
fn stack_ps_lists_the_task_meant_to_run_first_within_a_second() {
    for (old_id, new_id) in [("ta", "tb"), ("tb", "ta")] {
        let mut s = state();
        let mut old = task(old_id, "s4", Some(2), Some("n1"), 70);
        old.state = TaskState::Rejected;
        old.desired_state = TaskState::Shutdown;
        let mut new = task(new_id, "s4", Some(2), Some("n1"), 70);
        new.state = TaskState::Rejected;
        new.desired_state = TaskState::Ready;
        s.tasks.insert(old.id.clone(), old);
        s.tasks.insert(new.id.clone(), new);
        let got: Vec<(String, bool)> = stack_tasks(&s, "viz")
            .into_iter()
            .map(|r| (r.desired, r.history))
            .collect();
        assert_eq!(
            got,
            [("Ready".to_string(), false), ("Shutdown".to_string(), true)],
            "{old_id} replaced by {new_id}"
        );
    }
}

#[test]
fn human_durations_as_go_units() {
    let cases = [
        (0, "Less than a second"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "About a minute"),
        (119, "About a minute"),
        (300, "5 minutes"),
        (3599, "59 minutes"),
        (3600, "About an hour"),
        (5399, "About an hour"),
        (5400, "2 hours"),
        (47 * 3600, "47 hours"),
        (48 * 3600, "2 days"),
        (14 * 86_400, "2 weeks"),
        (60 * 86_400, "2 months"),
        (730 * 86_400, "2 years"),
        (-5, "Less than a second"),
    ];
    for (secs, want) in cases {
        assert_eq!(human_duration(secs), want, "{secs}");
    }
}

#[test]
fn ports_fold_ranges_and_skip_host_mode() {
    let mut s = service("x", "x", None, ServiceMode::Global);
    s.ports = vec![
        port(Some(8001), 81, "tcp", PublishMode::Ingress),
        port(Some(8000), 80, "tcp", PublishMode::Ingress),
        port(Some(53), 53, "udp", PublishMode::Ingress),
        port(Some(9000), 90, "tcp", PublishMode::Host),
        port(Some(443), 8443, "tcp", PublishMode::Ingress),
        port(None, 7000, "tcp", PublishMode::Ingress),
    ];
    assert_eq!(
        cli_ports(&s),
        "*:443->8443/tcp, *:8000-8001->80-81/tcp, *:53->53/udp"
    );
    s.ports.clear();
    assert_eq!(cli_ports(&s), "");
}

#[test]
fn natural_order() {
    let mut names = vec!["web.10", "web.2", "web.1", "a", "web.02", "Web", "web"];
    names.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(
        names,
        ["Web", "a", "web", "web.1", "web.2", "web.02", "web.10"]
    );
}

#[test]
fn env_files_merge_into_the_variables_box() {
    let env = "\u{feff}# settings\r\nTAG=2\r\n\r\nexport PORT=8080\r\nNEW='a b'\r\nTAG=3\r\n";
    let merged = merge_env("TAG=1\n# mine\nKEEP=x\nTAG=dup\n", env);
    assert_eq!(
        merged,
        "TAG=3\n# mine\nKEEP=x\nexport PORT=8080\nNEW='a b'\n"
    );
    assert_eq!(merge_env("", "A=1"), "A=1\n");
    assert_eq!(merge_env("", "# only comments\n"), "");
}

fn item(kind: StackObject, name: &str, action: PlanAction) -> PlanItem {
    PlanItem {
        kind,
        name: name.into(),
        action,
        changes: vec![],
    }
}

#[test]
fn plan_summaries() {
    let mut plan = Plan {
        stack: "web".into(),
        items: vec![
            item(StackObject::Network, "web_default", PlanAction::Unchanged),
            item(StackObject::Service, "web_api", PlanAction::Create),
            item(StackObject::Service, "web_nginx", PlanAction::Create),
            item(StackObject::Service, "web_db", PlanAction::Update),
        ],
        warnings: vec![],
    };
    assert_eq!(plan_summary(&plan), "2 to create, 1 to update, 1 unchanged");
    plan.items.retain(|i| i.action == PlanAction::Unchanged);
    assert_eq!(plan_summary(&plan), "no changes (1 unchanged)");
    plan.items.clear();
    assert_eq!(plan_summary(&plan), "no changes");
    assert_eq!(kind_label(StackObject::Config), "config");
    assert_eq!(action_label(PlanAction::Remove), "remove");
}

#[test]
fn a_preview_is_outdated_once_the_swarm_contradicts_it() {
    let mut s = state();
    s.networks.insert(
        "nw1".into(),
        Network {
            id: "nw1".into(),
            name: "ch03".into(),
            driver: "overlay".into(),
            scope: "swarm".into(),
            attachable: true,
            ingress: false,
            stack: None,
        },
    );
    let first = Plan {
        stack: "viz".into(),
        items: vec![
            item(StackObject::Network, "ch03", PlanAction::Unchanged),
            item(StackObject::Secret, "viz_key", PlanAction::Create),
            item(StackObject::Service, "viz_new", PlanAction::Create),
            item(StackObject::Service, "viz_viz", PlanAction::Update),
        ],
        warnings: vec![],
    };
    assert!(!plan_outdated(&first, &s));
    // Created since (deployed from elsewhere).
    let mut created = s.clone();
    let made = service("s9", "viz_new", Some("viz"), ServiceMode::Global);
    created.services.insert(made.id.clone(), made);
    assert!(plan_outdated(&first, &created));
    // The stack removed: what it found is gone.
    let mut removed = s.clone();
    removed.services.remove("s4");
    assert!(plan_outdated(&first, &removed));
    // The external network removed.
    let mut no_network = s.clone();
    no_network.networks.clear();
    assert!(plan_outdated(&first, &no_network));
}
