use super::*;

fn src(name: &str, text: &str) -> Source {
    Source {
        name: name.into(),
        text: text.into(),
    }
}

fn vars(pairs: &[(&str, &str)]) -> Vars {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load_one(text: &str) -> Result<(Value, Vec<Warning>)> {
    load_value(
        &[src("stack.yml", text)],
        &vars(&[("TAG", "1.27"), ("N", "2")]),
    )
}

#[test]
fn a_good_file() {
    let text = r#"
version: "3.8"
x-common: &common
  restart: always
  environment: {TAG: "${TAG}"}
services:
  web:
    <<: *common
    image: "nginx:${TAG}"
    deploy: {replicas: "${N}"}
    ports: ["80:80"]
    networks: [front]
    volumes: ["data:/data"]
    secrets: [{source: s, mode: 0440}]
networks: {front: {}}
volumes: {data: {}}
secrets: {s: {file: ./s.txt}}
"#;
    let (value, warnings) = load_one(text).expect("loads");
    let web = &value["services"]["web"];
    assert_eq!(web["image"], Value::String("nginx:1.27".into()));
    assert_eq!(web["deploy"]["replicas"], Value::Number(2.into()));
    assert_eq!(web["environment"]["TAG"], Value::String("1.27".into()));
    assert_eq!(web["secrets"][0]["mode"], Value::Number(288.into()));
    assert_eq!(
        value["x-common"]["environment"]["TAG"],
        Value::String("1.27".into())
    );
    assert_eq!(
        warnings,
        vec![Warning("Ignoring unsupported options: restart".into())]
    );
}

#[test]
fn bad_inputs_each_name_the_file() {
    // (text, display prefix, message fragment)
    let big = format!(
        "services: {{}}\nx-pad: \"{}\"\n",
        "a".repeat(yaml::MAX_BYTES)
    );
    let bomb = {
        let mut t = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x]\n");
        for i in 1..=9 {
            t.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 9].join(",")
            ));
        }
        t
    };
    let deep = format!("services: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "services:\n  web:\n    image: [nginx\n".into(),
            "stack.yml:4:1: ",
            "did not find expected",
        ),
        (bomb, "stack.yml: ", "limit exceeded"),
        (deep, "stack.yml:1:110: ", "nested deeper than 100 levels"),
        (big, "stack.yml: ", "over the limit"),
        (
            "services: {}\nfoo: 1\n".into(),
            "stack.yml: foo: ",
            "Additional property foo is not allowed",
        ),
        (
            "services: {web: {image: a, volumes_from: [b]}}".into(),
            "stack.yml: services.web.volumes_from: ",
            "compose file contains unsupported options",
        ),
        (
            "services: {web: {build: .}}".into(),
            "stack.yml: services.web.image: ",
            "invalid image reference for service web: no image specified",
        ),
        (
            "services: {web: {image: a, networks: [back]}}".into(),
            "stack.yml: services.web.networks: ",
            "service web: undefined network \"back\"",
        ),
        (
            "services: {web: {image: a, volumes: ['db:/d']}}".into(),
            "stack.yml: services.web.volumes: ",
            "service web: undefined volume \"db\"",
        ),
        (
            "services: {web: {image: a, secrets: [pw]}}".into(),
            "stack.yml: services.web.secrets: ",
            "service web: undefined secret \"pw\"",
        ),
        (
            "services: {web: {image: \"${VAR?set VAR}\"}}".into(),
            "stack.yml: services.web.image: ",
            "required variable VAR is missing a value: set VAR",
        ),
        (
            "services: {web: {image: \"${\"}}".into(),
            "stack.yml: services.web.image: ",
            "invalid interpolation format",
        ),
        (
            "services: {web: {image: a, deploy: {replicas: \"${R:-many}\"}}}".into(),
            "stack.yml: services.web.deploy.replicas: ",
            "failed to cast to expected type",
        ),
    ];
    for (text, prefix, fragment) in &cases {
        let start = std::time::Instant::now();
        let err = load_one(text).expect_err(prefix);
        let shown = err.to_string();
        println!(
            "{:>10.3?}  {}",
            start.elapsed(),
            shown.lines().next().unwrap_or_default()
        );
        assert!(shown.starts_with(prefix), "{shown}");
        assert!(err.message.contains(fragment), "{shown}");
    }
}

