use super::*;
use std::time::Instant;

fn src(text: &str) -> Source {
    Source {
        name: "stack.yml".into(),
        text: text.into(),
    }
}

fn get<'a>(map: &'a Mapping, path: &[&str]) -> &'a Value {
    let mut v = map.get(path[0]).expect("first key");
    for k in &path[1..] {
        v = v.get(*k).expect("key");
    }
    v
}

#[test]
fn scalars_read_like_go_yaml_v3() {
    // (text, expected) for `v: <text>`
    let cases: &[(&str, Value)] = &[
        ("yes", Value::String("yes".into())),
        ("on", Value::String("on".into())),
        ("true", Value::Bool(true)),
        ("010", Value::Number(8.into())),
        ("0440", Value::Number(288.into())),
        ("-010", Value::Number((-8).into())),
        ("08", Value::Number(8.0.into())),
        ("1_000", Value::Number(1000.into())),
        ("0o17", Value::Number(15.into())),
        ("0x1F", Value::Number(31.into())),
        ("3.10", Value::Number(3.1.into())),
        ("\"010\"", Value::String("010".into())),
        ("'0440'", Value::String("0440".into())),
        ("\"1_000\"", Value::String("1_000".into())),
        ("8080:80", Value::String("8080:80".into())),
        ("1.2.3", Value::String("1.2.3".into())),
        ("~", Value::Null),
        ("", Value::Null),
    ];
    for (text, want) in cases {
        let map = parse(&src(&format!("v: {text}\n"))).expect(text);
        assert_eq!(get(&map, &["v"]), want, "v: {text}");
    }
    // Inside a flow list too.
    let map = parse(&src("v: [010, '010', \"x\"]\n")).expect("flow");
    assert_eq!(
        get(&map, &["v"]),
        &Value::Sequence(vec![
            Value::Number(8.into()),
            Value::String("010".into()),
            Value::String("x".into())
        ])
    );
}

#[test]
fn merge_keys_applied() {
    let text = "x-base: &base\n  image: nginx\n  tty: true\nservices:\n  web:\n    <<: *base\n    tty: false\n";
    let map = parse(&src(text)).expect("parse");
    assert_eq!(
        get(&map, &["services", "web", "image"]),
        &Value::String("nginx".into())
    );
    assert_eq!(get(&map, &["services", "web", "tty"]), &Value::Bool(false));
    assert!(get(&map, &["services", "web"]).get("<<").is_none());
}

#[test]
fn bad_inputs() {
    // (text, message fragment, location expected)
    let cases: &[(&str, &str, bool)] = &[
        ("services:\n  web:\n    image: [nginx\n", "", true),
        ("services:\n\tweb: {}\n", "", true),
        ("- a\n- b\n", "top-level object must be a mapping", false),
        ("", "top-level object must be a mapping", false),
        ("a: 1\na: 2\n", "already defined", true),
        ("1: x\n", "mapping keys must be strings", true),
        ("a: !custom {b: 1}\n", "tags", true),
        ("a: &a [*a]\n", "", false),
        ("a: *nope\n", "unknown anchor", true),
        ("<<: 3\n", "merge key", false),
    ];
    for (text, fragment, located) in cases {
        let err = parse(&src(text)).expect_err(text);
        assert_eq!(err.file.as_deref(), Some("stack.yml"));
        assert!(err.message.contains(fragment), "{text:?}: {err}");
        if *located {
            assert!(err.location.is_some(), "{text:?}: no location in {err}");
        }
    }
}

#[test]
fn invalid_yaml_has_line_and_column() {
    let err = parse(&src(
        "version: \"3.8\"\nservices:\n  web:\n    image: nginx\n   ports: []\n",
    ))
    .expect_err("bad indent");
    let (line, column) = err.location.expect("location");
    assert_eq!(line, 5, "{err}");
    assert!(column > 0);
    assert!(err.to_string().starts_with("stack.yml:5:"), "{err}");
}

#[test]
fn too_large_refused_before_parsing() {
    let text = format!("x-pad: \"{}\"\n", "a".repeat(MAX_BYTES));
    let err = parse(&src(&text)).expect_err("too large");
    assert!(err.message.contains("1 MiB"), "{err}");
    assert!(err.to_string().starts_with("stack.yml: "), "{err}");
}

#[test]
fn alias_bomb_rejected_fast() {
    // The classic "billion laughs": 9 levels, each 9 aliases of the one before.
    let mut text = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let start = Instant::now();
    let err = parse(&src(&text)).expect_err("bomb");
    println!("alias bomb rejected in {:?}: {err}", start.elapsed());
    assert!(
        err.message.contains("limit") || err.message.contains("alias"),
        "{err}"
    );
}

#[test]
fn wide_alias_expansion_rejected_by_our_budget() {
    // Under serde_yaml_ng's jump limit (100 per event) but 400k * 5k nodes when expanded.
    let list = vec!["1"; 5_000].join(",");
    let refs = vec!["*a"; 80_000].join(",");
    let text = format!("x-a: &a [{list}]\nx-b: [{refs}]\n");
    assert!(text.len() < MAX_BYTES);
    let start = Instant::now();
    let err = parse(&src(&text)).expect_err("wide");
    println!(
        "wide alias expansion rejected in {:?}: {err}",
        start.elapsed()
    );
    assert!(err.message.contains("nodes"), "{err}");
}

#[test]
fn deep_nesting_rejected_fast() {
    let flow = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let block = format!("a:\n{}x\n", "- ".repeat(10_000));
    let maps = format!("a: {}1{}\n", "{b: ".repeat(10_000), "}".repeat(10_000));
    for (name, text) in [("flow", flow), ("block", block), ("maps", maps)] {
        let start = Instant::now();
        let err = parse(&src(&text)).expect_err(name);
        println!(
            "10,000-deep {name} nesting rejected in {:?}: {err}",
            start.elapsed()
        );
        assert!(
            err.message.contains("deeper") || err.message.contains("recursion"),
            "{err}"
        );
    }
}

#[test]
fn a_mebibyte_of_brackets_rejected_fast() {
    // libyaml's scanner is quadratic in flow depth: without the streamed depth check this
    // takes hours.
    let text = format!("a: {}", "[".repeat(MAX_BYTES - 10));
    let start = Instant::now();
    let err = parse(&src(&text)).expect_err("brackets");
    println!("1 MiB of `[` rejected in {:?}: {err}", start.elapsed());
    assert!(err.message.contains("deeper"), "{err}");
}
