use super::*;

fn echo() -> ServiceForm {
    ServiceForm {
        name: "echo".into(),
        image: "registry:5000/example/echo:latest".into(),
        replicas: "6".into(),
        ..Default::default()
    }
}

#[test]
fn the_course_service_is_valid() {
    let request = validate_service(&echo()).expect("valid");
    assert_eq!(request.mode, Mode::Replicated(6));
    assert_eq!(request.image, "registry:5000/example/echo:latest");
}

#[test]
fn a_full_form_is_carried_over() {
    let form = ServiceForm {
        mode: "replicated".into(),
        command: r#"/bin/sh -c "echo hi; sleep 9""#.into(),
        env: "GREETING=hello world\nEMPTY=".into(),
        labels: "team=core".into(),
        ports: vec![PortForm {
            target: "8080".into(),
            published: "8000".into(),
            protocol: "".into(),
            mode: "host".into(),
        }],
        mounts: vec![
            MountForm {
                kind: "volume".into(),
                source: "data".into(),
                target: "/data".into(),
                read_only: false,
            },
            MountForm {
                kind: "tmpfs".into(),
                source: "".into(),
                target: "/tmp".into(),
                read_only: false,
            },
        ],
        networks: vec!["ch03".into()],
        constraints: "node.role != manager\n\nnode.labels.zone == east".into(),
        spread: "node.labels.zone".into(),
        limit_cpus: "0.5".into(),
        limit_memory: "256M".into(),
        restart_condition: "on-failure".into(),
        restart_delay: "5s".into(),
        restart_max_attempts: "3".into(),
        update_parallelism: "2".into(),
        update_delay: "10s".into(),
        update_order: "start-first".into(),
        update_failure_action: "rollback".into(),
        ..echo()
    };
    let r = validate_service(&form).expect("valid");
    assert_eq!(r.command, ["/bin/sh", "-c", "echo hi; sleep 9"]);
    assert_eq!(
        r.env[0],
        ("GREETING".to_string(), "hello world".to_string())
    );
    assert_eq!(
        r.ports,
        [Port {
            target: 8080,
            published: Some(8000),
            protocol: "tcp".into(),
            host_mode: true
        }]
    );
    assert_eq!(
        r.constraints,
        ["node.role != manager", "node.labels.zone == east"]
    );
    assert_eq!(r.resources.limit_nano_cpus, Some(500_000_000));
    assert_eq!(r.restart.max_attempts, Some(3));
    assert_eq!(r.update.order.as_deref(), Some("start-first"));
}

