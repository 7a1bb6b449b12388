use super::*;

fn subject(image: &str, mounts: &[(MountKind, &str)], ports: &[(Option<u16>, bool)]) -> Subject {
    Subject {
        image: image.into(),
        mounts: mounts.iter().map(|(k, s)| (*k, s.to_string())).collect(),
        ports: ports.to_vec(),
    }
}

/// (field, rule) of each violation, for compact expectations.
fn verdict(policy: &Policy, subject: &Subject) -> Vec<(String, Rule)> {
    policy
        .check(subject)
        .into_iter()
        .map(|v| (v.field, v.rule))
        .collect()
}

#[test]
fn images_normalize_like_the_engine() {
    let cases = [
        (
            "busybox",
            "docker.io/library/busybox",
            "docker.io/library/busybox",
        ),
        (
            "busybox:1.36",
            "docker.io/library/busybox",
            "docker.io/library/busybox:1.36",
        ),
        (
            "library/busybox",
            "docker.io/library/busybox",
            "docker.io/library/busybox",
        ),
        (
            "index.docker.io/library/busybox",
            "docker.io/library/busybox",
            "docker.io/library/busybox",
        ),
        ("ops/tool:v2", "docker.io/ops/tool", "docker.io/ops/tool:v2"),
        (
            "registry:5000/example/echo:latest",
            "registry:5000/example/echo",
            "registry:5000/example/echo:latest",
        ),
        ("localhost/x", "localhost/x", "localhost/x"),
        (
            "localhost:5000/x:1",
            "localhost:5000/x",
            "localhost:5000/x:1",
        ),
        (
            "ghcr.io/a/b@sha256:00",
            "ghcr.io/a/b",
            "ghcr.io/a/b@sha256:00",
        ),
        (
            "registry:5000/example/echo:latest@sha256:ab",
            "registry:5000/example/echo",
            "registry:5000/example/echo:latest@sha256:ab",
        ),
    ];
    for (reference, repository, full) in cases {
        let name = ImageName::parse(reference);
        assert_eq!(name.repository(), repository, "{reference}");
        assert_eq!(name.full(), full, "{reference}");
    }
}

#[test]
fn same_repository_ignores_tags_and_digests_only() {
    let cases = [
        (
            "registry:5000/example/echo:latest",
            "registry:5000/example/echo:v2",
            true,
        ),
        (
            "registry:5000/example/echo:latest@sha256:aa",
            "registry:5000/example/echo@sha256:bb",
            true,
        ),
        ("busybox", "docker.io/library/busybox:1.36", true),
        (
            "registry:5000/example/echo",
            "registry:5001/example/echo",
            false,
        ),
        (
            "registry:5000/example/echo",
            "evil.example:5000/example/echo",
            false,
        ),
        (
            "registry:5000/example/echo",
            "registry:5000/example/echo2",
            false,
        ),
        ("busybox", "ops/busybox", false),
    ];
    for (a, b, same) in cases {
        assert_eq!(ImageName::same_repository(a, b), same, "{a} vs {b}");
    }
}

#[test]
fn paths_normalize_and_never_climb_out() {
    let cases = [
        ("/srv/data", Some("/srv/data")),
        ("/srv//data/", Some("/srv/data")),
        ("/srv/./data/../logs", Some("/srv/logs")),
        ("/", Some("/")),
        ("/..", None),
        ("relative/path", None),
        ("", None),
    ];
    for (path, want) in cases {
        assert_eq!(normalize_path(path).as_deref(), want, "{path:?}");
    }
}

#[test]
fn protected_paths_are_refused_whatever_the_switches() {
    let open = Policy {
        bind_mounts: true,
        bind_prefixes: vec!["/".into()],
        low_ports: true,
        host_ports: true,
        image_prefixes: vec![],
    };
    let refused = [
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/var/run",
        "/run",
        "/",
        "//",
        "/etc",
        "/etc/shadow",
        "/proc/1/root",
        "/sys",
        "/dev/sda",
        "/var/lib/docker",
        "/var/lib/docker/volumes",
        "/var/lib",
        "/var",
        "/srv/../etc",
        "/srv/../../var/run/docker.sock",
        "relative",
    ];
    for source in refused {
        let subject = subject("busybox", &[(MountKind::Bind, source)], &[]);
        assert_eq!(
            verdict(&open, &subject),
            vec![("mounts[0].source".to_string(), Rule::ProtectedPath)],
            "{source}"
        );
    }
    let allowed = [
        "/srv/data",
        "/home/ops/site",
        "/var/log/app",
        "/etcetera",
        "/devices",
    ];
    for source in allowed {
        let subject = subject("busybox", &[(MountKind::Bind, source)], &[]);
        assert!(verdict(&open, &subject).is_empty(), "{source}");
    }
}

