use super::*;
use std::collections::HashMap;

#[test]
fn timestamps() {
    let cases = [
        ("1970-01-01T00:00:00Z", Some(0)),
        ("2026-11-26T18:02:02.123456789Z", Some(1_795_716_122)),
        ("2000-02-29T12:00:00Z", Some(951_825_600)),
        ("2026-11-26T19:02:02+01:00", Some(1_795_716_122)),
        ("0001-01-01T00:00:00Z", Some(-62_135_596_800)),
        ("2026-13-01T00:00:00Z", None),
        ("2026-02-30T00:00:00Z", None),
        ("yesterday", None),
        ("2026-11-26T1", None),
        ("2026-11-26T18:02:02", None),
        ("2026-11-26T18:02:02é", None),
    ];
    for (ts, want) in cases {
        assert_eq!(unix_seconds(ts), want, "{ts}");
    }
}

#[test]
fn digests_come_off_in_place() {
    let cases = [
        (
            "registry:5000/echo:1.2@sha256:abc",
            "registry:5000/echo:1.2",
        ),
        ("nginx@sha256:abc", "nginx"),
        ("nginx:1.27", "nginx:1.27"),
        ("@sha256:abc", ""),
        ("", ""),
    ];
    for (image, want) in cases {
        assert_eq!(without_digest(image.to_string()), want, "{image}");
        assert_eq!(
            image_without_digest(image),
            want,
            "{image}: as the model's own"
        );
    }
}

#[test]
fn service_keeps_no_env_or_labels_but_its_stack() {
    let spec = m::ServiceSpec {
        name: Some("web_api".into()),
        labels: Some(HashMap::from([
            (STACK_LABEL.to_string(), "web".to_string()),
            ("secret.token".to_string(), "hunter2".to_string()),
        ])),
        task_template: Some(m::TaskSpec {
            container_spec: Some(m::TaskSpecContainerSpec {
                image: Some("registry:5000/example/echo:latest@sha256:abc".into()),
                env: Some(vec!["PASSWORD=hunter2".into()]),
                ..Default::default()
            }),
            networks: Some(vec![m::NetworkAttachmentConfig {
                target: Some("net1".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        mode: Some(m::ServiceSpecMode {
            replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(3) }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let docker = m::Service {
        id: Some("s1".into()),
        spec: Some(spec),
        service_status: Some(m::ServiceServiceStatus {
            running_tasks: Some(2),
            desired_tasks: Some(3),
            completed_tasks: None,
        }),
        endpoint: Some(m::ServiceEndpoint {
            ports: Some(vec![m::EndpointPortConfig {
                target_port: Some(8080),
                published_port: Some(8000),
                protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
                publish_mode: Some(m::EndpointPortConfigPublishModeEnum::HOST),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let s = service(docker);
    assert_eq!(s.name, "web_api");
    assert_eq!(s.stack.as_deref(), Some("web"));
    assert_eq!(s.mode, ServiceMode::Replicated { replicas: 3 });
    assert_eq!(s.image, "registry:5000/example/echo:latest");
    assert_eq!((s.running, s.desired), (2, 3));
    assert_eq!(s.networks, ["net1"]);
    assert_eq!(
        s.ports,
        [PublishedPort {
            target: 8080,
            published: Some(8000),
            protocol: "tcp".into(),
            mode: PublishMode::Host
        }]
    );
    let json = serde_json::to_string(&s).expect("json");
    assert!(!json.contains("hunter2"), "{json}");
}

#[test]
fn task_fields() {
    let docker = m::Task {
        id: Some("t1".into()),
        service_id: Some("s1".into()),
        slot: Some(4),
        node_id: Some(String::new()),
        desired_state: Some(m::TaskState::RUNNING),
        status: Some(m::TaskStatus {
            timestamp: Some("1970-01-01T00:01:00Z".into()),
            state: Some(m::TaskState::PENDING),
            message: Some("pending task scheduling".into()),
            err: Some("no suitable node (scheduling constraints not satisfied on 1 node)".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let t = task(docker);
    assert_eq!(t.slot, Some(4));
    assert_eq!(t.node_id, None, "an empty node id means not placed");
    assert_eq!(
        (t.state, t.desired_state),
        (TaskState::Pending, TaskState::Running)
    );
    assert_eq!(t.since, 60);
    assert!(
        t.error
            .as_deref()
            .is_some_and(|e| e.starts_with("no suitable node"))
    );
}

#[test]
fn a_list_converts_as_its_tasks_one_by_one() {
    let model = |id: &str, image: &str, node: Option<&str>| m::Task {
        id: Some(id.into()),
        service_id: Some("s1".into()),
        node_id: node.map(String::from),
        spec: Some(m::TaskSpec {
            container_spec: Some(m::TaskSpecContainerSpec {
                image: Some(image.into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        status: Some(m::TaskStatus {
            timestamp: Some("2026-11-26T18:02:02.123456789Z".into()),
            state: Some(m::TaskState::RUNNING),
            message: Some("started".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let list = vec![
        model("t1", "echo:1@sha256:abc", Some("n1")),
        model("t2", "echo:2", None),
        m::Task::default(),
    ];
    let one_by_one: Vec<Task> = list.clone().into_iter().map(task).collect();
    assert_eq!(tasks(list), one_by_one);
    assert_eq!(one_by_one[0].image, "echo:1");
    assert_eq!(one_by_one[0].since, 1_795_716_122);
    assert_eq!(one_by_one[2].id, "", "a task without fields is still one");
}