/// The issue's table of bad inputs: each is refused, naming its field.
#[test]
fn bad_inputs_name_their_field() {
    let port = |target: &str, published: &str| PortForm {
        target: target.into(),
        published: published.into(),
        ..Default::default()
    };
    let cases: Vec<(&str, ServiceForm, &str)> = vec![
        (
            "empty name",
            ServiceForm {
                name: "".into(),
                ..echo()
            },
            "name",
        ),
        (
            "invalid name",
            ServiceForm {
                name: "my service!".into(),
                ..echo()
            },
            "name",
        ),
        (
            "empty image",
            ServiceForm {
                image: "".into(),
                ..echo()
            },
            "image",
        ),
        (
            "bad image ref",
            ServiceForm {
                image: "Registry:5000/Echo:latest".into(),
                ..echo()
            },
            "image",
        ),
        (
            "negative replicas",
            ServiceForm {
                replicas: "-1".into(),
                ..echo()
            },
            "replicas",
        ),
        (
            "absurd replicas",
            ServiceForm {
                replicas: "1000000".into(),
                ..echo()
            },
            "replicas",
        ),
        (
            "replicas for global",
            ServiceForm {
                mode: "global".into(),
                ..echo()
            },
            "replicas",
        ),
        (
            "unknown mode",
            ServiceForm {
                mode: "daemonset".into(),
                ..echo()
            },
            "mode",
        ),
        (
            "port out of range",
            ServiceForm {
                ports: vec![port("8080", "70000")],
                ..echo()
            },
            "ports[0].published",
        ),
        (
            "port zero",
            ServiceForm {
                ports: vec![port("0", "")],
                ..echo()
            },
            "ports[0].target",
        ),
        (
            "ports clash",
            ServiceForm {
                ports: vec![port("80", "8000"), port("81", "8000")],
                ..echo()
            },
            "ports[1].published",
        ),
        (
            "bad protocol",
            ServiceForm {
                ports: vec![PortForm {
                    protocol: "http".into(),
                    ..port("80", "")
                }],
                ..echo()
            },
            "ports[0].protocol",
        ),
        (
            "bad network name",
            ServiceForm {
                networks: vec!["no such/net".into()],
                ..echo()
            },
            "networks",
        ),
        (
            "malformed constraint",
            ServiceForm {
                constraints: "node.role = manager".into(),
                ..echo()
            },
            "constraints",
        ),
        (
            "unknown constraint attribute",
            ServiceForm {
                constraints: "node.colour == red".into(),
                ..echo()
            },
            "constraints",
        ),
        (
            "env without =",
            ServiceForm {
                env: "DEBUG".into(),
                ..echo()
            },
            "env",
        ),
        (
            "relative bind",
            ServiceForm {
                mounts: vec![MountForm {
                    kind: "bind".into(),
                    source: "data".into(),
                    target: "/d".into(),
                    read_only: false,
                }],
                ..echo()
            },
            "mounts[0].source",
        ),
        (
            "relative target",
            ServiceForm {
                mounts: vec![MountForm {
                    kind: "volume".into(),
                    source: "v".into(),
                    target: "d".into(),
                    read_only: false,
                }],
                ..echo()
            },
            "mounts[0].target",
        ),
        (
            "unclosed quote",
            ServiceForm {
                command: "sh -c \"oops".into(),
                ..echo()
            },
            "command",
        ),
        (
            "bad memory",
            ServiceForm {
                limit_memory: "lots".into(),
                ..echo()
            },
            "limit_memory",
        ),
        (
            "bad cpus",
            ServiceForm {
                reserve_cpus: "-2".into(),
                ..echo()
            },
            "reserve_cpus",
        ),
        (
            "bad restart condition",
            ServiceForm {
                restart_condition: "always".into(),
                ..echo()
            },
            "restart_condition",
        ),
        (
            "bad delay",
            ServiceForm {
                update_delay: "10".into(),
                ..echo()
            },
            "update_delay",
        ),
        (
            "bad order",
            ServiceForm {
                update_order: "random".into(),
                ..echo()
            },
            "update_order",
        ),
        (
            "bad spread",
            ServiceForm {
                spread: "zone".into(),
                ..echo()
            },
            "spread",
        ),
        (
            "huge field",
            ServiceForm {
                command: "x".repeat(100_000),
                ..echo()
            },
            "command",
        ),
    ];
    for (what, form, field) in cases {
        let errors = validate_service(&form).expect_err(what);
        assert!(
            errors.iter().any(|e| e.field == field),
            "{what}: expected an error on {field}, got {errors:?}"
        );
    }
}

#[test]
fn every_error_is_reported_at_once() {
    let form = ServiceForm {
        name: "".into(),
        image: "".into(),
        replicas: "x".into(),
        ..Default::default()
    };
    let fields: Vec<String> = validate_service(&form)
        .expect_err("invalid")
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["name", "image", "replicas"]);
}

#[test]
fn words_never_expand() {
    assert_eq!(
        words("command", "echo $HOME `id` *").expect("ok"),
        ["echo", "$HOME", "`id`", "*"]
    );
    assert_eq!(words("command", "  ").expect("ok"), Vec::<String>::new());
    assert_eq!(words("command", r#"a "" b"#).expect("ok"), ["a", "", "b"]);
}