#[test]
fn forbidden_is_checked_before_interpolation() {
    let err = load_one("services: {web: {image: \"${\", cpu_shares: 2}}").expect_err("forbidden");
    assert!(
        err.message
            .starts_with("compose file contains unsupported options"),
        "{err}"
    );
}

#[test]
fn two_files_merge() {
    let base = src(
        "base.yml",
        "version: '3.8'\nservices:\n  web:\n    image: nginx:1\n    ports: ['8080:80']\n    deploy: {replicas: 3}\n  db:\n    image: postgres\nnetworks: {front: {}}\n",
    );
    let over = src(
        "prod.yml",
        "version: '3.8'\nservices:\n  web:\n    image: nginx:${TAG}\n    ports: [{target: 81, published: 8080}]\n    networks: [front]\n    build: .\n",
    );
    let (value, warnings) = load_value(&[base, over], &vars(&[("TAG", "2")])).expect("merges");
    let web = &value["services"]["web"];
    assert_eq!(web["image"], Value::String("nginx:2".into()));
    assert_eq!(web["deploy"]["replicas"], Value::Number(3.into()));
    assert_eq!(
        web["ports"],
        serde_yaml_ng::from_str::<Value>("[{target: 81, published: 8080}]").expect("yaml")
    );
    assert_eq!(
        value["services"]["db"]["image"],
        Value::String("postgres".into())
    );
    assert_eq!(
        warnings,
        vec![Warning("Ignoring unsupported options: build".into())]
    );
}

#[test]
fn multi_file_errors() {
    let a = src("a.yml", "version: '3.8'\nservices: {web: {image: a}}");
    let b = src("b.yml", "services: {web: {networks: [back]}}");
    let err = load_value(&[a.clone(), b], &Vars::new()).expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        "b.yml: version mismatched between two composefiles : 3.8 and 3.13"
    );
    let b = src(
        "b.yml",
        "version: '3.8'\nservices: {web: {networks: [back]}}",
    );
    let err = load_value(&[a, b], &Vars::new()).expect_err("undeclared");
    assert_eq!(
        err.to_string(),
        "a.yml, b.yml: services.web.networks: service web: undefined network \"back\""
    );
    assert!(load_value(&[], &Vars::new()).is_err());
}

#[test]
fn the_shared_fixtures_load() {
    for name in ["ch03-webapi.yml", "visualizer.yml"] {
        let path = format!("{}/../../shared/compose/{name}", env!("CARGO_MANIFEST_DIR"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipped: {path} not found");
            continue;
        };
        let (value, warnings) =
            load_value(&[src(name, &text)], &Vars::new()).unwrap_or_else(|e| panic!("{e}"));
        println!(
            "{name}: {} services, warnings {warnings:?}",
            value["services"].as_mapping().map_or(0, Mapping::len)
        );
    }
}

#[test]
fn odd_shapes_error_or_load_but_never_panic() {
    let odd = [
        "services: {web: {image: a, ports: 80, volumes: {}, secrets: 3, networks: 1}}",
        "services: {web: {image: a, deploy: [1], environment: 1}}",
        "services: {web: {image: 1}}",
        "version: ~\nservices: {}",
        "services: {web: {image: a, ports: ['99999999999999999999:1-2', '1-0', ':/', '$$']}}",
        "services: {web: {image: \"$\\u00e9${é}\"}}",
        "x-a: &a {<<: *a}\nservices: {}",
        "a: &a [*a]",
        "---\n...\n",
        "\u{feff}services: {}",
    ];
    for text in odd {
        let _ = load_one(text);
        let _ = load_value(&[src("a.yml", text), src("b.yml", text)], &Vars::new());
    }
}
