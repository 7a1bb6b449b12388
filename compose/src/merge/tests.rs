use super::*;

fn map(text: &str) -> Mapping {
    serde_yaml_ng::from_str(text).expect("test yaml")
}

fn merged(base: &str, over: &str) -> Mapping {
    let mut base = map(base);
    merge_files(&mut base, map(over));
    base
}

fn web(m: &Mapping) -> Value {
    m["services"]["web"].clone()
}

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("expected yaml")
}

#[test]
fn service_merge_table() {
    // (base service, override service, key, expected value of key)
    let cases: &[(&str, &str, &str, &str)] = &[
        // Scalars: a later non-empty value wins, an empty one does not.
        ("{image: a}", "{image: b}", "image", "b"),
        ("{image: a}", "{image: ''}", "image", "a"),
        (
            "{read_only: true}",
            "{read_only: false}",
            "read_only",
            "true",
        ),
        (
            "{deploy: {replicas: 3}}",
            "{deploy: {replicas: 0}}",
            "deploy",
            "{replicas: 0}",
        ),
        (
            "{deploy: {resources: {limits: {cpus: '1'}}}}",
            "{deploy: {resources: {limits: {memory: 1G}}}}",
            "deploy",
            "{resources: {limits: {cpus: '1', memory: 1G}}}",
        ),
        // Ports by published port, sorted; short syntax expanded (TestLoadMultipleConfigs).
        (
            "{ports: ['8080:80', '9090:90']}",
            "{ports: [{target: 81, published: 8080}]}",
            "ports",
            "[{target: 81, published: 8080}, {mode: ingress, target: 90, published: 9090, protocol: tcp}]",
        ),
        (
            "{ports: ['8080:80']}",
            "{ports: ['8081:80']}",
            "ports",
            "[{mode: ingress, target: 80, published: 8080, protocol: tcp}, {mode: ingress, target: 80, published: 8081, protocol: tcp}]",
        ),
        (
            "{ports: ['8000-8001:80-81/udp']}",
            "{ports: []}",
            "ports",
            "[{mode: ingress, target: 80, published: 8000, protocol: udp}, {mode: ingress, target: 81, published: 8001, protocol: udp}]",
        ),
        // Unpublished ports share the key 0, as in the CLI.
        (
            "{ports: ['80', '443']}",
            "{ports: []}",
            "ports",
            "[{mode: ingress, target: 443, protocol: tcp}]",
        ),
        // Volumes by target, secrets and configs by source.
        (
            "{volumes: ['aa:/x', 'b:/y', 'c:/z']}",
            "{volumes: [{type: volume, source: c, target: /x}]}",
            "volumes",
            "[{type: volume, source: c, target: /x}, 'b:/y', 'c:/z']",
        ), // 'c:/z' is target "c:/z": a drive letter to the CLI
        (
            "{secrets: [b, {source: a, target: t}]}",
            "{secrets: [{source: b, mode: 0400}]}",
            "secrets",
            "[{source: a, target: t}, {source: b, mode: 0400}]",
        ),
        // Lists appended; string-or-list normalised.
        (
            "{cap_add: [NET_ADMIN]}",
            "{cap_add: [SYS_ADMIN]}",
            "cap_add",
            "[NET_ADMIN, SYS_ADMIN]",
        ),
        (
            "{dns: 1.1.1.1}",
            "{dns: [8.8.8.8]}",
            "dns",
            "[1.1.1.1, 8.8.8.8]",
        ),
        (
            "{extra_hosts: ['a:1.1.1.1']}",
            "{extra_hosts: {b: 2.2.2.2}}",
            "extra_hosts",
            "['a:1.1.1.1', 'b:2.2.2.2']",
        ),
        (
            "{deploy: {placement: {constraints: [a]}}}",
            "{deploy: {placement: {constraints: [b]}}}",
            "deploy",
            "{placement: {constraints: [a, b]}}",
        ),
        // Commands replaced.
        (
            "{command: foo bar}",
            "{command: foo baz}",
            "command",
            "foo baz",
        ),
        ("{command: [a]}", "{command: []}", "command", "[a]"),
        // Mapping-or-list fields.
        (
            "{labels: [foo=bar]}",
            "{labels: {foo: baz}}",
            "labels",
            "{foo: baz}",
        ),
        (
            "{environment: [A=1, B=2, C]}",
            "{environment: {A: '', B: '3', C: x}}",
            "environment",
            "{A: '1', B: '3', C: x}",
        ),
        (
            "{environment: {A: '1'}}",
            "{environment: [A]}",
            "environment",
            "{A: '1'}",
        ),
        // Networks (TestLoadMultipleServiceNetworks).
        (
            "{networks: [net1, net2]}",
            "{networks: [net1, net3]}",
            "networks",
            "{net1: null, net2: null, net3: null}",
        ),
        (
            "{networks: {net1: {aliases: [alias1]}, net2: null}}",
            "{networks: {net1: {aliases: [alias2, alias3]}, net3: {}}}",
            "networks",
            "{net1: {aliases: [alias2, alias3]}, net2: null, net3: {}}",
        ),
        // Ulimits per name (TestLoadMultipleUlimits).
        (
            "{ulimits: {nofile: {soft: 1, hard: 9}, noproc: 4}}",
            "{ulimits: {nofile: 5, noproc: {soft: 2, hard: 3}}}",
            "ulimits",
            "{nofile: 5, noproc: {soft: 2, hard: 3}}",
        ),
        // Logging (TestLoadLogging).
        (
            "{logging: {driver: json-file, options: {frequency: '2000'}}}",
            "{logging: {options: {timeout: '23'}}}",
            "logging",
            "{driver: json-file, options: {frequency: '2000', timeout: '23'}}",
        ),
        (
            "{logging: {driver: json-file, options: {a: '1'}}}",
            "{logging: {driver: syslog, options: {b: '2'}}}",
            "logging",
            "{driver: syslog, options: {b: '2'}}",
        ),
    ];
    for (base, over, key, want) in cases {
        let m = merged(
            &format!("services: {{web: {base}}}"),
            &format!("services: {{web: {over}}}"),
        );
        assert_eq!(web(&m)[*key], yaml(want), "{base} + {over}");
    }
}

#[test]
fn top_level_objects_replaced_whole_and_services_added() {
    let m = merged(
        "version: '3.4'\nx-a: 1\nservices: {web: {image: a, ports: ['80']}}\nnetworks: {hostnet: {driver: overlay, ipam: {driver: default}}}",
        "version: '3.4'\nx-a: 2\nx-b: 3\nservices: {bar: {image: bar}}\nnetworks: {hostnet: {external: {name: host}}, other: {}}\nvolumes: {v: {}}",
    );
    assert_eq!(
        m["networks"],
        yaml("{hostnet: {external: {name: host}}, other: {}}")
    );
    assert_eq!(m["volumes"], yaml("{v: {}}"));
    assert_eq!(m["x-a"], yaml("1"));
    assert!(m.get("x-b").is_none());
    assert_eq!(m["services"]["bar"], yaml("{image: bar}"));
    // A service only in the first file is left as written.
    assert_eq!(web(&m)["ports"], yaml("['80']"));
}
