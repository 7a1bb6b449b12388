use super::*;
use crate::fixtures::{node, service};
use crate::model::*;

fn task(id: &str, service: &str, node: Option<&str>, desired: TaskState, slot: u64) -> Task {
    Task {
        id: id.into(),
        service_id: service.into(),
        slot: Some(slot),
        node_id: node.map(String::from),
        image: String::new(),
        state: desired,
        desired_state: desired,
        message: String::new(),
        error: None,
        since: 0,
    }
}

fn state() -> ClusterState {
    let mut s = ClusterState::default();
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
    ] {
        s.services.insert(sv.id.clone(), sv);
    }
    for t in [
        task("t1", "s1", Some("n2"), TaskState::Running, 2),
        task("t2", "s1", Some("n2"), TaskState::Running, 1),
        task("t3", "s2", Some("n2"), TaskState::Running, 1),
        task("t4", "s2", Some("n3"), TaskState::Shutdown, 2),
        task("t5", "s2", None, TaskState::Running, 3),
        task("t6", "s2", Some("gone-node"), TaskState::Running, 4),
    ] {
        s.tasks.insert(t.id.clone(), t);
    }
    s
}

fn ids(column: &Column) -> Vec<(String, Vec<String>)> {
    column
        .groups
        .iter()
        .map(|(g, ts)| (g.clone(), ts.iter().map(|t| t.id.clone()).collect()))
        .collect()
}

#[test]
fn columns_put_managers_first_and_unplaced_tasks_last() {
    let s = state();
    let cols = columns(&s, &Filters::default());
    let names: Vec<&str> = cols
        .iter()
        .map(|c| c.node.map(|n| n.hostname.as_str()).unwrap_or("unassigned"))
        .collect();
    assert_eq!(names, ["zmanager", "worker01", "worker02", "unassigned"]);
    // Sorted by service name then slot; the shutdown task is hidden by default.
    assert_eq!(
        ids(&cols[1]),
        [(String::new(), vec!["t3".into(), "t2".into(), "t1".into()])]
    );
    assert_eq!(cols[2].task_count(), 0);
    // A task on a node the state no longer has is shown as unassigned, not lost.
    assert_eq!(
        ids(&cols[3]),
        [(String::new(), vec!["t5".into(), "t6".into()])]
    );
}

#[test]
fn history_and_stack_grouping() {
    let s = state();
    let filters = Filters {
        running_only: false,
        group_by_stack: true,
        ..Filters::default()
    };
    let cols = columns(&s, &filters);
    assert_eq!(cols[2].task_count(), 1, "shutdown task shown with history");
    assert_eq!(
        ids(&cols[1]),
        [
            (String::new(), vec!["t3".into()]),
            ("web".into(), vec!["t2".into(), "t1".into()])
        ]
    );
}

#[test]
fn filters_round_trip_through_the_query() {
    let cases = [
        Filters::default(),
        Filters {
            running_only: false,
            group_by_stack: true,
            dense: Some(true),
            highlight: Some("web api&x".into()),
            kiosk: false,
        },
        Filters {
            group_by_stack: true,
            kiosk: true,
            ..Filters::default()
        },
        Filters {
            dense: Some(false),
            ..Filters::default()
        },
    ];
    for f in cases {
        let query = f.to_query();
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), decode(v))
            })
            .collect();
        let back = Filters::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, f, "{query}");
    }
    assert_eq!(Filters::default().to_query(), "");
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf8")
}

#[test]
fn dense_mode_is_automatic_unless_chosen() {
    let f = Filters::default();
    assert!(!f.is_dense(10, 4));
    assert!(f.is_dense(1000, 4));
    assert!(f.is_dense(10, 30));
    assert!(
        !Filters {
            dense: Some(false),
            ..f.clone()
        }
        .is_dense(1000, 30)
    );
    assert!(
        Filters {
            dense: Some(true),
            ..f
        }
        .is_dense(1, 1)
    );
}

#[test]
fn small_formats() {
    assert_eq!(
        task_label("echo", &task("t", "s", None, TaskState::Running, 3)),
        "echo.3"
    );
}

#[test]
fn highlight_toggles_off_on_a_second_click() {
    let none = Filters::default();
    let echo = none.toggle_highlight("echo");
    assert_eq!(echo.highlight.as_deref(), Some("echo"));
    assert_eq!(echo.toggle_highlight("echo"), none);
    assert_eq!(
        echo.toggle_highlight("web").highlight.as_deref(),
        Some("web")
    );
    assert_eq!(echo.href(), "/?service=echo");
    assert_eq!(none.href(), "/");
}

#[test]
fn dense_toggle_flips_what_is_shown_and_returns_to_automatic() {
    // (chosen, automatic) -> chosen after a click
    let cases = [
        (None, false, Some(true)),
        (None, true, Some(false)),
        (Some(true), false, None),
        (Some(false), true, None),
        (Some(true), true, Some(false)),
        (Some(false), false, Some(true)),
    ];
    for (dense, auto, after) in cases {
        let f = Filters {
            dense,
            ..Filters::default()
        };
        let toggled = f.toggle_dense(auto);
        assert_eq!(toggled.dense, after, "{dense:?} auto={auto}");
        assert_ne!(
            toggled.dense.unwrap_or(auto),
            f.dense.unwrap_or(auto),
            "a click always changes what is shown"
        );
    }
}

#[test]
fn automatic_density_counts_visible_tasks_and_nodes() {
    let mut s = state();
    assert!(!auto_dense(&s, &Filters::default()));
    for i in 0..=DENSE_TASKS {
        let t = task(
            &format!("x{i}"),
            "s2",
            Some("n2"),
            TaskState::Running,
            10 + i as u64,
        );
        s.tasks.insert(t.id.clone(), t);
    }
    assert!(auto_dense(&s, &Filters::default()));
    let mut s = state();
    for i in 0..DENSE_NODES {
        let n = node(&format!("m{i}"), &format!("w{i:02}"), Role::Worker);
        s.nodes.insert(n.id.clone(), n);
    }
    assert!(auto_dense(&s, &Filters::default()), "15 nodes");
}

#[test]
fn pairs_are_unencoded_and_the_query_is_encoded() {
    let f = Filters {
        running_only: false,
        highlight: Some("a&b".into()),
        ..Filters::default()
    };
    assert_eq!(
        f.pairs(),
        [("running", "0".to_string()), ("service", "a&b".to_string())]
    );
    assert_eq!(f.to_query(), "running=0&service=a%26b");
}

#[test]
fn labels() {
    let mut t = task("t", "s", None, TaskState::Running, 4);
    assert_eq!(task_label("agent", &t), "agent.4");
    t.slot = None;
    assert_eq!(task_label("agent", &t), "agent");
    assert_eq!(update_label(UpdateState::RollbackStarted), "rolling back");
    let mut svc = service("s", "web", None);
    svc.ports = vec![
        PublishedPort {
            target: 8080,
            published: Some(8000),
            protocol: "tcp".into(),
            mode: PublishMode::Ingress,
        },
        PublishedPort {
            target: 53,
            published: None,
            protocol: "udp".into(),
            mode: PublishMode::Host,
        },
    ];
    assert_eq!(
        ports_label(&svc),
        "8000→8080/tcp (ingress), *→53/udp (host)"
    );
    assert_eq!(mode_label(&svc), "replicated 1");
}
