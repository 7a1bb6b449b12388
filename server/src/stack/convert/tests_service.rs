//! The service-level rules, one table per conversion.

use super::tests::{container, desired, desired_with, failure, only_service};
use super::*;
use bollard::models as m;

fn task(d: &Desired) -> &m::TaskSpec {
    only_service(d).task_template.as_ref().expect("task")
}

fn svc(body: &str) -> Desired {
    desired(&format!(
        "services: {{web: {{image: a, {body}}}}}\nvolumes: {{data: , ext: {{external: true}}, drv: {{driver: nfs, driver_opts: {{o: x}}, labels: {{l: m}}}}}}"
    ))
}

#[test]
fn commands_are_entrypoint_and_args() {
    let c = svc(r#"entrypoint: /bin/sh -c, command: ["echo", "a b"]"#);
    let c = container(&c);
    assert_eq!(c.command, Some(vec!["/bin/sh".to_string(), "-c".into()]));
    assert_eq!(c.args, Some(vec!["echo".to_string(), "a b".into()]));
    let c = svc("command: []");
    assert_eq!(container(&c).args, None);
}

#[test]
fn environment_env_files_first_then_sorted() {
    let files = Files::from([(
        "a.env".to_string(),
        b"# c\nB=file\n  C=keep \nFROM_VARS\nUNSET\nEMPTY=\n".to_vec(),
    )]);
    let mut cfg = super::tests::config(
        "services: {web: {image: a, env_file: a.env, environment: {B: over, A: , N: 1.5}}}",
    );
    cfg.variables = [("FROM_VARS", "v"), ("A", "from-var"), ("EMPTY", "filled")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let d = convert("st", &cfg, &files).expect("convert");
    assert_eq!(
        container(&d).env.clone().unwrap_or_default(),
        [
            "A=from-var",
            "B=over",
            "C=keep ",
            "EMPTY=filled",
            "FROM_VARS=v",
            "N=1.5"
        ]
    );
    let d = svc("environment: [BARE, K=v=w]");
    assert_eq!(
        container(&d).env.clone().unwrap_or_default(),
        ["BARE", "K=v=w"]
    );
    let e = failure(
        "services: {web: {image: a, env_file: missing.env}}",
        &Files::new(),
    );
    assert!(e.contains("missing.env"), "{e}");
    let bad = Files::from([("b.env".to_string(), b"A B=1".to_vec())]);
    let e = failure("services: {web: {image: a, env_file: b.env}}", &bad);
    assert!(e.contains("whitespaces"), "{e}");
}

#[test]
fn healthchecks() {
    let d = svc(
        "healthcheck: {test: curl -f http://x, interval: 30s, timeout: 5s, retries: 3, start_period: 1m, start_interval: 2s}",
    );
    let h = container(&d).health_check.clone().expect("health");
    assert_eq!(
        h.test,
        Some(vec!["CMD-SHELL".to_string(), "curl -f http://x".into()])
    );
    assert_eq!(
        (h.interval, h.timeout, h.retries),
        (Some(30_000_000_000), Some(5_000_000_000), Some(3))
    );
    assert_eq!(
        (h.start_period, h.start_interval),
        (Some(60_000_000_000), Some(2_000_000_000))
    );
    let d = svc("healthcheck: {disable: true}");
    assert_eq!(
        container(&d).health_check.clone().and_then(|h| h.test),
        Some(vec!["NONE".to_string()])
    );
    let e = failure(
        "services: {web: {image: a, healthcheck: {disable: true, test: [CMD, x]}}}",
        &Files::new(),
    );
    assert!(e.contains("can't be set at the same time"), "{e}");
}

#[test]
fn ports_sorted_with_modes() {
    let d = svc(
        r#"ports: ["8080:80", {target: 53, published: 53, protocol: udp, mode: host}, "9000-9001:9000-9001", {target: 22}]"#,
    );
    let e = only_service(&d).endpoint_spec.clone().expect("endpoint");
    let got: Vec<_> = e
        .ports
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p.published_port,
                p.target_port,
                p.protocol.map(|x| x.to_string()),
                p.publish_mode.map(|x| x.to_string()),
            )
        })
        .collect();
    let row = |p: Option<i64>, t: i64, pr: &str, mo: &str| {
        (p, Some(t), Some(pr.to_string()), Some(mo.to_string()))
    };
    assert_eq!(
        got,
        [
            row(None, 22, "tcp", "ingress"),
            row(Some(53), 53, "udp", "host"),
            row(Some(8080), 80, "tcp", "ingress"),
            row(Some(9000), 9000, "tcp", "ingress"),
            row(Some(9001), 9001, "tcp", "ingress"),
        ]
    );
}

#[test]
fn endpoint_mode_lowercased() {
    let d = desired("services: {web: {image: a, deploy: {endpoint_mode: DNSRR}}}");
    assert_eq!(
        only_service(&d).endpoint_spec.clone().and_then(|e| e.mode),
        Some(m::EndpointSpecModeEnum::DNSRR)
    );
}

