//! The stack-level rules: names, labels, networks, secrets, configs, and the CLI's examples.

use super::*;
use crate::stack::IMAGE_LABEL;
use bollard::models as m;

pub(super) fn config(yaml: &str) -> Config {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).expect("yaml");
    Config::from_value(value).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

pub(super) fn desired(yaml: &str) -> Desired {
    desired_with(yaml, &Files::new())
}

pub(super) fn desired_with(yaml: &str, files: &Files) -> Desired {
    convert("st", &config(yaml), files).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

pub(super) fn failure(yaml: &str, files: &Files) -> String {
    match convert("st", &config(yaml), files) {
        Ok(d) => panic!("converted: {d:?}\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

pub(super) fn only_service(d: &Desired) -> &m::ServiceSpec {
    assert_eq!(d.services.len(), 1, "{:?}", d.services);
    &d.services[0]
}

pub(super) fn container(d: &Desired) -> &m::TaskSpecContainerSpec {
    only_service(d)
        .task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .expect("container spec")
}

#[test]
fn names_and_labels() {
    let d = desired("services: {web: {image: nginx, labels: {c: d}, deploy: {labels: [a=b]}}}");
    let s = only_service(&d);
    assert_eq!(s.name.as_deref(), Some("st_web"));
    let labels = s.labels.as_ref().expect("labels");
    assert_eq!(labels.get("a").map(String::as_str), Some("b"));
    assert_eq!(labels.get(NAMESPACE_LABEL).map(String::as_str), Some("st"));
    assert_eq!(labels.get(IMAGE_LABEL).map(String::as_str), Some("nginx"));
    assert!(!labels.contains_key("c"));
    let c = container(&d).labels.as_ref().expect("container labels");
    assert_eq!(c.get("c").map(String::as_str), Some("d"));
    assert_eq!(c.get(NAMESPACE_LABEL).map(String::as_str), Some("st"));
    assert!(!c.contains_key(IMAGE_LABEL));
}

#[test]
fn default_network_only_when_used() {
    let d = desired("services: {web: {image: a}}");
    assert_eq!(d.networks.len(), 1);
    let n = &d.networks[0];
    assert_eq!(n.name, "st_default");
    assert_eq!(n.create.driver.as_deref(), Some("overlay"));
    assert_eq!(
        n.create
            .labels
            .as_ref()
            .and_then(|l| l.get(NAMESPACE_LABEL))
            .map(String::as_str),
        Some("st")
    );
    let nets = only_service(&d)
        .task_template
        .as_ref()
        .and_then(|t| t.networks.clone())
        .expect("networks");
    assert_eq!(nets[0].target.as_deref(), Some("st_default"));
    assert_eq!(nets[0].aliases, Some(vec!["web".to_string()]));

    let d =
        desired("services: {web: {image: a, networks: [front]}}\nnetworks: {front: , unused: }");
    let names: Vec<_> = d.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["st_front"]);
}

#[test]
fn networks_declared_external_named_and_sorted() {
    let d = desired(
        r#"
services:
  web:
    image: a
    networks:
      zeta: {aliases: [www, w2], driver_opts: {o: 1}}
      ext:
      named:
networks:
  zeta: {driver: overlay, attachable: true, internal: true, driver_opts: {encrypted: ""}, labels: [x=y], ipam: {driver: default, config: [{subnet: 10.9.0.0/24}]}}
  ext: {external: true, name: outside}
  named: {name: exact}
"#,
    );
    assert_eq!(d.external_networks, ["outside"]);
    let names: Vec<_> = d.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["exact", "st_zeta"]);
    let zeta = &d.networks[1].create;
    assert_eq!((zeta.attachable, zeta.internal), (Some(true), Some(true)));
    assert_eq!(
        zeta.options
            .as_ref()
            .and_then(|o| o.get("encrypted"))
            .map(String::as_str),
        Some("")
    );
    assert_eq!(zeta.labels.as_ref().map(|l| l.len()), Some(2));
    let ipam = zeta.ipam.as_ref().expect("ipam");
    assert_eq!(
        ipam.config
            .as_ref()
            .and_then(|c| c[0].subnet.clone())
            .as_deref(),
        Some("10.9.0.0/24")
    );
    let nets = only_service(&d)
        .task_template
        .as_ref()
        .and_then(|t| t.networks.clone())
        .expect("networks");
    let got: Vec<_> = nets
        .iter()
        .map(|n| {
            (
                n.target.clone().unwrap_or_default(),
                n.aliases.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("exact".to_string(), vec!["web".to_string()]),
            ("outside".into(), vec!["web".into()]),
            (
                "st_zeta".into(),
                vec!["www".into(), "w2".into(), "web".into()]
            ),
        ]
    );
    assert_eq!(
        nets[2]
            .driver_opts
            .as_ref()
            .and_then(|o| o.get("o"))
            .map(String::as_str),
        Some("1")
    );
}

#[test]
fn secrets_and_configs_from_files() {
    let files = Files::from([
        ("./s.txt".to_string(), b"hush".to_vec()),
        ("c.conf".to_string(), b"x=1".to_vec()),
    ]);
    let yaml = r#"
services:
  web:
    image: a
    secrets: [s, {source: ext, target: /etc/ext, uid: "100", mode: 0o400}]
    configs: [{source: c, target: /etc/c.conf}, named]
secrets:
  s: {file: ./s.txt, labels: {k: v}}
  ext: {external: true, name: shared}
  drv: {driver: vault, driver_opts: {path: x}}
configs:
  c: {file: c.conf, template_driver: golang}
  named: {external: true}
"#;
    let d = desired_with(yaml, &files);
    assert_eq!(d.external_secrets, ["shared"]);
    assert_eq!(d.external_configs, ["named"]);
    let names: Vec<_> = d
        .secrets
        .iter()
        .map(|s| s.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["st_drv", "st_s"]);
    assert_eq!(d.secrets[1].data.as_deref(), Some("aHVzaA=="));
    assert_eq!(d.secrets[1].labels.as_ref().map(|l| l.len()), Some(2));
    assert_eq!(d.secrets[0].data, None);
    assert_eq!(
        d.secrets[0].driver.as_ref().map(|dr| dr.name.as_str()),
        Some("vault")
    );
    assert_eq!(
        d.configs[0].templating.as_ref().map(|t| t.name.as_str()),
        Some("golang")
    );

    let c = container(&d);
    let secrets = c.secrets.clone().expect("secret refs");
    let got: Vec<_> = secrets
        .iter()
        .map(|s| {
            let f = s.file.clone().unwrap_or_default();
            (
                s.secret_name.clone().unwrap_or_default(),
                f.name.unwrap_or_default(),
                f.uid.unwrap_or_default(),
                f.gid.unwrap_or_default(),
                f.mode,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "shared".to_string(),
                "/etc/ext".to_string(),
                "100".to_string(),
                "0".to_string(),
                Some(0o400)
            ),
            (
                "st_s".into(),
                "s".into(),
                "0".into(),
                "0".into(),
                Some(0o444)
            ),
        ]
    );
    let configs = c.configs.clone().expect("config refs");
    let got: Vec<_> = configs
        .iter()
        .map(|c| {
            (
                c.config_name.clone().unwrap_or_default(),
                c.file.clone().and_then(|f| f.name).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("named".to_string(), "named".to_string()),
            ("st_c".into(), "/etc/c.conf".into())
        ]
    );
}

#[test]
fn object_failures_name_what_is_missing() {
    let e = failure(
        "services: {web: {image: a}}\nsecrets: {s: {file: gone.txt}}",
        &Files::new(),
    );
    assert!(e.contains("gone.txt"), "{e}");
    let e = failure(
        "services: {web: {image: a, secrets: [nope]}}",
        &Files::new(),
    );
    assert!(e.contains("undefined secret \"nope\""), "{e}");
    let e = failure(
        "services: {web: {image: a, configs: [nope]}}",
        &Files::new(),
    );
    assert!(e.contains("undefined config"), "{e}");
    let e = failure(
        "services: {web: {image: a, networks: [nope]}}",
        &Files::new(),
    );
    assert!(e.contains("undefined network"), "{e}");
    let e = failure(
        "services: {web: {image: a, volumes: [nope:/x]}}",
        &Files::new(),
    );
    assert!(e.contains("undefined volume"), "{e}");
    let files = Files::from([("s".to_string(), vec![])]);
    let e = failure(
        "services: {web: {image: a, secrets: [s, {source: s}]}}\nsecrets: {s: {file: s}}",
        &files,
    );
    assert!(e.contains("duplicate secret target"), "{e}");
    let e = failure("services: {web: {}}", &Files::new());
    assert!(e.starts_with("service web: "), "{e}");
}

#[test]
fn unchanged_input_gives_an_equal_result() {
    let yaml = "services: {b: {image: x, environment: {Z: 1, A: 2}, networks: [n2, n1]}, a: {image: y}}\nnetworks: {n1: , n2: }";
    assert_eq!(desired(yaml), desired(yaml));
    let names: Vec<_> = desired(yaml)
        .services
        .iter()
        .map(|s| s.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["st_a", "st_b"]);
}

#[test]
fn a_published_port_used_twice_is_refused_before_anything_is_sent() {
    let cases = [
        (
            "services: {web: {image: a, ports: ['8080:80', '8080:81']}}",
            "service st_web: port 8080/tcp is published twice",
        ),
        (
            "services: {a: {image: a, ports: ['8080:80']}, b: {image: b, ports: ['8080:80']}}",
            "services st_a and st_b both publish port 8080/tcp",
        ),
    ];
    for (yaml, want) in cases {
        assert_eq!(failure(yaml, &Files::new()), want, "{yaml}");
    }
    // Other protocols, and host mode in different services, may share the number.
    desired("services: {web: {image: a, ports: ['53:53/tcp', '53:53/udp']}}");
    desired(
        "services: {a: {image: a, ports: [{target: 80, published: 8080, mode: host}]}, \
         b: {image: b, ports: [{target: 80, published: 8080, mode: host}]}}",
    );
}
