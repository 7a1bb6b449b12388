use super::*;

#[test]
fn object_names() {
    let ok = ["echo", "web_api", "a", "svc-1.2", &"a".repeat(63)];
    for name in ok {
        assert_eq!(object_name("name", name).as_deref(), Ok(name), "{name}");
    }
    let bad = [
        ("", "is required"),
        ("  ", "is required"),
        ("-echo", "must start"),
        ("my service", "may not contain ' '"),
        ("echo/../x", "may not contain '/'"),
        ("ñ", "must start"),
        (&"a".repeat(64), "at most 63"),
    ];
    for (name, why) in bad {
        let err = object_name("name", name).expect_err(name);
        assert_eq!(err.field, "name");
        assert!(err.message.contains(why), "{name:?}: {}", err.message);
    }
}

#[test]
fn image_refs() {
    let ok = [
        "echo",
        "nginx:1.27",
        "registry:5000/example/echo:latest",
        "localhost:5000/example/echo",
        "GHCR.io/org/app:v1",
        "library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ];
    for image in ok {
        assert!(
            image_ref("image", image).is_ok(),
            "{image}: {:?}",
            image_ref("image", image)
        );
    }
    let bad = [
        "",
        "Echo",
        "echo:",
        "echo:-bad",
        "registry:port/echo",
        "echo@sha256:xyz",
        "my image",
        "a//b",
        "echo:tag with space",
        "-lead",
        "x/",
        "https://registry/echo",
        "ghcr.io/Org/app",
    ];
    for image in bad {
        let err = image_ref("image", image).expect_err(image);
        assert_eq!(err.field, "image");
    }
}

#[test]
fn numbers() {
    assert_eq!(number("replicas", "", 0, 1000, 1), Ok(1));
    assert_eq!(number("replicas", " 6 ", 0, 1000, 1), Ok(6));
    assert_eq!(number("replicas", "0", 0, 1000, 1), Ok(0));
    for bad in ["-1", "1001", "1e3", "six", "99999999999999999999999"] {
        assert_eq!(
            number("replicas", bad, 0, 1000, 1).expect_err(bad).field,
            "replicas"
        );
    }
}

#[test]
fn durations() {
    let cases = [
        ("", None),
        ("0", Some(0)),
        ("10s", Some(10_000_000_000)),
        ("1m30s", Some(90_000_000_000)),
        ("500ms", Some(500_000_000)),
        ("1.5s", Some(1_500_000_000)),
        ("2h", Some(7_200_000_000_000)),
    ];
    for (text, want) in cases {
        assert_eq!(duration_ns("delay", text), Ok(want), "{text}");
    }
    for bad in ["10", "s", "10x", "-5s", "25h", "1m30"] {
        assert!(duration_ns("delay", bad).is_err(), "{bad}");
    }
}

#[test]
fn sizes_and_cpus() {
    assert_eq!(memory_bytes("memory", "512M"), Ok(Some(512 << 20)));
    assert_eq!(memory_bytes("memory", "1.5g"), Ok(Some(3 << 29)));
    assert_eq!(memory_bytes("memory", "2GiB"), Ok(Some(2 << 30)));
    for bad in ["1k", "lots", "2P", "-1G"] {
        assert!(memory_bytes("memory", bad).is_err(), "{bad}");
    }
    assert_eq!(nano_cpus("cpus", "0.5"), Ok(Some(500_000_000)));
    for bad in ["0", "-1", "two", "2000", "NaN", "inf"] {
        assert!(nano_cpus("cpus", bad).is_err(), "{bad}");
    }
}

#[test]
fn env_and_labels() {
    let parsed = key_values("env", "A=1\n\nB=x=y\nEMPTY=", true).expect("valid");
    assert_eq!(
        parsed,
        [
            ("A".into(), "1".into()),
            ("B".into(), "x=y".into()),
            ("EMPTY".into(), String::new())
        ]
    );
    for bad in ["NOEQUALS", "=value", "MY VAR=1", "1ABC=2"] {
        let err = key_values("env", bad, true).expect_err(bad);
        assert!(err.message.starts_with("line 1"), "{bad}: {}", err.message);
    }
    assert!(
        key_values("labels", "1abc=2", false).is_ok(),
        "labels may start with a digit"
    );
}

#[test]
fn constraints() {
    assert_eq!(
        constraint("constraints", "node.role != manager").as_deref(),
        Ok("node.role != manager")
    );
    assert_eq!(
        constraint("constraints", "node.labels.zone==east").as_deref(),
        Ok("node.labels.zone == east")
    );
    for bad in [
        "node.role = manager",
        "node.role == boss",
        "node.colour == red",
        "node.labels. == x",
        "node.hostname == ",
        "node.id == a b",
        "node.role == manager != worker",
    ] {
        assert_eq!(
            constraint("constraints", bad).expect_err(bad).field,
            "constraints"
        );
    }
}