#[test]
fn container_fields() {
    let d = svc(
        r#"hostname: "{{.Service.Name}}-{{.Task.Slot}}", user: "1000:1000", working_dir: /app, stop_grace_period: 1m30s, stop_signal: SIGINT,
        init: true, read_only: true, tty: true, stdin_open: true, extra_hosts: ["db:10.0.0.2", "v6=::1"], dns: [8.8.8.8, bad], dns_search: example.com,
        logging: {driver: json-file, options: {max-size: 10m}}, cap_add: [net_admin, CAP_SYS_TIME], cap_drop: [ALL], sysctls: [net.core.somaxconn=1024],
        ulimits: {nproc: 65535, nofile: {soft: 1, hard: 2}}, isolation: default, oom_score_adj: 5"#,
    );
    let c = container(&d);
    assert_eq!(
        c.hostname.as_deref(),
        Some("{{.Service.Name}}-{{.Task.Slot}}")
    );
    assert_eq!(
        (c.user.as_deref(), c.dir.as_deref()),
        (Some("1000:1000"), Some("/app"))
    );
    assert_eq!(
        (c.stop_grace_period, c.stop_signal.as_deref()),
        (Some(90_000_000_000), Some("SIGINT"))
    );
    assert_eq!(
        (c.init, c.read_only, c.tty, c.open_stdin),
        (Some(true), Some(true), Some(true), Some(true))
    );
    assert_eq!(
        c.hosts,
        Some(vec!["10.0.0.2 db".to_string(), "::1 v6".into()])
    );
    let dns = c.dns_config.clone().expect("dns");
    assert_eq!(
        (dns.nameservers, dns.search),
        (
            Some(vec!["8.8.8.8".to_string()]),
            Some(vec!["example.com".to_string()])
        )
    );
    let log = task(&d).log_driver.clone().expect("log");
    assert_eq!(log.name.as_deref(), Some("json-file"));
    assert_eq!(
        c.capability_add,
        Some(vec!["CAP_NET_ADMIN".to_string(), "CAP_SYS_TIME".into()])
    );
    assert_eq!(c.capability_drop, Some(vec!["ALL".to_string()]));
    assert_eq!(
        c.sysctls
            .clone()
            .and_then(|s| s.get("net.core.somaxconn").cloned())
            .as_deref(),
        Some("1024")
    );
    let ul: Vec<_> = c
        .ulimits
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.name.unwrap_or_default(), u.soft, u.hard))
        .collect();
    assert_eq!(
        ul,
        [
            ("nofile".to_string(), Some(1), Some(2)),
            ("nproc".into(), Some(65535), Some(65535))
        ]
    );
    assert_eq!(
        c.isolation,
        Some(m::TaskSpecContainerSpecIsolationEnum::DEFAULT)
    );
    assert_eq!(c.oom_score_adj, Some(5));
    assert_eq!(c.privileges, Some(Default::default()));
    // Unset fields stay unset, as the CLI's JSON omits them.
    let plain = desired("services: {web: {image: a}}");
    let p = container(&plain);
    assert_eq!(
        (
            p.tty,
            p.init,
            p.hosts.clone(),
            p.env.clone(),
            p.mounts.clone()
        ),
        (None, None, None, None, None)
    );
}

#[test]
fn capability_rules() {
    let caps = service::capabilities_for_tests;
    assert_eq!(
        caps(&["chown", "ALL"], &[]),
        (vec!["ALL".to_string()], vec![])
    );
    assert_eq!(
        caps(&["net_admin"], &["NET_ADMIN", "chown", "reset"]),
        (
            vec!["CAP_NET_ADMIN".to_string()],
            vec!["CAP_CHOWN".to_string()]
        )
    );
}

#[test]
fn secret_file_needed_only_when_used_by_file() {
    let files = Files::from([("k".to_string(), b"v".to_vec())]);
    let d = desired_with(
        "services: {web: {image: a}}\nconfigs: {c: {file: k}}",
        &files,
    );
    assert_eq!(d.configs.len(), 1);
}

#[test]
fn images_are_tagged_as_the_client_sends_them() {
    for (image, want) in [
        ("busybox", "busybox:latest"),
        ("nginx:alpine", "nginx:alpine"),
        ("docker.io/library/redis", "redis:latest"),
        ("library/redis:7", "redis:7"),
        ("docker.io/foo/bar", "foo/bar:latest"),
        (
            "registry:5000/example/echo",
            "registry:5000/example/echo:latest",
        ),
        ("localhost/app:1", "localhost/app:1"),
        ("ghcr.io/o/i@sha256:abc", "ghcr.io/o/i@sha256:abc"),
        ("Bad/Name", "Bad/Name"),
    ] {
        assert_eq!(service::tagged(image), want, "{image}");
    }
    let d = desired("services: {web: {image: busybox}}");
    assert_eq!(container(&d).image.as_deref(), Some("busybox:latest"));
    let labels = only_service(&d).labels.clone().unwrap_or_default();
    assert_eq!(
        labels.get(crate::stack::IMAGE_LABEL).map(String::as_str),
        Some("busybox")
    );
}
