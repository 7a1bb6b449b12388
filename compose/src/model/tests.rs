//! The model read from YAML: long and short forms, unknown keys, `x-` keys, external names.

use super::*;

fn parse(yaml: &str) -> Result<Config> {
    let value: Value = serde_yaml_ng::from_str(yaml).map_err(|e| Error::new(e.to_string()))?;
    Config::from_value(value)
}

fn ok(yaml: &str) -> Config {
    parse(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

fn err(yaml: &str) -> Error {
    match parse(yaml) {
        Ok(c) => panic!("parsed: {c:?}\n{yaml}"),
        Err(e) => e,
    }
}

#[test]
fn a_full_service_parses() {
    let c = ok(r#"
version: "3.8"
x-common: &common {a: 1}
services:
  web:
    x-meta: {any: thing}
    image: nginx:1.27
    command: nginx -g "daemon off;"
    entrypoint: ["/docker-entrypoint.sh"]
    environment: [A=1, B, "C=x=y"]
    env_file: web.env
    labels: {com.example: "1", n: 2.5, e: }
    ports: ["8080:80", {target: 443, published: 8443, protocol: tcp, mode: host}, 9000]
    networks: {front: {aliases: [www]}, back: }
    volumes: [data:/data, {type: tmpfs, target: /tmp, tmpfs: {size: 1000}}]
    secrets: [db, {source: api, target: /etc/api, uid: "1", gid: "2", mode: 256}]
    healthcheck: {test: curl -f localhost, interval: 10s, retries: 3, start_period: 1m}
    stop_grace_period: 1m30s
    extra_hosts: ["db:10.0.0.1", "v6=[::1]"]
    ulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}
    dns: 8.8.8.8
    logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}
    build: .
    deploy:
      mode: replicated
      replicas: 2
      labels: [a=b]
      resources: {limits: {cpus: "0.5", memory: 512M, pids: 10}, reservations: {generic_resources: [{discrete_resource_spec: {kind: gpu, value: 1}}]}}
      update_config: {parallelism: 2, delay: 10s, order: start-first, max_failure_ratio: 0.1}
      restart_policy: {condition: on-failure, max_attempts: 3}
      placement: {constraints: [node.role == worker], preferences: [{spread: node.labels.az}], max_replicas_per_node: 1}
networks: {front: , back: {driver: overlay, attachable: true}}
volumes: {data: }
secrets: {db: {file: ./db.txt}, api: {external: true}}
"#);
    let web = &c.services["web"];
    assert_eq!(
        web.command.as_deref(),
        Some(&["nginx".to_string(), "-g".into(), "daemon off;".into()][..])
    );
    assert_eq!(web.environment["B"], None);
    assert_eq!(web.environment["C"].as_deref(), Some("x=y"));
    assert_eq!(web.labels["n"], "2.5");
    assert_eq!(web.labels["e"], "");
    assert_eq!(web.ports.len(), 3);
    assert_eq!(web.ports[1].mode.as_deref(), Some("host"));
    assert_eq!(web.ports[2].published, None);
    assert_eq!(
        web.networks["front"].as_ref().map(|n| n.aliases.clone()),
        Some(vec!["www".to_string()])
    );
    assert_eq!(web.networks["back"], None);
    assert_eq!(
        web.volumes[1].tmpfs.as_ref().and_then(|t| t.size),
        Some(1000)
    );
    assert_eq!(web.secrets[0].source, "db");
    assert_eq!(web.secrets[1].mode, Some(256));
    let hc = web.healthcheck.as_ref().expect("healthcheck");
    assert_eq!(
        hc.test.as_deref(),
        Some(&["CMD-SHELL".to_string(), "curl -f localhost".into()][..])
    );
    assert_eq!(hc.start_period, Some(Duration(60_000_000_000)));
    assert_eq!(web.extra_hosts, ["db:10.0.0.1", "v6:::1"]);
    assert_eq!(web.ulimits["nproc"].soft_hard(), (5, 5));
    assert_eq!(
        web.logging.as_ref().map(|l| l.options["max-file"].clone()),
        Some("3".into())
    );
    let deploy = web.deploy.as_ref().expect("deploy");
    assert_eq!(deploy.replicas, Some(2));
    assert_eq!(deploy.labels["a"], "b");
    let limits = deploy
        .resources
        .as_ref()
        .and_then(|r| r.limits.as_ref())
        .expect("limits");
    assert_eq!(limits.memory, Some(Bytes(512 << 20)));
    assert_eq!(c.secrets["api"].name.as_deref(), Some("api"));
    assert_eq!(c.files_named(), ["./db.txt", "web.env"]);
}

#[test]
fn errors_name_the_key_path() {
    let cases = [
        ("services: {web: {image: a, imagee: b}}", "services.web"),
        (
            "services: {web: {image: a, deploy: {replicas: -1}}}",
            "services.web.deploy.replicas",
        ),
        (
            "services: {web: {image: a, ports: [\"99999\"]}}",
            "services.web.ports",
        ),
        (
            "services: {web: {image: a, stop_grace_period: 10}}",
            "services.web.stop_grace_period",
        ),
        (
            "services: {web: {image: a, deploy: {resources: {limits: {cpus: 0.5}}}}}",
            "services.web.deploy.resources.limits.cpus",
        ),
        (
            "services: {web: {image: a, deploy: {x-foo: 1}}}",
            "services.web.deploy",
        ),
        (
            "services: {web: {image: a, environment: {A: true}}}",
            "services.web.environment",
        ),
        (
            "services: {web: {image: a, healthcheck: {interval: 5}}}",
            "services.web.healthcheck.interval",
        ),
        (
            "services: {web: {image: a, volumes: [{source: a, target: /b}]}}",
            "services.web.volumes",
        ),
        ("services: {web: {image: 5}}", "services.web.image"),
        (
            "networks: {n: {external: {name: a}, name: b}}",
            "networks.n",
        ),
        ("volumes: {v: {external: true, driver: local}}", "volumes.v"),
        ("secrets: {s: {driver: d, file: f}}", "secrets.s"),
    ];
    for (yaml, path) in cases {
        let e = err(yaml);
        assert!(
            e.path.as_deref().is_some_and(|p| p.starts_with(path)),
            "{yaml}: {e} (path {:?})",
            e.path
        );
    }
}

#[test]
fn extension_keys_are_dropped_where_the_schema_allows_them() {
    let c = ok(
        "x-a: 1\nservices: {web: {image: a, x-b: 2}}\nnetworks: {n: {x-c: 3}}\nsecrets: {s: {external: true, x-d: 4}}",
    );
    assert_eq!(c.services["web"].image.as_deref(), Some("a"));
    assert!(c.networks.contains_key("n"));
}

#[test]
fn external_names_resolve_as_the_cli() {
    let c = ok(
        "version: '3.3'\nnetworks: {a: {external: true}, b: {external: {name: real}}, c: {external: true, name: own}}\nvolumes: {v: {external: true}}",
    );
    assert_eq!(c.networks["a"].name.as_deref(), Some("a"));
    assert_eq!(c.networks["b"].name.as_deref(), Some("real"));
    assert_eq!(c.networks["c"].name.as_deref(), Some("own"));
    assert_eq!(c.volumes["v"].name.as_deref(), Some("v"));
    let v =
        serde_yaml_ng::from_str::<Value>("version: '3.9'\nnetworks: {b: {external: {name: real}}}")
            .expect("yaml");
    let (_, warnings) = Config::from_value_warn(v).expect("config");
    assert_eq!(warnings.len(), 1);
}

#[test]
fn serialises_canonical_forms_and_reads_them_back() {
    let c = ok(r#"
services:
  web:
    image: a
    command: echo hi
    ports: ["80:80"]
    volumes: ["d:/d:ro"]
    secrets: [s]
    stop_grace_period: 90s
    ulimits: {nofile: 5}
    deploy: {resources: {limits: {memory: 1g}}}
volumes: {d: }
secrets: {s: {file: s.txt}}
"#);
    let text = serde_yaml_ng::to_string(&c).expect("serialise");
    assert!(text.contains("stop_grace_period: 1m30s"), "{text}");
    assert!(text.contains("memory: '1073741824'"), "{text}");
    assert_eq!(ok(&text), c, "{text}");
}