#[test]
fn each_rule_and_its_switch() {
    let strict = Policy::default();
    let prefixed = Policy {
        bind_prefixes: vec!["/srv/".into()],
        ..Policy::default()
    };
    let open = Policy {
        bind_mounts: true,
        low_ports: true,
        host_ports: true,
        ..Policy::default()
    };
    let registry = Policy {
        image_prefixes: vec!["registry:5000/".into(), "docker.io/library/".into()],
        ..Policy::default()
    };
    let bind = |s: &str| subject("busybox", &[(MountKind::Bind, s)], &[]);
    let field = |f: &str, r| vec![(f.to_string(), r)];
    type Case<'a> = (&'a Policy, Subject, Vec<(String, Rule)>);
    let cases: Vec<Case> = vec![
        (
            &strict,
            bind("/srv/data"),
            field("mounts[0].source", Rule::BindMounts),
        ),
        (&prefixed, bind("/srv/data"), vec![]),
        (&prefixed, bind("/srv"), vec![]),
        (
            &prefixed,
            bind("/srvx"),
            field("mounts[0].source", Rule::BindMounts),
        ),
        (
            &prefixed,
            bind("/srv/../home"),
            field("mounts[0].source", Rule::BindMounts),
        ),
        (&open, bind("/srv/data"), vec![]),
        (
            &strict,
            subject(
                "busybox",
                &[(MountKind::Volume, "data"), (MountKind::Tmpfs, "")],
                &[],
            ),
            vec![],
        ),
        (
            &open,
            subject("busybox", &[(MountKind::Other, "x")], &[]),
            field("mounts[0].source", Rule::BindMounts),
        ),
        (
            &strict,
            subject("busybox", &[], &[(Some(80), false)]),
            field("ports[0].published", Rule::LowPorts),
        ),
        (
            &strict,
            subject("busybox", &[], &[(Some(8080), false), (None, false)]),
            vec![],
        ),
        (
            &strict,
            subject("busybox", &[], &[(Some(8080), true)]),
            field("ports[0].mode", Rule::HostPorts),
        ),
        (
            &strict,
            subject("busybox", &[], &[(Some(8080), false), (Some(443), true)]),
            vec![
                ("ports[1].mode".into(), Rule::HostPorts),
                ("ports[1].published".into(), Rule::LowPorts),
            ],
        ),
        (&open, subject("busybox", &[], &[(Some(80), true)]), vec![]),
        (
            &registry,
            subject("registry:5000/example/echo:latest", &[], &[]),
            vec![],
        ),
        (&registry, subject("busybox:1.36", &[], &[]), vec![]),
        (
            &registry,
            subject("ops/tool", &[], &[]),
            field("image", Rule::ImageAllowList),
        ),
        (
            &registry,
            subject("evil.example/registry:5000/x", &[], &[]),
            field("image", Rule::ImageAllowList),
        ),
        (
            &registry,
            subject("registry:50001/x", &[], &[]),
            field("image", Rule::ImageAllowList),
        ),
    ];
    for (policy, subject, want) in cases {
        assert_eq!(
            verdict(policy, &subject),
            want,
            "{subject:?} under {policy:?}"
        );
    }
}

#[test]
fn explanations_name_rule_and_switch() {
    let violation =
        &Policy::default().check(&subject("busybox", &[(MountKind::Bind, "/srv")], &[]))[0];
    let text = violation.explained();
    assert!(
        text.contains("bind-mounts") && text.contains("--allow-bind-mounts"),
        "{text}"
    );
    let described = Policy::default().describe().join("\n");
    assert!(
        described.contains("Bind mounts: not allowed"),
        "{described}"
    );
}
