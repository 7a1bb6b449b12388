use super::*;

fn map(text: &str) -> Mapping {
    serde_yaml_ng::from_str(text).expect("test yaml")
}

#[test]
fn version_as_the_cli_computes_it() {
    let cases = [
        ("services: {}", "3.13"),
        ("version: '3'", "3.13"),
        ("version: ''", "3.13"),
        ("version: '3.8'", "3.8"),
        ("version: 3.8", "3.8"),
        ("version: 3.10", "3.1"), // a float, as Go's %v prints it
        ("version: 3", "3.13"),
    ];
    for (text, want) in cases {
        assert_eq!(version(&map(text)), want, "{text}");
    }
}

#[test]
fn top_level_table() {
    let ok = [
        "version: '3.8'\nservices: {web: {image: a}}\nx-anything: 1",
        "services: {my.web-1_x: {}}\nnetworks: {}\nvolumes: {}\nsecrets: {}\nconfigs: {}",
        "version: '3.0'\nservices: {}",
    ];
    for text in ok {
        top_level(&map(text)).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    let bad = [
        (
            "services: {}\nfoo: 1",
            "foo",
            "Additional property foo is not allowed",
        ),
        (
            "version: 3.8\nservices: {}",
            "version",
            "version must be a string",
        ),
        (
            "version: '2.4'\nservices: {}",
            "version",
            "unsupported Compose file version: 2.4",
        ),
        (
            "version: '3.14'\nservices: {}",
            "version",
            "unsupported Compose file version: 3.14",
        ),
        ("services:\n", "services", "services must be a mapping"),
        (
            "services: {}\nnetworks: [a]",
            "networks",
            "networks must be a mapping",
        ),
        (
            "services: {'a b': {}}",
            "services",
            "Additional property a b is not allowed",
        ),
        (
            "services: {web: nginx}",
            "services.web",
            "must be a mapping",
        ),
    ];
    for (text, path, message) in bad {
        let err = top_level(&map(text)).expect_err(text);
        assert_eq!(err.path.as_deref(), Some(path), "{text}");
        assert_eq!(err.message, message, "{text}");
    }
}

#[test]
fn forbidden_keys_fail_with_the_cli_text() {
    let err = forbidden(&map(
        "services: {web: {image: a, mem_limit: 1g, extends: x}}",
    ))
    .expect_err("forbidden");
    assert_eq!(err.path.as_deref(), Some("services.web.extends"));
    assert_eq!(
        err.message,
        "compose file contains unsupported options:\n\n\
         extends: Support for `extends` is not implemented yet.\n\n\
         mem_limit: Set resource limits using deploy.resources"
    );
    for key in [
        "volume_driver",
        "volumes_from",
        "cpu_quota",
        "cpu_shares",
        "cpuset",
        "memswap_limit",
    ] {
        let text = format!("services: {{web: {{{key}: x}}}}");
        assert!(forbidden(&map(&text)).is_err(), "{key}");
    }
    forbidden(&map("services: {web: {image: a, x-mem_limit: 1}}")).expect("allowed");
}

#[test]
fn warnings_like_the_cli() {
    let files = [
        map("services: {a: {build: ., restart: always, depends_on: [b], container_name: x}}"),
        map("services: {b: {links: [a], expose: [80], privileged: true}}"),
    ];
    assert_eq!(
        warnings(&files),
        vec![
            Warning("Ignoring unsupported options: build, links, privileged, restart".into()),
            Warning(
                "Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\n\
                 expose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port."
                    .into()
            ),
        ]
    );
    assert!(warnings(&[map("services: {a: {image: x, depends_on: [b]}}")]).is_empty());
}

#[test]
fn merged_checks_table() {
    let decl = "networks: {front: {}}\nvolumes: {data: {}}\nsecrets: {s: {}}\nconfigs: {c: {}}\n";
    let ok = [
        "services: {web: {image: a}}",
        "services: {web: {image: a, networks: [default, front]}}",
        "services: {web: {image: a, networks: {front: {aliases: [w]}}}}",
        "services: {web: {image: a, volumes: [data:/d, /host:/h, ./rel:/r, ~/x:/x, /anon, 'C:\\x:/w']}}",
        "services: {web: {image: a, volumes: [{type: volume, source: data, target: /d}, {type: bind, source: /x, target: /y}, {type: volume, target: /anon}, {type: cluster, source: 'group:g', target: /g}]}}",
        "services: {web: {image: a, secrets: [s, {source: s, target: t}], configs: [c]}}",
        "services: {web: {image: a, deploy: {mode: global}}}",
        "services: {web: {image: a, deploy: {mode: replicated-job, replicas: 2}}}",
    ];
    for text in ok {
        merged(&map(&format!("{decl}{text}"))).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    let bad = [
        (
            "services: {web: {build: .}}",
            "services.web.image",
            "invalid image reference for service web: no image specified",
        ),
        (
            "services: {web: {image: ''}}",
            "services.web.image",
            "invalid image reference for service web: no image specified",
        ),
        (
            "services: {web: {image: a, networks: [back]}}",
            "services.web.networks",
            "service web: undefined network \"back\"",
        ),
        (
            "services: {web: {image: a, networks: {back: {}}}}",
            "services.web.networks",
            "service web: undefined network \"back\"",
        ),
        (
            "services: {web: {image: a, volumes: ['db:/var/lib']}}",
            "services.web.volumes",
            "service web: undefined volume \"db\"",
        ),
        (
            "services: {web: {image: a, volumes: [{type: volume, source: db, target: /x}]}}",
            "services.web.volumes",
            "service web: undefined volume \"db\"",
        ),
        (
            "services: {web: {image: a, secrets: [nope]}}",
            "services.web.secrets",
            "service web: undefined secret \"nope\"",
        ),
        (
            "services: {web: {image: a, configs: [{source: nope}]}}",
            "services.web.configs",
            "service web: undefined config \"nope\"",
        ),
        (
            "services: {web: {image: a, deploy: {mode: global, replicas: 2}}}",
            "services.web.deploy.replicas",
            "service web: replicas can only be used with replicated or replicated-job mode",
        ),
        (
            "services: {web: {image: a, deploy: {mode: sometimes}}}",
            "services.web.deploy.mode",
            "service web: unknown mode: sometimes",
        ),
    ];
    for (text, path, message) in bad {
        let err = merged(&map(&format!("{decl}{text}"))).expect_err(text);
        assert_eq!(err.path.as_deref(), Some(path), "{text}");
        assert_eq!(err.message, message, "{text}");
    }
}

#[test]
fn short_volume_specs_split_like_volumespec() {
    let cases = [
        ("/data", Some(("", "/data"))),
        ("data:/d", Some(("data", "/d"))),
        ("data:/d:ro", Some(("data", "/d"))),
        ("C:\\x:/w", Some(("C:\\x", "/w"))),
        ("c:", Some(("", "c:"))),
    ];
    for (spec, want) in cases {
        assert_eq!(split_volume(spec), want, "{spec}");
    }
}
